"""What a browser shows of values from a link, a box or a file (issue 29 items 5 and 9): the
slider's displayed value, the address bar, a typed value the browser would have changed on
its own, an upload the browser would have refused on its own."""
import re
from urllib.parse import parse_qs, urlparse

import pytest
from conftest import until, wait_idle
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

# every log-scale field: its slider's displayed value and its exact box, by label
PAIRS = """() => {
  const out = {};
  for (const s of document.querySelectorAll('[data-testid=stSidebar] [data-testid=stSlider]')) {
    const label = s.querySelector('[data-testid=stWidgetLabel]')?.innerText.trim();
    const box = document.querySelector(`input[aria-label="${label}, exact value"]`);
    const shown = s.querySelector('[data-testid=stSliderThumbValue]')?.innerText.trim();
    if (box && shown !== undefined) out[label] = [shown, box.value];
  }
  return Object.keys(out).length ? out : null;
}"""


def _query(page) -> dict[str, list[str]]:
    return parse_qs(urlparse(page.url).query)


@pytest.mark.parametrize("path, labels", [
    ("autoencoder", {"Learning rate": "0.004"}),
    ("autoencoder?lr=0.002", {"Learning rate": "0.002"}),
    ("gan", {"Generator learning rate": "0.003", "Discriminator learning rate": "0.003"}),
    ("gan?lr=0.002", {"Generator learning rate": "0.002",
                      "Discriminator learning rate": "0.003"}),
])
def test_the_learning_rate_slider_shows_the_value_in_the_box(page, app_url, path, labels):
    page.goto(f"{app_url}/{path}")
    wait_idle(page)
    until(page, PAIRS, lambda r: {k: v for k, v in r.items() if k in labels}
          == {k: [v, v] for k, v in labels.items()})


def _note(page, text: str):
    return page.locator("[data-testid=stAlert]").filter(has_text=text)


def test_a_repeated_parameter_leaves_one_value_in_the_address_bar(page, app_url):
    page.goto(f"{app_url}/autoencoder?lr=0.1&lr=0.2")
    wait_idle(page)
    expect(_note(page, "using the last, 0.2")).to_have_count(1, timeout=60_000)
    page.wait_for_function("() => new URLSearchParams(location.search).getAll('lr')"
                           ".join() === '0.2'")
    expect(page.get_by_role("spinbutton", name="Learning rate, exact value")).to_have_value(
        "0.2")


def test_a_refused_long_text_is_not_written_to_the_address_bar(page, app_url):
    page.goto(f"{app_url}/autoencoder")
    wait_idle(page)
    box = page.get_by_role("textbox", name="Hidden sizes")
    box.fill("128,64")
    box.press("Enter")
    page.wait_for_function("() => new URLSearchParams(location.search).get('hidden')"
                           " === '128,64'")
    box.fill("1" * 5000)
    box.press("Enter")
    expect(_note(page, "5,000 characters")).to_contain_text("kept 128,64", timeout=60_000)
    expect(box).to_have_value("128,64")
    page.wait_for_function("() => new URLSearchParams(location.search).get('hidden')"
                           " === '128,64'")
    assert _query(page)["hidden"] == ["128,64"]


@pytest.mark.parametrize("typed, note, used", [
    ("1.5", "Expect a whole number for Seed, actually '1.5'; kept 7.", "7"),
    ("1e999", "Expect a finite number for Seed, actually '1e999'; kept 7.", "7"),
])
def test_a_typed_seed_the_browser_would_round_gets_a_note(page, app_url, typed, note, used):
    page.goto(f"{app_url}/autoencoder?seed=7")
    wait_idle(page)
    box = page.get_by_role("textbox", name="Seed")
    box.fill(typed)
    box.press("Enter")
    expect(_note(page, note)).to_have_count(1, timeout=60_000)
    expect(box).to_have_value(used)
    page.wait_for_function(f"() => new URLSearchParams(location.search).get('seed') === "
                           f"'{used}'")


def test_a_csv_over_1_mb_replaces_the_previous_files_error(page, app_url, tmp_path):
    page.goto(f"{app_url}/gan?dataset=csv")
    wait_idle(page)
    upload = page.locator("[data-testid=stFileUploaderDropzoneInput]")
    bad = tmp_path / "bad.csv"
    bad.write_text("x,y\n1,2,3\n4,5,6\n")
    upload.set_input_files(str(bad))
    page.get_by_text("bad.csv: Row 2 has 3 columns").wait_for()
    big = tmp_path / "big.csv"
    big.write_text("x,y\n" + "".join(f"{i * 1e-3:.6f},{i * 2e-3:.6f}\n" for i in range(60_000)))
    assert big.stat().st_size > 1_000_000
    upload.set_input_files(str(big))
    expect(page.locator("[data-testid=stAlert]").filter(has_text="big.csv")).to_contain_text(
        re.compile(r"big\.csv: The file is 1\.2 MB; the limit is 1 MB"), timeout=60_000)
    expect(page.get_by_text("bad.csv: Row 2 has 3 columns")).to_have_count(0)
    expect(page.get_by_role("button", name="▶ Play")).to_have_count(0)
