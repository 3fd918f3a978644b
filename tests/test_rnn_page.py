"""The RNN page through AppTest, started from app.py as a user would reach it."""
import pytest
from conftest import open_page

PAGE = "pages/rnn.py"


def _step(at) -> int:
    return int(at.metric[0].value.replace(",", ""))


def _trainer(at):
    return at.session_state["_live_rnn"].trainer


@pytest.mark.slow
def test_page_renders_states_gradients_sections_and_plays():
    at = open_page(PAGE, hidden="16")
    assert at.title[0].value.endswith("Recurrent networks")
    assert _step(at) == 0 and not at.error
    labels = [b.label for b in at.button]
    for want in ("▶ Play", "Step", "Reset"):
        assert want in labels
    assert len(at.get("plotly_chart")) >= 1  # states and gates of the example
    assert any("predicted sum" in m.value for m in at.markdown)
    tabs = [t.label for t in at.tabs]
    for section in ("Overview", "Theory", "Implementation", "Strengths and weaknesses",
                    "Use cases", "Related architectures", "Ethical considerations"):
        assert section in tabs
    at.button(key="_play_rnn").click().run()
    seen = [_step(at)]
    for _ in range(2):
        at.run()  # one fragment tick each
        seen.append(_step(at))
    assert all(b > a for a, b in zip(seen, seen[1:])), seen
    assert len(_trainer(at).history.series("loss")[0]) == _trainer(at).step


@pytest.mark.slow
def test_typed_date_is_decoded_and_bad_input_explained():
    at = open_page(PAGE, task="dates", hidden="16")
    assert len(at.get("plotly_chart")) >= 2  # alignment and states
    at.text_input(key="_rnn_try").set_value("mar 3 98").run()
    assert not at.exception
    line = [m.value for m in at.markdown if m.value.startswith("**Try it**")]
    assert line and line[0].startswith("**Try it** `mar 3 98` → `")
    assert len(line[0].split("→ `")[1].rstrip("`")) == 10  # ten ISO characters, trained or not
    at.text_input(key="_rnn_try").set_value("3 March 1998!").run()
    assert any("letters, digits" in w.value for w in at.warning)


def test_bad_configuration_names_the_fix_and_builds_nothing():
    at = open_page(PAGE, task="charlm", bidirectional="true")
    assert any("turn off the bidirectional encoder" in e.value for e in at.error)
    assert not [b for b in at.button if b.label == "▶ Play"]


def test_custom_text_too_short_is_refused_with_a_clear_message():
    at = open_page(PAGE, task="charlm", text="custom")
    assert any("Paste or upload a text" in e.value for e in at.error)
    at.text_area(key="_rnn_paste").set_value("To be, or not to be").run()
    assert any("too short: 19 characters" in e.value for e in at.error)
