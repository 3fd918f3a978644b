"""What the autoencoder figures draw from: one moment of a run as plain numpy (no torch).

:meth:`core.autoencoder.trainer.AETrainer.snapshot` builds an :class:`AESnapshot`; the
timeline keeps them, the figures (core/autoencoder/figures.py) and the decode functions
(core/autoencoder/trainer.py) take them, so every view can show any kept moment.

Shapes: N test examples, Z latent size, D features (64 pixels or 3 coordinates), K shown
examples, G grid points per axis of the decoded manifold.
"""
from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

__all__ = ["AESnapshot"]


@dataclass(frozen=True, eq=False)
class AESnapshot:
    """One moment of an autoencoder run (arrays are float32 unless noted).

    The plane: z ≈ center + xy @ basis (the identity for Z = 2, else the top-2 principal
    directions of the test latents); ``explained`` is the share of latent variance along each
    axis. ``grid[i, j]`` decodes the plane point (grid_u[j], grid_v[i]): over N(0, 1)
    quantiles 5-95 % for the VAE, else over the span of ``xy``.
    """

    z: np.ndarray              # (N, Z) test latents (encoder means)
    labels: np.ndarray         # (N,) digit (uint8) or position on the roll (float32)
    xy: np.ndarray             # (N, 2) plane coordinates of z
    center: np.ndarray         # (Z,)
    basis: np.ndarray          # (2, Z) orthonormal rows
    explained: np.ndarray      # (2,)
    ex_idx: np.ndarray         # (K,) int32 test indices of the shown examples
    ex_orig: np.ndarray        # (K, D)
    ex_input: np.ndarray       # (K, D) what the encoder got (noisy for the DAE)
    ex_recon: np.ndarray       # (K, D)
    grid_u: np.ndarray         # (G,)
    grid_v: np.ndarray         # (G,)
    grid: np.ndarray           # (G, G, D) decoded manifold
    #: the decoder at this moment: (W (out, in), b (out,)) per linear layer, float16 when large
    decoder: tuple[tuple[np.ndarray, np.ndarray], ...]
    activation: str            # a key of core.nets.ACTIVATIONS
    output: str                # "sigmoid" (images) or "linear" (points)
    variational: bool
    pca_mse: float             # PCA-2 test MSE per feature on this dataset (a reference line)
    image_shape: tuple[int, int] | None = None   # (8, 8) for digits, None for points
    points: np.ndarray | None = None             # (N, 3) swiss roll test points
    points_recon: np.ndarray | None = None       # (N, 3) their reconstructions

    @property
    def images(self) -> bool:
        return self.image_shape is not None

    @property
    def plane_bounds(self) -> tuple[tuple[float, float], tuple[float, float]]:
        """((u min, u max), (v min, v max)): the part of the plane the decoded grid covers."""
        return ((float(self.grid_u.min()), float(self.grid_u.max())),
                (float(self.grid_v.min()), float(self.grid_v.max())))

    @property
    def nbytes(self) -> int:
        """Bytes held in arrays (what the timeline keeps per moment)."""
        total = sum(w.nbytes + b.nbytes for w, b in self.decoder)
        for f in fields(self):
            v = getattr(self, f.name)
            if isinstance(v, np.ndarray):
                total += v.nbytes
        return total
