"""Lesson links: a page set up by a teacher, signed so that a student's link keeps its locks.

A lesson is the page, its settings and seed, the controls that stay locked, a short task text
and optionally runs to compare. It travels in the address bar as ``?lesson=TOKEN``::

    token = make("autoencoder", {"variant": "vae", "beta": 4.0}, seed=0,
                 locked=["variant", "seed"], task="Raise β until the latent is a round blob.")
    lesson = read(token)          # Lesson(...), or LessonError with a plain message

The token is ``b64url(payload) + "." + b64url(signature)``: the payload is the canonical JSON
of the lesson (sorted keys, no spaces, UTF-8) and the signature its HMAC-SHA256 under the
server's secret,

    signature = HMAC-SHA256(secret, payload),

compared in constant time (``hmac.compare_digest``). Changing one character of the payload
(a locked value, the list of locks) or of the signature, cutting the token short, or signing
with another secret makes :func:`read` refuse the whole lesson; nothing of it is used. A
token longer than :data:`MAX_TOKEN` characters is refused before it is decoded.

The secret is ``ARCHLAB_SECRET`` when set (a class's launcher gives every replica the same
one), else the file ``secret`` in the data directory (``ARCHLAB_DATA``, default
``.archlab-data/``; see :mod:`core.paths`), created once with mode 0600. Two servers starting
at the same moment agree on one secret: the file is written under a temporary name and linked
into place, and the one whose link fails reads the winner's.

The values are checked against the page's schema only when applied (:func:`resolve`): a lesson
signed by an older version whose value is no longer allowed is repaired with a note, as a bad
URL value is, never refused and never a crash.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import math
import os
import secrets as _secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping

from core.config import Config, from_dict, sanitize, specs
from core.paths import data_dir

__all__ = ["Lesson", "LessonError", "SecretError", "Resolved", "make", "read", "resolve", "secret",
           "MAX_TOKEN", "MAX_TASK", "VERSION", "DAMAGED"]

#: payload format; a newer number than this is refused with its own message
VERSION = 1
#: the longest token :func:`read` decodes (characters); a longer one is refused unread
MAX_TOKEN = 4096
#: the longest task text (characters)
MAX_TASK = 500
#: at most this many shared runs in one lesson, each id at most 64 characters
MAX_RUNS = 12
SECRET_ENV = "ARCHLAB_SECRET"
SECRET_FILE = "secret"

DAMAGED = "This lesson link is damaged or was changed: ask your teacher for the link again."
NEWER = ("This lesson link was made by a newer version of ArchLab than this server runs: "
         "ask your teacher to make it again here.")


class LessonError(ValueError):
    """A lesson token that cannot be used; ``str(e)`` is a sentence for a student."""


class SecretError(RuntimeError):
    """The signing secret can be neither read nor made; ``str(e)`` says what to do."""


@dataclass(frozen=True)
class Lesson:
    """What a lesson link holds (read back from a verified token).

    ``values`` are the page's settings by field name, as the teacher had them; ``locked``
    names fields (and possibly ``"seed"``) a student cannot change; ``runs`` are run ids the
    Compare page opens beside the student's own.
    """

    page: str
    values: Mapping[str, Any] = field(default_factory=dict, hash=False)
    seed: int = 0
    locked: tuple[str, ...] = ()
    task: str = ""
    runs: tuple[str, ...] = ()
    version: int = VERSION


@dataclass(frozen=True)
class Resolved:
    """A lesson applied to a page's schema: usable values, the seed, the locks that exist."""

    config: Config
    seed: int
    locked: frozenset[str]
    notes: tuple[str, ...] = ()


# ---- the secret -------------------------------------------------------------------------
def secret(directory: Path | None = None) -> bytes:
    """The signing key: ``ARCHLAB_SECRET``, else the data directory's ``secret`` file (made
    once, mode 0600; concurrent first callers all end with the same one)."""
    env = os.environ.get(SECRET_ENV)
    if env:
        return env.encode("utf-8")
    directory = Path(directory) if directory is not None else data_dir()
    try:
        return _file_secret(directory)
    except OSError as e:
        raise SecretError(f"Lesson links cannot be signed or checked: the secret in "
                          f"{directory} cannot be read or made ({e.strerror or e}). Set "
                          f"{SECRET_ENV} or make that folder writable.") from None


def _read_secret(path: Path) -> bytes:
    key = path.read_bytes().strip()
    if not key:
        raise SecretError(f"The lesson secret file {path} is empty: delete it (lesson links "
                          f"made before stop working), or set {SECRET_ENV}.")
    return key


def _file_secret(directory: Path) -> bytes:
    path = directory / SECRET_FILE
    try:
        return _read_secret(path)
    except FileNotFoundError:
        pass
    directory.mkdir(parents=True, exist_ok=True)
    tmp = directory / f".{SECRET_FILE}.{os.getpid()}.{_secrets.token_hex(8)}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(_secrets.token_urlsafe(32).encode("ascii"))
            f.flush()
            os.fsync(f.fileno())
        try:
            os.link(tmp, path)  # atomic, and fails when another creator got there first
        except FileExistsError:
            pass
    finally:
        tmp.unlink(missing_ok=True)
    return _read_secret(path)


# ---- tokens -----------------------------------------------------------------------------
def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    if not text or any(c not in _B64_CHARS for c in text):
        raise ValueError("not URL-safe base64")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


