"""The autoencoder page in a real browser: Debian's chromium through Playwright."""
import re

import pytest
from conftest import until, wait_idle
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def _metric(page, i: int = 0):
    return page.locator("[data-testid=stMetricValue]").nth(i)


STEP = ("() => (document.querySelector('[data-testid=stMetricValue]')?.innerText ?? '')"
        ".replace(/,/g, '')")


def _step(page) -> int:
    """The step counter once it shows a number (it is briefly absent or "–" while redrawn)."""
    return int(until(page, STEP, str.isdigit))


def test_play_trains_and_draws_the_latent_space(page, app_url):
    page.goto(f"{app_url}/autoencoder")
    wait_idle(page)
    expect(_metric(page)).to_have_text("0")
    sidebar = page.locator("[data-testid=stSidebar]")
    expect(sidebar).to_contain_text("ArchLab home")  # our menu, not raw files
    expect(sidebar).to_contain_text("Autoencoders")
    page.get_by_role("button", name=re.compile("Play")).click()
    # the counter rises tick after tick while the figures redraw
    page.wait_for_function(
        "() => parseInt(document.querySelector('[data-testid=stMetricValue]')?"
        ".innerText.replace(/,/g, '')) > 50", timeout=60_000)
    first = _step(page)
    page.wait_for_function(
        f"() => parseInt(document.querySelector('[data-testid=stMetricValue]')?"
        f".innerText.replace(/,/g, '')) > {first}", timeout=60_000)
    page.get_by_role("button", name=re.compile("Pause")).click()
    page.get_by_role("button", name=re.compile("Play")).wait_for(timeout=60_000)
    wait_idle(page)
    expect(_metric(page, 3)).to_have_text("paused")  # one click pauses (a doubled one must not resume)
    # paused, the timeline (and every figure drawn from it) ends at the step the counter shows
    timeline = page.locator("[data-testid=stSlider]").filter(has_text="Timeline")
    expect(timeline.locator("[data-testid=stSliderThumbValue]")).to_have_text(
        f"step {_step(page):,}")
    # the latent scatter is a drawn plotly chart with one trace per digit class
    page.wait_for_function(
        "() => [...document.querySelectorAll('.js-plotly-plot')]"
        ".some(p => (p.data || []).length >= 10)", timeout=30_000)
    assert page.locator("[data-testid=stException]").count() == 0
    assert "Latent space" in page.content()


def test_bad_link_shows_a_note_not_a_traceback(page, app_url):
    page.goto(f"{app_url}/autoencoder?lr=abc&latent_dim=500")
    wait_idle(page)
    alert = page.locator("[data-testid=stAlert]").first
    expect(alert).to_contain_text("could not be used as given")
    assert page.locator("[data-testid=stException]").count() == 0


def test_theory_tabs_compute_only_the_open_section(page, app_url):
    """Lazy tabs: the overview (its diagram) is drawn once the charts above it are (ui.deferred,
    with no click), the sources are not sent until the Implementation tab is opened, and
    opening it shows them."""
    page.goto(f"{app_url}/autoencoder")
    wait_idle(page)
    page.locator("[data-testid=stGraphVizChart] svg").first.wait_for(timeout=60_000)
    expect(page.get_by_text("Loading this section...")).to_have_count(0)
    page.wait_for_function("() => document.querySelectorAll('.js-plotly-plot').length >= 2",
                           timeout=60_000)
    assert page.get_by_text("core.autoencoder.model.Autoencoder", exact=True).count() == 0
    page.get_by_role("tab", name="Implementation").click()
    page.get_by_text("core.autoencoder.model.Autoencoder", exact=True).wait_for(timeout=60_000)
    wait_idle(page)
    expect(page.get_by_role("tab", name="Implementation")).to_have_attribute("aria-selected",
                                                                            "true")
    assert page.locator("[data-testid=stException]").count() == 0
