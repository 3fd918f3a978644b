"""Class mode: one server shared by a whole class.

``caps`` (class mode's switch and caps, read from the environment; re-exported here, so
``from core.classroom import settings`` is the usual way in), ``fair`` (each playing session's
training budget in a crowd) and ``lesson`` (signed lesson links). The functions that apply a
cap take it as ``caps=`` (default: :func:`settings`).
"""
from core.classroom.caps import (ClassSettings, caps_problems, count_params, reload,
                                 settings, snapshot_bytes, upload_limit_bytes, upload_problem)

__all__ = ["ClassSettings", "settings", "reload", "caps_problems", "count_params",
           "upload_limit_bytes", "upload_problem", "snapshot_bytes"]