_B64_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def _sign(payload: bytes, key: bytes) -> bytes:
    return hmac.new(key, payload, hashlib.sha256).digest()


def _canonical(obj: Any) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False).encode("utf-8")


def _plain(v: Any, name: str) -> Any:
    if isinstance(v, bool) or v is None or isinstance(v, (int, str)):
        return v
    if isinstance(v, float):
        if not math.isfinite(v):
            raise ValueError(f"Expect a finite number for {name!r}, actually {v}")
        return v
    raise ValueError(f"Expect a number, text or true/false for {name!r}, actually "
                     f"{type(v).__name__}")


def make(page: str, values: Mapping[str, Any], seed: int, locked: Iterable[str], task: str,
         runs: Iterable[str] = (), *, key: bytes | None = None) -> str:
    """A signed token for ``?lesson=``.

    Args:
        page: the page's slug ("autoencoder", "compare"...).
        values: the page's settings by field name (plain numbers, text, true/false).
        seed: the run's seed.
        locked: names of fields (or ``"seed"``) the student cannot change.
        task: what the student should do, at most :data:`MAX_TASK` characters.
        runs: run ids the Compare page opens (at most :data:`MAX_RUNS`).
        key: the signing key (default :func:`secret`).

    Raises:
        ValueError: input a link cannot carry, in words naming the fix.
    """
    if not isinstance(page, str) or not page or len(page) > 40:
        raise ValueError(f"Expect a page name of 1-40 characters, actually {page!r:.60}")
    task = (task or "").strip()
    if len(task) > MAX_TASK:
        raise ValueError(f"The task text is {len(task):,} characters; a lesson link holds at "
                         f"most {MAX_TASK}: shorten it.")
    vals = {str(k): _plain(v, str(k)) for k, v in dict(values).items()}
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ValueError(f"Expect a whole number for the seed, actually {seed!r}")
    locks = sorted(set(locked))
    stray = [n for n in locks if n != "seed" and n not in vals]
    if stray:
        raise ValueError(f"Only settings of the lesson can be locked, not {stray}")
    run_ids = list(dict.fromkeys(runs))
    if len(run_ids) > MAX_RUNS or any(not isinstance(r, str) or not 0 < len(r) <= 64
                                      for r in run_ids):
        raise ValueError(f"A lesson shares at most {MAX_RUNS} runs, each an id from the "
                         "Compare page.")
    payload = _canonical({"v": VERSION, "page": page, "values": vals, "seed": seed,
                          "locked": locks, "task": task, "runs": run_ids})
    token = f"{_b64(payload)}.{_b64(_sign(payload, key if key is not None else secret()))}"
    if len(token) > MAX_TOKEN:
        raise ValueError(f"This lesson is too long for a link ({len(token):,} characters, at "
                         f"most {MAX_TOKEN:,}): shorten the task text.")
    return token


def read(token: str, *, key: bytes | None = None) -> Lesson:
    """The lesson in ``token``, verified; raises :class:`LessonError` when anything is off.

    Nothing of a token that fails is used: a changed payload, a changed, cut or missing
    signature, another server's secret, a token over :data:`MAX_TOKEN` characters.
    """
    if isinstance(token, (list, tuple)):  # a repeated URL parameter: the last one counts
        token = token[-1] if token else ""
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN:
        raise LessonError(DAMAGED)
    body, dot, sig = token.strip().partition(".")
    try:
        payload, signature = _unb64(body), _unb64(sig)
    except (ValueError, binascii.Error):
        raise LessonError(DAMAGED) from None
    if not dot or not hmac.compare_digest(signature, _sign(payload, key if key is not None
                                                            else secret())):
        raise LessonError(DAMAGED)
    try:  # signed by this server: malformed content means a bug, still never a crash
        data = json.loads(payload.decode("utf-8"))
        version = int(data.get("v", 0))
        if version > VERSION:
            raise LessonError(NEWER)
        values = data.get("values") or {}
        if not isinstance(values, dict):
            raise ValueError("values")
        return Lesson(page=str(data["page"]), values=dict(values), seed=int(data.get("seed", 0)),
                      locked=tuple(str(n) for n in data.get("locked") or ()),
                      task=str(data.get("task") or "")[:MAX_TASK],
                      runs=tuple(str(r) for r in data.get("runs") or ())[:MAX_RUNS],
                      version=version)
    except LessonError:
        raise
    except (ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError):
        raise LessonError(DAMAGED) from None


def resolve(lesson: Lesson, cls: type[Config], seed_cls: type[Config] | None = None
            ) -> Resolved:
    """Apply ``lesson`` to the schema ``cls``: values checked like a link's (clamped or
    defaulted, each with a note; unknown names dropped with a note), the seed checked against
    ``seed_cls`` (default :class:`core.run.RunSettings`), locks kept only for fields that
    exist."""
    if seed_cls is None:
        from core.run import RunSettings
        seed_cls = RunSettings
    cfg, notes = from_dict(cls, lesson.values)
    notes = [f"The lesson's settings: {n}" for n in notes]
    seed_spec = next(s for s in specs(seed_cls) if s.name == "seed")
    seed, note = sanitize(seed_spec, lesson.seed)
    if note:
        notes.append(f"The lesson's seed: {note}")
    names = {s.name for s in specs(cls)}
    locked = frozenset(n for n in lesson.locked if n in names or n == "seed")
    return Resolved(config=cfg, seed=int(seed), locked=locked, notes=tuple(notes))
