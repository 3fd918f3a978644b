"""A lesson link in chromium: locked controls are disabled, a tampered lock is put back."""
import pytest
from conftest import wait_idle
from playwright.sync_api import expect

from core.classroom import lesson as L
from core.autoencoder.config import AEConfig
from core.config import to_dict

pytestmark = pytest.mark.browser

TASK = "Raise β until the latent becomes a round blob. What happens to the reconstructions?"


def test_locked_controls_are_disabled_and_the_address_bar_keeps_the_lesson(page, app_url):
    # the app server shares this test session's data directory, hence its secret
    token = L.make("autoencoder", to_dict(AEConfig(beta=2.5, lr=0.002)), 11,
                   ["beta", "lr"], TASK)
    page.goto(f"{app_url}/autoencoder?lesson={token}&lr=9")
    wait_idle(page)
    sidebar = page.locator("[data-testid=stSidebar]")
    beta = sidebar.locator("[data-testid=stSlider]").filter(has_text="KL weight")
    expect(beta.locator("input[type=range]")).to_be_disabled()
    expect(beta.locator("input[type=range]")).to_have_value("2.5")
    exact = sidebar.get_by_role("spinbutton", name="Learning rate, exact value")
    expect(exact).to_be_disabled()
    expect(exact).to_have_value("0.002")
    latent = sidebar.locator("[data-testid=stSlider]").filter(has_text="Latent size")
    expect(latent.locator("input[type=range]")).to_be_enabled()
    seed = sidebar.get_by_role("textbox", name="Seed")
    expect(seed).to_be_enabled()
    expect(seed).to_have_value("11")      # set, not locked
    main = page.locator("[data-testid=stMain]")
    expect(main).to_contain_text(TASK)
    expect(main).to_contain_text("Locked by this lesson: Learning rate, β (KL weight)")
    expect(main).to_contain_text("is locked by this lesson: the link's lr=9 was ignored")
    page.wait_for_function("() => location.search.includes('lr=0.002')", timeout=30_000)
    assert "lr=9" not in page.url and f"lesson={token}" in page.url
    assert page.locator("[data-testid=stException]").count() == 0
