"""Widgets built from the schema, bound to the URL, and the repair of bad URL values.

Every widget's key is the field name and is bound to the query parameter of the same name, so
the address bar holds the non-default settings and a copied link rebuilds the run. Values
arriving in a URL are checked against the schema before any widget reads them: a value out of
range is clamped, an unreadable one replaced by the default, and each gets a note shown on the
page (Streamlit alone would drop them silently).

A ``scale="log"`` field is two controls: a slider over the 1-2-5 values of its range, which
moves by factors, and under it the exact value (the one bound to the URL), typeable, whose
+/- moves by a tenth of the value's decade, never by the field's minimum. Both show the value
in use: the slider's notches are the 1-2-5 values plus that value (4e-3 sits between 2e-3 and
5e-3), read from the box, or from the link before the box is drawn.

Whole numbers with too many values for a slider (the seed) and free text are typed into a text
box, read by the schema as a link's value is: the browser's own number box would turn 1.5 into
1 and 1e999 into 0 before the page saw them. What cannot be used keeps the value in use before,
what is out of range is clamped, and a note under the box says so; the box, and so the address
bar, holds the value in use.
"""
from __future__ import annotations

import math
from typing import Any, Iterable
from urllib.parse import urlencode

import streamlit as st

from core.config import Config, ParamSpec, sanitize, shorten, specs, to_query
from core.config import fmt as _fmt

NOTES_KEY = "_url_notes"


def log_grid(lo: float, hi: float) -> list[float]:
    """The 1-2-5 values from ``lo`` to ``hi`` (both ends included).

    >>> log_grid(1e-4, 1e-2)
    [0.0001, 0.0002, 0.0005, 0.001, 0.002, 0.005, 0.01]
    """
    out = [lo]
    for e in range(math.floor(math.log10(lo)), math.ceil(math.log10(hi)) + 1):
        for m in (1, 2, 5):
            v = float(f"{m}e{e}")
            if lo < v < hi and not math.isclose(v, lo) and not math.isclose(v, hi):
                out.append(v)
    out.append(hi)
    return sorted(set(out))


def notches(grid: list[float], value: float) -> list[float]:
    """The slider's options: ``grid`` with ``value`` among them, so that the slider shows the
    value in use rather than a neighbour (one that reads the same replaces its grid value).

    >>> notches([0.001, 0.002, 0.005, 0.01], 0.004)
    [0.001, 0.002, 0.004, 0.005, 0.01]
    >>> notches([0.001, 0.002, 0.005], 0.0020000001)
    [0.001, 0.0020000001, 0.005]
    """
    return sorted([g for g in grid if _fmt(g) != _fmt(value)] + [value])


def in_use(spec: ParamSpec) -> Any:
    """The value ``spec`` runs with: its widget's (typed, set by a preset or a loaded run),
    else the link's, else the default. A bound widget reads the link only when it is drawn,
    so a control drawn before it (the log field's slider) asks here. Call after
    :func:`check_url`, which has repaired a bad link value."""
    if spec.name in st.session_state:
        return st.session_state[spec.name]
    if spec.name in st.query_params:
        return sanitize(spec, st.query_params.get_all(spec.name))[0]
    return spec.default


def _coarse_key(name: str) -> str:
    return f"_coarse_{name}"


def _coarse_moved(name: str) -> None:
    st.session_state[name] = float(st.session_state[_coarse_key(name)])


def set_value(spec: ParamSpec, value: Any) -> None:
    """Put ``value`` into the widget of ``spec`` (preset, loaded run, repaired link)."""
    st.session_state[spec.name] = _fmt(value) if _is_typed(spec) else value


def write_url(spec: ParamSpec, value: Any) -> None:
    """Put what runs into the address bar: ``value`` (nothing when it is the default)."""
    try:
        if value == spec.default:
            del st.query_params[spec.name]
        else:
            st.query_params[spec.name] = _fmt(value)
    except Exception:  # noqa: BLE001 - already bound: the widget writes it, session state wins
        pass


def _is_log(spec: ParamSpec) -> bool:
    return spec.type is float and spec.scale == "log" and spec.choices is None


def _int_step(spec: ParamSpec) -> int:
    return int(spec.step) if spec.step is not None else 1


def _is_typed(spec: ParamSpec) -> bool:
    """Free text, or a whole number with more values than a slider can offer: a text box."""
    if spec.choices is not None:
        return False
    return spec.type is str or (spec.type is int
                                and (spec.max - spec.min) / _int_step(spec) > 400)


def _note_key(name: str) -> str:
    return f"_typed_note_{name}"


def _used_key(name: str) -> str:
    return f"_typed_used_{name}"


def _typed(spec: ParamSpec) -> None:
    """Callback of a text box: read what was typed as a link's value is read; the box gets
    the value in use and, when that is not what was typed, a note saying so."""
    raw = st.session_state.get(spec.name, "")
    value, note = sanitize(spec, raw, keep=st.session_state.get(_used_key(spec.name),
                                                                 spec.default))
    text = _fmt(value)
    if note is None and isinstance(raw, str) and raw.strip() == text:
        text = raw  # a value typed in its own words stays as typed
    st.session_state[spec.name] = text
    st.session_state[_note_key(spec.name)] = (text, note) if note else None


def _typed_widget(spec: ParamSpec, w: Any, kw: dict) -> Any:
    name = spec.name
    if name in st.session_state and not isinstance(st.session_state[name], str):
        st.session_state[name] = _fmt(st.session_state[name])  # set as a number elsewhere
    text = w.text_input(value=_fmt(spec.default), on_change=_typed, args=(spec,), **kw)
    value, _ = sanitize(spec, text)  # the callback and check_url let only usable text in
    st.session_state[_used_key(name)] = value
    said = st.session_state.get(_note_key(name))
    if said and said[0] == text:  # until the box holds another value
        w.warning(said[1], icon=":material/warning:")
    return value


