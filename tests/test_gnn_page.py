"""The graph-network page through AppTest, started from app.py as a user would reach it."""
import pytest
from conftest import open_page

from ui import deferred

PAGE = "pages/gnn.py"


def _step(at) -> int:
    return int(at.metric[0].value.replace(",", ""))


def _trainer(at):
    return at.session_state["_live_gnn"].trainer


def test_page_renders_graph_charts_and_the_seven_sections():
    at = open_page(PAGE, graph="karate")
    assert at.title[0].value.endswith("Graph neural networks")
    assert _step(at) == 0
    assert len(at.get("plotly_chart")) >= 2          # the graph, the embedding
    tabs = [t.label for t in at.tabs]
    for section in ("Overview", "Theory", "Implementation", "Strengths and weaknesses",
                    "Use cases", "Related architectures", "Ethical considerations"):
        assert section in tabs
    assert not at.error and not at.exception


def test_first_frame_draws_the_graph_and_the_rest_once_the_browser_has_drawn_it():
    at = open_page(PAGE, wait_for_browser=True)        # Cora, as a first visit opens it
    assert [c.key for c in at.get("plotly_chart")] == ["gnn_graph"]
    assert not [t for t in at.toggle if t.key == "gnn_tsne"]
    at.session_state[deferred.flag("_gnn_below")] = True   # what the browser's trigger sets
    at.run()
    assert [c.key for c in at.get("plotly_chart")] == ["gnn_graph", "gnn_embedding"]
    assert [t.key for t in at.toggle if t.key == "gnn_tsne"] == ["gnn_tsne"]


def test_play_trains_epochs_and_records_accuracy():
    at = open_page(PAGE, graph="karate")
    at.button(key="_play_gnn").click().run()
    seen = [_step(at)]
    for _ in range(2):
        at.run()
        seen.append(_step(at))
    assert all(b > a for a, b in zip(seen, seen[1:])), seen
    t = _trainer(at)
    assert len(t.history.series("test_acc")[0]) == t.step
    assert not at.exception


def test_url_builds_gat_on_the_block_model():
    at = open_page(PAGE, graph="sbm", model="gat", homophily="0.2", heads="2", seed="3")
    t = _trainer(at)
    assert (t.config.model, t.config.heads, t.config.homophily, t.seed) == ("gat", 2, 0.2, 3)
    assert t.graph.n_nodes == 300
    assert not at.exception


def test_impossible_setting_shows_the_fix():
    at = open_page(PAGE, model="gat", heads="8", hidden="128")
    text = " ".join(e.value for e in at.error)
    assert "pick hidden 64" in text
    assert "_live_gnn" not in at.session_state or _trainer(at) is None or \
        _trainer(at).config.hidden != 128


def test_upload_without_a_file_asks_for_one():
    at = open_page(PAGE, graph="upload")
    text = " ".join(e.value for e in at.error)
    assert "Upload an edge list" in text
    assert not at.exception


@pytest.mark.slow
def test_cora_page_renders_and_steps():
    at = open_page(PAGE)
    at.button(key="_step_gnn").click().run()
    assert _step(at) == 1 and not at.exception


@pytest.mark.slow
def test_depth_sweep_button_draws_accuracy_against_depth():
    at = open_page(PAGE, graph="karate")
    at.button(key="gnn_sweep_btn").click().run()
    result = at.session_state["_gnn_sweep"][1]
    assert result["depth"].tolist() == list(range(1, 9))
    assert result["best_test_acc"][1] > 0.5                 # 2 layers learn the club
    assert not at.exception


def test_a_preset_says_what_it_set(app_test):
    """The preset box goes back to "Choose a preset…" at once, so the page says what loading
    it did, even when the preset is what the page already runs (Kipf & Welling's GCN)."""
    at = app_test("pages/gnn.py")
    at.selectbox(key="_preset_gnn").set_value("Kipf & Welling GCN").run()
    said = [i.value for i in at.info if "Loaded" in i.value]
    assert said and "were already the ones in use" in said[0] and "Dropout 0.5" in said[0], said
    at.selectbox(key="_preset_gnn").set_value("GAT paper").run()
    said = [i.value for i in at.info if "Loaded" in i.value]
    assert said and said[0].startswith("Loaded “GAT paper” and reset the run to step 0: "), said
    assert "Model gat, Hidden size 8, Dropout 0.6" in said[0], said
    assert at.session_state["model"] == "gat" and not at.exception
