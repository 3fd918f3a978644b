"""ArchLab entry point: page config and navigation.

The sidebar's shared run settings (seed, speed) are drawn by each architecture page's config
form (``ui.config_sidebar``), above the page's own hyperparameters.
"""
import streamlit as st

st.set_page_config(page_title="ArchLab", page_icon="🧪", layout="wide",
                   initial_sidebar_state="expanded")

from ui.registry import FAMILIES  # noqa: E402

home = st.Page("pages/home.py", title="Home", icon="🏠", default=True)
archs = [st.Page(str(f.page), title=f.title, icon=f.icon, url_path=f.slug)
         for f in FAMILIES if f.available]
pages = {"ArchLab": [home], "Architectures": archs}
if archs:
    pages["Explore"] = [st.Page("pages/compare.py", title="Compare runs", icon="📊",
                                url_path="compare")]
st.navigation(pages).run()
