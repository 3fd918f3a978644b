"""The autoencoder page through AppTest, started from app.py as a user would reach it."""
import pytest
from conftest import ROOT, open_page
from streamlit.testing.v1 import AppTest

from ui import deferred

PAGE = "pages/autoencoder.py"


def _open(**query) -> AppTest:
    return open_page(PAGE, **query)


def _step(at: AppTest) -> int:
    return int(at.metric[0].value.replace(",", ""))


def _trainer(at: AppTest):
    return at.session_state["_live_autoencoder"].trainer


def test_page_renders_controls_figures_and_the_seven_sections():
    at = _open()
    assert at.title[0].value.endswith("Autoencoders")
    assert _step(at) == 0
    labels = [b.label for b in at.button]
    for want in ("▶ Play", "Step", "Reset", "Pin run", "Set up"):
        assert want in labels
    assert len(at.get("plotly_chart")) >= 2  # latent space, examples
    tabs = [t.label for t in at.tabs]
    for section in ("Overview", "Theory", "Implementation", "Strengths and weaknesses",
                    "Use cases", "Related architectures", "Ethical considerations"):
        assert section in tabs
    assert not at.error


def test_play_advances_the_step_counter_on_every_tick_and_pause_stops_it():
    at = _open()
    at.button(key="_play_autoencoder").click().run()
    seen = [_step(at)]
    for _ in range(3):
        at.run()  # one fragment tick
        seen.append(_step(at))
    assert all(b > a for a, b in zip(seen, seen[1:])), seen
    hist = _trainer(at).history
    assert len(hist.series("loss")[0]) == _trainer(at).step
    at.button(key="_play_autoencoder").click().run()
    paused = _step(at)
    at.run()
    assert _step(at) == paused


def test_single_step_trains_exactly_one_step():
    at = _open()
    at.button(key="_step_autoencoder").click().run()
    assert _step(at) == 1
    at.button(key="_step_autoencoder").click().run()
    assert _step(at) == 2


def test_url_rebuilds_that_configuration_and_seed():
    at = _open(lr="0.01", seed="3", variant="ae", latent_dim="4")
    t = _trainer(at)
    assert (t.config.lr, t.config.variant, t.config.latent_dim, t.seed) == (0.01, "ae", 4, 3)
    assert at.number_input(key="lr").value == 0.01
    assert at.text_input(key="seed").value == "3"
    assert not at.warning


def test_bad_url_values_show_a_note_and_no_exception():
    at = _open(lr="banana", latent_dim="99", variant="gan")
    notes = " ".join(w.value for w in at.warning)
    assert "Expect a number for Learning rate" in notes
    assert "Latent size 99 is out of range" in notes
    assert "Variant 'gan' is not one of" in notes
    t = _trainer(at)
    assert t.config.latent_dim == 16 and t.config.variant == "vae"


def test_impossible_setting_shows_the_fix_and_builds_nothing():
    at = _open()
    at.text_input(key="hidden").set_value("12,,x").run()
    assert not at.exception
    assert any("whole numbers" in e.value for e in at.error)
    assert not [b for b in at.button if b.label == "▶ Play"]


@pytest.mark.slow
def test_diverging_run_pauses_with_an_explanation_and_stays_inspectable():
    at = _open(lr="1", variant="ae", activation="relu")
    at.button(key="_play_autoencoder").click().run()
    for _ in range(12):
        if _trainer(at).diverged is not None:
            break
        at.run()
    t = _trainer(at)
    assert t.diverged is not None
    at.run()
    assert any("diverged" in e.value and "learning rate" in e.value for e in at.error)
    assert at.metric[3].value == "diverged"
    assert len(at.get("plotly_chart")) >= 2  # the figures still show the last good moment


def test_experiment_button_loads_its_settings():
    at = _open()
    at.button(key="_exp_autoencoder_0").click().run()
    assert not at.exception
    t = _trainer(at)
    from core.autoencoder.config import EXPERIMENTS
    for k, v in EXPERIMENTS[0].overrides.items():
        assert getattr(t.config, k) == v
    assert t.step == 0


