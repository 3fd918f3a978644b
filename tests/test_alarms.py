"""Issue 29, item 4: a diverged or stalled run is caught on every page, paused and explained.

Each family declares its alarms (core/alarms.py); the base checks them. For each family: the
bad setting of the issue is caught within a stated number of steps with a message naming the
setting, and the defaults over the same number of steps raise nothing on 3 seeds.
"""
from __future__ import annotations

import pytest

from core.alarms import Alarm
from core.config import apply_overrides, from_query, specs

SEEDS = (0, 1, 2)


def _family(name):
    if name == "autoencoder":
        from core.autoencoder.config import AEConfig
        from core.autoencoder.trainer import AETrainer
        return AETrainer, AEConfig
    if name == "rnn":
        from core.rnn.config import RNNConfig
        from core.rnn.trainer import RNNTrainer
        return RNNTrainer, RNNConfig
    if name == "gan":
        from core.gan.config import GANConfig
        from core.gan.trainer import GANTrainer
        return GANTrainer, GANConfig
    if name == "gnn":
        from core.gnn.config import GNNConfig
        from core.gnn.trainer import GNNTrainer
        return GNNTrainer, GNNConfig
    if name == "transformer":
        from core.transformer.config import TransformerConfig
        from core.transformer.trainer import TransformerTrainer
        return TransformerTrainer, TransformerConfig
    from core.rl.config import RLConfig
    from core.rl.trainer import RLTrainer
    return RLTrainer, RLConfig


def _run(name, overrides, seed, steps):
    trainer_cls, config_cls = _family(name)
    t = trainer_cls(apply_overrides(config_cls(), overrides), seed)
    t.run_steps(steps)
    return t


# family, the issue's bad setting, steps within which it is caught, what the message names,
# and whether the page should say "stalled" rather than "diverged"
CASES = [
    ("autoencoder", {"lr": 3.0}, 100, "learning rate 3", False),
    ("rnn", {"lr": 3.0}, 50, "learning rate 3", False),                    # caught at 22
    ("gan", {"lr": 1.0, "lr_d": 1.0}, 50, "(G 1, D 1)", False),            # caught at 22
    ("gnn", {"lr": 1.0}, 80, "learning rate 1", True),                      # caught at 51
    ("transformer", {"lr": 0.1, "warmup": 0, "grad_clip": 0.0}, 300,        # caught at 300
     "learning rate 0.1", True),
]


@pytest.mark.parametrize("name, bad, steps, names, stalled", CASES,
                         ids=[c[0] for c in CASES])
def test_the_issues_bad_setting_is_caught_and_explained(name, bad, steps, names, stalled):
    t = _run(name, bad, 0, steps)
    assert t.diverged is not None, f"{name} {bad}: not caught in {steps} steps"
    assert t.diverged.step <= steps
    msg = t.diverged.message()
    assert names in msg, msg
    assert t.diverged.stalled is stalled and t.diverged.state in msg
    assert "press reset" in msg                         # what to do, not only what happened
    done = t.step
    assert t.run_steps(5).steps == 0 and t.step == done  # a caught run trains no further


@pytest.mark.parametrize("name, steps", [
    pytest.param(c[0], c[2], marks=[pytest.mark.slow] if c[0] == "transformer" else [])
    for c in CASES], ids=[c[0] for c in CASES])
def test_defaults_over_the_same_steps_raise_no_alarm_on_three_seeds(name, steps):
    for seed in SEEDS:
        t = _run(name, {}, seed, steps)
        assert t.diverged is None, (name, seed, t.diverged.message())
        assert t.step == steps


def test_gan_samples_collapsed_onto_one_point_are_caught():
    """Adam at 0.1 for both players keeps the losses small but puts every sample on one
    point (spread exactly 0, dead units): the spread alarm stops it at its third check."""
    t = _run("gan", {"lr": 0.1, "lr_d": 0.1}, 0, 200)
    assert t.diverged is not None and t.diverged.metric == "spread"
    assert t.diverged.step == 150 and t.diverged.value < 0.005
    assert "collapsed onto one point" in t.diverged.message()


@pytest.mark.slow
def test_mode_collapse_and_vanishing_gradient_lessons_are_not_alarms():
    """The presets that show a failure on purpose run on (spread 0.04-0.3 of the data's)."""
    from core.gan.config import EXPERIMENTS
    for p in EXPERIMENTS:
        if p.name.startswith(("Mode collapse", "Vanishing")):
            t = _run("gan", p.overrides, p.seed or 0, 600)
            assert t.diverged is None, (p.name, t.diverged.message())


