"""Draw a chart from ``core`` whatever it is: a Vega-Lite dict (fast) or an altair chart."""
from __future__ import annotations

from typing import Any

import streamlit as st


def chart(obj: Any, *, key: str | None = None, width: Any = "stretch") -> None:
    """A chart, full width by default. Dicts go straight to ``st.vega_lite_chart`` (no schema
    validation: a few ms); altair charts through ``st.altair_chart``."""
    if isinstance(obj, dict):
        st.vega_lite_chart(obj, width=width, key=key)
    else:
        st.altair_chart(obj, width=width, key=key)
