"""The RL page through AppTest (from app.py) and, once, in a real browser."""
from __future__ import annotations

import pytest
from conftest import open_page

PAGE = "pages/rl.py"


def _step(at) -> int:
    return int(at.metric[0].value.split()[0].replace(",", ""))


def _trainer(at):
    return at.session_state["_live_rl"].trainer


def test_page_renders_figures_controls_and_sections():
    at = open_page(PAGE)
    assert at.title[0].value.endswith("Reinforcement learning")
    assert _step(at) == 0
    labels = [b.label for b in at.button]
    for want in ("▶ Play", "Step", "Reset", "Evaluate", "Set up"):
        assert want in labels
    # before the first step: no plotly (value map and frame player come with training), the
    # rollout is one image
    assert len(at.get("plotly_chart")) == 0 and len(at.get("image")) == 1
    at.button(key="_step_rl").click().run()
    assert len(at.get("plotly_chart")) == 2           # value map, frames player
    assert len(at.get("vega_lite_chart")) == 2   # return, training metrics
    tabs = [t.label for t in at.tabs]
    for section in ("Overview", "Theory", "Implementation", "Strengths and weaknesses",
                    "Use cases", "Related architectures", "Ethical considerations"):
        assert section in tabs
    assert not at.error


@pytest.mark.slow
def test_play_trains_and_records_episodes_then_evaluate():
    at = open_page(PAGE)
    at.button(key="_play_rl").click().run()
    for _ in range(3):
        at.run()
    t = _trainer(at)
    assert t.step >= 3 and t.agent.env_steps == 256 * t.step
    assert len(t.episode_returns) > 0                  # episodes finished and were recorded
    assert len(at.get("image")) >= 1                    # the policy's frame while playing
    at.button(key="_play_rl").click().run()
    at.button(key="_eval_rl").click().run()
    assert any("Greedy evaluation" in s.value for s in at.success)


def test_url_builds_dqn_with_its_fields():
    at = open_page(PAGE, algo="dqn", double="true", target_update="0", seed="2")
    t = _trainer(at)
    assert (t.config.algo, t.config.double, t.config.target_update, t.seed) == ("dqn", True, 0, 2)
    at.button(key="_step_rl").click().run()
    assert _step(at) == 1 and t.agent.env_steps == t.config.train_freq


def test_impossible_combination_shows_the_fix():
    at = open_page(PAGE, algo="ddpg")
    assert any("Pendulum-v1" in e.value for e in at.error)
    assert not [b for b in at.button if b.label == "▶ Play"]


def test_grid_world_preset_draws_the_grid():
    at = open_page(PAGE)
    at.selectbox(key="_preset_rl").set_value("DQN · FrozenLake grid").run()
    assert _trainer(at).config.env == "FrozenLake-v1"
    at.button(key="_step_rl").click().run()
    assert not at.exception
    specs = [f.proto.spec for f in at.get("plotly_chart")]
    assert any("State values and greedy actions on the grid" in s for s in specs)


def test_experiment_sets_up_ppo_with_tiny_clip():
    at = open_page(PAGE)
    at.button(key="_exp_rl_1").click().run()
    t = _trainer(at)
    assert t.config.clip == 0.02 and t.step == 0


def test_each_counter_names_its_unit_and_each_figure_its_policy():
    """The Step counter counts updates while the return chart's axis counts env steps, and the
    greedy frame is not the exploring policy the return curve shows (issue 15, item 9)."""
    at = open_page(PAGE, algo="ppo")
    at.button(key="_step_rl").click().run()
    assert at.metric[0].value.endswith("updates")
    ret = next(c for c in at.get("vega_lite_chart") if "Training episodes" in c.proto.spec)
    assert "environment steps" in ret.proto.spec and "exploring policy" in ret.proto.spec


def test_a_paused_page_finishes_an_update_left_half_done():
    """An update cut at a tick's deadline (PPO in parts) is finished by the next run of a
    paused page, so Pause never leaves a half-done update: the page shows the whole update
    and the timeline holds its moment."""
    at = open_page(PAGE)
    t = _trainer(at)
    assert t.in_parts and t.step == 0
    t.run_for(1e-6, cut=True)               # one part, then the deadline
    assert t.pending and t.step == 0
    at.run()                                # paused: the ticker ends the update
    assert not t.pending and t.step == 1
    assert _step(at) == 1 and t.timeline.steps()[-1] == 1
    assert not at.exception and not at.error


def test_step_after_a_pause_that_finished_an_update_trains_one_more():
    """The Step button carries the step it was drawn at (a click delivered twice trains once).
    A Pause that finishes an update left half done must draw Step after finishing it: drawn
    before, it carried the old step, and the first Step click after Pause did nothing."""
    at = open_page(PAGE)
    t = _trainer(at)
    t.run_for(1e-6, cut=True)               # a tick cut inside its first update
    assert t.pending and t.step == 0
    at.run()                                # paused: the update is finished (step 1)
    at.button(key="_step_rl").click().run()
    assert t.step == 2 and _step(at) == 2
