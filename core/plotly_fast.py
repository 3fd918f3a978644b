"""Plotly figures without plotly's per-property validation: the one workaround module.

Validation costs 5-20x the construction itself (about 5 ms per small trace on the 2-core
machines), which a live page pays on every tick for every figure. plotly has no public switch
for it, so this module, and only this one, passes the private ``_validate=False`` to
``go.Figure``. What validation would have done and the browser needs is done here instead:

- named colour scales are expanded to explicit stops. plotly.py expands a name such as
  ``"PRGn"`` while validating; skipped, the bare name reaches plotly.js, which knows only a few
  names and silently draws its default scale instead (seen: the GAN's green/purple field drawn
  blue-red). ``"Greys"`` even runs the other way round in plotly.js.

The figures made here also send cheaper. ``st.plotly_chart`` calls ``Figure.to_dict()`` on
every redraw: plotly deep-copies every trace, numpy arrays and all, then walks the copy and
base64-encodes each array, probing it first for a dataframe library (about 0.13 ms an array).
:class:`Fast` does the same in one walk that copies only dicts, lists and tuples and encodes
numpy arrays directly (the arrays are read, never written, so sharing them is safe); the result
is the same dict. On the 2-core machines that takes a page's per-tick ``to_dict`` from 1-4 ms
to 0.25-0.9 ms.

Tests build figures inside :func:`checking`, which validates every figure made here in full,
and ``tests/test_plotly_fast.py`` fails loudly if a plotly upgrade changes what this relies on
(the private flag, or the equality of fast and validated figures).
"""
from __future__ import annotations

import base64
from contextlib import contextmanager
from typing import Any, Iterator

import plotly.colors
import plotly.graph_objects as go
import numpy as np
from _plotly_utils.basevalidators import is_homogeneous_array
from _plotly_utils.utils import plotlyjsShortTypes, to_typed_array_spec

from core.imports import settled

__all__ = ["Fast", "figure", "validated", "checking", "colorscale", "colorscales_in"]

_checking = 0


def colorscale(scale: Any) -> Any:
    """A colour scale as explicit ``[[position, colour], ...]`` stops (names expanded; a name
    ending in ``_r`` is reversed, as plotly.py does)."""
    if isinstance(scale, str):
        return [[round(float(p), 6), c] for p, c in plotly.colors.get_colorscale(scale)]
    return scale


def _expand(obj: Any) -> Any:
    """Copy of trace/layout dicts with every ``colorscale`` made explicit (nested dicts too)."""
    if isinstance(obj, dict):
        return {k: (colorscale(v) if k == "colorscale" else _expand(v)) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_expand(v) for v in obj]
    return obj


_SKIPPED = frozenset(("geojson", "layer", "layers", "range"))  # plotly never encodes these
_SCALARS = (str, int, float, bool, type(None))


def _copy(obj: Any) -> Any:
    """Copy of the dicts, lists and tuples in ``obj``; anything else is shared."""
    if isinstance(obj, dict):
        return {k: _copy(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(_copy(v) for v in obj)
    return obj


def _typed(v: np.ndarray) -> Any:
    """A numeric array as plotly.js's typed-array spec, as ``to_typed_array_spec`` makes it
    (64-bit integers narrowed to the smallest type that holds them), without its
    dataframe-library probe (most of its cost); anything unusual goes to plotly's own."""
    dtype = str(v.dtype)
    if v.size and dtype in ("int64", "uint64"):
        lo, hi = v.min(), v.max()
        for t in ("int8", "int16", "int32") if dtype == "int64" else ("uint8", "uint16", "uint32"):
            info = np.iinfo(t)
            if info.min <= lo and hi <= info.max:
                v, dtype = v.astype(t), t
                break
    if not v.size or dtype not in plotlyjsShortTypes:
        return to_typed_array_spec(v)
    spec = {"dtype": plotlyjsShortTypes[dtype],
            "bdata": base64.b64encode(np.ascontiguousarray(v)).decode("ascii")}
    if v.ndim > 1:
        spec["shape"] = str(v.shape)[1:-1]
    return spec


def _sendable(obj: Any) -> Any:
    """What ``deepcopy`` then ``convert_to_base64`` make of ``obj`` (plotly's ``to_dict``), in
    one walk that copies containers only: a value under a dict key that is a homogeneous array
    becomes a new typed-array dict; arrays inside lists are left as they are, as plotly does."""
    if isinstance(obj, dict):
        out = {}
        for k, v in obj.items():
            if isinstance(v, _SCALARS):
                out[k] = v
            elif k in _SKIPPED:
                out[k] = _copy(v)
            elif isinstance(v, np.ndarray):
                out[k] = _typed(v)
            elif isinstance(v, (dict, list, tuple)):
                out[k] = _sendable(v)
            else:
                out[k] = to_typed_array_spec(v) if is_homogeneous_array(v) else v
        return out
    if isinstance(obj, (list, tuple)):
        return type(obj)(_sendable(v) for v in obj)
    return obj


class Fast(go.Figure):
    """A ``go.Figure`` whose ``to_dict`` (what ``st.plotly_chart`` calls on every redraw)
    copies containers only and encodes arrays without plotly's dataframe probe; the result
    equals plotly's own ``to_dict`` (``tests/test_plotly_fast.py``)."""

    def to_dict(self) -> dict:
        settled()  # plotly's array probes look pandas up without importing it (core.imports)
        res = {"data": _sendable(self._data), "layout": _sendable(self._layout)}
        frames = [_sendable(f._props) for f in self._frame_objs]
        if frames:
            res["frames"] = frames
        return res


def figure(data: list[dict], layout: dict) -> go.Figure:
    """A plotly figure from plain trace/layout dicts, without per-property validation."""
    settled()  # plotly's validators look pandas up without importing it (core.imports)
    data, layout = _expand(data), _expand(layout)
    if _checking:
        return Fast(data=data, layout=layout)  # full validation: a typo raises here
    return Fast(data=data, layout=layout, _validate=False)


def validated(fig: go.Figure) -> go.Figure:
    """The same figure rebuilt with plotly's full validation (raises on a bad property)."""
    return go.Figure(fig.to_dict())


@contextmanager
def checking() -> Iterator[None]:
    """Inside, every :func:`figure` is built with plotly's validation (tests use this)."""
    global _checking
    _checking += 1
    try:
        yield
    finally:
        _checking -= 1


def colorscales_in(spec: Any) -> list[Any]:
    """Every ``colorscale`` value inside a figure's JSON-ready dict (what the browser gets),
    outside the theme template."""
    out: list[Any] = []
    if isinstance(spec, dict):
        for k, v in spec.items():
            if k == "colorscale":
                out.append(v)
            elif k != "template":  # plotly's theme, not this figure's own traces
                out.extend(colorscales_in(v))
    elif isinstance(spec, (list, tuple)):
        for v in spec:
            out.extend(colorscales_in(v))
    return out
