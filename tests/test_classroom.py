"""The class topology (serve/classroom.py): replicas behind HAProxy with cookie affinity,
health checks, a replica that dies is restarted, a stop (API or SIGTERM to the command) leaves
no process behind; the Dockerfile and compose.yaml run the same launcher."""
from __future__ import annotations

import asyncio
import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

from serve import classroom, haproxy
from serve.local import ROOT, free_port
from serve.procs import alive, descendants, terminate
from sim.loop import run as client_run

LAUNCHER = ["python", "-m", "serve.classroom"]


def need_haproxy() -> None:
    if haproxy.executable() is None:
        if os.environ.get("CI"):
            pytest.fail("HAProxy is not installed (bash scripts/setup.sh test installs it)")
        pytest.skip("HAProxy is not installed")


# ---- a minimal Streamlit client: enough to own a session and upload into it ---------------

def get(url: str, cookies: dict | None = None) -> tuple[int, dict]:
    """GET ``url`` with ``cookies``; (status, cookies afterwards, the ones set added)."""
    req = urllib.request.Request(url)
    if cookies:
        req.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in cookies.items()))
    with urllib.request.urlopen(req, timeout=10) as r:
        out = dict(cookies or {})
        for c in r.headers.get_all("Set-Cookie") or []:
            k, v = c.split(";")[0].split("=", 1)
            out[k] = v
        return r.status, out


async def open_session(base: str, cookies: dict):
    """A websocket session (through the proxy with ``cookies``): (websocket, session id)."""
    import websockets
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    ws = await websockets.connect(
        f"ws://{base.split('://')[1]}/_stcore/stream", origin=base, max_size=None,
        subprotocols=["streamlit", cookies["_streamlit_xsrf"]],
        additional_headers={"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())})
    msg = BackMsg()
    msg.rerun_script.query_string = ""
    await ws.send(msg.SerializeToString())
    while True:  # the session's id comes in new_session, when its first run starts
        fwd = ForwardMsg()
        fwd.ParseFromString(await asyncio.wait_for(ws.recv(), 120))
        if fwd.WhichOneof("type") == "new_session":
            return ws, fwd.new_session.initialize.session_id


def upload(base: str, cookies: dict, session_id: str) -> int:
    """PUT a small file into ``session_id`` as the browser's uploader does; the HTTP status."""
    b = uuid.uuid4().hex
    body = (f'--{b}\r\nContent-Disposition: form-data; name="file"; filename="e.txt"\r\n'
            f"Content-Type: text/plain\r\n\r\n0 1\r\n--{b}--\r\n").encode()
    req = urllib.request.Request(f"{base}/_stcore/upload_file/{session_id}/{uuid.uuid4().hex}",
                                 data=body, method="PUT")
    req.add_header("Content-Type", f"multipart/form-data; boundary={b}")
    req.add_header("X-Xsrftoken", cookies["_streamlit_xsrf"])
    req.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in cookies.items()))
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


# ---- fast: configuration, environment, files ---------------------------------------------

def test_haproxy_config_is_valid_and_sticky(tmp_path):
    need_haproxy()
    text = haproxy.config([("r0", 18601), ("r1", 18602)], 18600, stats_port=18609)
    path = tmp_path / "h.cfg"
    path.write_text(text)
    assert "valid" in haproxy.check(path)
    assert "cookie archlab_replica insert indirect nocache" in text
    assert "server r1 127.0.0.1:18602 cookie r1 check" in text
    assert "option httpchk GET /_stcore/health" in text and "timeout tunnel 1h" in text
    path.write_text(text.replace("balance leastconn", "balance nonsense"))
    with pytest.raises(RuntimeError, match="refuses"):
        haproxy.check(path)


def test_replica_env(monkeypatch):
    monkeypatch.delenv("MALLOC_ARENA_MAX", raising=False)
    e = classroom.replica_env("r1", True, "s3cret", "postgresql+psycopg://u@h/db", {"X": "1"})
    assert (e["ARCHLAB_REPLICA"], e["ARCHLAB_CLASS"], e["ARCHLAB_SECRET"]) == ("r1", "1", "s3cret")
    assert e["ARCHLAB_DB_URL"] == "postgresql+psycopg://u@h/db" and e["X"] == "1"
    assert e["MALLOC_ARENA_MAX"] == "2"
    off = classroom.replica_env("r0", False, "s", None, {"ARCHLAB_CLASS": "1"})
    assert off["ARCHLAB_CLASS"] == "0"
    assert classroom.upload_mb({"ARCHLAB_CLASS_UPLOAD_MB": "3"}) == 3
    assert classroom.upload_mb({}) > 0


def test_class_secret_outlives_a_restart(monkeypatch, tmp_path):
    """Without ARCHLAB_SECRET every start gives the replicas the data directory's secret, so
    a lesson link made before a restart still opens after it."""
    monkeypatch.delenv("ARCHLAB_SECRET", raising=False)
    monkeypatch.setenv("ARCHLAB_DATA", str(tmp_path))
    first = classroom.class_secret()
    assert first == classroom.class_secret() and len(first) >= 32
    assert (tmp_path / "secret").exists()
    monkeypatch.setenv("ARCHLAB_SECRET", "from-the-teacher")
    assert classroom.class_secret() == "from-the-teacher"


