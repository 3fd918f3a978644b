"""The sidebar form: run settings (seed, speed) and a family's hyperparameters, from the schema.

A page calls :func:`config_sidebar` once; it draws the run settings above the family's groups,
repairs bad link values (with notes shown on the page) and returns everything the page needs::

    cfg, run, problems = config_sidebar(AEConfig, "autoencoder", presets=PRESETS)

``problems`` lists everything wrong with the settings in plain words; when it is not empty the
page shows them and builds no model.
"""
from __future__ import annotations

import dataclasses
from typing import Any, Iterable, Sequence

import streamlit as st

from core.config import Config, ParamSpec, Preset, apply_overrides, specs
from core.config import validate as validate_config
from core.run import RunSettings
from ui.lesson import student as lesson_student
from ui.live import state
from ui.live.controls import reset as reset_run
from ui.widgets import check_url, set_value, url_notes, widget


#: link parameters every page understands besides its settings (a sweep to reopen, a lesson)
LINK_KEYS = ("sweep", "lesson")


def run_sidebar(locked: Iterable[str] = ()) -> RunSettings:
    """The seed and speed widgets (bound to the URL), at the top of every page's sidebar;
    those named in ``locked`` (a lesson's) are drawn disabled."""
    check_url(RunSettings, "shared", report_unknown=False)
    locked = set(locked)
    with st.sidebar:
        st.subheader("Run")
        values = {s.name: widget(_locked_help(s) if s.name in locked else s,
                                 disabled=s.name in locked) for s in specs(RunSettings)}
    return RunSettings(**values)


def _locked_help(spec: ParamSpec) -> ParamSpec:
    return dataclasses.replace(spec, help=f":material/lock: Locked by this lesson. {spec.help}")


def config_sidebar(cls: type[Config], page: str, *, presets: Sequence[Preset] = (),
                   extra_keys: Iterable[str] = ()) -> tuple[Config, RunSettings, list[str]]:
    """Render the sidebar form for ``cls``; returns (config, run settings, problems).

    ``extra_keys`` are URL parameters the page owns itself (not reported as unknown).
    Notes about repaired link values are shown at the top of the page; so are a lesson's task
    and locks (``?lesson=``, see ui/lesson.py): locked controls are drawn disabled, and a
    lesson link that fails verification is a problem (nothing trains).
    """
    lesson = lesson_student(cls, page)
    run = run_sidebar(lesson.locked)
    check_url(cls, page, other_keys=[s.name for s in specs(RunSettings)] + list(extra_keys)
              + list(LINK_KEYS))
    url_notes(page, "shared")
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
        locked = spec.name in lesson.locked
        values[spec.name] = widget(_locked_help(spec) if locked else spec, disabled=locked)
    cfg = cls(**values)
    return cfg, run, lesson.problems + validate_config(cfg)


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
    changed, kept = [], []
    for spec in specs(cls):
        before = st.session_state.get(spec.name)
        set_value(spec, getattr(cfg, spec.name))
        said = f"{spec.label} {_said(getattr(cfg, spec.name))}"
        if st.session_state.get(spec.name) != before and before is not None:
            changed.append(said)
        elif spec.name in preset.overrides:
            kept.append(said)
    if preset.seed is not None:
        st.session_state["seed"] = preset.seed
    reset_run(page)
    # say what it did: the box goes back to "Choose a preset…", and a preset that matches the
    # settings already in place (the graph page's defaults are Kipf & Welling's) changes nothing
    state(page).message = preset_message(preset.name, changed, kept)


def _said(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def preset_message(name: str, changed: list[str], kept: list[str]) -> str:
    """What loading a preset did, in one sentence.

    >>> preset_message("GAT paper", ["Model gat", "Heads 8"], ["Depth 2"])
    'Loaded “GAT paper” and reset the run to step 0: Model gat, Heads 8 (Depth 2 already).'
    >>> preset_message("Kipf & Welling GCN", [], ["Model gcn", "Dropout 0.5"])
    'Loaded “Kipf & Welling GCN” and reset the run to step 0: its settings (Model gcn, Dropout 0.5) were already the ones in use.'
    """
    head = f"Loaded “{name}” and reset the run to step 0"
    if not changed:
        return (f"{head}: its settings ({', '.join(kept)}) were already the ones in use."
                if kept else f"{head}: the page's defaults, already in use.")
    return f"{head}: {', '.join(changed)}" + (f" ({', '.join(kept)} already)." if kept else ".")


def show_problems(problems: list[str]) -> None:
    st.error("These settings cannot be trained yet:\n\n"
             + "\n".join(f"- {p}" for p in problems), icon=":material/error:")
