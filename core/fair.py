"""Fair sharing of one server process among the sessions that are training at once.

All sessions of a Streamlit server run in one process, and training holds the interpreter
lock, so ``n`` playing sessions share about one core. A tick trains for its speed's budget and
then redraws; with a fixed budget ``b`` and drawing time ``d`` every session redraws once per
``n × (b + d)`` seconds, which for 15 sessions at the normal 0.25 s budget is one redraw every
4-5 s. :func:`budget` shares a fixed amount of training time per second among them instead::

    budget = clamp(fair_target_s × cores / n_playing, fair_floor_s, speed.budget_s)

(unchanged while ``n_playing ≤ cores``), so the cycle stays near
``fair_target_s + n × d``: with 0.25 s and 15 sessions each tick trains ~17 ms. The floor
keeps a tick from being all drawing; a step longer than the budget still runs whole.

The registry is process-wide and thread-safe: each playing session calls :meth:`Registry.tick`
once a tick; an entry not renewed for ``expire_s`` (a closed tab, a paused page) stops counting.
:func:`load` reports what the page shows a student: sessions playing here, this process's CPU
and the replica's name.
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


def budget(speed: Any, n_playing: int | None = None, caps: Any = None) -> float:
    """This tick's training seconds: the speed's budget, shrunk when more sessions play at
    once than the process has cores (see the module docstring). ``n_playing`` defaults to the
    registry's count; ``caps`` to :func:`core.classroom.settings`."""
    if caps is None:
        from core.classroom import settings
        caps = settings()
    n = REGISTRY.playing() if n_playing is None else n_playing
    if n <= caps.cores:
        return speed.budget_s
    share = caps.fair_target_s * caps.cores / n
    return min(speed.budget_s, max(caps.fair_floor_s, share))


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
