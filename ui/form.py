"""The config form: sidebar widgets built from a family's schema, bound to the URL.

Every widget's key is the field name and is bound to the query parameter of the same name, so
the address bar always holds the non-default settings and a copied link rebuilds the run.
Values arriving in a URL are checked against the schema before any widget reads them: a value
out of range is clamped, an unreadable one replaced by the default, and each gets a note shown on
the page (Streamlit alone would drop them silently).
"""
from __future__ import annotations

from typing import Any, Iterable, Sequence
from urllib.parse import urlencode

import streamlit as st

from core.config import Config, ParamSpec, Preset, apply_overrides, sanitize, specs, to_query
from core.config import validate as validate_config

NOTES_KEY = "_url_notes"


def widget(spec: ParamSpec, where: Any = None) -> Any:
    """Render the widget for ``spec`` (bound to the URL) and return its value.

    The widget's default is always the schema default (so defaults stay out of the URL and the
    widget keeps one identity); a value put in session state (preset, repaired URL) wins.
    """
    w = where or st.sidebar
    kw = dict(label=spec.label, help=spec.help, key=spec.name, bind="query-params")
    if spec.choices is not None:
        options = list(spec.choices)
        index = options.index(spec.default)
        if len(options) <= 4 and all(isinstance(o, str) and len(o) <= 12 for o in options):
            return w.radio(options=options, index=index, horizontal=True, **kw)
        return w.selectbox(options=options, index=index, **kw)
    if spec.type is bool:
        return w.toggle(value=bool(spec.default), **kw)
    if spec.type in (int, float):
        t = spec.type
        num = dict(min_value=t(spec.min), max_value=t(spec.max), value=t(spec.default))
        if t is float and spec.scale == "log":
            return w.number_input(step=float(spec.step or spec.min), format="%g", **num, **kw)
        step = spec.step if spec.step is not None else (1 if t is int else
                                                         (spec.max - spec.min) / 100)
        if t is int and (spec.max - spec.min) / step > 400:
            return w.number_input(step=int(step), **num, **kw)
        return w.slider(step=t(step), **num, **kw)
    return w.text_input(value=str(spec.default), **kw)


def check_url(cls: type[Config], scope: str, *, other_keys: Iterable[str] = (),
              report_unknown: bool = True) -> None:
    """Once per session and scope: repair bad URL values before the widgets read them.

    A bound parameter can still be changed through ``st.query_params`` before its widget
    exists, so a bad value is removed from the URL and the repaired value put into session
    state, where the widget picks it up and writes it back to the URL. Keys that belong to
    neither ``cls`` nor ``other_keys`` get an "ignored" note when ``report_unknown``.
    """
    flag = f"_url_checked_{scope}"
    if st.session_state.get(flag):
        return
    st.session_state[flag] = True
    notes: list[str] = []
    repaired_any = False
    known = {s.name: s for s in specs(cls)}
    others = set(other_keys)
    for name in list(st.query_params.keys()):
        spec = known.get(name)
        if spec is None:
            if report_unknown and name not in others:
                notes.append(f"Unknown setting {name!r} in the link was ignored.")
            continue
        value, note = sanitize(spec, st.query_params.get_all(name))
        if note:
            notes.append(note)
            # the address bar must hold what runs: the repaired value, or nothing for a default
            repaired = to_query_value(spec, value)
            repaired_any = True
            try:
                if repaired is None:
                    del st.query_params[name]
                else:
                    st.query_params[name] = repaired
            except Exception:  # noqa: BLE001 - already bound: session state still wins
                pass
            st.session_state[name] = value
    st.session_state[f"{NOTES_KEY}_{scope}"] = notes
    if repaired_any:
        # A bound widget writes the URL only from its second run, so the address bar would
        # keep the raw (or no) value on a page that is not ticking: run once more now.
        st.rerun()


def to_query_value(spec: ParamSpec, value: Any) -> str | None:
    """How ``value`` of ``spec`` is written in a link: None for the default (left out)."""
    if value == spec.default:
        return None
    return f"{value:g}" if isinstance(value, float) else str(value)


def url_notes(*scopes: str) -> None:
    """Show the notes about repaired URL values for these scopes (page and "shared")."""
    notes = [n for sc in scopes for n in st.session_state.get(f"{NOTES_KEY}_{sc}") or []]
    if notes:
        st.warning("Some settings in the link could not be used as given:\n\n"
                   + "\n".join(f"- {n}" for n in notes), icon="⚠️")


def config_sidebar(cls: type[Config], page: str, *, presets: Sequence[Preset] = (),
                   extra_keys: Iterable[str] = ()) -> tuple[Config, list[str]]:
    """Render the sidebar form for ``cls``; returns (config, problems).

    ``problems`` lists everything wrong with the current settings in plain words; when it is
    not empty the page shows them and must not build a model.
    """
    from ui.shared import RunSettings, shared_sidebar
    shared_sidebar()
    check_url(cls, page, other_keys=[s.name for s in specs(RunSettings)] + list(extra_keys))
    if presets:
        names = [p.name for p in presets]
        st.sidebar.selectbox(
            "Start from a preset", names, index=None, placeholder="Choose a preset…",
            key=f"_preset_{page}", on_change=_preset_chosen, args=(cls, list(presets), page),
            help="Loads a named configuration and resets the run.")
    values: dict[str, Any] = {}
    group = None
    all_specs = specs(cls)
    order = {g: i for i, g in reversed(list(enumerate(s.group for s in all_specs)))}
    all_specs.sort(key=lambda s: order[s.group])  # stable: one heading per group
    for spec in all_specs:
        if not spec.visible(values | {s.name: st.session_state.get(s.name, s.default)
                                      for s in all_specs if s.name not in values}):
            continue
        if spec.group != group:
            group = spec.group
            st.sidebar.subheader(group)
        values[spec.name] = widget(spec)
    cfg = cls(**values)
    problems = validate_config(cfg)
    return cfg, problems


def _preset_chosen(cls: type[Config], presets: list[Preset], page: str) -> None:
    key = f"_preset_{page}"
    chosen = next((p for p in presets if p.name == st.session_state.get(key)), None)
    if chosen is not None:
        apply_preset(cls, chosen, page)
    st.session_state[key] = None  # the box is an action, not a setting


def apply_preset(cls: type[Config], preset: Preset, page: str) -> None:
    """Callback: put a preset's full configuration (defaults + overrides) into the widgets,
    and start that run from step 0, paused."""
    cfg = apply_overrides(cls(), preset.overrides)
    for spec in specs(cls):
        st.session_state[spec.name] = getattr(cfg, spec.name)
    if preset.seed is not None:
        st.session_state["seed"] = preset.seed
    live = st.session_state.get(f"_live_{page}")
    if live is not None:
        with live.lock:
            live.trainer = None
        live.playing = False


def share_link(cfg: Config, seed: int) -> str:
    """The address that rebuilds this run: non-default settings and the seed."""
    q = to_query(cfg)
    q["seed"] = str(seed)
    base = ""
    try:
        base = st.context.url or ""
    except Exception:  # noqa: BLE001 - no browser context (tests)
        base = ""
    return f"{base}?{urlencode(q)}"


def show_problems(problems: list[str]) -> None:
    st.error("These settings cannot be trained yet:\n\n"
             + "\n".join(f"- {p}" for p in problems), icon="🛑")
