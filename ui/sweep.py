"""The Sweep panel every architecture page has: set up, follow and read a sweep.

Built from the schema (which settings, their ranges and log scale) and the metric declarations
(what to judge, which way is good). The sweep runs in worker processes (core/runs/sweep.py); this
panel only starts it, shows its progress once a second while it runs, and draws the results.
``?sweep=ID`` reopens a sweep from its link, after the tab was closed or on another browser.
In class mode a student runs at most ``max_sweeps`` sweeps at once, in ``sweep_workers``
processes each (core.classroom): the workers train outside the server's fair sharing.
"""
from __future__ import annotations

import json
from typing import Any

import streamlit as st

from core import classroom
from core.config import Config, apply_overrides, fmt, specs, to_dict
from core.run import RunSettings
from core.runs import sweep as SW
from core.runs import sweep_figures as SF
from core.runs.store import StoreError
from core.runs.sweep_spec import MAX_BUDGET, SweepSpec, parse_values, suggest_values
from ui.charts import chart
from ui.identity import owner
from ui.lesson import locked
from ui.runs import store
from ui.widgets import share_link

WORKERS = 2


def sweep_panel(slug: str, cfg_cls: type[Config], trainer_cls: type, cfg: Config,
                run: RunSettings) -> None:
    """The inside of a page's Sweep expander (ui.page draws the expander, shut until opened,
    and imports this module only then: the sweep engine and SQLAlchemy stay off a page's
    first run)."""
    db = store()
    if db is None:
        return
    SW.warm()  # the worker launcher imports torch while the student sets the sweep up
    _form(slug, cfg_cls, trainer_cls, cfg, run, db)
    active = st.query_params.get("sweep") or st.session_state.get(f"_sweep_{slug}")
    if active:  # (after the form: it may just have started one)
        try:
            row = db.get_sweep(active)
        except StoreError as e:
            st.warning(str(e))
            return
        if row is None or row["family"] != slug:
            st.warning("The sweep in this link does not exist on this page.")
            return
        _follow(slug, cfg_cls, trainer_cls, active, db)


def _form(slug, cfg_cls, trainer_cls, cfg, run, db) -> None:
    lesson_locks = locked(slug)  # a lesson's locked settings are not offered either
    fields = {s.name: s for s in specs(cfg_cls)
              if (s.type in (int, float) or s.choices) and s.name not in lesson_locks}
    names = st.multiselect("Settings to sweep (one or two)", list(fields), max_selections=2,
                           format_func=lambda n: fields[n].label, key=f"_sw_params_{slug}",
                           help="Ranges and scales come from each setting's declaration.")
    problems: list[str] = []
    values: dict[str, list] = {}
    for n in names:
        s = fields[n]
        default = ", ".join(fmt(v) for v in suggest_values(s, getattr(cfg, n)))
        text = st.text_input(f"Values of {s.label}", default, key=f"_sw_vals_{slug}_{n}",
                             max_chars=400, help=f"Comma-separated; allowed "
                             f"{fmt(s.min)} to {fmt(s.max)}" if s.min is not None else None)
        values[n], bad = parse_values(s, text)
        problems += bad
    metrics = [m for m in trainer_cls.metrics if m.plotted]
    c1, c2, c3 = st.columns(3)
    n_seeds = c1.slider("Seeds per setting", 1, 5, 2, key=f"_sw_seeds_{slug}",
                        help="Each value is trained with this many seeds: the spread shows "
                             "what is noise.")
    budget = c2.number_input("Budget per run (steps)", 10, MAX_BUDGET, 300, 50,
                             key=f"_sw_budget_{slug}")
    metric = c3.selectbox("Judge by", [m.name for m in metrics] or ["loss"],
                          format_func=lambda n: next((m.label for m in metrics if m.name == n),
                                                     n), key=f"_sw_metric_{slug}")
    prune = st.toggle("Stop hopeless runs early (median pruner)", key=f"_sw_prune_{slug}")
    if not names:
        st.caption("Pick a setting to sweep; the other settings stay as they are now.")
        return
    spec = SweepSpec(family=slug, params=tuple(names), values=values,
                        seeds=tuple(range(run.seed, run.seed + n_seeds)),
                        budget_steps=int(budget), metric=metric, base=to_dict(cfg),
                        prune=bool(prune))
    problems = problems or spec.problems()
    if problems:
        st.error("This sweep cannot run:\n\n" + "\n".join(f"- {p}" for p in problems),
                 icon=":material/error:")
        return
    caps = classroom.settings()
    workers = caps.sweep_workers if caps.enabled else WORKERS
    if caps.enabled and running_sweeps(db) >= caps.max_sweeps:
        n = caps.max_sweeps
        st.info(f"In class mode you run at most {n} sweep{'s' if n != 1 else ''} at a time: "
                "wait until yours finishes (or cancel it) to start another.", icon=":material/hourglass_top:")
        return
    st.caption(f"{spec.n_runs} runs of {int(budget):,} steps in {workers} worker "
               f"process{'es' if workers != 1 else ''}.")
    if st.button("▶ Start sweep", key=f"_sw_start_{slug}", type="primary"):
        try:
            sid = SW.start(spec, db, owner(), workers=workers)
        except (ValueError, StoreError) as e:
            st.error(str(e))
            return
        st.session_state[f"_sweep_{slug}"] = sid
        st.query_params["sweep"] = sid


