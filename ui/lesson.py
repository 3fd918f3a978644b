"""Lesson links in the app: the teacher's maker and what a student's page does with one.

Teacher: an expander under the live panel, "Make a lesson link": the controls to lock (the
page's settings and the seed), a task text, and a button that shows the link, i.e. this page's
address with ``?lesson=TOKEN`` (see :mod:`core.classroom.lesson`). On the Compare page the
same maker shares the selected runs.

Student: :func:`student` runs first in the config form. For a verified token it puts the
lesson's settings and seed into the widgets once (a setting the address bar also names, and
that is not locked, keeps the address bar's value: a reload keeps the student's changes), and
on every run forces each locked value into its widget, which the form draws disabled. A locked
value that arrives another way (the address bar, a preset, loaded weights) is put back with a
note saying so; the address bar is corrected to the lesson's value. The task text is shown at
the top of the page with the list of locked controls.

A token that fails verification is never used in part: the page shows the error, nothing
trains (the form returns it as a problem), and the page without the lesson is one click away
in the sidebar. A half-applied or silently unlocked lesson would let a student believe they
are doing the teacher's task when they are not.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

import streamlit as st

from core.classroom import lesson as core_lesson
from core.config import Config, ParamSpec, sanitize, specs, to_dict
from core.config import fmt as _fmt
from core.run import RunSettings
from ui.widgets import lazy_expander, set_value, write_url

PARAM = "lesson"
_STATE = "_lesson"


@dataclass
class Active:
    """The lesson of this session on this page (or none): what the form needs every run."""

    token: str | None = None
    page: str | None = None
    lesson: core_lesson.Lesson | None = None
    error: str | None = None
    values: dict[str, Any] = field(default_factory=dict)     # locked name -> forced value
    specs: dict[str, ParamSpec] = field(default_factory=dict)  # locked name -> its spec
    notes: list[str] = field(default_factory=list)           # shown for the whole session

    @property
    def locked(self) -> frozenset[str]:
        return frozenset(self.values)

    @property
    def problems(self) -> list[str]:
        return (["The lesson link could not be read (see above): nothing is built from it."]
                if self.error else [])


NONE = Active()


def _all_specs(cls: type[Config]) -> list[ParamSpec]:
    """The page's settings, then the seed: what a lesson sets and may lock."""
    return [*specs(cls), next(s for s in specs(RunSettings) if s.name == "seed")]


def _open(token: str, cls: type[Config], page: str) -> Active:
    """Verify ``token`` and, once, put its values into the widgets."""
    try:
        lesson = core_lesson.read(token)
    except (core_lesson.LessonError, core_lesson.SecretError) as e:
        return Active(token=token, page=page, error=str(e))
    if lesson.page != page:
        from ui.registry import FAMILIES
        title = next((f.title for f in FAMILIES if f.slug == lesson.page), lesson.page)
        return Active(token=token, page=page, lesson=lesson, notes=[
            f"This lesson link is for the {title} page, not this one: nothing of it is used "
            "here. Open the link as your teacher gave it."])
    r = core_lesson.resolve(lesson, cls)
    full = to_dict(r.config) | {"seed": r.seed}
    in_url = set(st.query_params.keys())
    lock_specs = {}
    for spec in _all_specs(cls):
        if spec.name in r.locked:
            lock_specs[spec.name] = spec
        if spec.name in r.locked or spec.name not in in_url:
            set_value(spec, full[spec.name])
    return Active(token=token, page=page, lesson=lesson,
                  values={n: full[n] for n in lock_specs}, specs=lock_specs,
                  notes=list(r.notes))


def student(cls: type[Config], page: str) -> Active:
    """The form's first call: the active lesson of ``page``, its locks enforced for this run.

    Without ``?lesson=`` in the address bar there is no lesson (opening the page from the
    sidebar leaves it). Shows the task, the locks and any notes at the top of the page.
    """
    token = st.query_params.get(PARAM)
    if not token:
        st.session_state.pop(_STATE, None)
        return NONE
    a = st.session_state.get(_STATE)
    if not isinstance(a, Active) or a.token != token or a.page != page:
        a = _open(token, cls, page)
        st.session_state[_STATE] = a
    if a.error:
        st.error(f"**Lesson link:** {a.error} Nothing trains until it is opened from a "
                 "working link; the page without the lesson is in the sidebar.", icon=":material/error:")
        return a
    _show(a, _enforce(a))
    return a


def locked(page: str) -> frozenset[str]:
    """The names the active lesson locks on ``page`` (empty without one), for other panels
    that should not offer them (a sweep over a locked setting). Valid after the form ran."""
    a = st.session_state.get(_STATE)
    ok = isinstance(a, Active) and a.page == page and a.lesson is not None and not a.error
    return a.locked if ok else frozenset()


def _enforce(a: Active) -> list[str]:
    """Force every locked value into its widget. A value from elsewhere is put back with a
    note: from the address bar (noted for the session, the address bar corrected, and one
    rerun, since a bound widget takes its first value from the address bar) or from a preset
    or loaded weights (noted this run)."""
    said: list[str] = []
    rerun = False
    for name, value in a.values.items():
        spec = a.specs[name]
        raw = st.query_params.get_all(name) if name in st.query_params else None
        if raw is not None and _fmt(sanitize(spec, raw)[0]) != _fmt(value):
            named = spec.label if spec.label.lower() == name else f"{spec.label} ({name})"
            note = (f"{named} is locked by this lesson: the link's "
                    f"{name}={(raw[-1] if raw else '')[:40]} was ignored; it stays "
                    f"{_fmt(value)}.")
            if note not in a.notes:
                a.notes.append(note)
                rerun = True
            write_url(spec, value)  # the address bar shows what runs
        elif name in st.session_state and _fmt(st.session_state[name]) != _fmt(value):
            said.append(f"{spec.label} is locked by this lesson: it stays {_fmt(value)}.")
        set_value(spec, value)
    if rerun:
        st.rerun()
    return said


