"""Transformer benchmarks (``python -m bench transformer``), medians over seeds.

- ``reverse-99``: training seconds until >= 99 % whole-sequence accuracy on 1,000 held-out
  reversals of length 8 over 10 symbols (default settings). Target <= 4 s.
- ``sort-100``: seconds until 100 % on 1,000 held-out sorts of length 6 over 3 symbols.
  Target <= 8 s.
- ``reverse-app``: in-app overhead on the default reverse task: training steps per second in
  the page's tick loop (train, snapshot, then every figure the page draws while playing,
  ``figures.live_figures``, serialised as the page sends them) ÷ headless steps per second,
  the two alternating in slices (``bench.common.app_throughput``). Target >= 0.83 (overhead
  at most 1.2×).
- ``charlm-val``: validation loss (nats per character) on the shipped text after 90 s of
  training with the "character LM" preset. Target <= 2.0.
- ``no-pe-reverse``: whole-sequence accuracy on reverse with the "No positions: reverse"
  experiment (encoder-decoder, no positional encoding) after the budget the same seed's
  ``reverse-99`` run needed (30 s if it failed). It should stay low. (A decoder-only model
  without positions learns them slowly from the causal mask: the page's next experiment.)
- ``steps-per-s``, ``steps-per-s-app``: default settings, headless and in the app loop (the
  two sides of ``reverse-app``).
- ``first-render``: seconds from ``streamlit run`` to the page drawn in headless chromium ÷
  the same for the floor app (torch, one plotly and one Vega-Lite chart, a formula), runs
  interleaved; ``first-render-floor`` is the floor's seconds. Target <= 1.3.

It measures and never asserts. Accuracy checks between training chunks are not counted as
training time (``core.training.time_to_target``).
- ``pause-latency``: median seconds from a Pause click to the State reading "paused" in
  headless chromium, several clicks while playing (``bench.browser.pause_record``);
  target <= 0.5 s.
"""
from __future__ import annotations

import sys
import time

import numpy as np
import torch

from bench.browser import first_render_ratio
from bench.common import app_throughput, median, record, throughput_record, wanted
from core.config import apply_overrides
from core.training import time_to_target
from core.transformer import figures as F
from core.transformer.config import EXPERIMENTS, PRESETS, TransformerConfig
from core.transformer.trainer import TransformerTrainer

FAMILY = "transformer"
REVERSE = TransformerConfig(task="reverse", seq_len=8, vocab=10)
SORT = TransformerConfig(task="sort", seq_len=6, vocab=3)
NOPE = apply_overrides(REVERSE, next(p for p in EXPERIMENTS
                                     if p.name.startswith("No positions: reverse")).overrides)
CHARLM = apply_overrides(TransformerConfig(), next(p for p in PRESETS
                                                   if p.name.startswith("character")).overrides)


class CpuTimed(TransformerTrainer):
    """A trainer that also counts the CPU seconds of its training: with one torch thread, CPU
    time is what the wall time would be on an idle core, whatever else the machine runs."""

    cpu_seconds = 0.0

    def run_for(self, seconds, max_steps=None, stop=None, **kw):
        c0 = time.process_time()
        try:
            return super().run_for(seconds, max_steps, stop, **kw)
        finally:
            self.cpu_seconds += time.process_time() - c0


def timed(cfg: TransformerConfig, seed: int) -> CpuTimed:
    return CpuTimed(cfg, seed)


def seq_acc(t: TransformerTrainer) -> float:
    return t.accuracy()["seq_acc"]  # all 1,000 held-out sequences


def reached(threshold: float):
    """A cheap look at 200 held-out sequences first, then all 1,000."""
    return lambda t: t.accuracy(200)["seq_acc"] >= threshold and seq_acc(t) >= threshold


def live(t: TransformerTrainer) -> list:
    """What the page draws each tick while playing, from the newest snapshot."""
    return list(F.live_figures(t.timeline.latest()[1], t.history, t.config).values())


def charlm_val(seed: int, seconds: float) -> tuple[float, int, float]:
    t = timed(CHARLM, seed)
    t.run_for(seconds)
    rng = np.random.default_rng(123)
    losses = []
    with torch.no_grad():
        t.model.eval()
        for _ in range(8):  # 8 × 32 windows of the held-out 10 %
            x, y = t.text.batch(rng, 32, CHARLM.block_size, "val")
            logits, _ = t.model(None, torch.from_numpy(x))
            losses.append(torch.nn.functional.cross_entropy(
                logits.reshape(-1, logits.size(-1)), torch.from_numpy(y).reshape(-1)).item())
    return float(np.mean(losses)), t.step, t.cpu_seconds


