"""What the GAN page draws, as typed snapshots (numpy only: figures import this, not torch).

``GANTrainer.snapshot()`` returns a :class:`FieldSnapshot` on 2-D data and a
:class:`DigitsSnapshot` on digits; the figures in ``core.gan.figures`` take them.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class ModeCoverage:
    """Coverage of a Gaussian mixture by the generator (:func:`core.gan.metrics.mode_stats`)."""

    centres: np.ndarray      # (K, 2) float32 mode centres
    spread: float            # the modes' standard deviation σ
    counts: np.ndarray       # (K,) int32 high-quality samples (within 3σ) per mode
    covered: int             # modes with at least a tenth of their fair share
    hq_share: float          # share of samples within 3σ of some mode


@dataclass(frozen=True)
class FieldSnapshot:
    """One moment of a GAN on 2-D data: what GAN Lab's view draws."""

    real: np.ndarray         # (N, 2) float32 real samples (fixed)
    fake: np.ndarray         # (N, 2) float32 G(z) on fixed noise
    arrow_xy: np.ndarray     # (A, 2) float32 where each gradient arrow starts
    arrow_uv: np.ndarray     # (A, 2) float32 -∂ℓ_G/∂x there
    heat: np.ndarray         # (R, R) float32 D's output, rows along x₂
    heat_kind: str           # "prob" (a probability), "ls" (LSGAN target 1/0), "score"
    bounds: tuple[float, float, float, float]   # x0, x1, y0, y1 of the window
    manifold: np.ndarray     # (M, M, 2) float32 G(noise grid)
    coverage: ModeCoverage | None = None        # mixtures only


@dataclass(frozen=True)
class DigitsSnapshot:
    """One moment of a GAN on 8x8 digits."""

    samples: np.ndarray      # (32, 8, 8) float32 in [0, 1], G(z) on fixed noise
    interp: np.ndarray       # (10, 8, 8) float32 G((1-t) z0 + t z1), t = 0 … 1
    real: np.ndarray         # (16, 8, 8) float32 real digits
