"""A protocol-level Streamlit client: one simulated student, over the real websocket.

It speaks to a Streamlit 1.67 server the way the browser's frontend does, with Streamlit's own
protobuf classes (``BackMsg`` up, ``ForwardMsg`` down) and no browser:

1. ``GET /<page>?<query>`` (the page's HTML: this is where a proxy sets its affinity cookie),
   ``GET /_stcore/health`` (sets the ``_streamlit_xsrf`` cookie) and ``/_stcore/host-config``;
2. a websocket to ``/_stcore/stream`` with the subprotocols ``["streamlit", <xsrf token>]`` and
   every cookie so far, then a ``rerun_script`` BackMsg naming the page (as a browser that
   opened ``/<page>`` does);
3. the ``ForwardMsg`` stream: ``new_session`` (the session id), ``navigation`` (the shown
   page's script hash, which later reruns name), ``delta`` (elements, kept by their delta
   path, so buttons can be found by label), ``page_info_changed`` (the new query string,
   sent back with later reruns), ``script_finished`` (a redraw), ``auto_rerun`` /
   ``stop_auto_rerun`` (the timers of ``st.fragment(run_every=...)``), ``file_urls_response``,
   and ``ref_hash`` (a big element the client said it had cached);
4. a click is a ``rerun_script`` with the button's ``trigger_value`` set (scoped to the
   button's fragment when it is drawn inside one); an upload asks for an upload URL
   (``file_urls_request``), PUTs the file there with the XSRF header and the same cookies, then
   reruns with the uploader's ``file_uploader_state_value``.

A fragment with ``run_every`` does not tick by itself: the server sends ``auto_rerun`` (its
id and interval) and the browser sets a ``setInterval`` that asks for a rerun of that fragment
(``is_auto_rerun``) each interval, clearing every timer when a full run starts. This client
keeps the same timers. A playing ArchLab page ticks on acks (``ui.pacer``): its fragment ends
with a component whose JavaScript, once the tick is drawn and its interval has passed, sends
the trigger ``drawn`` (a ``json_trigger_value`` on the component's ``…__events`` widget) and
so asks for the next tick; this client sends the same trigger after the same wait, as a
browser that draws instantly would, so a page that plays keeps playing.

Usage::

    async with Student("http://127.0.0.1:8501", "autoencoder") as s:
        await s.wait_idle()
        await s.click("▶ Play")
        await s.wait_for(lambda s: len(s.frames) >= 3, timeout=60)
        s.frames, s.errors, s.session_id, s.cookies
"""
from __future__ import annotations

import asyncio
import contextlib
import http.cookies
import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass
from typing import Any, Callable

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ClientState_pb2 import ClientState
from streamlit.proto.Element_pb2 import Element
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetStates
from streamlit.runtime.state.session_state import STREAMLIT_INTERNAL_KEY_PREFIX

from ui import pacer

XSRF_COOKIE = "_streamlit_xsrf"
AFFINITY_COOKIE = "archlab_replica"
#: what ui.errors.guard shows when a page fails (a traceback never reaches a student)
FAILURE_TEXT = "something went wrong"
#: the browser's forward-message cache keeps a message for this many finished runs
CACHE_AGE_RUNS = 2
#: ...and this client keeps it this many runs longer, unreported: a rerun request sent while
#: a run was going still names it, and the server may answer with a reference to it
CACHE_GRACE_RUNS = 4

_FINISHED = ForwardMsg.ScriptFinishedStatus


