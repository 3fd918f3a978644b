"""Sweeps: how one or two hyperparameters change learning, across seeds, with Optuna.

What a sweep is, a :class:`~core.runs.sweep_spec.SweepSpec`, lives in
:mod:`core.runs.sweep_spec`; this is the engine that runs one: :func:`start`, a worker's
:func:`work` and :func:`run_one`, then :func:`progress`, :func:`results`, :func:`cancel` and
:func:`wait`.

The study is an Optuna study on the run store's own database (SQLite file or PostgreSQL), so
its trials live beside the runs. Every (point, seed) pair is one trial, enqueued when the
study is created and popped by exactly one worker; a median pruner stops runs that are
clearly worse than the others at the same step (when asked). Trials run in worker processes,
never in the Streamlit process (one torch thread each): ``start()`` launches them detached, so
a sweep survives its tab being closed. They are forked by a warm launcher that imported torch
once (``core.runs.workers``), so a worker trains within milliseconds instead of after 3 s of
imports. More machines join by pointing plain workers at the same PostgreSQL database (the
command line is :mod:`core.runs.__main__`)::

    python -m core.runs worker SWEEP_ID --db postgresql+psycopg://user@dbhost/archlab

Each run is stored as it goes (status ``running`` with a heartbeat, then ``finished``,
``pruned``, ``cancelled`` or ``failed``): killing a worker loses no finished run, and a run
whose heartbeat stops is marked failed (``RunStore.fail_stale``) and its trial retried once
(Optuna's heartbeat and retry callback).
"""
from __future__ import annotations

import json
import math
import sys
from typing import Any

from core.config import apply_overrides
from core.families import classes
from core.runs.store import RunStore
from core.runs.sweep_spec import SweepSpec, point_label

__all__ = ["start", "cancel", "progress", "run_one", "results", "wait", "work", "preload",
           "study_name", "spawn_worker", "warm", "PRELOAD"]

#: steps between heartbeats / pruning checks / cancel checks
REPORTS = 10


def study_name(sweep_id: str) -> str:
    return f"sweep-{sweep_id}"


