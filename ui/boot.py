"""Keep Streamlit in ``st.navigation`` mode from the very first run of the server.

Streamlit decides once per process whether an app "uses the pages directory" (its old
multipage mode) by looking for a ``pages/`` folder next to the main script, and only learns
otherwise when ``st.navigation`` runs. So the first visitor after a restart who opens a shared
link such as ``/autoencoder`` gets the page run on its own, without app.py, under a menu of
raw file names. Every page imports ``ui``, which calls :func:`leave_pages_directory_mode`: it
clears the flag and reruns, and the rerun goes through app.py's navigation to the same page.
"""
from __future__ import annotations

import streamlit as st


def leave_pages_directory_mode() -> None:
    try:
        from streamlit.runtime.pages_manager import PagesManager
    except ImportError:  # a future Streamlit without the old mode
        return
    if PagesManager.uses_pages_directory and st.runtime.exists():
        PagesManager.uses_pages_directory = False
        st.rerun()
