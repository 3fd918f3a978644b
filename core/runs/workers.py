"""A warm launcher for worker processes: one process that imported torch once and forks a
worker per request (the sweep engine's workers, ``core.runs.sweep``).

A fresh ``python -m core.runs worker`` spends about 3 s here before its first step: 1.6 s
importing torch, Optuna and SQLAlchemy, and 1.1 s more the first time a torch optimiser is
built (``torch.optim.Optimizer.__init__`` imports ``torch._dynamo`` on first call). On a
2-core machine that fixed cost is most of what keeps 2 workers from running twice as many
runs per minute as 1. The launcher pays it once, in the background (the Sweep panel warms it
when it opens); each worker is then a ``fork`` that starts training within milliseconds, and
shares the imported code's memory with the launcher until it writes to it.

This module knows nothing about sweeps: a launcher is started with a ``"module:function"``
to run once (its preload), and each request names the ``"module:function"`` a worker runs
and its string arguments, plus the command line that starts the same worker from scratch.

Protocol (lines on the launcher's stdin/stdout): it prints ``ready`` once its preload ran,
then for each request line ``{"target": "module:function", "args": [...]}`` forks a worker
in a new session (so ``os.killpg(pid, ...)`` stops exactly that worker, and it outlives a
closed tab or a restarted server) and prints the worker's pid. The launcher exits when its
parent goes (stdin closes) or after ``IDLE_S`` seconds without a request; the next request
starts a new one. If the launcher is gone before it answers, the worker is started from its
command line, so a request is never lost. Workers and launchers write what goes wrong to
``workers.log`` in the data folder (:func:`log_path`).

Forking is safe because a preload must not start a thread, open a database or run a
parallel torch operation (``tests/test_workers.py`` checks the sweep's preload leaves one
thread).
"""
from __future__ import annotations

import collections
import importlib
import json
import os
import select
import signal
import subprocess
import sys
import threading
import time
from typing import Any

from core.paths import ROOT, data_dir

__all__ = ["Worker", "warm", "spawn", "plain", "log_path", "IDLE_S"]

#: seconds a launcher waits for a request before it exits (and gives its memory back)
IDLE_S = 600.0
#: the most seconds ``warm(wait=True)`` waits for a launcher to say "ready"
READY_TIMEOUT_S = 60.0

_ENV = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


class Worker:
    """One worker process, however it was started: its ``pid`` (a process group of its own)
    and ``wait``. The pid of a forked worker arrives when the launcher has forked it."""

    def __init__(self, popen: subprocess.Popen | None = None) -> None:
        self._popen: subprocess.Popen | None = None
        self._pid: int | None = None
        self._known = threading.Event()
        if popen is not None:
            self._set(popen.pid, popen)

    def _set(self, pid: int, popen: subprocess.Popen | None = None) -> None:
        self._pid, self._popen = pid, popen
        self._known.set()

    def _start_plain(self, argv: list[str]) -> "Worker":
        p = plain(argv)
        self._set(p.pid, p)
        return self

    @property
    def pid(self) -> int:
        if not self._known.wait(READY_TIMEOUT_S + 30) or self._pid is None:
            raise RuntimeError("The worker did not start.")
        return self._pid

    def poll(self) -> int | None:
        """None while the worker runs, else an exit code (-1 when it is unknown: a forked
        worker is reaped by its launcher)."""
        if self._popen is not None:
            return self._popen.poll()
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return -1
        return None

    def wait(self, timeout: float | None = None) -> int | None:
        deadline = None if timeout is None else time.monotonic() + timeout
        if self._known.wait(timeout) and self._popen is not None:
            return self._popen.wait(timeout)
        while (code := self.poll()) is None:
            if deadline is not None and time.monotonic() >= deadline:
                return None
            time.sleep(0.02)
        return code


def log_path() -> str:
    """Where workers write what goes wrong (a crash outside a run's own error field)."""
    return os.path.join(data_dir(), "workers.log")


def _log_fd() -> int:
    """The workers' log, opened for appending (cut when it passes 1 MB); /dev/null when the
    data folder cannot be written."""
    path = log_path()
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        if os.path.exists(path) and os.path.getsize(path) > 1_000_000:
            os.replace(path, path + ".1")
        return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    except OSError:
        return os.open(os.devnull, os.O_WRONLY)


def _popen(argv: list[str], **kw: Any) -> subprocess.Popen:
    """``argv`` in the project folder, one torch thread, its own session, stderr to the log."""
    log = _log_fd()
    try:
        return subprocess.Popen(argv, cwd=ROOT, env=dict(os.environ, **_ENV),
                                start_new_session=True, stderr=log, **kw)
    finally:
        os.close(log)


