"""The Trainer base every family builds on, with its bounded history and snapshot timeline.

A family subclasses :class:`Trainer` and fills in four methods::

    class AETrainer(Trainer):
        def build(self):             # model, optimiser, data; everything seeded already
        def train_step(self) -> dict[str, float]:   # one unit of work, metrics out
        def evaluate(self) -> dict[str, float]:     # optional: held-out metrics (cheap)
        def snapshot(self) -> dict[str, np.ndarray]: # what the figures need, numpy only

and gets ``run_for(seconds)``, divergence detection, history, the timeline of snapshots,
``state_dict``/``load_state_dict`` and ``tick`` (the unit of work the live page runs) for free.

Seeding: the constructor seeds python, numpy and torch, and gives the subclass ``self.rng``
(numpy) and ``self.gen`` (torch) to draw from, so two trainers built with the same config and seed
train identically step for step.
"""
from __future__ import annotations

import io
import math
import random
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
import torch

from core.config import Config, changed_fields, needs_rebuild, to_dict

__all__ = ["Trainer", "History", "Timeline", "Divergence", "TickResult", "seed_everything",
           "time_to_target", "warm_up"]

torch.set_num_threads(1)  # all sessions share one process: one thread each is fastest (DESIGN 8)

#: metric values past this magnitude count as an explosion even when still finite
EXPLODED = 1e8


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