def fine_step(value: float) -> float:
    """The exact box's +/- step: a tenth of the value's decade (5e-3 moves by 1e-4, a fine
    touch; the slider above moves by factors).

    >>> fine_step(0.005), fine_step(0.001), fine_step(3.0)
    (0.0001, 0.0001, 0.1)
    """
    return float(f"1e{math.floor(math.log10(value)) - 1}") if value > 0 else 1e-6


def _log_widget(spec: ParamSpec, w: Any, disabled: bool = False) -> float:
    grid = log_grid(float(spec.min), float(spec.max))
    now = in_use(spec)
    now = (float(now) if isinstance(now, (int, float)) and not isinstance(now, bool)
           and math.isfinite(now) else spec.default)
    st.session_state[_coarse_key(spec.name)] = now
    w.select_slider(spec.label, options=notches(grid, now), key=_coarse_key(spec.name),
                    help=spec.help, format_func=_fmt, on_change=_coarse_moved,
                    args=(spec.name,), disabled=disabled)
    # keyed number inputs keep their identity when the step changes (key is the identity)
    return w.number_input(f"{spec.label}, exact value", min_value=float(spec.min),
                          max_value=float(spec.max), value=float(spec.default),
                          step=fine_step(max(now, float(spec.min))), format="%g",
                          key=spec.name, bind="query-params", label_visibility="collapsed",
                          help=f"The exact {spec.label.lower()}, typed ({_fmt(spec.min)} "
                               f"to {_fmt(spec.max)}).", disabled=disabled)


def widget(spec: ParamSpec, where: Any = None, *, disabled: bool = False) -> Any:
    """Render the widget for ``spec`` (bound to the URL) and return its value.

    The widget's default is always the schema default (so defaults stay out of the URL and the
    widget keeps one identity); a value put in session state (preset, repaired URL) wins.
    ``disabled`` draws it greyed out (a lesson's locked control: both parts of a log field).
    """
    w = where or st.sidebar
    kw = dict(label=spec.label, help=spec.help, key=spec.name, bind="query-params",
              disabled=disabled)
    if spec.choices is not None:
        options = list(spec.choices)
        index = options.index(spec.default)
        if len(options) <= 4 and all(isinstance(o, str) and len(o) <= 12 for o in options):
            return w.radio(options=options, index=index, horizontal=True, **kw)
        return w.selectbox(options=options, index=index, **kw)
    if spec.type is bool:
        return w.toggle(value=bool(spec.default), **kw)
    if _is_log(spec):
        return _log_widget(spec, w, disabled)
    if _is_typed(spec):
        return _typed_widget(spec, w, kw)
    if spec.type in (int, float):
        t = spec.type
        num = dict(min_value=t(spec.min), max_value=t(spec.max), value=t(spec.default))
        step = spec.step if spec.step is not None else (1 if t is int else
                                                         (spec.max - spec.min) / 100)
        return w.slider(step=t(step), **num, **kw)
    raise TypeError(f"Expect a field of type bool, int, float or str, actually {spec.type}")


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
    repaired = False
    known = {s.name: s for s in specs(cls)}
    others = set(other_keys)
    for name in list(st.query_params.keys()):
        spec = known.get(name)
        if spec is None:
            if report_unknown and name not in others:
                notes.append(f"Unknown setting {name[:40]!r} in the link was ignored.")
            continue
        given = st.query_params.get_all(name)
        value, note = sanitize(spec, given)
        if len(given) > 1:  # a link may repeat a key; only one value can run
            note = (f"{spec.label} ({name}) is given {len(given)} times in the link "
                    f"({', '.join(shorten(g, 20) for g in given[:5])}); using the last"
                    + (f": {note}" if note else f", {_fmt(value)}."))
        if note:
            notes.append(note)
            write_url(spec, value)
            set_value(spec, value)
            repaired = True
    st.session_state[f"{NOTES_KEY}_{scope}"] = notes
    if repaired:
        # a bound widget writes the URL only from its second run: without one more run now,
        # a page that is not ticking keeps the raw (or no) value in the address bar
        st.rerun()


def url_notes(*scopes: str) -> None:
    """Show the notes about repaired URL values for these scopes (page and "shared")."""
    notes = [n for sc in scopes for n in st.session_state.get(f"{NOTES_KEY}_{sc}") or []]
    if notes:
        st.warning("Some settings in the link could not be used as given:\n\n"
                   + "\n".join(f"- {n}" for n in notes), icon=":material/warning:")


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


def lazy_expander(label: str, key: str, *, open_for: str | None = None) -> Any | None:
    """An expander whose contents run only while it is open: the container, or None when shut.

    Opening or closing it reruns the page. Closed, nothing inside is computed or sent, which
    keeps a page's first frame light (the sweep, save and lesson panels held about a fifth of
    the autoencoder page's elements). ``open_for``: a value (e.g. a sweep id from the link)
    that opens it once when it first appears, so a shared link shows what it points at.
    Closing it drops what was set in the widgets inside (Streamlit forgets the state of a
    widget a run does not draw). Saving their values again while it is shut kept them on the
    server, but the browser redrew them empty on reopening, so the two disagreed.
    """
    if open_for and st.session_state.get(f"{key}_for") != open_for:
        st.session_state[f"{key}_for"] = open_for
        st.session_state[key] = True
    box = st.expander(label, key=key, on_change="rerun")
    return box if box.open else None
