"""Draw a chart from ``core``: a Vega-Lite spec written as a plain dict."""
from __future__ import annotations

from typing import Any

import streamlit as st


def chart(spec: dict[str, Any], *, key: str | None = None, width: Any = "stretch") -> None:
    """A Vega-Lite chart, full width by default. The dict goes straight to
    ``st.vega_lite_chart``: no schema validation (altair's costs 10-50 ms per chart per tick)."""
    st.vega_lite_chart(spec, width=width, key=key)
