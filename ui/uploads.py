"""The user's own data, one way for every page: :func:`uploaded` draws a file uploader and gives
back what the page's parser made of the file, with an id and a message for the student.

Each upload goes through the same steps: the uploader (class mode's size cap, so the browser
never refuses a file silently), the bytes, class mode's limit (a clear refusal), the page's
parser (which raises the page's own error type with a message that names the fix), and a cache
per session keyed by the content's hash, so a rerun with the same file does not parse it again
and a different file gets a new id (the page rebuilds its trainer on it). Text pasted instead
of uploaded (:func:`own_text`) takes the last three steps through :func:`parse_once`.

>>> points, points_id, problem = uploaded(        # doctest: +SKIP
...     "Your 2-D points (CSV: x,y per row)", lambda raw, name: parse_csv(raw), key="_my_csv",
...     error=PointsError, missing="Upload a CSV file of x,y rows, or pick another dataset.",
...     describe=lambda pts, name: f"{len(pts):,} points loaded from {name}.")
"""
from __future__ import annotations

import hashlib
from typing import Callable, Sequence, TypeVar

import streamlit as st

from core.classroom import settings, upload_problem
from core.tasks import check_text

__all__ = ["uploaded", "parse_once", "upload_cap", "own_text", "TextError"]

T = TypeVar("T")
#: session-state key of the parse cache: {slot: (content hash, value, error message)}
CACHE = "_uploads"


def upload_cap() -> int | None:
    """An uploader's ``max_upload_size`` (MB): class mode's limit, else the server's.

    Never a page's own smaller limit: the browser refuses a file over it without telling
    the page, which then keeps the previous file (and its message) in place. The page
    receives the file and says what is wrong with it instead.
    """
    caps = settings()
    return caps.upload_mb if caps.enabled else None


def parse_once(raw: bytes, name: str, parse: Callable[[bytes, str], T], *, key: str,
               error: type[Exception] = ValueError,
               message: str = "{name}: {problem}") -> tuple[T | None, str | None, str | None]:
    """What ``parse(raw, name)`` makes of some user data, parsed once per content.

    Refuses data over class mode's upload limit; otherwise parses it, or takes the result
    (or the error) cached under ``key`` for the same content. Only ``error`` (the parser's own
    type) becomes a message; anything else is a bug and propagates.

    Args:
        raw: the data's bytes; name: the file's name, for the parser and the message.
        parse: the page's parser, called as ``parse(raw, name)``; raises ``error`` with a
            message that says what to change.
        key: the cache slot (one per uploader; the slot keeps its latest content only).
        message: how a problem reaches the student (``{name}``, ``{problem}``).

    Returns:
        (value, its id: the SHA-1 of ``raw``, None) when usable, else (None, None, message).
    """
    too_big = upload_problem(len(raw))
    if too_big:
        return None, None, message.format(name=name, problem=too_big)
    digest = hashlib.sha1(raw).hexdigest()
    cache = st.session_state.setdefault(CACHE, {})
    if key not in cache or cache[key][0] != digest:
        try:
            cache[key] = (digest, parse(raw, name), None)
        except error as e:
            cache[key] = (digest, None, str(e))
    _, value, problem = cache[key]
    if problem is not None:
        return None, None, message.format(name=name, problem=problem)
    return value, digest, None


def uploaded(label: str, parse: Callable[[bytes, str], T], *, key: str,
             error: type[Exception] = ValueError, missing: str | None = None,
             types: Sequence[str] = ("csv", "txt"), help: str | None = None,
             describe: Callable[[T, str], str | Sequence[str]] | None = None,
             message: str = "{name}: {problem}") -> tuple[T | None, str | None, str | None]:
    """A file uploader for the user's data, in the current container; the parsed file.

    Args:
        label, key, types, help: the uploader's (``key`` also names the parse cache's slot).
        parse, error, message: see :func:`parse_once`.
        missing: the problem while no file is uploaded (None: the file is optional).
        describe: caption(s) drawn under the uploader once the file parses, from the value
            and the file's name (e.g. "60 points loaded from line.csv.").

    Returns:
        (value, data id, problem): (value, the content's SHA-1, None) for a usable file,
        (None, None, message) for a refused one, (None, None, ``missing``) without a file.
    """
    up = st.file_uploader(label, type=list(types), key=key, help=help,
                          max_upload_size=upload_cap())
    if up is None:
        return None, None, missing
    value, data_id, problem = parse_once(up.getvalue(), up.name, parse, key=key, error=error,
                                         message=message)
    if data_id is not None and describe is not None:
        lines = describe(value, up.name)
        for line in [lines] if isinstance(lines, str) else lines:
            st.caption(line)
    return value, data_id, problem


class TextError(ValueError):
    """A text a character model cannot train on; the message says why and what to change."""


def _text(raw: bytes, name: str) -> str:
    text, problems = check_text(raw)
    if problems:
        raise TextError(" ".join(problems))
    return text


def own_text(prefix: str, problems: list[str]) -> tuple[str | None, str | None]:
    """The pasted or uploaded text for a character model: (text, its id) when usable.

    An uploaded file wins over pasted text. What is wrong with it (size, encoding, length,
    alphabet) goes into ``problems``; a new text gets a new id, which rebuilds the trainer on
    it.
    """
    with st.container(border=True):
        st.markdown("**Your text** — UTF-8, at most 1 MB, at least 2,000 characters.")
        text, text_id, problem = uploaded("Upload a .txt file", _text, key=f"_{prefix}_upload",
                                          error=TextError, types=("txt",), message="{problem}")
        pasted = st.text_area("…or paste it here", key=f"_{prefix}_paste", height=120)
        if text_id is None and problem is None:  # no file: the pasted text, if any
            text, text_id, problem = (
                parse_once(pasted.encode("utf-8"), "", _text, key=f"_{prefix}_paste",
                           error=TextError, message="{problem}")
                if pasted else (None, None, "Paste or upload a text."))
        if problem:
            problems.append(problem)
        if text is None:
            return None, None
        st.caption(f"{len(text):,} characters, {len(set(text))} different.")
        return text, text_id
