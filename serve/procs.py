"""Processes and their descendants on Linux, read from /proc: what a stop must end."""
from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path


def descendants(pid: int) -> set[int]:
    """Processes below ``pid`` (children, their children, ...), from /proc."""
    kids: dict[int, list[int]] = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                stat = Path(f"/proc/{d}/stat").read_text()
            except OSError:
                continue
            kids.setdefault(int(stat.rsplit(")", 1)[1].split()[1]), []).append(int(d))
    out, todo = set(), [pid]
    while todo:
        for k in kids.get(todo.pop(), []):
            if k not in out:
                out.add(k)
                todo.append(k)
    return out


def alive(pid: int) -> bool:
    """Running (a zombie, dead but not yet reaped, counts as gone)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def terminate(procs: list[subprocess.Popen], pids: set[int], timeout: float) -> None:
    """SIGTERM ``procs`` and the ``pids`` below them, wait, SIGKILL what is left."""
    group = {p.pid for p in procs} | {d for p in procs for d in pids & descendants(p.pid)}
    for pid in group:
        _signal(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    for p in procs:
        try:
            p.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            pass
    while any(alive(p) for p in group) and time.monotonic() < deadline:
        time.sleep(0.05)
    for pid in group:
        if alive(pid):
            _signal(pid, signal.SIGKILL)
    for p in procs:
        p.wait()


def _signal(pid: int, sig: int) -> None:
    try:
        os.kill(pid, sig)
    except (ProcessLookupError, PermissionError):
        pass
