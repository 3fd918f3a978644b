"""The transformer page in a real browser: type an input, see the attention heatmaps."""
import re

import pytest
from conftest import wait_idle

pytestmark = pytest.mark.browser

AXIS_TICKS = """() => [...document.querySelectorAll('.js-plotly-plot')]
    .filter(p => (p.data || []).some(d => d.type === 'heatmap'))
    .map(p => ({title: ((p.layout?.title || {}).text || '').replace(/<[^>]+>/g, ''),
                x: (p.layout?.xaxis || {}).ticktext || [],
                y: (p.layout?.yaxis || {}).ticktext || []}))"""


def test_typed_input_shows_its_tokens_on_every_attention_heatmap(page, app_url):
    page.goto(f"{app_url}/transformer?arch=encdec")  # all three attention kinds
    wait_idle(page, 240_000)
    box = page.locator("input[aria-label='Try it: type an input']")
    box.fill("98765432")
    box.press("Enter")
    page.wait_for_function(
        "() => [...document.querySelectorAll('.js-plotly-plot')].some(p => "
        "((p.layout?.xaxis || {}).ticktext || []).join('') === '98765432')", timeout=240_000)
    wait_idle(page, 240_000)
    maps = page.evaluate(AXIS_TICKS)
    titles = [m["title"] for m in maps]
    assert any(t.startswith("Encoder self-attention") for t in titles), titles
    enc = next(m for m in maps if m["title"].startswith("Encoder self-attention"))
    assert enc["x"] == list("98765432") * 4  # one tile per head, tokens on both axes
    assert enc["y"] == list("98765432") * 2  # one tile row per layer
    tryit = next(m for m in maps if m["title"].startswith("Decoded token by token"))
    assert tryit["x"] == list("98765432") and len(tryit["y"]) == 8
    # switch to cross-attention: queries are the decoder's inputs, keys the typed tokens
    page.get_by_text("Cross-attention", exact=True).click()
    page.wait_for_function(
        "() => [...document.querySelectorAll('.js-plotly-plot')].some(p => "
        "((p.layout?.title || {}).text || '').includes('Cross-attention'))", timeout=240_000)
    # play: the step counter rises while the heatmaps redraw
    page.get_by_role("button", name=re.compile("Play")).click()
    page.wait_for_function(
        "() => parseInt(document.querySelector('[data-testid=stMetricValue]')?"
        ".innerText.replace(/,/g, '')) > 5", timeout=240_000)
    page.get_by_role("button", name=re.compile("Pause")).click()
    wait_idle(page, 240_000)
    assert page.locator("[data-testid=stException]").count() == 0
