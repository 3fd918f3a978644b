"""Charts as chromium draws them: half-width legends are whole and inside their chart."""
import re

import pytest
from conftest import until, wait_idle
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.slow]

#: every Vega-Lite legend label on the page, whether it was shortened ("…"), and whether its
#: legend overflows the chart's own box
LEGENDS = """() => [...document.querySelectorAll('[data-testid=stVegaLiteChart]')].map(v => {
  const box = v.getBoundingClientRect();
  const labels = [...v.querySelectorAll('.role-legend-label text, .role-legend-label')]
      .map(t => t.textContent).filter(t => t);
  const legend = v.querySelector('.role-legend');
  const r = legend ? legend.getBoundingClientRect() : null;
  return {labels, inside: !r || (r.left >= box.left - 1 && r.right <= box.right + 1)};
})"""


@pytest.mark.parametrize("path,charts", [("transformer?speed=fast", 2), ("gnn", 2),
                                         ("rnn?speed=fast", 2)])
def test_half_width_legends_are_whole(page, app_url, path, charts):
    page.goto(f"{app_url}/{path}")
    wait_idle(page)
    page.get_by_role("button", name=re.compile("Play")).click()
    page.wait_for_function(
        "() => parseInt((document.querySelector('[data-testid=stMetricValue]')?.innerText "
        "|| '0').replace(/,/g, '')) >= 120", timeout=240_000)
    page.get_by_role("button", name=re.compile("Pause")).click()
    expect(page.locator("[data-testid=stMetricValue]").nth(3)).to_have_text("paused")
    wait_idle(page)
    legends = until(page, LEGENDS, lambda ls: sum(bool(x["labels"]) for x in ls) >= charts)
    for x in legends:
        assert x["inside"], x
        assert not any(t.endswith("…") for t in x["labels"]), x
