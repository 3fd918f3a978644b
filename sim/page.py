"""The page as a browser holds it, rebuilt from the server's ``ForwardMsg`` stream.

A run (a full run, or one fragment's) begins with ``new_session`` and ends with
``script_finished``; in between, ``delta`` messages draw elements at their delta paths, and a
``ref_hash`` stands for a big message the client said it had cached. :class:`Page` keeps what
the browser keeps: the elements drawn now, by path (so buttons are found by label), the
expanders, the message cache, and a frame for each run that redrew the page. What a browser
*does* on those messages (timers, acks, uploads) is :class:`sim.student.Student`'s.
"""
from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from typing import Any

from sim.wire import FINISHED, Element, ForwardMsg
from ui import pacer

#: what ui.errors.guard shows when a page fails (a traceback never reaches a student)
FAILURE_TEXT = "something went wrong"
#: the browser's forward-message cache keeps a message for this many finished runs
CACHE_AGE_RUNS = 2
#: ...and this client keeps it this many runs longer, unreported: a rerun request sent while
#: a run was going still names it, and the server may answer with a reference to it
CACHE_GRACE_RUNS = 4


@dataclass
class Tick:
    """A finished run as this client saw it: when, full or fragment, the Step metric then."""

    t: float
    kind: str  # "full" | "fragment"
    step: int | None


def _digits(text: str) -> int | None:
    m = re.match(r"\s*([\d,]+)", text or "")
    return int(m.group(1).replace(",", "")) if m else None


class Page:
    """What a browser holds of one page, from the messages the server sent it.

    Args:
        page_slug: the page's url path (``"autoencoder"``; ``""`` for home).
        cache: keep cacheable messages as the browser does (and tell the server so: it then
            sends ``ref_hash`` references for elements it would send again unchanged).

    Attributes:
        frames: ``(time.monotonic(), kind)`` per finished run, kind "full" or "fragment".
        ticks: the same runs as :class:`Tick`, with the Step metric at their end.
        errors: exception elements, "Something went wrong" errors and protocol errors.
        alerts: every ``st.error`` text received (also refusals a page shows on purpose).
        elements: what is drawn now, by delta path: (element, fragment id or "").
        expanders: the expanders drawn now, by delta path: (block, fragment id or "").
    """

    def __init__(self, page_slug: str, cache: bool = True) -> None:
        self.page = page_slug.strip("/")
        self.cache = cache
        self.frames: list[tuple[float, str]] = []
        self.ticks: list[Tick] = []
        self.errors: list[str] = []
        self.alerts: list[str] = []
        self.elements: dict[tuple[int, ...], tuple[Element, str]] = {}
        self.expanders: dict[tuple[int, ...], tuple[Any, str]] = {}
        self._cache: dict[str, tuple[ForwardMsg, int]] = {}  # hash -> (msg, run number)
        self._runs_finished = 0
        self._running = False
        self._run_is_fragment = False
        self._run_paths: set[tuple[int, ...]] = set()
        self._run_drew_step = False
        self._run_started = 0.0
        self._run_pacer: tuple[str, str, dict] | None = None  # (id, fragment, data) this run
        self._full_wanted = 0.0       # when the last full rerun was asked for
        self._full_done_at = -1.0     # when the newest full run that began after it ended

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

    def media_urls(self) -> list[str]:
        """The addresses of the images drawn now (``st.image``: files kept by the session's
        server, so only the replica that drew them has them)."""
        return [img.url for el, _ in self.elements.values() if el.WhichOneof("type") == "imgs"
                for img in el.imgs.imgs if img.url]

    @property
    def running(self) -> bool:
        """A run (full or fragment) is in progress on the server."""
        return self._running

    @property
    def idle(self) -> bool:
        """The full run asked for last has finished, and no run is going."""
        return self._full_done_at >= self._full_wanted and not self._running

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

    # ---- reading the server's messages ------------------------------------------------------
    def _resolve(self, msg: ForwardMsg) -> tuple[ForwardMsg | None, str]:
        """The message and its kind, a ``ref_hash`` replaced by the cached message it names
        (None when it is not in the cache); a cacheable message is kept."""
        kind = msg.WhichOneof("type")
        if kind == "ref_hash":
            cached = self._cache.get(msg.ref_hash)
            if cached is None:
                self._error(f"protocol: ref_hash {msg.ref_hash} not in the cache")
                return None, kind
            full = ForwardMsg()
            full.CopyFrom(cached[0])
            full.metadata.CopyFrom(msg.metadata)
            self._cache[msg.ref_hash] = (cached[0], self._runs_finished)
            return full, "delta"
        if msg.metadata.cacheable and msg.hash and self.cache:
            self._cache[msg.hash] = (msg, self._runs_finished)
        return msg, kind

    def _cached_hashes(self) -> list[str]:
        """The messages to report as cached with a rerun request (the browser's age limit)."""
        fresh = self._runs_finished - CACHE_AGE_RUNS
        return [h for h, (_, n) in self._cache.items() if n >= fresh]

    def _full_run_asked(self) -> None:
        self._full_wanted = time.monotonic()

    def _run_began(self, fragment: bool) -> None:
        self._running = True
        self._run_is_fragment = fragment
        self._run_started = time.monotonic()
        self._run_paths = set()
        self._run_drew_step = False
        self._run_pacer = None

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

    def _finished(self, status: int) -> bool:
        """A run ended; True when it redrew the page. A full run counts as a frame when it
        finished; a fragment run when it drew the page's status row (Step) and was not stopped
        by an error. Streamlit reports a fragment run that completed as
        FINISHED_EARLY_FOR_RERUN whenever the next timer rerun is already queued at its end
        (nearly always while a page plays), so the status alone does not say whether it
        redrew."""
        now = time.monotonic()
        if status == FINISHED.FINISHED_WITH_COMPILE_ERROR:
            self._error("script: compile error")
        full_done = status == FINISHED.FINISHED_SUCCESSFULLY and not self._run_is_fragment
        frag_done = self._run_is_fragment and self._run_drew_step and status in (
            FINISHED.FINISHED_FRAGMENT_RUN_SUCCESSFULLY, FINISHED.FINISHED_EARLY_FOR_RERUN)
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
        if status != FINISHED.FINISHED_EARLY_FOR_RERUN or self._run_is_fragment:
            self._runs_finished += 1
            old = self._runs_finished - CACHE_AGE_RUNS - CACHE_GRACE_RUNS
            for h in [h for h, (_, n) in self._cache.items() if n < old]:
                del self._cache[h]
        self._running = False
        return full_done or frag_done

    def _error(self, text: str) -> None:
        self.errors.append(text)
