"""The control row (Play/Pause, Step, Reset, Pin run) and what its buttons do.

Button callbacks carry the intent they were drawn with ("play", "step from 41"), never a
toggle: while a page ticks, Streamlit can deliver one click to two runs, and a toggle would
then pause and immediately resume (seen in chromium: Pause did nothing).
"""
from __future__ import annotations

from typing import Any, Callable

import streamlit as st

from core.config import to_dict
from core.runs import compare
from core.training import Trainer
from ui.identity import owner
from ui.live import classmode
from ui.live.classmode import Off
from ui.live.state import LiveState, state
from ui.runs import save as save_run
from ui.runs import store


def set_playing(page: str, playing: bool, mode: Off) -> None:
    s = state(page)
    # only a real change resets: a Play click delivered twice must not reset a playing session
    if s.playing != playing:
        s.recent.clear()  # steps/s counts only time spent playing
        s.tick_at = None
        s.steer.reset()
    s.message = None
    classmode.stamp(s)
    if playing:
        s.playing = True
    else:
        mode.pause(s)


def train_action(s: LiveState, from_step: int, action: Callable[[Trainer], Any],
                 mode: Off | None = None) -> None:
    """Body of a training button's callback (Step, a page's "D only"...): pause, then run
    ``action(trainer)`` under the lock, once, even when Streamlit delivers the click twice
    (the button was drawn at ``from_step``; a second delivery finds the trainer past it).
    ``mode``: the class-mode object (default: this server's, ``classmode.hooks``)."""
    (mode or classmode.hooks()).pause(s)
    if s.trainer is not None:
        with s.lock:
            if s.trainer.step == from_step:
                action(s.trainer)
                s.trainer.record_snapshot(force=True)


def one_step(page: str, from_step: int, mode: Off | None = None) -> None:
    train_action(state(page), from_step, lambda t: t.run_steps(1), mode)


def reset(page: str, mode: Off | None = None) -> None:
    """Drop the page's trainer (it is rebuilt from the settings at step 0) and pause."""
    s = state(page)
    with s.lock:
        s.trainer = None
    s.message = None
    (mode or classmode.hooks()).pause(s)


def pin(page: str) -> None:
    """Keep the run as it is now: in this tab's list and in the run store (Compare page)."""
    s = state(page)
    if s.trainer is None:
        return
    pinned = st.session_state.setdefault("_pinned", [])
    t = s.trainer
    last = pinned[-1] if pinned else None
    if last and (last["page"], last["step"], last["seed"], last["config"]) == (
            page, t.step, t.seed, to_dict(t.config)):
        return  # the same moment of the same run pinned twice (a click delivered twice)
    # numbered among all this browser's kept runs of the page (a reload or another tab
    # numbered from 1 again, so two runs could both be "#1" on the Compare page)
    db = store()
    kept = db.list_runs(owner(), family=page, history=False, limit=10_000) if db else []
    n = max(len(kept), sum(r["page"] == page for r in pinned)) + 1
    with s.lock:
        rec = compare.pin(f"{page} #{n} (step {s.trainer.step})", page, s.trainer)
    rid, why = save_run(rec, owner())
    rec["id"] = rid
    pinned.append(rec)
    del pinned[:-12]  # this tab's copies stay bounded; the store keeps every pinned run
    s.message = (f"Pinned as run #{n}: open Compare runs in the sidebar." if rid else
                 f"Pinned as run #{n} in this tab only: {why}")


def row(page: str, s: LiveState, controls: Callable[[LiveState], None] | None,
        mode: Off) -> None:
    """The buttons, then the page's own (``controls(state)``, which must change the trainer
    under ``state.lock``), then the message a button left."""
    t = s.trainer
    assert t is not None
    c = st.columns([1.2, 1, 1, 1.2, 3])
    c[0].button("❚❚ Pause" if s.playing else "▶ Play", key=f"_play_{page}", type="primary",
                on_click=set_playing, args=(page, not s.playing, mode), width="stretch",
                disabled=t.diverged is not None)
    c[1].button("Step", key=f"_step_{page}", on_click=one_step, args=(page, t.step, mode),
                help="Train exactly one step, then pause.", width="stretch",
                disabled=t.diverged is not None)
    c[2].button("Reset", key=f"_reset_{page}", on_click=reset, args=(page, mode),
                help="New weights from the seed; training starts again at step 0.",
                width="stretch")
    c[3].button("Pin run", icon=":material/push_pin:", key=f"_pin_{page}", on_click=pin,
                args=(page,), width="stretch",
                help="Keep a copy of this run's curves and settings for the Compare page.")
    if controls is not None:
        with c[4]:
            controls(s)
    if s.message:
        st.info(s.message)
        s.message = None
