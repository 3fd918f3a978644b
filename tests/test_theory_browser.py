"""Every theory tab of every page, drawn by a real chromium: no formula fails to render.

KaTeX draws a formula it cannot parse as red source text in a ``.katex-error`` element (the
recurrent page's backpropagation-through-time block did, and everything after it); AppTest
only sees the markdown, so only a browser can catch it.
"""
import pytest
from conftest import until, wait_idle
from playwright.sync_api import expect

from core import content
from core.families import FAMILIES
from ui.registry import ROOT

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ERRORS = ("() => [...document.querySelectorAll('.katex-error')]"
          ".map(e => (e.getAttribute('title') || '') + ' in: ' + e.textContent.slice(0, 80))")
#: the open tab panel's text and how many formulas it drew
PANEL = """() => {
  const p = [...document.querySelectorAll('[role=tabpanel]')].find(p => !p.hidden &&
      p.getAttribute('aria-hidden') !== 'true' && p.offsetParent !== null);
  return p ? {text: p.innerText, math: p.querySelectorAll('.katex').length} : null;
}"""


@pytest.mark.parametrize("slug", sorted(FAMILIES))
def test_every_tab_draws_its_formulas(page, app_url, slug):
    page.goto(f"{app_url}/{slug}")
    wait_idle(page)
    text = content.load(ROOT / "core" / slug / "theory.md")
    names = [n for n in content.SECTIONS if n in text]
    formulas = 0
    # the Overview first: it waits for the browser's "charts drawn" trigger (ui.deferred), and
    # tests/test_deferred_browser.py checks that it comes without a click
    for name in names:
        tab = page.get_by_role("tab", name=name, exact=True)
        tab.click()
        expect(tab).to_have_attribute("aria-selected", "true")
        shown = until(page, PANEL, lambda p: p["text"].strip() != ""
                      and "Loading this section..." not in p["text"])
        wait_idle(page)
        formulas += shown["math"] if "$" in text[name] else 0
        assert page.evaluate(ERRORS) == [], (slug, name, page.evaluate(ERRORS))
    assert formulas > 0, slug           # the equations are drawn, not shown as source
    assert page.evaluate(ERRORS) == []  # the experiments' texts above the tabs too
