"""Regenerate the home page's card pictures (assets/cards/<slug>.png) from the real app.

    .venv/bin/python scripts/cards.py              # every family in ui.registry.FAMILIES
    .venv/bin/python scripts/cards.py gan rnn      # only these
    .venv/bin/python scripts/cards.py --out /tmp/cards --keep-raw   # look before replacing

Run it after a page's look changes (a figure restyled, renamed or moved), then look at the
pictures and commit them. It starts the app (serve.local.start_app), opens each family's page in
headless Debian chromium at one fixed viewport, presses Play, lets it train until the step
counter passes the family's number (or a time limit), pauses, screenshots ONE telling figure
(SHOTS below: found by its title), and fits it on a white canvas of one fixed size (CARD), so
every card is the same size and the home page's cards are even. A family with no entry in
SHOTS, or whose figure is not found, fails loudly: the old picture stays.

Each figure is chosen to read at card size (about 350 px wide): a half-width chart, never a
full-width one downscaled threefold.
"""
from __future__ import annotations

import argparse
import io
import re
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from serve.local import CHROMIUM_ARGS, start_app, stop  # noqa: E402
from ui.registry import FAMILIES  # noqa: E402

VIEWPORT = {"width": 1400, "height": 900}
CARD = (480, 360)  # every card: width, height (px)
IDLE = "[data-testid=stApp][data-test-script-state=notRunning]"


@dataclass(frozen=True)
class Shot:
    title: str          # regex on the plotly figure's title: the figure to photograph
    steps: int          # train until the step counter reaches this...
    seconds: float = 40.0   # ...or for this long at most
    query: str = ""     # URL query of the page (settings)
    clip: tuple[float, float, float, float] = (0, 0, 1, 1)  # part of the figure (fractions)
    vega: int | None = None  # or the page's n-th Vega-Lite chart (their titles are drawn on a
    #                          canvas, not readable from the page): ``title`` then only names it


SHOTS = {
    "autoencoder": Shot(r"^Latent space", steps=600),
    "transformer": Shot(r"self-attention .*\(layer × head\)", steps=600, seconds=60,
                        clip=(0, 0, 0.47, 0.5)),  # layer 1's first two heads: the whole grid
    #                                              is page-wide, unreadable at card size
    "gan": Shot(r"generator", steps=1500),
    "rl": Shot("training episodes' returns", steps=200, seconds=45, vega=0),
    "gnn": Shot(r"^Cora: predicted class", steps=120),
    "rnn": Shot("gradient norm through time", steps=300, vega=2),
}

# the plotly figures on the page: title and box (page coordinates), to find the one to shoot
_FIGURES = """() => [...document.querySelectorAll('.js-plotly-plot')].map((e, i) => {
    const r = e.getBoundingClientRect();
    return {i, title: ((e.layout || {}).title || {}).text || '', w: r.width, h: r.height}; })"""
_STEP = """() => { const m = document.querySelector('[data-testid=stMetricValue]');
    return m ? parseInt(m.innerText.replace(/[^0-9]/g, '') || '0') : null; }"""


def train(page, shot: Shot) -> int:
    """Play until the step counter reaches ``shot.steps`` (or ``shot.seconds`` pass), pause;
    returns the step shown."""
    play = page.get_by_role("button", name=re.compile("Play"))
    play.first.wait_for(timeout=180_000)
    pause = page.get_by_role("button", name=re.compile("Pause"))
    for _ in range(3):  # a click during the page's first reruns can be lost: click again
        play.first.click()
        try:
            pause.first.wait_for(timeout=30_000)
            break
        except Exception:  # playwright's TimeoutError
            page.wait_for_selector(IDLE, timeout=180_000)
    else:
        raise RuntimeError("Play did not start training")
    deadline = time.monotonic() + shot.seconds
    while time.monotonic() < deadline:
        step = page.evaluate(_STEP)
        if step is not None and step >= shot.steps:
            break
        page.wait_for_timeout(250)
    pause.first.click()
    play.first.wait_for(timeout=120_000)
    page.wait_for_selector(IDLE, timeout=180_000)
    page.wait_for_timeout(2000)  # plotly's last redraw after the pause
    return page.evaluate(_STEP) or 0


