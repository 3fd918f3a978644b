"""A protocol-level Streamlit client: one simulated student, over the real websocket.

It speaks to a Streamlit 1.67 server the way the browser's frontend does, with Streamlit's own
protobuf classes (``BackMsg`` up, ``ForwardMsg`` down; :mod:`sim.wire`) and no browser:

1. ``GET /<page>?<query>`` (the page's HTML: this is where a proxy sets its affinity cookie),
   ``GET /_stcore/health`` (sets the ``_streamlit_xsrf`` cookie) and ``/_stcore/host-config``;
2. a websocket to ``/_stcore/stream`` with the subprotocols ``["streamlit", <xsrf token>]`` and
   every cookie so far, then a ``rerun_script`` BackMsg naming the page (as a browser that
   opened ``/<page>`` does);
3. the ``ForwardMsg`` stream: ``new_session`` (the session id), ``navigation`` (the shown
   page's script hash, which later reruns name), ``delta`` (elements, kept by their delta
   path, so buttons can be found by label: :class:`sim.page.Page`), ``page_info_changed``
   (the new query string, sent back with later reruns), ``script_finished`` (a redraw),
   ``auto_rerun`` / ``stop_auto_rerun`` (the timers of ``st.fragment(run_every=...)``,
   kept by :class:`sim.clock.Clock`),
   ``file_urls_response``, and ``ref_hash`` (a big element the client said it had cached);
4. a click is a ``rerun_script`` with the button's ``trigger_value`` set (scoped to the
   button's fragment when it is drawn inside one); an upload asks for an upload URL
   (``file_urls_request``), PUTs the file there with the XSRF header and the same cookies, then
   reruns with the uploader's ``file_uploader_state_value``.

What a browser does on its own between messages (a fragment's timer; the pacer's ack, which
asks a playing page for its next tick once a tick is drawn) is :class:`sim.clock.Clock`'s.

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
import re
import time
import urllib.parse
import uuid
from typing import Any, Callable

import websockets

from sim import fetch
from sim.clock import Clock
from sim.page import Page
from sim.wire import (HEALTH, HOST_CONFIG, STREAM, SUBPROTOCOL, XSRF_COOKIE, BackMsg,
                      ClientState, ForwardMsg, ProtocolError, WidgetStates)

__all__ = ["AFFINITY_COOKIE", "ProtocolError", "Student"]

AFFINITY_COOKIE = "archlab_replica"


class Student(Page):
    """One simulated student on one page. See the module docstring for the protocol; what
    the page shows now is :class:`sim.page.Page`'s.

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
        clicks: ``(time.monotonic(), label)`` per click sent.
        bytes_in: bytes of ForwardMsgs received.
        acks: ``ui.pacer`` triggers sent (each asks for the next tick of a playing page).
        sent: BackMsgs sent.
        (and :class:`sim.page.Page`'s: frames, ticks, errors, alerts, elements, expanders)
    """

    def __init__(self, base_url: str, page_slug: str, query: str = "",
                 cookies: dict[str, str] | None = None, *, timeout: float = 120.0,
                 cache: bool = True, min_interval: float = 0.0) -> None:
        super().__init__(page_slug, cache)
        self.base_url = base_url.rstrip("/")
        self.query = query.lstrip("?")
        self.cookies: dict[str, str] = dict(cookies or {})
        self.timeout = timeout
        self.sent = 0
        self.session_id: str | None = None
        self.clicks: list[tuple[float, str]] = []
        self.bytes_in = 0
        self.page_script_hash = ""
        self._ws: Any = None
        self._reader: asyncio.Task | None = None
        self._clock = Clock(self._rerun, min_interval, self.page)
        self._changed = asyncio.Event()
        self._url_waiters: dict[str, asyncio.Future] = {}
        self._closing = False
        self._navigated = False

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
        for url in (page_url, self.base_url + HEALTH, self.base_url + HOST_CONFIG):
            status, _ = await self._http("GET", url)
            if status != 200:
                raise ProtocolError(f"GET {url} answered {status}")
        ws_url = re.sub(r"^http", "ws", self.base_url) + STREAM
        subprotocols = [SUBPROTOCOL] + ([self.cookies[XSRF_COOKIE]]
                                        if XSRF_COOKIE in self.cookies else [])
        self._ws = await websockets.connect(
            ws_url, subprotocols=subprotocols, origin=self.base_url,
            additional_headers={"Cookie": fetch.cookie_header(self.cookies)}, max_size=None,
            open_timeout=self.timeout, ping_interval=None)
        self._reader = asyncio.create_task(self._read(), name=f"student-{self.page}")
        await self._rerun(full=True)

    async def close(self) -> None:
        """Close the websocket and stop every timer (idempotent)."""
        self._closing = True
        self._clock.clear_timers()
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

    @property
    def timers(self) -> dict[str, float]:
        """The fragment timers set now: fragment id -> interval in seconds."""
        return self._clock.timers

    @property
    def acks(self) -> int:
        """``ui.pacer`` triggers sent (each asks for the next tick of a playing page)."""
        return self._clock.acks

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
            await self.wait_for(lambda s: s.idle, max(deadline - time.monotonic(), 0.01))
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
        body, content_type = fetch.multipart(filename, data, mime)
        status, _ = await self._http(
            "PUT", urllib.parse.urljoin(self.base_url + "/", info.upload_url.lstrip("/")),
            body, {"Content-Type": content_type,
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
            cs.cached_message_hashes.extend(self._cached_hashes())
        cs.context_info.timezone = "UTC"
        cs.context_info.locale = "en-US"
        if full and not fragment_id:
            self._full_run_asked()
        if not (states and any(w.json_trigger_value for w in states.widgets)):
            self._clock.drop_ack()   # a click or an upload: the tick it would ask for waits
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

    def _handle(self, msg: ForwardMsg) -> None:
        msg, kind = self._resolve(msg)
        if msg is None:
            return
        if kind == "new_session":
            ns = msg.new_session
            if ns.initialize.session_id:
                self.session_id = ns.initialize.session_id
            if not self._navigated:  # an app without st.navigation: this is the page
                self.page_script_hash = ns.page_script_hash or self.page_script_hash
            frags = list(msg.metadata.run.fragment_ids)
            self._run_began(fragment=bool(frags))
            if not frags:  # a full run: the browser clears every auto-rerun timer
                self._clock.drop_ack()
                self._clock.clear_timers()
        elif kind == "delta":
            self._delta(msg)
        elif kind == "navigation":
            # st.navigation: new_session names the main script, this message the page shown
            self._navigated = True
            self.page_script_hash = msg.navigation.page_script_hash or self.page_script_hash
        elif kind == "page_info_changed":
            self.query = msg.page_info_changed.query_string
        elif kind == "script_finished":
            redrew = self._finished(msg.script_finished)
            if redrew and self._run_pacer and self._run_pacer[2].get("armed"):
                self._clock.ack_later(*self._run_pacer)
        elif kind == "session_status_changed":
            if not msg.session_status_changed.script_is_running:
                self._running = False
        elif kind == "auto_rerun":
            self._clock.set_timer(msg.auto_rerun.fragment_id, msg.auto_rerun.interval)
        elif kind == "stop_auto_rerun":
            self._clock.stop_timers(msg.stop_auto_rerun.fragment_ids)
        elif kind == "file_urls_response":
            fut = self._url_waiters.get(msg.file_urls_response.response_id)
            if fut is not None and not fut.done():
                fut.set_result(msg.file_urls_response)
        elif kind == "page_not_found":
            self._error(f"protocol: page not found ({msg.page_not_found.page_name!r})")

    async def _http(self, method: str, url: str, body: bytes | None = None,
                    headers: dict[str, str] | None = None,
                    affinity: bool = True) -> tuple[int, bytes]:
        """One HTTP request with this session's cookies (kept from every answer; without the
        affinity cookie, neither sent nor kept, when ``affinity`` is False)."""
        status, data, set_cookies = await fetch.request(
            method, url, fetch.cookie_header(self.cookies, "" if affinity else AFFINITY_COOKIE),
            self.timeout, body, headers)
        if affinity:
            fetch.keep(self.cookies, set_cookies)
        return status, data
