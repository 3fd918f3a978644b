"""Every "experiment to try" says what the student will see; each test here runs that experiment
on its preset's settings, seeded, for a stated number of steps (never seconds), and checks the
numbers its text states. When one of these fails, fix the text or the preset, not the bound.

All tests train, so all are slow. The numbers quoted in the experiment texts were measured with
this protocol (same seeds, same step counts, same evaluation points).
"""
from __future__ import annotations

import numpy as np
import pytest
import torch

from conftest import preset_overrides

from core.config import apply_overrides

pytestmark = pytest.mark.slow


_preset = preset_overrides


# ---- autoencoder ------------------------------------------------------------------------------
AE_STEPS = 1500


def _ae(overrides: dict, steps: int = AE_STEPS, seed: int = 0):
    from core.autoencoder.config import AEConfig
    from core.autoencoder.trainer import AETrainer
    t = AETrainer(apply_overrides(AEConfig(), overrides), seed)
    t.run_steps(steps)
    ev = t.evaluate()
    with torch.no_grad():
        mu, logvar = t.model.encode(t.x_test)
    ev["z_std"] = float(mu.std(0).mean())
    if logvar is not None:
        ev["sigma_median"] = float((0.5 * logvar).exp().median())
    return t, ev


def _ae_exp(prefix: str) -> dict:
    from core.autoencoder.config import EXPERIMENTS
    return _preset(EXPERIMENTS, prefix)


VAE_B1 = {"variant": "vae", "latent_dim": 2, "beta": 1.0}


def test_ae_beta_zero_codes_turn_deterministic_and_spread():
    """β = 0: KL about 15-20 nats (2.6 at β = 1), σ a few thousandths, codes > 2 × prior."""
    _, b0 = _ae(_ae_exp("β = 0"))
    _, b1 = _ae(VAE_B1)
    assert 12.0 < b0["test_kl"] < 25.0 and 2.0 < b1["test_kl"] < 3.2, (b0, b1)
    assert b0["sigma_median"] < 0.02 < 0.2 < b1["sigma_median"], (b0, b1)
    assert b0["z_std"] > 2.0 and b1["z_std"] < 1.1, (b0, b1)


def test_ae_beta_four_collapses_and_beta_two_does_not():
    """β = 4: KL ≈ 0 within a few hundred steps, codes at 0 with σ ≈ 1, MSE ≈ 0.074 (twice
    β = 1's, worse than PCA). β = 2: still reconstructs, better than PCA, worse than β = 1."""
    b4_over = _ae_exp("β = 4")
    t, early = _ae(b4_over, steps=500)
    assert early["test_kl"] < 0.05, early
    _, b4 = _ae(b4_over)
    _, b1 = _ae(VAE_B1)
    _, b2 = _ae({**b4_over, "beta": 2.0})
    assert b4["test_kl"] < 0.05 and b4["z_std"] < 0.1 and b4["sigma_median"] > 0.9, b4
    assert 0.07 < b4["test_mse"] < 0.08 and b4["test_mse"] > 1.8 * b1["test_mse"], (b4, b1)
    assert b4["test_mse"] > t.pca_mse
    assert b1["test_mse"] < b2["test_mse"] < t.pca_mse, (b1, b2, t.pca_mse)
    assert b2["test_kl"] > 0.5 and b2["z_std"] > 0.5, b2


def test_ae_latent_16_cuts_mse_about_six_fold_and_bce_much_less():
    _, z16 = _ae(_ae_exp("latent 2 vs 16"))
    _, z2 = _ae({**_ae_exp("latent 2 vs 16"), "latent_dim": 2})
    assert z16["test_mse"] < 0.25 * z2["test_mse"], (z16, z2)           # about 0.005 vs 0.033
    assert 0.004 < z16["test_mse"] < 0.007 and 0.03 < z2["test_mse"] < 0.037, (z16, z2)
    assert z16["test_bce"] > 0.6 * z2["test_bce"], (z16, z2)            # BCE falls much less


def test_ae_denoising_beats_the_noisy_input_by_three():
    _, ev = _ae(_ae_exp("noise 0 vs 0.5"))
    assert ev["test_denoise_mse"] < ev["noisy_mse"] / 3, ev              # about 0.035 vs 0.12
    assert 0.11 < ev["noisy_mse"] < 0.13, ev