def shoot(page, shot: Shot) -> bytes:
    """A PNG of the figure whose title matches ``shot.title`` (the part ``shot.clip`` names)."""
    page.mouse.move(0, 0)  # no hover: plotly's tool bar and tooltips stay hidden
    if shot.vega is not None:
        return _clipped(page, page.locator("[data-testid=stVegaLiteChart]").nth(shot.vega),
                        shot)
    pick = None
    for _ in range(100):  # the figures redraw after a pause: read until the one wanted is there
        figs = page.evaluate(_FIGURES)
        pick = next((f for f in figs if re.search(shot.title, re.sub(r"<[^>]+>", "", f["title"]))
                     and f["w"] > 0), None)
        if pick:
            break
        page.wait_for_timeout(200)
    if pick is None:
        raise RuntimeError(f"no figure titled /{shot.title}/ on the page; there are: "
                           f"{[f['title'][:60] for f in figs]}")
    return _clipped(page, page.locator(".js-plotly-plot").nth(pick["i"]), shot)


def _clipped(page, el, shot: Shot) -> bytes:
    el.wait_for(state="visible")
    el.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    box = el.bounding_box()
    x0, y0, x1, y1 = shot.clip
    clip = {"x": box["x"] + x0 * box["width"], "y": box["y"] + y0 * box["height"],
            "width": (x1 - x0) * box["width"], "height": (y1 - y0) * box["height"]}
    return page.screenshot(clip=clip)


def card(png: bytes):
    """The screenshot fitted (downscaled, never enlarged) and centred on a white CARD canvas,
    reduced to a 256-colour palette to keep the file small."""
    from PIL import Image
    im = Image.open(io.BytesIO(png)).convert("RGB")
    scale = min(CARD[0] / im.width, CARD[1] / im.height, 1.0)
    im = im.resize((round(im.width * scale), round(im.height * scale)), Image.LANCZOS)
    out = Image.new("RGB", CARD, "white")
    out.paste(im, ((CARD[0] - im.width) // 2, (CARD[1] - im.height) // 2))
    return out.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("families", nargs="*", help="slugs (default: every family with a page)")
    ap.add_argument("--out", type=Path, default=ROOT / "assets" / "cards")
    ap.add_argument("--keep-raw", action="store_true", help="also save the full screenshot")
    args = ap.parse_args()
    slugs = args.families or [f.slug for f in FAMILIES if f.available]
    missing = [s for s in slugs if s not in SHOTS]
    if missing:
        sys.exit(f"no figure chosen for {missing}: add them to SHOTS in {__file__}")
    args.out.mkdir(parents=True, exist_ok=True)
    from playwright.sync_api import sync_playwright
    proc, url = start_app()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=shutil.which("chromium"),
                                        args=CHROMIUM_ARGS)
            for slug in slugs:
                shot = SHOTS[slug]
                page = browser.new_page(viewport=VIEWPORT)  # a fresh session per family
                page.set_default_timeout(120_000)
                page.goto(f"{url}/{slug}{'?' + shot.query if shot.query else ''}")
                page.wait_for_selector(IDLE, timeout=180_000)
                step = train(page, shot)
                png = shoot(page, shot)
                if args.keep_raw:
                    (args.out / f"{slug}.raw.png").write_bytes(png)
                path = args.out / f"{slug}.png"
                card(png).save(path, optimize=True)
                print(f"{path}  step {step}  {path.stat().st_size // 1024} KB", flush=True)
                page.close()
            browser.close()
    finally:
        stop(proc)


if __name__ == "__main__":
    main()
