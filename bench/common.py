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
import threading
import time
from typing import Any, Callable, Iterable, Sequence

from core.live import tick


def _page_plotly_template() -> None:
    """Figures get the plotly template a page's figures get. Importing Streamlit's plotly
    element makes its own (smaller) template the default; without it the bench would build and
    serialise every figure with plotly's larger default template, which no page sends."""
    try:
        from streamlit.elements.lib.streamlit_plotly_theme import (
            configure_streamlit_plotly_theme)
    except ImportError:  # another Streamlit: figures keep plotly's default template
        return
    configure_streamlit_plotly_theme()


_page_plotly_template()


#: the cases ``python -m bench FAMILY --case NAME`` asked for (empty: every case)
_CHOSEN: frozenset[str] = frozenset()


def choose(cases: Iterable[str]) -> None:
    """Run only ``cases`` (and what they need) from now on; empty: every case."""
    global _CHOSEN
    _CHOSEN = frozenset(cases)


def wanted(*cases: str) -> bool:
    """Whether to measure a block that yields ``cases`` or that they need: a family's
    ``run()`` guards each case with it, and ``python -m bench`` drops the records of cases
    that only ran because a chosen one needed them."""
    return not _CHOSEN or not _CHOSEN.isdisjoint(cases)


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


def app_throughput(make: Callable[[], Any], figures: Callable[[Any], Iterable[Any]],
                   seconds: float, *, chunks: int = 4, budget_s: float = 0.25,
                   max_steps: int | None = None) -> dict[str, float]:
    """In-app overhead as a throughput ratio: app steps/s ÷ headless steps/s.

    Two trainers from ``make()`` (same config and seed): one trains headless (``run_for``),
    the other runs the live page's loop: the page's own tick (``core.live.tick``: train
    ``budget_s`` in lock slices, then a snapshot when due), then build every figure
    ``figures(trainer)`` returns and serialise it as the page sends it. The two
    alternate in ``chunks`` slices of ``seconds / chunks`` each, so a change in machine load
    hits both sides of the ratio alike. The tick takes a lock per slice as the page's does.
    ``figures`` is the family's ``live_figures`` on the newest snapshot (the bench measures
    what the page draws, not a copy of it), or nothing for a family whose figures the bench
    does not know yet (``bench.generic``: the tick's own overhead).

    Returns ratio, headless and app steps/s, the steps each side took, and the median
    milliseconds to build and serialise one tick's figures.
    """
    head, app = make(), make()
    head.run_for(0.2)                  # warm-up both: first calls, allocations, optimisers
    lock = threading.Lock()
    tick(app, 0.05, max_steps=max_steps, lock=lock)
    _draw(app, figures)
    draw_ms: list[float] = []
    h_steps = a_steps = 0
    h_s = a_s = 0.0
    for _ in range(chunks):
        s0, w0 = head.step, head.train_seconds
        head.run_for(seconds / chunks)
        h_steps += head.step - s0
        h_s += head.train_seconds - w0
        t0, s0 = time.perf_counter(), app.step
        while time.perf_counter() - t0 < seconds / chunks and app.diverged is None:
            tick(app, budget_s, max_steps=max_steps, lock=lock)
            draw_ms.append(_draw(app, figures))
        a_steps += app.step - s0
        a_s += time.perf_counter() - t0
    h_rate, a_rate = h_steps / h_s, a_steps / a_s
    return {"ratio": a_rate / h_rate, "headless_steps_per_s": h_rate, "app_steps_per_s": a_rate,
            "headless_steps": h_steps, "app_steps": a_steps,
            "draw_ms": statistics.median(draw_ms) if draw_ms else 0.0}


def _draw(trainer: Any, figures: Callable[[Any], Iterable[Any]]) -> float:
    t0 = time.perf_counter()
    for fig in figures(trainer):
        serialize(fig)
    return 1e3 * (time.perf_counter() - t0)


def throughput_record(family: str, case: str, results: Sequence[dict[str, float]],
                      seeds: Sequence[int], seconds: float, target: str = ">= 0.83"
                      ) -> dict[str, Any]:
    """The one way every family reports its in-app overhead (``app_throughput`` per seed)."""
    return record(family, case, "app steps/s ÷ headless steps/s (alternating slices)",
                  [r["ratio"] for r in results], "ratio", target, seeds=seeds,
                  seconds=[seconds] * len(results), steps=[r["app_steps"] for r in results],
                  headless_steps_per_s=round(median([r["headless_steps_per_s"]
                                                     for r in results]) or 0, 1),
                  app_steps_per_s=round(median([r["app_steps_per_s"] for r in results]) or 0, 1),
                  draw_ms_per_tick=round(median([r["draw_ms"] for r in results]) or 0, 2))


def serialize(fig: Any) -> str:
    """What a page sends for a figure: a Vega-Lite dict or a plotly figure, as JSON."""
    if isinstance(fig, dict):
        return json.dumps(fig)
    return fig.to_json()


def print_table(records: list[dict[str, Any]]) -> None:
    cols = ["family", "case", "metric", "value", "unit", "target", "met", "seconds", "steps",
            "solved"]
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
