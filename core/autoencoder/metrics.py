"""What the autoencoder family measures: one declaration (core/metrics.py), no torch.

:class:`~core.autoencoder.trainer.AETrainer` emits exactly these keys (its ``metrics``); the
charts (:func:`core.autoencoder.figures.live_figures`), the compare page, the CSV export and the
bench read labels, units and charts from here. Which ones a run records depends on its variant
and dataset: ``kl``/``test_kl`` for the VAE, ``test_denoise_mse``/``noisy_mse`` for the DAE,
``test_bce`` for digits.
"""
from __future__ import annotations

from core.metrics import Metric

__all__ = ["METRICS", "RECON_CHART", "KL_CHART", "ERROR_CHART"]

RECON_CHART = "Reconstruction loss per example"
KL_CHART = "KL(q(z|x) ‖ N(0, I)) per example"
ERROR_CHART = "Test error per feature"        # carries the PCA-2 reference line

METRICS: tuple[Metric, ...] = (
    Metric("loss", "training loss (reconstruction + β·KL)", unit="nats", plotted=False),
    Metric("recon", "train reconstruction", unit="nats", chart=RECON_CHART),
    Metric("test_recon", "test reconstruction", unit="nats", chart=RECON_CHART),
    Metric("kl", "train KL", unit="nats", chart=KL_CHART),
    Metric("test_kl", "test KL", unit="nats", chart=KL_CHART),
    Metric("test_mse", "test MSE", unit="mean squared error", chart=ERROR_CHART),
    Metric("test_denoise_mse", "denoised MSE", unit="mean squared error", chart=ERROR_CHART),
    Metric("noisy_mse", "noisy input MSE (identity)", unit="mean squared error",
           chart=ERROR_CHART),
    Metric("test_bce", "test BCE per pixel", unit="nats", plotted=False),
)
