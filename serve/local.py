"""Start ``streamlit run app.py`` on a free loopback port and wait until it is healthy.

Used by the browser tests, the benchmarks and the class launcher alike, so there is one way a
server is started. Also the chromium flags every headless browser here needs (without the
background-networking ones chromium keeps trying hosts this closed network refuses).
"""
from __future__ import annotations

import os
import random
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import IO, Sequence

ROOT = Path(__file__).resolve().parents[1]

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-dev-shm-usage"]


#: ports handed out by this process (never twice: two servers started in a row asked for one
#: each before either had bound it)
_GIVEN: set[int] = set()


def _ephemeral() -> tuple[int, int]:
    """The kernel's range for the local ports of outgoing connections."""
    try:
        lo, hi = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()
        return int(lo), int(hi)
    except (OSError, ValueError):
        return 32768, 60999


def free_port() -> int:
    """A loopback port nobody listens on, below the range the kernel takes outgoing
    connections' ports from. A port from ``bind(0)`` is in that range: between this call and
    the server binding it (HAProxy binds only once its replicas answer, seconds later) a
    health check's or a browser's connection could take it ("Address already in use")."""
    lo = max(1024, min(_ephemeral()[0], 65536) - 12_000)
    hi = min(_ephemeral()[0], 65536) - 1
    rng = random.Random()
    for _ in range(200):
        port = rng.randint(lo, hi)
        if port in _GIVEN:
            continue
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
        _GIVEN.add(port)
        return port
    with socket.socket() as s:   # nothing free down there: let the kernel choose
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(url: str, proc: subprocess.Popen | None = None, timeout: float = 60.0) -> None:
    """Poll ``url``/_stcore/health until it answers 200; raises if the process exits first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            err = log_tail(proc)
            raise RuntimeError(f"streamlit exited with {proc.returncode}: {err}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        if proc is not None:
            try:  # wait a little for the process to exit (an error) before polling again
                proc.wait(timeout=0.05)
            except subprocess.TimeoutExpired:
                pass
        else:
            time.sleep(0.05)
    raise RuntimeError(f"{url} did not become healthy within {timeout:.0f} s")


def start_app(port: int | None = None, *, extra: Sequence[str] = (), env: dict | None = None,
              timeout: float = 60.0, wait: bool = True, script: Path | None = None,
              runner: Sequence[str] = ("-m", "streamlit", "run"), log: IO | None = None,
              new_session: bool = False) -> tuple[subprocess.Popen, str]:
    """``streamlit run app.py`` (or ``script``) on ``port`` (a free one by default);
    returns (process, url). Its log goes to ``log`` (a binary file) or a temporary file (a
    pipe nobody reads would fill up and stall the server); :func:`log_tail` reads it.
    ``runner``: what follows ``python`` before the script (``("-m", "serve.replica")`` for a
    class replica); ``new_session``: the server in its own session and process group."""
    port = port or free_port()
    log = log if log is not None else tempfile.TemporaryFile()
    proc = subprocess.Popen(
        [sys.executable, *runner, str(script or ROOT / "app.py"),
         "--server.headless", "true", "--server.address", "127.0.0.1",
         "--server.port", str(port), *extra],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=new_session)
    proc.log_file = log  # type: ignore[attr-defined]
    url = f"http://127.0.0.1:{port}"
    if wait:
        try:
            wait_healthy(url, proc, timeout)
        except RuntimeError:
            proc.kill()
            raise
    return proc, url


def log_tail(proc: subprocess.Popen, n: int = 4000) -> str:
    """The last ``n`` characters the server logged."""
    f = getattr(proc, "log_file", None)
    if f is None:
        return ""
    f.flush()
    # pread: the server shares this file's offset; a seek here would move where it writes
    size = os.fstat(f.fileno()).st_size
    start = max(0, size - 4 * n)
    return os.pread(f.fileno(), size - start, start).decode(errors="replace")[-n:]


def stop(proc: subprocess.Popen, timeout: float = 10.0) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
