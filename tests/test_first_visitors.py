"""A class clicks the teacher's links the moment the server starts: every deep link renders.

Streamlit runs the first visits of a fresh process in its old pages-directory mode (see
ui/boot.py); a rerun fired while ``ui`` was being imported left a half-built module for the
other sessions ("cannot import name 'chart' from 'ui'", 3-5 of 6 sessions on the error page).
"""
import re

import pytest

from serve.local import start_app, stop

pytestmark = pytest.mark.browser

LINKS = {"autoencoder": "Autoencoders", "transformer": "Transformers", "gan": "adversarial",
         "rl": "Reinforcement learning", "compare": "Compare runs", "": "ArchLab"}


def test_six_deep_links_at_once_on_a_fresh_server_all_render(browser):
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
    assert "cannot import name" not in _log(proc)


def _log(proc) -> str:
    from serve.local import log_tail
    return log_tail(proc, 100_000)
