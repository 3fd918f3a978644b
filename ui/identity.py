"""Who is this browser? The owner key of the runs it keeps in the run store.

A run is private to the browser that made it (lists show a browser only its own runs; its
unguessable link opens it read-only for anyone). Streamlit has no supported way to set a cookie
or to name a returning browser (``st.context.cookies`` only reads), but it sets one cookie
itself: the XSRF cookie, one random token per browser that survives reloads, new tabs and a
server restart (the server keeps the token a browser brings) for as long as the browser runs.

Its value is Streamlit's internal format ``2|mask|masked_token|time``: a 4-byte mask, XORed
cyclically over the token (16 bytes in Streamlit 1.67) and drawn afresh on each response. The
token, unmasked, names the browser; the owner key is a hash of it, never the token itself.
Being internal, the format is read here only, and ``tests/test_runs_browser.py`` checks it
against the cookie a real server sets in chromium, so an upgrade that changes it fails there.
Without that cookie (XSRF protection off, AppTest) the owner is this session alone.
"""
from __future__ import annotations

import binascii
import hashlib
import secrets

import streamlit as st

COOKIE = "_streamlit_xsrf"
KEY = "_archlab_owner"
MASK_BYTES = 4         # the mask of the XSRF format
MIN_TOKEN_BYTES = 8    # a shorter token is not a browser's random token


def token_from_cookie(value: str) -> bytes | None:
    """The browser's token inside an XSRF cookie value, or None if it is not that format.

    The mask repeats over the token (``token[i] ^ mask[i % 4]``), as the server writes it:

    >>> mask, token = bytes([1, 2, 3, 4]), bytes(range(16))
    >>> masked = bytes(t ^ mask[i % 4] for i, t in enumerate(token))
    >>> token_from_cookie(f"2|{mask.hex()}|{masked.hex()}|1700000000") == token
    True
    >>> token_from_cookie("2|0102|abcd|1") is None   # a mask is 4 bytes
    True
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
    if len(mask) != MASK_BYTES or len(masked) < MIN_TOKEN_BYTES:
        return None
    return bytes(t ^ mask[i % MASK_BYTES] for i, t in enumerate(masked))


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
