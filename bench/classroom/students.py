"""The class in session: a seat per student, opened and started as a teacher starts a class,
then left to play for a measured window.

A seat (:class:`bench.classroom.measure.Seat`) is a light client (:class:`sim.student.Student`,
the real websocket protocol without a browser) or a chromium session
(:mod:`bench.classroom.browsers`).
"""
from __future__ import annotations

import asyncio
import contextlib
import os
import time
from typing import TYPE_CHECKING, Any, AsyncIterator

from bench.classroom.measure import Seat
from bench.classroom.plan import PAGES, PLAY, Plan, log
from bench.classroom.procs import Sampler, chromium_cpu_s, cpu_s
from sim.student import Student

if TYPE_CHECKING:
    from bench.classroom.browsers import Browsers


async def open_seat(seat: Seat, url: str, sem: asyncio.Semaphore, cookies: dict | None,
                    timeout: float) -> None:
    """Open the seat's page and wait for its first run (errors go to the seat)."""
    try:
        async with sem:
            t0 = time.monotonic()
            s = Student(url, seat.page, cookies=cookies, timeout=timeout)
            seat.student = s
            await s.open()
            await s.wait_idle(timeout)
            seat.replica = s.replica
            seat.open_s = time.monotonic() - t0
    except Exception as e:  # noqa: BLE001 - a student that could not start is a result
        seat.error = f"open: {type(e).__name__}: {e}"


async def press_play(seat: Seat) -> None:
    try:
        s = seat.student
        seat.step_at_click = s.step
        seat.clicked_at = time.monotonic()
        await s.click(PLAY)
    except Exception as e:  # noqa: BLE001
        seat.error = f"play: {type(e).__name__}: {e}"


async def close_all(seats: list[Seat]) -> None:
    await asyncio.gather(*(s.student.close() for s in seats if s.student),
                         return_exceptions=True)
    for s in seats:
        if s.browser is not None:
            await s.browser.close()


async def ramp(url: str, seats: list[Seat], plan: Plan, cookies: dict | None,
               browsers: "Browsers | None", timeout: float = 240.0) -> float:
    """The class starts as a teacher would start it: everyone opens the page (light clients a
    few at a time), then everyone presses Play. Returns once every playing seat has drawn a
    frame with a new Step (or a deadline passed): the start of the measured window."""
    sem = asyncio.Semaphore(plan.open_concurrency)
    opens = [open_seat(s, url, sem, cookies, timeout) for s in seats if s.kind == "light"]
    if browsers is not None:
        opens += [browsers.open_seat(s, url, cookies, timeout)
                  for s in seats if s.kind == "chromium"]
    await asyncio.gather(*opens)
    ready = [s for s in seats if not s.error]
    plays = [press_play(s) for s in ready if s.kind == "light"]
    if browsers is not None:
        plays += [browsers.press_play(s, url, timeout) for s in ready if s.kind == "chromium"]
    await asyncio.gather(*plays)
    deadline = time.monotonic() + 90
    for seat in seats:
        if seat.student is None or seat.error:
            continue
        left = max(deadline - time.monotonic(), 0.1)
        try:
            await seat.student.wait_for(
                lambda st, seat=seat: st.first_frame_after(seat.clicked_at, seat.step_at_click)
                is not None, left)
        except Exception:  # noqa: BLE001 - no frame yet: the window shows it
            pass
    return time.monotonic()


def make_seats(n: int, n_browsers: int) -> list[Seat]:
    seats = [Seat(PAGES[i % len(PAGES)], "light") for i in range(n - n_browsers)]
    # chromium sessions on the first pages (the light clients of those pages run beside them)
    seats += [Seat(PAGES[i % len(PAGES)], "chromium") for i in range(n_browsers)]
    return seats


@contextlib.asynccontextmanager
async def seated(plan: Plan, browsers: "Browsers | None") -> AsyncIterator[list[Seat]]:
    """The class's seats (:func:`make_seats`; chromium ones only with ``browsers``), every
    one closed at the end, however it ends."""
    seats = make_seats(plan.students, plan.browsers if browsers is not None else 0)
    try:
        yield seats
    finally:
        await close_all(seats)


async def play_class(url: str, seats: list[Seat], window_s: float, plan: Plan,
                     cookies: dict | None = None, browsers: "Browsers | None" = None,
                     sampler: "Sampler | None" = None) -> dict[str, Any]:
    """Ramp the seats up, let them play for ``window_s`` and measure; seats stay open."""
    t_ramp = time.monotonic()
    w0 = await ramp(url, seats, plan, cookies, browsers)
    w0_wall = time.time()
    log(f"{len(seats)} students playing after {w0 - t_ramp:.0f} s; window {window_s:.0f} s")
    c0, own0 = chromium_cpu_s(), cpu_s(os.getpid()) or 0.0
    await asyncio.sleep(window_s)
    w1 = time.monotonic()
    w1_wall = time.time()
    c1, own1 = chromium_cpu_s(), cpu_s(os.getpid()) or 0.0
    for s in seats:
        if s.browser is not None:
            await s.browser.read()
    return {"w0": w0, "w1": w1, "w0_wall": w0_wall, "w1_wall": w1_wall,
            "ramp_s": round(w0 - t_ramp, 1),
            "chromium_cpu_pct": round(100 * (c1 - c0) / (w1 - w0), 1),
            "clients_cpu_pct": round(100 * (own1 - own0) / (w1 - w0), 1)}
