"""Recurrent-network benchmarks (``python -m bench rnn``), medians over seeds.

- ``adding50-lstm``: training seconds until test MSE < 0.01 on the 1,000 held-out adding
  sequences of T = 50 (default settings: LSTM, 64 units, Adam 1e-2, clip 1, batch 64).
  Target <= 12 s.
- ``adding50-gru``: the same with a GRU. Target <= 8 s.
- ``adding50-rnn``: test MSE of the tanh RNN after the seconds the same seed's LSTM needed
  (the budget if it failed). It must stay >= 0.05: what the page teaches.
- ``dates-attn``: seconds until >= 99 % exact match (greedy decoding) on 1,000 held-out dates
  with the "dates with additive attention" preset. Target <= 30 s.
- ``dates-noattn``: exact match of the same model without attention after the seconds the
  same seed's attention run needed.
- ``charlm-val``: validation loss (nats per character) on the shipped text after 90 s with
  the "character LM" preset, with the transformer's ``charlm-val`` measured in the same run
  beside it (``transformer_value``). Target <= 2.0.
- ``adding-app``: ``adding50-lstm`` through the page's tick loop: app steps/s ÷ headless
  steps/s (figures built and serialised each tick). Target >= 0.83 (at most 1.2 × slower).
- ``pause-latency``: median seconds from a Pause click to the State reading "paused" in
  headless chromium, several clicks while playing (``bench.browser.pause_record``);
  target <= 0.5 s.
- ``first-render``: a cold start to the page drawn (one plot), ÷ the same for the floor app,
  runs interleaved (``bench.browser.first_render_ratio``); target <= 1.3.

Seconds are CPU seconds of training with one torch thread (what the wall time would be on an
idle core, whatever else the machine runs; checks between chunks are not counted), and
budgets are CPU seconds too; ``wall_seconds`` beside them is the wall time of the same
training. The transformer's ``charlm-val`` beside ours gets the same CPU budget.
It measures and never asserts.
"""
from __future__ import annotations

import sys
import time

import numpy as np
import torch

from bench.common import median, record, wanted
from core.config import apply_overrides
from core.rnn.config import PRESETS, RNNConfig
from core.rnn.trainer import RNNTrainer

FAMILY = "rnn"
ADDING = RNNConfig(task="adding", T=50)
_preset = lambda name: apply_overrides(RNNConfig(), next(  # noqa: E731
    p for p in PRESETS if p.name.startswith(name)).overrides)
DATES = _preset("dates with additive")
CHARLM = _preset("character LM")


def timed(cfg: RNNConfig, seed: int) -> RNNTrainer:
    """A trainer that also counts the CPU seconds of its training (one torch thread)."""
    t = RNNTrainer(cfg, seed)
    t.cpu_seconds = 0.0
    run_for = t.run_for

    def counted(*args, **kwargs):
        c0 = time.process_time()
        try:
            return run_for(*args, **kwargs)
        finally:
            t.cpu_seconds += time.process_time() - c0
    t.run_for = counted
    return t


def mse_below(x: float):
    return lambda t: t.accuracy(200)["test_mse"] < x and t.accuracy()["test_mse"] < x


def exact_at_least(x: float):
    return lambda t: t.accuracy(200)["seq_acc"] >= x and t.accuracy()["seq_acc"] >= x


def train_cpu(t: RNNTrainer, cpu_s: float, reached=None, chunk_s: float = 0.25) -> bool:
    """Train until ``cpu_s`` CPU seconds of training (or until ``reached(t)``, checked
    between chunks and not counted). True when ``reached`` was met."""
    while t.cpu_seconds < cpu_s and t.diverged is None:
        t.run_for(chunk_s)
        if reached is not None:
            with torch.no_grad():
                if reached(t):
                    return True
    return False


def to_target(cfg, seeds, reached, budget, case, metric, target):
    """CPU seconds of training until ``reached`` (None past ``budget``), per seed."""
    runs = []
    for s in seeds:
        t = timed(cfg, s)
        ok = train_cpu(t, budget, reached)
        runs.append((t.cpu_seconds if ok else None, t.step, t.train_seconds if ok else None))
    secs = [r[0] for r in runs]
    rec = record(FAMILY, case, metric, secs, "s", target, seconds=secs,
                 steps=[r[1] for r in runs], seeds=seeds,
                 wall_seconds=median([r[2] for r in runs]))
    return rec, runs


def after(cfg, seeds, budgets, score):
    """``score`` of each seed's trainer after its CPU-second budget."""
    out = []
    for s, b in zip(seeds, budgets):
        t = timed(cfg, s)
        train_cpu(t, b)
        out.append((score(t), t.step, t.cpu_seconds))
    return out