class History:
    """Metric series, bounded: past ``cap`` points a series keeps every other point.

    Every metric is recorded against the training step. Thinning keeps the first and the
    newest points, so curves keep their shape while memory stays O(cap) per metric.
    """

    def __init__(self, cap: int = 2000):
        self.cap = cap
        self.steps: dict[str, list[int]] = {}
        self.values: dict[str, list[float]] = {}

    def record(self, step: int, metrics: dict[str, float]) -> None:
        for k, v in metrics.items():
            s = self.steps.setdefault(k, [])
            vals = self.values.setdefault(k, [])
            s.append(int(step))
            vals.append(float(v))
            if len(s) > self.cap:
                self.steps[k] = s[:-1:2] + s[-1:]
                self.values[k] = vals[:-1:2] + vals[-1:]

    def names(self) -> list[str]:
        return list(self.steps)

    def series(self, name: str, upto: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        s = np.asarray(self.steps.get(name, []), dtype=np.int64)
        v = np.asarray(self.values.get(name, []), dtype=np.float32)
        if upto is not None:
            keep = s <= upto
            s, v = s[keep], v[keep]
        return s, v

    def last(self, name: str, default: float = math.nan) -> float:
        vals = self.values.get(name)
        return vals[-1] if vals else default

    def long_format(self, names: list[str] | None = None, upto: int | None = None,
                    max_points: int = 500) -> dict[str, np.ndarray]:
        """Columns ``step``, ``metric``, ``value`` for a chart, at most ``max_points`` a metric."""
        steps, metrics, values = [], [], []
        for n in names or self.names():
            s, v = self.series(n, upto)
            if len(s) > max_points:
                idx = np.linspace(0, len(s) - 1, max_points).astype(int)
                s, v = s[idx], v[idx]
            steps.append(s)
            values.append(v)
            metrics.append(np.full(len(s), n, dtype=object))
        if not steps:
            return {"step": np.zeros(0, np.int64), "metric": np.zeros(0, object),
                    "value": np.zeros(0, np.float32)}
        return {"step": np.concatenate(steps), "metric": np.concatenate(metrics),
                "value": np.concatenate(values)}

    def to_csv(self) -> str:
        """One row per step, one column per metric (empty where a metric was not recorded)."""
        names = self.names()
        rows: dict[int, dict[str, float]] = {}
        for n in names:
            for s, v in zip(self.steps[n], self.values[n]):
                rows.setdefault(s, {})[n] = v
        out = io.StringIO()
        out.write(",".join(["step", *names]) + "\n")
        for s in sorted(rows):
            r = rows[s]
            out.write(",".join([str(s), *(f"{r[n]:.6g}" if n in r else "" for n in names)]) + "\n")
        return out.getvalue()

    def state(self) -> dict[str, Any]:
        return {"cap": self.cap, "steps": self.steps, "values": self.values}

    def load(self, state: dict[str, Any]) -> None:
        self.cap = int(state["cap"])
        self.steps = {k: [int(x) for x in v] for k, v in state["steps"].items()}
        self.values = {k: [float(x) for x in v] for k, v in state["values"].items()}


class Timeline:
    """Up to ``cap`` snapshots taken during training, evenly spread over the run so far.

    A snapshot is offered every tick; it is kept when at least ``interval`` steps passed since
    the last one. When the timeline is full every other snapshot goes and the interval doubles,
    so the kept moments always cover the whole run.
    """

    def __init__(self, cap: int = 50, interval: int = 1):
        self.cap = cap
        self.interval = interval
        self.items: list[tuple[int, dict[str, Any]]] = []

    def due(self, step: int) -> bool:
        return not self.items or step - self.items[-1][0] >= self.interval

    def add(self, step: int, snap: dict[str, Any]) -> None:
        if self.items and self.items[-1][0] == step:
            self.items[-1] = (step, snap)
            return
        self.items.append((step, snap))
        if len(self.items) > self.cap:
            self.items = self.items[:-1:2] + self.items[-1:]
            self.interval *= 2

    def steps(self) -> list[int]:
        return [s for s, _ in self.items]

    def at(self, step: int) -> dict[str, Any] | None:
        """The snapshot taken at ``step`` or, failing that, the latest one before it."""
        best = None
        for s, snap in self.items:
            if s <= step:
                best = snap
        return best

    def latest(self) -> tuple[int, dict[str, Any]] | None:
        return self.items[-1] if self.items else None

    def clear(self) -> None:
        self.items.clear()


@dataclass(frozen=True)
class Divergence:
    """Why training stopped: which metric went non-finite (or exploded) at which step."""

    step: int
    metric: str
    value: float
    suggestion: str

    def message(self) -> str:
        what = "became NaN" if math.isnan(self.value) else (
            "became infinite" if math.isinf(self.value) else f"exploded to {self.value:.3g}")
        return f"Training diverged at step {self.step}: {self.metric} {what}. {self.suggestion}"


@dataclass(frozen=True)
class TickResult:
    steps: int
    seconds: float
    diverged: Divergence | None

    @property
    def steps_per_s(self) -> float:
        return self.steps / self.seconds if self.seconds > 0 else 0.0


class Trainer:
    """Base of every family's trainer. Subclasses set ``config_cls`` and the four methods."""

    config_cls: type[Config] = Config
    #: metrics evaluated on held-out data every ``eval_every`` steps (0: never)
    eval_every: int = 50
    #: how many timeline snapshots to keep
    timeline_cap: int = 50
    #: also count as divergence ``explode_metric`` growing past this many times its first value
    #: (None: only non-finite values or values past ``EXPLODED``). Catches a learning rate that
    #: throws the loss up by orders of magnitude and then leaves the network dead but finite.
    explode_factor: float | None = None
    explode_metric: str = "loss"

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
        self._first: float | None = None  # first value of explode_metric
        seed_everything(self.seed)
        self.rng = np.random.default_rng(self.seed)
        self.gen = torch.Generator().manual_seed(self.seed)
        self.build()

    # ---- to implement -----------------------------------------------------------------------
    def build(self) -> None:
        """Create model, optimiser and data from ``self.config``."""
        raise NotImplementedError

    def train_step(self) -> dict[str, float]:
        """One unit of work; returns its metrics (floats). Must not raise on NaN."""
        raise NotImplementedError

    def evaluate(self) -> dict[str, float]:
        """Held-out metrics, called every ``eval_every`` steps. Keep it cheap."""
        return {}

    def snapshot(self) -> dict[str, Any]:
        """Numpy arrays for the figures, computed without changing training state."""
        return {}

    def make_optimizer(self) -> torch.optim.Optimizer | None:
        """Optional: build ``self.opt`` on first use rather than in ``build``.

        The first optimiser a process builds imports ``torch._dynamo`` (about 2 s of CPU), so
        a page whose trainer defers it draws its first frame that much sooner; see
        :func:`warm_up` for paying that cost in the background instead.
        """
        return None

    @property
    def opt(self) -> torch.optim.Optimizer | None:
        if getattr(self, "_opt", None) is None:
            self._opt = self.make_optimizer()
        return self._opt

    @opt.setter
    def opt(self, value: torch.optim.Optimizer | None) -> None:
        self._opt = value

    def optimizers(self) -> list[torch.optim.Optimizer]:
        """Optimisers whose learning rate follows the ``lr`` field when it changes live."""
        opt = getattr(self, "opt", None)
        return [opt] if opt is not None else []

    def modules(self) -> dict[str, torch.nn.Module]:
        """Named modules saved by ``state_dict``. Defaults to ``self.model``."""
        model = getattr(self, "model", None)
        return {"model": model} if model is not None else {}

    def suggestion(self, metric: str) -> str:
        lr = getattr(self.config, "lr", None)
        if lr is not None:
            return (f"The learning rate {lr:g} is probably too high: try {lr / 10:g} "
                    "and press reset.")
        return "Lower the learning rate and press reset."

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
        return None

    def do_step(self) -> dict[str, float]:
        """One train step with bookkeeping: history, periodic evaluation, divergence check."""
        if self.diverged is not None:
            return {}
        metrics = {k: float(v) for k, v in self.train_step().items()}
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

    def run_steps(self, n: int) -> TickResult:
        t0 = time.perf_counter()
        done = 0
        while done < n and self.diverged is None:
            self.do_step()
            done += 1
        dt = time.perf_counter() - t0
        self.train_seconds += dt
        return TickResult(done, dt, self.diverged)

    def run_for(self, seconds: float, max_steps: int | None = None,
                stop: Callable[[], bool] | None = None) -> TickResult:
        """As many steps as fit in ``seconds`` (at least one unless diverged or stopped).

        ``stop()`` is asked before every step; True ends the run there (the live page passes
        "a click is waiting", so Pause takes effect at the next step boundary, not after the
        whole budget).
        """
        t0 = time.perf_counter()
        deadline = t0 + seconds
        done = 0
        while self.diverged is None:
            if stop is not None and stop():
                break
            self.do_step()
            done += 1
            if (max_steps is not None and done >= max_steps) or time.perf_counter() >= deadline:
                break
        dt = time.perf_counter() - t0
        self.train_seconds += dt
        return TickResult(done, dt, self.diverged)

    def record_snapshot(self, force: bool = False) -> dict[str, Any] | None:
        """Take a snapshot into the timeline when one is due; returns the newest snapshot."""
        if force or self.timeline.due(self.step):
            with torch.no_grad():
                self.timeline.add(self.step, self.snapshot())
        latest = self.timeline.latest()
        return latest[1] if latest else None

    def tick(self, budget_s: float, max_steps: int | None = None,
             stop: Callable[[], bool] | None = None) -> TickResult:
        """The live page's unit of work: train for ``budget_s`` then record a snapshot.

        ``stop`` as in :meth:`run_for`: a stopped tick still records its snapshot.
        """
        res = self.run_for(budget_s, max_steps=max_steps, stop=stop)
        self.record_snapshot()
        return res

    def apply_live(self, new: Config) -> bool:
        """Take ``new`` without rebuilding when only live fields changed. False: rebuild needed."""
        if needs_rebuild(self.config, new):
            return False
        changed = changed_fields(self.config, new)
        self.config = new
        if "lr" in changed:
            for opt in self.optimizers():
                for g in opt.param_groups:
                    g["lr"] = new.lr
        self.on_live_change(changed)
        return True

    def on_live_change(self, changed: set[str]) -> None:
        """Hook for live fields other than ``lr`` (beta, noise level...)."""

    # ---- persistence ------------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        return {
            "family": type(self).__name__,
            "config": to_dict(self.config),
            "seed": self.seed,
            "step": self.step,
            "history": self.history.state(),
            "modules": {k: m.state_dict() for k, m in self.modules().items()},
            "optimizers": [o.state_dict() for o in self.optimizers()],
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        if state.get("family") != type(self).__name__:
            raise ValueError(f"Expect a {type(self).__name__} checkpoint, "
                             f"actually {state.get('family')!r}")
        mods = self.modules()
        missing = set(mods) - set(state["modules"])
        if missing:
            raise ValueError(f"Expect modules {sorted(mods)}, actually {sorted(state['modules'])}")
        for k, m in mods.items():
            m.load_state_dict(state["modules"][k])
        for o, s in zip(self.optimizers(), state.get("optimizers", [])):
            o.load_state_dict(s)
        self.step = int(state["step"])
        self.history.load(state["history"])
        self.diverged = None
        self.timeline.clear()

    def save_bytes(self) -> bytes:
        buf = io.BytesIO()
        torch.save(self.state_dict(), buf)
        return buf.getvalue()

    @classmethod
    def load_bytes(cls, data: bytes) -> "Trainer":
        """A trainer restored from :meth:`save_bytes` output. Raises ValueError on bad files."""
        from core.config import from_dict
        try:
            state = torch.load(io.BytesIO(data), weights_only=True)
        except Exception as e:  # noqa: BLE001 - any unpickling failure means "not a checkpoint"
            raise ValueError(f"Expect an ArchLab .pt checkpoint, actually unreadable ({e})") from None
        if not isinstance(state, dict) or "config" not in state:
            raise ValueError("Expect an ArchLab .pt checkpoint, actually some other file")
        cfg, _ = from_dict(cls.config_cls, state["config"])
        t = cls(cfg, seed=int(state.get("seed", 0)))
        t.load_state_dict(state)
        return t

    def record(self) -> dict[str, Any]:
        """The run record: config, seed, step and the last value of every metric."""
        return {"family": type(self).__name__, "config": to_dict(self.config), "seed": self.seed,
                "step": self.step, "train_seconds": round(self.train_seconds, 3),
                "last": {k: self.history.last(k) for k in self.history.names()},
                "diverged": self.diverged.message() if self.diverged else None}


_warmed = threading.Event()


def warm_up(delay_s: float = 3.0) -> None:
    """Once per process, build a throwaway optimiser in a background thread, so that the
    ``torch._dynamo`` import it triggers happens while a student reads the first page rather
    than when they press Play. It waits ``delay_s`` first so as not to compete with drawing
    that first page."""
    if _warmed.is_set():
        return
    _warmed.set()

    def work() -> None:
        time.sleep(delay_s)
        torch.optim.Adam([torch.zeros(1, requires_grad=True)], fused=True)

    threading.Thread(target=work, name="archlab-warm-up", daemon=True).start()


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