def test_ae_swiss_roll_beats_pca_plane_about_five_fold():
    t, ev = _ae(_ae_exp("swiss roll"))
    assert ev["test_mse"] < 0.3 * t.pca_mse, (ev, t.pca_mse)            # about 0.055 vs 0.27
    assert 0.25 < t.pca_mse < 0.3


# ---- transformer ------------------------------------------------------------------------------
def _tf_curve(overrides: dict, checkpoints: list[int], seed: int = 0) -> dict[int, tuple]:
    """{step: (sequence accuracy, last training loss)} at each checkpoint."""
    from core.transformer.config import TransformerConfig
    from core.transformer.trainer import TransformerTrainer
    t = TransformerTrainer(apply_overrides(TransformerConfig(), overrides), seed)
    out = {}
    for c in checkpoints:
        t.run_steps(c - t.step)
        out[c] = (t.accuracy()["seq_acc"], t.history.last("loss"))
    return out


def _tf_exp(prefix: str) -> dict:
    from core.transformer.config import EXPERIMENTS
    return _preset(EXPERIMENTS, prefix)


def _first(curve: dict[int, tuple], acc: float) -> int | None:
    return next((s for s, (a, _) in sorted(curve.items()) if a >= acc), None)


def test_tf_encdec_without_positions_never_reverses():
    c = _tf_curve(_tf_exp("No positions: reverse"), [250, 500, 750, 1000])
    assert all(a < 0.01 for a, _ in c.values()), c
    assert c[1000][1] < 1.9, c          # the loss does fall: it learns which symbols occur


def test_tf_decoder_without_positions_reverses_slowly():
    c = _tf_curve(_tf_exp("No positions, decoder-only"), [600, 2000])
    assert c[600][0] < 0.02 and c[2000][0] > 0.3, c


def test_tf_sort_needs_no_positions():
    c = _tf_curve(_tf_exp("No positions: sort"), [250, 500])
    assert c[250][0] >= 0.8 and c[500][0] >= 0.99, c


@pytest.mark.parametrize("seed", [0, 1, 2])   # the text names seeds 0-2
def test_tf_one_head_reverses_about_as_fast_as_four(seed):
    steps = list(range(50, 301, 50))
    one = _first(_tf_curve(_tf_exp("One head"), steps, seed), 0.9)
    four = _first(_tf_curve({"task": "reverse"}, steps, seed), 0.9)
    assert one is not None and four is not None and one <= 200 and four <= 150, (one, four)


POST_LN_STEPS = list(range(50, 501, 50))


def test_tf_post_ln_without_warmup_stays_at_chance():
    c = _tf_curve(_tf_exp("Post-LN"), POST_LN_STEPS)
    assert all(abs(loss - np.log(10)) < 0.05 and a == 0 for a, loss in c.values()), c


def test_tf_pre_ln_or_warmup_fixes_post_ln():
    over = _tf_exp("Post-LN")
    pre = _first(_tf_curve({**over, "norm": "pre"}, POST_LN_STEPS[:4]), 0.95)
    # "about 300": 250 on one machine, 300 on another (float sums differ between CPUs)
    warm = _first(_tf_curve({**over, "warmup": 100}, POST_LN_STEPS[:7]), 0.95)
    assert pre is not None and pre <= 200 and warm is not None and warm <= 350, (pre, warm)


# ---- GAN --------------------------------------------------------------------------------------
def _gan(prefix: str, steps: int, seed: int = 0, **extra):
    from core.gan.config import EXPERIMENTS, GANConfig
    from core.gan.trainer import GANTrainer
    t = GANTrainer(apply_overrides(GANConfig(), {**_preset(EXPERIMENTS, prefix), **extra}), seed)
    t.run_steps(steps)
    return t


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_gan_mode_collapse_stays_at_three_modes_or_fewer(seed):
    t = _gan("Mode collapse", 3000, seed)
    _, modes = t.history.series("modes")
    assert modes.max() <= 3, modes


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_gan_balanced_rates_cover_all_modes_within_600_steps(seed):
    """8/8 by step 600, at 8 in most evaluations after that (brief dips), and at step 1500."""
    t = _gan("Mode collapse, fixed", 1500, seed)
    steps, modes = t.history.series("modes")
    first = next(int(s) for s, m in zip(steps, modes) if m >= 8)
    after = modes[steps >= first]
    assert first <= 600 and (after == 8).mean() >= 0.6 and modes[-1] == 8, (first, after)