def test_replica_imports_every_page_module():
    from serve.replica import page_modules
    mods = page_modules()
    for fam in ("autoencoder", "transformer", "gan", "rl", "gnn", "rnn"):
        assert f"core.{fam}.trainer" in mods
    assert "ui" in mods and "streamlit" in mods


def test_terminate_ends_a_detached_grandchild():
    """A child that started its own detached child (as a sweep worker is): both end."""
    # both wait for a signal, as a server does, until they are ended
    code = ("import signal, subprocess, sys; subprocess.Popen([sys.executable, '-c', "
            "'import signal; signal.pause()'], start_new_session=True); print('ok', flush=True); "
            "signal.pause()")
    p = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True,
                         start_new_session=True)
    assert p.stdout.readline().strip() == "ok"
    tree = {p.pid} | descendants(p.pid)
    assert len(tree) == 2
    terminate([p], tree, timeout=5)
    assert not any(alive(pid) for pid in tree)


def _dockerfile_cmd() -> list[str]:
    lines = [ln for ln in (ROOT / "Dockerfile").read_text().splitlines() if ln.startswith("CMD")]
    assert len(lines) == 1
    return json.loads(lines[0][3:])


def test_dockerfile_and_compose_run_the_launcher():
    """Both container files run ``python -m serve.classroom`` on 8501 (they cannot be built
    here: no container engine or registry), with HAProxy installed and a PostgreSQL run store."""
    yaml = pytest.importorskip("yaml")
    docker = (ROOT / "Dockerfile").read_text()
    assert docker.splitlines()[0].startswith("#") and "FROM python:3.11-slim" in docker
    assert "apt-get install" in docker and "haproxy" in docker
    assert "pip install --no-cache-dir -r requirements.txt" in docker
    cmd = _dockerfile_cmd()
    assert cmd[:3] == LAUNCHER and cmd[cmd.index("--port") + 1] == "8501"
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    app = compose["services"]["app"]
    command = app["command"] if isinstance(app["command"], list) else shlex.split(app["command"])
    assert command == cmd
    assert app["environment"]["ARCHLAB_DB_URL"].startswith("postgresql+psycopg://")
    assert "@db:" in app["environment"]["ARCHLAB_DB_URL"] and "db" in compose["services"]
    assert "ARCHLAB_SECRET" in app["environment"]
    # the arguments are the launcher's own
    args = classroom.parser().parse_args(cmd[3:])
    assert args.port == 8501 and args.class_mode


