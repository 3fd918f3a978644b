"""The transformer page in a real browser: type an input, see the attention heatmaps."""
import re

import pytest
from conftest import until, wait_idle

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

    def shown(maps) -> bool:
        enc = [m for m in maps if m["title"].startswith("Encoder self-attention")]
        tryit = [m for m in maps if m["title"].startswith("Decoded token by token")]
        return (len(enc) == 1 and enc[0]["x"] == list("98765432") * 4   # a tile per head
                and enc[0]["y"] == list("98765432") * 2                  # a tile row per layer
                and len(tryit) == 1 and tryit[0]["x"] == list("98765432")
                and len(tryit[0]["y"]) == 8)
    until(page, AXIS_TICKS, shown)
    # switch to cross-attention: queries are the decoder's inputs, keys the typed tokens
    page.get_by_text("Cross-attention", exact=True).click()
    page.wait_for_function(
        "() => [...document.querySelectorAll('.js-plotly-plot')].some(p => "
        "((p.layout?.title || {}).text || '').includes('Cross-attention'))", timeout=240_000)
    # play: the step counter rises while the heatmaps redraw
    page.get_by_role("button", name=re.compile("Play")).click()
    page.wait_for_function(
        "() => parseInt((document.querySelector('[data-testid=stMetricValue]')?.innerText"
        " || '0').replace(/,/g, '')) > 5", timeout=240_000)  # absent while redrawn: retry
    page.get_by_role("button", name=re.compile("Pause")).click()
    wait_idle(page, 240_000)
    assert page.locator("[data-testid=stException]").count() == 0


DIAGRAM_LABELS = """() => {
    const svg = document.querySelector('[data-testid=stGraphVizChart] svg');
    if (!svg) return null;
    const h = [...svg.querySelectorAll('text')].map(t => t.getBoundingClientRect().height)
        .filter(x => x > 0).sort((a, b) => a - b);
    return h.length ? {n: h.length, min: h[0], svg: svg.getBoundingClientRect().width} : null;
}"""


def test_encoder_decoder_diagram_labels_are_readable_at_the_page_width(page, app_url):
    """Issue 29: the diagram is stretched to the page's width, and its labels were ~8 px tall
    (a long row of boxes); each layer is now a column, and every label is >= 11 px."""
    page.set_viewport_size({"width": 1400, "height": 900})
    page.goto(f"{app_url}/transformer?arch=encdec")
    wait_idle(page, 240_000)
    page.get_by_role("tab", name="Overview").click()
    page.wait_for_selector("[data-testid=stGraphVizChart] svg", timeout=240_000)
    # read until the diagram is drawn at the page's width (it is stretched after it renders)
    got = until(page, DIAGRAM_LABELS, lambda v: v["n"] > 20 and v["svg"] > 600 and v["min"] >= 11,
                timeout_s=120)
    assert got["min"] >= 11, got
