"""A small sweep in a real browser: set up, progress bar moving, result plot drawn."""
import re

import pytest
from conftest import wait_idle

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_a_small_sweep_shows_progress_and_its_result(page, app_url):
    page.goto(f"{app_url}/autoencoder?latent_dim=2&hidden=16")
    wait_idle(page)
    page.get_by_text("Sweep: how does a setting change learning").click()  # opens on a rerun
    wait_idle(page)
    box = page.get_by_role("combobox", name=re.compile("Settings to sweep"))
    box.click()
    page.get_by_role("option", name="Learning rate").click()
    page.keyboard.press("Escape")
    wait_idle(page)
    values = page.get_by_role("textbox", name="Values of Learning rate")
    values.fill("0.001, 0.01")
    values.press("Enter")
    wait_idle(page)
    budget = page.get_by_role("spinbutton", name="Budget per run (steps)")
    budget.fill("40")
    budget.press("Enter")
    wait_idle(page)
    page.get_by_role("button", name=re.compile("Start sweep")).click()
    # the progress bar appears, then reaches all runs (4: two values x two seeds)
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=stProgress]')]"
        ".some(p => /of 4 runs done/.test(p.textContent ?? ''))", timeout=120_000)
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=stProgress]')]"
        ".some(p => /4 of 4 runs done/.test(p.textContent ?? ''))", timeout=300_000)
    page.wait_for_function(
        "() => [...document.querySelectorAll('.js-plotly-plot')].some(p => (p.data ?? [])"
        ".some(t => (t.hovertemplate ?? '').startsWith('Learning rate')))", timeout=120_000)
    page.wait_for_function("() => location.search.includes('sweep=')")  # the address reopens it
    assert page.locator("[data-testid=stException]").count() == 0
