"""ArchLab entry point: page config, navigation, the shared sidebar."""
import streamlit as st

st.set_page_config(page_title="ArchLab", page_icon="🧪", layout="wide",
                   initial_sidebar_state="expanded")

from ui.registry import FAMILIES  # noqa: E402
from ui.shared import shared_sidebar  # noqa: E402

home = st.Page("pages/home.py", title="Home", icon="🏠", default=True)
archs = [st.Page(str(f.page), title=f.title, icon=f.icon, url_path=f.slug)
         for f in FAMILIES if f.available]
pages = {"ArchLab": [home], "Architectures": archs}
if archs:
    pages["Explore"] = [st.Page("pages/compare.py", title="Compare runs", icon="📊",
                                url_path="compare")]
nav = st.navigation(pages)
if nav is not home:
    shared_sidebar()
nav.run()
