"""Reusable Streamlit pieces: the only place outside pages/ that imports streamlit."""
from ui.boot import leave_pages_directory_mode

leave_pages_directory_mode()
from ui.charts import chart  # noqa: E402
from ui.content import experiments, show_code, theory_tabs  # noqa: E402
from ui.errors import guard  # noqa: E402
from ui.form import config_sidebar, share_link, show_problems, url_notes  # noqa: E402
from ui.panel import LiveState, View, live_panel  # noqa: E402
from ui.shared import RunSettings, run_settings, shared_sidebar  # noqa: E402

__all__ = ["chart", "experiments", "show_code", "theory_tabs", "guard", "config_sidebar",
           "share_link", "show_problems", "url_notes", "LiveState", "View", "live_panel",
           "RunSettings", "run_settings", "shared_sidebar"]
