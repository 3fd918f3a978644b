"""Side-by-side comparison of pinned runs: pure data, no streamlit.

A pinned run is a frozen copy of what a page had at the moment it was pinned::

    {"label", "page", "config": {...}, "seed", "step", "history": History.state(),
     "metrics": [Metric fields...]}      # the family's declarations, for labels and axes
"""
from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from core.history import History, empty_long
from core.metrics import Metric


def pin(label: str, page: str, trainer) -> dict[str, Any]:
    """A comparable, self-contained copy of a trainer's run (no weights)."""
    rec = trainer.record()
    return {"label": label, "page": page, "config": rec["config"], "seed": rec["seed"],
            "step": rec["step"], "train_seconds": rec["train_seconds"],
            "history": trainer.history.state(),  # a fresh copy of plain lists
            "metrics": [dataclasses.asdict(m) for m in trainer.metrics]}


def declared(runs: list[dict[str, Any]]) -> dict[str, Metric]:
    """The metric declarations the runs were pinned with, by name (first run wins)."""
    out: dict[str, Metric] = {}
    for r in runs:
        for m in r.get("metrics", []):
            out.setdefault(m["name"], Metric(**m))
    return out


def metric_title(runs: list[dict[str, Any]], name: str) -> tuple[str, str, bool]:
    """(label, axis title, log axis) of a metric, from the declarations (the name if none).
    The chart is titled by the label, so the axis says the unit alone: a label repeated on a
    vertical axis ran longer than the chart was tall and squeezed its plot to a line."""
    m = declared(runs).get(name)
    return (m.label, m.unit or m.label, m.log) if m else (name, name, False)


def common_metrics(runs: list[dict[str, Any]]) -> list[str]:
    """Metrics every run recorded, in the first run's order."""
    if not runs:
        return []
    names = list(runs[0]["history"]["steps"])
    return [n for n in names if all(n in r["history"]["steps"] for r in runs)]


def overlay(runs: list[dict[str, Any]], metric: str, max_points: int = 400
            ) -> dict[str, np.ndarray]:
    """Long-format data of one metric across runs, the run label in the ``metric`` column."""
    steps, labels, values = [], [], []
    for r in runs:
        d = History.from_state(r["history"]).long_format([metric], max_points=max_points)
        steps.append(d["step"])
        values.append(d["value"])
        labels.append(np.full(len(d["step"]), r["label"], dtype=object))
    if not steps:
        return empty_long()
    return {"step": np.concatenate(steps), "metric": np.concatenate(labels),
            "value": np.concatenate(values)}


def config_diff(runs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per setting that differs between runs (seed included): {setting, label: value}."""
    keys: list[str] = []
    for r in runs:
        keys += [k for k in r["config"] if k not in keys]
    rows = []
    for k in [*keys, "seed"]:
        vals = [r["seed"] if k == "seed" else r["config"].get(k, "–") for r in runs]
        if len({repr(v) for v in vals}) > 1:
            rows.append({"setting": k, **{r["label"]: v for r, v in zip(runs, vals)}})
    return rows


def final_values(runs: list[dict[str, Any]], metrics: list[str]) -> list[dict[str, Any]]:
    """Last value of each metric per run, with step and training time."""
    rows = []
    for r in runs:
        row = {"run": r["label"], "step": r["step"], "training s": r["train_seconds"]}
        h = History.from_state(r["history"])
        for m in metrics:
            last = h.last(m)
            row[m] = None if last != last else round(last, 4)  # NaN: never recorded
        rows.append(row)
    return rows


def runs_csv(runs: list[dict[str, Any]]) -> str:
    """One row per run: label, family, seed, step, seconds, settings and final metrics."""
    import csv
    import io
    keys = sorted({k for r in runs for k in r["config"]})
    finals = sorted({k for r in runs for k in (r.get("final") or {})})
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["run", "label", "family", "seed", "step", "train_seconds", *keys,
                *[f"final_{m}" for m in finals]])
    for r in runs:
        fin = r.get("final") or {}
        w.writerow([r.get("id") or "", r["label"], r["page"], r["seed"], r["step"],
                    r.get("train_seconds", ""), *[r["config"].get(k, "") for k in keys],
                    *["" if fin.get(m) is None else f"{fin[m]:.6g}" for m in finals]])
    return out.getvalue()


def runs_json(runs: list[dict[str, Any]]) -> str:
    """Every run whole (settings, histories, declarations), without weights."""
    import json
    return json.dumps([{k: v for k, v in r.items() if k != "weights"} for r in runs],
                      indent=1, default=str)


def sort_runs(runs: list[dict[str, Any]], metric: str | None) -> list[dict[str, Any]]:
    """Runs by a final metric, best first by its declaration (unknown: ascending)."""
    if not metric:
        return runs
    m = declared(runs).get(metric)
    best_high = bool(m and m.higher_is_better)

    def key(r):
        v = (r.get("final") or {}).get(metric)
        if v is None:
            v = History.from_state(r["history"]).last(metric)
        bad = v is None or v != v
        return (bad, -(v or 0) if best_high else (v or 0))
    return sorted(runs, key=key)
