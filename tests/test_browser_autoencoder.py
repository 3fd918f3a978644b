"""The autoencoder page in a real browser: Debian's chromium through Playwright."""
import re

import pytest
from conftest import wait_idle

pytestmark = pytest.mark.browser


def _step(page) -> int:
    return int(page.locator("[data-testid=stMetricValue]").first.inner_text().replace(",", ""))


def test_play_trains_and_draws_the_latent_space(page, app_url):
    page.goto(f"{app_url}/autoencoder")
    wait_idle(page)
    assert _step(page) == 0
    sidebar = page.locator("[data-testid=stSidebar]").inner_text()
    assert "ArchLab home" in sidebar and "Autoencoders" in sidebar  # our menu, not raw files
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
    state = page.locator("[data-testid=stMetricValue]").nth(3).inner_text()
    assert state == "paused"  # one click pauses (a doubled click must not resume)
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
    assert "could not be used as given" in alert.inner_text()
    assert page.locator("[data-testid=stException]").count() == 0


def test_theory_tabs_compute_only_the_open_section(page, app_url):
    """Lazy tabs: the overview (its diagram) is drawn once the charts above it are (ui.deferred,
    with no click), the sources are not sent until the Implementation tab is opened, and
    opening it shows them."""
    page.goto(f"{app_url}/autoencoder")
    wait_idle(page)
    page.locator("[data-testid=stGraphVizChart] svg").first.wait_for(timeout=60_000)
    assert page.get_by_text("Loading this section...").count() == 0
    assert page.locator(".js-plotly-plot").count() >= 2
    assert page.get_by_text("core.autoencoder.model.Autoencoder", exact=True).count() == 0
    page.get_by_role("tab", name="Implementation").click()
    page.get_by_text("core.autoencoder.model.Autoencoder", exact=True).wait_for(timeout=60_000)
    wait_idle(page)
    assert page.get_by_role("tab", name="Implementation").get_attribute("aria-selected") == "true"
    assert page.locator("[data-testid=stException]").count() == 0
