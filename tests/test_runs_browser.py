"""Kept runs belong to the browser that pinned them, in a real chromium against a real server.

The owner key is read from the XSRF cookie Streamlit sets (ui/identity.py reads an internal
format): these tests read the cookie the server really set, so a Streamlit upgrade that changes
its shape fails here, loudly, instead of every page load silently becoming a new owner.
"""
import re

import pytest
from conftest import until, wait_idle
from playwright.sync_api import expect

from serve.local import free_port, start_app, stop
from ui.identity import COOKIE, token_from_cookie

pytestmark = pytest.mark.browser


def _xsrf(context) -> str:
    values = [c["value"] for c in context.cookies() if c["name"] == COOKIE]
    assert len(values) == 1, context.cookies()
    return values[0]


def test_the_real_xsrf_cookie_names_the_browser_across_reloads(page, app_url):
    page.goto(f"{app_url}/autoencoder")
    wait_idle(page)
    first = _xsrf(page.context)
    token = token_from_cookie(first)
    assert token is not None and len(token) >= 16, first
    page.reload()
    wait_idle(page)
    again = _xsrf(page.context)
    assert token_from_cookie(again) == token   # masked afresh or not, the same browser


def _pin_two(page, url: str) -> None:
    page.goto(f"{url}/autoencoder")
    wait_idle(page)
    for n in (1, 2):
        page.get_by_role("button", name="Step", exact=True).click()
        page.wait_for_function(
            "n => parseInt(document.querySelector('[data-testid=stMetricValue]')?"
            ".innerText.replace(/,/g, '')) >= n", arg=n, timeout=60_000, polling=100)
        wait_idle(page)
        page.get_by_role("button", name=re.compile("Pin run")).click()
        expect(page.locator("[data-testid=stAlert]").filter(has_text=f"Pinned as run #{n}")
               ).to_contain_text("open Compare runs")   # kept in the store, not "this tab only"


MAIN = "() => document.querySelector('[data-testid=stMain]')?.innerText ?? ''"


def _both(text: str) -> bool:
    return "autoencoder #1" in text and "autoencoder #2" in text


def _kept(page, url: str, *, reload: bool = False, none: bool = False) -> str:
    """The compare page's text once it lists both pinned runs (``none``: its empty note)."""
    if reload:
        page.reload()
    else:
        page.goto(f"{url}/compare")
    want = (lambda t: "No runs kept yet" in t) if none else _both
    text = until(page, MAIN, lambda t: want(t) or "No runs kept yet" in t
                 or "Settings that differ" in t)
    if not want(text):   # drawn, but not as expected: give a redraw a chance, then report
        text = until(page, MAIN, want, timeout_s=10)
    return text


def test_pinned_runs_survive_reload_new_tab_and_restart_and_stay_private(browser):
    port = free_port()
    proc, url = start_app(port)
    mine = browser.new_context()
    other = browser.new_context()
    try:
        page = mine.new_page()
        page.set_default_timeout(120_000)
        _pin_two(page, url)
        assert _both(_kept(page, url))
        assert _both(_kept(page, url, reload=True))
        tab = mine.new_page()                      # a new tab of the same browser
        assert _both(_kept(tab, url))
        tab.close()

        stop(proc)                                 # the server restarts; the browser stays
        proc, url = start_app(port)
        page = mine.new_page()
        assert _both(_kept(page, url))
        # a third pin, from a new tab after the restart, is numbered after the kept two
        page.goto(f"{url}/autoencoder")
        wait_idle(page)
        page.get_by_role("button", name="Step", exact=True).click()
        wait_idle(page)
        page.get_by_role("button", name=re.compile("Pin run")).click()
        expect(page.locator("[data-testid=stAlert]").filter(has_text="Pinned as run")
               ).to_contain_text("Pinned as run #3")

        stranger = other.new_page()                # another browser sees none of them
        text = _kept(stranger, url, none=True)
        assert "No runs kept yet" in text and "autoencoder #1" not in text
    finally:
        mine.close()
        other.close()
        stop(proc)
