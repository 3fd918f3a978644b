"""RL family: shapes, closed forms (returns, GAE, PPO loss, replay, soft update), short runs.

Layers 1-3 of STYLE.md. The page tests are in test_rl_page.py.
"""
from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
import torch

from core.config import apply_overrides, from_query, to_query, validate
from core.rl.common import (ActorCritic, GreedyEvaluator, ReplayBuffer, discounted_returns, gae,
                            ppo_clip_loss, soft_update, solve)
from core.rl.config import ALGO_PRESETS, EXPERIMENTS, PRESETS, RLConfig
from core.metrics import undeclared
from core.rl.data import GRID_MAP, make_env, slice_observations
from core.rl.snapshot import Episodes, RLSnapshot
from core.rl.trainer import ALGORITHMS, RLTrainer

# small budgets (environment steps) and the mean return each algorithm's preset passes by then,
# seed 0 (runs are deterministic: one torch thread, seeded environments)
# (measured here: REINFORCE 126 at 12.4k steps, A2C 359 at 15k, DQN 139 at 12k, DDPG -128 at 6k)
REINFORCE_STEPS, REINFORCE_ABOVE = 12_000, 80.0
A2C_STEPS, A2C_ABOVE = 15_000, 150.0
DQN_STEPS, DQN_ABOVE = 12_000, 70.0
DDPG_STEPS, DDPG_ABOVE = 6_000, -500.0


def cfg_for(algo: str, **kw) -> RLConfig:
    return apply_overrides(RLConfig(), {**ALGO_PRESETS[algo], **kw})


# ---- 2) closed forms ---------------------------------------------------------------------------
def test_discounted_returns_by_hand():
    r = np.array([1.0, 2.0, 3.0, 4.0], np.float32)
    d = np.array([0, 1, 0, 0], np.float32)           # the first episode ends at t = 1
    g = discounted_returns(r, d, gamma=0.5, last_value=10.0)
    # t=3: 4 + .5*10 = 9; t=2: 3 + .5*9 = 7.5; t=1: 2 (done); t=0: 1 + .5*2 = 2
    np.testing.assert_allclose(g, [2.0, 2.0, 7.5, 9.0])


def test_gae_by_hand_and_limits():
    r = np.array([[1.0], [1.0], [1.0]], np.float32)
    v = np.array([[0.5], [1.0], [2.0]], np.float32)
    nv = np.array([[1.0], [2.0], [0.0]], np.float32)   # terminated at t = 2
    d = np.array([[0], [0], [1]], np.float32)
    adv, ret = gae(r, v, nv, d, gamma=0.9, lam=0.5)
    # deltas: 1 + .9 - .5 = 1.4, 1 + 1.8 - 1 = 1.8, 1 + 0 - 2 = -1
    a2 = -1.0
    a1 = 1.8 + 0.45 * a2
    a0 = 1.4 + 0.45 * a1
    np.testing.assert_allclose(adv[:, 0], [a0, a1, a2], rtol=1e-6)
    np.testing.assert_allclose(ret, adv + v)
    # λ = 1 gives Monte-Carlo returns minus values; λ = 0 gives the one-step TD errors
    adv1, _ = gae(r, v, nv, d, 0.9, 1.0)
    np.testing.assert_allclose(adv1[:, 0] + v[:, 0], discounted_returns(r[:, 0], d[:, 0], 0.9),
                               rtol=1e-6)
    adv0, _ = gae(r, v, nv, d, 0.9, 0.0)
    np.testing.assert_allclose(adv0[:, 0], [1.4, 1.8, -1.0], rtol=1e-6)


def test_gae_does_not_cross_episode_boundaries():
    r = np.ones((2, 1), np.float32)
    v = np.zeros((2, 1), np.float32)
    nv = np.array([[5.0], [0.0]], np.float32)   # truncated at t=0: bootstrap V(final) = 5
    d = np.array([[1], [0]], np.float32)
    adv, _ = gae(r, v, nv, d, gamma=1.0, lam=1.0)
    np.testing.assert_allclose(adv[:, 0], [6.0, 1.0])