def run(coro: Any) -> Any:
    """``asyncio.run(coro)``, also where this thread already runs an event loop (a pytest
    session whose browser tests started Playwright's): then in a thread of its own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    import threading
    out: dict[str, Any] = {}

    def target() -> None:
        try:
            out["value"] = asyncio.run(coro)
        except BaseException as e:  # noqa: BLE001 - re-raised in the caller's thread
            out["error"] = e

    th = threading.Thread(target=target, name="archlab-client")
    th.start()
    th.join()
    if "error" in out:
        raise out["error"]
    return out.get("value")


class ProtocolError(RuntimeError):
    """The server answered something a browser would not accept."""


@dataclass
class Tick:
    """A finished run as this client saw it: when, full or fragment, the Step metric then."""

    t: float
    kind: str  # "full" | "fragment"
    step: int | None


def _digits(text: str) -> int | None:
    m = re.match(r"\s*([\d,]+)", text or "")
    return int(m.group(1).replace(",", "")) if m else None


class Student:
    """One simulated student on one page. See the module docstring for the protocol.

    Args:
        base_url: the server or proxy, e.g. ``"http://127.0.0.1:8501"``.
        page_slug: the page's url path (``"autoencoder"``; ``""`` for home).
        query: the query string the page is opened with (``"dataset=csv"``), no ``?``.
        cookies: cookies to start with (``{"archlab_replica": "r1"}`` pins a replica).
        timeout: seconds for connecting and for each HTTP request.
        cache: report cached big elements to the server as the browser does (it then sends
            ``ref_hash`` references for elements it would send again unchanged).
        min_interval: fragment timers tick at least this many seconds apart (0: as the
            browser, at the interval the server asks for). Only for experiments.

    Attributes:
        session_id: Streamlit's session id (from ``new_session``), None before it.
        cookies: every cookie the server and the proxy set, e.g. the replica's name.
        frames: ``(time.monotonic(), kind)`` per finished run, kind "full" or "fragment".
        ticks: the same runs as :class:`Tick`, with the Step metric at their end.
        errors: exception elements, "Something went wrong" errors and protocol errors.
        alerts: every ``st.error`` text received (also refusals a page shows on purpose).
        clicks: ``(time.monotonic(), label)`` per click sent.
        bytes_in: bytes of ForwardMsgs received.
        acks: ``ui.pacer`` triggers sent (each asks for the next tick of a playing page).
        sent: BackMsgs sent.
    """

    def __init__(self, base_url: str, page_slug: str, query: str = "",
                 cookies: dict[str, str] | None = None, *, timeout: float = 120.0,
                 cache: bool = True, min_interval: float = 0.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.page = page_slug.strip("/")
        self.query = query.lstrip("?")
        self.cookies: dict[str, str] = dict(cookies or {})
        self.timeout = timeout
        self.cache = cache
        self.min_interval = min_interval
        self.sent = 0
        self.session_id: str | None = None
        self.frames: list[tuple[float, str]] = []
        self.ticks: list[Tick] = []
        self.errors: list[str] = []
        self.alerts: list[str] = []
        self.clicks: list[tuple[float, str]] = []
        self.bytes_in = 0
        self.acks = 0
        self.page_script_hash = ""
        self.elements: dict[tuple[int, ...], tuple[Element, str]] = {}  # path -> (el, frag)
        self.expanders: dict[tuple[int, ...], tuple[Any, str]] = {}  # path -> (block, frag)
        self._ws: Any = None
        self._reader: asyncio.Task | None = None
        self._timers: dict[str, tuple[float, asyncio.Task]] = {}
        self._changed = asyncio.Event()
        self._running = False
        self._run_is_fragment = False
        self._run_paths: set[tuple[int, ...]] = set()
        self._run_drew_step = False
        self._full_wanted = 0.0       # when the last full rerun was asked for
        self._full_done_at = -1.0     # when the newest full run that began after it ended
        self._run_started = 0.0
        self._url_waiters: dict[str, asyncio.Future] = {}
        self._cache: dict[str, tuple[ForwardMsg, int]] = {}  # hash -> (msg, run number)
        self._runs_finished = 0
        self._closing = False
        self._navigated = False
        self._run_pacer: tuple[str, str, dict] | None = None  # (id, fragment, data) this run
        self._ack_task: asyncio.Task | None = None

    # ---- connection -------------------------------------------------------------------------
    async def __aenter__(self) -> "Student":
        await self.open()
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.close()

    async def open(self) -> None:
        """Load the page's HTML, health and host config (cookies), open the websocket and ask
        for the page's first run."""
        page_url = f"{self.base_url}/{self.page}" + (f"?{self.query}" if self.query else "")
        for url in (page_url, f"{self.base_url}/_stcore/health",
                    f"{self.base_url}/_stcore/host-config"):
            status, _ = await self._http("GET", url)
            if status != 200:
                raise ProtocolError(f"GET {url} answered {status}")
        ws_url = re.sub(r"^http", "ws", self.base_url) + "/_stcore/stream"
        subprotocols = ["streamlit"] + ([self.cookies[XSRF_COOKIE]]
                                        if XSRF_COOKIE in self.cookies else [])
        self._ws = await websockets.connect(
            ws_url, subprotocols=subprotocols, origin=self.base_url,
            additional_headers={"Cookie": self._cookie_header()}, max_size=None,
            open_timeout=self.timeout, ping_interval=None)
        self._reader = asyncio.create_task(self._read(), name=f"student-{self.page}")
        await self._rerun(full=True)

    async def close(self) -> None:
        """Close the websocket and stop every timer (idempotent)."""
        self._closing = True
        for _, task in self._timers.values():
            task.cancel()
        self._timers.clear()
        if self._ws is not None:
            with contextlib.suppress(Exception):
                await self._ws.close()
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._reader
            self._reader = None

    @property
    def replica(self) -> str | None:
        """The proxy's affinity cookie: which replica serves this session."""
        return self.cookies.get(AFFINITY_COOKIE)

    # ---- what the page shows ----------------------------------------------------------------
    def buttons(self) -> dict[str, tuple[Element, str]]:
        """Buttons drawn now, by label: (element, fragment id or "")."""
        return {el.button.label: (el, frag) for el, frag in self.elements.values()
                if el.WhichOneof("type") == "button"}

    def metric(self, label: str) -> str | None:
        """The text of the metric labelled ``label`` now (e.g. "Step" -> "1,234")."""
        for el, _ in self.elements.values():
            if el.WhichOneof("type") == "metric" and el.metric.label == label:
                return el.metric.body
        return None

    @property
    def step(self) -> int | None:
        """The page's Step metric as a number (None before it is drawn)."""
        return _digits(self.metric("Step") or "")

    def texts(self) -> list[str]:
        """Markdown, captions, alerts and headings drawn now (for assertions)."""
        out = []
        for el, _ in self.elements.values():
            kind = el.WhichOneof("type")
            if kind in ("markdown", "alert", "text"):
                out.append(getattr(el, kind).body)
            elif kind == "heading":
                out.append(el.heading.body)
        return out

    @property
    def running(self) -> bool:
        """A run (full or fragment) is in progress on the server."""
        return self._running

    @property
    def timers(self) -> dict[str, float]:
        """The fragment timers set now: fragment id -> interval in seconds."""
        return {fid: iv for fid, (iv, _) in self._timers.items()}

    def redraws_per_s(self, since: float, until: float | None = None,
                      kind: str = "fragment") -> float:
        """Finished runs of ``kind`` per second between two ``time.monotonic()`` moments."""
        until = time.monotonic() if until is None else until
        n = sum(1 for t, k in self.frames if since <= t <= until and k == kind)
        return n / (until - since) if until > since else 0.0

    def first_frame_after(self, t0: float, step: int | None = None) -> float | None:
        """Seconds from ``t0`` to the first finished run after it that drew a Step past
        ``step`` (any finished run when ``step`` is None)."""
        for tick in self.ticks:
            if tick.t >= t0 and (step is None or (tick.step is not None and tick.step > step)):
                return tick.t - t0
        return None

    # ---- waiting ----------------------------------------------------------------------------
    async def wait_for(self, cond: Callable[["Student"], bool], timeout: float = 60.0) -> None:
        """Until ``cond(self)`` holds after some message; TimeoutError after ``timeout``."""
        deadline = time.monotonic() + timeout
        while not cond(self):
            self._raise_if_dead()
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"{self.page}: condition not met within {timeout:.0f} s")
            self._changed.clear()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._changed.wait(), min(left, 1.0))

    async def wait_idle(self, timeout: float = 180.0, settle_s: float = 0.3) -> None:
        """Until the full run asked for last has finished and no run has started for
        ``settle_s`` seconds after it (a page may rerun itself, ``st.rerun``, right away)."""
        deadline = time.monotonic() + timeout
        while True:
            await self.wait_for(lambda s: s._full_done_at >= s._full_wanted and not s._running,
                                max(deadline - time.monotonic(), 0.01))
            done = self._full_done_at
            await asyncio.sleep(settle_s)
            if not self._running and self._full_done_at == done:
                return

    def _raise_if_dead(self) -> None:
        if self._reader is not None and self._reader.done() and not self._closing:
            exc = self._reader.exception() if not self._reader.cancelled() else None
            raise ProtocolError(f"{self.page}: the connection ended ({exc!r})")

    # ---- actions ----------------------------------------------------------------------------
    async def click(self, label: str) -> None:
        """Press the button labelled ``label`` (as drawn now), as the browser does."""
        found = self.buttons().get(label)
        if found is None:
            raise LookupError(f"no button {label!r} on {self.page}; "
                              f"buttons: {sorted(self.buttons())}")
        el, frag = found
        if el.button.disabled:
            raise LookupError(f"button {label!r} is disabled")
        states = WidgetStates()
        w = states.widgets.add()
        w.id = el.button.id
        w.trigger_value = True
        self.clicks.append((time.monotonic(), label))
        await self._rerun(states, fragment_id=frag, full=not frag)

    async def expand(self, label: str) -> None:
        """Open the expander labelled ``label``, as a click on its header does (a keyed one
        reruns the page, which then draws what is inside)."""
        found = [(b, frag) for b, frag in self.expanders.values()
                 if b.expandable.label == label]
        if not found:
            raise LookupError(f"no expander {label!r} on {self.page}")
        block, frag = found[0]
        if not block.expandable.id:
            return  # an expander without state: its contents are drawn already
        states = WidgetStates()
        w = states.widgets.add()
        w.id = block.expandable.id
        w.bool_value = True
        await self._rerun(states, fragment_id=frag, full=not frag)

    def media_urls(self) -> list[str]:
        """The addresses of the images drawn now (``st.image``: files kept by the session's
        server, so only the replica that drew them has them)."""
        return [img.url for el, _ in self.elements.values() if el.WhichOneof("type") == "imgs"
                for img in el.imgs.imgs if img.url]

    async def get(self, path: str, affinity: bool = True) -> int:
        """GET a path of the server (e.g. a media url) with this session's cookies (without
        the proxy's affinity cookie when ``affinity`` is False): the HTTP status."""
        url = path if path.startswith("http") else f"{self.base_url}/{path.lstrip('/')}"
        status, _ = await self._http("GET", url, affinity=affinity)
        return status

    async def upload(self, label: str, filename: str, data: bytes,
                     mime: str = "application/octet-stream", affinity: bool = True) -> int:
        """Upload ``data`` through the file uploader labelled ``label``: the HTTP status of
        the PUT (204 when the server took it; then the page reruns with the file).

        ``affinity=False`` leaves the proxy's affinity cookie out of the PUT (only to show
        that uploads fail without it: the proxy may send the file to another replica, which
        does not know the session)."""
        found = [(el, frag) for el, frag in self.elements.values()
                 if el.WhichOneof("type") == "file_uploader" and el.file_uploader.label == label]
        if not found:
            raise LookupError(f"no file uploader {label!r} on {self.page}")
        el, frag = found[0]
        req_id = uuid.uuid4().hex
        fut: asyncio.Future = asyncio.get_running_loop().create_future()
        self._url_waiters[req_id] = fut
        msg = BackMsg()
        msg.file_urls_request.request_id = req_id
        msg.file_urls_request.file_names.append(filename)
        msg.file_urls_request.session_id = self.session_id or ""
        await self._send(msg)
        try:
            urls = await asyncio.wait_for(fut, self.timeout)
        finally:
            self._url_waiters.pop(req_id, None)
        info = urls.file_urls[0]
        boundary = uuid.uuid4().hex
        body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
                f"filename=\"{filename}\"\r\nContent-Type: {mime}\r\n\r\n").encode() + data + \
            f"\r\n--{boundary}--\r\n".encode()
        status, _ = await self._http(
            "PUT", urllib.parse.urljoin(self.base_url + "/", info.upload_url.lstrip("/")),
            body, {"Content-Type": f"multipart/form-data; boundary={boundary}",
                   "X-Xsrftoken": self.cookies.get(XSRF_COOKIE, "")}, affinity=affinity)
        if status == 204:
            states = WidgetStates()
            w = states.widgets.add()
            w.id = el.file_uploader.id
            f = w.file_uploader_state_value.uploaded_file_info.add()
            f.file_id, f.name, f.size = info.file_id, filename, len(data)
            f.file_urls.CopyFrom(info)
            await self._rerun(states, fragment_id=frag, full=not frag)
        return status

    # ---- plumbing ---------------------------------------------------------------------------
    async def _rerun(self, states: WidgetStates | None = None, fragment_id: str = "",
                     auto: bool = False, full: bool = True) -> None:
        msg = BackMsg()
        cs: ClientState = msg.rerun_script
        cs.query_string = self.query
        cs.page_script_hash = self.page_script_hash
        if not self.page_script_hash:
            cs.page_name = self.page
        if states is not None:
            cs.widget_states.CopyFrom(states)
        else:
            cs.widget_states.SetInParent()
        if fragment_id:
            cs.fragment_id = fragment_id
        cs.is_auto_rerun = auto
        if self.cache:
            fresh = self._runs_finished - CACHE_AGE_RUNS
            cs.cached_message_hashes.extend(h for h, (_, n) in self._cache.items() if n >= fresh)
        cs.context_info.timezone = "UTC"
        cs.context_info.locale = "en-US"
        if full and not fragment_id:
            self._full_wanted = time.monotonic()
        if not (states and any(w.json_trigger_value for w in states.widgets)):
            self._drop_ack()   # a click or an upload: the tick it would ask for waits
        await self._send(msg)

    async def _send(self, msg: BackMsg) -> None:
        if self._ws is None:
            raise ProtocolError("not connected")
        await self._ws.send(msg.SerializeToString())
        self.sent += 1

    async def _read(self) -> None:
        try:
            async for raw in self._ws:
                if isinstance(raw, str):
                    self._error("protocol: a text frame")
                    continue
                self.bytes_in += len(raw)
                msg = ForwardMsg()
                msg.ParseFromString(raw)
                self._handle(msg)
                self._changed.set()
        except websockets.ConnectionClosed as e:
            if not self._closing:
                self._error(f"protocol: connection closed ({e.code} {e.reason})")
                raise
        except Exception as e:  # a message this client cannot read is an error too
            self._error(f"protocol: {type(e).__name__}: {e}")
            raise
        finally:
            self._changed.set()

    def _error(self, text: str) -> None:
        self.errors.append(text)

    def _handle(self, msg: ForwardMsg) -> None:
        kind = msg.WhichOneof("type")
        if kind == "ref_hash":
            cached = self._cache.get(msg.ref_hash)
            if cached is None:
                self._error(f"protocol: ref_hash {msg.ref_hash} not in the cache")
                return
            full = ForwardMsg()
            full.CopyFrom(cached[0])
            full.metadata.CopyFrom(msg.metadata)
            self._cache[msg.ref_hash] = (cached[0], self._runs_finished)
            msg, kind = full, "delta"
        elif msg.metadata.cacheable and msg.hash and self.cache:
            self._cache[msg.hash] = (msg, self._runs_finished)
        if kind == "new_session":
            ns = msg.new_session
            if ns.initialize.session_id:
                self.session_id = ns.initialize.session_id
            if not self._navigated:  # an app without st.navigation: this is the page
                self.page_script_hash = ns.page_script_hash or self.page_script_hash
            frags = list(msg.metadata.run.fragment_ids)
            self._running = True
            self._run_is_fragment = bool(frags)
            self._run_started = time.monotonic()
            self._run_paths = set()
            self._run_drew_step = False
            self._run_pacer = None
            if not frags:  # a full run: the browser clears every auto-rerun timer
                self._drop_ack()
                for _, task in self._timers.values():
                    task.cancel()
                self._timers.clear()
        elif kind == "delta":
            self._delta(msg)
        elif kind == "navigation":
            # st.navigation: new_session names the main script, this message the page shown
            self._navigated = True
            self.page_script_hash = msg.navigation.page_script_hash or self.page_script_hash
        elif kind == "page_info_changed":
            self.query = msg.page_info_changed.query_string
        elif kind == "script_finished":
            self._finished(msg.script_finished)
        elif kind == "session_status_changed":
            if not msg.session_status_changed.script_is_running:
                self._running = False
        elif kind == "auto_rerun":
            self._auto_rerun(msg.auto_rerun.fragment_id, msg.auto_rerun.interval)
        elif kind == "stop_auto_rerun":
            for fid in msg.stop_auto_rerun.fragment_ids:
                entry = self._timers.pop(fid, None)
                if entry:
                    entry[1].cancel()
        elif kind == "file_urls_response":
            fut = self._url_waiters.get(msg.file_urls_response.response_id)
            if fut is not None and not fut.done():
                fut.set_result(msg.file_urls_response)
        elif kind == "page_not_found":
            self._error(f"protocol: page not found ({msg.page_not_found.page_name!r})")

    def _delta(self, msg: ForwardMsg) -> None:
        d = msg.delta
        path = tuple(msg.metadata.delta_path)
        self._run_paths.add(path)
        if d.WhichOneof("type") == "add_block" and d.add_block.WhichOneof("type") == "expandable":
            self.expanders[path] = (d.add_block, d.fragment_id)
        if d.WhichOneof("type") != "new_element":
            return
        el = d.new_element
        self.elements[path] = (el, d.fragment_id)
        kind = el.WhichOneof("type")
        if kind == "exception":
            self._error(f"exception: {el.exception.type}: {el.exception.message[:300]}")
        elif kind == "metric" and el.metric.label == "Step":
            self._run_drew_step = True
        elif kind == "bidi_component" and el.bidi_component.component_name == pacer.NAME:
            bc = el.bidi_component
            raw = bc.json or (bc.mixed.json if bc.HasField("mixed") else "")
            try:
                data = json.loads(raw) if raw else {}
            except ValueError:
                data = {}
            self._run_pacer = (bc.id, d.fragment_id, data)
        elif kind == "alert" and el.alert.format == el.alert.ERROR:
            self.alerts.append(el.alert.body)
            if FAILURE_TEXT in el.alert.body.lower():
                self._error(f"error: {el.alert.body[:300]}")

    def _finished(self, status: int) -> None:
        """A run ended. A full run counts as a frame when it finished; a fragment run when it
        drew the page's status row (Step) and was not stopped by an error. Streamlit reports a
        fragment run that completed as FINISHED_EARLY_FOR_RERUN whenever the next timer rerun
        is already queued at its end (nearly always while a page plays), so the status alone
        does not say whether it redrew."""
        now = time.monotonic()
        if status == _FINISHED.FINISHED_WITH_COMPILE_ERROR:
            self._error("script: compile error")
        full_done = status == _FINISHED.FINISHED_SUCCESSFULLY and not self._run_is_fragment
        frag_done = self._run_is_fragment and self._run_drew_step and status in (
            _FINISHED.FINISHED_FRAGMENT_RUN_SUCCESSFULLY, _FINISHED.FINISHED_EARLY_FOR_RERUN)
        if full_done or frag_done:
            kind = "full" if full_done else "fragment"
            self.frames.append((now, kind))
            self.ticks.append(Tick(now, kind, self.step))
        if full_done:
            # the browser drops what a finished full run did not draw again
            for p in [p for p in self.elements if p not in self._run_paths]:
                del self.elements[p]
            for p in [p for p in self.expanders if p not in self._run_paths]:
                del self.expanders[p]
            if self._run_started >= self._full_wanted:
                self._full_done_at = now
        if status != _FINISHED.FINISHED_EARLY_FOR_RERUN or self._run_is_fragment:
            self._runs_finished += 1
            old = self._runs_finished - CACHE_AGE_RUNS - CACHE_GRACE_RUNS
            for h in [h for h, (_, n) in self._cache.items() if n < old]:
                del self._cache[h]
        self._running = False
        if (full_done or frag_done) and self._run_pacer and self._run_pacer[2].get("armed"):
            self._drop_ack()
            self._ack_task = asyncio.get_running_loop().create_task(
                self._ack(*self._run_pacer), name=f"ack-{self.page}")

    def _drop_ack(self) -> None:
        """A full run redraws the pacer, whose JavaScript then drops the ack it was waiting
        to send (its cleanup); so does this client, also when it asks for a full run."""
        if self._ack_task is not None:
            self._ack_task.cancel()
            self._ack_task = None

    async def _ack(self, cid: str, fragment_id: str, data: dict) -> None:
        """The pacer's trigger, after the wait its JavaScript would make (``ui.pacer``)."""
        await asyncio.sleep(max(float(data.get("gap_ms", 0)), 0.0) / 1000)
        states = WidgetStates()
        w = states.widgets.add()
        w.id = f"{STREAMLIT_INTERNAL_KEY_PREFIX}_{cid}__events"
        w.json_trigger_value = json.dumps([{"event": pacer.EVENT, "value": data.get("tick")}])
        self.acks += 1
        self._ack_task = None
        try:
            await self._rerun(states, fragment_id=fragment_id, full=not fragment_id)
        except (websockets.ConnectionClosed, ProtocolError):
            return

    def _auto_rerun(self, fragment_id: str, interval: float) -> None:
        if not fragment_id:
            return
        have = self._timers.get(fragment_id)
        if have and have[0] == interval:
            return
        if have:
            have[1].cancel()
        self._timers[fragment_id] = (interval, asyncio.create_task(
            self._every(fragment_id, max(interval, self.min_interval)),
            name=f"auto-rerun-{fragment_id[:8]}"))

    async def _every(self, fragment_id: str, interval: float) -> None:
        """``setInterval``: ask for a rerun of the fragment every ``interval`` seconds."""
        loop = asyncio.get_running_loop()
        nxt = loop.time() + interval
        while True:
            await asyncio.sleep(max(nxt - loop.time(), 0.0))
            nxt = max(nxt + interval, loop.time())
            try:
                await self._rerun(fragment_id=fragment_id, auto=True, full=False)
            except (websockets.ConnectionClosed, ProtocolError):
                return

    def _cookie_header(self, affinity: bool = True) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items()
                         if affinity or k != AFFINITY_COOKIE)

    async def _http(self, method: str, url: str, body: bytes | None = None,
                    headers: dict[str, str] | None = None,
                    affinity: bool = True) -> tuple[int, bytes]:
        """One HTTP request with this session's cookies (kept from every answer)."""
        def go() -> tuple[int, bytes, list[str]]:
            h = {"Cookie": self._cookie_header(affinity), **(headers or {})}
            req = urllib.request.Request(url, data=body, method=method, headers=h)
            try:
                with urllib.request.urlopen(req, timeout=self.timeout) as r:
                    return r.status, r.read(), r.headers.get_all("Set-Cookie") or []
            except urllib.error.HTTPError as e:
                return e.code, e.read(), e.headers.get_all("Set-Cookie") or []
        status, data, set_cookies = await asyncio.to_thread(go)
        for sc in set_cookies if affinity else ():
            c = http.cookies.SimpleCookie()
            try:
                c.load(sc)
            except http.cookies.CookieError:
                name, _, rest = sc.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0].strip()
                continue
            for k, morsel in c.items():
                self.cookies[k] = morsel.value
        return status, data
