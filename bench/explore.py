"""Run store and sweep benchmarks (``python -m bench explore``). Measures, never asserts.

Cases:
- ``sweep-scaling``: runs per minute of a 12-run sweep with 2 workers ÷ with 1 worker, on
  this machine (each worker one process, one torch thread); target >= 1.7. Workers are
  forked by the warm launcher, as on a page whose Sweep panel is open (it warms the launcher
  when it opens); ``launcher_ready_s`` is what warming it cost, once.
- ``sweep-overhead``: wall time of the 1-worker sweep ÷ the sum of its runs' training
  seconds (worker start, database and evaluation included); target <= 1.15.
- ``sweep-kill``: finished runs lost after killing every worker mid-sweep; target 0.
- ``store-pin``: milliseconds to store a pinned run whose history has 10,000 steps of four
  metrics (median of 10); target <= 50.
"""
from __future__ import annotations

import os
import signal
import statistics
import tempfile
import time

from bench.common import record, wanted
from core.runs import sweep as SW
from core.runs import workers
from core.runs.store import RunStore
from core.runs.sweep_spec import SweepSpec

FAMILY = "explore"


def _spec(budget: int, n_values: int = 6, seeds: tuple[int, ...] = (0, 1)) -> SweepSpec:
    lrs = [float(f"{1e-3 * 1.5 ** i:.3g}") for i in range(n_values)]
    return SweepSpec("autoencoder", ("lr",), {"lr": lrs}, seeds=seeds, budget_steps=budget,
                        metric="test_mse", base={"latent_dim": 2})


def _sweep(store: RunStore, spec: SweepSpec, workers: int, timeout: float = 900.0):
    t0 = time.perf_counter()
    sid = SW.start(spec, store, owner="bench", workers=workers)
    while time.perf_counter() - t0 < timeout and SW.progress(store, sid)["left"]:
        time.sleep(0.1)
    wall = time.perf_counter() - t0
    runs = [r for r in store.list_runs("", sweep_id=sid, limit=1000)
            if r["status"] == "finished"]
    return wall, runs


def run(seeds: list[int], quick: bool) -> list[dict]:
    out: list[dict] = []
    tmp = tempfile.mkdtemp(prefix="archlab-bench-")
    budget = 300 if quick else 1500

    if wanted("sweep-scaling", "sweep-overhead"):
        t0 = time.perf_counter()
        workers.warm(SW.PRELOAD, wait=True)
        ready_s = time.perf_counter() - t0
        scal, over, walls1, walls2 = [], [], [], []
        for i, _ in enumerate(seeds):
            s1 = RunStore(f"sqlite:///{tmp}/one{i}.db")
            w1, runs1 = _sweep(s1, _spec(budget), 1)
            s2 = RunStore(f"sqlite:///{tmp}/two{i}.db")
            w2, runs2 = _sweep(s2, _spec(budget), 2)
            walls1.append(w1), walls2.append(w2)
            scal.append((len(runs2) / w2) / (len(runs1) / w1) if runs1 and runs2 else None)
            train = sum(r["wall_seconds"] for r in runs1)
            over.append(w1 / train if train else None)
        out.append(record(FAMILY, "sweep-scaling", "runs/min with 2 workers ÷ with 1 (12 runs)",
                          scal, "ratio", ">= 1.7", seconds=walls2, seeds=seeds,
                          one_worker_s=[round(w, 1) for w in walls1],
                          two_workers_s=[round(w, 1) for w in walls2], steps_per_run=budget,
                          launcher_ready_s=round(ready_s, 2)))
        out.append(record(FAMILY, "sweep-overhead", "sweep wall ÷ sum of runs' training seconds",
                          over, "ratio", "<= 1.15", seconds=walls1, seeds=seeds))

    if wanted("sweep-kill"):
        lost = []
        for i, _ in enumerate(seeds):
            st = RunStore(f"sqlite:///{tmp}/kill{i}.db")
            spec = _spec(budget, n_values=4)
            sid = SW.start(spec, st, owner="bench", workers=0, spawn=False)
            procs = [SW.spawn_worker(sid, st.url) for _ in range(2)]
            t0 = time.perf_counter()
            while time.perf_counter() - t0 < 600 and SW.progress(st, sid)["done"] < 2:
                time.sleep(0.05)
            before = {r["run"] for r in SW.results(st, sid)}
            for p in procs:
                try:
                    os.killpg(p.pid, signal.SIGKILL)
                except ProcessLookupError:  # it had already finished its last trial
                    pass
                p.wait()
            st.fail_stale(older_than_s=0.0)
            after = {r["run"] for r in SW.results(st, sid)}
            running = [r for r in st.list_runs("", sweep_id=sid) if r["status"] == "running"]
            lost.append(len(before - after) + len(running))
        out.append(record(FAMILY, "sweep-kill", "finished runs lost (or left running) after "
                          "killing the workers", lost, "runs", "<= 0", seeds=seeds))

    if wanted("store-pin"):
        from core.history import History
        st = RunStore(f"sqlite:///{tmp}/pin.db")
        h = History()
        for step in range(1, 10_001):
            h.record(step, {"loss": 1 / step, "recon": 2 / step, "kl": 0.1, "test_mse": 0.05})
        rec = {"label": "bench", "page": "autoencoder", "config": {"lr": 0.004}, "seed": 0,
               "step": 10_000, "train_seconds": 10.0, "history": h.state(), "metrics": []}
        ms = []
        for _ in range(10):
            t0 = time.perf_counter()
            st.save_run(rec, owner="bench")
            ms.append(1e3 * (time.perf_counter() - t0))
        out.append(record(FAMILY, "store-pin", "ms to store a run with a 10,000-step history",
                          [statistics.median(ms)], "ms", "<= 50", seeds=[0],
                          per_call_ms=[round(x, 1) for x in ms]))
    return out
