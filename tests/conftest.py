"""Shared test set-up: full error details in AppTest, one torch thread, the project root."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from streamlit import config as st_config

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from core import process  # noqa: E402

process.setup()  # as every entry point does (core/process.py)
st_config.set_option("client.showErrorDetails", "full")
# pinned runs go to a run store of this test session, never the checkout's own
if "ARCHLAB_DATA" not in os.environ and "ARCHLAB_DB_URL" not in os.environ:
    import tempfile
    os.environ["ARCHLAB_DATA"] = tempfile.mkdtemp(prefix="archlab-test-data-")


@pytest.fixture
def root() -> Path:
    return ROOT


@pytest.fixture
def plotly_checked():
    """Every figure built through core.plotly_fast is validated in full by plotly."""
    from core.plotly_fast import checking
    with checking():
        yield


# ---- browser tests: Debian's chromium driven by Playwright against a live server ----------
import os  # noqa: E402
import shutil  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
import urllib.request  # noqa: E402

from serve import local as serve_local  # noqa: E402
from serve.local import CHROMIUM_ARGS, free_port  # noqa: E402,F401


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser_type_launch_args():
    """pytest-playwright's browser uses Debian's chromium; nothing is downloaded."""
    path = chromium_path()
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed (bash scripts/setup.sh test installs it)")
        pytest.skip("chromium is not installed")
    return {"executable_path": path, "args": CHROMIUM_ARGS, "headless": True}


def start_app(timeout: float = 60.0) -> tuple[subprocess.Popen, str]:
    """``streamlit run app.py`` on a free loopback port; returns (process, base url)."""
    return serve_local.start_app(timeout=timeout)


@pytest.fixture(scope="session")
def app_url():
    proc, url = start_app()
    yield url
    serve_local.stop(proc)


def wait_idle(page, timeout_ms: int = 180_000) -> None:
    """Wait until the Streamlit script is not running (the page is fully drawn)."""
    page.wait_for_selector("[data-testid=stApp][data-test-script-state=notRunning]",
                           timeout=timeout_ms)


# ---- page tests: AppTest from app.py, as a user reaches a page ---------------------------
def open_page(page: str | None = None, timeout: float = 90, *, opened: tuple[str, ...] = (),
              wait_for_browser: bool = False, **query: str):
    """AppTest of app.py, optionally switched to ``page`` (e.g. "pages/gan.py") with URL
    query parameters; runs it once and checks that no exception was raised. ``opened``: keys
    of shut-until-opened expanders (ui.widgets.lazy_expander) to open, as a click would.
    Sections that wait for a browser to draw the page first (ui.deferred) are drawn at once,
    unless ``wait_for_browser``: AppTest has no browser to send their trigger."""
    from streamlit.testing.v1 import AppTest

    from ui import deferred
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout)
    if not wait_for_browser:
        at.session_state[deferred.EVERYTHING] = True
    for k, v in query.items():
        at.query_params[k] = v
    for k in opened:
        at.session_state[k] = True
    if page:
        at.switch_page(page)
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.fixture
def app_test():
    """Factory fixture: ``app_test("pages/gan.py", lr="0.01")`` -> a run AppTest."""
    return open_page


@pytest.fixture
def page(page):
    """pytest-playwright's page, patient: on a loaded 2-core machine a first render can take
    tens of seconds, and a wait that gives up early is a flaky test, not a finding."""
    page.set_default_timeout(120_000)
    return page


def until(page, read_js: str, check, timeout_s: float = 120.0):
    """Read the page with ``read_js`` until ``check(value)`` holds; returns that value.

    A page redraws while a test reads it (a tick, a rerun after a click): one reading is one
    instant and may catch an element absent or half drawn. Browser assertions on what a page
    shows read until the state they expect appears, and fail with the last reading if it never
    does. (For a locator's text, count or attribute use Playwright's ``expect``, which retries.)
    """
    from playwright.sync_api import Error
    deadline = time.monotonic() + timeout_s
    value = None
    while True:
        try:
            value = page.evaluate(read_js)
            if value is not None and check(value):
                return value
        except Error:  # the page navigated or re-rendered under the script: read again
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"the page never showed the expected state; last read: "
                                 f"{value!r}")
        page.wait_for_timeout(100)


def preset_overrides(experiments, prefix: str) -> dict:
    """The overrides of the one experiment named ``prefix`` (or, failing that, the one whose
    name starts with it): what the claim tests run."""
    found = [e for e in experiments if e.name == prefix] or \
        [e for e in experiments if e.name.startswith(prefix)]
    assert len(found) == 1, (prefix, [e.name for e in experiments])
    return found[0].overrides
