"""Who is this browser? The owner key of the runs it keeps in the run store.

A run is private to the browser that made it (lists show a browser only its own runs; its
unguessable link opens it read-only for anyone). Streamlit gives no way to set a cookie, but
it sets one itself: the XSRF cookie, one random token per browser that survives reloads and
new tabs for as long as the browser runs. Its value is ``2|mask|masked_token|time`` (the
token XOR-masked afresh on each response), so the token, unmasked, names the browser; the
owner key is a hash of it, never the token itself. Without that cookie (XSRF protection off,
tests) the owner is this session alone.
"""
from __future__ import annotations

import binascii
import hashlib
import secrets

import streamlit as st

COOKIE = "_streamlit_xsrf"
KEY = "_archlab_owner"


def token_from_cookie(value: str) -> bytes | None:
    """The browser's token inside an XSRF cookie value, or None if it is not that format.

    >>> mask, token = bytes([1, 2, 3, 4]), b"abcd"
    >>> masked = bytes(m ^ t for m, t in zip(mask, token))
    >>> token_from_cookie(f"2|{mask.hex()}|{masked.hex()}|1700000000")
    b'abcd'
    >>> token_from_cookie("garbage") is None
    True
    """
    parts = value.split("|")
    if len(parts) != 4 or parts[0] != "2":
        return None
    try:
        mask, masked = binascii.unhexlify(parts[1]), binascii.unhexlify(parts[2])
    except (binascii.Error, ValueError):
        return None
    if not mask or len(mask) != len(masked):
        return None
    return bytes(m ^ t for m, t in zip(mask, masked))


def owner() -> str:
    """This browser's owner key (32 hex characters), stable across reloads and tabs."""
    if KEY in st.session_state:
        return st.session_state[KEY]
    token = None
    try:
        raw = st.context.cookies.get(COOKIE)
        token = token_from_cookie(raw) if raw else None
    except Exception:  # noqa: BLE001 - no browser context (tests, bare mode)
        token = None
    key = (hashlib.sha256(b"archlab-owner:" + token).hexdigest()[:32] if token
           else "session-" + secrets.token_hex(12))
    st.session_state[KEY] = key
    return key
