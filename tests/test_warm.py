"""ui.warm loads Streamlit's chart modules early by their file names: fail loudly if a
Streamlit upgrade renames them or changes how its own code finds them."""
import re
from pathlib import Path

import streamlit as st

from ui import warm

STATIC = Path(st.__file__).parent / "static"


def test_every_chart_module_is_found_once_in_the_installed_streamlit():
    found = warm.chunks()
    assert [f.split(".")[0] for f in found] == list(warm.CHUNKS)
    for f in found:
        assert (STATIC / "static" / "js" / f).stat().st_size > 10_000


def test_the_loader_resolves_modules_as_streamlit_does():
    # the loader finds Streamlit's entry module by this and resolves each name against it ...
    html = (STATIC / "index.html").read_text()
    assert re.search(r'<script type="module"[^>]*src="\./static/js/index\.[^"]+\.js"', html)
    # ... which is how Streamlit's own code imports them (same URL: the browser loads once)
    js = "".join(p.read_text(errors="ignore") for p in (STATIC / "static" / "js").glob("*.js")
                 if p.stat().st_size < 20_000_000)
    for f in warm.chunks():
        assert f"import(`./{f}`)" in js, f


def test_app_mounts_the_loader_before_the_page_runs():
    src = (Path(__file__).resolve().parents[1] / "app.py").read_text()
    assert src.index("warm()") < src.index("nav.run()")