def test_ppo_clip_loss_on_fixed_numbers():
    logp_old = torch.zeros(4)
    ratio = torch.tensor([0.5, 1.1, 1.5, 0.9])
    adv = torch.tensor([1.0, 1.0, 1.0, -2.0])
    loss, frac, kl = ppo_clip_loss(ratio.log(), logp_old, adv, clip=0.2)
    # min(r A, clip(r) A): .5*1 = .5 | 1.1 | min(1.5, 1.2) = 1.2 | min(-1.8, -1.8) = -1.8
    assert loss.item() == pytest.approx(-(0.5 + 1.1 + 1.2 - 1.8) / 4, abs=1e-6)
    assert frac.item() == pytest.approx(0.5)     # 0.5 and 1.5 lie outside [0.8, 1.2]
    expect_kl = ((ratio - 1) - ratio.log()).mean().item()
    assert kl.item() == pytest.approx(expect_kl, abs=1e-6)


def test_ppo_clip_stops_gradient_outside_the_interval():
    logp = torch.tensor([math.log(1.5), math.log(1.5)], requires_grad=True)
    loss, _, _ = ppo_clip_loss(logp, torch.zeros(2), torch.tensor([1.0, -1.0]), clip=0.2)
    loss.backward()
    # positive advantage and ratio above 1 + ε: clipped, no gradient; negative advantage: not
    assert logp.grad[0].item() == 0.0
    assert logp.grad[1].item() == pytest.approx(1.5 / 2)


def test_replay_buffer_sampling_and_wraparound():
    rng = np.random.default_rng(0)
    buf = ReplayBuffer(5, obs_dim=2, act_dim=1, rng=rng, discrete=True)
    for i in range(7):
        buf.add(np.array([i, i], np.float32), i % 2, float(i), np.array([i + 1, i + 1]), i == 6)
    assert len(buf) == 5 and buf.pos == 2
    # the two oldest (0, 1) were overwritten by 5 and 6
    np.testing.assert_array_equal(buf.rew, [5, 6, 2, 3, 4])
    np.testing.assert_array_equal(buf.term, [0, 1, 0, 0, 0])
    obs, act, rew, nxt, term = buf.sample(200)
    assert obs.shape == (200, 2) and act.shape == (200,) and act.dtype == torch.int64
    assert set(rew.tolist()) == {2.0, 3.0, 4.0, 5.0, 6.0}
    torch.testing.assert_close(nxt[:, 0], obs[:, 0] + 1)     # transitions stay aligned
    torch.testing.assert_close(act, (rew.long() % 2))


def test_soft_update_matches_formula():
    torch.manual_seed(0)
    src, tgt = torch.nn.Linear(3, 2), torch.nn.Linear(3, 2)
    expect = [0.1 * s.detach() + 0.9 * t.detach() for s, t in
              zip(src.parameters(), tgt.parameters())]
    soft_update(tgt, src, 0.1)
    for e, t in zip(expect, tgt.parameters()):
        torch.testing.assert_close(t.detach(), e)
    soft_update(tgt, src, 1.0)
    for s, t in zip(src.parameters(), tgt.parameters()):
        torch.testing.assert_close(t.detach(), s.detach())


def test_gaussian_log_prob_matches_torch_distribution():
    torch.manual_seed(0)
    net = ActorCritic(3, 2, continuous=True, hidden=8, layers=1)
    with torch.no_grad():
        net.log_std.copy_(torch.tensor([-0.3, 0.2]))
    obs, a = torch.randn(5, 3), torch.randn(5, 2)
    logp, ent = net.log_prob_entropy(obs, a)
    ref = torch.distributions.Normal(net.pi(obs), net.log_std.exp())
    torch.testing.assert_close(logp, ref.log_prob(a).sum(-1))
    torch.testing.assert_close(ent, ref.entropy().sum(-1))


def test_categorical_log_prob_matches_torch_distribution():
    torch.manual_seed(0)
    net = ActorCritic(4, 3, continuous=False, hidden=8, layers=2)
    obs, a = torch.randn(6, 4), torch.tensor([0, 1, 2, 2, 1, 0])
    logp, ent = net.log_prob_entropy(obs, a)
    ref = torch.distributions.Categorical(logits=net.pi(obs))
    torch.testing.assert_close(logp, ref.log_prob(a))
    torch.testing.assert_close(ent, ref.entropy())


# ---- 1) shapes and config --------------------------------------------------------------------
def test_slice_observations_and_grid():
    xs, ys, obs = slice_observations("CartPole-v1", 5)
    assert xs.shape == (5,) and obs.shape == (25, 4)
    np.testing.assert_allclose(obs[:5, 2], xs)        # first row: y fixed, x varies
    assert np.all(obs[:, 0] == 0)
    _, _, obs = slice_observations("Pendulum-v1", 3)
    np.testing.assert_allclose(obs[:, 0] ** 2 + obs[:, 1] ** 2, 1.0, rtol=1e-6)
    env = make_env("FrozenLake-v1")
    o, _ = env.reset(seed=0)
    assert o.shape == (16,) and o.sum() == 1 and o[0] == 1
    assert len(GRID_MAP) == 4