def charlm_val(seed: int, seconds: float, family: str = "rnn") -> tuple[float, int]:
    """Validation loss after ``seconds`` CPU seconds with the character-LM preset of
    ``family`` ("rnn" or "transformer"): 8 × 32 held-out windows of 64 characters."""
    if family == "transformer":
        from bench import transformer as TB
        t = TB.timed(TB.CHARLM, seed)
        call = lambda x: t.model(None, x)[0]  # noqa: E731
    else:
        t = timed(CHARLM, seed)
        call = lambda x: t.model(x)[0]  # noqa: E731
    train_cpu(t, seconds, chunk_s=1.0)
    text = t.text if family == "transformer" else t.data
    rng = np.random.default_rng(123)
    losses = []
    with torch.no_grad():
        t.model.eval()
        for _ in range(8):
            x, y = text.batch(rng, 32, 64, "val")
            logits = call(torch.from_numpy(x))
            losses.append(torch.nn.functional.cross_entropy(
                logits.reshape(-1, logits.size(-1)), torch.from_numpy(y).reshape(-1)).item())
    return float(np.mean(losses)), t.step


def run(seeds: list[int], quick: bool) -> list[dict]:
    budget = 30.0 if quick else 60.0
    log = lambda r: print(f"[bench] {r['case']}: {r['value']} {r['unit']} "  # noqa: E731
                          f"(steps {r['steps']})", file=sys.stderr, flush=True)
    recs = []

    if wanted("adding50-lstm", "adding50-rnn"):   # the RNN gets the LSTM's seconds
        rec, lstm = to_target(ADDING, seeds, mse_below(0.01), budget, "adding50-lstm",
                              "seconds to test MSE < 0.01, T = 50", "<= 12")
        recs.append(rec)
        log(rec)
    if wanted("adding50-gru"):
        rec, _ = to_target(ADDING.replace(cell="gru"), seeds, mse_below(0.01), budget,
                           "adding50-gru", "seconds to test MSE < 0.01, T = 50", "<= 8")
        recs.append(rec)
        log(rec)
    if wanted("adding50-rnn"):
        rnn = after(ADDING.replace(cell="rnn"), seeds, [r[0] or budget for r in lstm],
                    lambda t: t.accuracy()["test_mse"])
        recs.append(record(FAMILY, "adding50-rnn", "test MSE after the LSTM's seconds",
                           [r[0] for r in rnn], "MSE", ">= 0.05", seconds=[r[2] for r in rnn],
                           steps=[r[1] for r in rnn], seeds=seeds))
        log(recs[-1])

    if wanted("dates-attn", "dates-noattn"):   # without attention: attention's seconds
        rec, att = to_target(DATES, seeds, exact_at_least(0.99), budget, "dates-attn",
                             "seconds to 99% exact match, 1,000 held-out dates", "<= 30")
        recs.append(rec)
        log(rec)
    if wanted("dates-noattn"):
        noatt = after(DATES.replace(attention="none"), seeds, [r[0] or budget for r in att],
                      lambda t: t.accuracy()["seq_acc"])
        recs.append(record(FAMILY, "dates-noattn", "exact match without attention, same "
                           "seconds", [r[0] for r in noatt], "fraction", None,
                           seconds=[r[2] for r in noatt], steps=[r[1] for r in noatt],
                           seeds=seeds))
        log(recs[-1])

    if wanted("adding-app"):
        recs.append(adding_app(seeds, 8.0 if quick else 20.0))
        log(recs[-1])

    if wanted("charlm-val"):
        lm_s = 20.0 if quick else 90.0
        lm = [charlm_val(s, lm_s) for s in seeds]
        tf = [charlm_val(s, lm_s, "transformer")[0] for s in seeds]
        recs.append(record(FAMILY, "charlm-val", f"validation loss after {lm_s:.0f} s",
                           [x[0] for x in lm], "nats/char", "<= 2.0",
                           seconds=[lm_s] * len(seeds), steps=[x[1] for x in lm], seeds=seeds,
                           transformer_value=median(tf),
                           transformer_per_seed=[round(x, 4) for x in tf]))
        log(recs[-1])
    # first-render and pause-latency: the page in headless chromium (bench.browser)
    from bench.browser import first_render_ratio, pause_record
    if wanted("first-render", "first-render-floor"):
        recs += first_render_ratio(FAMILY, "rnn", runs=len(seeds), min_plots=1)
    if wanted("pause-latency"):
        recs.append(pause_record(FAMILY, "rnn", quick))
    return recs


def page_figures(t: RNNTrainer):
    """What the page draws each tick: ``live_figures`` of the newest snapshot."""
    from core.rnn import figures as F
    return F.live_figures(t.timeline.latest()[1], t.history, t.config).values()


def adding_app(seeds: list[int], seconds: float) -> dict:
    """``adding50-lstm`` through the page loop: the shared ratio of every family
    (``bench.common.app_throughput``: the page's tick, headless and app slices alternating)."""
    from bench.common import app_throughput, throughput_record
    wall = [app_throughput(lambda s=s: RNNTrainer(ADDING, s), page_figures, seconds)
            for s in seeds]
    return throughput_record(FAMILY, "adding-app", wall, seeds, seconds)


if __name__ == "__main__":
    t0 = time.perf_counter()
    from bench.common import print_table
    print_table(run([0], quick=True))
    print(f"{time.perf_counter() - t0:.0f} s")
