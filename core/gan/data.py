"""Data for the GAN page: 2-D point clouds, an uploaded CSV and the 8x8 digits.

Every 2-D sampler takes a numpy ``Generator``, a count ``n`` and the ``spread`` (standard
deviation of each mode, or of the noise around a curve) and returns float32 ``(n, 2)``.

Mixtures (``ring8``, ``grid25``, ``hills``) also expose their mode centres, so coverage and
quality can be measured (``core.gan.metrics``).

>>> import numpy as np
>>> x = sample_2d("ring8", np.random.default_rng(0), 4, 0.05)
>>> x.shape, x.dtype
((4, 2), dtype('float32'))
"""
from __future__ import annotations

import csv
import io

import numpy as np

from core.datasets import upload_text

RING_RADIUS = 2.0
GRID_STEP = 2.0
#: CSV upload limits
CSV_MAX_BYTES = 1_000_000
CSV_MAX_ROWS = 20_000
CSV_MIN_ROWS = 10


class PointsError(ValueError):
    """An uploaded CSV of points that cannot be used; the message says why and what to change."""


def mode_centres(name: str) -> np.ndarray | None:
    """(K, 2) float32 centres of a mixture dataset, None for datasets without modes."""
    if name == "ring8":
        a = 2 * np.pi * np.arange(8) / 8
        return (RING_RADIUS * np.stack([np.cos(a), np.sin(a)], 1)).astype(np.float32)
    if name == "grid25":
        g = GRID_STEP * (np.arange(5) - 2.0)
        xx, yy = np.meshgrid(g, g)
        return np.stack([xx.ravel(), yy.ravel()], 1).astype(np.float32)
    if name == "hills":  # GAN Lab's "two Gaussian hills"
        return np.array([[-1.0, -0.5], [1.0, 0.5]], dtype=np.float32)
    return None


def _mixture(rng: np.random.Generator, n: int, spread: float, centres: np.ndarray) -> np.ndarray:
    k = rng.integers(0, len(centres), size=n)
    return centres[k] + spread * rng.standard_normal((n, 2))


def _moons(rng, n, spread):
    n1 = n // 2
    t = np.pi * rng.random(n)
    upper = np.stack([np.cos(t[:n1]), np.sin(t[:n1])], 1)
    lower = np.stack([1 - np.cos(t[n1:]), 0.5 - np.sin(t[n1:])], 1)
    x = np.concatenate([upper, lower]) - np.array([0.5, 0.25])
    return 1.5 * x + spread * rng.standard_normal((n, 2))


def _spiral(rng, n, spread):
    t = np.sqrt(rng.random(n)) * 3 * np.pi  # uniform density along the arm
    r = t / (3 * np.pi) * 2.5
    x = np.stack([r * np.cos(t), r * np.sin(t)], 1)
    return x + spread * rng.standard_normal((n, 2))


def _rings(rng, n, spread):
    radius = np.where(rng.random(n) < 1 / 3, 1.0, 2.0)  # outer ring twice as long: 2/3 of points
    a = 2 * np.pi * rng.random(n)
    x = radius[:, None] * np.stack([np.cos(a), np.sin(a)], 1)
    return x + spread * rng.standard_normal((n, 2))


def sample_2d(name: str, rng: np.random.Generator, n: int, spread: float,
              points: np.ndarray | None = None) -> np.ndarray:
    """``n`` samples of a 2-D dataset as float32 (n, 2). ``points`` backs the ``csv`` dataset."""
    centres = mode_centres(name)
    if centres is not None:
        x = _mixture(rng, n, spread, centres)
    elif name == "moons":
        x = _moons(rng, n, spread)
    elif name == "spiral":
        x = _spiral(rng, n, spread)
    elif name == "rings":
        x = _rings(rng, n, spread)
    elif name == "csv":
        if points is None:
            raise ValueError("Expect uploaded points for the csv dataset, actually none: "
                             "upload a CSV file of x,y rows first")
        x = points[rng.integers(0, len(points), size=n)]
    else:
        raise ValueError(f"Expect a 2-D dataset name, actually {name!r}")
    return np.asarray(x, dtype=np.float32)


def bounds(name: str, points: np.ndarray | None = None) -> tuple[float, float, float, float]:
    """Fixed plot window (x0, x1, y0, y1) for a dataset, so the views do not jump."""
    if name == "grid25":
        return (-6.0, 6.0, -6.0, 6.0)
    if name == "hills":
        return (-3.0, 3.0, -3.0, 3.0)
    if name == "csv" and points is not None and len(points):
        lo, hi = points.min(0), points.max(0)
        pad = 0.15 * np.maximum(hi - lo, 1e-3)
        return (float(lo[0] - pad[0]), float(hi[0] + pad[0]),
                float(lo[1] - pad[1]), float(hi[1] + pad[1]))
    return (-3.2, 3.2, -3.2, 3.2)


def parse_csv(data: bytes | str) -> np.ndarray:
    """Validate an uploaded CSV of 2-D points and return it as float32 (N, 2).

    Accepts comma-, semicolon- or tab-separated values, an optional header row and blank
    lines. Raises :class:`PointsError` naming the problem (size, row, column count,
    non-number).

    >>> parse_csv("x,y\\n" + "\\n".join(f"{i},{2*i}" for i in range(10))).shape
    (10, 2)
    """
    text = upload_text(data, CSV_MAX_BYTES, error=PointsError,
                       too_big="The file is {size} MB; the limit is {limit} MB. Upload at "
                               f"most {CSV_MAX_ROWS} rows.",
                       not_text="The file is not UTF-8 text: export it as a plain CSV.")
    if not isinstance(data, bytes) and len(text.encode()) > CSV_MAX_BYTES:
        raise PointsError(f"The text is over {CSV_MAX_BYTES / 1e6:g} MB: upload at most "
                          f"{CSV_MAX_ROWS} rows.")
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if not lines:
        raise PointsError("The file is empty: expect one x,y pair per row.")
    try:
        delim = csv.Sniffer().sniff(lines[0], delimiters=",;\t").delimiter
    except csv.Error:
        delim = ","
    rows = list(csv.reader(io.StringIO("\n".join(lines)), delimiter=delim))
    start = 0
    if rows and not _numeric(rows[0]):
        start = 1  # a header row
    out = []
    for i, row in enumerate(rows[start:], start=start + 1):
        cells = [c.strip() for c in row]
        if len(cells) != 2:
            raise PointsError(f"Row {i} has {len(cells)} columns; expect exactly 2 (x and y).")
        try:
            x, y = float(cells[0]), float(cells[1])
        except ValueError:
            raise PointsError(f"Row {i} is not numeric: {row!r}. Expect two numbers such as "
                              "0.5,-1.2.") from None
        if not (np.isfinite(x) and np.isfinite(y)):
            raise PointsError(f"Row {i} holds a non-finite value: {row!r}.")
        out.append((x, y))
        if len(out) > CSV_MAX_ROWS:
            raise PointsError(f"More than {CSV_MAX_ROWS} rows: keep at most {CSV_MAX_ROWS}.")
    if len(out) < CSV_MIN_ROWS:
        raise PointsError(f"Only {len(out)} rows of points; expect at least {CSV_MIN_ROWS}.")
    pts = np.asarray(out, dtype=np.float32)
    if np.ptp(pts[:, 0]) == 0 and np.ptp(pts[:, 1]) == 0:
        raise PointsError("All points are identical: a GAN needs a spread of points.")
    return pts


def _numeric(row: list[str]) -> bool:
    try:
        [float(c) for c in row]
        return True
    except ValueError:
        return False
