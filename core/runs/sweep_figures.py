"""Figures of a sweep's results: numpy in, plotly figures and Vega-Lite specs out.

Rows are :func:`core.runs.sweep.results` output: one dict per finished run with the swept values,
``seed`` and the judged metric.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from core.figures import OKABE_ITO, SEQUENTIAL, fast_figure, metric_chart
from core.history import History, long_format

__all__ = ["by_value", "metric_vs_value", "metric_heatmap", "learning_curves", "importance"]


def _key(v: Any) -> Any:
    return round(v, 12) if isinstance(v, float) else v


def by_value(rows: Sequence[dict], param: str, metric: str) -> list[tuple[Any, np.ndarray]]:
    """(value, metric of each seed) per swept value, values in order."""
    groups: dict[Any, list[float]] = {}
    for r in rows:
        v = r.get(metric)
        if v is not None and np.isfinite(v):
            groups.setdefault(_key(r[param]), []).append(float(v))
    try:
        order = sorted(groups)
    except TypeError:
        order = list(groups)
    return [(k, np.asarray(groups[k], np.float64)) for k in order]


def metric_vs_value(rows: Sequence[dict], param: str, metric: str, *, label: str,
                    metric_label: str, log_x: bool = False, height: int = 340):
    """The judged metric against the swept value: each seed a dot, the mean a line, the
    bar from the smallest to the largest seed (the spread)."""
    groups = by_value(rows, param, metric)
    xs = [g[0] for g in groups]
    means = [float(g[1].mean()) for g in groups]
    lo = [float(g[1].mean() - g[1].min()) for g in groups]
    hi = [float(g[1].max() - g[1].mean()) for g in groups]
    dots_x = [g[0] for g in groups for _ in g[1]]
    dots_y = [float(v) for g in groups for v in g[1]]
    numeric = all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in xs)
    data = [
        dict(type="scatter", x=dots_x, y=dots_y, mode="markers", name="one seed",
             marker=dict(color=OKABE_ITO[1], size=7, opacity=0.7),
             hovertemplate=f"{label} %{{x}}: %{{y:.4g}}<extra>one seed</extra>"),
        dict(type="scatter", x=xs, y=means, mode="lines+markers", name="mean over seeds",
             line=dict(color=OKABE_ITO[0], width=2),
             error_y=dict(type="data", symmetric=False, array=hi, arrayminus=lo,
                          color=OKABE_ITO[0], thickness=1.2),
             hovertemplate=f"{label} %{{x}}: mean %{{y:.4g}}<extra></extra>"),
    ]
    xaxis = dict(title=dict(text=label))
    if numeric and log_x:
        xaxis["type"] = "log"
    elif not numeric:
        xaxis["type"] = "category"
    layout = dict(title=dict(text=f"{metric_label} after the budget, by {label}"),
                  height=height, xaxis=xaxis, yaxis=dict(title=dict(text=metric_label)),
                  margin=dict(l=10, r=10, t=50, b=10),
                  legend=dict(orientation="h", y=-0.25))
    return fast_figure(data, layout)


def metric_heatmap(rows: Sequence[dict], p1: str, p2: str, metric: str, *, labels: tuple[str, str],
                   metric_label: str, height: int = 360):
    """Mean of the metric over seeds for each pair of values of two swept settings."""
    xs = [k for k, _ in by_value(rows, p1, metric)]
    ys = [k for k, _ in by_value(rows, p2, metric)]
    z = np.full((len(ys), len(xs)), np.nan)
    for i, y in enumerate(ys):
        for j, x in enumerate(xs):
            vals = [r[metric] for r in rows if _key(r[p1]) == x and _key(r[p2]) == y
                    and r.get(metric) is not None and np.isfinite(r[metric])]
            if vals:
                z[i, j] = float(np.mean(vals))
    data = [dict(type="heatmap", z=np.round(z, 6), x=[str(x) for x in xs],
                 y=[str(y) for y in ys], colorscale=SEQUENTIAL,
                 colorbar=dict(title=dict(text=metric_label), thickness=12),
                 hovertemplate=f"{labels[0]} %{{x}}, {labels[1]} %{{y}}: %{{z:.4g}}"
                               "<extra></extra>")]
    layout = dict(title=dict(text=f"{metric_label} (mean over seeds)"), height=height,
                  xaxis=dict(title=dict(text=labels[0]), type="category"),
                  yaxis=dict(title=dict(text=labels[1]), type="category"),
                  margin=dict(l=10, r=10, t=50, b=10))
    return fast_figure(data, layout)


def learning_curves(runs: Sequence[dict], param: str, metric: str, *, label: str,
                    metric_label: str, log_y: bool = False) -> dict[str, Any]:
    """Every run's curve of the metric, one line per run named by its swept value and seed."""
    series = {}
    for r in runs:
        if r.get("history"):
            name = f"{label} {r['config'].get(param)} · seed {r['seed']}"
            series[name] = History.from_state(r["history"]).series(metric)
    return metric_chart(long_format(series, 200), title=f"{metric_label} while training",
                        y_title=metric_label, log_y=log_y, height=320)


def importance(rows: Sequence[dict], params: Sequence[str], metric: str) -> dict[str, float]:
    """Share of the metric's variance each swept setting explains on its own (one-way η²:
    between-value variance of the means ÷ total variance); seeds make up the rest."""
    vals = np.array([r[metric] for r in rows if r.get(metric) is not None
                     and np.isfinite(r[metric])], np.float64)
    if len(vals) < 2 or vals.var() == 0:
        return {p: 0.0 for p in params}
    out = {}
    for p in params:
        groups = by_value(rows, p, metric)
        between = sum(len(g) * (g.mean() - vals.mean()) ** 2 for _, g in groups) / len(vals)
        out[p] = float(between / vals.var())
    return out
