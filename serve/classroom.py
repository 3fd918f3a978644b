"""A class on one machine: N Streamlit replicas behind HAProxy, started and stopped as one.

One Streamlit process is one interpreter lock, so a class gets about one replica per core
(DESIGN 7a). Each replica is ``python -m serve.replica`` (the pages' modules imported before
it serves) on a loopback port, with the class's environment: ``ARCHLAB_REPLICA=rK``,
``ARCHLAB_CLASS=1``, one ``ARCHLAB_SECRET`` for all and ``ARCHLAB_DB_URL`` when runs are
shared. HAProxy (:mod:`serve.haproxy`) listens on the class's port and keeps each browser on
one replica by a cookie. A watcher thread restarts a replica or the proxy that died. The
Dockerfile and compose.yaml run this same module.

    python -m serve.classroom [--replicas N] [--port 8501] [--db URL | --postgres]
                              [--no-class-mode] [--host 0.0.0.0]

runs until SIGINT or SIGTERM, then stops everything it started.
"""
from __future__ import annotations

import argparse
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from serve import haproxy
from serve.procs import alive, descendants, terminate
from serve.local import ROOT, free_port, start_app, wait_healthy

#: upload limit (MB) when core.classroom is not there to say
UPLOAD_MB = 5
#: seconds a closed tab's session is kept (Streamlit's default 120): memory comes back sooner
SESSION_TTL_S = 30
PG_PORT = 55432


