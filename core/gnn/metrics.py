"""What the graph-network family measures: one declaration (core/metrics.py), no torch.

``METRICS`` is ``GNNTrainer.metrics``: every key ``train_step``/``evaluate`` emit, with its label,
unit and chart; the figures (:func:`core.gnn.figures.live_figures`), the compare page, the CSV
export and the bench read it.
"""
from __future__ import annotations

from core.metrics import Metric

__all__ = ["METRICS"]

METRICS = (
    Metric("loss", "Training loss", unit="nats", chart="Loss"),
    Metric("val_loss", "Validation loss", unit="nats", chart="Loss"),
    Metric("train_acc", "Train accuracy", chart="Accuracy", higher_is_better=True),
    Metric("val_acc", "Validation accuracy", chart="Accuracy", higher_is_better=True),
    Metric("test_acc", "Test accuracy", chart="Accuracy", higher_is_better=True),
    Metric("best_test_acc", "Test accuracy at best validation", chart="Accuracy",
           higher_is_better=True),
)
