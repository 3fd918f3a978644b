"""Everything class mode (``core.classroom``) changes in the live panel, as one object.

The panel asks :func:`hooks` once per run and hands the object it gets to its parts (the
controls, the ticker, save/load; a button's callback gets it as an argument); with class mode
off that object is :class:`Off`, whose every method leaves things as they are, so the panel
has no class-mode branches of its own. Every path that stops a session playing (Pause, Step,
Reset, a divergence, a loaded checkpoint, the idle stop) goes through :meth:`Off.pause`.
On (:class:`On`):

- a trainer keeps the shorter history and timeline of the caps (:meth:`On.fit`);
- the browser asks for ticks at most every ``tick_interval_s`` (:meth:`On.interval`);
- a tick's training budget steers the session's redraw period to the class's target
  (:meth:`On.speed`, ``core.classroom.fair``), and a paused session stops counting at once;
- a session playing with nobody touching it for ``idle_stop_s`` pauses itself and lets its
  timeline go (:meth:`On.idle_stop`);
- the status row says how loaded the server is; a checkpoint upload is capped (the data
  uploaders of the pages apply class mode's cap themselves, ``ui.uploads``).
"""
from __future__ import annotations

import dataclasses
import time
from typing import Callable

import streamlit as st

from core import classroom
from core.classroom import fair
from core.run import Speed
from core.training import Trainer
from ui.live.state import LiveState

#: the clock of the idle stop (tests replace it)
clock: Callable[[], float] = time.monotonic


class Off:
    """Class mode off: nothing changes."""

    enabled = False

    def fit(self, t: Trainer) -> Trainer:
        return t

    def interval(self, speed: Speed) -> float:
        """Seconds between the ticks the browser asks for."""
        return speed.interval_s

    def speed(self, s: LiveState, speed: Speed) -> Speed:
        """The speed of this tick."""
        return speed

    def idle_stop(self, s: LiveState, poke: int | None = None) -> bool:
        return False

    def pause(self, s: LiveState) -> None:
        """Stop the session playing (every path that does goes through here)."""
        s.playing = False

    def status(self) -> str | None:
        """A line for the status row (None: nothing to say)."""
        return None

    def upload_limit_mb(self, default_bytes: int) -> int:
        return default_bytes // 10**6

    def upload_problem(self, size: int) -> str | None:
        return None


class On(Off):
    """Class mode on, with the caps ``caps`` (``core.classroom.ClassSettings``)."""

    enabled = True

    def __init__(self, caps: classroom.ClassSettings):
        self.caps = caps

    def fit(self, t: Trainer) -> Trainer:
        """The shorter history and timeline a class-mode session keeps."""
        t.history.cap = min(t.history.cap, self.caps.max_history_points)
        t.timeline.cap = min(t.timeline.cap, self.caps.max_timeline)
        return t

    def interval(self, speed: Speed) -> float:
        """At least ``tick_interval_s``: each ask is a request the server reads, tick
        running or not."""
        return max(speed.interval_s, self.caps.tick_interval_s)

    def speed(self, s: LiveState, speed: Speed) -> Speed:
        """The tick's budget steers the session's period between redraws to the class's
        target, so the session keeps redrawing in a crowd (core.classroom.fair). The period
        includes the pause the page asks the browser for (:meth:`interval`); the class's tick
        interval (0.5 s) is shorter than the target (0.8 s), so that pause alone never drives
        the budget down."""
        fair.REGISTRY.tick(id(s))
        now = time.perf_counter()
        period = None if s.tick_at is None else now - s.tick_at
        s.tick_at = now
        return dataclasses.replace(speed, budget_s=s.steer.budget(speed, period))

    def pause(self, s: LiveState) -> None:
        """Stop playing, and stop counting among the class's playing sessions at once."""
        s.playing = False
        fair.REGISTRY.stop(id(s))

    def status(self) -> str | None:
        return fair.load().sentence()

    def upload_limit_mb(self, default_bytes: int) -> int:
        return classroom.upload_limit_bytes(default_bytes) // 10**6

    def upload_problem(self, size: int) -> str | None:
        return classroom.upload_problem(size)

    def idle_stop(self, s: LiveState, poke: int | None = None) -> bool:
        """Pause a session that has played for ``idle_stop_s`` without a click, and let its
        timeline go (all but the newest moment). The model, its optimiser, the curves and
        the settings (in the link) stay, so Play carries on exactly where it stopped.
        Returns True when it paused; ``s.message`` then says so, with the memory let go.
        ``poke``: the widget digest (default: read from the session, :func:`poke`)."""
        if s.trainer is None:
            return False
        now, poke = clock(), _poke() if poke is None else poke
        if s.last_input is None or poke != s.poke:
            s.last_input, s.poke = now, poke
            return False
        idle_s = self.caps.idle_stop_s
        if now - s.last_input < idle_s:
            return False
        with s.lock:
            items, seen = s.trainer.timeline.items, set()
            classroom.snapshot_bytes(items[-1:], seen)  # what the kept moment shares stays
            freed = classroom.snapshot_bytes(items[:-1], seen)
            del items[:-1]
        self.pause(s)
        n, unit = (idle_s / 60, "minute") if idle_s % 60 == 0 else (idle_s, "second")
        s.message = (f"Paused after {n:g} {unit}{'s' if n != 1 else ''} without a click, to "
                     f"leave the server to the others; press Play to carry on. Your model, "
                     f"its curves and settings are kept; the timeline's older moments "
                     f"({freed / 1e6:.1f} MB) were let go.")
        return True


def _poke() -> int:
    """A digest of the session's plain widget values: it changes when the student acts."""
    plain = (bool, int, float, str, type(None))
    return hash(tuple(sorted((k, v) for k, v in st.session_state.items()
                             if isinstance(v, plain))))


def hooks() -> Off:
    """The class-mode object for this server's settings (read now: tests switch it)."""
    caps = classroom.settings()
    return On(caps) if caps.enabled else Off()


def stamp(s: LiveState) -> None:
    """A click was seen now (the idle stop's clock starts again)."""
    s.last_input = clock()


__all__ = ["Off", "On", "hooks", "stamp", "clock"]
