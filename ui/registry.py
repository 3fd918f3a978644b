"""The architectures ArchLab knows, as Streamlit pages: what app.py navigates.

The families and their cards' texts are declared once each, in ``core/<slug>/family.py``
(:mod:`core.families`); a family's page is listed once ``pages/<slug>.py`` exists, and until
then its home card says so.
"""
from __future__ import annotations

from core.families import FAMILIES as DECLARED
from core.families import ROOT, Family

__all__ = ["FAMILIES", "ROOT", "Family", "app_pages"]

#: every declared family, in navigation order
FAMILIES: list[Family] = list(DECLARED.values())


def app_pages() -> dict[str, list]:
    """The app's pages as ``st.Page`` objects, by section: what app.py navigates (and what a
    page run without app.py navigates once, see ui/boot.py)."""
    import streamlit as st
    home = st.Page(str(ROOT / "pages" / "home.py"), title="Home", icon=":material/home:",
                   default=True)
    archs = [st.Page(str(f.page), title=f.title, icon=f.icon, url_path=f.slug)
             for f in FAMILIES if f.available]
    explore = [st.Page(str(ROOT / "pages" / "compare.py"), title="Compare runs",
                       icon=":material/compare_arrows:", url_path="compare")]
    return {"home": [home], "Architectures": archs, "Explore": explore}
