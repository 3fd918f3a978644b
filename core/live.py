"""The live tick: the one unit of work a playing page runs, outside Streamlit.

The page (``ui.live.ticker``), the bench's in-app cases (``bench.common.app_throughput``) and
the tests all call :func:`tick`, so a figure measured by the bench is the loop a student runs::

    res = tick(trainer, speed.budget_s, max_steps=speed.max_steps,
               lock=state.lock, stop=click_pending)      # the page: a click is waiting

A tick trains for ``budget_s`` in slices of :data:`SLICE_S` with ``lock`` taken per slice
(a button's callback waiting for the lock waits one slice, or one whole step when a step is
longer: after a tick's first step, steps are not cut inside), ends at the first step
boundary after ``stop()`` turns True, and then takes a snapshot when the trainer says one is
due (:meth:`core.training.Trainer.record_snapshot`: the timeline's spacing and the family's
declared snapshot cadence). A step written in parts (an RL update) may be cut at the deadline
only while the tick has ended no step, so a tick ends either inside its first step (left
pending for the next tick, nothing new to snapshot) or on a boundary.

A tick that ``stop()`` cut short takes no snapshot: the run the click asked for then draws the
moment already on the screen, and the browser, which remounts every plotly chart whose figure
changed, shows "paused" without drawing them all again (graph page: median Pause 1.55 s
before this rule, 1.06 s after). The paused page then snapshots the step its counter shows
(:func:`settle`).

The first tick of a trainer with an empty timeline snapshots step 0 before training, so the
figures always have a moment to draw from (the RL bench's in-app case crashed on a first tick
that ended inside an update and so had none).
"""
from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass
from typing import Any, Callable, ContextManager

from core.training import Trainer

__all__ = ["SLICE_S", "Tick", "tick", "settle"]

#: the lock is taken for slices this long (or one step, when a step is longer)
SLICE_S = 0.05


@dataclass(frozen=True)
class Tick:
    """What one :func:`tick` did: the steps it trained and whether it took a snapshot."""

    steps: int
    snapshot: bool


def _never() -> bool:
    return False


def tick(t: Trainer, budget_s: float, *, max_steps: int | None = None,
         stop: Callable[[], bool] = _never,
         lock: ContextManager[Any] | None = None) -> Tick:
    """Train ``t`` for one tick of ``budget_s`` seconds (at most ``max_steps`` steps), then
    snapshot when due; ``stop()`` (asked between steps) ends it early, without a snapshot.
    ``lock``: held around each slice of training and the snapshot (None: no lock)."""
    held = lock if lock is not None else contextlib.nullcontext()
    if not t.timeline.items and not t.pending:
        with held:
            t.record_snapshot(force=True)
    t_end = time.perf_counter() + budget_s
    left = max_steps
    done = 0
    while t.diverged is None and not stop():
        if done and not t.fits(t_end):
            break  # a tick that ended a step ends on its boundary (Trainer.fits)
        with held:
            res = t.run_for(min(SLICE_S, max(t_end - time.perf_counter(), 0.0)),
                            max_steps=left, stop=stop, cut=not done)
        done += res.steps
        if left is not None:
            left -= res.steps
        if (res.steps == 0 and not res.pending) or (left is not None and left <= 0) \
                or time.perf_counter() >= t_end:
            break
    if stop():
        return Tick(done, False)
    with held:
        before = t.timeline.latest()
        t.record_snapshot()
        return Tick(done, t.timeline.latest() is not before)


def settle(t: Trainer, lock: ContextManager[Any] | None = None) -> None:
    """A paused trainer as the page shows it: a step a tick left pending is finished (an RL
    update cut by its deadline), and the newest snapshot is of the step the counter shows
    (a snapshot costs 1-11 ms; a tick a click cut short took none)."""
    held = lock if lock is not None else contextlib.nullcontext()
    if t.pending:
        with held:
            t.finish_step()
            t.record_snapshot()
    latest = t.timeline.latest()
    if not t.pending and (latest is None or latest[0] != t.step):
        with held:
            t.record_snapshot(force=True)