def test_config_problems_name_the_fix():
    assert validate(RLConfig()) == []
    p = validate(RLConfig(algo="ddpg"))
    assert len(p) == 1 and "Pendulum-v1" in p[0]
    p = validate(RLConfig(algo="dqn", env="Pendulum-v1"))
    assert "DQN needs discrete" in p[0]
    p = validate(RLConfig(n_envs=3, n_steps=5, minibatches=4))
    assert "15" in p[0] and "pick 1, 3, 5, 15" in p[0]
    for preset in PRESETS + EXPERIMENTS:
        assert validate(apply_overrides(RLConfig(), preset.overrides)) == [], preset.name
    assert 3 <= len(EXPERIMENTS) <= 5 and all(e.question and e.watch for e in EXPERIMENTS)
    cfg = cfg_for("dqn")
    back, notes = from_query(RLConfig, to_query(cfg))
    assert back == cfg and notes == []


@pytest.mark.parametrize("algo", ["ppo", "a2c", "reinforce", "dqn", "ddpg"])
def test_trainer_step_snapshot_shapes(algo):
    cfg = cfg_for(algo, learning_starts=64, batch_size=32, train_freq=64, gradient_steps=2,
                  n_steps=8, n_envs=2, hidden=16)
    t = RLTrainer(cfg, seed=0)
    res = t.run_steps(2)
    assert res.steps == 2 and t.diverged is None
    assert t.agent.env_steps > 0
    own = {m.name for m in t.agent.metrics}
    assert own & set(t.history.names())            # the algorithm's losses were recorded
    snap = t.snapshot()
    assert isinstance(snap, RLSnapshot) and snap.env_steps == t.agent.env_steps
    assert snap.policy.action.shape == (31, 31) and not snap.policy.grid
    assert snap.policy.x.shape == (31,) and snap.policy.y.shape == (31,)
    assert snap.policy.value.shape == (31, 31) and snap.policy.value.dtype == np.float32
    if algo == "reinforce":                        # no value network without the baseline
        assert t.__class__(cfg.replace(baseline=False)).snapshot().policy.value is None
    f = snap.rollout.frames
    assert f.dtype == np.uint8 and f.ndim == 4 and f.shape[-1] == 3 and f[0].nbytes <= 10_000
    assert isinstance(snap.rollout.steps, int) and isinstance(snap.rollout.ret, float)
    assert snap.nbytes < 200_000
    with pytest.raises(dataclasses.FrozenInstanceError):
        snap.env_steps = 0


def test_grid_world_snapshot():
    t = RLTrainer(apply_overrides(RLConfig(), PRESETS[-1].overrides), seed=0)
    t.run_steps(1)
    p = t.snapshot().policy
    assert p.grid and p.x is None and p.value.shape == (4, 4) and p.action.max() < 4
    assert p.codes[3, 3] == 3 and p.codes[1, 1] == 1


def test_same_seed_same_run_and_checkpoint_roundtrip():
    cfg = cfg_for("ppo", n_steps=8, epochs=2)
    a, b = RLTrainer(cfg, seed=3), RLTrainer(cfg, seed=3)
    a.run_steps(3)
    b.run_steps(3)
    assert a.history.series("policy_loss")[1].tolist() == b.history.series("policy_loss")[1].tolist()
    c = RLTrainer.load_bytes(a.save_bytes())
    obs = slice_observations("CartPole-v1", 5)[2]
    np.testing.assert_array_equal(c.agent.value_map(obs)[0], a.agent.value_map(obs)[0])


def test_evaluation_is_repeatable_and_greedy():
    t = RLTrainer(cfg_for("ppo"), seed=0)
    e1, e2 = t.evaluate(3), t.evaluate(3)
    assert e1 == e2 and e1["eval_return"] >= 8     # CartPole gives at least ~8 steps of reward
    ev = GreedyEvaluator("CartPole-v1", 4, 0)
    always_left = ev.run(lambda o: np.zeros(len(o), np.int64))
    assert always_left.shape == (4,) and np.all(always_left < 20)


def test_lr_and_clip_apply_live():
    t = RLTrainer(cfg_for("ppo"), seed=0)
    assert t.apply_live(t.config.replace(lr=3e-4, clip=0.1))
    assert t.agent.opt.param_groups[0]["lr"] == 3e-4 and t.agent.cfg.clip == 0.1
    assert not t.apply_live(t.config.replace(hidden=32))


