"""The graph-network page in a real browser: click a node of the karate club and see its
receptive field light up in the graph."""

import pytest
from conftest import until, wait_idle

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# the graph figure: the plotly plot whose title starts with the graph's name
TITLE = """() => {
  const p = [...document.querySelectorAll('.js-plotly-plot')]
      .find(p => ((p.layout || {}).title || {}).text?.includes('Karate club') ||
                 ((p.layout || {}).title || {}).text?.includes('receptive field'));
  return p ? p.layout.title.text : null;
}"""


def test_clicking_a_node_shows_its_receptive_field(page, app_url):
    page.goto(f"{app_url}/gnn?graph=karate")
    wait_idle(page, timeout_ms=120_000)
    until(page, TITLE, lambda t: "predicted class" in t)
    # the nodes are the first trace of the graph's scatter layer (links are a shape)
    plot = page.locator(".js-plotly-plot").filter(has_text="Karate club").first
    point = plot.locator(".scatterlayer .trace").nth(0).locator("path.point").first
    point.click(force=True)
    until(page, TITLE, lambda t: "receptive field" in t and "of 34 nodes" in t)
    assert page.locator("[data-testid=stException]").count() == 0
