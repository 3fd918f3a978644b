"""What a sweep is: the family, one or two swept settings and their values, seeds, budget and
metric, and what makes a sweep impossible, before anything runs.

A :class:`SweepSpec` names the family, one or two swept fields (their ranges and log scale come
from the schema), the values (a grid, or N samples drawn from the ranges), the seeds, a budget
per run (training steps) and the metric to judge (its direction comes from the family's metric
declaration). :meth:`SweepSpec.problems` refuses an impossible sweep before anything starts.
:func:`suggest_values` and :func:`parse_values` are the Sweep panel's first grid and what it
makes of typed values. The engine that runs a spec is :mod:`core.runs.sweep`.
"""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from core.config import (Config, ParamSpec, apply_overrides, fmt, from_dict, parse_value,
                         specs)
from core.config import validate as validate_config
from core.families import classes

__all__ = ["SweepSpec", "MAX_RUNS", "MAX_BUDGET", "point_label", "suggest_values",
           "parse_values"]

#: the most runs one sweep may have on a shared server
MAX_RUNS = 60
#: the most training steps one run of a sweep may take
MAX_BUDGET = 20_000


@dataclass(frozen=True)
class SweepSpec:
    """What to sweep. ``values`` holds each swept field's grid; with ``samples`` > 0 the
    points are drawn instead, uniformly (log-uniformly for log fields) within ``ranges``."""

    family: str
    params: tuple[str, ...]
    values: dict[str, list] = field(default_factory=dict)
    seeds: tuple[int, ...] = (0,)
    budget_steps: int = 300
    metric: str = "loss"
    base: dict = field(default_factory=dict)       # the other settings, as the page had them
    samples: int = 0
    ranges: dict[str, tuple[float, float]] = field(default_factory=dict)
    sample_seed: int = 0
    #: stop runs clearly worse than the others at the same step (Optuna's median pruner)
    prune: bool = False

    # ---- description --------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "SweepSpec":
        d = dict(d)
        d["params"] = tuple(d["params"])
        d["seeds"] = tuple(d["seeds"])
        d["ranges"] = {k: tuple(v) for k, v in d.get("ranges", {}).items()}
        return cls(**d)

    def _classes(self) -> tuple[type[Config], type]:
        return classes(self.family)

    def field_specs(self) -> dict[str, ParamSpec]:
        cfg_cls, _ = self._classes()
        return {s.name: s for s in specs(cfg_cls)}

    def base_config(self) -> Config:
        cfg_cls, _ = self._classes()
        cfg, _ = from_dict(cfg_cls, self.base)
        return cfg

    def points(self) -> list[dict[str, Any]]:
        """The swept settings, one dict per point (without the seed)."""
        fs = self.field_specs()
        if self.samples:
            rng = np.random.default_rng(self.sample_seed)
            out = []
            for _ in range(self.samples):
                p = {}
                for name in self.params:
                    s, (lo, hi) = fs[name], self.ranges[name]
                    if s.scale == "log":
                        v = float(math.exp(rng.uniform(math.log(lo), math.log(hi))))
                        v = float(f"{v:.3g}")
                    else:
                        v = float(rng.uniform(lo, hi))
                    p[name] = int(round(v)) if s.type is int else v
                out.append(p)
            return out
        grids = [list(self.values[n]) for n in self.params]
        mesh = np.array(np.meshgrid(*[np.arange(len(g)) for g in grids], indexing="ij"))
        return [{n: grids[k][int(ix[k])] for k, n in enumerate(self.params)}
                for ix in mesh.reshape(len(grids), -1).T]

    def configs(self) -> list[Config]:
        base = self.base_config()
        return [apply_overrides(base, p) for p in self.points()]

    @property
    def n_runs(self) -> int:
        n = self.samples or int(np.prod([len(self.values.get(p, [])) for p in self.params]))
        return n * len(self.seeds)

    def direction(self) -> str:
        _, trainer_cls = self._classes()
        m = {x.name: x for x in trainer_cls.metrics}.get(self.metric)
        return "maximize" if m is not None and m.higher_is_better else "minimize"

    # ---- validation -----------------------------------------------------------------------
    def problems(self, max_runs: int = MAX_RUNS) -> list[str]:
        """Everything that makes this sweep impossible, in plain words (empty: it can run)."""
        try:
            fs = self.field_specs()
        except KeyError as e:
            return [str(e).strip("'\"")]
        out: list[str] = []
        if not 1 <= len(self.params) <= 2:
            out.append("Pick one or two settings to sweep.")
        if len(set(self.params)) != len(self.params):
            out.append("Pick two different settings.")
        for name in self.params:
            if name not in fs:
                out.append(f"{name!r} is not a setting of this page.")
            elif fs[name].type not in (int, float) and self.samples:
                out.append(f"{fs[name].label} has no range to sample: use a grid of values.")
            elif not self.samples and not self.values.get(name):
                out.append(f"Give at least one value of {fs[name].label}.")
        if not 1 <= len(self.seeds) <= 5:
            out.append("Use 1 to 5 seeds.")
        if not 1 <= self.budget_steps <= MAX_BUDGET:
            out.append(f"A run's budget must be 1 to {MAX_BUDGET:,} steps.")
        _, trainer_cls = self._classes()
        known = {m.name for m in trainer_cls.metrics}
        if known and self.metric not in known:
            out.append(f"{self.metric!r} is not a metric of this page: pick one of "
                       f"{', '.join(sorted(known))}.")
        if out:
            return out
        upload = self.base_config().uploaded()
        if upload:
            return [f"A sweep cannot use your uploaded {upload}: its runs train in other "
                    "processes. Pick one of the shipped datasets first."]
        if self.n_runs > max_runs:
            out.append(f"{self.n_runs} runs is more than the {max_runs} a sweep may have here: "
                       "use fewer values or seeds.")
            return out
        for p in self.points():  # every combination must be a configuration the page accepts
            try:
                cfg = apply_overrides(self.base_config(), p)
            except (TypeError, ValueError) as e:
                out.append(f"{point_label(p, fs)}: {e}")
                continue
            bad = validate_config(cfg)
            if bad:
                out.append(bad[0] if len(p) == 1 else f"{point_label(p, fs)}: {bad[0]}")
        return out[:8]


