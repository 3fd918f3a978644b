"""No traceback reaches a student: failures become a short message, details in the log.

In class mode (core.classroom) the message holds no exception text at all, only an error id
that the log repeats beside the traceback, so a teacher can find what a student saw.
"""
from __future__ import annotations

import logging
import secrets
from contextlib import contextmanager
from typing import Iterator

import streamlit as st

from core.classroom import settings

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
        if settings().enabled and settings().hide_errors:
            # class mode: the student gets an id to tell the teacher; the log has the rest
            incident = secrets.token_hex(2)
            log.exception("error id %s while %s", incident, what)
            said = f" (error id {incident}: tell your teacher)"
        else:
            log.exception("error while %s", what)
            said = f": {type(e).__name__}: {e}"
        st.error(f"Something went wrong while {what}{said}. Your run is kept: pause, change "
                 "a setting or press reset to carry on.", icon=":material/warning:")
