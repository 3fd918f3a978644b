"""Processes of the class bench as ``/proc`` shows them: RSS and CPU of the replicas, the
chromium the bench started (and its CPU weight), a replica's session TTL. psutil is no
dependency of the app, so these read ``/proc`` directly."""
from __future__ import annotations

import asyncio
import errno
import os
import time
from pathlib import Path
from typing import Any

from bench.classroom.plan import rounded
from serve.procs import descendants

CLK_TCK = os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int, field: str = "VmRSS") -> float | None:
    """Resident set size of ``pid`` in MB (``field`` of ``/proc/PID/status``: VmRSS, or its
    parts RssAnon, the heap, and RssFile, mapped files such as torch's libraries), None when
    it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def rss_parts(replicas: list[Any]) -> dict[str, dict[str, float | None]]:
    """Each replica's RSS split into heap (anon) and mapped files (file), MB."""
    return {r.name: {k: rounded(rss_mb(r.pid, f), 1)
                     for k, f in (("anon", "RssAnon"), ("file", "RssFile"))}
            for r in replicas}


def cpu_s(pid: int) -> float | None:
    """User + system CPU seconds ``pid`` has used (``/proc/PID/stat`` utime, stime)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()  # fields from the 3rd on (after the name)
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def chromium_pids(name: str = "chrom") -> list[int]:
    """The processes this bench started whose name holds ``name`` (chromium's)."""
    out = []
    for p in sorted(descendants(os.getpid())):
        try:
            if name in Path(f"/proc/{p}/comm").read_text():
                out.append(p)
        except OSError:
            continue
    return out


def chromium_cpu_s() -> float:
    """CPU seconds used so far by the chromium processes this bench started."""
    return sum(cpu_s(p) or 0.0 for p in chromium_pids())


def yield_cpu(nice: int, name: str = "chrom") -> str:
    """Lower the CPU weight of the chromium this bench started (processes whose name holds
    ``name``), against the servers.

    With ``kernel.sched_autogroup_enabled`` and outside a CPU cgroup (as on these machines),
    Linux shares the CPU between scheduling groups, one per session, before it shares it
    between the threads inside one: only a group's own niceness (``/proc/PID/autogroup``)
    moves what a group gets; a thread's niceness does not. Playwright starts chromium in a
    session of its own, so its group is only chromium. Returns what the group file says
    afterwards, or why nothing was changed."""
    leader = next((p for p in chromium_pids(name) if _leads_session(p)), None)
    if leader is None:
        return f"not changed: no {name!r} process leads a session"
    try:
        cpu = [parts[2] for parts in (ln.split(":", 2) for ln in
                                      Path(f"/proc/{leader}/cgroup").read_text().splitlines())
               if len(parts) == 3 and parts[1] in ("cpu", "cpu,cpuacct", "")]
    except OSError:
        cpu = []
    if any(c.strip() != "/" for c in cpu):
        return f"not changed: in CPU cgroup {cpu}, where autogroups do not count"
    group = Path(f"/proc/{leader}/autogroup")
    why = ""
    for _ in range(3):  # without CAP_SYS_ADMIN a write may be refused (EAGAIN) for 100 ms
        try:
            group.write_text(str(nice))
            return group.read_text().strip()
        except OSError as e:
            why = f"{type(e).__name__}: {e}"
            if e.errno != errno.EAGAIN:
                break
            time.sleep(0.15)
    return f"not changed: {why}"


def _leads_session(pid: int) -> bool:
    try:
        return os.getsid(pid) == pid
    except OSError:
        return False


def session_ttl(pid: int, default: float = 120.0) -> float:
    """The replica's ``--server.disconnectedSessionTTL`` (Streamlit's default: 120 s)."""
    try:
        args = Path(f"/proc/{pid}/cmdline").read_bytes().decode().split("\0")
    except OSError:
        return default
    for i, a in enumerate(args):
        if a == "--server.disconnectedSessionTTL" and i + 1 < len(args):
            return float(args[i + 1])
        if a.startswith("--server.disconnectedSessionTTL="):
            return float(a.split("=", 1)[1])
    return default


class Sampler:
    """RSS and CPU of every replica, sampled every ``every`` seconds while running."""

    def __init__(self, replicas: list[Any], every: float = 5.0) -> None:
        self.replicas = replicas
        self.every = every
        self.samples: list[tuple[float, str, float | None, float | None]] = []
        self._task: asyncio.Task | None = None

    def sample(self) -> None:
        now = time.monotonic()
        for r in self.replicas:
            self.samples.append((now, r.name, rss_mb(r.pid), cpu_s(r.pid)))

    async def _loop(self) -> None:
        while True:
            self.sample()
            await asyncio.sleep(self.every)

    def start(self) -> None:
        self._task = asyncio.create_task(self._loop())

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
        self.sample()

    def summary(self, t0: float, t1: float) -> list[dict[str, Any]]:
        """Per replica over [t0, t1]: RSS at the start, peak and end (MB), CPU %."""
        out = []
        for r in self.replicas:
            s = [x for x in self.samples if x[1] == r.name and t0 - self.every <= x[0] <= t1
                 + self.every and x[2] is not None and x[3] is not None]
            if len(s) < 2:
                out.append({"name": r.name})
                continue
            out.append({"name": r.name, "rss_mb_start": round(s[0][2], 1),
                        "rss_mb_peak": round(max(x[2] for x in s), 1),
                        "rss_mb_end": round(s[-1][2], 1),
                        "cpu_pct": round(100 * (s[-1][3] - s[0][3]) / (s[-1][0] - s[0][0]), 1)})
        return out