# ---- one run: what a worker does for a trial --------------------------------------------
def run_one(spec: SweepSpec, point: dict[str, Any], seed: int, *, store: RunStore | None = None,
            sweep_id: str | None = None, owner: str = "sweep", trial: Any = None,
            cancelled: Any = None) -> tuple[float, str | None]:
    """Train one configuration of the sweep for its budget; returns (final metric, run id).

    With a store the run is recorded as it goes (``running`` with heartbeats, then its final
    status). With an Optuna ``trial`` the metric is reported ``REPORTS`` times for pruning;
    ``cancelled()`` is asked as often and stops the run early.
    """
    import torch

    from core import process
    from core.runs import compare
    process.setup()
    _, trainer_cls = classes(spec.family)
    cfg = apply_overrides(spec.base_config(), point)
    t = trainer_cls(cfg, seed=seed)
    label = f"{point_label(point, spec.field_specs())} · seed {seed}"
    rid = None
    if store is not None:
        rid = store.save_run(compare.pin(label, spec.family, t), owner=owner, status="running",
                             sweep_id=sweep_id)
    chunk = max(1, spec.budget_steps // REPORTS)
    status, value = "finished", math.nan
    try:
        while t.step < spec.budget_steps and t.diverged is None:
            t.run_steps(min(chunk, spec.budget_steps - t.step))
            value = _metric(t, spec.metric)
            if store is not None:
                store.update_run(rid, step=t.step, wall_seconds=t.train_seconds)
            if cancelled is not None and cancelled():
                status = "cancelled"
                break
            # the pruner is the only reader of intermediate values: without it, reporting
            # would be two database round trips a chunk for nothing
            if trial is not None and spec.prune and math.isfinite(value):
                trial.report(value, t.step)
                if trial.should_prune():
                    status = "pruned"
                    break
        if t.diverged is not None:
            status = "failed"
        with torch.no_grad():
            final_eval = t.evaluate()
        t.history.record(t.step, final_eval)
        value = _metric(t, spec.metric)
    except Exception as e:  # noqa: BLE001 - a broken run is a failed run, not a dead worker
        if store is not None:
            store.update_run(rid, status="failed", error=f"{type(e).__name__}: {e}"[:500])
        raise
    if store is not None:
        rec = compare.pin(label, spec.family, t)
        store.update_run(rid, status=status, step=t.step, wall_seconds=t.train_seconds,
                         history=rec["history"], error=t.diverged.message() if t.diverged
                         else None,
                         final={n: t.history.last(n) for n in t.history.names()})
    return value, rid


def _metric(t: Any, name: str) -> float:
    v = t.history.last(name)
    return float(v) if v == v else math.nan


# ---- the study ------------------------------------------------------------------------------
def _storage(url: str):
    import warnings

    import optuna
    from optuna.storages import RDBStorage, RetryHeartbeatStaleTrialCallback
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    kw = {"connect_args": {"timeout": 10}} if url.startswith("sqlite") else {"pool_pre_ping": True}
    with warnings.catch_warnings():  # heartbeats are marked experimental; they are the point
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        storage = RDBStorage(url, engine_kwargs=kw, heartbeat_interval=2, grace_period=8,
                             heartbeat_stale_trial_callback=RetryHeartbeatStaleTrialCallback(
                                 max_retry=1))
    if url.startswith("sqlite"):
        _serializable(storage.engine)
    return storage


def _serializable(engine) -> None:
    """Make every transaction on this SQLite engine take the write lock when it begins.

    Python's sqlite3 driver starts a transaction only at the first write, so Optuna's "pop a
    waiting trial" (read WAITING, then write RUNNING, in one session) is not atomic on SQLite:
    two workers asking at the same moment both got trial 0 (seen here: the second one then
    crashed when the first finished it, and the sweep ran on one worker). ``BEGIN IMMEDIATE``
    at the start of each transaction (SQLAlchemy's documented recipe for pysqlite) makes the
    read and the write one step. PostgreSQL needs none of this: Optuna reads ``FOR UPDATE``.
    """
    import sqlalchemy as sa

    @sa.event.listens_for(engine, "connect")
    def _no_driver_begin(dbapi_conn, _record):
        dbapi_conn.isolation_level = None

    @sa.event.listens_for(engine, "begin")
    def _begin_immediate(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    engine.dispose()  # connections opened before the hooks go; new ones get them


def _study(spec: SweepSpec, sweep_id: str, url: str, create: bool = False):
    """The sweep's Optuna study. Every (point, seed) pair is enqueued once when the study is
    created; workers pop them (an atomic WAITING -> RUNNING step in the storage), so two
    workers never run the same pair (GridSampler can, in distributed use)."""
    import optuna
    pruner = (optuna.pruners.MedianPruner(n_startup_trials=max(2, len(spec.seeds)),
                                          n_warmup_steps=spec.budget_steps // 3)
              if spec.prune else optuna.pruners.NopPruner())
    kw = dict(study_name=study_name(sweep_id), storage=_storage(url), pruner=pruner,
              sampler=optuna.samplers.RandomSampler(seed=0))
    if not create:
        return optuna.load_study(**kw)
    study = optuna.create_study(direction=spec.direction(), **kw)
    for i in range(len(spec.points())):
        for seed in spec.seeds:
            study.enqueue_trial({"point": i, "seed": seed}, user_attrs={"planned": True})
    return study


def start(spec: SweepSpec, store: RunStore, owner: str, workers: int = 2, *,
          spawn: bool = True) -> str:
    """Create the sweep and its study, launch ``workers`` detached worker processes; returns
    the sweep id (its unguessable link). Raises ValueError with the problems if it cannot run."""
    bad = spec.problems()
    if bad:
        raise ValueError(" ".join(bad))
    sid = store.create_sweep(owner=owner, family=spec.family, spec=spec.to_dict())
    _study(spec, sid, store.url, create=True)
    if spawn:
        for _ in range(max(1, workers)):
            spawn_worker(sid, store.url)
    return sid


#: what the worker launcher (core.runs.workers) runs once before it forks sweep workers
PRELOAD = "core.runs.sweep:preload"


def spawn_worker(sweep_id: str, url: str, *, warm: bool = True):
    """One worker process, detached from this one (it outlives a closed tab): forked by the
    warm launcher (``core.runs.workers``), or with ``warm=False`` a fresh interpreter. Returns a
    handle with ``pid`` (its own process group) and ``wait()``."""
    from core.runs import workers
    argv = [sys.executable, "-m", "core.runs", "worker", sweep_id, "--db", url]
    if not warm:
        return workers.Worker(workers.plain(argv))
    return workers.spawn(PRELOAD, "core.runs.sweep:work", [sweep_id, url], argv)


def warm() -> bool:
    """Start the worker launcher in the background (the Sweep panel calls this when it
    opens, so Start does not wait for torch to import); True once it is ready."""
    from core.runs import workers
    return workers.warm(PRELOAD)


def preload() -> None:
    """What the launcher does once, so a forked worker starts at its first step: import what
    every worker imports, and build one torch optimiser (its first construction imports
    ``torch._dynamo``, 1.1 s here). Starts no thread, database or parallel kernel (forking
    after one would not be safe)."""
    import optuna  # noqa: F401

    from core import process
    from core.families import FAMILIES
    from core.runs import compare  # noqa: F401
    process.setup()
    for family in FAMILIES:
        classes(family)
    process.warm_torch()


def work(sweep_id: str, url: str) -> int:
    """A worker's loop: pull trials of the sweep until none is left or it is cancelled.
    Returns how many trials this worker ran."""
    import warnings

    import optuna
    # ask/tell with heartbeats is how a pool of workers shares a study; Optuna warns that
    # heartbeats are meant for optimize(), which would fill the workers' log
    warnings.filterwarnings("ignore", message="Heartbeat of storage is supposed")
    store = RunStore(url)
    row = store.get_sweep(sweep_id)
    if row is None:
        raise SystemExit(f"no sweep {sweep_id!r} in {url}")
    spec = SweepSpec.from_dict(row["spec"])
    points = spec.points()
    study = _study(spec, sweep_id, url)
    done = 0

    def cancelled() -> bool:
        s = store.get_sweep(sweep_id)
        return s is None or s["status"] == "cancelled"

    def objective(trial) -> float:
        point = points[trial.suggest_categorical("point", list(range(len(points))))]
        seed = trial.suggest_categorical("seed", list(spec.seeds))
        value, rid = run_one(spec, point, seed, store=store, sweep_id=sweep_id,
                             owner=row["owner"], trial=trial, cancelled=cancelled)
        trial.set_user_attr("run_id", rid)
        status = store.get_run(rid)["status"] if rid else "finished"
        if status in ("cancelled", "pruned", "failed") or not math.isfinite(value):
            raise optuna.TrialPruned(status)
        return value

    from optuna.trial import TrialState
    while not cancelled():
        if not study.get_trials(deepcopy=False, states=(TrialState.WAITING,)):
            break
        trial = study.ask()
        if not trial.user_attrs.get("planned"):  # another worker took the last one first
            study.tell(trial, state=TrialState.FAIL)
            break
        try:
            study.tell(trial, objective(trial))
        except optuna.TrialPruned:
            study.tell(trial, state=TrialState.PRUNED)
        except Exception:  # noqa: BLE001 - recorded as a failed run; go on with the next
            study.tell(trial, state=TrialState.FAIL)
        done += 1
    if progress(store, sweep_id)["left"] == 0 and not cancelled():
        store.update_sweep(sweep_id, "finished")
    return done


def cancel(store: RunStore, sweep_id: str) -> None:
    """Stop a sweep: workers see it within one report interval; finished runs are kept."""
    store.update_sweep(sweep_id, "cancelled")


def progress(store: RunStore, sweep_id: str) -> dict[str, Any]:
    """Runs done of N, running, failed, and an estimate of the seconds left."""
    store.fail_stale()
    row = store.get_sweep(sweep_id)
    if row is None:
        return {"total": 0, "done": 0, "running": 0, "failed": 0, "left": 0, "eta_s": 0.0,
                "status": "missing"}
    spec = SweepSpec.from_dict(row["spec"])
    runs = _one_per_point(spec, store.list_runs(row["owner"], sweep_id=sweep_id, limit=10_000,
                                                history=False))
    by = lambda *st: [r for r in runs if r["status"] in st]  # noqa: E731
    done = by("finished", "pruned", "cancelled")
    finished = by("finished", "pruned")
    running, failed = by("running"), by("failed")
    left = max(0, spec.n_runs - len(finished))
    per_run = (sum(r["wall_seconds"] for r in finished) / len(finished)) if finished else None
    n_workers = max(1, len(running))
    eta = (left * per_run / n_workers) if per_run is not None else None
    return {"total": spec.n_runs, "done": len(done), "running": len(running),
            "failed": len(failed), "left": left if row["status"] == "running" else 0,
            "eta_s": eta, "status": row["status"]}


#: which of two runs of the same point a sweep keeps: the first status in this order
_KEEP = ("finished", "pruned", "cancelled", "running", "queued", "failed")


def _one_per_point(spec: "SweepSpec", runs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One run per point of the sweep (swept values and seed). A trial whose heartbeat
    stalled (a loaded machine) is retried while its first worker may still finish it: seen
    on two cores as "3 of 2 runs done". The finished copy is kept, the newest of equals."""
    best: dict[str, dict[str, Any]] = {}
    for r in runs:
        key = json.dumps([[r["config"].get(p) for p in spec.params], r["seed"]], default=str)
        rank = _KEEP.index(r["status"]) if r["status"] in _KEEP else len(_KEEP)
        have = best.get(key)
        if have is None or rank < have["_rank"] or (
                rank == have["_rank"] and r["created_at"] > have["created_at"]):
            best[key] = {**r, "_rank": rank}
    return [{k: v for k, v in r.items() if k != "_rank"} for r in best.values()]


def results(store: RunStore, sweep_id: str) -> list[dict[str, Any]]:
    """One row per finished run: the swept values, seed, final metric, status, run id."""
    row = store.get_sweep(sweep_id)
    if row is None:
        return []
    spec = SweepSpec.from_dict(row["spec"])
    out = []
    for r in _one_per_point(spec, store.list_runs(row["owner"], sweep_id=sweep_id,
                                                  limit=10_000, history=False)):
        if r["status"] not in ("finished", "pruned"):
            continue
        vals = {p: r["config"].get(p) for p in spec.params}
        out.append({**vals, "seed": r["seed"], spec.metric: r["final"].get(spec.metric),
                    "status": r["status"], "steps": r["step"], "run": r["id"]})
    return out


def wait(store: RunStore, sweep_id: str, *, done: int | None = None, timeout: float = 600.0,
         poll: float = 0.2) -> dict[str, Any]:
    """Block until the sweep has no run left (or ``done`` runs finished), at most ``timeout``
    seconds; returns the last progress. For scripts, benchmarks and tests."""
    import time
    deadline = time.monotonic() + timeout
    while True:
        p = progress(store, sweep_id)
        if (p["done"] >= done) if done is not None else p["left"] == 0:
            return p
        if time.monotonic() >= deadline:
            return p
        time.sleep(poll)