# ---- 3) short runs that must learn -----------------------------------------------------------
def train_env_steps(t: RLTrainer, n: int) -> RLTrainer:
    while t.agent.env_steps < n:
        t.run_steps(1)
    assert t.diverged is None
    return t


@pytest.mark.slow
def test_ppo_solves_cartpole_by_the_bench_rule():
    t = RLTrainer(cfg_for("ppo"), seed=0)
    res = solve(t, 475.0, max_env_steps=40_000, budget_s=1e9, episodes=5)
    assert res["seconds"] is not None, res["evals"]
    assert res["env_steps"] <= 40_000


@pytest.mark.slow
def test_dqn_preset_solves_cartpole_by_the_bench_rule():
    """Issue 29 item 7: the preset reached 500 and fell back on seeds 0 and 1 within 60k
    steps; with double DQN and PyTorch's default init seed 0 solves at 20,224 env steps
    (seeds 0-4: 20-40k, bench rule with 10 episodes)."""
    t = RLTrainer(cfg_for("dqn"), seed=0)
    res = solve(t, 475.0, max_env_steps=30_000, budget_s=1e9, episodes=10)
    assert res["seconds"] is not None, res["evals"]
    assert res["env_steps"] <= 30_000     # not pinned exactly: float rounding differs by CPU


@pytest.mark.slow
@pytest.mark.parametrize("algo, env_steps, last, above", [
    ("reinforce", REINFORCE_STEPS, 10, REINFORCE_ABOVE),
    ("a2c", A2C_STEPS, 10, A2C_ABOVE),
    ("dqn", DQN_STEPS, 10, DQN_ABOVE),
    ("ddpg", DDPG_STEPS, 5, DDPG_ABOVE),
])
def test_algorithm_improves_its_return(algo, env_steps, last, above):
    """Mean return of the last few training episodes passes a stated value in a small budget
    (a random policy scores about 22 on CartPole and about -1,200 on Pendulum)."""
    t = train_env_steps(RLTrainer(cfg_for(algo), seed=0), env_steps)
    assert np.mean(t.episode_returns[-last:]) > above, t.episode_returns[-last:]


# ---- figures ---------------------------------------------------------------------------------
def test_figures_from_a_snapshot(plotly_checked):  # plotly checks every property
    import altair as alt

    from core.rl import figures as F
    t = RLTrainer(cfg_for("dqn", learning_starts=64, batch_size=32, gradient_steps=2), seed=0)
    t.run_steps(3)
    snap = t.snapshot()
    ch = F.return_chart(t.episodes(), threshold=475.0, marker=100)
    assert len(ch["layer"]) == 4 and ch["layer"][2]["mark"]["type"] == "rule"
    assert ch["layer"][2]["encoding"]["y"]["datum"] == 475.0
    assert len(ch["layer"][0]["data"]["values"]) == len(t.episode_returns) > 0
    assert "data" not in ch  # Streamlit would convert top-level data through pandas
    alt.Chart.from_dict(ch)  # a valid Vega-Lite spec: raises if not
    # the y axis names the unit (a long label ran past a 260 px chart and pushed its title out
    # of the picture); the title and subtitle say what the dots and the line are
    assert ch["layer"][0]["encoding"]["y"]["title"] == "return"
    assert ch["title"]["text"] == "Training episodes (exploring policy)"
    assert "line: mean of 20" in ch["title"]["subtitle"]
    mc = F.metrics_chart(t.history, t.agent.metrics, upto=2)
    alt.Chart.from_dict(mc)
    titles = [r["title"]["text"] for r in mc["vconcat"]]   # one row per metric, its label
    assert titles == ["TD loss (Huber)", "Mean Q on replayed batches", "Exploration ε",
                      "Replay buffer fill"]
    assert mc["vconcat"][3]["layer"][0]["encoding"]["y"]["title"] == "fraction"   # its unit
    assert all(r["layer"][0]["data"]["values"] for r in mc["vconcat"]) and "data" not in mc
    assert max(r["step"] for r in mc["vconcat"][0]["layer"][0]["data"]["values"]) == 2
    from core.history import History
    alt.Chart.from_dict(F.metrics_chart(History(), t.agent.metrics))
    empty = F.return_chart(Episodes(np.zeros(0, np.int64), np.zeros(0, np.float32)))
    assert "no finished episode" in empty["layer"][0]["data"]["values"][0]["note"]
    alt.Chart.from_dict(empty)
    fig = F.policy_figure(snap, "CartPole-v1")
    assert [tr.type for tr in fig.data] == ["heatmap", "heatmap"]
    assert fig.layout.xaxis.title.text.startswith("pole angle")
    assert list(fig.data[1].colorbar.ticktext) == ["push left", "push right"]
    anim = F.frames_figure(snap.rollout.frames)
    assert len(anim.frames) == len(snap.rollout.frames)
    assert anim.data[0].source.startswith("data:image/png;base64,")
    np.testing.assert_allclose(F.moving_average(np.arange(5.0), 3), [0, 0.5, 1, 2, 3])
    dot = F.diagram(t.config)
    assert dot.startswith("digraph") and "4 → 192 → 192 → 2 actions" in dot and "100,000" in dot
    assert "target" in dot and "no target" in F.diagram(t.config.replace(target_update=0))


