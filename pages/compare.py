"""Compare runs pinned on the architecture pages: curves overlaid, settings side by side."""
import pandas as pd
import streamlit as st

from core import compare
from core.figures import metric_chart
from ui import chart
from ui.boot import ensure_navigated

ensure_navigated()
st.title("📊 Compare runs")
pinned: list = st.session_state.setdefault("_pinned", [])
if not pinned:
    st.info("No runs pinned yet. On any architecture page, train a little and press "
            "**📌 Pin run**; pin a second run with other settings, then come back here.")
    st.stop()

pages = sorted({r["page"] for r in pinned})
page = st.radio("Architecture", pages, horizontal=True) if len(pages) > 1 else pages[0]
runs_here = [r for r in pinned if r["page"] == page]
labels = [r["label"] for r in runs_here]
chosen = st.multiselect("Runs", labels, default=labels)
runs = [r for r in runs_here if r["label"] in chosen]
if not runs:
    st.warning("Pick at least one run.")
    st.stop()

metrics = compare.common_metrics(runs)
left, right = st.columns([3, 2])
with left:
    for m in st.multiselect("Metrics", metrics, default=metrics[:2],
                            format_func=lambda n: compare.metric_title(runs, n)[0]):
        label, axis, log = compare.metric_title(runs, m)
        chart(metric_chart(compare.overlay(runs, m), title=label, y_title=axis, log_y=log,
                           height=240))
with right:
    st.markdown("**Settings that differ**")
    diff = compare.config_diff(runs)
    if diff:
        st.dataframe(pd.DataFrame(diff).astype(str), hide_index=True, width="stretch")
    else:
        st.caption("Same settings and seed.")
    st.markdown("**Last values**")
    st.dataframe(pd.DataFrame(compare.final_values(runs, metrics)), hide_index=True,
                 width="stretch")

if st.button("Clear all pinned runs"):
    st.session_state["_pinned"] = []
    st.rerun()
