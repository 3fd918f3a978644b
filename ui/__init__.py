"""Reusable Streamlit pieces: the only place outside pages/ that imports streamlit."""
from ui.content import experiments, show_code, theory_tabs
from ui.errors import guard
from ui.form import config_sidebar, share_link, show_problems, url_notes
from ui.panel import LiveState, View, live_panel
from ui.shared import RunSettings, run_settings, shared_sidebar

__all__ = ["experiments", "show_code", "theory_tabs", "guard", "config_sidebar", "share_link",
           "show_problems", "url_notes", "LiveState", "View", "live_panel", "RunSettings",
           "run_settings", "shared_sidebar"]
