"""ArchLab entry point: page config and navigation.

The navigation is drawn by hand (``position="hidden"`` plus page links): Streamlit's own menu
lists the raw files of ``pages/`` when a shared link opens a page directly. The sidebar's run
settings (seed, speed) are drawn by each architecture page's config form, above its
hyperparameters.
"""
import streamlit as st

st.set_page_config(page_title="ArchLab", page_icon="🧪", layout="wide",
                   initial_sidebar_state="expanded")

from ui.boot import mark_navigated  # noqa: E402
from ui.registry import app_pages  # noqa: E402
from ui.warm import warm  # noqa: E402

sections = app_pages()
[home] = sections["home"]
nav = st.navigation([p for group in sections.values() for p in group], position="hidden")
with st.sidebar:
    st.page_link(home, label="ArchLab home")
    for title in ("Architectures", "Explore"):
        st.caption(title)
        for page in sections[title]:
            st.page_link(page)
    st.divider()
    warm()  # the chart code loads while the page's server side runs (ui/warm.py)
mark_navigated()
nav.run()