def _show(a: Active, said: Sequence[str]) -> None:
    lesson = a.lesson
    if lesson is not None and lesson.task and lesson.page == a.page:
        st.info(f"**:material/assignment: Task**\n\n{_safe(lesson.task)}")
    if a.values:
        names = ", ".join(a.specs[n].label for n in a.values)
        st.caption(f":material/lock: Locked by this lesson: {names}. The other settings are yours to change.")
    notes = [*a.notes, *said]
    if notes:
        st.warning("\n".join(f"- {n}" for n in notes), icon=":material/lock:")


def _safe(text: str) -> str:
    """The task as Markdown without images (a link maker cannot make the page fetch one)."""
    return text.replace("![", "!\\[").replace("<", "&lt;")


# ---- teacher ----------------------------------------------------------------------------
def _page_url() -> str:
    try:
        return st.context.url or ""
    except Exception:  # noqa: BLE001 - no browser context (tests)
        return ""


def lesson_url(token: str) -> str:
    return f"{_page_url()}?{PARAM}={token}"


def maker(page: str, cfg: Config, seed: int) -> None:
    """The teacher's "Make a lesson link" expander under the live panel."""
    labels = {s.name: s.label for s in _all_specs(type(cfg))}
    a = st.session_state.get(_STATE)
    current = (a if isinstance(a, Active) and a.lesson is not None and not a.error
               and a.lesson.page == page else None)
    box = lazy_expander("Make a lesson link", f"_lesson_open_{page}")
    if box is None:
        return
    with box:
        st.caption("For a class: this page with these settings and seed, the controls you "
                   "lock drawn disabled, and your task shown above the page. The link is "
                   "signed by this server, so a student who edits a locked value in the "
                   "address bar keeps yours.")
        locks = st.multiselect(
            "Controls that stay locked", list(labels), format_func=labels.get,
            default=[n for n in (current.values if current else ()) if n in labels],
            key=f"_lesson_lock_{page}", help="Students see them disabled, at your values.")
        task = st.text_area(
            "Task shown above the page", max_chars=core_lesson.MAX_TASK,
            value=current.lesson.task if current and current.lesson else "",
            key=f"_lesson_task_{page}", height=90,
            placeholder="What to try and what to watch, e.g. \"Raise the learning rate until "
                        "the loss jumps. What do the figures show just before?\"")
        shown = f"_lesson_show_{page}"
        if st.button("Make the lesson link", key=f"_lesson_make_{page}"):
            st.session_state[shown] = True
        if st.session_state.get(shown):  # follows the settings from then on, never stale
            try:
                token = core_lesson.make(page, to_dict(cfg), seed, locks, task)
            except (ValueError, core_lesson.SecretError) as e:
                st.error(str(e))
            else:
                st.caption("Give your students this link (it follows the settings above):")
                st.code(lesson_url(token), language=None, wrap_lines=True)


# ---- compare page -----------------------------------------------------------------------
def compare_runs(db: Any, known: set[str]) -> list[dict]:
    """Runs the Compare page opens from its link, not in the browser's own list: ``?run=ID``
    and a compare lesson's runs (its task shown at the top). Each is marked shared."""
    out: list[dict] = []
    shared = st.query_params.get("run")
    ids = [shared] if shared else []
    token = st.query_params.get(PARAM)
    if token:
        try:
            lesson = core_lesson.read(token)
        except (core_lesson.LessonError, core_lesson.SecretError) as e:
            st.error(f"**Lesson link:** {e}", icon=":material/error:")
        else:
            if lesson.task and lesson.page == "compare":
                st.info(f"**:material/assignment: Task**\n\n{_safe(lesson.task)}")
            ids += list(lesson.runs)
    missing = 0
    for rid in dict.fromkeys(ids):
        if rid in known or db is None:
            continue
        other = db.get_run(rid)
        if other is None:
            missing += 1
        else:
            out.append(other | {"label": f"shared: {other['label']}", "shared": True})
    if missing:
        st.warning("The shared run in this link does not exist (or was deleted)." if
                   missing == 1 else f"{missing} shared runs in this link do not exist (or "
                   "were deleted).")
    return out


def compare_maker(runs: Sequence[dict]) -> None:
    """On the Compare page: a lesson link that opens the selected (kept) runs."""
    ids = [r["id"] for r in runs if r.get("id")]
    with st.expander("Make a lesson link with these runs"):
        if not ids:
            st.caption("Only kept runs can be shared: pin them on a page first.")
            return
        task = st.text_area("Task shown above the runs", max_chars=core_lesson.MAX_TASK,
                            key="_lesson_task_compare", height=90,
                            placeholder="Which learning rate reached the lowest test loss, "
                                        "and when did the others stall?")
        if st.button("Make the lesson link", key="_lesson_make_compare"):
            st.session_state["_lesson_show_compare"] = True
        if st.session_state.get("_lesson_show_compare"):
            try:
                token = core_lesson.make("compare", {}, 0, [], task,
                                         runs=ids[:core_lesson.MAX_RUNS])
            except (ValueError, core_lesson.SecretError) as e:
                st.error(str(e))
            else:
                if len(ids) > core_lesson.MAX_RUNS:
                    st.caption(f"A lesson shares at most {core_lesson.MAX_RUNS} runs: the "
                               "first ones are in the link.")
                st.code(lesson_url(token), language=None, wrap_lines=True)
