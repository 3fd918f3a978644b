"""Fair sharing of one server process among the sessions that are training at once.

All sessions of a Streamlit server run as threads of one process. A playing page ticks: train
until a wall-clock deadline (its speed's ``budget_s``), draw, wait for the next tick. The
deadline is wall time, so the sessions' training overlaps and shares the CPU; what a crowd
slows is everything else in the tick (drawing, sending, waiting for the interpreter lock),
and with it the redraws. :class:`Steer` steers each session's period (from the start of one
tick's training to the start of the next: what a student sees as the time between redraws)
to ``fair_target_s``, one tick at a time::

    account = clamp(account + GAIN × (fair_target_s - min(period_s, 2 × fair_target_s)),
                    fair_floor_s - fair_target_s / 2, speed.budget_s)
    budget = max(account, fair_floor_s)

Alone, or with a light class, the period is short and the budget climbs to the speed's own; in
a crowd it shrinks until the session redraws every ``fair_target_s`` on average, down to the
floor (a step longer than the budget still runs whole: one transformer step cannot be split).
Steering the period itself, rather than subtracting the last tick's drawing time from the
target, also pays back what no single tick foresees: a step that overran the deadline, a
redraw that waited long for its turn. Measured (30 students on 2 replicas, 120 s runs, the
faster of the 2-core machines, 2026-12-04): the old rule kept a page's median period near the
target (0.85 s) but its mean, which sets redraws per second, at 0.84-1.09 s; steering the
period gave a class median of 1.12-1.16 redraws per second (the README's capacity section).

An earlier measurement stands (15 sessions of the six default pages as threads of one
process, 20 s): a budget shared by head count instead, ``fair_target_s × cores / n``, cut the
training steps of the whole process by 64 % (1,956 to 698) for 19 % more redraws (median 1.85
to 2.2 per second), because the deadlines overlap: the share it hands out was never the
bottleneck. The head count is still kept (:class:`Registry`): :func:`load` tells a student how
many sessions train beside theirs, with this process's CPU and the replica's name.
"""
from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable, Hashable

__all__ = ["Registry", "REGISTRY", "Steer", "GAIN", "Load", "load", "CpuMeter"]


class Registry:
    """Sessions playing in this process, each with the time of its last tick."""

    def __init__(self, expire_s: float = 5.0, clock: Callable[[], float] = time.monotonic):
        self.expire_s = expire_s
        self.clock = clock
        self._last: dict[Hashable, float] = {}
        self._lock = threading.Lock()

    def tick(self, key: Hashable) -> int:
        """Session ``key`` is playing (now); returns how many play, this one included."""
        now = self.clock()
        with self._lock:
            self._last[key] = now
            return self._count(now)

    def stop(self, key: Hashable) -> None:
        """Session ``key`` paused or went away: it stops counting at once."""
        with self._lock:
            self._last.pop(key, None)

    def playing(self) -> int:
        with self._lock:
            return self._count(self.clock())

    def _count(self, now: float) -> int:
        old = [k for k, t in self._last.items() if now - t > self.expire_s]
        for k in old:  # expired entries go, so the table stays as small as the class
            del self._last[k]
        return len(self._last)


REGISTRY = Registry()


#: how much of the last period's distance from the target one tick corrects
GAIN = 0.5


class Steer:
    """One session's training budget, steered tick by tick (see the module docstring).

    The account may run below the floor, by at most half a target period: a tick that
    waited long for its turn is then paid back by the next ones even though none of them can
    train less than the floor (without it, the mean period of the simulated crowd in
    ``tests/test_classmode.py`` stayed 7 % over the target). One period counts for at most
    two targets: a tick that came from the fallback timer (a lost ack, a hidden tab: 4 s)
    is not the crowd's doing."""

    def __init__(self) -> None:
        self.account: float | None = None

    def reset(self) -> None:
        """The session paused: its next tick starts again from the speed's own budget."""
        self.account = None

    def budget(self, speed: Any, period_s: float | None, caps: Any = None) -> float:
        """This tick's training seconds.

        Args:
            speed: the page's :class:`core.run.Speed`.
            period_s: seconds from the start of the previous tick's training to now; None on
                the first tick.
            caps: class mode's settings (default :func:`core.classroom.settings`).
        """
        if caps is None:
            from core.classroom.caps import settings
            caps = settings()
        if self.account is None or period_s is None:
            self.account = speed.budget_s
        else:
            lowest = caps.fair_floor_s - caps.fair_target_s / 2
            period_s = min(period_s, 2 * caps.fair_target_s)
            wanted = self.account + GAIN * (caps.fair_target_s - period_s)
            self.account = min(speed.budget_s, max(lowest, wanted))
        return max(caps.fair_floor_s, self.account)


class CpuMeter:
    """This process's CPU use (all threads) as a percentage of one core, averaged over at
    least ``window_s`` of wall time: ``time.process_time`` deltas over ``time.monotonic``."""

    def __init__(self, window_s: float = 2.0, wall: Callable[[], float] = time.monotonic,
                 cpu: Callable[[], float] = time.process_time):
        self.window_s, self.wall, self.cpu = window_s, wall, cpu
        self._lock = threading.Lock()
        self._t0, self._c0 = wall(), cpu()
        self.percent = 0.0

    def read(self) -> float:
        with self._lock:
            t, c = self.wall(), self.cpu()
            if t - self._t0 >= self.window_s:
                self.percent = 100.0 * (c - self._c0) / (t - self._t0)
                self._t0, self._c0 = t, c
            return self.percent


_CPU = CpuMeter()


@dataclass(frozen=True)
class Load:
    """What a student reads about the server: its name, sessions training, its CPU."""

    replica: str
    playing: int
    cpu_percent: float

    def sentence(self) -> str:
        name = f"Server {self.replica}" if self.replica else "This server"
        who = f"{self.playing} session{'s' if self.playing != 1 else ''} training"
        text = f"{name}: {who}, CPU {self.cpu_percent:.0f} %"
        if self.playing > 1:
            text += " — each gets a smaller share, so steps/s are lower"
        return text + "."


def load() -> Load:
    """This process's load now (replica name from ``ARCHLAB_REPLICA``)."""
    return Load(os.environ.get("ARCHLAB_REPLICA", ""), REGISTRY.playing(), _CPU.read())