def point_label(p: dict[str, Any], fs: dict[str, ParamSpec]) -> str:
    """A point of the sweep in words: each swept setting's label and value."""
    return ", ".join(f"{fs[k].label} {fmt(v)}" for k, v in p.items())


def suggest_values(spec: ParamSpec, current: Any) -> list[Any]:
    """A first grid for a field around its current value, inside its range: factors of 3
    for log fields, its choices for a choice, a few even steps otherwise.

    >>> from core.config import ParamSpec
    >>> lr = ParamSpec("lr", float, 3e-3, "Learning rate", "", 1e-5, 1.0, None, None, "log",
    ...                "Training", True, {})
    >>> suggest_values(lr, 3e-3)
    [0.001, 0.003, 0.009]
    """
    if spec.choices is not None:
        return list(spec.choices)[:6]
    if spec.type is bool:
        return [False, True]
    lo, hi = spec.min, spec.max
    if spec.type is float and spec.scale == "log":
        vals = [float(f"{current * f:.2g}") for f in (1 / 3, 1, 3)]
    else:
        step = spec.step or (1 if spec.type is int else (hi - lo) / 10)
        vals = [current - 2 * step, current, current + 2 * step]
    vals = sorted({min(max(v, lo), hi) for v in vals})
    return [int(round(v)) if spec.type is int else float(f"{v:.4g}") for v in vals]


def parse_values(spec: ParamSpec, text: str) -> tuple[list[Any], list[str]]:
    """Comma-separated values typed for a field: (values, problems in plain words)."""
    out, bad = [], []
    items = [x.strip() for x in str(text)[:2000].split(",") if x.strip()]
    if len(items) > 20:
        return [], [f"At most 20 values of {spec.label}, not {len(items)}."]
    for item in items:
        try:
            out.append(parse_value(spec, item[:40]))
        except ValueError as e:
            bad.append(str(e))
    if not items:
        bad.append(f"Type the values of {spec.label} to try, separated by commas.")
    return out, bad