def test_gan_saturating_loss_starves_g_on_most_seeds_and_nonsat_does_not():
    for seed in (0, 1):
        sat = _gan("Vanishing gradients (saturating", 300, seed)
        ns = _gan("Vanishing gradients, fixed", 1500, seed)
        g_sat = float(np.median(sat.history.series("g_grad")[1][-100:]))
        steps, g_ns = ns.history.series("g_grad")
        g_ns = float(np.median(g_ns[(steps > 200) & (steps <= 300)]))
        assert g_sat < 0.01 and g_ns > 1000 * g_sat, (seed, g_sat, g_ns)
        assert np.linalg.norm(sat.generate(sat.z_eval), axis=1).mean() < 1.0
        assert ns.history.last("modes") == 1           # plain SGD then settles on one mode
    escaped = _gan("Vanishing gradients (saturating", 300, 2)
    assert float(np.median(escaped.history.series("g_grad")[1][-100:])) > 0.1
    assert np.linalg.norm(escaped.generate(escaped.z_eval), axis=1).mean() > 1.5


def test_gan_beta2_help_fewer_steps_to_cover_the_ring():
    """The beta2 help string: 0.9 covers all 8 modes in 300-400 steps, 0.999 in 350-600
    (seed 2 took 500 on one machine and 350 on another: float sums differ between CPUs)."""
    from core.gan.config import GANConfig
    from core.gan.trainer import GANTrainer

    def first_full(beta2: float, seed: int) -> int:
        t = GANTrainer(GANConfig(beta2=beta2), seed)
        t.run_steps(700)
        steps, modes = t.history.series("modes")
        return next(int(s) for s, m in zip(steps, modes) if m >= 8)

    pairs = [(first_full(0.9, seed), first_full(0.999, seed)) for seed in (0, 1, 2)]
    assert all(300 <= f <= 400 and 350 <= s <= 600 and f <= s for f, s in pairs), pairs
    assert sum(f for f, _ in pairs) < 0.85 * sum(s for _, s in pairs), pairs


def test_gan_smaller_steps_stop_the_oscillation():
    osc = _gan("Oscillation (big", 1500)
    fix = _gan("Oscillation, fixed", 1500)
    d_osc = float(np.std(osc.history.series("d_loss")[1][-300:]))
    d_fix = float(np.std(fix.history.series("d_loss")[1][-300:]))
    assert osc.history.series("modes")[1].max() <= 3
    assert fix.history.last("modes") == 8 and d_fix < d_osc / 5, (d_fix, d_osc)


# ---- RL ---------------------------------------------------------------------------------------
def _rl(overrides: dict, env_steps: int, seed: int = 0):
    """Train until ``env_steps`` environment steps; the trainer, with greedy ``eval`` (5 episodes,
    fixed seeds) and per-window mean training returns ``windows`` (5 equal windows of steps)."""
    from core.rl.config import RLConfig
    from core.rl.trainer import RLTrainer
    t = RLTrainer(apply_overrides(RLConfig(), overrides), seed)
    while t.agent.env_steps < env_steps:
        t.run_steps(1)
    r, st = np.array(t.episode_returns), np.array(t.episode_steps)
    edges = np.linspace(0, env_steps, 6)
    t.windows = [float(r[(st > a) & (st <= b)].mean()) for a, b in zip(edges[:-1], edges[1:])]
    t.eval_return = t.evaluate(5)["eval_return"]
    return t


def _rl_exp(prefix: str) -> dict:
    from core.rl.config import EXPERIMENTS
    return _preset(EXPERIMENTS, prefix)


PPO_STEPS = 20_000