def plain(argv: list[str]) -> subprocess.Popen:
    """A worker started from scratch (its own interpreter, all imports paid)."""
    return _popen(argv, stdout=subprocess.DEVNULL)


class _Launcher:
    """The parent's side: the launcher process, the requests it has not answered yet, and a
    thread that reads its answers (so a request never blocks a page)."""

    def __init__(self, preload: str) -> None:
        self.proc = _popen([sys.executable, "-m", "core.runs.workers", preload],
                           stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.ready = threading.Event()
        self.pending: collections.deque[tuple[Worker, list[str]]] = collections.deque()
        self.lock = threading.Lock()
        threading.Thread(target=self._read, name="worker-launcher", daemon=True).start()

    def alive(self) -> bool:
        return self.proc.poll() is None

    def request(self, target: str, args: list[str], argv: list[str]) -> Worker:
        w = Worker()
        with self.lock:
            try:
                self.proc.stdin.write(json.dumps({"target": target, "args": args}).encode()
                                      + b"\n")
                self.proc.stdin.flush()
            except (BrokenPipeError, OSError, ValueError):
                return w._start_plain(argv)
            self.pending.append((w, argv))
        return w

    def _read(self) -> None:
        for line in self.proc.stdout:
            line = line.strip()
            if line == b"ready":
                self.ready.set()
                continue
            with self.lock:
                if not self.pending:
                    continue
                w, argv = self.pending.popleft()
                if line.isdigit():
                    w._set(int(line))
                else:                              # the launcher could not fork this one
                    w._start_plain(argv)
        with self.lock:  # the launcher is gone: whatever it did not answer starts plainly
            while self.pending:
                w, argv = self.pending.popleft()
                w._start_plain(argv)
        self.proc.wait()


_launchers: dict[str, _Launcher] = {}
_lock = threading.Lock()


def _get(preload: str) -> _Launcher:
    with _lock:
        la = _launchers.get(preload)
        if la is None or not la.alive():
            la = _launchers[preload] = _Launcher(preload)
        return la


def warm(preload: str, wait: bool = False, timeout: float = READY_TIMEOUT_S) -> bool:
    """Start the launcher for ``preload`` in the background if it is not running; with
    ``wait``, block until it is ready. Returns whether it is ready."""
    la = _get(preload)
    return la.ready.wait(timeout) if wait else la.ready.is_set()


def spawn(preload: str, target: str, args: list[str], argv: list[str]) -> Worker:
    """A worker running ``target(*args)``, forked by the warm launcher for ``preload``
    (started now if needed), or started as ``argv`` if that launcher is gone."""
    return _get(preload).request(target, [str(a) for a in args], argv)


# ---- the launcher process ------------------------------------------------------------------
def _call(ref: str, *args: str) -> Any:
    mod, _, name = ref.partition(":")
    return getattr(importlib.import_module(mod), name)(*args)


def _child(req: dict[str, Any], started: int) -> None:
    code = 1
    try:
        os.setsid()                                # before the launcher reports the pid
        os.write(started, b"1")
        os.close(started)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        null = os.open(os.devnull, os.O_RDWR)
        os.dup2(null, 0)
        os.dup2(null, 1)
        os.dup2(_log_fd(), 2)
        _call(str(req["target"]), *map(str, req.get("args", [])))
        code = 0
    except BaseException:                          # noqa: BLE001 - into the log, then out
        import traceback
        traceback.print_exc()
        sys.stderr.flush()
    finally:
        os._exit(code)


def serve(preload: str, idle_s: float = IDLE_S) -> int:
    """The launcher's loop: run ``preload`` once, then fork a worker per request line."""
    _call(preload)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)    # the kernel reaps finished workers
    out = sys.stdout.buffer
    out.write(b"ready\n")
    out.flush()
    fd, buf = sys.stdin.fileno(), b""
    while True:
        while b"\n" not in buf:
            if not select.select([fd], [], [], idle_s)[0]:
                return 0                           # idle: give the memory back
            chunk = os.read(fd, 65536)
            if not chunk:
                return 0                           # the parent is gone
            buf += chunk
        line, buf = buf.split(b"\n", 1)
        try:
            req = json.loads(line)
            r, w = os.pipe()
            pid = os.fork()
        except (ValueError, OSError):
            out.write(b"-\n")                      # the parent starts this one plainly
            out.flush()
            continue
        if pid == 0:
            os.close(r)
            _child(req, w)
        os.close(w)
        os.read(r, 1)                              # its own session exists now
        os.close(r)
        out.write(f"{pid}\n".encode())
        out.flush()


if __name__ == "__main__":
    sys.exit(serve(sys.argv[1]))
