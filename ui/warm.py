"""Load the browser's chart code while the server is still busy with the page.

Streamlit's browser code loads each element's module the first time an element of that kind
arrives: plotly.js (a 4.7 MB module) only once the page's first plotly chart is on its way.
On an ArchLab page that is 2-3 s after the page was asked for, because the server first
imports torch and builds the model, and all that time the browser has nothing to do; then it
fetches, compiles and runs plotly.js with the page's other elements already waiting to be
drawn. :func:`warm` mounts an invisible component from app.py, before the page runs: in the
browser it imports the chart modules (:data:`CHUNKS`) at once, one after another, and when
the first chart arrives its code is already loaded. An import that fails changes nothing:
Streamlit loads the module itself as before.

The module files carry a content hash in their names, different in every Streamlit release;
:func:`chunks` finds them in the installed package, and ``tests/test_warm.py`` fails loudly if
a Streamlit upgrade renames them.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import streamlit as st

#: the modules to load early: plotly charts, and Vega-Lite charts with the code that draws them
CHUNKS = ("PlotlyChart", "ArrowVegaLiteChart", "embed")

_JS = """
export default function ({ data }) {
  if (!Array.isArray(data) || window.__archlabWarm) return;
  window.__archlabWarm = true;
  const index = document.querySelector('script[type=module][src*="/static/js/index"]');
  if (!index) return;
  let chain = Promise.resolve();
  for (const c of data) {
    chain = chain.then(() => import(new URL(c, index.src).href)).catch(() => {});
  }
}
"""

_component = st.components.v2.component("archlab_warm", js=_JS)


@lru_cache(maxsize=1)
def chunks() -> tuple[str, ...]:
    """The file names of :data:`CHUNKS` in the installed Streamlit (missing ones left out)."""
    js = Path(st.__file__).parent / "static" / "static" / "js"
    out = []
    for name in CHUNKS:
        found = sorted(js.glob(f"{name}.*.js"))
        if len(found) == 1:
            out.append(found[0].name)
    return tuple(out)


def warm() -> None:
    """Mount the loader (once per browser tab it does anything)."""
    if chunks():
        # a list, not a dict: Streamlit scans a dict's values for dataframes, and the first
        # scan in a process imports pandas (0.6 s here) before the navigation reaches the browser
        _component(key="_archlab_warm", data=list(chunks()), height=0)
