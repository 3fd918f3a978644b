"""``python -m bench class``: a whole class on the class topology (proxy + replicas).

Simulated students (:class:`serve.client.Student`, the real websocket protocol without a
browser) open the architecture pages through the proxy, press Play and keep their sessions;
a few real chromium sessions play beside them as a cross-check, their scheduling group at a
niceness of 10 (:func:`yield_cpu`: in a class the browsers are on the students' laptops, not
on the server's two cores). One topology
(``serve.classroom.start(replicas=2, class_mode=True)``) serves every phase, in this order:

1. warm-up: on each replica one short visit of every page (Play, two redraws, close), so each
   has imported every family and built one model of each;
2. ``class-affinity``: uploads through the proxy, each from a session with its cookies (the
   weights uploader every page has; the page must answer with its refusal of the junk file,
   which proves the file reached the session's replica), and the home page's images (media
   files live in the replica that drew them). The same requests without the affinity cookie
   are counted too: they fail about half the time, which shows the check can fail;
3. the warm-up's and affinity's sessions are closed and Streamlit's disconnected-session TTL
   (read from the replicas' command lines) passes: each replica's RSS now is "before";
4. ``class-30``: the class starts as a teacher starts it (everyone opens the page, a few
   at a time, then everyone presses Play at once) and plays for the window (5 minutes;
   ``--quick`` shorter and fewer students). Per session: redraws per second (fragment runs
   that redrew the page), time from the Play click to the first frame with a new Step, time
   to open the page, errors; per replica: RSS and CPU;
5. every session closes, the TTL passes again: RSS "after"; ``class-memory`` = after ÷ before
   (the worse replica);
6. ``class-scaling``: the same class (same pages, same chromium sessions) pinned to one replica
   through its cookie (the other idles), its steps per second over the same length of window
   as the first part of step 4; steps/s with 2 replicas ÷ with 1.

Steps come from each page's "Step" metric as the client receives it (the RL page counts
updates, the graph page epochs: the same pages in both halves of the ratio).
"""
from __future__ import annotations

import asyncio
import errno
import os
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.common import record  # noqa: E402
from serve.client import AFFINITY_COOKIE, Student  # noqa: E402
from serve.procs import descendants  # noqa: E402
from serve.replica import REAP_INTERVAL_S  # noqa: E402

FAMILY = "class"
PAGES = ("autoencoder", "transformer", "gan", "rl", "gnn", "rnn")
PLAY, PAUSE = "▶ Play", "❚❚ Pause"
WEIGHTS_UPLOADER = "Load weights saved from this page (.pt)"
SAVE_PANEL = "Save, load and share this run"
CLK_TCK = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Plan:
    """How big and long each phase is."""

    students: int = 30
    browsers: int = 3          # of the students, this many are real chromium sessions
    window_s: float = 300.0
    scaling_window_s: float = 75.0
    uploads: int = 50
    upload_sessions: int = 10
    no_cookie_tries: int = 10
    warm_pages: tuple[str, ...] = PAGES
    open_concurrency: int = 4
    ttl_margin_s: float = 5.0


FULL = Plan()
QUICK = Plan(students=12, browsers=2, window_s=45.0, scaling_window_s=30.0, uploads=10,
             upload_sessions=5, no_cookie_tries=6, warm_pages=("autoencoder", "gan"))


def log(msg: str) -> None:
    print(f"[bench class] {time.strftime('%H:%M:%S')} {msg}", file=sys.stderr, flush=True)


