"""The GAN page through AppTest, started from app.py as a user would reach it."""
import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from ui import deferred

PAGE = "pages/gan.py"
pytestmark = pytest.mark.slow


def _open(**query) -> AppTest:
    at = AppTest.from_file("../app.py", default_timeout=120)
    at.session_state[deferred.EVERYTHING] = True  # no browser to send the trigger
    for k, v in query.items():
        at.query_params[k] = v
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    return at


def _step(at: AppTest) -> int:
    return int(at.metric[0].value.replace(",", ""))


def _trainer(at: AppTest):
    return at.session_state["_live_gan"].trainer


def test_page_renders_view_controls_and_sections():
    at = _open()
    assert at.title[0].value.endswith("Generative adversarial networks")
    assert _step(at) == 0
    labels = [b.label for b in at.button]
    for want in ("▶ Play", "Step", "Reset", "D only", "G only", "D + G",
                 "Set up"):
        assert want in labels, want
    assert len(at.get("plotly_chart")) == 1      # step 0: the 2-D view alone
    assert "appear here once training starts" in " ".join(c.value for c in at.caption)
    tabs = [t.label for t in at.tabs]
    for section in ("Overview", "Theory", "Implementation", "Strengths and weaknesses",
                    "Use cases", "Related architectures", "Ethical considerations",
                    "References"):
        assert section in tabs
    assert not at.error


def test_discriminator_only_changes_d_and_not_g():
    at = _open()
    t = _trainer(at)
    g0 = [p.detach().clone() for p in t.G.parameters()]
    heat0 = t.timeline.latest()[1].heat.copy()
    at.button(key="_gan_step_d").click().run()
    assert _step(at) == 10
    assert len(at.get("plotly_chart")) == 2      # the 2-D view and the per-mode bars
    assert len(at.get("vega_lite_chart")) == 1   # the losses (D's only so far)
    assert all((a == b).all() for a, b in zip(g0, t.G.parameters()))
    assert np.abs(t.timeline.latest()[1].heat - heat0).max() > 1e-3
    at.button(key="_gan_step_g").click().run()
    assert _step(at) == 20
    assert not all((a == b).all() for a, b in zip(g0, t.G.parameters()))


def test_play_ticks_and_records_losses_and_coverage():
    at = _open(spread="0.1")
    at.button(key="_play_gan").click().run()
    seen = [_step(at)]
    for _ in range(2):
        at.run()
        seen.append(_step(at))
    assert all(b > a for a, b in zip(seen, seen[1:])), seen
    t = _trainer(at)
    assert len(t.history.series("d_loss")[0]) == t.step
    assert t.config.spread == 0.1


def test_url_config_and_digits_view():
    at = _open(dataset="digits", z_dim="8", loss="hinge")
    t = _trainer(at)
    assert (t.config.dataset, t.config.z_dim, t.config.loss) == ("digits", 8, "hinge")
    at.button(key="_gan_step_both").click().run()
    assert _step(at) == 10 and not at.exception


def test_csv_dataset_without_upload_explains_what_to_do():
    at = _open(dataset="csv")
    assert "upload a CSV file" in " ".join(e.value for e in at.error)
    assert "_live_gan" not in at.session_state or _trainer(at) is None


def test_experiment_button_sets_up_the_pathology():
    at = _open()
    at.button(key="_exp_gan_0").click().run()       # "Mode collapse"
    t = _trainer(at)
    assert (t.config.lr, t.config.lr_d, t.step) == (5e-3, 5e-4, 0)
    at.button(key="_exp_gan_2").click().run()       # "Vanishing gradients (saturating loss)"
    t = _trainer(at)
    assert (t.config.loss, t.config.optimizer, t.config.d_steps) == ("minimax", "sgd", 5)