def cores() -> int:
    """The cores this process may run on (a container's cpuset, not the host's count)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def log(msg: str) -> None:
    print(f"classroom: {msg}", file=sys.stderr, flush=True)


def upload_mb(env: dict) -> int:
    """The upload limit of a replica with environment ``env``: its ``ARCHLAB_CLASS_UPLOAD_MB``,
    else ``core.classroom.settings().upload_mb`` (the class-mode caps), else :data:`UPLOAD_MB`."""
    if env.get("ARCHLAB_CLASS_UPLOAD_MB"):
        return int(env["ARCHLAB_CLASS_UPLOAD_MB"])
    try:
        from core.classroom import settings
        return int(settings().upload_mb)
    except (ImportError, AttributeError):
        return UPLOAD_MB


@dataclass
class Replica:
    name: str
    port: int
    proc: subprocess.Popen
    log_path: Path
    restarts: int = 0
    started: float = field(default_factory=time.monotonic)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        return self.proc.pid


@dataclass
class Topology:
    """What :func:`start` started. ``url`` is the proxy's; ``stop()`` ends everything."""
    url: str
    replicas: list[Replica]
    workdir: Path  # the proxy's configuration and every log
    stats_port: int  # the proxy's statistics page, on loopback
    env: dict  # replica name -> its environment
    extra: list[str]  # streamlit flags of every replica
    db_url: str | None = None
    pg_dir: str | None = None  # set when this launcher started PostgreSQL
    proxy: subprocess.Popen | None = None
    keep_logs: bool = False
    warm: bool = True  # replicas import the pages' modules before serving
    _stopping: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def pids(self) -> set[int]:
        """Every live process this topology started: replicas, their children (sweep
        workers), the proxy, PostgreSQL if it started it."""
        roots = [r.pid for r in self.replicas] + ([self.proxy.pid] if self.proxy else [])
        found = set(roots) | {p for r in roots for p in descendants(r)}
        if self.pg_dir:
            found |= set(postgres_pids(self.pg_dir))
        return {p for p in found if alive(p)}

    def restart(self, r: Replica) -> None:
        """Start replica ``r`` again on its port (the proxy's health check brings it back)."""
        r.proc = _spawn(r.port, r.log_path, self.env[r.name], self.extra, self.warm)
        r.restarts += 1
        r.started = time.monotonic()

    def watch(self, interval_s: float = 1.0) -> None:
        """Until :meth:`stop`: restart a replica or the proxy that exited."""
        while not self._stopping.wait(interval_s):
            with self._lock:
                if self._stopping.is_set():
                    return
                for r in self.replicas:
                    if r.proc.poll() is not None and time.monotonic() - r.started > 5:
                        log(f"replica {r.name} exited with code {r.proc.returncode}; restarting "
                            f"it (log: {r.log_path})")
                        self.restart(r)
                if self.proxy is not None and self.proxy.poll() is not None:
                    log(f"proxy exited with code {self.proxy.returncode}; restarting it")
                    self.proxy = self.start_proxy()

    def start_proxy(self) -> subprocess.Popen:
        with open(self.workdir / "haproxy.log", "ab") as f:  # the child keeps its own copy
            return haproxy.start(self.workdir / "haproxy.cfg", f)

    def stop(self, timeout: float = 15.0) -> None:
        """SIGTERM to every process started (proxy first), SIGKILL to what is left after
        ``timeout`` s, then PostgreSQL if this launcher started it. Idempotent."""
        with self._lock:
            if self._stopping.is_set():
                return
            self._stopping.set()
            pids = self.pids() - set(postgres_pids(self.pg_dir) if self.pg_dir else [])
            terminate([self.proxy] if self.proxy else [], pids, timeout)
            terminate([r.proc for r in self.replicas], pids, timeout)
            if self.pg_dir:
                subprocess.run(["bash", str(ROOT / "scripts" / "postgres.sh"), "stop"],
                               env=dict(os.environ, ARCHLAB_PG_DIR=self.pg_dir),
                               capture_output=True)
            if not self.keep_logs:
                shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self) -> Topology:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def postgres_pids(pg_dir: str) -> list[int]:
    """The postmaster of ``pg_dir`` and its backends."""
    try:
        pid = int(Path(pg_dir, "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return []
    return [pid, *descendants(pid)] if alive(pid) else []


def start_postgres(port: int = PG_PORT) -> tuple[str, str | None]:
    """``scripts/postgres.sh start``: (URL, its data dir if this call started the server, else
    None: a server already running is left running on exit)."""
    pg_dir = os.environ.get("ARCHLAB_PG_DIR", "/tmp/archlab-pg")
    running = bool(postgres_pids(pg_dir))
    r = subprocess.run(["bash", str(ROOT / "scripts" / "postgres.sh"), "start", str(port)],
                       capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"PostgreSQL did not start: {r.stderr.strip()}")
    return r.stdout.strip().splitlines()[-1], None if running else pg_dir


def class_secret() -> str:
    """The lesson-signing secret every replica gets: ``ARCHLAB_SECRET``, else the data
    directory's secret file (made once), so lesson links outlive a restart of the class; a
    fresh random one only when that folder cannot be written (links then last one start)."""
    from core.classroom import lesson
    try:
        return lesson.secret().decode("utf-8", "replace")
    except lesson.SecretError as e:
        print(f"[class] {e} Using a secret for this start only.", file=sys.stderr)
        return secrets.token_urlsafe(32)


def replica_env(name: str, class_mode: bool, secret: str, db_url: str | None,
                env: dict | None = None) -> dict:
    """The environment of replica ``name`` (contract 1 of the class issue)."""
    out = dict(os.environ, **(env or {}))
    out.update(ARCHLAB_REPLICA=name, ARCHLAB_CLASS="1" if class_mode else "0",
               ARCHLAB_SECRET=secret, ARCHLAB_FOLLOW_PARENT="1", PYTHONUNBUFFERED="1")
    # glibc gives each thread that allocates its own arena; with two, freed session memory
    # goes back to the system instead of staying in per-thread arenas (class-memory bench)
    out.setdefault("MALLOC_ARENA_MAX", "2")
    if db_url:
        out["ARCHLAB_DB_URL"] = db_url
    return out


def _spawn(port: int, log_path: Path, env: dict, extra: list[str],
           warm: bool = True) -> subprocess.Popen:
    """A replica: ``serve.replica`` (modules imported first) or, not ``warm``, plain
    ``streamlit run`` (which imports them on the first session)."""
    runner = ("-m", "serve.replica") if warm else ("-m", "streamlit", "run")
    with open(log_path, "ab") as f:  # the child keeps its own copy of the file
        proc, _ = start_app(port, extra=extra, env=env, wait=False, log=f, runner=runner,
                            new_session=True)
    return proc


def start(replicas: int | None = None, port: int | None = None, class_mode: bool = True,
          db_url: str | None = None, postgres: bool = False, env: dict | None = None, *,
          host: str = "127.0.0.1", timeout: float = 180.0, pg_port: int = PG_PORT,
          log_dir: Path | None = None, warm: bool = True) -> Topology:
    """Start the class: ``replicas`` servers (default one per core) behind HAProxy on ``port``
    (a free one by default) of ``host``; returns once the proxy sees every replica healthy.
    ``postgres``: start a local PostgreSQL for the run store (scripts/postgres.sh) unless
    ``db_url`` names one. ``env``: added to every replica's environment. The logs
    (``rK.log``, ``haproxy.log``) and the proxy's configuration are in ``log_dir`` (kept), by
    default in a temporary ``topo.workdir`` that ``stop()`` removes. ``warm``: each replica imports the pages' modules before it serves
    (:mod:`serve.replica`). Raises RuntimeError, with everything started so far stopped, on a failure."""
    n = replicas or cores()
    port = port or free_port()
    secret = (env or {}).get("ARCHLAB_SECRET") or class_secret()
    names = [f"r{k}" for k in range(n)]
    extra = ["--server.disconnectedSessionTTL", str(SESSION_TTL_S),
             "--server.maxUploadSize", str(upload_mb(dict(os.environ, **(env or {}))))] \
        if class_mode else []
    if log_dir is not None:
        Path(log_dir).mkdir(parents=True, exist_ok=True)
    workdir = Path(log_dir) if log_dir is not None else Path(tempfile.mkdtemp(prefix="archlab-class-"))
    topo = Topology(f"http://127.0.0.1:{port}", [], workdir, free_port(), {}, extra, db_url,
                    keep_logs=log_dir is not None, warm=warm)
    try:
        if postgres and not db_url:
            topo.db_url, topo.pg_dir = start_postgres(pg_port)
        topo.env = {nm: replica_env(nm, class_mode, secret, topo.db_url, env) for nm in names}
        ports = [free_port() for _ in names]
        cfg = topo.workdir / "haproxy.cfg"
        cfg.write_text(haproxy.config(list(zip(names, ports)), port, host=host,
                                      stats_port=topo.stats_port))
        haproxy.check(cfg)
        for nm, p in zip(names, ports):
            path = topo.workdir / f"{nm}.log"
            topo.replicas.append(Replica(nm, p, _spawn(p, path, topo.env[nm], extra, warm), path))
        for r in topo.replicas:
            wait_healthy(r.url, r.proc, timeout)
        topo.proxy = topo.start_proxy()  # after: its first checks find every replica up
        wait_proxy(topo, timeout)
    except BaseException:
        topo.stop()
        raise
    threading.Thread(target=topo.watch, name="archlab-class-watch", daemon=True).start()
    return topo


def until(cond, timeout: float, what: str, poll_s: float = 0.1) -> None:
    """Return once ``cond()`` is true; RuntimeError naming ``what`` after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    gate = threading.Event()  # never set: a wait that a signal handler does not cut short
    while not cond():
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what}: not within {timeout:.0f} s")
        gate.wait(poll_s)


def wait_proxy(topo: Topology, timeout: float) -> None:
    """Until the proxy's health checks find every replica up (its own health URL answers
    before its first check of the replicas has run)."""
    want = {r.name for r in topo.replicas}

    def ready() -> bool:
        if topo.proxy is None or topo.proxy.poll() is not None:
            raise RuntimeError(f"HAProxy exited: {(topo.workdir / 'haproxy.log').read_text()[-2000:]}")
        return want <= set(proxy_up(topo))
    until(ready, timeout, f"the proxy at {topo.url} seeing every replica up")


def proxy_up(topo: Topology) -> list[str]:
    """Names of the replicas the proxy's health checks find up (from its stats CSV)."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{topo.stats_port}/;csv", timeout=2) as r:
            rows = r.read().decode().splitlines()
    except OSError:
        return []
    # CSV columns: pxname, svname, ..., status is the 18th
    return [c[1] for c in (row.split(",") for row in rows[1:])
            if len(c) > 17 and c[0] == "replicas" and c[1] != "BACKEND" and c[17] == "UP"]


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="python -m serve.classroom",
                                 description="Serve ArchLab to a class: Streamlit replicas "
                                             "behind HAProxy, until Ctrl-C or SIGTERM.")
    ap.add_argument("--replicas", type=int, default=None,
                    help="Streamlit processes (default: one per core)")
    ap.add_argument("--port", type=int, default=8501, help="the class's port (default 8501)")
    ap.add_argument("--host", default="0.0.0.0",
                    help="address the proxy listens on (default 0.0.0.0: the whole network)")
    db = ap.add_mutually_exclusive_group()
    db.add_argument("--db", metavar="URL", help="run store shared by the replicas "
                    "(postgresql+psycopg://user@host/db); default: SQLite in ARCHLAB_DATA")
    db.add_argument("--postgres", action="store_true",
                    help="start a local PostgreSQL (scripts/postgres.sh) for the run store")
    ap.add_argument("--log-dir", type=Path, default=None,
                    help="where the replicas' and the proxy's logs go (default: a new "
                         "temporary directory, kept)")
    ap.add_argument("--no-class-mode", dest="class_mode", action="store_false",
                    help="no class-mode caps: the laptop app, replicated")
    return ap


def main(argv: list[str] | None = None) -> int:
    ap = parser()
    a = ap.parse_args(argv)
    if a.replicas is not None and a.replicas < 1:
        ap.error("--replicas must be at least 1")
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    t0 = time.perf_counter()
    try:
        topo = start(a.replicas, a.port, a.class_mode, a.db, a.postgres, host=a.host,
                     log_dir=a.log_dir or Path(tempfile.mkdtemp(prefix="archlab-class-")))
    except RuntimeError as e:
        log(str(e))
        return 1
    log(f"{len(topo.replicas)} replicas up in {time.perf_counter() - t0:.1f} s; students open "
        f"http://{'<this machine>' if a.host == '0.0.0.0' else a.host}:{a.port} "
        f"(logs in {topo.workdir}; Ctrl-C stops)")
    while not stop.wait(1.0):
        pass
    log("stopping")
    topo.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
