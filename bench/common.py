"""Shared pieces of the benchmarks: records, medians, the page's tick loop, the table.

A record is one measured case::

    {"family", "case", "metric", "value", "unit", "target", "met", "seconds", "steps", "seeds"}

``value`` is the median over seeds; ``target`` a human-readable goal such as "<= 1" or ">= 0.85";
``met`` whether the median meets it (None when there is no target). Extra keys are allowed
(``sb3_seconds``, ``ratio``, ``per_seed``...).
"""
from __future__ import annotations

import json
import math
import statistics
import time
from typing import Any, Callable, Sequence

import torch

torch.set_num_threads(1)


def median(xs: Sequence[float | None]) -> float | None:
    """Median where a failed seed (None) counts as +inf; None if most seeds failed."""
    vals = [math.inf if x is None else float(x) for x in xs]
    if not vals:
        return None
    m = statistics.median(vals)
    return None if math.isinf(m) else m


def meets(value: float | None, target: str | None) -> bool | None:
    if target is None:
        return None
    if value is None:
        return False
    op, num = target.split()
    num = float(num)
    return {"<=": value <= num, ">=": value >= num, "<": value < num, ">": value > num}[op]


def record(family: str, case: str, metric: str, per_seed: Sequence[float | None], unit: str,
           target: str | None, *, seconds: Sequence[float | None] | None = None,
           steps: Sequence[int | None] | None = None, seeds: Sequence[int] = (),
           value: float | None = None, **extra: Any) -> dict[str, Any]:
    """Build one record from per-seed measurements (the median is the value)."""
    v = median(per_seed) if value is None else value
    rec = {
        "family": family, "case": case, "metric": metric,
        "value": None if v is None else round(v, 4), "unit": unit, "target": target,
        "met": meets(v, target),
        "seconds": None if seconds is None else _r(median(seconds)),
        "steps": None if steps is None else _r(median(steps)),
        "seeds": list(seeds), "per_seed": [None if x is None else round(float(x), 4)
                                           for x in per_seed],
    }
    rec.update(extra)
    return rec


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 3)


def app_loop(trainer, draw: Callable[[Any], Any], seconds: float, budget_s: float = 0.2,
             max_steps: int | None = None) -> tuple[int, float]:
    """Run the live page's loop without a browser: tick (train + snapshot) then draw.

    ``draw(trainer)`` must build every figure the page draws from the newest snapshot, as the
    page's fragment does on each tick. Returns (steps, wall seconds) with drawing included.
    """
    t0 = time.perf_counter()
    start = trainer.step
    while time.perf_counter() - t0 < seconds and trainer.diverged is None:
        trainer.tick(budget_s, max_steps=max_steps)
        draw(trainer)
    return trainer.step - start, time.perf_counter() - t0


def serialize(fig: Any) -> str:
    """What a page sends for a figure: a Vega-Lite dict, an altair chart or a plotly figure
    as JSON (altair through its validating ``to_dict``, as ``st.altair_chart`` does)."""
    if isinstance(fig, dict):
        return json.dumps(fig)
    if hasattr(fig, "to_json") and not hasattr(fig, "to_dict"):
        return fig.to_json()
    if hasattr(fig, "mark") or type(fig).__module__.startswith("altair"):
        return json.dumps(fig.to_dict())
    return fig.to_json()


def print_table(records: list[dict[str, Any]]) -> None:
    cols = ["family", "case", "metric", "value", "unit", "target", "met", "seconds", "steps"]
    rows = [[_cell(r.get(c)) for c in cols] for r in records]
    widths = [max(len(c), *(len(row[i]) for row in rows)) if rows else len(c)
              for i, c in enumerate(cols)]
    line = "  ".join(c.ljust(w) for c, w in zip(cols, widths))
    print(line)
    print("-" * len(line))
    for row in rows:
        print("  ".join(x.ljust(w) for x, w in zip(row, widths)))


def _cell(x: Any) -> str:
    if x is None:
        return "-"
    if isinstance(x, bool):
        return "yes" if x else "NO"
    if isinstance(x, float):
        return f"{x:.4g}"
    return str(x)
