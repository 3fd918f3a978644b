"""What a run remembers, in plain numpy: metric history, snapshot timeline, divergence.

No torch here: the compare page, the figures and the run store read these without importing
torch (a page that only compares runs starts ~2 s sooner).

Both containers stay bounded however long a run goes, and both thin *evenly*: when full, a
series keeps every other point it kept before and doubles its stride, so after any number of
steps the kept points are spread uniformly over the whole run (the start of a curve is as well
resolved as its end). The newest point is always kept as well, so a curve reaches the present.
"""
from __future__ import annotations

import io
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["History", "Timeline", "Divergence", "long_format", "empty_long"]


def empty_long() -> dict[str, np.ndarray]:
    return {"step": np.zeros(0, np.int64), "metric": np.zeros(0, object),
            "value": np.zeros(0, np.float32)}


class _Series:
    """One metric: points whose record index is a multiple of ``stride``, plus the newest."""

    __slots__ = ("steps", "values", "stride", "count", "tail")

    def __init__(self) -> None:
        self.steps: list[int] = []
        self.values: list[float] = []
        self.stride = 1
        self.count = 0  # points offered so far
        self.tail: tuple[int, float] | None = None  # newest point when not on the stride

    def add(self, step: int, value: float, cap: int) -> None:
        i = self.count
        self.count += 1
        if i % self.stride:
            self.tail = (step, value)
            return
        self.steps.append(step)
        self.values.append(value)
        self.tail = None
        if len(self.steps) > cap:  # halve the resolution over the whole run at once
            self.steps = self.steps[::2]
            self.values = self.values[::2]
            self.stride *= 2
            if i % self.stride:  # the point just added fell off the new stride: keep it as tail
                self.tail = (step, value)

    def arrays(self) -> tuple[list[int], list[float]]:
        if self.tail is None:
            return self.steps, self.values
        return self.steps + [self.tail[0]], self.values + [self.tail[1]]


