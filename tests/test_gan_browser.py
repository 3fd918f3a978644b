"""The GAN page in a real browser: press "D only" and see the discriminator's heatmap
change while the generated points stay where they were."""

import pytest
from conftest import wait_idle

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# the heatmap (trace named "discriminator") and the generated points of the 2-D view
READ = """() => {
  const p = [...document.querySelectorAll('.js-plotly-plot')]
      .find(p => (p.data || []).some(t => t.name === 'discriminator'));
  if (!p) return null;
  const get = n => JSON.stringify(p.data.find(t => t.name === n));
  return {heat: get('discriminator'), fake: get('generated')};
}"""


def _step(page) -> int:
    return int(page.locator("[data-testid=stMetricValue]").first.inner_text().replace(",", ""))


def test_discriminator_only_changes_the_heatmap(page, app_url):
    page.goto(f"{app_url}/gan")
    wait_idle(page, timeout_ms=120_000)
    page.wait_for_function(f"() => ({READ})() !== null", timeout=60_000)
    before = page.evaluate(READ)
    assert _step(page) == 0
    page.get_by_role("button", name="D only", exact=True).click()
    page.wait_for_function(
        "() => document.querySelector('[data-testid=stMetricValue]').innerText.trim() === '10'",
        timeout=60_000)
    wait_idle(page, timeout_ms=60_000)
    page.wait_for_function(f"(h) => {{ const r = ({READ})(); return r && r.heat !== h; }}",
                           arg=before["heat"], timeout=30_000)
    after = page.evaluate(READ)
    assert after["heat"] != before["heat"]      # the discriminator learned
    assert after["fake"] == before["fake"]      # the generator did not move
    assert page.locator("[data-testid=stException]").count() == 0
