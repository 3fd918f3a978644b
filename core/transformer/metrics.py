"""What the transformer family measures: one declaration (core/metrics.py), no torch.

``METRICS`` is ``TransformerTrainer.metrics``: every key ``train_step``/``evaluate`` emit, with its
label, unit and chart; the figures (:func:`core.transformer.figures.live_figures`), the compare
page, the CSV export and the bench read it.
"""
from __future__ import annotations

from core.metrics import Metric

__all__ = ["METRICS", "LOSS_CHART", "ACCURACY_CHART"]

LOSS_CHART, ACCURACY_CHART = "Cross-entropy", "Accuracy"
#: what the trainer emits: train_step gives loss and train_token_acc every step, evaluate the
#: held-out rest every ``eval_every`` steps (seq_acc only on the generated tasks)
METRICS = (
    Metric("loss", "Training loss", unit="nats per token", chart=LOSS_CHART, log=True),
    Metric("val_loss", "Held-out loss", unit="nats per token", chart=LOSS_CHART, log=True),
    Metric("token_acc", "Held-out token accuracy", unit="fraction correct",
           chart=ACCURACY_CHART, higher_is_better=True),
    Metric("seq_acc", "Held-out sequence accuracy", unit="fraction correct",
           chart=ACCURACY_CHART, higher_is_better=True),
    Metric("train_token_acc", "Training token accuracy", unit="fraction correct",
           chart=ACCURACY_CHART, higher_is_better=True),
)