# ---- processes: RSS and CPU from /proc (psutil is no dependency of the app) ---------------
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
    return {r.name: {k: _r(rss_mb(r.pid, f), 1) for k, f in (("anon", "RssAnon"),
                                                              ("file", "RssFile"))}
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


# ---- the class -----------------------------------------------------------------------------
@dataclass
class Seat:
    """One student of the class and what was measured of it."""

    page: str
    kind: str                       # "light" or "chromium"
    student: Student | None = None
    browser: Any = None             # a BrowserSeat for chromium
    clicked_at: float | None = None
    step_at_click: int | None = None
    error: str | None = None
    replica: str | None = None
    open_s: float | None = None     # from opening the page to its first run done

    @property
    def errors(self) -> list[str]:
        own = self.student.errors if self.student else []
        return own + ([self.error] if self.error else [])


def step_at(student: Student, t: float) -> int | None:
    """The Step the client had drawn at time ``t`` (the newest tick at or before it)."""
    best = None
    for tick in student.ticks:
        if tick.t <= t and tick.step is not None:
            best = tick.step
    return best


def redraws(student: Student, t0: float, t1: float) -> float:
    """Fragment redraws per second in [t0, t1]."""
    return sum(1 for t, k in student.frames if t0 <= t <= t1 and k == "fragment") / (t1 - t0)


def step_changes(student: Student, t0: float, t1: float) -> float:
    """Redraws that showed a new Step, per second in [t0, t1] (what the chromium cross-check
    counts on its side)."""
    n, prev = 0, step_at(student, t0)
    for tick in student.ticks:
        if t0 < tick.t <= t1 and tick.step is not None:
            if tick.step != prev:
                n += 1
            prev = tick.step
    return n / (t1 - t0)


async def open_seat(seat: Seat, url: str, sem: asyncio.Semaphore, cookies: dict | None,
                    timeout: float) -> None:
    """Open the seat's page and wait for its first run (errors go to the seat)."""
    try:
        async with sem:
            t0 = time.monotonic()
            s = Student(url, seat.page, cookies=cookies, timeout=timeout)
            seat.student = s
            await s.open()
            await s.wait_idle(timeout)
            seat.replica = s.replica
            seat.open_s = time.monotonic() - t0
    except Exception as e:  # noqa: BLE001 - a student that could not start is a result
        seat.error = f"open: {type(e).__name__}: {e}"


async def press_play(seat: Seat) -> None:
    try:
        s = seat.student
        seat.step_at_click = s.step
        seat.clicked_at = time.monotonic()
        await s.click(PLAY)
    except Exception as e:  # noqa: BLE001
        seat.error = f"play: {type(e).__name__}: {e}"


async def close_all(seats: list[Seat]) -> None:
    await asyncio.gather(*(s.student.close() for s in seats if s.student),
                         return_exceptions=True)
    for s in seats:
        if s.browser is not None:
            await s.browser.close()


async def ramp(url: str, seats: list[Seat], plan: Plan, cookies: dict | None,
               browsers: "Browsers | None", timeout: float = 240.0) -> float:
    """The class starts as a teacher would start it: everyone opens the page (light clients a
    few at a time), then everyone presses Play. Returns once every playing seat has drawn a
    frame with a new Step (or a deadline passed): the start of the measured window."""
    sem = asyncio.Semaphore(plan.open_concurrency)
    opens = [open_seat(s, url, sem, cookies, timeout) for s in seats if s.kind == "light"]
    if browsers is not None:
        opens += [browsers.open_seat(s, url, cookies, timeout)
                  for s in seats if s.kind == "chromium"]
    await asyncio.gather(*opens)
    ready = [s for s in seats if not s.error]
    plays = [press_play(s) for s in ready if s.kind == "light"]
    if browsers is not None:
        plays += [browsers.press_play(s, url, timeout) for s in ready if s.kind == "chromium"]
    await asyncio.gather(*plays)
    deadline = time.monotonic() + 90
    for seat in seats:
        if seat.student is None or seat.error:
            continue
        left = max(deadline - time.monotonic(), 0.1)
        try:
            await seat.student.wait_for(
                lambda st, seat=seat: st.first_frame_after(seat.clicked_at, seat.step_at_click)
                is not None, left)
        except Exception:  # noqa: BLE001 - no frame yet: the window shows it
            pass
    return time.monotonic()


def make_seats(n: int, n_browsers: int) -> list[Seat]:
    seats = [Seat(PAGES[i % len(PAGES)], "light") for i in range(n - n_browsers)]
    # chromium sessions on the first pages (the light clients of those pages run beside them)
    seats += [Seat(PAGES[i % len(PAGES)], "chromium") for i in range(n_browsers)]
    return seats


# ---- chromium cross-check -----------------------------------------------------------------
WATCH_STEP = """() => {
  window.__steps = [];
  let last = null;
  const read = () => [...document.querySelectorAll('[data-testid=stMetric]')]
      .find(m => m.querySelector('[data-testid=stMetricLabel]')?.innerText.trim() === 'Step')
      ?.querySelector('[data-testid=stMetricValue]')?.innerText.trim();
  setInterval(() => {
    const v = read();
    if (v !== undefined && v !== last) { window.__steps.push([Date.now() / 1000, v]); last = v; }
  }, 20);
}"""


class Browsers:
    """Debian's chromium through Playwright; one context (own cookies) per seat."""

    def __init__(self, nice: int = 10) -> None:
        self._pw = None
        self.browser = None
        self.nice = nice
        self.group = ""  # what yield_cpu said

    async def start(self) -> bool:
        import shutil
        path = shutil.which("chromium") or shutil.which("chromium-browser")
        if path is None:
            return False
        try:
            from playwright.async_api import async_playwright
        except ImportError:
            return False
        from serve.local import CHROMIUM_ARGS
        try:
            self._pw = await async_playwright().start()
            self.browser = await self._pw.chromium.launch(executable_path=path,
                                                          args=CHROMIUM_ARGS)
        except Exception as e:  # noqa: BLE001 - no cross-check rather than no bench
            log(f"chromium did not start ({e!r}): no cross-check")
            await self.stop()
            self.browser = self._pw = None
            return False
        self.group = yield_cpu(self.nice)
        log(f"chromium's scheduling group: {self.group}")
        return True

    async def open_seat(self, seat: Seat, url: str, cookies: dict | None,
                        timeout: float) -> None:
        try:
            t0 = time.monotonic()
            ctx = await self.browser.new_context(viewport={"width": 1400, "height": 1000})
            if cookies:
                await ctx.add_cookies([{"name": k, "value": v, "url": url}
                                       for k, v in cookies.items()])
            page = await ctx.new_page()
            seat.browser = BrowserSeat(ctx, page)
            await page.goto(f"{url}/{seat.page}", timeout=timeout * 1000)
            await page.wait_for_selector(
                "[data-testid=stApp][data-test-script-state=notRunning]", timeout=timeout * 1000)
            await page.evaluate(WATCH_STEP)
            seat.open_s = time.monotonic() - t0
            got = await ctx.cookies(url)
            seat.replica = next((c["value"] for c in got if c["name"] == AFFINITY_COOKIE), None)
        except Exception as e:  # noqa: BLE001
            seat.error = f"chromium: {type(e).__name__}: {e}"

    async def press_play(self, seat: Seat, url: str, timeout: float) -> None:
        try:
            seat.clicked_at = time.monotonic()
            seat.browser.clicked_wall = time.time()
            await seat.browser.page.get_by_role("button", name=PLAY).click(
                timeout=timeout * 1000)
        except Exception as e:  # noqa: BLE001
            seat.error = f"chromium: {type(e).__name__}: {e}"

    async def stop(self) -> None:
        for close in (getattr(self.browser, "close", None), getattr(self._pw, "stop", None)):
            if close is not None:
                try:
                    await close()
                except Exception:  # noqa: BLE001
                    pass


@dataclass
class BrowserSeat:
    ctx: Any
    page: Any
    clicked_wall: float = 0.0
    changes: list[tuple[float, str]] = field(default_factory=list)

    async def read(self) -> None:
        try:
            self.changes = [tuple(x) for x in await self.page.evaluate("window.__steps || []")]
        except Exception:  # noqa: BLE001
            pass

    def rate(self, w0: float, w1: float) -> float:
        """Step changes per second between two wall-clock moments."""
        return sum(1 for t, _ in self.changes if w0 <= t <= w1) / (w1 - w0)

    def steps(self, w0: float, w1: float) -> int | None:
        def at(w):
            vals = [int("".join(ch for ch in v if ch.isdigit()) or 0)
                    for t, v in self.changes if t <= w]
            return vals[-1] if vals else None
        a, b = at(w0), at(w1)
        return None if a is None or b is None else b - a

    async def close(self) -> None:
        try:
            await self.ctx.close()
        except Exception:  # noqa: BLE001
            pass


# ---- phases --------------------------------------------------------------------------------
async def warm_up(url: str, replicas: list[Any], pages: tuple[str, ...], plan: Plan) -> list:
    """One visit of every page on every replica: open, Play, two redraws, close."""
    sem = asyncio.Semaphore(plan.open_concurrency)

    async def visit(replica: str, page: str) -> str | None:
        async with sem:
            try:
                async with Student(url, page, cookies={AFFINITY_COOKIE: replica}) as s:
                    await s.wait_idle()
                    t0 = time.monotonic()
                    await s.click(PLAY)
                    await s.wait_for(lambda st: sum(t >= t0 and k == "fragment"
                                                    for t, k in st.frames) >= 2, 120)
                    return None if s.replica == replica else f"{page}: on {s.replica}"
            except Exception as e:  # noqa: BLE001
                return f"{replica}/{page}: {type(e).__name__}: {e}"
    res = await asyncio.gather(*(visit(r.name, p) for r in replicas for p in pages))
    return [r for r in res if r]


async def affinity(url: str, plan: Plan) -> dict[str, Any]:
    """Uploads and media through the proxy, with and without the affinity cookie."""
    per = max(plan.uploads // plan.upload_sessions, 1)
    out: dict[str, Any] = {"uploads": 0, "upload_failures": 0, "media": 0, "media_failures": 0,
                           "no_cookie_uploads": 0, "no_cookie_failures": 0,
                           "no_cookie_media": 0, "no_cookie_media_failures": 0,
                           "replicas": [], "why": []}
    sem = asyncio.Semaphore(plan.open_concurrency)

    async def uploader(i: int) -> None:
        page = PAGES[i % len(PAGES)]
        async with sem:
            try:
                async with Student(url, page) as s:
                    await s.wait_idle()
                    await s.expand(SAVE_PANEL)  # the uploader is drawn once it is opened
                    await s.wait_idle()
                    out["replicas"].append(s.replica)
                    for k in range(per):
                        name = f"class-{i}-{k}.pt"
                        out["uploads"] += 1
                        status = await s.upload(WEIGHTS_UPLOADER, name, b"not a checkpoint " * 8)
                        try:
                            if status != 204:
                                raise RuntimeError(f"HTTP {status}")
                            await s.wait_for(lambda st: any(name in a for a in st.alerts), 120)
                        except Exception as e:  # noqa: BLE001
                            out["upload_failures"] += 1
                            out["why"].append(f"{page} {name}: {type(e).__name__}: {e}")
                    # the same without the cookie: the proxy picks a replica by its own rule
                    # (spread over the sessions, so over both replicas)
                    tries = len(range(i, plan.no_cookie_tries, plan.upload_sessions))
                    if tries:
                        for k in range(tries):
                            out["no_cookie_uploads"] += 1
                            status = await s.upload(WEIGHTS_UPLOADER, f"nc-{i}-{k}.pt", b"x" * 64,
                                                    affinity=False)
                            out["no_cookie_failures"] += status != 204
                            await s.wait_idle()
            except Exception as e:  # noqa: BLE001
                out["upload_failures"] += per - sum(1 for w in out["why"] if f"class-{i}-" in w)
                out["why"].append(f"{page} session: {type(e).__name__}: {e}")

    async def media() -> None:
        async with sem:
            try:
                async with Student(url, "") as s:
                    await s.wait_idle()
                    urls = s.media_urls()
                    for u in urls:
                        out["media"] += 1
                        st = await s.get(u)
                        out["media_failures"] += st != 200
                        if st != 200:
                            out["why"].append(f"media {u}: HTTP {st}")
                    for u in (urls * plan.no_cookie_tries)[:plan.no_cookie_tries]:
                        out["no_cookie_media"] += 1
                        out["no_cookie_media_failures"] += await s.get(u, affinity=False) != 200
            except Exception as e:  # noqa: BLE001
                out["media_failures"] += 1
                out["why"].append(f"media session: {type(e).__name__}: {e}")
    await asyncio.gather(media(), *(uploader(i) for i in range(plan.upload_sessions)))
    return out


async def settle(url: str, replicas: list[Any], ttl: float, margin: float
                 ) -> tuple[dict[str, float | None], dict[str, float | None]]:
    """Wait until Streamlit may drop the disconnected sessions (TTL + margin), then make it
    drop them, then wait a few seconds more while RSS still falls.

    Streamlit keeps a closed tab's session in a TTL cache that forgets expired entries only
    when it is next written, i.e. when some session disconnects: until then an expired
    session keeps its memory. A live class has students coming and going; here one visit of
    the home page per replica (open, close) plays that part. The replica gives the memory
    back at its reaper's next round (``serve.replica.REAP_INTERVAL_S``). Returns the RSS of
    each replica (MB) before that visit and at the end."""
    await asyncio.sleep(ttl + margin)
    unprobed = {r.name: rss_mb(r.pid) for r in replicas}
    for r in replicas:
        try:
            async with Student(url, "", cookies={AFFINITY_COOKIE: r.name}) as s:
                await s.wait_idle()
        except Exception as e:  # noqa: BLE001
            log(f"probe visit of {r.name} failed: {e!r}")
    # the replica's reaper notices the dropped sessions within one round, then collects and
    # trims (up to a second here): before that, RSS is flat but the memory is not yet returned
    await asyncio.sleep(REAP_INTERVAL_S + 2)
    last = {r.name: rss_mb(r.pid) for r in replicas}
    for _ in range(6):
        await asyncio.sleep(2)
        now = {r.name: rss_mb(r.pid) for r in replicas}
        if all(now[k] is not None and last[k] is not None and now[k] >= last[k] - 1
               for k in now):
            return unprobed, now
        last = now
    return unprobed, last


async def play_class(url: str, seats: list[Seat], window_s: float, plan: Plan,
                     cookies: dict | None = None, browsers: Browsers | None = None,
                     sampler: Sampler | None = None) -> dict[str, Any]:
    """Ramp the seats up, let them play for ``window_s`` and measure; seats stay open."""
    t_ramp = time.monotonic()
    w0 = await ramp(url, seats, plan, cookies, browsers)
    w0_wall = time.time()
    log(f"{len(seats)} students playing after {w0 - t_ramp:.0f} s; window {window_s:.0f} s")
    c0, own0 = chromium_cpu_s(), cpu_s(os.getpid()) or 0.0
    await asyncio.sleep(window_s)
    w1 = time.monotonic()
    w1_wall = time.time()
    c1, own1 = chromium_cpu_s(), cpu_s(os.getpid()) or 0.0
    for s in seats:
        if s.browser is not None:
            await s.browser.read()
    return {"w0": w0, "w1": w1, "w0_wall": w0_wall, "w1_wall": w1_wall,
            "ramp_s": round(w0 - t_ramp, 1),
            "chromium_cpu_pct": round(100 * (c1 - c0) / (w1 - w0), 1),
            "clients_cpu_pct": round(100 * (own1 - own0) / (w1 - w0), 1)}


def class_numbers(seats: list[Seat], w: dict[str, Any], upto: float | None = None
                  ) -> dict[str, Any]:
    """Per-seat redraws/s, first-frame times, steps/s and errors in a window."""
    w0 = w["w0"]
    w1 = w["w1"] if upto is None else min(w["w1"], w0 + upto)
    w1_wall = w["w0_wall"] + (w1 - w0)
    light = [s for s in seats if s.kind == "light"]
    rates, firsts, changes, steps = [], [], [], []
    page_steps: dict[str, int] = {}
    page_rates: dict[str, list[float]] = {}
    for s in light:
        st = s.student
        if st is None or s.error or s.clicked_at is None:
            rates.append(0.0)
            firsts.append(None)
            continue
        rates.append(redraws(st, w0, w1))
        page_rates.setdefault(s.page, []).append(rates[-1])
        changes.append(step_changes(st, w0, w1))
        firsts.append(st.first_frame_after(s.clicked_at, s.step_at_click))
        a, b = step_at(st, w0), step_at(st, w1)
        steps.append((b - a) if a is not None and b is not None else 0)
        page_steps[s.page] = page_steps.get(s.page, 0) + steps[-1]
    b_rates, b_steps = [], []
    for s in seats:
        if s.kind == "chromium" and s.browser is not None and not s.error:
            b_rates.append(s.browser.rate(w["w0_wall"], w1_wall))
            b_steps.append(s.browser.steps(w["w0_wall"], w1_wall))
    errors = [e for s in seats for e in s.errors]
    opens = [s.open_s for s in seats if s.kind == "light"]
    return {"rates": rates, "opens": opens, "firsts": firsts, "changes": changes, "steps": steps,
            "steps_per_s": sum(steps) / (w1 - w0), "errors": errors,
            "page_steps_per_s": {k: v / (w1 - w0) for k, v in page_steps.items()},
            "page_redraws": {k: _r(statistics.median(v)) for k, v in page_rates.items()},
            "browser_rates": b_rates, "browser_steps": b_steps, "seconds": w1 - w0,
            "replicas": sorted({s.replica for s in seats if s.replica})}


def _r(x: float | None, n: int = 3) -> float | None:
    return None if x is None else round(x, n)


def _med(xs: list) -> float | None:
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


async def main(plan: Plan) -> list[dict[str, Any]]:
    try:
        from serve import classroom
    except ImportError as e:
        log(f"no class launcher ({e}): skipped")
        return []
    recs: list[dict[str, Any]] = []
    t_all = time.monotonic()
    log(f"starting the topology: 2 replicas, class mode ({os.cpu_count()} cores, load "
        f"{os.getloadavg()[0]:.1f})")
    topo = classroom.start(replicas=2, class_mode=True)
    browsers = Browsers()
    have_browsers = plan.browsers > 0 and await browsers.start()
    seats: list[Seat] = []
    try:
        reps = topo.replicas
        ttl = max(session_ttl(r.pid) for r in reps)
        sampler = Sampler(reps)
        sampler.start()
        log(f"proxy {topo.url}; replicas {[r.name for r in reps]}; session TTL {ttl:.0f} s")
        bad = await warm_up(topo.url, reps, plan.warm_pages, plan)
        log(f"warm-up done ({len(bad)} problems: {bad[:3]})")

        aff = await affinity(topo.url, plan)
        fails = aff["upload_failures"] + aff["media_failures"]
        recs.append(record(
            FAMILY, "class-affinity", "failed uploads and media fetches through the proxy, "
            "each with its session's cookies", [fails], "failures", "<= 0", value=fails,
            uploads=aff["uploads"], upload_failures=aff["upload_failures"],
            media=aff["media"], media_failures=aff["media_failures"],
            upload_replicas=sorted({r for r in aff["replicas"] if r}),
            no_cookie_uploads=aff["no_cookie_uploads"],
            no_cookie_failures=aff["no_cookie_failures"],
            no_cookie_media=aff["no_cookie_media"],
            no_cookie_media_failures=aff["no_cookie_media_failures"], why=aff["why"][:10],
            note="an upload counts when the PUT answers 204 and the page then shows its "
                 "refusal of that file (the file reached the session's replica); without the "
                 "affinity cookie the same requests fail when the proxy picks the other replica"))
        log(f"affinity: {fails} failures of {aff['uploads']} uploads + {aff['media']} media; "
            f"without the cookie {aff['no_cookie_failures']}/{aff['no_cookie_uploads']} uploads "
            f"and {aff['no_cookie_media_failures']}/{aff['no_cookie_media']} media failed")

        before0, before = await settle(topo.url, reps, ttl, plan.ttl_margin_s)
        before_parts = rss_parts(reps)
        log(f"before: RSS {before} MB (before the probe visit {before0}); {before_parts}")

        seats = make_seats(plan.students, plan.browsers if have_browsers else 0)
        w = await play_class(topo.url, seats, plan.window_s, plan, None,
                             browsers if have_browsers else None, sampler)
        whole = class_numbers(seats, w)
        first = class_numbers(seats, w, upto=plan.scaling_window_s)
        procs = sampler.summary(w["w0"], w["w1"])
        rates = whole["rates"]
        worst = min(rates) if rates else None
        n_err = len(whole["errors"])
        rec = record(FAMILY, "class-30", "redraws per second per session (median over "
                     "light sessions)", rates, "redraws/s", ">= 1", seconds=[whole["seconds"]],
                     worst=_r(worst), errors=n_err, worst_target=">= 0.5", errors_target=0,
                     students=plan.students, light=len(rates), chromium=len(whole["browser_rates"]),
                     replicas_used=whole["replicas"], ramp_s=w["ramp_s"],
                     first_frame_median_s=_r(_med(whole["firsts"])),
                     first_frame_worst_s=_r(max((x for x in whole["firsts"] if x is not None),
                                                default=None)),
                     first_frame_missing=sum(x is None for x in whole["firsts"]),
                     open_median_s=_r(_med(whole["opens"])),
                     open_worst_s=_r(max((x for x in whole["opens"] if x is not None),
                                         default=None)),
                     step_changes_median=_r(_med(whole["changes"])),
                     page_redraws_median=whole["page_redraws"],
                     page_steps_per_s={k: _r(v, 1) for k, v in whole["page_steps_per_s"].items()},
                     browser_redraws_median=_r(_med(whole["browser_rates"])),
                     processes=procs, error_samples=whole["errors"][:10],
                     backmsgs_per_s=_r(sum(x.student.sent for x in seats if x.student)
                                       / max(time.monotonic() - w["w0"] + w["ramp_s"], 1), 1),
                     clients_cpu_pct=w["clients_cpu_pct"], chromium_cpu_pct=w["chromium_cpu_pct"],
                     chromium_group=browsers.group if have_browsers else None,
                     load_avg=round(os.getloadavg()[0], 1))
        rec["met"] = bool(rec["met"] and worst is not None and worst >= 0.5 and n_err == 0)
        recs.append(rec)
        recs.append(record(FAMILY, "class-30-first-frame", "seconds from Play to the first "
                           "frame with a new Step (median over sessions)", whole["firsts"], "s",
                           None, worst=recs[-1]["first_frame_worst_s"]))
        if whole["browser_rates"]:
            recs.append(record(
                FAMILY, "class-30-chromium", "chromium: Step changes per second on the page "
                "(median), beside the light clients' Step changes per second",
                whole["browser_rates"], "changes/s", None,
                light_step_changes_median=_r(_med(whole["changes"])),
                light_redraws_median=_r(_med(rates)),
                browser_steps=whole["browser_steps"], chromium_cpu_pct=w["chromium_cpu_pct"],
                note="a page redraws when its browser asks for the next tick (the fragment's "
                     "timer); a chromium short of CPU (rendering the charts on this machine) "
                     "asks later, so its session ticks less often than a light client's"))
        log(f"class-30: median {rec['value']} redraws/s, worst {rec['worst']}, {n_err} errors; "
            f"first frame {rec['first_frame_median_s']} s (worst {rec['first_frame_worst_s']}); "
            f"chromium {rec.get('browser_redraws_median')}; processes {procs}")

        await close_all(seats)
        seats = []
        after0, after = await settle(topo.url, reps, ttl, plan.ttl_margin_s)
        after_parts = rss_parts(reps)
        ratios = {k: (after[k] / before[k]) if after.get(k) and before.get(k) else None
                  for k in before}
        worst_ratio = max((v for v in ratios.values() if v is not None), default=None)
        recs.append(record(
            FAMILY, "class-memory", "RSS after every session closed ÷ before (worse replica)",
            [worst_ratio], "ratio", "<= 1.1", value=worst_ratio,
            before_mb={k: _r(v, 1) for k, v in before.items()},
            after_mb={k: _r(v, 1) for k, v in after.items()},
            after_unprobed_mb={k: _r(v, 1) for k, v in after0.items()},
            before_parts_mb=before_parts, after_parts_mb=after_parts,
            peak_mb={p["name"]: p.get("rss_mb_peak") for p in procs},
            ratios={k: _r(v) for k, v in ratios.items()}, session_ttl_s=ttl,
            note="before: after a warm-up visit of every page on each replica (imports done, "
                 "one model of each family built) and the affinity check, once their sessions "
                 "were closed and the disconnected-session TTL had passed; after: the same "
                 "wait after the class's sessions closed. Each time one visit of the home page "
                 "per replica follows the wait: Streamlit forgets expired sessions only when "
                 "another session disconnects (after_unprobed_mb: RSS before that visit)"))
        log(f"class-memory: before {before}, after {after}; parts {before_parts} -> "
            f"{after_parts}")

        seats = make_seats(plan.students, plan.browsers if have_browsers else 0)
        pin = {AFFINITY_COOKIE: reps[0].name}
        w1 = await play_class(topo.url, seats, plan.scaling_window_s, plan, pin,
                              browsers if have_browsers else None, sampler)
        one = class_numbers(seats, w1)
        procs1 = sampler.summary(w1["w0"], w1["w1"])
        procs2 = sampler.summary(w["w0"], w["w0"] + plan.scaling_window_s)
        two_sps, one_sps = first["steps_per_s"], one["steps_per_s"]
        # a ratio only when most sessions trained in both halves (else it measures starvation)
        moved = min(sum(x > 0 for x in first["steps"]), sum(x > 0 for x in one["steps"]))
        ratio = two_sps / one_sps if one_sps > 0 and moved * 2 >= len(one["steps"]) else None
        recs.append(record(
            FAMILY, "class-scaling", "training steps/s of the class, 2 replicas ÷ 1 (light "
            "sessions' Step metrics, same pages and chromium sessions)", [ratio], "ratio",
            ">= 1.6", value=ratio, steps_per_s_2=_r(two_sps, 1), steps_per_s_1=_r(one_sps, 1),
            seconds=[one["seconds"]], redraws_median_1=_r(_med(one["rates"])),
            redraws_median_2=_r(_med(first["rates"])), replicas_used_1=one["replicas"],
            errors_1=len(one["errors"]), error_samples_1=one["errors"][:10],
            sessions_training_2=sum(x > 0 for x in first["steps"]),
            sessions_training_1=sum(x > 0 for x in one["steps"]),
            page_ratios={k: _r(v / one["page_steps_per_s"][k]) if one["page_steps_per_s"].get(k)
                         else None for k, v in first["page_steps_per_s"].items()},
            processes_2=procs2, processes_1=procs1, load_avg=round(os.getloadavg()[0], 1),
            note=f"the 2-replica figure is the first {plan.scaling_window_s:.0f} s of the "
                 "class-30 window; the 1-replica run pins every session to one replica with "
                 "the proxy's cookie while the other idles"))
        log(f"class-scaling: {two_sps:.0f} vs {one_sps:.0f} steps/s -> {ratio}; "
            f"{len(one['errors'])} errors {one['errors'][:3]}")
        await close_all(seats)
        seats = []
        await sampler.stop()
    finally:
        await close_all(seats)
        if have_browsers:
            await browsers.stop()
        topo.stop()
    log(f"done in {time.monotonic() - t_all:.0f} s")
    return recs


def run(seeds: list[int], quick: bool) -> list[dict[str, Any]]:
    """The bench's entry point (``seeds`` unused: the students are the repetitions)."""
    return asyncio.run(main(QUICK if quick else FULL))
