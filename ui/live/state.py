"""What a page keeps per session (:class:`LiveState`) and what its figure code gets
(:class:`View`)."""
from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass, field
from typing import Any

import streamlit as st

from core.classroom import fair
from core.training import Trainer
from ui import deferred


@dataclass
class LiveState:
    """What one page keeps per session: the trainer, its lock and the play state.

    The trainer lives in ``st.session_state`` (one per session and page, never shared) with a
    lock beside it: a full rerun, or a button's callback, may start while a tick trains."""

    trainer: Trainer | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)
    playing: bool = False
    ticks: int = 0
    recent: deque = field(default_factory=lambda: deque(maxlen=12))  # (time, step)
    message: str | None = None
    data_key: Any = None  # identifies user data (an upload) the trainer was built on
    last_input: float | None = None  # class mode: clock() at the last click seen (idle stop)
    poke: int | None = None  # a digest of the session's widget values at that click
    # class mode's fair budget (core.classroom.fair) and when the last tick's training began
    steer: fair.Steer = field(default_factory=fair.Steer)
    tick_at: float | None = None  # perf_counter()

    def steps_per_s(self) -> float:
        """Training steps per second of wall time over the last few ticks."""
        if len(self.recent) < 2:
            return 0.0
        (t0, k0), (t1, k1) = self.recent[0], self.recent[-1]
        return (k1 - k0) / (t1 - t0) if t1 > t0 else 0.0


@dataclass
class View:
    """What ``draw`` gets: the trainer and the moment to draw."""

    trainer: Trainer
    snapshot: dict[str, Any] | None
    step: int
    live: bool
    playing: bool
    tick: int

    @property
    def upto(self) -> int | None:
        """History cut-off: None when live, the snapshot's step when scrubbing back."""
        return None if self.live else self.step

    def history(self, names: list[str] | None = None, max_points: int = 400) -> dict:
        return self.trainer.history.long_format(names, upto=self.upto, max_points=max_points)

    def below_fold(self, key: str) -> bool:
        """Whether to draw the figures under the first screen in this frame: always while
        playing, and on a session's first frame of a page once the browser has drawn those
        above (``ui.deferred``), so the first screen is not kept waiting for them."""
        return self.playing or deferred.shown(key)


def state(page: str) -> LiveState:
    """The page's live state in this session (created empty on first use)."""
    key = f"_live_{page}"
    if key not in st.session_state:
        st.session_state[key] = LiveState()
    return st.session_state[key]
