"""Fair sharing of one server process among the sessions that are training at once.

All sessions of a Streamlit server run as threads of one process. A playing page ticks: train
until a wall-clock deadline (its speed's ``budget_s``), draw, wait for the next tick. The
deadline is wall time, so the sessions' training overlaps and shares the CPU; what a crowd
slows is everything else in the tick (drawing, sending, waiting for the interpreter lock),
and with it the redraws: ``budget_s + other`` seconds apart. :func:`budget` keeps that period
near ``fair_target_s`` by giving back to drawing what it needs::

    budget = clamp(fair_target_s - other_s, fair_floor_s, speed.budget_s)

where ``other_s`` is the time this session's last tick spent outside training. Alone, or with a
light class, it is the speed's own budget (``other_s`` is small); in a crowd it shrinks just
enough to keep the session redrawing, down to the floor (a step longer than the budget still
runs whole: one PPO update cannot be split).

Measured (15 sessions of the six default pages as threads of one process, 20 s, on the loaded
2-core machine): a budget shared by head count instead, ``fair_target_s × cores / n``, cut the
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

__all__ = ["Registry", "REGISTRY", "budget", "Load", "load", "CpuMeter"]


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


def budget(speed: Any, other_s: float | None, caps: Any = None) -> float:
    """This tick's training seconds (see the module docstring).

    Args:
        speed: the page's :class:`core.run.Speed`.
        other_s: seconds the session's previous tick spent outside training (drawing,
            sending, waiting for its next turn); None when there was no previous tick.
        caps: class mode's settings (default :func:`core.classroom.settings`).
    """
    if other_s is None:
        return speed.budget_s
    if caps is None:
        from core.classroom import settings
        caps = settings()
    return min(speed.budget_s, max(caps.fair_floor_s, caps.fair_target_s - other_s))


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