def test_live_figures_are_what_the_page_draws_and_scrub_back():
    from core.rl import figures as F
    t = RLTrainer(cfg_for("ppo", n_steps=64, n_envs=4, epochs=1), seed=0)
    t.run_steps(2)
    early = t.record_snapshot(force=True)
    t.run_steps(4)
    t.record_snapshot(force=True)
    assert len(t.episode_returns) > 0
    live = F.live_figures(t.timeline.latest()[1], t.history, t.config, metrics=t.algo_metrics,
                          episodes=t.episodes())
    assert list(live) == ["return", "metrics", "policy"]
    rows = [r["title"]["text"] for r in live["metrics"]["vconcat"]]
    assert rows == [m.label for m in ALGORITHMS["ppo"].metrics]   # the algorithm's own, in order
    assert len(live["return"]["layer"][0]["data"]["values"]) == len(t.episode_returns)
    back = F.live_figures(early, t.history, t.config, upto=2, metrics=t.algo_metrics,
                          episodes=t.episodes())
    dots = back["return"]["layer"][0]["data"]["values"]
    assert all(d["env_step"] <= early.env_steps for d in dots) and len(dots) < len(
        t.episode_returns)
    assert back["return"]["layer"][-1]["encoding"]["x"]["datum"] == early.env_steps  # marker
    steps = {r["step"] for row in back["metrics"]["vconcat"] for r in row["layer"][0]["data"]
             ["values"] if "metric" in r}
    assert max(steps) == 2
    assert "policy" not in F.live_figures(None, t.history, t.config)
    fresh = RLTrainer(t.config, seed=0)          # untrained: no value map yet (first frame)
    assert "policy" not in F.live_figures(fresh.snapshot(), fresh.history, fresh.config)


def _emitted(cfg: RLConfig) -> set[str]:
    """Every key train_step and evaluate return, over enough steps for learning to start."""
    t = RLTrainer(cfg, seed=0)
    keys: set[str] = set()
    while t.step < 3 or t.agent.env_steps < 300:
        keys |= set(t.train_step())
        t.step += 1
    return keys | set(t.evaluate(1))


SMALL = dict(learning_starts=64, batch_size=32, train_freq=64, gradient_steps=1, n_steps=16,
             n_envs=2, hidden=16, epochs=1, buffer_size=1000)


def test_every_emitted_metric_is_declared_on_every_algorithm_preset_and_experiment():
    cfgs = [RLConfig().replace(**SMALL)]          # the default, then every preset and experiment
    cfgs += [apply_overrides(RLConfig(), {**p.overrides, **SMALL}) for p in PRESETS + EXPERIMENTS]
    cfgs.append(cfg_for("reinforce", baseline=True, **SMALL))
    seen: set[str] = set()
    for cfg in cfgs:
        t = RLTrainer(cfg, seed=0)
        keys = _emitted(cfg)
        assert undeclared(t.algo_metrics, keys) == [], (cfg.algo, cfg.env)
        assert undeclared(RLTrainer.metrics, keys) == []
        seen |= keys
    # every algorithm is covered, and the union declares nothing that no configuration emits
    assert {c.algo for c in cfgs} == set(ALGORITHMS)
    assert {m.name for m in RLTrainer.metrics} == seen


