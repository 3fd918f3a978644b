"""ArchLab entry point: page config and navigation.

The navigation is drawn by hand (``position="hidden"`` plus page links): Streamlit's own menu
lists the raw files of ``pages/`` when a shared link opens a page directly. The sidebar's run
settings (seed, speed) are drawn by each architecture page's config form, above its
hyperparameters.
"""
import streamlit as st

st.set_page_config(page_title="ArchLab", page_icon="🧪", layout="wide",
                   initial_sidebar_state="expanded")

from ui.registry import FAMILIES  # noqa: E402

home = st.Page("pages/home.py", title="Home", icon="🏠", default=True)
archs = [st.Page(str(f.page), title=f.title, icon=f.icon, url_path=f.slug)
         for f in FAMILIES if f.available]
explore = [st.Page("pages/compare.py", title="Compare runs", icon="📊", url_path="compare")]
nav = st.navigation([home, *archs, *explore], position="hidden")
with st.sidebar:
    st.page_link(home, label="ArchLab home")
    st.caption("Architectures")
    for page in archs:
        st.page_link(page)
    st.caption("Explore")
    for page in explore:
        st.page_link(page)
    st.divider()
nav.run()
