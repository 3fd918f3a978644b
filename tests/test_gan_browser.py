"""The GAN page in a real browser: press "D only" and see the discriminator's heatmap
change while the generated points stay where they were."""

import pytest
from conftest import until, wait_idle
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# the heatmap (trace named "discriminator") and the generated points of the 2-D view
READ = """() => {
  const p = [...document.querySelectorAll('.js-plotly-plot')]
      .find(p => (p.data || []).some(t => t.name === 'discriminator'));
  if (!p) return null;
  const get = n => JSON.stringify(p.data.find(t => t.name === n));
  return {heat: get('discriminator'), fake: get('generated')};
}"""


def test_discriminator_only_changes_the_heatmap(page, app_url):
    page.goto(f"{app_url}/gan")
    wait_idle(page, timeout_ms=120_000)
    before = until(page, READ, lambda r: r is not None)
    expect(page.locator("[data-testid=stMetricValue]").first).to_have_text("0")
    page.get_by_role("button", name="D only", exact=True).click()
    page.wait_for_function(
        "() => (document.querySelector('[data-testid=stMetricValue]')?.innerText ?? '').trim() === '10'",
        timeout=60_000)
    wait_idle(page, timeout_ms=60_000)
    after = until(page, READ, lambda r: r["heat"] != before["heat"])
    assert after["heat"] != before["heat"]      # the discriminator learned
    assert after["fake"] == before["fake"]      # the generator did not move
    assert page.locator("[data-testid=stException]").count() == 0


def test_uploaded_csv_trains_on_its_points_and_a_bad_file_is_explained(page, app_url, tmp_path):
    """A student's own points: a bad file gets a message naming the problem, a good one
    becomes the real data of the 2-D view."""
    page.goto(f"{app_url}/gan?dataset=csv")
    wait_idle(page, timeout_ms=120_000)
    page.get_by_text("The csv dataset needs your points").wait_for(timeout=30_000)
    expect(page.get_by_role("button", name="▶ Play")).to_have_count(0)

    bad = tmp_path / "bad.csv"
    bad.write_text("x,y\n1,2,3\n4,5,6\n")
    page.locator("[data-testid=stFileUploaderDropzoneInput]").set_input_files(str(bad))
    page.get_by_text("bad.csv: Row 2 has 3 columns; expect exactly 2").wait_for(timeout=60_000)
    expect(page.get_by_role("button", name="▶ Play")).to_have_count(0)

    good = tmp_path / "line.csv"
    rows = [f"{i / 10:.1f},{(i % 7) / 7:.3f}" for i in range(60)]
    good.write_text("x,y\n" + "\n".join(rows) + "\n")
    page.locator("[data-testid=stFileUploaderDropzoneInput]").set_input_files(str(good))
    page.get_by_text("60 points loaded from line.csv.").wait_for(timeout=60_000)
    wait_idle(page, timeout_ms=60_000)
    page.wait_for_function(f"() => ({READ})() !== null", timeout=60_000)
    real = until(page, """() => {
      const p = [...document.querySelectorAll('.js-plotly-plot')]
          .find(p => (p.data || []).some(t => t.name === 'discriminator'));
      const t = p._fullData.find(t => t.name === 'real');  // decoded arrays, not base64
      return Array.from(t.x).map((x, i) => [x, t.y[i]]);
    }""", bool)
    allowed = {(round(i / 10, 1), round((i % 7) / 7, 3)) for i in range(60)}
    assert real and {(round(x, 1), round(y, 3)) for x, y in real} <= allowed
    expect(page.get_by_role("button", name="▶ Play")).to_have_count(1)
    assert page.locator("[data-testid=stException]").count() == 0
