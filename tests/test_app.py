"""The app shell through AppTest: navigation, home cards, compare page, shared sidebar."""
from conftest import open_page

from ui.registry import FAMILIES


def _app():
    return open_page()


def test_home_renders_a_card_per_architecture():
    at = _app()
    assert not at.exception
    assert at.title[0].value == ":material/science: ArchLab"
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
    assert "No runs kept yet" in at.info[0].value


def test_bad_seed_in_url_is_clamped_with_a_note():
    at = open_page("pages/autoencoder.py", seed="-5")
    assert at.text_input(key="seed").value == "0"
    assert any("Seed -5 is out of range" in w.value for w in at.warning)


def test_a_pinned_run_is_kept_private_and_opens_from_its_link():
    at = open_page("pages/autoencoder.py", latent_dim="2")
    at.button(key="_step_autoencoder").click().run()
    at.button(key="_pin_autoencoder").click().run()
    [rec] = at.session_state["_pinned"]
    assert rec["id"] and len(rec["id"]) == 32
    at.switch_page("pages/compare.py").run()
    assert not at.exception and any("autoencoder #1" in o for o in at.multiselect[0].options)
    # another browser: not in its list, but the link opens it read-only
    other = open_page("pages/compare.py")
    assert "No runs kept yet" in other.info[0].value
    shared = open_page("pages/compare.py", run=rec["id"])
    assert any(o.startswith("shared: autoencoder #1") for o in shared.multiselect[0].options)
    assert not [b for b in shared.button if "Delete" in b.label]   # read-only
    gone = open_page("pages/compare.py", run="0" * 32)
    assert any("does not exist" in w.value for w in gone.warning)