def test_a_stall_at_the_default_rate_is_a_lesson_not_an_alarm():
    """Depth 8 over-smooths at the default rate: the stall alarm only blames a rate far
    above its default."""
    t = _run("gnn", {"depth": 8, "residual": False}, 0, 80)
    assert t.diverged is None


def test_an_alarm_needs_its_condition_at_every_check_for_hold_steps():
    from tests.toy import ToyConfig, ToyTrainer

    class Spiky(ToyTrainer):
        alarms = (Alarm("loss", above=lambda t: 5.0, hold=3, says="{label} above {limit:g}"),)
        losses = [9, 9, 1, 9, 9, 9, 9, 9]

        def train_step(self):
            return {"loss": float(self.losses[min(self.step, 7)])}

    t = Spiky(ToyConfig(), seed=0)
    t.run_steps(10)
    # the streak from step 1 is broken at step 3; the one from step 4 holds 3 steps at step 7
    assert t.diverged is not None and t.diverged.step == 7 and not t.diverged.stalled
    assert "above 5" in t.diverged.message()


def test_an_alarm_declares_one_direction():
    with pytest.raises(ValueError, match="exactly one"):
        Alarm("loss")


FAMILIES = ["autoencoder", "rnn", "gan", "gnn", "transformer", "rl"]


@pytest.mark.parametrize("name", FAMILIES)
def test_a_link_learning_rate_above_the_maximum_is_repaired_to_the_default(name):
    """lr=1e9 used to become the field's maximum, which itself diverges; now the default,
    and the note says so."""
    _, config_cls = _family(name)
    for s in specs(config_cls):
        if s.name not in ("lr", "lr_d"):
            continue
        cfg, notes = from_query(config_cls, {s.name: "1e9"})
        assert getattr(cfg, s.name) == s.default
        assert len(notes) == 1 and f"using the default {s.default:g}" in notes[0]
        assert "maximum" in notes[0]
        low, _ = from_query(config_cls, {s.name: "1e-12"})
        assert getattr(low, s.name) == s.min               # below the minimum: clamped


@pytest.mark.slow
def test_the_graph_page_pauses_a_stalled_run_and_says_which_setting_to_change():
    """AppTest from app.py: /gnn?lr=1 plays, stalls at epoch 51 and the page stops ticking
    with the message, the state "stalled" and Play/Step disabled."""
    from conftest import open_page
    at = open_page("pages/gnn.py", lr="1")
    at.button(key="_play_gnn").click().run()
    live = at.session_state["_live_gnn"]
    for _ in range(60):                                  # each run is one tick of the page
        if live.trainer.diverged is not None:
            break
        at.run()
    t = live.trainer
    assert t.diverged is not None and t.diverged.stalled and t.diverged.step == 51
    at.run()
    assert not live.playing                              # paused by the page itself
    errors = [e.value for e in at.error]
    assert any("stalled at step 51" in e and "learning rate 1 is probably too high" in e
               for e in errors), errors
    assert at.metric[3].value == "stalled"
    assert at.button(key="_play_gnn").disabled
    at.run()
    assert t.step == 51                                  # nothing trains after the pause
    assert not at.exception


def test_the_graph_page_repairs_lr_1e9_to_the_default_with_a_note():
    from conftest import open_page
    at = open_page("pages/gnn.py", graph="karate", lr="1e9")
    assert at.session_state["_live_gnn"].trainer.config.lr == 0.01
    assert any("using the default 0.01" in w.value for w in at.warning)


@pytest.mark.slow
@pytest.mark.parametrize("algo", ["a2c", "reinforce"])
def test_rl_policy_collapsed_by_a_far_too_high_rate_is_caught_on_three_seeds(algo):
    """The RL page: at lr 0.1 A2C and REINFORCE collapse onto one action (entropy 0, episodes
    of about 9 steps) within 40 updates; the message names the rate; the page's presets, at
    their own rates, raise nothing over 150 updates."""
    from core.rl.config import ALGO_PRESETS
    for seed in SEEDS:
        t = _run("rl", {**ALGO_PRESETS[algo], "lr": 0.1}, seed, 60)
        assert t.diverged is not None and t.diverged.step <= 40, (algo, seed)
        msg = t.diverged.message()
        assert t.diverged.stalled and "collapsed onto one action" in msg and "0.1" in msg, msg
        ok = _run("rl", ALGO_PRESETS[algo], seed, 150)
        assert ok.diverged is None, (algo, seed, ok.diverged.message())
