"""Browser-side measurements: the app as a student gets it, in Debian's chromium.

``first_render(path)`` times one cold start: from launching ``streamlit run`` to the page fully
drawn (script idle, at least ``min_plots`` plotly charts holding data, every Vega chart drawn)
in headless chromium, which is launched beforehand so its own start-up is not counted.
``first_render_ratio(path)`` interleaves that with the floor app (bench/apps/floor.py: torch,
one plotly chart, one Vega-Lite chart, one formula) run after run, and reports both and their
ratio, so a change in machine load hits both sides alike.
"""
from __future__ import annotations

import shutil
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from serve.local import CHROMIUM_ARGS, start_app, stop  # noqa: E402

FLOOR_APP = ROOT / "bench" / "apps" / "floor.py"

DRAWN = ("() => document.querySelector('[data-testid=stApp]')?.dataset.testScriptState"
         " === 'notRunning' && [...document.querySelectorAll('.js-plotly-plot')].length >= "
         "%d && [...document.querySelectorAll('.js-plotly-plot')].every(p => (p.data || [])"
         ".length > 0) && [...document.querySelectorAll('[data-testid=stVegaLiteChart]')]"
         ".every(v => v.querySelector('canvas, svg'))")


def first_render(path: str, min_plots: int = 1, timeout_s: float = 120.0,
                 app: Path | None = None) -> float | None:
    """Seconds from ``streamlit run`` to ``path`` (e.g. "autoencoder") fully drawn."""
    from playwright.sync_api import sync_playwright
    if shutil.which("chromium") is None:
        return None
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        t0 = time.perf_counter()
        proc, url = start_app(script=app, wait=False)
        try:
            from serve.local import wait_healthy
            wait_healthy(url, proc, timeout_s)
            page.goto(f"{url}/{path}")
            page.wait_for_function(DRAWN % min_plots, timeout=timeout_s * 1000, polling=20)
            return time.perf_counter() - t0
        except Exception:  # noqa: BLE001 - a failed start is a missing measurement
            return None
        finally:
            stop(proc)
            browser.close()


def first_render_ratio(family: str, path: str, runs: int, min_plots: int = 1
                       ) -> list[dict]:
    """Records ``first-render`` (ArchLab page ÷ floor, per run, interleaved) and
    ``first-render-floor`` (the floor's seconds) for one family."""
    from bench.common import record
    pages, floors = [], []
    for _ in range(runs):
        floors.append(first_render("", min_plots=1, app=FLOOR_APP))
        pages.append(first_render(path, min_plots=min_plots))
    ratios = [a / b if a and b else None for a, b in zip(pages, floors)]
    return [
        record(family, "first-render", "page first render ÷ floor app, same run", ratios,
               "ratio", "<= 1.3", seconds=pages, page_seconds=[_r(x) for x in pages],
               floor_seconds=[_r(x) for x in floors],
               page_median_s=_r(_median(pages)), floor_median_s=_r(_median(floors))),
        record(family, "first-render-floor", "seconds, torch + plotly + Vega-Lite + formula",
               floors, "s", None, seconds=floors),
    ]


def _median(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def _r(x):
    return None if x is None else round(x, 2)
