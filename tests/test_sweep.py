"""Sweeps: refused when impossible, run in worker processes, equal to direct runs, and
nothing finished is lost when the workers are killed.

The worker tests run on SQLite and on PostgreSQL (``ARCHLAB_TEST_PG_URL``, which CI sets; the
store's ``url`` fixture skips them elsewhere): Optuna's study lives in the same database."""
import os
import signal

import pytest

from core.runs import sweep as SW
from core.runs.store import RunStore
from core.runs.sweep_spec import SweepSpec
from test_store import url  # noqa: F401 - the fixture: SQLite, and PostgreSQL when given

TINY = {"latent_dim": 2, "hidden": "16"}


def _spec(**kw):
    base = dict(family="autoencoder", params=("lr",), values={"lr": [1e-3, 3e-3]},
                seeds=(0, 1), budget_steps=40, metric="test_mse", base=TINY)
    base.update(kw)
    return SweepSpec(**base)


def test_impossible_sweeps_are_refused_with_the_reason():
    assert _spec().problems() == []
    many = _spec(values={"lr": [1e-4 * (i + 1) for i in range(31)]}, seeds=(0, 1))
    assert any("62 runs is more than the 60" in p for p in many.problems())
    assert any("not a setting" in p for p in _spec(params=("colour",)).problems())
    assert any("1 to 5 seeds" in p for p in _spec(seeds=tuple(range(6))).problems())
    bad = _spec(params=("latent_dim",), values={"latent_dim": [2, 99]})
    assert any("Latent size 99 is above the maximum" in p for p in bad.problems())
    from core.autoencoder.trainer import AETrainer
    if AETrainer.metrics:  # declared metrics name the sweep's choices
        assert any("not a metric" in p for p in _spec(metric="accuracy").problems())


def test_grid_and_samples_give_the_points_asked_for():
    two = _spec(params=("lr", "beta"), values={"lr": [1e-3, 1e-2], "beta": [0.5, 1.0, 2.0]})
    pts = two.points()
    assert len(pts) == 6 and two.n_runs == 12 and {"lr": 1e-2, "beta": 2.0} in pts
    s = _spec(samples=5, ranges={"lr": (1e-4, 1e-1)}, values={})
    lrs = [p["lr"] for p in s.points()]
    assert len(lrs) == 5 and all(1e-4 <= v <= 1e-1 for v in lrs) and s.points() == s.points()
    assert SweepSpec.from_dict(two.to_dict()) == two


@pytest.mark.slow
def test_a_sweep_in_worker_processes_matches_direct_runs(url):  # noqa: F811
    store = RunStore(url)
    spec = _spec()
    sid = SW.start(spec, store, owner="alice", workers=2)
    other = SW.start(_spec(values={"lr": [1e-2]}, seeds=(0,)), store, owner="bob", workers=1)
    SW.wait(store, sid, timeout=300)
    SW.wait(store, other, timeout=300)
    rows = SW.results(store, sid)
    assert len(rows) == 4 and {(r["lr"], r["seed"]) for r in rows} == {
        (1e-3, 0), (1e-3, 1), (3e-3, 0), (3e-3, 1)}
    assert all(r["status"] == "finished" and r["steps"] == 40 for r in rows)
    for r in rows:  # same config, same seed, same number: the worker ran what was asked
        direct, _ = SW.run_one(spec, {"lr": r["lr"]}, r["seed"])
        assert r["test_mse"] == pytest.approx(direct, rel=1e-5)
    assert [r["lr"] for r in SW.results(store, other)] == [1e-2]   # never mixed
    assert {r["owner"] for r in store.list_runs("alice", sweep_id=sid)} == {"alice"}


@pytest.mark.slow
def test_killing_the_workers_loses_no_finished_run(url):  # noqa: F811
    store = RunStore(url)
    spec = _spec(values={"lr": [1e-3, 2e-3, 3e-3]}, seeds=(0, 1), budget_steps=1500)
    sid = SW.start(spec, store, owner="alice", workers=0, spawn=False)
    procs = [SW.spawn_worker(sid, store.url) for _ in range(2)]
    SW.wait(store, sid, done=1, timeout=300)
    finished_before = {r["run"] for r in SW.results(store, sid)}
    assert finished_before
    for p in procs:
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:  # it had already finished its last trial
            pass
        p.wait()
    kept = {r["run"] for r in SW.results(store, sid)}
    assert finished_before <= kept                         # nothing finished is lost
    assert store.fail_stale(older_than_s=0.0) >= 0
    statuses = {r["status"] for r in store.list_runs("alice", sweep_id=sid, limit=100)}
    assert "running" not in statuses                      # none left running forever


def test_a_sweep_on_uploaded_data_is_refused():
    spec = SweepSpec("gan", ("lr",), {"lr": [1e-3, 3e-3]}, base={"dataset": "csv"},
                        metric="d_loss")
    assert any("uploaded points" in p for p in spec.problems())


def test_a_retried_trial_counts_once(tmp_path):
    """A loaded machine can stall a worker's heartbeat: Optuna retries the trial while the
    first worker still finishes it. Progress and results count each point once (seen on two
    cores: "Sweep finished: 3 of 2 runs done"), keeping the finished copy."""
    store = RunStore(f"sqlite:///{tmp_path / 'r.db'}")
    spec = _spec(seeds=(0,))
    sid = store.create_sweep(owner="me", family="autoencoder", spec=spec.to_dict())

    def run(lr, status, mse):
        rec = {"page": "autoencoder", "config": {**TINY, "lr": lr}, "seed": 0, "step": 40,
               "final": {"test_mse": mse}}
        return store.save_run(rec, owner="me", status=status, sweep_id=sid)
    run(1e-3, "failed", 0.5)            # the stalled first try, marked failed...
    keep = run(1e-3, "finished", 0.2)   # ... its retry
    run(3e-3, "finished", 0.3)
    run(3e-3, "finished", 0.3)          # the stalled worker finished it too
    p = SW.progress(store, sid)
    assert (p["total"], p["done"], p["failed"], p["left"]) == (2, 2, 0, 0)
    rows = SW.results(store, sid)
    assert sorted(r["lr"] for r in rows) == [1e-3, 3e-3]
    assert next(r for r in rows if r["lr"] == 1e-3)["run"] == keep


def test_two_workers_asking_at_once_never_get_the_same_trial(tmp_path):
    """On SQLite, Optuna's "pop a waiting trial" was not atomic: two workers asking at the
    same moment both got trial 0 and one of them crashed later (the sweep then ran on one
    worker). Two threads, each with its own connection, pop every trial as fast as they can."""
    import threading

    store = RunStore(f"sqlite:///{tmp_path / 'race.db'}")
    spec = _spec(values={"lr": [1e-3 * (i + 1) for i in range(15)]}, seeds=(0, 1))
    sid = SW.start(spec, store, owner="me", spawn=False)
    got: list[list[int]] = [[], []]

    def pop(mine: list) -> None:
        from optuna.trial import TrialState
        study = SW._study(spec, sid, store.url)
        while study.get_trials(deepcopy=False, states=(TrialState.WAITING,)):
            t = study.ask()
            if t.user_attrs.get("planned"):
                mine.append(t.number)
            study.tell(t, state=TrialState.FAIL)
    threads = [threading.Thread(target=pop, args=(g,)) for g in got]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    a, b = got
    assert not set(a) & set(b)                      # never the same trial twice
    assert len(a) + len(b) == spec.n_runs == 30     # and every one taken
