"""HAProxy in front of a class's replicas: its configuration and its process.

Session affinity by cookie: the first response to a browser sets ``archlab_replica=rK``
(the name of the replica that answered), and every later request of that browser (the page,
its websocket, its uploads and media) goes to that replica. Streamlit keeps a session's state,
uploads and media in the process holding its websocket, so without affinity an upload lands
on a replica that has never heard of the session (HTTP 400 "Invalid session_id").
"""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import IO, Sequence

COOKIE = "archlab_replica"
#: answers 200 while at least one replica is up, 503 when none is (HAProxy's monitor-uri)
HEALTH_PATH = "/_proxy/health"


def config(servers: Sequence[tuple[str, int]], port: int, *, host: str = "127.0.0.1",
           stats_port: int | None = None, balance: str = "leastconn") -> str:
    """The configuration for HAProxy 2.6: ``servers`` are (name, loopback port) pairs.

    ``leastconn``: a websocket stays open for the whole lesson, so a new student goes to the
    replica with the fewest open connections. A replica whose ``/_stcore/health`` fails three
    times (2 s apart, 5 s each) takes no new students; its students still reach it while it
    accepts connections (``option persist``: a replica busy training answers its health check
    late, and sending its students elsewhere would lose their sessions), and go to another
    when it does not (``option redispatch``: a new session there, as after a restart).
    """
    lines = [
        "global",
        "    maxconn 4096",
        "",
        "defaults",
        "    mode http",
        "    option persist",
        "    option redispatch",
        "    retries 2",
        "    timeout connect 5s",
        "    timeout http-request 15s",
        "    timeout client 60s",
        "    timeout server 60s",
        # once upgraded, a websocket is a tunnel: it lives as long as the lesson
        "    timeout tunnel 1h",
        "    timeout client-fin 10s",
        "    timeout check 5s",
        "",
        "frontend class",
        f"    bind {host}:{port}",
        f"    monitor-uri {HEALTH_PATH}",
        "    monitor fail if { nbsrv(replicas) lt 1 }",
        "    option forwardfor",
        "    default_backend replicas",
        "",
        "backend replicas",
        f"    balance {balance}",
        f"    cookie {COOKIE} insert indirect nocache httponly attr \"SameSite=Lax\"",
        "    option httpchk GET /_stcore/health",
        "    http-check expect status 200",
        "    default-server inter 2s fall 3 rise 1",
    ]
    lines += [f"    server {name} 127.0.0.1:{p} cookie {name} check" for name, p in servers]
    if stats_port:
        lines += ["", "listen stats", f"    bind 127.0.0.1:{stats_port}", "    stats enable",
                  "    stats uri /", "    stats refresh 5s"]
    return "\n".join(lines) + "\n"


def executable() -> str | None:
    return shutil.which("haproxy") or next(
        (p for p in ("/usr/sbin/haproxy", "/usr/local/sbin/haproxy") if Path(p).exists()), None)


def check(path: Path) -> str:
    """``haproxy -c``: raises RuntimeError with HAProxy's message if the file is not valid."""
    exe = executable()
    if exe is None:
        raise RuntimeError("HAProxy is not installed (Debian: apt-get install haproxy)")
    r = subprocess.run([exe, "-c", "-f", str(path)], capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"HAProxy refuses {path}: {r.stdout}{r.stderr}")
    return r.stdout


def start(path: Path, log: IO) -> subprocess.Popen:
    """HAProxy in the foreground (``-db``: no daemon, no master; it writes its warnings, a
    replica going down or up, to ``log``), in its own process group, so that stopping it is
    one signal to one child."""
    exe = executable()
    if exe is None:
        raise RuntimeError("HAProxy is not installed (Debian: apt-get install haproxy)")
    return subprocess.Popen([exe, "-db", "-f", str(path)], stdout=log, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL, start_new_session=True)
