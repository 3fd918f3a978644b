"""Autoencoder benchmarks (``python -m bench autoencoder``): speed of the live loop and time to
the issue's targets, with default hyperparameters. Measures, never asserts.

Cases:
- ``throughput-headless``: training steps/s of the default config, ``run_for`` without drawing.
- ``throughput-app``: ``bench.common.app_throughput`` on the figures the page draws while
  playing (``core.autoencoder.figures.live_figures``), ticking at the page's default speed;
  value = app steps/s ÷ headless steps/s, alternating slices per seed; target >= 0.85. Extra
  key ``paused_draw_ms``: the ms to build the paused view once (live figures at the timeline
  marker plus decode anywhere, manifold and interpolation, decoded by the torch decoder).
- ``vae2-beats-pca2``: training seconds until a VAE with a 2-D latent has a lower test MSE than
  PCA with 2 components; target <= 1 s.
- ``ae8-bce``: training seconds until an 8-D autoencoder reaches test BCE <= 0.30 per pixel;
  target <= 0.5 s.
- ``first-render`` / ``first-render-floor``: a cold ``streamlit run`` to the page drawn in
  headless chromium, as a ratio to the floor app in the same run
  (``bench.browser.first_render_ratio``); target <= 1.3.
- ``pause-latency``: median seconds from a Pause click to the State reading "paused" in
  headless chromium, several clicks while playing (``bench.browser.pause_record``);
  target <= 0.5 s.
"""
from __future__ import annotations

import statistics
import time
from typing import Any

from bench.common import app_throughput, record, throughput_record, wanted
from core.autoencoder.config import AEConfig
from core.autoencoder.trainer import AETrainer
from core.autoencoder import figures as F
from core.autoencoder import trainer as T
from core.autoencoder.data import pca_baseline
from core.run import RunSettings
from core.training import time_to_target

FAMILY = "autoencoder"


def live(trainer: AETrainer) -> list[Any]:
    """What the page draws each tick while playing, from the newest snapshot."""
    latest = trainer.timeline.latest()
    if latest is None:
        return []
    return list(F.live_figures(latest[1], trainer.history, trainer.config).values())


def paused_ms(trainer: AETrainer) -> float:
    """Milliseconds to build what the page shows while paused at the newest snapshot."""
    t0 = time.perf_counter()
    step, snap = trainer.timeline.latest()
    figs = list(F.live_figures(snap, trainer.history, trainer.config, upto=step).values())
    point = (0.0, 0.0)
    figs += [F.latent_scatter(snap, point=point, pair=(0, 7)),
             F.decoded_figure(T.decode_plane([point], snap)[0], snap),
             F.manifold_figure(snap),
             F.interpolation_figure(T.interpolate(snap, 0, 7), snap),
             F.diagram(trainer.config)]
    return 1e3 * (time.perf_counter() - t0)


def run(seeds: list[int], quick: bool) -> list[dict]:
    secs = 1.5 if quick else 4.0
    budget = 5.0 if quick else 10.0
    tick_s = RunSettings().tick.budget_s
    out: list[dict] = []

    if wanted("throughput-headless", "throughput-app"):
        res, heads, paused = [], [], []
        for s in seeds:
            r = app_throughput(lambda s=s: AETrainer(AEConfig(), seed=s), live, secs,
                               budget_s=tick_s)
            res.append(r)
            heads.append(r["headless_steps_per_s"])
            t = AETrainer(AEConfig(), seed=s)
            t.run_steps(50)
            t.record_snapshot(force=True)
            paused.append(paused_ms(t))
        out.append(record(FAMILY, "throughput-headless", "training steps/s (defaults)", heads,
                          "steps/s", None, seconds=[secs] * len(seeds),
                          steps=[r["headless_steps"] for r in res], seeds=seeds))
        rec = throughput_record(FAMILY, "throughput-app", res, seeds, secs, target=">= 0.85")
        rec["paused_draw_ms"] = round(statistics.median(paused), 2)
        out.append(rec)

    if wanted("vae2-beats-pca2"):
        pca2 = pca_baseline("digits", 2)
        secs_v, steps_v = [], []
        for s in seeds:
            sec, steps, _ = time_to_target(
                lambda s=s: AETrainer(AEConfig(variant="vae", latent_dim=2), seed=s),
                lambda t: t.evaluate()["test_mse"] < pca2, budget_s=budget, check_every_s=0.05)
            secs_v.append(sec), steps_v.append(steps if sec is not None else None)
        out.append(record(FAMILY, "vae2-beats-pca2", "seconds until VAE-2 test MSE < PCA-2",
                          secs_v, "s", "<= 1", seconds=secs_v, steps=steps_v, seeds=seeds,
                          pca2_test_mse=round(pca2, 4)))

    if wanted("ae8-bce"):
        secs_a, steps_a = [], []
        for s in seeds:
            sec, steps, _ = time_to_target(
                lambda s=s: AETrainer(AEConfig(variant="ae", latent_dim=8), seed=s),
                lambda t: t.evaluate()["test_bce"] <= 0.30, budget_s=budget,
                check_every_s=0.05)
            secs_a.append(sec), steps_a.append(steps if sec is not None else None)
        out.append(record(FAMILY, "ae8-bce", "seconds until AE-8 test BCE <= 0.30 per pixel",
                          secs_a, "s", "<= 0.5", seconds=secs_a, steps=steps_a, seeds=seeds))

    from bench.browser import first_render_ratio, pause_record
    if wanted("first-render", "first-render-floor"):
        out += first_render_ratio(FAMILY, "autoencoder", runs=len(seeds), min_plots=2)
    if wanted("pause-latency"):  # a Pause click to "paused" in headless chromium
        out.append(pause_record(FAMILY, "autoencoder", quick))
    return out
