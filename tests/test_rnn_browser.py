"""The RNN page in a real browser: decode a typed date, see its alignment, play."""
import re

import pytest
from conftest import until, wait_idle

pytestmark = pytest.mark.browser

HEATMAPS = """() => [...document.querySelectorAll('.js-plotly-plot')]
    .filter(p => (p?.data || []).some(d => d?.type === 'heatmap'))
    .map(p => ({title: ((p?.layout?.title || {}).text || '').replace(/<[^>]+>/g, ''),
                traces: (p?.data || []).length,
                x: (p?.layout?.xaxis || {}).ticktext || []}))"""


def test_typed_date_is_decoded_with_its_alignment_and_the_page_plays(page, app_url):
    page.goto(f"{app_url}/rnn?task=dates&hidden=32")
    wait_idle(page, 240_000)
    box = page.locator("input[aria-label='Try it: type an input']")
    box.fill("mar 3 98")
    box.press("Enter")
    page.wait_for_function(
        "() => [...document.querySelectorAll('.js-plotly-plot')].some(p => "
        "((p?.layout?.xaxis || {}).ticktext || []).join('') === 'mar␣3␣98')", timeout=240_000)
    wait_idle(page, 240_000)
    # the alignment and the states of the LSTM: h, c and the input, forget and output gates
    until(page, HEATMAPS, lambda maps: any(m["title"].startswith("Try it: attention")
                                           for m in maps) and
          [m["traces"] for m in maps if m["title"].startswith("States and gates")] == [5])
    page.get_by_role("button", name=re.compile("Play")).click()
    page.wait_for_function(
        "() => parseInt((document.querySelector('[data-testid=stMetricValue]')?.innerText "
        "|| '0').replace(/,/g, '')) > 5", timeout=240_000)
    page.get_by_role("button", name=re.compile("Pause")).click()
    wait_idle(page, 240_000)
    assert page.locator("[data-testid=stException]").count() == 0
