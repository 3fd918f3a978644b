"""A seat of the class and what a played window measured: per seat (redraws, Step changes,
first frame, steps) and for the class, from what each light client saw and each chromium page
recorded."""
from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bench.classroom.plan import rounded

if TYPE_CHECKING:
    from sim.student import Student


@dataclass
class Seat:
    """One student of the class and what was measured of it."""

    page: str
    kind: str                       # "light" or "chromium"
    student: Student | None = None
    browser: Any = None             # a BrowserSeat for chromium
    clicked_at: float | None = None
    step_at_click: int | None = None
    error: str | None = None
    replica: str | None = None
    open_s: float | None = None     # from opening the page to its first run done

    @property
    def errors(self) -> list[str]:
        own = self.student.errors if self.student else []
        return own + ([self.error] if self.error else [])


def step_at(student: Student, t: float) -> int | None:
    """The Step the client had drawn at time ``t`` (the newest tick at or before it)."""
    best = None
    for tick in student.ticks:
        if tick.t <= t and tick.step is not None:
            best = tick.step
    return best


def redraws(student: Student, t0: float, t1: float) -> float:
    """Fragment redraws per second in [t0, t1]."""
    return sum(1 for t, k in student.frames if t0 <= t <= t1 and k == "fragment") / (t1 - t0)


def step_changes(student: Student, t0: float, t1: float) -> float:
    """Redraws that showed a new Step, per second in [t0, t1] (what the chromium cross-check
    counts on its side)."""
    n, prev = 0, step_at(student, t0)
    for tick in student.ticks:
        if t0 < tick.t <= t1 and tick.step is not None:
            if tick.step != prev:
                n += 1
            prev = tick.step
    return n / (t1 - t0)


def class_numbers(seats: list[Seat], w: dict[str, Any], upto: float | None = None
                  ) -> dict[str, Any]:
    """Per-seat redraws/s, first-frame times, steps/s and errors in a window."""
    w0 = w["w0"]
    w1 = w["w1"] if upto is None else min(w["w1"], w0 + upto)
    w1_wall = w["w0_wall"] + (w1 - w0)
    light = [s for s in seats if s.kind == "light"]
    rates, firsts, changes, steps = [], [], [], []
    page_steps: dict[str, int] = {}
    page_rates: dict[str, list[float]] = {}
    for s in light:
        st = s.student
        if st is None or s.error or s.clicked_at is None:
            rates.append(0.0)
            firsts.append(None)
            continue
        rates.append(redraws(st, w0, w1))
        page_rates.setdefault(s.page, []).append(rates[-1])
        changes.append(step_changes(st, w0, w1))
        firsts.append(st.first_frame_after(s.clicked_at, s.step_at_click))
        a, b = step_at(st, w0), step_at(st, w1)
        steps.append((b - a) if a is not None and b is not None else 0)
        page_steps[s.page] = page_steps.get(s.page, 0) + steps[-1]
    b_rates, b_steps = [], []
    for s in seats:
        if s.kind == "chromium" and s.browser is not None and not s.error:
            b_rates.append(s.browser.rate(w["w0_wall"], w1_wall))
            b_steps.append(s.browser.steps(w["w0_wall"], w1_wall))
    errors = [e for s in seats for e in s.errors]
    opens = [s.open_s for s in seats if s.kind == "light"]
    return {"rates": rates, "opens": opens, "firsts": firsts, "changes": changes, "steps": steps,
            "steps_per_s": sum(steps) / (w1 - w0), "errors": errors,
            "page_steps_per_s": {k: v / (w1 - w0) for k, v in page_steps.items()},
            "page_redraws": {k: rounded(statistics.median(v)) for k, v in page_rates.items()},
            "browser_rates": b_rates, "browser_steps": b_steps, "seconds": w1 - w0,
            "replicas": sorted({s.replica for s in seats if s.replica})}
