"""The warm worker launcher: forks from a single thread, gives its memory back when idle or
orphaned, and never loses a request (a launcher that is gone means a plainly started
worker)."""
import os
import subprocess
import sys

import pytest

from core.runs import sweep as SW
from core.runs import workers
from core.runs.store import RunStore
from test_sweep import _spec as sweep_spec

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _spec(**kw):
    """test_sweep's tiny autoencoder sweep, one seed, 30 steps a run."""
    return sweep_spec(**{"seeds": (0,), "budget_steps": 30, **kw})


def _launcher(code: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", code], cwd=ROOT,  # the launcher's env:
                            env=dict(os.environ, **workers._ENV), stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def test_the_launcher_forks_from_a_single_thread_and_leaves_when_idle():
    """fork() copies only the calling thread: a torch, Optuna or SQLAlchemy upgrade that
    starts a thread at import (or on an optimiser's first construction) would make forked
    workers hang on a lock that thread held. This fails loudly instead."""
    p = _launcher("import os, sys\n"
                  "from core.runs import sweep, workers\n"
                  "sweep.preload()\n"
                  "print(len(os.listdir('/proc/self/task')), flush=True)\n"
                  "sys.exit(workers.serve(sweep.PRELOAD, idle_s=0.2))\n")
    try:
        out, err = p.communicate(timeout=120)  # stdin stays open: it leaves because idle
    finally:
        p.kill()
    lines = out.decode().split()
    assert p.returncode == 0, err.decode()[-2000:]
    assert lines == ["1", "ready"]


def test_the_launcher_leaves_when_its_parent_goes():
    p = _launcher("import sys\nfrom core.runs import workers\n"
                  "sys.exit(workers.serve('core.runs.sweep:preload', idle_s=600))\n")
    try:
        assert p.stdout.readline().strip() == b"ready"
        p.stdin.close()                      # what a dead Streamlit server looks like to it
        assert p.wait(timeout=60) == 0
    finally:
        p.kill()


@pytest.mark.slow
def test_forked_workers_run_the_sweep_and_outlive_their_launcher(tmp_path):
    store = RunStore(f"sqlite:///{tmp_path / 's.db'}")
    spec = _spec(values={"lr": [1e-3, 2e-3, 3e-3]}, budget_steps=200)
    sid = SW.start(spec, store, owner="me", workers=0, spawn=False)
    la = workers._Launcher(SW.PRELOAD)
    assert la.ready.wait(120)
    w = la.request("core.runs.sweep:work", [sid, store.url], [])
    assert os.getpgid(w.pid) == w.pid            # its own group: killpg stops only it
    SW.wait(store, sid, done=1, timeout=300)
    la.proc.stdin.close()                        # the server goes; the worker carries on
    la.proc.wait(timeout=60)
    p = SW.wait(store, sid, timeout=300)
    assert (p["done"], p["left"]) == (3, 0)
    assert w.wait(timeout=60) is not None        # and leaves once the sweep is done
    direct, _ = SW.run_one(spec, {"lr": 2e-3}, 0)
    mine = next(r for r in SW.results(store, sid) if r["lr"] == 2e-3)
    assert mine["test_mse"] == pytest.approx(direct, rel=1e-5)   # forked = fresh process


@pytest.mark.slow
def test_a_request_to_a_launcher_that_is_gone_starts_a_plain_worker(tmp_path):
    store = RunStore(f"sqlite:///{tmp_path / 's.db'}")
    sid = SW.start(_spec(), store, owner="me", workers=0, spawn=False)
    la = workers._Launcher(SW.PRELOAD)
    la.proc.kill()
    la.proc.wait()
    w = la.request("core.runs.sweep:work", [sid, store.url],
                   [sys.executable, "-m", "core.runs", "worker", sid, "--db", store.url])
    assert w._popen is not None                  # started plainly, not lost
    assert SW.wait(store, sid, timeout=300)["left"] == 0
    assert w.wait(timeout=60) == 0


@pytest.mark.parametrize("warm", [True, False])
def test_a_crashing_worker_leaves_its_traceback_in_the_log(tmp_path, monkeypatch, warm):
    """Worker output went to /dev/null, which hid a crash (two workers got one trial): now
    it is logged, by a forked worker and by one started from scratch."""
    monkeypatch.setenv("ARCHLAB_DATA", str(tmp_path))
    url = f"sqlite:///{tmp_path / 'x.db'}"
    if warm:
        la = workers._Launcher(SW.PRELOAD)
        w = la.request("core.runs.sweep:work", ["no-such-sweep", url], [])
    else:
        w = SW.spawn_worker("no-such-sweep", url, warm=False)
    assert w.wait(timeout=120) != 0
    if warm:
        la.proc.stdin.close()
    assert workers.log_path() == str(tmp_path / "workers.log")
    assert "no sweep 'no-such-sweep'" in open(workers.log_path()).read()
