"""The ticking fragment: one tick of training (``core.live.tick``), the status row, the
timeline and the page's figures, rerun every tick while playing.

Ticks come from the browser's ack once it has drawn the last one (``ui.pacer``); the
fragment's timer is the fallback for a lost ack. While paused a timeline slider picks any kept
snapshot and every figure redraws from that moment.
"""
from __future__ import annotations

import time
from typing import Callable

import streamlit as st

from core import live
from core.imports import settled
from core.run import Speed
from core.training import Trainer
from ui import pacer
from ui.errors import guard
from ui.interrupt import click_pending
from ui.live.classmode import Off
from ui.live.state import LiveState, View


def ticker(page: str, s: LiveState, speed: Speed, hooks: Off,
           draw: Callable[[View], None]) -> None:
    """Mount the fragment for this run of the page."""
    t = s.trainer
    assert t is not None
    ticking = s.playing and t.diverged is None
    # ticks come from the browser's ack (ui.pacer); the timer is the fallback for a lost one
    fallback = max(pacer.FALLBACK_S, hooks.interval(speed)) if ticking else None
    drawn = (s.playing, t)   # what the controls above were drawn for

    @st.fragment(run_every=fallback)
    def fragment() -> None:
        t0 = time.perf_counter()
        tr = s.trainer
        if (s.playing, tr) != drawn:
            # a control outside the fragment (Pause, Step, Reset) took effect in a fragment
            # run: seen in chromium when a click and the pacer's ack went out as one message.
            # The controls, and the timer, are only redrawn by a full run.
            st.rerun(scope="app")
        if tr is None:
            return
        if not s.playing:
            live.settle(tr, s.lock)
        elif tr.diverged is None:
            if hooks.idle_stop(s):
                st.rerun(scope="app")  # stop the timer; the message shows on the full run
            this = hooks.speed(s, speed)
            live.tick(tr, this.budget_s, max_steps=this.max_steps, lock=s.lock,
                      stop=lambda: click_pending() or s.trainer is not tr)
            s.ticks += 1
            s.recent.append((time.perf_counter(), tr.step))
            if tr.diverged is not None:
                hooks.pause(s)
                st.rerun(scope="app")  # stop the timer; the message shows on the full run
        status(s, tr, hooks)
        view = moment(page, s, tr)
        with guard("drawing the figures"):
            settled()  # a module another session is importing is complete before figures use it
            draw(view)
        # last: the browser acks once everything above is drawn, and not before the interval
        pacer.pace(f"_pace_{page}", s.ticks, hooks.interval(speed) - (time.perf_counter() - t0),
                   armed=s.playing and tr.diverged is None)

    fragment()


def status(s: LiveState, t: Trainer, hooks: Off) -> None:
    """Step, steps/s, training time and state; class mode's load line; an RL update's
    progress; a divergence and what to do."""
    cols = st.columns(4)
    unit = getattr(t, "step_unit", "")  # what one step is, when not one batch (RL: an update)
    cols[0].metric("Step", f"{t.step:,} {unit}".strip(),
                   help=getattr(t, "step_help", None) or "Training steps so far.")
    cols[1].metric("Steps / s", f"{s.steps_per_s():,.0f}" if s.playing else "–",
                   help="Training steps per second of wall time in this page, drawing included.")
    cols[2].metric("Training time", f"{t.train_seconds:.1f} s")
    cols[3].metric("State", t.diverged.state if t.diverged else
                   ("training" if s.playing else "paused"))
    line = hooks.status()
    if line:
        st.caption(line)
    if t.in_parts and s.playing:  # always drawn while playing: a line that came and went
        # would move every chart below it, and the browser would plot them all again
        st.caption(f"Update {t.step + 1:,} in progress: {t.progress}." if t.pending else
                   f"Update {t.step:,} done; a crowded server spreads one over several ticks.")
    if t.diverged is not None:
        st.error(t.diverged.message() + " The figures below show the last good moments: use "
                 "the timeline to inspect them.", icon=":material/report:")


def moment(page: str, s: LiveState, t: Trainer) -> View:
    """The moment to draw: the newest while playing, else the one the timeline picks."""
    # The timeline's slot is there while playing too, empty: an element that appears above
    # the figures moves them to new positions, and the browser then plots every chart below
    # it again from scratch (graph page: most of a 1.3 s Pause, on top of the last tick).
    slot = st.container()
    steps = t.timeline.steps()
    if s.playing or len(steps) < 2:
        latest = t.timeline.latest()
        snap = latest[1] if latest else None
        return View(t, snap, t.step, True, s.playing, s.ticks)
    chosen = slot.select_slider(
        "Timeline: pick a moment of training to redraw every figure from it",
        options=steps, value=steps[-1], key=f"_moment_{page}_{len(steps)}_{steps[-1]}",
        format_func=lambda k: f"step {k:,}")
    snap = t.timeline.at(chosen)
    return View(t, snap, chosen, chosen == steps[-1], False, s.ticks)