def running_sweeps(db) -> int:
    """This browser's sweeps that still have runs to do, on every page."""
    rows = [r for r in db.list_sweeps(owner()) if r["status"] == "running"]
    return sum(1 for r in rows if SW.progress(db, r["id"])["left"] > 0)


def _follow(slug, cfg_cls, trainer_cls, sid, db) -> None:
    row = db.get_sweep(sid)
    running = row["status"] == "running"

    @st.fragment(run_every=1.0 if running else None)
    def live() -> None:
        p = SW.progress(db, sid)
        if p["status"] == "running" and p["left"] == 0 and p["running"] == 0:
            db.update_sweep(sid, "finished")
        eta = f", about {p['eta_s']:.0f} s left" if p.get("eta_s") else ""
        st.progress(min(1.0, p["done"] / max(1, p["total"])),
                    text=f"Sweep {p['status']}: {p['done']} of {p['total']} runs done"
                         f"{eta}" + (f", {p['failed']} failed" if p["failed"] else ""))
        if p["status"] == "running" and row["owner"] == owner():
            if st.button("■ Cancel sweep", key=f"_sw_cancel_{slug}"):
                SW.cancel(db, sid)
        _results(slug, cfg_cls, trainer_cls, sid, db)
        if running and p["status"] != "running":
            st.rerun()  # stop ticking

    live()


def _results(slug, cfg_cls, trainer_cls, sid, db) -> None:
    spec = SweepSpec.from_dict(db.get_sweep(sid)["spec"])
    rows = SW.results(db, sid)
    if not rows:
        st.caption("Results appear here as runs finish.")
        return
    fs = {s.name: s for s in specs(cfg_cls)}
    decl = {m.name: m for m in trainer_cls.metrics}
    mlabel = decl[spec.metric].axis_title if spec.metric in decl else spec.metric
    p1 = spec.params[0]
    if len(spec.params) == 1:
        st.plotly_chart(SF.metric_vs_value(rows, p1, spec.metric, label=fs[p1].label,
                                           metric_label=mlabel, log_x=fs[p1].scale == "log"),
                        width="stretch", key=f"_sw_fig_{slug}")
    else:
        p2 = spec.params[1]
        st.plotly_chart(SF.metric_heatmap(rows, p1, p2, spec.metric,
                                          labels=(fs[p1].label, fs[p2].label),
                                          metric_label=mlabel),
                        width="stretch", key=f"_sw_heat_{slug}")
        imp = SF.importance(rows, spec.params, spec.metric)
        st.caption("Share of the spread each setting explains on its own: " + ", ".join(
            f"{fs[k].label} {100 * v:.0f}%" for k, v in imp.items()) + " (the rest: seeds "
            "and the two together).")
    runs = db.list_runs("", sweep_id=sid, limit=500)
    chart(SF.learning_curves([r for r in runs if r["status"] in ("finished", "pruned")], p1,
                             spec.metric, label=fs[p1].label, metric_label=mlabel,
                             log_y=bool(decl.get(spec.metric) and decl[spec.metric].log)),
          key=f"_sw_curves_{slug}")
    base = spec.base_config()
    table = [{**{fs[k].label: r[k] for k in spec.params}, "seed": r["seed"],
              mlabel: r[spec.metric], "status": r["status"],
              "open live": share_link(apply_overrides(base, {k: r[k] for k in spec.params}),
                                      r["seed"])} for r in rows]
    st.dataframe(table, hide_index=True, width="stretch",
                 column_config={"open live": st.column_config.LinkColumn(
                     "open live", display_text="open this run")})
    a, b = st.columns(2)
    a.download_button("Runs (.csv)", _csv(table), f"sweep-{sid[:8]}.csv", "text/csv",
                      on_click="ignore", key=f"_sw_csv_{slug}", width="stretch")
    b.download_button("Study (.json)", json.dumps({"sweep": sid, "spec": spec.to_dict(),
                                                    "runs": rows}, indent=1, default=str),
                      f"sweep-{sid[:8]}.json", "application/json", on_click="ignore",
                      key=f"_sw_json_{slug}", width="stretch")
    st.caption(f"Share this sweep: `?sweep={sid}`")


def _csv(table: list[dict[str, Any]]) -> str:
    import csv
    import io
    out = io.StringIO()
    if table:
        w = csv.DictWriter(out, fieldnames=list(table[0]))
        w.writeheader()
        w.writerows(table)
    return out.getvalue()
