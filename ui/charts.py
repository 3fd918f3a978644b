"""Draw figures from ``core``: Vega-Lite specs written as plain dicts, and plotly figures."""
from __future__ import annotations

import time
from typing import Any, Mapping, Sequence

import streamlit as st

from core.imports import settled


def chart(spec: dict[str, Any], *, key: str | None = None, width: Any = "stretch") -> None:
    """A Vega-Lite chart, full width by default. The dict goes straight to
    ``st.vega_lite_chart``: no schema validation (altair's costs 10-50 ms per chart per tick)."""
    settled()  # Streamlit's dataframe probes look pandas up without importing it (core.imports)
    st.vega_lite_chart(spec, width=width, key=key)


def figure(fig: Any, key: str) -> None:
    """One figure of either kind: a Vega-Lite dict or a plotly figure."""
    if isinstance(fig, dict):
        chart(fig, key=key)
    else:
        settled()
        st.plotly_chart(fig, width="stretch", key=key)


def clickable(fig: Any, key: str) -> list[dict[str, Any]]:
    """A plotly figure whose points can be clicked: returns the selected points (plotly's
    dicts: ``curve_number``, ``point_index``, ``customdata``...), empty when none is."""
    event = st.plotly_chart(fig, width="stretch", key=key, on_select="rerun",
                            selection_mode="points")
    return list((event or {}).get("selection", {}).get("points", []))


def show(figs: Mapping[str, Any], *, columns: int = 1, prefix: str = "") -> None:
    """Draw a family's ``live_figures`` in order, spread over ``columns`` side by side."""
    if columns <= 1:
        for k, f in figs.items():
            figure(f, f"{prefix}{k}")
        return
    cols = st.columns(columns)
    for i, (k, f) in enumerate(figs.items()):
        with cols[i % columns]:
            figure(f, f"{prefix}{k}")


def held(figs: dict[str, Any], names: Sequence[str], view: Any, *, key: str, every_s: float,
         also: Any = None, now: float | None = None) -> bool:
    """While playing, rebuild the figures ``names`` of ``figs`` at most every ``every_s``
    seconds: in between, put back the ones drawn last (an unchanged figure is not plotted again
    by the browser, which plots a changed plotly figure from scratch: seconds a tick for a few
    thousand points). Paused, scrubbing, another trainer or another ``also`` (a selection the
    figures show): always the current ones. Returns True when ``figs`` holds fresh figures.
    ``now``: the clock (``time.monotonic()`` by default)."""
    now = time.monotonic() if now is None else now
    last = st.session_state.get(key)
    fresh = (not view.playing or last is None or last["trainer"] != id(view.trainer)
             or last["also"] != also or now - last["at"] >= every_s)
    if fresh:
        st.session_state[key] = {"at": now, "trainer": id(view.trainer), "also": also,
                                 "figs": {k: figs[k] for k in names if k in figs}}
    else:
        figs.update(last["figs"])
    return fresh
