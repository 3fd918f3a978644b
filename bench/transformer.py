"""Transformer benchmarks (``python -m bench transformer``), medians over seeds.

- ``reverse-99``: training seconds until >= 99 % whole-sequence accuracy on 1,000 held-out
  reversals of length 8 over 10 symbols (default settings). Target <= 4 s.
- ``sort-100``: seconds until 100 % on 1,000 held-out sorts of length 6 over 3 symbols.
  Target <= 8 s.
- ``reverse-app``: ``reverse-99`` through the page's tick loop (train, snapshot, every figure
  the page draws, serialised as the page sends them), wall seconds. Target <= 1.2 × headless.
- ``charlm-val``: validation loss (nats per character) on the shipped text after 90 s of
  training with the "character LM" preset. Target <= 2.0.
- ``no-pe-reverse``: whole-sequence accuracy on reverse with the "No positions: reverse"
  experiment (encoder-decoder, no positional encoding) after the budget the same seed's
  ``reverse-99`` run needed (30 s if it failed). It should stay low. (A decoder-only model
  without positions learns them slowly from the causal mask: the page's next experiment.)
- ``steps-per-s``: default settings, headless and in the app loop.

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

from bench.common import serialize, app_loop, median, record
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


def timed(cfg: TransformerConfig, seed: int) -> TransformerTrainer:
    """A trainer that also counts the CPU seconds of its training: with one torch thread, CPU
    time is what the wall time would be on an idle core, whatever else the machine runs."""
    t = TransformerTrainer(cfg, seed)
    t.cpu_seconds = 0.0
    run_for = t.run_for

    def counted(seconds, max_steps=None):
        c0 = time.process_time()
        try:
            return run_for(seconds, max_steps)
        finally:
            t.cpu_seconds += time.process_time() - c0
    t.run_for = counted
    return t


def seq_acc(t: TransformerTrainer) -> float:
    return t.accuracy()["seq acc"]  # all 1,000 held-out sequences


def reached(threshold: float):
    """A cheap look at 200 held-out sequences first, then all 1,000."""
    return lambda t: t.accuracy(200)["seq acc"] >= threshold and seq_acc(t) >= threshold


def draw(t: TransformerTrainer) -> int:
    """Every figure the page draws each tick while playing, from the newest snapshot,
    serialised: the two metric charts, the try-it map (or the sample) and the attention kind
    selected by default. (The positional-encoding and embedding figures are drawn on pause.)"""
    snap = t.timeline.latest()[1]
    arch = t.config.arch
    long = t.history.long_format(max_points=400)
    size = len(serialize(F.loss_chart(long))) + len(serialize(F.accuracy_chart(long)))
    figs = F.attention_views(snap, t.itos, arch, only=F.attention_kinds(snap, arch)[0])
    if "out" in snap:
        figs.append(("try it", F.try_it_figure(snap, t.itos, arch)))
    return size + sum(len(f.to_json()) for _, f in figs)


def reverse_app(seed: int, budget_s: float, tick_s: float = 0.25) -> tuple[float | None, int]:
    """Seconds (wall, drawing included) until 99 % through the page's loop."""
    t = TransformerTrainer(REVERSE, seed)
    t.record_snapshot(force=True)
    wall = 0.0
    while wall < budget_s and t.diverged is None:
        wall += app_loop(t, draw, 1e-3, budget_s=tick_s)[1]  # one tick: train, snapshot, draw
        with torch.no_grad():
            if reached(0.99)(t):
                return wall, t.step
    return None, t.step


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


def steps_per_s(seed: int, seconds: float) -> tuple[float, float]:
    t = TransformerTrainer(REVERSE, seed)
    t.run_for(seconds)
    headless = t.step / t.train_seconds
    u = TransformerTrainer(REVERSE, seed)
    u.record_snapshot(force=True)
    steps, wall = app_loop(u, draw, seconds, budget_s=0.25)
    return headless, steps / wall


def run(seeds: list[int], quick: bool) -> list[dict]:
    budget = 20.0 if quick else 60.0
    log = lambda r: print(f"[bench] {r['case']}: {r['value']} {r['unit']} "  # noqa: E731
                          f"(steps {r['steps']})", file=sys.stderr, flush=True)
    recs = []

    rev = [time_to_target(lambda: timed(REVERSE, s), reached(0.99),
                          budget, check_every_s=0.25) for s in seeds]
    rev_s = [r[0] for r in rev]
    recs.append(record(FAMILY, "reverse-99", "seconds to 99% sequence accuracy", rev_s, "s",
                       "<= 4", seconds=rev_s, steps=[r[1] for r in rev], seeds=seeds,
                       cpu_seconds=median([r[2].cpu_seconds if r[0] else None for r in rev])))
    log(recs[-1])

    srt = [time_to_target(lambda: timed(SORT, s), reached(1.0),
                          budget, check_every_s=0.25) for s in seeds]
    recs.append(record(FAMILY, "sort-100", "seconds to 100% sequence accuracy",
                       [r[0] for r in srt], "s", "<= 8", seconds=[r[0] for r in srt],
                       steps=[r[1] for r in srt], seeds=seeds,
                       cpu_seconds=median([r[2].cpu_seconds if r[0] else None for r in srt])))
    log(recs[-1])

    app = [reverse_app(s, budget * 1.5) for s in seeds]
    head = recs[0]["value"]
    app_med = median([a[0] for a in app])
    ratio = None if head is None or app_med is None else app_med / head
    recs.append(record(FAMILY, "reverse-app", "app-loop seconds / headless seconds",
                       [ratio], "×", "<= 1.2", value=ratio, seconds=[a[0] for a in app],
                       steps=[a[1] for a in app], seeds=seeds, app_seconds=app_med,
                       headless_seconds=head))
    log(recs[-1])

    nope = []
    for s, (secs, _, _) in zip(seeds, rev):
        t = TransformerTrainer(NOPE, s)
        t.run_for(secs if secs is not None else budget)
        nope.append((seq_acc(t), t.step, t.train_seconds))
    recs.append(record(FAMILY, "no-pe-reverse", "sequence accuracy without positions",
                       [n[0] for n in nope], "fraction", "<= 0.05", seconds=[n[2] for n in nope],
                       steps=[n[1] for n in nope], seeds=seeds))
    log(recs[-1])

    sps = [steps_per_s(s, 4.0 if quick else 8.0) for s in seeds]
    recs.append(record(FAMILY, "steps-per-s", "training steps per second, headless",
                       [x[0] for x in sps], "steps/s", None, seeds=seeds))
    recs.append(record(FAMILY, "steps-per-s-app", "training steps per second in the app loop",
                       [x[1] for x in sps], "steps/s", None, seeds=seeds))

    lm_s = 20.0 if quick else 90.0
    lm = [charlm_val(s, lm_s) for s in seeds]
    recs.append(record(FAMILY, "charlm-val", f"validation loss after {lm_s:.0f} s",
                       [x[0] for x in lm], "nats/char", "<= 2.0", seconds=[lm_s] * len(seeds),
                       steps=[x[1] for x in lm], seeds=seeds,
                       cpu_seconds=median([x[2] for x in lm])))
    log(recs[-1])
    # pause-latency: a Pause click to "paused" in headless chromium (bench.browser)
    from bench.browser import pause_record
    recs.append(pause_record(FAMILY, "transformer", quick))
    return recs


if __name__ == "__main__":
    t0 = time.perf_counter()
    from bench.common import print_table
    print_table(run([0], quick=True))
    print(f"{time.perf_counter() - t0:.0f} s")