class History:
    """Metric series recorded against the training step, at most ``cap`` (+1) points each.

    >>> h = History(cap=8)
    >>> for step in range(1, 1001):
    ...     h.record(step, {"loss": 1.0 / step})
    >>> s, _ = h.series("loss")
    >>> len(s) <= 9, int(s[0]), int(s[-1])
    (True, 1, 1000)
    >>> bool(np.all(np.diff(s[:-1]) == s[1] - s[0]))   # evenly spaced over the whole run
    True
    """

    def __init__(self, cap: int = 2000):
        self.cap = cap
        self._series: dict[str, _Series] = {}

    def record(self, step: int, metrics: dict[str, float]) -> None:
        for k, v in metrics.items():
            s = self._series.get(k)
            if s is None:
                s = self._series[k] = _Series()
            s.add(int(step), float(v), self.cap)

    def names(self) -> list[str]:
        return list(self._series)

    def series(self, name: str, upto: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        ser = self._series.get(name)
        steps, vals = ser.arrays() if ser is not None else ([], [])
        s = np.asarray(steps, dtype=np.int64)
        v = np.asarray(vals, dtype=np.float32)
        if upto is not None:
            keep = s <= upto
            s, v = s[keep], v[keep]
        return s, v

    def last(self, name: str, default: float = math.nan) -> float:
        ser = self._series.get(name)
        if ser is None:
            return default
        if ser.tail is not None:
            return ser.tail[1]
        return ser.values[-1] if ser.values else default

    def long_format(self, names: list[str] | None = None, upto: int | None = None,
                    max_points: int = 500) -> dict[str, np.ndarray]:
        """Columns ``step``, ``metric``, ``value`` for a chart, at most ``max_points`` a metric."""
        return long_format({n: self.series(n, upto) for n in (names or self.names())},
                           max_points)

    def to_csv(self) -> str:
        """One row per step, one column per metric (empty where a metric was not recorded)."""
        names = self.names()
        rows: dict[int, dict[str, float]] = {}
        for n in names:
            steps, vals = self._series[n].arrays()
            for s, v in zip(steps, vals):
                rows.setdefault(s, {})[n] = v
        out = io.StringIO()
        out.write(",".join(["step", *names]) + "\n")
        for s in sorted(rows):
            r = rows[s]
            out.write(",".join([str(s), *(f"{r[n]:.6g}" if n in r else "" for n in names)]) + "\n")
        return out.getvalue()

    # ---- persistence (plain lists and numbers: JSON, torch.save with weights_only) ----------
    def state(self) -> dict[str, Any]:
        return {"cap": self.cap,
                "steps": {k: list(s.steps) for k, s in self._series.items()},
                "values": {k: list(s.values) for k, s in self._series.items()},
                "stride": {k: s.stride for k, s in self._series.items()},
                "count": {k: s.count for k, s in self._series.items()},
                "tail": {k: list(s.tail) for k, s in self._series.items() if s.tail}}

    def load(self, state: dict[str, Any]) -> None:
        """Restore :meth:`state` output (older states without strides load as stride 1)."""
        self.cap = int(state["cap"])
        self._series = {}
        for k, steps in state["steps"].items():
            s = _Series()
            s.steps = [int(x) for x in steps]
            s.values = [float(x) for x in state["values"][k]]
            s.stride = int(state.get("stride", {}).get(k, 1))
            s.count = int(state.get("count", {}).get(k, len(s.steps) * s.stride))
            tail = state.get("tail", {}).get(k)
            s.tail = (int(tail[0]), float(tail[1])) if tail else None
            self._series[k] = s

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> "History":
        h = cls()
        h.load(state)
        return h


def long_format(series: dict[str, tuple[np.ndarray, np.ndarray]],
                max_points: int = 500) -> dict[str, np.ndarray]:
    """Long-format columns (step, metric, value) from ``{label: (steps, values)}``."""
    steps, metrics, values = [], [], []
    for n, (s, v) in series.items():
        if len(s) > max_points:
            idx = np.linspace(0, len(s) - 1, max_points).astype(int)
            s, v = s[idx], v[idx]
        steps.append(s)
        values.append(v)
        metrics.append(np.full(len(s), n, dtype=object))
    if not steps:
        return empty_long()
    return {"step": np.concatenate(steps), "metric": np.concatenate(metrics),
            "value": np.concatenate(values)}


class Timeline:
    """Up to ``cap`` snapshots taken during training, evenly spread over the run so far.

    A snapshot is offered every tick; it is kept when at least ``interval`` steps passed since
    the last one. When the timeline is full every other snapshot goes and the interval doubles,
    so the kept moments always cover the whole run.
    """

    def __init__(self, cap: int = 50, interval: int = 1):
        self.cap = cap
        self.interval = interval
        self.items: list[tuple[int, Any]] = []

    def due(self, step: int) -> bool:
        return not self.items or step - self.items[-1][0] >= self.interval

    def add(self, step: int, snap: Any) -> None:
        if self.items and self.items[-1][0] == step:
            self.items[-1] = (step, snap)
            return
        self.items.append((step, snap))
        if len(self.items) > self.cap:
            self.items = self.items[:-1:2] + self.items[-1:]
            self.interval *= 2

    def steps(self) -> list[int]:
        return [s for s, _ in self.items]

    def at(self, step: int) -> Any | None:
        """The snapshot taken at ``step`` or, failing that, the latest one before it."""
        best = None
        for s, snap in self.items:
            if s <= step:
                best = snap
        return best

    def latest(self) -> tuple[int, Any] | None:
        return self.items[-1] if self.items else None

    def clear(self) -> None:
        self.items.clear()


@dataclass(frozen=True)
class Divergence:
    """Why training stopped: which metric went non-finite (or exploded) at which step, or,
    for a family's declared alarm (core/alarms.py), what it saw in words (``reason``)."""

    step: int
    metric: str
    value: float
    suggestion: str
    reason: str = ""
    #: the run stopped learning (a loss stuck at chance level) rather than blew up
    stalled: bool = False

    @property
    def state(self) -> str:
        return "stalled" if self.stalled else "diverged"

    def message(self) -> str:
        if self.reason:
            return f"Training {self.state} at step {self.step}: {self.reason}. {self.suggestion}"
        what = "became NaN" if math.isnan(self.value) else (
            "became infinite" if math.isinf(self.value) else f"exploded to {self.value:.3g}")
        return f"Training diverged at step {self.step}: {self.metric} {what}. {self.suggestion}"
