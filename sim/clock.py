"""What a browser does for a page on its own, between messages: fragment timers and acks.

A fragment with ``run_every`` does not tick by itself: the server sends ``auto_rerun`` (its
id and interval) and the browser sets a ``setInterval`` that asks for a rerun of that fragment
(``is_auto_rerun``) each interval, clearing every timer when a full run starts. A playing
ArchLab page ticks on acks (``ui.pacer``): its fragment ends with a component whose
JavaScript, once the tick is drawn and its interval has passed, sends the trigger ``drawn``
(a ``json_trigger_value`` on the component's ``…__events`` widget) and so asks for the next
tick. :class:`Clock` keeps the same timers, and sends the same trigger after the same wait as
a browser that draws instantly would, so a page that plays keeps playing.
"""
from __future__ import annotations

import asyncio
import json
from typing import Any, Awaitable, Callable

import websockets

from sim.wire import ProtocolError, WidgetStates, events_widget_id
from ui import pacer


class Clock:
    """The fragment timers and the pending ack of one session.

    Args:
        rerun: sends a rerun request, ``rerun(states=None, fragment_id="", auto=False,
            full=True)`` (:meth:`sim.student.Student._rerun`).
        min_interval: timers tick at least this many seconds apart (0: as the browser).
        name: the page, to name the tasks.

    Attributes:
        acks: pacer triggers sent (each asks for the next tick of a playing page).
    """

    def __init__(self, rerun: Callable[..., Awaitable[None]], min_interval: float = 0.0,
                 name: str = "") -> None:
        self._rerun = rerun
        self.min_interval = min_interval
        self.name = name
        self.acks = 0
        self._timers: dict[str, tuple[float, asyncio.Task]] = {}
        self._ack_task: asyncio.Task | None = None

    @property
    def timers(self) -> dict[str, float]:
        """The fragment timers set now: fragment id -> interval in seconds."""
        return {fid: iv for fid, (iv, _) in self._timers.items()}

    def set_timer(self, fragment_id: str, interval: float) -> None:
        """``auto_rerun``: a timer for the fragment (one already set at that interval stays)."""
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

    def stop_timers(self, fragment_ids: Any) -> None:
        """``stop_auto_rerun``: clear these fragments' timers."""
        for fid in fragment_ids:
            entry = self._timers.pop(fid, None)
            if entry:
                entry[1].cancel()

    def clear_timers(self) -> None:
        """Clear every timer (a full run starts; the session closes)."""
        for _, task in self._timers.values():
            task.cancel()
        self._timers.clear()

    def ack_later(self, cid: str, fragment_id: str, data: dict) -> None:
        """A run drew an armed pacer: its trigger goes after the pacer's wait."""
        self.drop_ack()
        self._ack_task = asyncio.get_running_loop().create_task(
            self._ack(cid, fragment_id, data), name=f"ack-{self.name}")

    def drop_ack(self) -> None:
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
        w.id = events_widget_id(cid)
        w.json_trigger_value = json.dumps([{"event": pacer.EVENT, "value": data.get("tick")}])
        self.acks += 1
        self._ack_task = None
        try:
            await self._rerun(states, fragment_id=fragment_id, full=not fragment_id)
        except (websockets.ConnectionClosed, ProtocolError):
            return

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