def run(seeds: list[int], quick: bool) -> list[dict]:
    budget = 20.0 if quick else 60.0
    log = lambda r: print(f"[bench] {r['case']}: {r['value']} {r['unit']} "  # noqa: E731
                          f"(steps {r['steps']})", file=sys.stderr, flush=True)
    recs = []

    if wanted("reverse-99", "no-pe-reverse"):   # without positions: the same seconds
        rev = [time_to_target(lambda: timed(REVERSE, s), reached(0.99),
                              budget, check_every_s=0.25) for s in seeds]
        rev_s = [r[0] for r in rev]
        recs.append(record(FAMILY, "reverse-99", "seconds to 99% sequence accuracy", rev_s,
                           "s", "<= 4", seconds=rev_s, steps=[r[1] for r in rev], seeds=seeds,
                           cpu_seconds=median([r[2].cpu_seconds if r[0] else None
                                               for r in rev])))
        log(recs[-1])

    if wanted("sort-100"):
        srt = [time_to_target(lambda: timed(SORT, s), reached(1.0),
                              budget, check_every_s=0.25) for s in seeds]
        recs.append(record(FAMILY, "sort-100", "seconds to 100% sequence accuracy",
                           [r[0] for r in srt], "s", "<= 8", seconds=[r[0] for r in srt],
                           steps=[r[1] for r in srt], seeds=seeds,
                           cpu_seconds=median([r[2].cpu_seconds if r[0] else None
                                               for r in srt])))
        log(recs[-1])

    if wanted("reverse-app", "steps-per-s", "steps-per-s-app"):
        app_s = 8.0 if quick else 16.0
        app = [app_throughput(lambda: TransformerTrainer(REVERSE, s), live, app_s)
               for s in seeds]
        recs.append(throughput_record(FAMILY, "reverse-app", app, seeds, app_s))
        log(recs[-1])

    if wanted("no-pe-reverse"):
        nope = []
        for s, (secs, _, _) in zip(seeds, rev):
            t = TransformerTrainer(NOPE, s)
            t.run_for(secs if secs is not None else budget)
            nope.append((seq_acc(t), t.step, t.train_seconds))
        recs.append(record(FAMILY, "no-pe-reverse", "sequence accuracy without positions",
                           [n[0] for n in nope], "fraction", "<= 0.05",
                           seconds=[n[2] for n in nope], steps=[n[1] for n in nope],
                           seeds=seeds))
        log(recs[-1])

    if wanted("steps-per-s", "steps-per-s-app"):
        recs.append(record(FAMILY, "steps-per-s", "training steps per second, headless",
                           [a["headless_steps_per_s"] for a in app], "steps/s", None,
                           seeds=seeds))
        recs.append(record(FAMILY, "steps-per-s-app", "training steps per second in the app "
                           "loop", [a["app_steps_per_s"] for a in app], "steps/s", None,
                           seeds=seeds))

    if wanted("charlm-val"):
        lm_s = 20.0 if quick else 90.0
        lm = [charlm_val(s, lm_s) for s in seeds]
        recs.append(record(FAMILY, "charlm-val", f"validation loss after {lm_s:.0f} s",
                           [x[0] for x in lm], "nats/char", "<= 2.0",
                           seconds=[lm_s] * len(seeds), steps=[x[1] for x in lm], seeds=seeds,
                           cpu_seconds=median([x[2] for x in lm])))
        log(recs[-1])

    # decoder-only default, paused at step 0: one attention map (the decoded example waits
    # for the first step or a typed input)
    if wanted("first-render", "first-render-floor"):
        recs += first_render_ratio(FAMILY, "transformer", runs=len(seeds), min_plots=1)
        log(recs[-2])
    if wanted("pause-latency"):  # a Pause click to "paused" in headless chromium
        from bench.browser import pause_record
        recs.append(pause_record(FAMILY, "transformer", quick))
    return recs


if __name__ == "__main__":
    t0 = time.perf_counter()
    from bench.common import print_table
    print_table(run([0], quick=True))
    print(f"{time.perf_counter() - t0:.0f} s")
