"""No traceback reaches a student: failures become a short message, details in the log."""
from __future__ import annotations

import logging
from contextlib import contextmanager
from typing import Iterator

import streamlit as st

log = logging.getLogger("archlab")


@contextmanager
def guard(what: str) -> Iterator[None]:
    """Run a block; an unexpected error shows one clear message instead of a traceback.

    Only ``Exception`` is caught: Streamlit's own rerun and stop signals derive from
    ``BaseException`` and pass through untouched (tests/test_ui.py checks a rerun inside).
    """
    try:
        yield
    except Exception as e:  # noqa: BLE001 - this is the last line of defence for the page
        log.exception("error while %s", what)
        st.error(f"Something went wrong while {what}: {type(e).__name__}: {e}. "
                 "Your run is kept: pause, change a setting or press reset to carry on.",
                 icon="⚠️")
