"""Autoencoder benchmarks (``python -m bench autoencoder``): speed of the live loop and time to
the issue's targets, with default hyperparameters. Measures, never asserts.

Cases:
- ``throughput-headless``: training steps/s of the default config, ``run_for`` without drawing.
- ``throughput-app``: the same through ``bench.common.app_loop`` (tick = train 0.2 s, snapshot,
  then build every figure the page draws while playing: see :func:`draw`); value = app steps/s
  ÷ headless steps/s, the two alternating in 1 s slices per seed; target >= 0.85. Extra keys:
  median draw ms per tick, and the ms to build the paused view once (:func:`draw_paused`).
- ``vae2-beats-pca2``: training seconds until a VAE with a 2-D latent has a lower test MSE than
  PCA with 2 components (computed here with scikit-learn); target <= 1 s.
- ``ae8-bce``: training seconds until an 8-D autoencoder reaches test BCE <= 0.30 per pixel;
  target <= 0.5 s.
- ``app-first-render``: seconds from a cold ``streamlit run`` to the page drawn in headless
  chromium (``bench.browser.first_render``); target <= 5 s.
- ``pause-latency``: median seconds from a Pause click to the State reading "paused" in
  headless chromium, several clicks while playing (``bench.browser.pause_record``);
  target <= 0.5 s.
"""
from __future__ import annotations

import statistics
import time
from typing import Any

from bench.common import app_loop, record
from core.autoencoder import AEConfig, AETrainer
from core.autoencoder import figures as F
from core.autoencoder import trainer as T
from core.autoencoder.data import pca_baseline
from core.training import time_to_target

FAMILY = "autoencoder"


def draw(trainer: AETrainer) -> list[Any]:
    """Every figure the page (pages/autoencoder.py) draws each tick while training plays, from
    the newest snapshot: loss charts (no timeline marker while live), latent scatter, examples."""
    latest = trainer.timeline.latest()
    if latest is None:
        return []
    _, snap = latest
    long = trainer.history.long_format(max_points=400)
    figs: list[Any] = F.metric_charts(long, trainer.config.variant, pca_mse=trainer.pca_mse)
    figs += [F.latent_scatter(snap), F.examples_figure(snap)]
    return figs


def draw_paused(trainer: AETrainer) -> list[Any]:
    """What the page adds while paused: scrub marker, decode anywhere, manifold, interpolation."""
    step, snap = trainer.timeline.latest()
    long = trainer.history.long_format(upto=step, max_points=400)
    figs: list[Any] = F.metric_charts(long, trainer.config.variant, marker_step=step,
                                      pca_mse=trainer.pca_mse)
    point = (0.0, 0.0)
    figs += [
        F.latent_scatter(snap, point=point, pair=(0, 7)),
        F.examples_figure(snap),
        F.decoded_figure(T.decode_plane([point], snap)[0], snap),
        F.manifold_figure(snap),
        F.interpolation_figure(T.interpolate(snap, 0, 7), snap),
        F.diagram(trainer.config),
    ]
    return figs


def _throughput(seed: int, seconds: float, chunks: int = 4
                ) -> tuple[float, float, float, int, int, float]:
    """(headless steps/s, app steps/s, median draw ms per tick, headless steps, app steps,
    ms to draw the paused view once) for one seed.

    Headless and app runs alternate in ``chunks`` slices of ``seconds / chunks`` each, so a
    change in machine load hits both sides of the ratio alike.
    """
    h = AETrainer(AEConfig(), seed=seed)
    h.run_for(0.3)                                    # warm-up (allocations, first calls)
    a = AETrainer(AEConfig(), seed=seed)
    a.tick(0.05)
    draw(a)
    draw_ms: list[float] = []

    def timed_draw(tr: AETrainer) -> None:
        t0 = time.perf_counter()
        draw(tr)
        draw_ms.append(1e3 * (time.perf_counter() - t0))

    head_steps, head_s, app_steps, app_s = 0, 0.0, 0, 0.0
    for _ in range(chunks):
        s0, w0 = h.step, h.train_seconds
        h.run_for(seconds / chunks)
        head_steps += h.step - s0
        head_s += h.train_seconds - w0
        n, wall = app_loop(a, timed_draw, seconds / chunks, budget_s=0.2)
        app_steps += n
        app_s += wall
    t0 = time.perf_counter()
    draw_paused(a)
    paused_ms = 1e3 * (time.perf_counter() - t0)
    return (head_steps / head_s, app_steps / app_s, statistics.median(draw_ms), head_steps,
            app_steps, paused_ms)


def run(seeds: list[int], quick: bool) -> list[dict]:
    secs = 1.5 if quick else 4.0
    budget = 5.0 if quick else 10.0
    pca2 = pca_baseline("digits", 2)
    out: list[dict] = []

    heads, apps, ratios, draws, hsteps, asteps, paused = [], [], [], [], [], [], []
    for s in seeds:
        h, a, d, hs, as_, p = _throughput(s, secs)
        heads.append(h), apps.append(a), ratios.append(a / h), draws.append(d)
        hsteps.append(hs), asteps.append(as_), paused.append(p)
    out.append(record(FAMILY, "throughput-headless", "training steps/s (defaults)", heads,
                      "steps/s", None, seconds=[secs] * len(seeds), steps=hsteps, seeds=seeds))
    out.append(record(FAMILY, "throughput-app", "app steps/s ÷ headless steps/s", ratios,
                      "ratio", ">= 0.85", seconds=[secs] * len(seeds), steps=asteps,
                      seeds=seeds, app_steps_per_s=round(statistics.median(apps), 1),
                      draw_ms_per_tick=round(statistics.median(draws), 2),
                      paused_draw_ms=round(statistics.median(paused), 2)))

    secs_v, steps_v = [], []
    for s in seeds:
        sec, steps, _ = time_to_target(
            lambda s=s: AETrainer(AEConfig(variant="vae", latent_dim=2), seed=s),
            lambda t: t.evaluate()["test_mse"] < pca2, budget_s=budget, check_every_s=0.05)
        secs_v.append(sec), steps_v.append(steps if sec is not None else None)
    out.append(record(FAMILY, "vae2-beats-pca2", "seconds until VAE-2 test MSE < PCA-2",
                      secs_v, "s", "<= 1", seconds=secs_v, steps=steps_v, seeds=seeds,
                      pca2_test_mse=round(pca2, 4)))

    secs_a, steps_a = [], []
    for s in seeds:
        sec, steps, _ = time_to_target(
            lambda s=s: AETrainer(AEConfig(variant="ae", latent_dim=8), seed=s),
            lambda t: t.evaluate()["test_bce"] <= 0.30, budget_s=budget, check_every_s=0.05)
        secs_a.append(sec), steps_a.append(steps if sec is not None else None)
    out.append(record(FAMILY, "ae8-bce", "seconds until AE-8 test BCE <= 0.30 per pixel",
                      secs_a, "s", "<= 0.5", seconds=secs_a, steps=steps_a, seeds=seeds))

    # app-first-render: a cold `streamlit run` to the page drawn in headless chromium
    from bench.browser import first_render
    firsts = [first_render("autoencoder", min_plots=2) for _ in seeds]
    out.append(record(FAMILY, "app-first-render", "seconds from streamlit run to page drawn",
                      firsts, "s", "<= 5", seconds=firsts, seeds=seeds))
    # pause-latency: a Pause click to "paused" in headless chromium (bench.browser)
    from bench.browser import pause_record
    out.append(pause_record(FAMILY, "autoencoder", quick))
    return out