def test_each_algorithm_declares_its_own_metrics_and_the_union_is_consistent():
    own = {k: {m.name for m in a.metrics} for k, a in ALGORITHMS.items()}
    assert {"clip_frac", "approx_kl"} <= own["ppo"] and not own["a2c"] & {"clip_frac"}
    assert own["dqn"] == {"td_loss", "q_mean", "epsilon", "buffer_fill"}
    assert own["ddpg"] == {"critic_loss", "actor_loss", "q_mean", "buffer_fill"}
    names = [m.name for m in RLTrainer.metrics]
    assert len(names) == len(set(names)) and set().union(*own.values()) < set(names)
    t = RLTrainer(cfg_for("dqn"), seed=0)
    assert {m.name for m in t.algo_metrics} == own["dqn"] | {
        "episode_return", "env_steps", "eval_return", "eval_std"}
    from core.metrics import Metric
    from core.rl.metrics import POLICY_LOSS, union
    with pytest.raises(ValueError, match="policy_loss"):
        union((POLICY_LOSS,), (Metric("policy_loss", "another meaning"),))


def test_grid_figure_arrows_and_cells():
    from core.rl import figures as F
    from core.rl.data import grid_codes
    action = np.full((4, 4), 2, np.uint8)            # all "right"
    fig = F.grid_figure(np.zeros((4, 4), np.float32), action, grid_codes())
    texts = [a.text for a in fig.layout.annotations]
    assert texts.count("H") == 4 and texts.count("G") == 1 and "S →" in texts
    assert texts.count("→") == 16 - 4 - 1 - 1


def test_dqn_target_network_is_frozen_between_syncs():
    def run(target_update):
        t = RLTrainer(cfg_for("dqn", learning_starts=64, batch_size=16, train_freq=64,
                              gradient_steps=4, target_update=target_update), seed=0)
        before = [p.clone() for p in t.agent.q_target.parameters()]
        t.run_steps(1)
        return t, before
    t, before = run(1000)
    for b, p, q in zip(before, t.agent.q_target.parameters(), t.agent.q.parameters()):
        assert torch.equal(b, p) and not torch.equal(p, q)
    t, _ = run(4)          # synced right after the 4th gradient step
    for p, q in zip(t.agent.q_target.parameters(), t.agent.q.parameters()):
        assert torch.equal(p, q)
    assert t.agent.epsilon == pytest.approx(1 - 64 / 8000 * (1 - 0.04))


def test_ddpg_targets_follow_by_soft_updates():
    t = RLTrainer(cfg_for("ddpg", learning_starts=64, batch_size=16, train_freq=64,
                          gradient_steps=1, tau=0.5), seed=0)
    a = t.agent
    old_t = [p.clone() for p in a.actor_target.parameters()]
    t.run_steps(1)
    # one soft update with τ = 0.5: the target is halfway between its old value and the actor
    for o, p, q in zip(old_t, a.actor_target.parameters(), a.actor.parameters()):
        torch.testing.assert_close(p, 0.5 * o + 0.5 * q)


def test_metric_rows_do_not_share_a_colour_scale():
    """Each row colours its own metric; a shared scale made Vega warn "Conflicting scale
    property domains" on every RL tick (issue 15, item 9)."""
    from core.history import History
    from core.metrics import Metric
    from core.rl.figures import metrics_chart
    h = History()
    for step in (1, 2):
        h.record(step, {"a": 0.1 * step, "b": 0.3 * step})
    spec = metrics_chart(h, (Metric("a", "A", chart="A"), Metric("b", "B", chart="B")))
    assert len(spec["vconcat"]) == 2
    assert spec.get("resolve", {}).get("scale", {}).get("color") == "independent"


def test_a_ppo_update_cut_into_parts_trains_exactly_as_a_whole_one():
    whole, cut = RLTrainer(RLConfig(), seed=5), RLTrainer(RLConfig(), seed=5)
    whole.run_steps(3)
    calls, seen = 0, set()
    while cut.step < 3:
        cut.run_for(0.0)                 # one part per call: every boundary a tick's end
        calls += 1
        seen.add((cut.progress or "").split(",")[0])
    cfg = RLConfig()
    assert calls == 3 * (cfg.n_steps // 8 + cfg.epochs)  # 4 rollout parts, 20 epochs each
    assert seen == {"collecting experience", "optimising", ""}
    assert whole.history.series("policy_loss")[1].tolist() == \
        cut.history.series("policy_loss")[1].tolist()
    assert whole.episode_returns == cut.episode_returns
    for p, q in zip(whole.agent.net.parameters(), cut.agent.net.parameters()):
        assert torch.equal(p, q)
    a2c = RLTrainer(apply_overrides(RLConfig(), ALGO_PRESETS["a2c"]), seed=0)
    assert a2c.run_for(0.0).steps == 1   # one short gradient step: never cut