def test_help():
    r = subprocess.run([sys.executable, "-m", "serve.classroom", "--help"], cwd=ROOT,
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and "--replicas" in r.stdout and "--postgres" in r.stdout


# ---- slow: the real topology -------------------------------------------------------------

@pytest.fixture(scope="module")
def topo(tmp_path_factory):
    need_haproxy()
    t = classroom.start(replicas=2, env={"ARCHLAB_DATA": str(tmp_path_factory.mktemp("data"))})
    yield t
    t.stop()


@pytest.mark.slow
def test_health_and_affinity_cookie(topo):
    status, cookies = get(f"{topo.url}/_stcore/health")
    assert status == 200 and cookies["archlab_replica"] in ("r0", "r1")
    assert classroom.proxy_up(topo) == ["r0", "r1"]
    assert get(f"{topo.url}{haproxy.HEALTH_PATH}")[0] == 200
    # a browser that holds the cookie keeps it: the proxy sets no other
    status, again = get(f"{topo.url}/_stcore/health", {"archlab_replica": "r1"})
    assert again["archlab_replica"] == "r1"


@pytest.mark.slow
def test_uploads_reach_the_sessions_replica(topo):
    """An upload lands in the replica holding the session's websocket: with the session's
    cookie it is accepted (204); sent to the other replica it is refused (400, Streamlit
    knows no such session there)."""
    async def run() -> list[tuple[int, int]]:
        out = []
        for name, other in (("r0", "r1"), ("r1", "r0")):
            _, cookies = get(f"{topo.url}/_stcore/health", {"archlab_replica": name})
            ws, sid = await open_session(topo.url, cookies)
            try:
                out.append((upload(topo.url, cookies, sid),
                            upload(topo.url, dict(cookies, archlab_replica=other), sid)))
            finally:
                await ws.close()
        return out
    assert client_run(run()) == [(204, 400), (204, 400)]


@pytest.mark.slow
def test_dead_replica_is_restarted_and_stop_leaves_nothing(monkeypatch, tmp_path):
    """With a PostgreSQL run store the launcher started (and so stops)."""
    need_haproxy()
    pg = next(iter(sorted(Path("/usr/lib/postgresql").glob("*/bin"))), None)
    if pg is None and not os.environ.get("CI"):
        pytest.skip("PostgreSQL is not installed (scripts/postgres.sh installs it)")
    pg_dir = tempfile.mkdtemp(prefix="archlab-cls-pg-")  # under /tmp: the postgres user reads it
    monkeypatch.setenv("ARCHLAB_PG_DIR", pg_dir)
    try:
        _restart_and_stop(pg_dir, tmp_path)
    finally:
        shutil.rmtree(pg_dir, ignore_errors=True)


def _restart_and_stop(pg_dir: str, tmp_path: Path) -> None:
    t = classroom.start(replicas=2, postgres=True, pg_port=free_port(),
                        env={"ARCHLAB_DATA": str(tmp_path)})
    try:
        assert t.db_url.startswith("postgresql+psycopg://") and t.pg_dir == pg_dir
        assert all(e["ARCHLAB_DB_URL"] == t.db_url for e in t.env.values())
        started = t.pids()
        assert len(classroom.postgres_pids(t.pg_dir)) >= 1
        assert {r.pid for r in t.replicas} | {t.proxy.pid} <= started
        r1 = t.replicas[1]
        old = r1.pid
        os.kill(old, signal.SIGKILL)
        classroom.until(lambda: r1.restarts == 1, 30, "r1 restarted")
        assert r1.pid != old and not alive(old)
        classroom.wait_proxy(t, 180)  # back in the proxy
        assert get(f"{t.url}/_stcore/health", {"archlab_replica": "r1"})[0] == 200
        started |= t.pids()
    finally:
        t.stop()
    assert [p for p in started if alive(p)] == []
    t.stop()  # idempotent


@pytest.mark.slow
def test_cli_sigterm_exits_0_and_leaves_nothing(tmp_path):
    need_haproxy()
    port = free_port()
    env = dict(os.environ, ARCHLAB_DATA=str(tmp_path))
    cli = subprocess.Popen([sys.executable, "-m", "serve.classroom", "--replicas", "2",
                            "--port", str(port), "--host", "127.0.0.1",
                            "--log-dir", str(tmp_path / "logs")], cwd=ROOT, env=env,
                           stderr=subprocess.PIPE, text=True)
    try:
        lines = []
        for line in cli.stderr:  # until the launcher says it is up (or exits)
            lines.append(line)
            if "replicas up" in line:
                break
        assert "replicas up" in "".join(lines), "".join(lines)
        started = descendants(cli.pid)
        assert len(started) >= 3  # two replicas and the proxy
        assert get(f"http://127.0.0.1:{port}/_stcore/health")[0] == 200
        cli.send_signal(signal.SIGTERM)
        assert cli.wait(timeout=60) == 0
        assert (tmp_path / "logs" / "r1.log").stat().st_size > 0  # the teacher's log is kept
    finally:
        if cli.poll() is None:
            cli.kill()
    assert [p for p in started if alive(p)] == []


def test_reaper_gives_memory_back_however_the_sessions_went():
    """The replica's reaper collects and trims once sessions are gone: when it expired them
    itself, and when Streamlit dropped them on its own (another tab's session was stored), which
    left a replica 140 MB heavier after a class when only the first case trimmed."""
    from serve.replica import reap_once
    trims = []
    held = {"a", "b", "c"}

    def rnd(seen, expired=()):
        return reap_once(lambda: list(expired), lambda: set(held), seen,
                         lambda: trims.append(1))

    seen = rnd(set())
    assert seen == {"a", "b", "c"} and trims == []      # sessions came: nothing to give back
    held.add("d")
    seen = rnd(seen)
    assert trims == []                                  # another came
    held.difference_update({"a", "b"})                  # Streamlit dropped two itself
    seen = rnd(seen)
    assert trims == [1] and seen == {"c", "d"}
    seen = rnd(seen)
    assert trims == [1]                                 # nothing changed: no second trim
    held.discard("c")
    seen = rnd(seen, expired=["c"])                     # the reaper expired one itself
    assert trims == [1, 1] and seen == {"d"}


def test_the_reaper_still_finds_what_it_reads_in_this_streamlit():
    """serve/replica.py's reaper reads the runtime's private session storage (no public API
    for it): fail loudly here if an upgrade renames what it reads, instead of a replica that
    says "not reaping closed sessions" in its log and keeps the memory of a class that left."""
    from streamlit.runtime import Runtime
    from streamlit.runtime.runtime import RuntimeConfig
    assert callable(Runtime.exists) and callable(Runtime.instance)
    assert "_session_mgr" in Runtime.__init__.__code__.co_names
    fields = RuntimeConfig.__dataclass_fields__
    mgr = fields["session_manager_class"].default(
        session_storage=fields["session_storage"].default_factory(), uploaded_file_manager=None,
        script_cache=None, message_enqueued_callback=None)
    lock, cache = mgr._storage_lock, mgr._session_storage._cache  # what reap_sessions reads
    with lock:
        assert cache.expire() == []
        assert mgr.list_sessions() == []
