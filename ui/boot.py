"""Every page runs under app.py's navigation, even for the first visitors after a restart.

Streamlit decides once per process whether an app "uses the pages directory" (its old
multipage mode) by looking for a ``pages/`` folder next to the main script, and only learns
otherwise when ``st.navigation`` runs. So the first visitors after a restart who open a shared
link such as ``/autoencoder`` get that page run on its own, without app.py, under a menu of raw
file names. app.py marks each session it has navigated (:func:`mark_navigated`); a page that
finds no mark (:func:`ensure_navigated`, called first thing by every page) was run without
it, so it calls ``st.navigation`` itself, the public call that switches the old mode off for
the whole process, and reruns: the rerun goes through app.py to the same page.

A page calls it before its own imports (the first lines of every ``pages/*.py``): that first,
navigation-less run then costs nothing, and the rerun sends app.py's navigation to the browser
before the page imports torch and builds its model. Called after them, the visitor saw
nothing until those imports were done, in a run whose output was thrown away.

This happens in a function a page calls, never while a module is being imported: a rerun
raised during ``import ui`` left a half-built module for the other sessions importing it at
the same moment ("cannot import name 'chart' from 'ui'" for 3-5 of 6 simultaneous visitors).
tests/test_first_visitors.py opens six deep links at once on a fresh server.
"""
from __future__ import annotations

import streamlit as st

MARK = "_archlab_navigated"


def mark_navigated() -> None:
    """app.py: this session's runs go through the navigation."""
    st.session_state[MARK] = True


def ensure_navigated() -> None:
    """A page: if app.py did not run for this session, leave the old mode and rerun."""
    if st.session_state.get(MARK):
        return
    from ui.registry import app_pages
    st.session_state[MARK] = True  # at most one such rerun per session
    # the app's own pages, so the requested page stays the one the rerun opens
    st.navigation([p for group in app_pages().values() for p in group], position="hidden")
    st.rerun()
