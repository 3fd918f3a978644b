"""Plotly figures without plotly's per-property validation: the one workaround module.

Validation costs 5-20x the construction itself (about 5 ms per small trace on the 2-core
machines), which a live page pays on every tick for every figure. plotly has no public switch
for it, so this module, and only this one, passes the private ``_validate=False`` to
``go.Figure``. What validation would have done and the browser needs is done here instead:

- named colour scales are expanded to explicit stops. plotly.py expands a name such as
  ``"PRGn"`` while validating; skipped, the bare name reaches plotly.js, which knows only a few
  names and silently draws its default scale instead (seen: the GAN's green/purple field drawn
  blue-red). ``"Greys"`` even runs the other way round in plotly.js.

Tests build figures inside :func:`checking`, which validates every figure made here in full,
and ``tests/test_plotly_fast.py`` fails loudly if a plotly upgrade changes what this relies on
(the private flag, or the equality of fast and validated figures).
"""
from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Iterator

import plotly.colors
import plotly.graph_objects as go

__all__ = ["figure", "validated", "checking", "colorscale", "colorscales_in"]

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


def figure(data: list[dict], layout: dict) -> go.Figure:
    """A plotly figure from plain trace/layout dicts, without per-property validation."""
    data, layout = _expand(data), _expand(layout)
    if _checking:
        return go.Figure(data=data, layout=layout)  # full validation: a typo raises here
    return go.Figure(data=data, layout=layout, _validate=False)


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
