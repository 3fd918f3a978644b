"""The transformer page through AppTest, started from app.py as a user would reach it."""
import pytest
from conftest import open_page

PAGE = "pages/transformer.py"


def _step(at) -> int:
    return int(at.metric[0].value.replace(",", ""))


def _trainer(at):
    return at.session_state["_live_transformer"].trainer


@pytest.mark.slow
def test_page_renders_figures_sections_and_plays():
    at = open_page(PAGE, arch="encdec")  # the default is decoder-only: one attention kind
    assert at.title[0].value.endswith("Transformers")
    assert _step(at) == 0
    labels = [b.label for b in at.button]
    for want in ("▶ Play", "Step", "Reset", "Set up"):
        assert want in labels
    assert len(at.get("plotly_chart")) == 1  # attention; the rest waits for a step or a click
    assert len(at.get("vega_lite_chart")) == 0  # no curves before the first step
    assert any("curves appear here once training starts" in c.value for c in at.caption)
    at.session_state["_tr_more"] = True  # open "Positions and token embeddings"
    at.run()
    assert len(at.get("plotly_chart")) == 4  # + PE, similarity, embeddings
    assert at.radio(key="_tr_kind").options == ["Encoder self-attention",
                                                "Decoder masked self-attention",
                                                "Cross-attention"]
    tabs = [t.label for t in at.tabs]
    for section in ("Overview", "Theory", "Implementation", "Strengths and weaknesses",
                    "Use cases", "Related architectures", "Ethical considerations"):
        assert section in tabs
    assert not at.error
    next(r for r in at.radio if r.label == "Architecture").set_value("decoder").run()
    assert _step(at) == 0 and not at.error  # a new model, one attention kind: no radio
    assert not [r for r in at.radio if r.key == "_tr_kind"]
    assert any("one causal self-attention" in c.value for c in at.caption)
    at.button(key="_play_transformer").click().run()
    seen = [_step(at)]
    for _ in range(2):
        at.run()  # one fragment tick each
        seen.append(_step(at))
    assert all(b > a for a, b in zip(seen, seen[1:])), seen
    assert len(at.get("vega_lite_chart")) == 2  # cross-entropy and accuracy
    assert len(at.get("plotly_chart")) == 2  # the decoded example and the attention
    assert len(_trainer(at).history.series("loss")[0]) == _trainer(at).step


@pytest.mark.slow
def test_typed_input_is_decoded_and_bad_input_explained():
    at = open_page(PAGE, task="sort", seq_len="6", vocab="3")
    assert at.text_input(key="_tr_try").placeholder == "e.g. 012012"
    at.text_input(key="_tr_try").set_value("2 1 0 2 1 0").run()
    assert not at.exception
    assert _trainer(at).example.tolist() == [2, 1, 0, 2, 1, 0]
    line = [m.value for m in at.markdown if m.value.startswith("**Input**")]
    assert line and line[0].startswith("**Input** `210210` → **output** `")
    out = line[0].split("**output** `")[1].split("`")[0]
    assert (":material/check_circle:" in line[0]) == (out == "001122")
    assert ":material/check_circle:" in line[0] or "expected `001122`" in line[0]
    at.text_input(key="_tr_try").set_value("21").run()
    assert any("Expect 6 symbols" in w.value for w in at.warning)


def test_bad_configuration_names_the_fix_and_builds_nothing():
    at = open_page(PAGE, d_model="30", n_heads="4")
    assert any("d_model 30 is not divisible by 4 heads: pick d_model 32" in e.value
               for e in at.error)     # 3 heads would leave 30, which is off the slider
    assert not [b for b in at.button if b.label == "▶ Play"]


def test_custom_text_too_short_is_refused_with_a_clear_message():
    at = open_page(PAGE, task="charlm", arch="decoder", text="custom")
    assert any("Paste or upload a text" in e.value for e in at.error)
    at.text_area(key="_tr_paste").set_value("To be, or not to be").run()
    assert any("too short: 19 characters" in e.value for e in at.error)
    assert not [b for b in at.button if b.label == "▶ Play"]
