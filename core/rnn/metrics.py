"""What the recurrent-network family measures: one declaration (core/metrics.py), no torch.

``METRICS`` is ``RNNTrainer.metrics``: every key ``train_step``/``evaluate`` emit, with its label,
unit and chart; the figures (:func:`core.rnn.figures.metric_figures`), the compare page, the CSV
export and the bench read it. The training loss is the MSE on the adding task and nats per
token otherwise; which keys a run records depends on its task.
"""
from __future__ import annotations

from core.metrics import Metric

__all__ = ["METRICS"]

METRICS = (
    Metric("loss", "Training loss", chart="Loss", log=True),
    Metric("test_mse", "Test MSE (1,000 held out)", chart="Loss", log=True),
    Metric("test_loss", "Held-out loss", chart="Loss", log=True),
    Metric("val_loss", "Validation loss", chart="Loss", log=True),
    Metric("train_acc", "Training accuracy", chart="Accuracy", higher_is_better=True),
    Metric("test_acc", "Held-out token accuracy", chart="Accuracy", higher_is_better=True),
    Metric("seq_acc", "Held-out exact match", chart="Accuracy", higher_is_better=True),
    Metric("grad_norm", "Gradient norm (before clipping)", chart="Gradient norm", log=True),
)
