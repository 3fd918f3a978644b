"""Theory tabs, the real source code, and the one-click experiments."""
from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any, Sequence

import streamlit as st

from core import content
from core.config import Config, Preset, apply_overrides
from ui import deferred
from ui.form import apply_preset
from ui.widgets import share_link


def theory_tabs(md_path: str | Path, *, diagram: str | None = None,
                code: Sequence[Any] = ()) -> None:
    """The seven sections (and references) as tabs.

    ``diagram`` is a graphviz DOT string shown in the overview; ``code`` the classes or
    functions whose real source the implementation tab shows.
    """
    try:
        text = content.load(md_path)
    except OSError:
        st.info("The theory for this page is not written yet.")
        return
    _theory(Path(md_path).parent.name, text, diagram, tuple(code))


@st.fragment
def _theory(family: str, text: dict[str, str], diagram: str | None,
            code: tuple[Any, ...]) -> None:
    """The tabs, in a fragment of their own: choosing a tab reruns only this, not the page."""
    names = [n for n in content.SECTIONS if n in text]
    # lazy tabs: only the open one is computed and sent. All seven at once (equations, the
    # diagram, every source listing) cost the browser a second or more on each page's first
    # render here; choosing another tab reruns the fragment.
    tabs = st.tabs(names, key=f"_theory_{family}", on_change="rerun")
    # and on a session's first visit the open one waits until the charts above are drawn,
    # unless the student chose a tab: then they asked for it now (and a click during the wait
    # could cancel the browser's trigger, leaving "Loading this section..." for good)
    chosen = any(tab.open for name, tab in zip(names, tabs) if name != names[0])
    ready = chosen or deferred.shown(f"_theory_after_{family}")
    if chosen:
        st.session_state[deferred.flag(f"_theory_after_{family}")] = True
    for name, tab in zip(names, tabs):
        if tab.open is False:
            continue
        with tab:
            if not ready:
                st.caption("Loading this section...")
                continue
            if name == "Overview" and diagram:
                st.graphviz_chart(diagram, width="stretch")
            st.markdown(text[name])
            if name == "Implementation":
                show_code(code)


def show_code(objects: Sequence[Any]) -> None:
    """The source of each object as it runs now (read with ``inspect``, so it never drifts)."""
    for obj in objects:
        name = f"{obj.__module__}.{getattr(obj, '__qualname__', obj.__name__)}"
        with st.expander(f"Source: `{name}`"):
            st.code(inspect.getsource(obj), language="python")


def experiments(page: str, cls: type[Config], items: Sequence[Preset], seed: int, *,
                title: str = "Experiments to try", key: str = "exp") -> None:
    """One-click experiments: each a question, what to watch, a set-up button and a link.

    ``title``/``key`` let a page show more than one list (e.g. a pathology lab).
    """
    st.subheader(title)
    for i, ex in enumerate(items):
        with st.container(border=True):
            a, b = st.columns([5, 1])
            a.markdown(f"**{ex.name}** — {ex.question}")
            if ex.watch:
                a.caption(f"What to watch: {ex.watch}")
            b.button("Set up", key=f"_{key}_{page}_{i}", on_click=apply_preset,
                     args=(cls, ex, page), type="secondary", width="stretch",
                     help="Load these settings and reset the run; then press Play.")
            link = share_link(apply_overrides(cls(), ex.overrides),
                              ex.seed if ex.seed is not None else seed)
            b.link_button("Link", link, width="stretch",
                          help="The same experiment as a shareable address.")
