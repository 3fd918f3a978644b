"""The Trainer base every family builds on (torch); history and timeline live in
:mod:`core.history` (numpy only).

A family subclasses :class:`Trainer`, declares its metrics and fills in four methods::

    class AETrainer(Trainer):
        config_cls = AEConfig
        metrics = (Metric("loss", "Training loss", unit="nats"), ...)   # core/metrics.py

        def build(self):             # model, data, and optimisers declared with add_optimizer
            self.add_optimizer("opt", lambda: torch.optim.Adam(...), lr_field="lr")
        def train_step(self) -> dict[str, float]:   # one unit of work, metrics out
        def evaluate(self) -> dict[str, float]:     # optional: held-out metrics (cheap)
        def snapshot(self) -> AESnapshot:           # a small dataclass of numpy arrays

It gets ``run_for(seconds)``, divergence detection, history, the timeline of snapshots (at
the cadence the family declares, ``snapshot_every_s``) and ``state_dict``/``load_state_dict``
for free (declared optimisers live in :mod:`core.optimisers`, checkpoints in
:mod:`core.checkpoint`). The live page's unit of work, a tick, is :func:`core.live.tick` on
top of these.

A family whose one step is long (an RL update: a rollout, then 20 epochs) may instead write
``train_parts``, a generator that yields a short progress text between parts of the step and
returns its metrics. ``run_for`` then stops at its deadline between parts and the next call
carries on where it stopped, so a crowded server's tick stays short; the arithmetic, and so the
run, is the same however the step is cut. Between parts the step is *pending*: no snapshot is
taken of a half-done step, and anything that needs a whole step (``run_steps``, a live change,
``state_dict``) finishes it first (:meth:`Trainer.finish_step`).

No field is special by name here: each optimiser says which config field is its learning rate
(and its schedule), and the base applies live changes and divergence advice from that.

Seeding: the constructor seeds python, numpy and torch, and gives the subclass ``self.rng``
(numpy) and ``self.gen`` (torch) to draw from, so two trainers built with the same config and seed
train identically step for step.
"""
from __future__ import annotations

import math
import random
import time
from dataclasses import dataclass
from typing import Any, Callable, Generator

import numpy as np
import torch

from core.alarms import Alarm, Watch
from core.checkpoint import Checkpoints, WrongCheckpoint
from core.config import Config, changed_fields, needs_rebuild
from core.history import Divergence, History, Timeline
from core.metrics import Metric
from core.optimisers import DrivenOptimizer, Optimisers

__all__ = ["Trainer", "DrivenOptimizer", "TickResult", "seed_everything", "drive", "time_to_target",
           "History", "Timeline", "Divergence", "WrongCheckpoint"]

#: metric values past this magnitude count as an explosion even when still finite
EXPLODED = 1e8


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


def drive(parts: Generator[Any, None, Any]) -> Any:
    """Run a generator of parts (:meth:`Trainer.train_parts`) to its end; its return value."""
    try:
        while True:
            next(parts)
    except StopIteration as end:
        return end.value


@dataclass(frozen=True)
class TickResult:
    """What one call of :meth:`Trainer.run_for` did."""

    steps: int
    seconds: float
    diverged: Divergence | None
    #: the tick ended inside a step (:meth:`Trainer.train_parts`); the next one resumes it
    pending: bool = False


