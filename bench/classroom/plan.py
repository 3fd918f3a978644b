"""What ``python -m bench class`` runs: its pages, the labels it clicks, how big and long each
phase is; and the bench's log line and rounding."""
from __future__ import annotations

import statistics
import sys
import time
from dataclasses import dataclass

FAMILY = "class"
PAGES = ("autoencoder", "transformer", "gan", "rl", "gnn", "rnn")
PLAY, PAUSE = "▶ Play", "❚❚ Pause"
WEIGHTS_UPLOADER = "Load weights saved from this page (.pt)"
SAVE_PANEL = "Save, load and share this run"


@dataclass(frozen=True)
class Plan:
    """How big and long each phase is."""

    students: int = 30
    browsers: int = 3          # of the students, this many are real chromium sessions
    window_s: float = 300.0
    scaling_window_s: float = 75.0
    uploads: int = 50
    upload_sessions: int = 10
    no_cookie_tries: int = 10
    warm_pages: tuple[str, ...] = PAGES
    open_concurrency: int = 4
    ttl_margin_s: float = 5.0


FULL = Plan()
QUICK = Plan(students=12, browsers=2, window_s=45.0, scaling_window_s=30.0, uploads=10,
             upload_sessions=5, no_cookie_tries=6, warm_pages=("autoencoder", "gan"))


def log(msg: str) -> None:
    print(f"[bench class] {time.strftime('%H:%M:%S')} {msg}", file=sys.stderr, flush=True)


def rounded(x: float | None, n: int = 3) -> float | None:
    return None if x is None else round(x, n)


def median(xs: list) -> float | None:
    """The median of the values that are not None (None if there are none)."""
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None
