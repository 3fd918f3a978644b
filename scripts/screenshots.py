"""Screenshots of pages as a student sees them (for the README, the home cards, and review).

    .venv/bin/python scripts/screenshots.py OUTDIR [PAGE[?query] ...] [--play SECONDS]

Starts the app on a free port, opens each page in Debian's chromium, presses Play for the given
seconds (0: do not), pauses, and saves OUTDIR/<page>.png (full page).
"""
from __future__ import annotations

import argparse
import re
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from serve.local import CHROMIUM_ARGS, start_app  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("out", type=Path)
    ap.add_argument("pages", nargs="*", default=["autoencoder"])
    ap.add_argument("--play", type=float, default=4.0)
    ap.add_argument("--width", type=int, default=1400)
    ap.add_argument("--height", type=int, default=900)
    ap.add_argument("--viewport-only", action="store_true")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    from playwright.sync_api import sync_playwright
    proc, url = start_app()
    try:
        with sync_playwright() as p:
            b = p.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
            page = b.new_page(viewport={"width": args.width, "height": args.height})
            for name in args.pages:
                page.goto(f"{url}/{name}")
                page.wait_for_selector("[data-testid=stApp][data-test-script-state=notRunning]",
                                       timeout=90_000)
                play = page.get_by_role("button", name=re.compile("Play"))
                if args.play > 0:  # the state above can read "notRunning" before the first run
                    try:
                        play.first.wait_for(timeout=90_000)
                    except Exception:  # a page without a Play button (home, compare)
                        pass
                if args.play > 0 and play.count():
                    play.first.click()
                    pause = page.get_by_role("button", name=re.compile("Pause"))
                    pause.first.wait_for(timeout=60_000)
                    time.sleep(args.play)
                    pause.first.click()
                    page.get_by_role("button", name=re.compile("Play")).first.wait_for(
                        timeout=60_000)
                    page.wait_for_selector(
                        "[data-testid=stApp][data-test-script-state=notRunning]", timeout=90_000)
                time.sleep(1.5)  # let plotly finish drawing
                slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "home"
                page.screenshot(path=str(args.out / f"{slug}.png"),
                                full_page=not args.viewport_only)
                print(args.out / f"{slug}.png")
            b.close()
    finally:
        proc.terminate()


if __name__ == "__main__":
    main()
