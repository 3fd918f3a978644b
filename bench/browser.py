"""Browser-side measurements: the app as a student gets it, in Debian's chromium.

``first_render(path)`` times one cold start: from launching ``streamlit run app.py`` to the page
fully drawn (script idle, every plotly chart holding data) in headless chromium, which is
launched beforehand so its own start-up is not counted.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from conftest import CHROMIUM_ARGS, free_port  # noqa: E402

DRAWN = ("() => document.querySelector('[data-testid=stApp]')?.dataset.testScriptState"
         " === 'notRunning' && [...document.querySelectorAll('.js-plotly-plot')].length >= "
         "%d && [...document.querySelectorAll('.js-plotly-plot')].every(p => (p.data || [])"
         ".length > 0)")


def first_render(path: str, min_plots: int = 1, timeout_s: float = 120.0) -> float | None:
    """Seconds from ``streamlit run`` to ``path`` (e.g. "autoencoder") fully drawn."""
    from playwright.sync_api import sync_playwright
    if shutil.which("chromium") is None:
        return None
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        port = free_port()
        t0 = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"),
             "--server.headless", "true", "--server.address", "127.0.0.1",
             "--server.port", str(port)], cwd=ROOT,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            url = f"http://127.0.0.1:{port}"
            while time.perf_counter() - t0 < timeout_s:
                try:
                    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as r:
                        if r.status == 200:
                            break
                except OSError:
                    time.sleep(0.02)
            page.goto(f"{url}/{path}")
            page.wait_for_function(DRAWN % min_plots, timeout=timeout_s * 1000, polling=20)
            return time.perf_counter() - t0
        except Exception:  # noqa: BLE001 - a failed start is a missing measurement
            return None
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
            browser.close()