def _ppo_default():
    from core.rl.config import ALGO_PRESETS
    if not hasattr(_ppo_default, "run"):          # shared by the two clip tests
        _ppo_default.run = _rl(ALGO_PRESETS["ppo"], PPO_STEPS)
    return _ppo_default.run


def _median(t, name: str) -> float:
    return float(np.median(t.history.series(name)[1]))


def test_rl_ppo_tiny_clip_moves_the_policy_little_but_catches_up():
    base, tiny = _ppo_default(), _rl(_rl_exp("PPO with a tiny clip"), PPO_STEPS)
    assert _median(tiny, "clip_frac") > 0.25 and _median(base, "clip_frac") < 0.1
    assert _median(tiny, "approx_kl") < _median(base, "approx_kl") / 5
    assert np.mean(tiny.windows[:2]) < 0.7 * np.mean(base.windows[:2]), (tiny.windows, base.windows)
    assert tiny.windows[-1] >= 0.8 * base.windows[-1], (tiny.windows, base.windows)


def test_rl_ppo_without_clip_breaks_down():
    base, wide = _ppo_default(), _rl(_rl_exp("PPO with no effective clip"), PPO_STEPS)
    assert _median(wide, "approx_kl") > 3 * _median(base, "approx_kl")
    assert float(wide.history.series("approx_kl")[1].max()) > 0.3
    # "climbing and falling back"; "on one of seeds 0-2 ... under 200" (seed 0). The
    # final returns of the other seeds differ between CPUs (float sums), so no claim on them
    assert max(wide.windows) > 1.3 * wide.windows[-1], wide.windows
    assert wide.eval_return < 200, wide.eval_return


def test_rl_reinforce_without_baseline_is_not_slower_on_cartpole():
    from core.rl.config import ALGO_PRESETS
    base = _rl(ALGO_PRESETS["reinforce"], 40_000)
    none = _rl(_rl_exp("REINFORCE without a baseline"), 40_000)
    assert np.mean(none.windows[3:]) > np.mean(base.windows[3:]), (none.windows, base.windows)


def test_tf_worked_attention_example_in_the_theory_text():
    """The numbers of the page's worked Q/K/V example are what ``attention()`` computes."""
    from core.transformer.model import attention, causal_mask
    q = torch.tensor([[1.0, 0], [0, 1], [1, 1]])
    v = torch.tensor([[1.0, 0], [0, 2], [3, 1]])
    out, w = attention(q, q, v, causal_mask(3))
    assert torch.allclose(w, torch.tensor([[1, 0, 0], [0.33, 0.67, 0], [0.25, 0.25, 0.50]]),
                          atol=0.005)
    assert torch.allclose(out, torch.tensor([[1, 0], [0.33, 1.34], [1.76, 1.00]]), atol=0.005)
    out, w = attention(q, q, v)
    assert torch.allclose(w[0], torch.tensor([0.40, 0.20, 0.40]), atol=0.005)
    assert torch.allclose(out[0], torch.tensor([1.60, 0.80]), atol=0.005)


def test_rl_dqn_without_target_network_blows_up():
    from core.rl.config import ALGO_PRESETS
    with_target = _rl(ALGO_PRESETS["dqn"], 6000)
    without = _rl(_rl_exp("DQN without a target network"), 6000)
    q_with = with_target.history.series("q_mean")[1]
    q_without = without.history.series("q_mean")[1]
    assert q_without[-1] > 1e6 and q_with.max() < 100, (q_with[-3:], q_without[-3:])
    assert without.history.series("td_loss")[1][-1] > 1000 * with_target.history.series(
        "td_loss")[1][-1]
    assert np.mean(without.episode_returns[-20:]) < 22 < 30 < np.mean(
        with_target.episode_returns[-20:])


@pytest.mark.parametrize("noise", ["gaussian (DDPG preset)", "ou (experiment)"])
def test_rl_ddpg_swings_up_with_either_noise(noise):
    from core.rl.config import ALGO_PRESETS
    over = ALGO_PRESETS["ddpg"] if noise.startswith("gaussian") else _rl_exp("DDPG with")
    t = _rl(over, 5000)
    r = np.array(t.episode_returns)
    assert len(r) == 25 and r[:10].mean() < -900 and -500 < r[15:25].mean() < -200, r
