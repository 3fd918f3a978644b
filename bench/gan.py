"""GAN benchmarks (issue 4), medians over seeds.

- ``ring8-sigma05``, ``ring8-sigma02``: training seconds until a ring of 8 Gaussians (std 0.05,
  0.02) is covered: 8/8 modes and >= 70 % of samples within 3σ of a mode. Targets <= 3 s and
  <= 8 s. Only time inside training counts (``core.training.time_to_target``).
- ``ring8-app``: in-app overhead on ring8 (std 0.05): training steps per second in the page's
  tick loop (train, snapshot, then every figure the page draws while playing,
  ``figures.live_figures``, serialised as the page sends it) ÷ headless steps per second, the
  two alternating in slices (``bench.common.app_throughput``). Target >= 0.83 (overhead at
  most 1.2×). A ratio of throughputs rather than of times to coverage: coverage is not
  monotone, so a time-to-target ratio inherits that noise (1.26-1.51× between seeds).
- ``collapse-preset``: modes covered after 10 s with the "Mode collapse" experiment. Target <= 3.
- ``first-render``: seconds from ``streamlit run`` to the page drawn in headless chromium ÷ the
  same for the floor app (torch, one plotly and one Vega-Lite chart, a formula), runs
  interleaved; ``first-render-floor`` is the floor's seconds. Target <= 1.3.
- ``pause-latency``: median seconds from a Pause click to the State reading "paused" in
  headless chromium, several clicks while playing (``bench.browser.pause_record``);
  target <= 0.5 s.
"""
from __future__ import annotations

import torch

from bench.browser import first_render_ratio
from bench.common import app_throughput, record, throughput_record, wanted
from core.config import apply_overrides
from core.gan import figures as F
from core.gan.config import EXPERIMENTS, GANConfig
from core.gan.trainer import GANTrainer
from core.training import time_to_target

FAMILY = "gan"
#: plotly charts on the page's first frame (the 2-D field; the per-mode bars wait for a step)
FIRST_FRAME_PLOTS = 1


def covered(t: GANTrainer, modes: int = 8, share: float = 0.7) -> bool:
    """All modes covered and at least ``share`` of samples within 3σ of a mode."""
    m, q = t.coverage()
    return m >= modes and q >= share


def live(t: GANTrainer):
    """What the page draws each tick while playing, from the newest snapshot."""
    return F.live_figures(t.timeline.latest()[1], t.history, t.config).values()


def _headless(cfg: GANConfig, seed: int, budget_s: float):
    secs, steps, _ = time_to_target(lambda: GANTrainer(cfg, seed), covered, budget_s,
                                    check_every_s=0.05)
    return secs, steps


def run(seeds: list[int], quick: bool) -> list[dict]:
    out = []
    base = GANConfig()
    cfg05 = base.replace(dataset="ring8", spread=0.05)
    for case, spread, target, budget in (("ring8-sigma05", 0.05, "<= 3", 30.0),
                                         ("ring8-sigma02", 0.02, "<= 8", 60.0)):
        if not wanted(case):
            continue
        cfg = base.replace(dataset="ring8", spread=spread)
        res = [_headless(cfg, s, budget / (2 if quick else 1)) for s in seeds]
        secs = [r[0] for r in res]
        steps = [r[1] for r in res]
        out.append(record(FAMILY, case, "seconds to 8/8 modes and >= 70% high quality", secs,
                          "s", target, seconds=secs, steps=steps, seeds=seeds,
                          steps_per_s=[round(st / s, 1) if s else None
                                       for s, st in zip(secs, steps)]))
    if wanted("ring8-app"):
        seconds = 8.0 if quick else 20.0
        res = [app_throughput(lambda: GANTrainer(cfg05, seed), live, seconds)
               for seed in seeds]
        out.append(throughput_record(FAMILY, "ring8-app", res, seeds, seconds))
    if wanted("collapse-preset"):
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
        out.append(record(FAMILY, "collapse-preset", f"modes covered after {seconds:g} s",
                          modes, "modes", "<= 3", seconds=[seconds] * len(seeds), steps=steps,
                          seeds=seeds))
    if wanted("first-render", "first-render-floor"):
        out += first_render_ratio(FAMILY, "gan", runs=len(seeds), min_plots=FIRST_FRAME_PLOTS)
    if wanted("pause-latency"):  # a Pause click to "paused" in headless chromium
        from bench.browser import pause_record
        out.append(pause_record(FAMILY, "gan", quick))
    return out