def test_pinned_runs_appear_on_the_compare_page():
    at = _open()
    at.button(key="_step_autoencoder").click().run()
    at.button(key="_pin_autoencoder").click().run()
    at.slider(key="latent_dim").set_value(3).run()
    at.button(key="_step_autoencoder").click().run()
    at.button(key="_pin_autoencoder").click().run()
    at.switch_page("pages/compare.py").run()
    assert not at.exception
    assert len(at.get("vega_lite_chart")) >= 1
    diff = at.dataframe[0].value
    assert "latent_dim" in diff["setting"].tolist()


def test_preset_box_loads_a_named_configuration():
    at = _open()
    at.selectbox(key="_preset_autoencoder").select("tiny").run()
    assert not at.exception
    t = _trainer(at)
    assert (t.config.variant, t.config.hidden) == ("ae", "32")
    assert at.selectbox(key="_preset_autoencoder").value is None


def test_theory_waits_for_the_browser_then_sends_only_the_open_section():
    at = open_page(PAGE, wait_for_browser=True)
    # a session's first frame: the tabs, and the open one waits for the browser (ui.deferred)
    assert [t.label for t in at.tabs][:2] == ["Overview", "Theory"]
    assert not at.get("graphviz_chart")
    assert any(c.value == "Loading this section..." for c in at.caption)
    at.session_state[deferred.flag("_theory_after_autoencoder")] = True  # what its trigger sets
    at.run()
    assert len(at.get("graphviz_chart")) == 1                 # the overview's diagram
    assert not any(c.value == "Loading this section..." for c in at.caption)
    assert not [e for e in at.expander if e.label.startswith("Source:")]
    at.session_state["_theory_autoencoder"] = "Implementation"  # what a click on the tab sets
    at.run()
    assert not at.get("graphviz_chart") and not at.exception
    assert any(e.label == "Source: `core.autoencoder.model.Autoencoder`" for e in at.expander)


def test_sweep_save_and_lesson_panels_send_their_contents_only_once_opened():
    at = open_page(PAGE)
    shut = {"_sw_params_autoencoder", "_lesson_lock_autoencoder"}
    assert not shut & {m.key for m in at.multiselect}
    assert not at.get("file_uploader") and not at.get("download_button")
    assert {"Save, load and share this run", "Make a lesson link"} <= {e.label for e in
                                                                       at.expander}
    for key in ("_sweep_open_autoencoder", "_save_open_autoencoder",
                "_lesson_open_autoencoder"):
        at.session_state[key] = True                            # what a click on it sets
    at.run()
    assert shut <= {m.key for m in at.multiselect} and not at.exception
    assert len(at.get("file_uploader")) == 1 and len(at.get("download_button")) == 3
    for key in ("_sweep_open_autoencoder", "_lesson_open_autoencoder"):
        at.session_state[key] = False                           # shut again: nothing inside
    at.run()
    assert not shut & {m.key for m in at.multiselect} and not at.exception


def test_a_sweep_link_opens_the_sweep_panel():
    at = open_page(PAGE, sweep="no-such-sweep")
    assert any("does not exist on this page" in w.value for w in at.warning)


def test_a_pages_first_run_does_not_load_sqlalchemy():
    import subprocess
    import sys
    code = ("import sys\nfrom streamlit.testing.v1 import AppTest\n"
            "at = AppTest.from_file('app.py', default_timeout=120)\n"
            f"at.switch_page({PAGE!r})\nat.run()\nassert not at.exception, at.exception\n"
            "print(sorted(m for m in ('sqlalchemy', 'optuna', 'core.runs.store',"
            " 'core.runs.sweep') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=300, cwd=str(ROOT))
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_first_frame_draws_two_plots_and_the_explorer_waits_for_training():
    at = _open()
    keys = [p.proto.id.rsplit("-", 1)[-1] for p in at.get("plotly_chart")]
    assert keys == ["latent", "examples"]                     # a light first frame
    assert not [s for s in at.slider if s.key in ("zx", "zy")]
    assert any("Train a little" in c.value for c in at.caption)
    at.button(key="_step_autoencoder").click().run()
    keys = [p.proto.id.rsplit("-", 1)[-1] for p in at.get("plotly_chart")]
    assert keys == ["latent", "examples", "decoded", "manifold", "interp"]
    assert [s.label for s in at.slider if s.key in ("zx", "zy")] == ["Plane x", "Plane y"]
    assert len(at.get("vega_lite_chart")) == 2   # recon, KL (test error from the first eval)
