"""Reusable Streamlit pieces: the only place outside pages/ that imports streamlit.

Layers, each importing only those above it (tests/test_layout.py walks the imports):
``widgets`` (schema widgets, URL repair, links) → ``panel`` (live training) → ``form``
(sidebar) → ``content`` (theory, experiments) → ``page`` (the page skeleton).
Importing this package does nothing but import.
"""
from ui.charts import chart, figure, show
from ui.content import experiments, show_code, theory_tabs
from ui.errors import guard
from ui.form import apply_preset, config_sidebar, run_sidebar, show_problems
from ui.page import Page
from ui.panel import LiveState, View, live_panel
from ui.widgets import share_link, url_notes

__all__ = ["chart", "figure", "show", "experiments", "show_code", "theory_tabs", "guard",
           "apply_preset", "config_sidebar", "run_sidebar", "show_problems", "Page",
           "LiveState", "View", "live_panel", "share_link", "url_notes"]
