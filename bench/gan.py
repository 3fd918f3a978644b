"""GAN benchmarks (issue 4): time until a ring of 8 Gaussians is covered, headless and through
the page's tick loop, and the mode-collapse preset's coverage after 10 s.

Targets: ring8-sigma05 <= 3 s, ring8-sigma02 <= 8 s, ring8-app <= 1.2 x headless,
collapse-preset <= 3 modes after 10 s. Time counts training only (``time_to_target``) for the
headless cases, and the whole tick loop (training + snapshot + every figure) for the app case.
- ``pause-latency``: median seconds from a Pause click to the State reading "paused" in
  headless chromium, several clicks while playing (``bench.browser.pause_record``);
  target <= 0.5 s.
"""
from __future__ import annotations

import torch

from bench.common import app_loop, median, record, serialize
from core.config import apply_overrides
from core.gan import figures as F
from core.gan.config import EXPERIMENTS, GANConfig
from core.gan.trainer import GANTrainer
from core.training import time_to_target

FAMILY = "gan"
#: the page's "normal" speed (ui.shared.SPEEDS): 0.25 s of training per tick
TICK_BUDGET_S = 0.25


def covered(t: GANTrainer, modes: int = 8, share: float = 0.7) -> bool:
    """All modes covered and at least ``share`` of samples within 3σ of a mode."""
    m, q = t.coverage()
    return m >= modes and q >= share


def draw(t: GANTrainer) -> None:
    """Every figure the page's fragment draws each tick, serialised as Streamlit would."""
    latest = t.timeline.latest()
    snap = latest[1]
    hist = t.history
    figs = [F.field_figure(snap), F.mode_bars(snap)]
    charts = [F.loss_chart(hist.long_format(["d_loss", "g_loss"], max_points=400)),
              F.coverage_chart(hist.long_format(["modes", "hq_share"], max_points=400), 8),
              F.signal_chart(hist.long_format(["g_grad"], max_points=400))]
    for f in figs:
        f.to_json()
    for c in charts:
        serialize(c)


def _headless(cfg: GANConfig, seed: int, budget_s: float):
    secs, steps, _ = time_to_target(lambda: GANTrainer(cfg, seed), covered, budget_s,
                                    check_every_s=0.05)
    return secs, steps


def _app(cfg: GANConfig, seed: int, budget_s: float):
    """Wall seconds of the page loop (tick + snapshot + draw) until ``covered``.

    The same test as the headless case, made after every tick (its own time not counted): the
    page shows the result once per tick, so that is when a student would see it.
    """
    t = GANTrainer(cfg, seed)
    t.record_snapshot(force=True)
    wall = 0.0
    while wall < budget_s and t.diverged is None:
        # one tick: the loop stops once half a tick has passed
        _, dt = app_loop(t, draw, seconds=TICK_BUDGET_S / 2, budget_s=TICK_BUDGET_S)
        wall += dt
        if covered(t):
            return wall, t.step
    return None, t.step


def run(seeds: list[int], quick: bool) -> list[dict]:
    torch.set_num_threads(1)
    out = []
    base = GANConfig()
    for case, spread, target, budget in (("ring8-sigma05", 0.05, "<= 3", 30.0),
                                         ("ring8-sigma02", 0.02, "<= 8", 60.0)):
        cfg = base.replace(dataset="ring8", spread=spread)
        res = [_headless(cfg, s, budget / (2 if quick else 1)) for s in seeds]
        secs = [r[0] for r in res]
        steps = [r[1] for r in res]
        out.append(record(FAMILY, case, "seconds to 8/8 modes and >= 70% high quality", secs,
                          "s", target, seconds=secs, steps=steps, seeds=seeds,
                          steps_per_s=[round(st / s, 1) if s else None
                                       for s, st in zip(secs, steps)]))
        if case == "ring8-sigma05":
            headless = out[-1]["value"]
            cfg05 = cfg
    res = [_app(cfg05, s, 30.0 / (2 if quick else 1)) for s in seeds]
    secs = [r[0] for r in res]
    app = median(secs)
    ratio = None if app is None or not headless else app / headless
    out.append(record(FAMILY, "ring8-app", "page loop time / headless time", [ratio], "x",
                      "<= 1.2", value=ratio, seconds=secs, steps=[r[1] for r in res],
                      seeds=seeds, app_seconds=None if app is None else round(app, 3),
                      app_per_seed=[None if x is None else round(x, 3) for x in secs],
                      headless_seconds=headless))
    collapse = next(e for e in EXPERIMENTS if e.name.startswith("Mode collapse"))
    cfg = apply_overrides(base, collapse.overrides)
    seconds = 5.0 if quick else 10.0
    modes, steps = [], []
    for s in seeds:
        t = GANTrainer(cfg, s)
        while t.train_seconds < seconds and t.diverged is None:
            t.run_for(min(0.5, seconds - t.train_seconds))
        modes.append(t.coverage()[0])
        steps.append(t.step)
    out.append(record(FAMILY, "collapse-preset", f"modes covered after {seconds:g} s", modes,
                      "modes", "<= 3", seconds=[seconds] * len(seeds), steps=steps, seeds=seeds))
    # pause-latency: a Pause click to "paused" in headless chromium (bench.browser)
    from bench.browser import pause_record
    out.append(pause_record(FAMILY, "gan", quick))
    return out
