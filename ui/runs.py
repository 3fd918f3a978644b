"""The run store as pages use it: one store per process, failures as plain messages.

``core.runs.store`` (and with it SQLAlchemy, about 0.2 s) is imported on first use, not when a
page loads: a page's first run never touches the store.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import streamlit as st

if TYPE_CHECKING:
    from core.runs.store import RunStore


def store() -> RunStore | None:
    """The process's run store, or None after showing why it cannot be used."""
    from core.runs.store import StoreError, open_store
    try:
        return open_store()
    except StoreError as e:
        st.warning(f"{e} Pinned runs are kept in this tab only until then.", icon=":material/database:")
        return None


def save(rec: dict[str, Any], owner: str, **kw: Any) -> tuple[str | None, str | None]:
    """(run id, None) when stored, (None, why not) otherwise: never raises."""
    from core.runs.store import StoreError, open_store
    try:
        return open_store().save_run(rec, owner=owner, **kw), None
    except StoreError as e:
        return None, str(e)
