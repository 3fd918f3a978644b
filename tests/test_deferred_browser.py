"""Sections that wait for the browser (``ui.deferred``) are all drawn, however many wait at once.

The graph page has two: the figures under its first screen (in the live panel's fragment) and
the theory's Overview (in the theory's fragment). Loaded by four students at once, their
browsers' triggers fired in the same moment in 2 of 16 page loads here, and one section stayed
on its placeholder for good: the browser sent both triggers in one message naming one fragment,
so the server ran both callbacks but reran only that fragment. A small app with several
fragments whose sections wait for nothing (no chart on the page) fires every trigger at once,
every time, which is that moment made certain.
"""
import textwrap

import pytest
from conftest import ROOT, wait_idle
from playwright.sync_api import expect

from serve import local as serve_local

pytestmark = [pytest.mark.browser]

SECTIONS = 4
#: a browser with no idle time: each section's trigger is sent in the animation frame that
#: finds the page drawn, so sections mounted together send theirs in the same task
SAME_MOMENT = "window.requestIdleCallback = (f) => { f(); return 0; };"

APP = textwrap.dedent(f"""
    import sys
    import time
    sys.path.insert(0, {str(ROOT)!r})
    import streamlit as st
    from ui import deferred

    def section(i):
        @st.fragment
        def body():
            if deferred.shown(f"_s{{i}}"):
                time.sleep(1.0)   # a section that takes a while to build, as a chart does
                st.write(f"section {{i}}: drawn")
            else:
                st.write(f"section {{i}}: waiting")
        body()

    for i in range({SECTIONS}):
        section(i)
""")


@pytest.fixture(scope="module")
def sections_url(tmp_path_factory):
    script = tmp_path_factory.mktemp("deferred") / "sections.py"
    script.write_text(APP)
    proc, url = serve_local.start_app(script=script)
    yield url
    serve_local.stop(proc)


def test_every_waiting_section_is_drawn(browser, sections_url):
    for _ in range(3):   # a fresh session each time: every section waits again
        ctx = browser.new_context()
        page = ctx.new_page()
        page.add_init_script(SAME_MOMENT)
        page.goto(sections_url)
        wait_idle(page)
        for i in range(SECTIONS):
            expect(page.get_by_text(f"section {i}: drawn")).to_be_visible(timeout=30_000)
        ctx.close()


def test_graph_page_draws_both_waiting_sections_without_a_click(page, app_url):
    """The case that was lost: the graph page's figures under the first screen and its
    theory's Overview, opened and left alone."""
    page.goto(f"{app_url}/gnn")
    wait_idle(page)
    expect(page.get_by_text("The hidden representations and over-smoothing follow...")
           ).to_have_count(0)
    overview = page.get_by_role("tabpanel").filter(has_text="Loading this section...")
    expect(overview).to_have_count(0)
    expect(page.locator("[role=tabpanel] .katex").first).to_be_visible()
