"""Where ArchLab's files are: the checkout (:data:`ROOT`) and the data directory.

The data directory is ``ARCHLAB_DATA``, default ``.archlab-data/`` in the checkout. It holds
the run store's default SQLite file (``core.runs.store``), the sweep workers' log
(``core.runs.workers``) and the lesson-signing secret (``core.classroom.lesson``); this module
is the one place that names it.
"""
from __future__ import annotations

import os
from pathlib import Path

__all__ = ["ROOT", "data_dir"]

#: the checkout: app.py, pages/, assets/ and core/ are inside
ROOT = Path(__file__).resolve().parents[1]


def data_dir() -> Path:
    """The data folder (``ARCHLAB_DATA``, default ``.archlab-data/`` in the checkout), read
    from the environment at each call (tests point it elsewhere)."""
    return Path(os.environ.get("ARCHLAB_DATA") or ROOT / ".archlab-data")
