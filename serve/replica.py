"""One replica of a class: import what the pages need, then serve ``app.py`` in this process.

``python -m serve.replica app.py --server.port 8601 ...`` takes the arguments of
``streamlit run``. A plain ``streamlit run`` imports torch, the families and the ``ui`` layers
only when the first session opens a page, so the first students of a class wait for those
imports (several seconds on a loaded 2-core machine) and the server's memory before anyone
connects says nothing about what a session costs. Here they are imported first (:func:`warm`),
then Streamlit's own command line runs in the same process, so the modules are already in
``sys.modules`` when the pages import them.

The replica also stops itself when the launcher that started it disappears
(:func:`follow_parent`): a killed launcher leaves no server behind; and it gives the memory of
closed tabs back (:func:`reap_sessions`).
"""
from __future__ import annotations

import ast
import ctypes
import ctypes.util
import gc
import importlib
import os
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[1]


def page_modules(root: Path = ROOT) -> list[str]:
    """The modules ``app.py`` and ``pages/*.py`` import at their top level, in file order,
    each once (``from core.rl import a2c`` gives ``core.rl`` and ``core.rl.a2c``)."""
    names: list[str] = []
    for path in [root / "app.py", *sorted((root / "pages").glob("*.py"))]:
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.Import):
                names += [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names.append(node.module)
                names += [f"{node.module}.{a.name}" for a in node.names]
    return list(dict.fromkeys(names))


#: imported lazily by the first session (its run store, figures, environments): worth having
EXTRA = ("plotly.graph_objects", "sqlalchemy.dialects.sqlite", "PIL.Image", "ui.sweep")


def warm(root: Path = ROOT) -> list[str]:
    """Import every page's modules (a name that is a class or function, not a submodule, is
    skipped) and build one optimiser, which imports ``torch._dynamo`` (see
    ``core.process.warm_torch``). Returns the modules imported."""
    done = []
    for name in [*page_modules(root), *EXTRA]:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as e:
            if e.name != name:  # a module that is there but fails: the page will say so
                print(f"replica: importing {name} failed: {e}", file=sys.stderr)
            continue  # else `from ui import Page`: Page is no module
        except Exception as e:  # noqa: BLE001 - the page shows its own error when opened
            print(f"replica: importing {name} failed: {e!r}", file=sys.stderr)
            continue
        done.append(name)
    from core import process
    process.setup()
    process.warm_torch()
    return done


def follow_parent(interval_s: float = 1.0) -> None:
    """Send this process SIGTERM (Streamlit's clean stop) once its parent process is gone."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(interval_s)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="archlab-follow-parent", daemon=True).start()


#: seconds between two rounds of :func:`reap_sessions` (a round without a closed session costs
#: microseconds; a measurement of returned memory waits one round plus the trim)
REAP_INTERVAL_S = 5.0


def reap_sessions(interval_s: float = REAP_INTERVAL_S) -> None:
    """Every ``interval_s``: drop the closed tabs' sessions older than
    ``server.disconnectedSessionTTL``, and once any session is gone, return the freed memory
    to the system (:func:`reap_once`).

    Streamlit keeps a closed tab's session (its models, timeline, widgets) for reconnection,
    in a TTL cache that removes expired entries only when another session is stored. So the
    last students to leave stay in memory until someone else comes and goes: six closed
    sessions on one replica were all still held 70 s after their 20 s TTL. With this thread,
    a replica that served six playing sessions (415 MB before, 542 MB while they played) is
    back at 495 MB after they closed, and at 495 MB again after a second round: what stays
    is the first use of each page (caches, lazily built data), not the sessions. Uses the
    runtime's private session storage (Streamlit is pinned); if that changes, it says so and
    stops.
    """
    name = ctypes.util.find_library("c")
    libc = ctypes.CDLL(name) if name else None

    def trim() -> None:
        t0 = time.perf_counter()
        gc.collect()  # a session's objects hold cycles (a trainer and its pending update)
        if libc is not None and hasattr(libc, "malloc_trim"):
            libc.malloc_trim(0)  # glibc keeps freed heap pages unless asked
        print(f"replica {os.environ.get('ARCHLAB_REPLICA', '?')}: sessions closed, memory "
              f"returned in {(time.perf_counter() - t0) * 1000:.0f} ms", flush=True)

    def loop() -> None:
        from streamlit.runtime import Runtime
        while not Runtime.exists():
            time.sleep(interval_s)
        try:
            mgr = Runtime.instance()._session_mgr
            lock, cache = mgr._storage_lock, mgr._session_storage._cache
            cache.expire  # noqa: B018 - present in the pinned Streamlit
            mgr.list_sessions  # noqa: B018
        except AttributeError as e:
            print(f"replica: not reaping closed sessions ({e})", file=sys.stderr, flush=True)
            return

        def expire() -> list:
            with lock:
                return cache.expire()

        def held() -> set[str]:
            with lock:  # the storage is a cache that other threads change
                return {info.session.id for info in mgr.list_sessions()}

        seen: set[str] = set()
        while True:
            time.sleep(interval_s)
            try:
                seen = reap_once(expire, held, seen, trim)
            except RuntimeError as e:  # a dict changed under us: try again next round
                print(f"replica: reaping skipped a round ({e})", file=sys.stderr, flush=True)

    threading.Thread(target=loop, name="archlab-reap-sessions", daemon=True).start()


def reap_once(expire: Callable[[], list], held: Callable[[], set[str]], seen: set[str],
              trim: Callable[[], None]) -> set[str]:
    """One round of :func:`reap_sessions`: ``expire()`` drops the expired closed sessions;
    if it dropped any, or a session ``seen`` last round is no longer ``held()``, ``trim()``
    runs. Streamlit drops expired sessions itself whenever another tab's session is stored
    (a student leaving): then this round finds nothing to expire, and only the second test
    sees that memory was freed. (Without it, a replica kept 140 MB of a class that had left,
    until the garbage collector next ran on its own.) Returns the ids held now."""
    removed = expire()
    now = held()
    if removed or seen - now:
        del removed
        trim()
    return now


def switch_interval() -> float:
    """Class mode: set the interpreter's thread switch interval to the class's
    ``switch_interval_ms`` (:mod:`core.classroom`); returns the interval in force, seconds."""
    from core import classroom
    caps = classroom.settings()
    if caps.enabled:
        if 0.01 <= caps.switch_interval_ms <= 1000:
            sys.setswitchinterval(caps.switch_interval_ms / 1000)
        else:
            print(f"replica: ARCHLAB_CLASS_SWITCH_INTERVAL_MS={caps.switch_interval_ms:g} is "
                  f"outside 0.01-1000 ms; keeping {sys.getswitchinterval() * 1000:g} ms",
                  file=sys.stderr, flush=True)
    return sys.getswitchinterval()


def main(argv: list[str]) -> None:
    """``argv``: what follows ``streamlit run`` (the script, then its flags)."""
    if os.environ.get("ARCHLAB_FOLLOW_PARENT") == "1":
        follow_parent()
    t0 = time.perf_counter()
    mods = warm()
    print(f"replica {os.environ.get('ARCHLAB_REPLICA', '?')}: imported {len(mods)} modules "
          f"in {time.perf_counter() - t0:.1f} s", flush=True)
    reap_sessions()
    switch_interval()
    from streamlit.web import cli
    sys.argv = ["streamlit", "run", *argv]
    cli.main(args=["run", *argv], prog_name="streamlit")


if __name__ == "__main__":
    main(sys.argv[1:])