class Trainer(Optimisers, Checkpoints):
    """Base of every family's trainer. Subclasses set ``config_cls``, ``metrics`` and the
    four methods; optimisers are declared in ``build`` with :meth:`add_optimizer`."""

    config_cls: type[Config] = Config
    #: every metric the family can emit (see core/metrics.py); charts, exports and sweeps read it
    metrics: tuple[Metric, ...] = ()
    #: metrics evaluated on held-out data every ``eval_every`` steps (0: never)
    eval_every: int = 50
    #: how many timeline snapshots to keep
    timeline_cap: int = 50
    #: also count as divergence ``explode_metric`` growing past this many times its first value
    #: (None: only non-finite values or values past ``EXPLODED``). Catches a learning rate that
    #: throws the loss up by orders of magnitude and then leaves the network dead but finite.
    explode_factor: float | None = None
    explode_metric: str = "loss"
    #: what else counts as a failed run for this family: a finite loss far above what a model
    #: that learnt nothing scores, a loss stuck at chance level at a far too high learning
    #: rate, samples collapsed onto one point (core/alarms.py); checked on every step's
    #: metrics, held-out ones at evaluation points
    alarms: tuple[Alarm, ...] = ()
    #: what a snapshot costs, as the training seconds a tick's snapshot waits for since the
    #: last one (0: every tick, as the timeline's spacing allows). A family whose snapshot is
    #: a few training steps' worth of work (decoding an example, unrolling a recurrent net)
    #: sets it so snapshots stay a small share of a tick. The clock is the CPU time of the
    #: training thread (``train_cpu``), not wall time: on a loaded server a wall-clock cadence
    #: would snapshot after ever fewer steps and spend a growing share of the tick on figures.
    snapshot_every_s: float = 0.0

    def __init__(self, config: Config, seed: int = 0):
        if not isinstance(config, self.config_cls):
            raise TypeError(f"Expect {self.config_cls.__name__}, actually {type(config).__name__}")
        self.config = config
        self.seed = int(seed)
        self.step = 0
        self.history = History()
        self.timeline = Timeline(cap=self.timeline_cap)
        self.diverged: Divergence | None = None
        self.train_seconds = 0.0
        self.train_cpu = 0.0              # CPU seconds of the threads that trained
        self._snap_cpu: float | None = None  # train_cpu at the newest cadenced snapshot
        self._first: float | None = None  # first value of explode_metric
        self._watch = Watch()             # where each declared alarm started to hold
        self._optims: dict[str, DrivenOptimizer] = {}
        self._pending: Generator[str, None, dict[str, float]] | None = None
        self._work = 0.0                  # seconds spent so far in the pending step's parts
        self.progress: str | None = None  # the pending step's last progress text
        self.step_seconds = 0.0           # working seconds of the last step (see fits)
        seed_everything(self.seed)
        self.rng = np.random.default_rng(self.seed)
        self.gen = torch.Generator().manual_seed(self.seed)
        self.build()

    # ---- to implement -----------------------------------------------------------------------
    def build(self) -> None:
        """Create model, optimisers (:meth:`add_optimizer`) and data from ``self.config``."""
        raise NotImplementedError

    def train_parts(self) -> Generator[str, None, dict[str, float]]:
        """One step in parts: yield a progress text after each part, return the metrics.
        The default is :meth:`train_step` whole (one part, nothing yielded)."""
        return self.train_step()
        yield ""  # unreachable: makes this a generator function

    def train_step(self) -> dict[str, float]:
        """One unit of work; returns its metrics (floats). Must not raise on NaN."""
        raise NotImplementedError

    def evaluate(self) -> dict[str, float]:
        """Held-out metrics, called every ``eval_every`` steps. Keep it cheap."""
        return {}

    def snapshot(self) -> Any:
        """What the figures need (a small dataclass of numpy arrays), computed without
        changing training state."""
        return None

    def modules(self) -> dict[str, torch.nn.Module]:
        """Named modules saved by ``state_dict``. Defaults to ``self.model``."""
        model = getattr(self, "model", None)
        return {"model": model} if model is not None else {}

    # ---- provided ---------------------------------------------------------------------------
    def _check(self, metrics: dict[str, float]) -> Divergence | None:
        for k, v in metrics.items():
            if not math.isfinite(v) or abs(v) > EXPLODED:
                return Divergence(self.step, k, float(v), self.suggestion(k))
        v = metrics.get(self.explode_metric)
        if self.explode_factor is not None and v is not None:
            if self._first is None:
                self._first = abs(v)
            elif abs(v) > self.explode_factor * max(self._first, 1e-6):
                return Divergence(self.step, self.explode_metric, float(v),
                                  self.suggestion(self.explode_metric))
        for i, alarm in enumerate(self.alarms):
            if self._watch.fired(alarm, i, self, self.step, metrics):
                v = float(metrics[alarm.metric])
                labels = {m.name: m.label for m in self.metrics}
                label = labels.get(alarm.metric, alarm.metric)
                advice = (alarm.advice(self) if alarm.advice is not None
                          else self.suggestion(alarm.metric))
                return Divergence(self.step, alarm.metric, v, advice,
                                  reason=alarm.reason(self, label, v, self._watch.limit),
                                  stalled=alarm.stalled)
        return None

    def do_step(self) -> dict[str, float]:
        """One train step with bookkeeping: schedules, history, evaluation, divergence check
        (the rest of the pending step, when one is)."""
        m = self._advance(None)
        assert m is not None
        return m

    @property
    def pending(self) -> bool:
        """A step is half done (a tick's deadline fell between two of its parts)."""
        return self._pending is not None

    def finish_step(self) -> bool:
        """Finish the pending step, if there is one; True when there was."""
        if self._pending is None:
            return False
        t0, c0 = time.perf_counter(), time.thread_time()
        self.do_step()
        self.train_seconds += time.perf_counter() - t0
        self.train_cpu += time.thread_time() - c0
        return True

    @property
    def in_parts(self) -> bool:
        """This family writes its step as :meth:`train_parts` (a long step, cut by ticks)."""
        return type(self).train_parts is not Trainer.train_parts

    def fits(self, deadline: float) -> bool:
        """Whether a new step is expected to end by ``deadline``. Whole-step families always
        say yes (a tick may overshoot by one short step, as it always has); a family in
        parts says so when its last step's working time fits in what is left, so a tick
        that finished a step ends on that step's boundary rather than inside the next."""
        return not self.in_parts or time.perf_counter() + self.step_seconds <= deadline

    def _advance(self, deadline: float | None) -> dict[str, float] | None:
        """Work on the current step, starting one when none is pending, until it ends (its
        metrics) or, between two of its parts, ``deadline`` passes (None: still pending)."""
        t0 = time.perf_counter()
        if self._pending is None:
            if self.diverged is not None:
                return {}
            for d in self._optims.values():
                if d.schedule is not None:
                    self._set_lr(d)
            self._pending, self._work = self.train_parts(), 0.0
        try:
            while True:
                self.progress = next(self._pending)
                if deadline is not None and time.perf_counter() >= deadline:
                    self._work += time.perf_counter() - t0
                    return None
        except StopIteration as end:
            raw = end.value
        except BaseException:
            self._pending, self.progress = None, None  # a step that raised cannot resume
            raise
        self._pending, self.progress = None, None
        self.step_seconds = self._work + time.perf_counter() - t0
        metrics = {k: float(v) for k, v in raw.items()}
        self.step += 1
        bad = self._check(metrics)
        if bad is not None:
            self.diverged = bad
            return metrics
        if self.eval_every and self.step % self.eval_every == 0:
            with torch.no_grad():
                ev = self.evaluate()
            metrics.update(ev)
            bad = self._check(ev)
            if bad is not None:
                self.diverged = bad
        self.history.record(self.step, metrics)
        return metrics

    def _loop(self, max_steps: int | None, deadline: float | None,
              stop: Callable[[], bool] | None, cut: bool = True) -> TickResult:
        """The one training loop: at least one step, then until a bound says stop.
        ``stop()`` is asked between steps only. A family in parts (:meth:`train_parts`) may
        have its first step here cut at ``deadline`` (when ``cut``; it then stays pending);
        once a step has ended, the loop starts another only if it :meth:`fits`."""
        t0, c0 = time.perf_counter(), time.thread_time()
        done = 0
        while self.diverged is None and (max_steps is None or done < max_steps):
            if done and stop is not None and stop():
                break
            if done and deadline is not None and not self.fits(deadline):
                break
            if self._advance(deadline if cut and not done else None) is None:
                break  # cut inside the step: it stays pending
            done += 1
            if deadline is not None and time.perf_counter() >= deadline:
                break
        dt = time.perf_counter() - t0
        self.train_seconds += dt
        self.train_cpu += time.thread_time() - c0
        return TickResult(done, dt, self.diverged, pending=self.pending)

    def run_steps(self, n: int) -> TickResult:
        """Exactly ``n`` steps (fewer if training diverges)."""
        if n <= 0:
            return TickResult(0, 0.0, self.diverged)
        return self._loop(n, None, None)

    def run_for(self, seconds: float, max_steps: int | None = None,
                stop: Callable[[], bool] | None = None, cut: bool = True) -> TickResult:
        """As many steps as fit in ``seconds`` (at least one unless diverged, or one part of
        a step written as :meth:`train_parts`, which then stays pending for the next call);
        ``stop()`` is asked between steps, so a Pause click ends a tick after the current
        step."""
        return self._loop(max_steps, time.perf_counter() + seconds, stop, cut)

    def snapshot_due(self) -> bool:
        """Whether a tick's snapshot is due: the timeline's spacing in steps, and the family's
        cadence in training seconds (:attr:`snapshot_every_s`)."""
        if not self.timeline.due(self.step):
            return False
        return (not self.snapshot_every_s or self._snap_cpu is None
                or self.train_cpu - self._snap_cpu >= self.snapshot_every_s)

    def record_snapshot(self, force: bool = False) -> Any:
        """Take a snapshot into the timeline when one is due (:meth:`snapshot_due`), or now
        with ``force``; never of a half-done step (the timeline's moment ``k`` is the model
        after ``k`` whole steps). Returns the newest snapshot."""
        if self._pending is None and (force or self.snapshot_due()):
            with torch.no_grad():
                self.timeline.add(self.step, self.snapshot())
            self._snap_cpu = self.train_cpu
        latest = self.timeline.latest()
        return latest[1] if latest else None

    def apply_live(self, new: Config) -> bool:
        """Take ``new`` without rebuilding when only live fields changed. False: rebuild needed."""
        if needs_rebuild(self.config, new):
            return False
        self.finish_step()  # a change takes effect between steps, as when steps were whole
        changed = changed_fields(self.config, new)
        self.config = new
        for d in self._optims.values():
            if d.lr_field in changed:
                self._set_lr(d)
        self.on_live_change(changed)
        return True

    def on_live_change(self, changed: set[str]) -> None:
        """Hook for live fields other than learning rates (beta, noise level...)."""


def time_to_target(make: Callable[[], Trainer], reached: Callable[[Trainer], bool],
                   budget_s: float, check_every_s: float = 0.05,
                   max_steps: int | None = None) -> tuple[float | None, int, Trainer]:
    """Train until ``reached(trainer)``; returns (training seconds or None, steps, trainer).

    Only the time inside ``run_for`` counts: the checks are not training.
    """
    t = make()
    while t.train_seconds < budget_s and t.diverged is None:
        t.run_for(check_every_s)
        with torch.no_grad():
            if reached(t):
                return t.train_seconds, t.step, t
        if max_steps is not None and t.step >= max_steps:
            break
    return None, t.step, t
