"""Small datasets shared by several families, loaded without scikit-learn.

``digits()``: the 1,797 UCI 8x8 handwritten digits (Alpaydin & Kaynak 1998, CC BY 4.0) as
scikit-learn bundles them, shipped as ``core/data/digits.npz`` (made by
``scripts/make_digits.py``) so a page starts without importing scikit-learn.

``pca(x, k)``: principal components by SVD, the few lines that replace scikit-learn's PCA here.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np

DATA = Path(__file__).resolve().parent / "data"


@lru_cache(maxsize=1)
def digits() -> tuple[np.ndarray, np.ndarray]:
    """(images (1797, 64) float32 in [0, 1], labels (1797,) int64); the arrays are read-only.

    >>> x, y = digits()
    >>> x.shape, y.shape, float(x.max()), sorted(set(y.tolist())) == list(range(10))
    ((1797, 64), (1797,), 1.0, True)
    """
    with np.load(DATA / "digits.npz") as f:
        x = f["images"].astype(np.float32) / 16.0
        y = f["labels"].astype(np.int64)
    x.flags.writeable = False
    y.flags.writeable = False
    return x, y


def pca(x: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Top-``k`` principal components of the rows of ``x``.

    Returns (mean (D,), components (k, D) with orthonormal rows, projections (N, k)), so that
    ``x ≈ mean + projections @ components``. Component signs are fixed (largest entry positive)
    so the same data always gives the same picture.
    """
    x = np.asarray(x, dtype=np.float64)
    mean = x.mean(0)
    _, _, vt = np.linalg.svd(x - mean, full_matrices=False)
    comps = vt[:k]
    signs = np.sign(comps[np.arange(len(comps)), np.abs(comps).argmax(1)])
    comps = comps * signs[:, None]
    return mean.astype(np.float32), comps.astype(np.float32), ((x - mean) @ comps.T).astype(
        np.float32)


def upload_text(data: bytes | str, max_bytes: int, *, too_big: str, not_text: str,
                error: type[ValueError] = ValueError) -> str:
    """An uploaded file as text: refused when over ``max_bytes`` or not UTF-8 (a BOM is
    dropped). ``too_big`` (with ``{size}`` and ``{limit}`` in MB) and ``not_text`` say what to
    do instead; ``error`` is the ValueError subclass to raise. ``max_bytes`` is the whole limit:
    class mode's lower one is the caller's policy (``ui.uploads`` refuses a file over it
    before any parser sees it), never read here.

    >>> upload_text(b"\\xef\\xbb\\xbfx,y", 100, too_big="{size} > {limit}", not_text="no")
    'x,y'
    """
    if not isinstance(data, bytes):
        return data
    if len(data) > max_bytes:
        raise error(too_big.format(size=f"{len(data) / 1e6:.1f}", limit=f"{max_bytes / 1e6:g}"))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise error(not_text) from None
