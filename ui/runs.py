"""The run store as pages use it: one store per process, failures as plain messages."""
from __future__ import annotations

from typing import Any

import streamlit as st

from core.store import RunStore, StoreError, open_store


def store() -> RunStore | None:
    """The process's run store, or None after showing why it cannot be used."""
    try:
        return open_store()
    except StoreError as e:
        st.warning(f"{e} Pinned runs are kept in this tab only until then.", icon="🗄️")
        return None


def save(rec: dict[str, Any], owner: str, **kw: Any) -> tuple[str | None, str | None]:
    """(run id, None) when stored, (None, why not) otherwise: never raises."""
    try:
        return open_store().save_run(rec, owner=owner, **kw), None
    except StoreError as e:
        return None, str(e)
