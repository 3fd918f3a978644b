"""What the GAN family measures: the metric declarations, and mode coverage and sample quality
on Gaussian mixtures (numpy only).

``METRICS`` is ``GANTrainer.metrics``: every key ``train_step``/``evaluate`` emit, with its label,
unit and chart; the figures, the page, the CSV export and the bench read it.

Following the unrolled-GAN and VEEGAN evaluations (Metz et al. 2017; Srivastava et al. 2017): a
generated sample is *high quality* when it lies within 3 standard deviations of its nearest
mode centre; a mode is *covered* when it receives at least ``min_share`` of its fair share
(N/K) of high-quality samples. Here min_share = 0.1 (e.g. 25 of 2,000 samples on 8 modes).

>>> import numpy as np
>>> c = np.array([[0., 0.], [4., 0.]])
>>> mode_stats(np.array([[0.01, 0.], [5., 5.]]), c, 0.05, min_share=0.5)
(1, 0.5, array([1, 0]))
"""
from __future__ import annotations

import numpy as np

from core.metrics import Metric

LOSS_CHART = "Losses"
COVERAGE_CHART = "Mode coverage and sample quality"
SIGNAL_CHART = "Generator's signal"

METRICS = (
    Metric("d_loss", "Discriminator loss", chart=LOSS_CHART),
    Metric("g_loss", "Generator loss", chart=LOSS_CHART),
    # evaluated every 50 steps on mixtures only (2,000 samples on fixed noise)
    Metric("modes", "Modes covered", unit="modes", chart=COVERAGE_CHART, higher_is_better=True),
    Metric("hq_share", "High-quality share", unit="fraction", chart=COVERAGE_CHART,
           higher_is_better=True),
    # mean |∂L_G/∂x| over generated samples: near zero is a vanishing gradient, G learns nothing
    Metric("g_grad", "Generator's signal", unit="mean |∂L_G/∂x|", chart=SIGNAL_CHART, log=True,
           higher_is_better=True),
    # evaluated every 50 steps: the generated samples' standard deviation over the real data's
    # (per coordinate, averaged); near 0 every sample sits on one point (GANTrainer.alarms)
    Metric("spread", "Spread of generated samples", unit="fraction of the data's",
           plotted=False),
)


def mode_stats(samples: np.ndarray, centres: np.ndarray, spread: float,
               min_share: float = 0.1) -> tuple[int, float, np.ndarray]:
    """(modes covered, share of high-quality samples, high-quality count per mode).

    Args:
        samples: (N, 2) generated points.
        centres: (K, 2) mode centres.
        spread: the modes' standard deviation σ; "high quality" means distance < 3σ.
    """
    samples = np.asarray(samples, dtype=np.float64)
    d2 = ((samples[:, None, :] - centres[None, :, :]) ** 2).sum(-1)  # (N, K)
    nearest = d2.argmin(1)
    good = np.sqrt(d2[np.arange(len(samples)), nearest]) < 3 * spread
    counts = np.bincount(nearest[good], minlength=len(centres))
    need = max(1.0, min_share * len(samples) / len(centres))
    covered = int((counts >= need).sum())
    share = float(good.mean()) if len(samples) else 0.0
    return covered, share, counts
