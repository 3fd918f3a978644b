"""Page widgets for the user's own data, shared by the pages that train on it."""
from __future__ import annotations

import hashlib

import streamlit as st

from core.classroom import settings, upload_problem
from core.tasks import check_text


def upload_cap() -> int | None:
    """An uploader's ``max_upload_size`` (MB): class mode's limit, else the server's.

    Never a page's own smaller limit: the browser refuses a file over it without telling
    the page, which then keeps the previous file (and its message) in place. The page
    receives the file and says what is wrong with it instead.
    """
    caps = settings()
    return caps.upload_mb if caps.enabled else None


def own_text(prefix: str, problems: list[str]) -> tuple[str | None, str | None]:
    """The pasted or uploaded text for a character model: (text, its id) when usable.

    What is wrong with it (size, encoding, length, alphabet) goes into ``problems``; a new
    text gets a new id, which rebuilds the trainer on it.
    """
    with st.container(border=True):
        st.markdown("**Your text** — UTF-8, at most 1 MB, at least 2,000 characters.")
        up = st.file_uploader("Upload a .txt file", type=["txt"], key=f"_{prefix}_upload",
                              max_upload_size=upload_cap())
        pasted = st.text_area("…or paste it here", key=f"_{prefix}_paste", height=120)
        raw = up.getvalue() if up is not None else pasted.encode("utf-8")
        too_big = upload_problem(len(raw))
        text, bad = ((None, [too_big]) if too_big else check_text(raw) if raw
                     else (None, ["Paste or upload a text."]))
        problems.extend(bad)
        if text is None:
            return None, None
        st.caption(f"{len(text):,} characters, {len(set(text))} different.")
        return text, hashlib.sha1(text.encode()).hexdigest()
