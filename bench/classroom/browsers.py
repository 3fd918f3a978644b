"""The chromium cross-check: a few real browsers play beside the light clients.

Debian's chromium through Playwright, one context (own cookies) per seat; a script in each page
records every change of the Step metric with its wall-clock time. Its scheduling group runs at a
lower CPU weight (:func:`bench.classroom.procs.yield_cpu`): in a class the browsers are on the
students' laptops, not on the server's cores.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bench.classroom.plan import PLAY, log
from bench.classroom.procs import yield_cpu
from sim.student import AFFINITY_COOKIE

if TYPE_CHECKING:
    from bench.classroom.measure import Seat


WATCH_STEP = """() => {
  window.__steps = [];
  let last = null;
  const read = () => [...document.querySelectorAll('[data-testid=stMetric]')]
      .find(m => m.querySelector('[data-testid=stMetricLabel]')?.innerText.trim() === 'Step')
      ?.querySelector('[data-testid=stMetricValue]')?.innerText.trim();
  setInterval(() => {
    const v = read();
    if (v !== undefined && v !== last) { window.__steps.push([Date.now() / 1000, v]); last = v; }
  }, 20);
}"""


class Browsers:
    """Debian's chromium through Playwright; one context (own cookies) per seat."""

    def __init__(self, nice: int = 10) -> None:
        self._pw = None
        self.browser = None
        self.nice = nice
        self.group = ""  # what yield_cpu said

    async def start(self) -> bool:
        import shutil
        path = shutil.which("chromium") or shutil.which("chromium-browser")
        if path is None:
            return False
        try:
            from playwright.async_api import async_playwright
        except ImportError:
            return False
        from serve.local import CHROMIUM_ARGS
        try:
            self._pw = await async_playwright().start()
            self.browser = await self._pw.chromium.launch(executable_path=path,
                                                          args=CHROMIUM_ARGS)
        except Exception as e:  # noqa: BLE001 - no cross-check rather than no bench
            log(f"chromium did not start ({e!r}): no cross-check")
            await self.stop()
            self.browser = self._pw = None
            return False
        self.group = yield_cpu(self.nice)
        log(f"chromium's scheduling group: {self.group}")
        return True

    async def open_seat(self, seat: Seat, url: str, cookies: dict | None,
                        timeout: float) -> None:
        try:
            t0 = time.monotonic()
            ctx = await self.browser.new_context(viewport={"width": 1400, "height": 1000})
            if cookies:
                await ctx.add_cookies([{"name": k, "value": v, "url": url}
                                       for k, v in cookies.items()])
            page = await ctx.new_page()
            seat.browser = BrowserSeat(ctx, page)
            await page.goto(f"{url}/{seat.page}", timeout=timeout * 1000)
            await page.wait_for_selector(
                "[data-testid=stApp][data-test-script-state=notRunning]", timeout=timeout * 1000)
            await page.evaluate(WATCH_STEP)
            seat.open_s = time.monotonic() - t0
            got = await ctx.cookies(url)
            seat.replica = next((c["value"] for c in got if c["name"] == AFFINITY_COOKIE), None)
        except Exception as e:  # noqa: BLE001
            seat.error = f"chromium: {type(e).__name__}: {e}"

    async def press_play(self, seat: Seat, url: str, timeout: float) -> None:
        try:
            seat.clicked_at = time.monotonic()
            seat.browser.clicked_wall = time.time()
            await seat.browser.page.get_by_role("button", name=PLAY).click(
                timeout=timeout * 1000)
        except Exception as e:  # noqa: BLE001
            seat.error = f"chromium: {type(e).__name__}: {e}"

    async def stop(self) -> None:
        for close in (getattr(self.browser, "close", None), getattr(self._pw, "stop", None)):
            if close is not None:
                try:
                    await close()
                except Exception:  # noqa: BLE001
                    pass


@dataclass
class BrowserSeat:
    ctx: Any
    page: Any
    clicked_wall: float = 0.0
    changes: list[tuple[float, str]] = field(default_factory=list)

    async def read(self) -> None:
        try:
            self.changes = [tuple(x) for x in await self.page.evaluate("window.__steps || []")]
        except Exception:  # noqa: BLE001
            pass

    def rate(self, w0: float, w1: float) -> float:
        """Step changes per second between two wall-clock moments."""
        return sum(1 for t, _ in self.changes if w0 <= t <= w1) / (w1 - w0)

    def steps(self, w0: float, w1: float) -> int | None:
        def at(w):
            vals = [int("".join(ch for ch in v if ch.isdigit()) or 0)
                    for t, v in self.changes if t <= w]
            return vals[-1] if vals else None
        a, b = at(w0), at(w1)
        return None if a is None or b is None else b - a

    async def close(self) -> None:
        try:
            await self.ctx.close()
        except Exception:  # noqa: BLE001
            pass
