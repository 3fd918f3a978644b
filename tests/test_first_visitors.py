"""A class clicks the teacher's links the moment the server starts: every deep link renders,
figures and all.

Streamlit runs the first visits of a fresh process in its old pages-directory mode (see
ui/boot.py); a rerun fired while ``ui`` was being imported left a half-built module for the
other sessions ("cannot import name 'chart' from 'ui'", 3-5 of 6 sessions on the error page).
And the sessions are threads of one process: the graph and recurrent pages' figures failed
with "partially initialized module 'pandas'" while another session imported it (see
core/imports.py), so each page here must also draw its charts, not just its title.
"""
import re
import tempfile

import pytest

from serve.local import start_app, stop

pytestmark = pytest.mark.browser

LINKS = {"autoencoder": "Autoencoders", "transformer": "Transformers", "gan": "adversarial",
         "rl": "Reinforcement learning", "gnn": "Graph neural networks",
         "rnn": "Recurrent networks", "": "ArchLab"}
#: no error box of any kind: an exception, or the panel's "Something went wrong" message
BROKEN = ("() => !!document.querySelector('[data-testid=stException]') || [...document"
          ".querySelectorAll('[data-testid=stAlert]')].some(a => a.innerText?.includes("
          "'Something went wrong'))")
#: characters drawn from an emoji font (the pause bar ❚, U+275A, is in the common text fonts)
EMOJI = ("() => [...new Set(document.body.innerText.match(/[\\u{1F300}-\\u{1FAFF}\\u{2600}-"
         "\\u{2759}\\u{275B}-\\u{27BF}\\u{2B00}-\\u{2BFF}\\u{FE0F}\\u{23E9}-\\u{23FA}]/gu) || [])]")
#: a drawn chart: a plotly plot with its traces, or a Vega-Lite canvas or svg
CHARTS = ("() => [...document.querySelectorAll('.js-plotly-plot')].filter(p => (p.data || [])"
          ".length > 0).length + document.querySelectorAll('[data-testid=stVegaLiteChart] "
          "canvas, [data-testid=stVegaLiteChart] svg').length")


def test_six_architecture_pages_at_once_on_a_fresh_server_all_draw(browser):
    proc, url = start_app()  # fresh process: nothing has run yet
    contexts = [browser.new_context() for _ in LINKS]   # six visitors, six browsers' cookies
    try:
        pages = [c.new_page() for c in contexts]
        for page, path in zip(pages, LINKS):   # all requests go out before any renders
            page.goto(f"{url}/{path}", wait_until="commit")
        for page, (path, title) in zip(pages, LINKS.items()):
            page.wait_for_function(
                "t => [...document.querySelectorAll('h1')].some(h => h.innerText"
                "?.includes(t)) || !!document.querySelector('[data-testid=stException]')",
                arg=title, timeout=120_000, polling=100)
            assert page.locator("[data-testid=stException]").count() == 0, path
            assert not re.search("encountered an error", page.content()), path
            # the figures draw: a chart at least (at step 0 some show a note instead), no error
            try:   # the home page has pictures, not charts: then no error within a moment
                page.wait_for_function(f"p => ({CHARTS})() >= (p ? 1 : 0) || ({BROKEN})()",
                                       arg=path,
                                       timeout=120_000, polling=100)
            except Exception as e:  # noqa: BLE001 - say which page, and what it shows
                page.screenshot(path=f"{tempfile.gettempdir()}/first-visit-{path}.png")
                raise AssertionError(f"{path}: {page.evaluate(CHARTS)} charts drawn") from e
            assert not page.evaluate(BROKEN), (path, page.locator(
                "[data-testid=stAlert]").all_inner_texts())
            # no emoji: where the student's machine has no emoji font they draw as boxes
            # (icons are Material Symbols, from a font Streamlit ships)
            assert page.evaluate(EMOJI) == [], path
            # our menu, not raw file names (its links may draw a moment after the captions)
            page.wait_for_function(
                "() => document.querySelector('[data-testid=stSidebar]')?.innerText"
                "?.includes('ArchLab home')", timeout=60_000, polling=100)
            sidebar = page.locator("[data-testid=stSidebar]").inner_text()
            assert "app\n" not in sidebar and "ArchLab home" in sidebar, path
    finally:
        for c in contexts:
            c.close()
        stop(proc)
    log = _log(proc)
    assert "cannot import name" not in log and "partially initialized" not in log


def _log(proc) -> str:
    from serve.local import log_tail
    return log_tail(proc, 100_000)
