"""Datasets of the autoencoder family, built once per process and cached.

- ``digits``: scikit-learn's bundled 8x8 handwritten digits (1,797 images, no download), pixels
  scaled from 0..16 to [0, 1], flattened to 64 features; label = the digit.
- ``swiss_roll``: 2,000 points on a rolled-up 2-D sheet in 3-D, generated in code and
  standardised; label = position along the roll (a continuous value).

Both use a fixed stratified 80/20 train/test split (seed 0) that does not depend on the run's
seed, so test metrics of different runs are comparable.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from core.datasets import digits, pca

__all__ = ["Dataset", "load", "swiss_roll", "pca_baseline"]

SPLIT_SEED = 0
TEST_FRACTION = 0.2


@dataclass(frozen=True)
class Dataset:
    """Train and test arrays (float32 features, labels) plus what the figures need to know."""

    name: str
    x_train: np.ndarray      # (N_train, D) float32
    y_train: np.ndarray      # (N_train,) int64 digit or float32 roll position
    x_test: np.ndarray       # (N_test, D)
    y_test: np.ndarray       # (N_test,)
    image_shape: tuple[int, int] | None   # (8, 8) for digits, None for points
    continuous_label: bool   # True: colour by a continuous value (roll position)
    label_name: str

    @property
    def dim(self) -> int:
        return self.x_train.shape[1]


def _split(n: int, strata: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Stratified split indices with a fixed seed: every stratum keeps TEST_FRACTION for test."""
    rng = np.random.default_rng(SPLIT_SEED)
    test = []
    for k in np.unique(strata):
        idx = np.flatnonzero(strata == k)
        rng.shuffle(idx)
        test.append(idx[: int(round(len(idx) * TEST_FRACTION))])
    test_idx = np.sort(np.concatenate(test))
    train_idx = np.setdiff1d(np.arange(n), test_idx)
    return train_idx, test_idx


def swiss_roll(n: int = 2000, noise: float = 0.05, seed: int = SPLIT_SEED
               ) -> tuple[np.ndarray, np.ndarray]:
    """Points on a swiss roll, standardised: (n, 3) float32 and roll position t in [0, 1].

    The sheet is (t, h) with angle θ = 1.5π(1 + 2t) and height h ~ U(0, 21), mapped to
    (θ cos θ, h, θ sin θ) as in scikit-learn's ``make_swiss_roll``, plus Gaussian noise.
    """
    rng = np.random.default_rng(seed)
    t = rng.uniform(0.0, 1.0, n)
    theta = 1.5 * np.pi * (1.0 + 2.0 * t)
    h = rng.uniform(0.0, 21.0, n)
    x = np.stack([theta * np.cos(theta), h, theta * np.sin(theta)], axis=1)
    x = (x - x.mean(0)) / x.std(0).mean()   # one common scale keeps the roll's shape
    x += noise * rng.standard_normal(x.shape)
    return x.astype(np.float32), t.astype(np.float32)


@lru_cache(maxsize=None)
def load(name: str) -> Dataset:
    """The cached dataset ``name`` ("digits" or "swiss_roll") with its fixed split."""
    if name == "digits":
        x, y = digits()
        tr, te = _split(len(x), y)
        return Dataset(name, x[tr], y[tr], x[te], y[te], (8, 8), False, "digit")
    if name == "swiss_roll":
        x, t = swiss_roll()
        tr, te = _split(len(x), np.minimum((t * 10).astype(int), 9))
        return Dataset(name, x[tr], t[tr], x[te], t[te], None, True, "position on roll")
    raise ValueError(f"Expect dataset 'digits' or 'swiss_roll', actually {name!r}")


@lru_cache(maxsize=None)
def pca_baseline(name: str, k: int = 2) -> float:
    """Test MSE (per feature) of PCA with ``k`` components fitted on the training set."""
    ds = load(name)
    mean, comps, _ = pca(ds.x_train, k)
    rec = mean + ((ds.x_test - mean) @ comps.T) @ comps
    return float(np.mean((rec - ds.x_test) ** 2))
