"""Reusable Streamlit pieces: the only place outside pages/ that imports streamlit.

Layers, each importing only those above it (tests/test_layout.py walks the imports):
``widgets`` (schema widgets, URL repair, links) → ``live`` (live training) → ``form``
(sidebar) → ``content`` (theory, experiments) → ``page`` (the page skeleton).

The names below load on first use (``from ui import Page`` imports ``ui.page`` then), not
with the package: app.py imports ``ui.registry`` and ``ui.warm`` and draws the navigation
before any page has pulled in torch, so the browser gets its first elements (and starts
loading the chart code, ``ui.warm``) about two seconds sooner on a cold start.
"""
from __future__ import annotations

import importlib
from typing import Any

_WHERE = {"chart": "charts", "clickable": "charts", "figure": "charts", "show": "charts",
          "experiments": "content", "show_code": "content", "theory_tabs": "content",
          "guard": "errors", "apply_preset": "form", "config_sidebar": "form",
          "run_sidebar": "form", "show_problems": "form", "Page": "page",
          "LiveState": "live", "View": "live", "live_panel": "live",
          "share_link": "widgets", "url_notes": "widgets"}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'ui' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"ui.{_WHERE[name]}"), name)
    globals()[name] = value
    return value
