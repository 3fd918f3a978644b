"""Metric declarations: what a trainer measures, declared once like its hyperparameters.

Each trainer class has one table::

    class AETrainer(Trainer):
        metrics = (
            Metric("loss", "Training loss", unit="nats", chart="Loss"),
            Metric("test_mse", "Test MSE", chart="Reconstruction error", log=True),
        )

``name`` is the snake_case key that ``train_step()``/``evaluate()`` return; ``label`` is what a
person reads; ``unit`` goes on the axis; ``chart`` names the chart a metric is drawn in
(metrics with the same ``chart`` share one, in declaration order); ``log`` asks for a log axis;
``higher_is_better`` tells sweeps and the compare page which way is good. The charts
(:func:`core.figures.metric_charts`), the compare page, the CSV export and sweeps all read this
table, so a metric is named in one place.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Sequence

__all__ = ["Metric", "by_name", "charts", "label", "undeclared"]

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class Metric:
    """One measured quantity of a family.

    >>> Metric("val_loss", "Validation loss", unit="nats").axis_title
    'Validation loss (nats)'
    >>> Metric("Val loss", "x")
    Traceback (most recent call last):
    ...
    ValueError: Expect a snake_case metric name, actually 'Val loss'
    """

    name: str
    label: str
    unit: str = ""
    chart: str = "Loss"
    log: bool = False
    higher_is_better: bool = False
    #: shown as a chart? (False: kept in history and exports only, e.g. a counter)
    plotted: bool = True

    def __post_init__(self) -> None:
        if not _NAME.match(self.name):
            raise ValueError(f"Expect a snake_case metric name, actually {self.name!r}")

    @property
    def axis_title(self) -> str:
        return f"{self.label} ({self.unit})" if self.unit else self.label


def by_name(metrics: Iterable[Metric]) -> dict[str, Metric]:
    return {m.name: m for m in metrics}


def label(metrics: Iterable[Metric], name: str) -> str:
    """The human label of ``name`` (the name itself when it is not declared)."""
    m = by_name(metrics).get(name)
    return m.label if m is not None else name


def charts(metrics: Sequence[Metric], names: Iterable[str] | None = None
           ) -> dict[str, list[Metric]]:
    """Plotted metrics grouped by chart title, in declaration order (only ``names`` if given)."""
    allowed = None if names is None else set(names)
    out: dict[str, list[Metric]] = {}
    for m in metrics:
        if m.plotted and (allowed is None or m.name in allowed):
            out.setdefault(m.chart, []).append(m)
    return out


def undeclared(metrics: Iterable[Metric], emitted: Iterable[str]) -> list[str]:
    """Emitted names missing from the declaration (a test asserts this is empty per family)."""
    known = by_name(metrics)
    return sorted({n for n in emitted if n not in known})
