"""Compare kept runs: curves overlaid, settings side by side, export, delete.

Runs pinned on any page are kept in the run store (a reload, a new tab or a server restart
loses nothing) and listed here for the browser that made them; ``?run=ID`` opens a shared run
read-only beside them, and a lesson link (``?lesson=``) the runs a teacher shared.
"""
import pandas as pd
import streamlit as st

from core.figures import metric_chart
from core.runs import compare
from ui import chart
from ui.boot import ensure_navigated
from ui.identity import owner
from ui.lesson import compare_maker, compare_runs
from ui.runs import store

ensure_navigated()
st.title(":material/compare_arrows: Compare runs")
me, db = owner(), store()
kept = db.list_runs(me) if db else []
known = {r["id"] for r in kept}
kept += [r for r in st.session_state.get("_pinned", []) if not r.get("id") or r["id"] not in known]
kept[:0] = compare_runs(db, known)  # ?run=ID and a lesson's runs, read-only
if not kept:
    st.info("No runs kept yet. On any architecture page, train a little and press "
            "**Pin run**; pin a second run with other settings, then come back here.")
    st.stop()

pages = sorted({r["page"] for r in kept})
first = next((r["page"] for r in kept if r.get("shared")), pages[0])  # a link's runs first
page = (st.radio("Architecture", pages, horizontal=True, index=pages.index(first))
        if len(pages) > 1 else pages[0])
here = [r for r in kept if r["page"] == page]
finals = sorted({k for r in here for k in (r.get("final") or {})})
by = st.selectbox("Sort by final", [None, *finals], format_func=lambda n: "newest first"
                  if n is None else compare.metric_title(here, n)[0])
here = compare.sort_runs(here, by)
labels = [f"{r['label']} · {(r.get('id') or 'this tab')[:6]}" for r in here]
chosen = st.multiselect("Runs", labels, default=labels[:6])
runs = [r for r, lab in zip(here, labels) if lab in chosen]
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
    a, b = st.columns(2)
    a.download_button("Runs (.csv)", compare.runs_csv(runs), "archlab-runs.csv", "text/csv",
                      on_click="ignore", width="stretch")
    b.download_button("Runs (.json)", compare.runs_json(runs), "archlab-runs.json",
                      "application/json", on_click="ignore", width="stretch")
    for r in runs:
        if r.get("id") and not r.get("shared"):
            st.caption(f"Link to {r['label']}: `?run={r['id']}`")

st.markdown("**Last values**")   # full width: in the side column its columns were cut off
st.dataframe(pd.DataFrame(compare.final_values(runs, metrics)), hide_index=True, width="stretch")
compare_maker(runs)
mine = [r for r in runs if r.get("id") and not r.get("shared")]
if mine and db and st.button(f"Delete the {len(mine)} selected run(s)", type="secondary"):
    gone = sum(db.delete_run(r["id"], me) for r in mine)
    st.session_state["_pinned"] = [r for r in st.session_state.get("_pinned", [])
                                   if r.get("id") not in {x["id"] for x in mine}]
    st.toast(f"Deleted {gone} run(s).")
    st.rerun()
