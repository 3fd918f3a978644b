"""The app shell through AppTest: navigation, home cards, compare page, shared sidebar."""
from conftest import open_page

from ui.registry import FAMILIES


def _app():
    return open_page()


def test_home_renders_a_card_per_architecture():
    at = _app()
    assert not at.exception
    assert at.title[0].value == "🧪 ArchLab"
    titles = [h.value for h in at.subheader]
    for fam in FAMILIES:
        assert f"{fam.icon} {fam.title}" in titles
    available = [f for f in FAMILIES if f.available]
    assert len(at.main.get("page_link")) == len(available) >= 1
    sidebar_links = [link.label for link in at.sidebar.get("page_link")]
    assert "Compare runs" in sidebar_links


def test_compare_page_without_pins_explains_what_to_do():
    at = _app()
    at.switch_page("pages/compare.py").run()
    assert not at.exception
    assert "No runs pinned yet" in at.info[0].value


def test_bad_seed_in_url_is_clamped_with_a_note():
    at = open_page("pages/autoencoder.py", seed="-5")
    assert at.number_input(key="seed").value == 0
    assert any("Seed -5 is out of range" in w.value for w in at.warning)
