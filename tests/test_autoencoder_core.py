"""Autoencoder family core: config, data, model pieces against closed forms, trainer behaviour.

Layers (STYLE.md): exact shapes on tiny tensors; equality with closed forms / references
(KL, BCE, reparameterisation moments, the decoder rebuilt from snapshot weights); short CPU
runs where a stated metric crosses a stated value (marked slow).
"""
from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
import torch

from core.autoencoder.config import EXPERIMENTS, PRESETS, AEConfig
from core.autoencoder.trainer import AETrainer
from core.autoencoder import data as D
from core.autoencoder import model as M
from core.autoencoder import trainer as T
from core.autoencoder.config import parse_hidden
from core.config import apply_overrides, from_query, to_query, validate
from core.datasets import digits


# ---- config ------------------------------------------------------------------------------------
def test_defaults_valid_and_presets_experiments_valid():
    assert validate(AEConfig()) == []
    for p in PRESETS + EXPERIMENTS:
        assert validate(apply_overrides(AEConfig(), p.overrides)) == [], p.name
    assert 3 <= len(EXPERIMENTS) <= 5
    assert all(e.question and e.watch for e in EXPERIMENTS)


@pytest.mark.parametrize("text,sizes", [("128,64", (128, 64)), (" 32 ", (32,)),
                                        ("4,512,16", (4, 512, 16))])
def test_parse_hidden_good(text, sizes):
    assert parse_hidden(text) == (sizes, None)
    assert AEConfig(hidden=text).hidden_sizes == sizes


@pytest.mark.parametrize("text,words", [("12,,x", "whole numbers"), ("", "whole numbers"),
                                        ("64,64,64,64", "at most 3"), ("2,64", "4 to 512"),
                                        ("1024", "not 1024")])
def test_parse_hidden_bad_names_the_fix(text, words):
    sizes, problem = parse_hidden(text)
    assert sizes == () and words in problem
    probs = validate(AEConfig(hidden=text))
    assert len(probs) == 1 and words in probs[0]
    with pytest.raises(ValueError, match="Hidden sizes"):
        AEConfig(hidden=text).hidden_sizes


def test_cross_field_problems():
    probs = validate(AEConfig(dataset="swiss_roll", latent_dim=8))
    assert len(probs) == 1 and "latent size 2" in probs[0]
    assert validate(AEConfig(dataset="swiss_roll", latent_dim=3)) == []
    probs = validate(AEConfig(dataset="swiss_roll", variant="dae", noise_type="masking"))
    assert len(probs) == 1 and "gaussian" in probs[0]
    # field range checks still come from the shared schema
    assert any("above the maximum" in p for p in validate(AEConfig(latent_dim=17)))


def test_query_round_trip():
    cfg = AEConfig(variant="dae", hidden="64,32", noise_level=0.5, lr=0.01)
    q = to_query(cfg)
    assert q == {"variant": "dae", "hidden": "64,32", "noise_level": "0.5", "lr": "0.01"}
    back, notes = from_query(AEConfig, q)
    assert back == cfg and notes == []


# ---- data --------------------------------------------------------------------------------------
def test_digits_split_fixed_stratified_and_scaled():
    ds = D.load("digits")
    assert ds.x_train.shape == (1438, 64) and ds.x_test.shape == (359, 64)
    assert ds.x_train.dtype == np.float32 and ds.x_train.min() == 0.0 and ds.x_train.max() == 1.0
    counts = np.bincount(ds.y_test, minlength=10)
    full = np.bincount(digits()[1], minlength=10)
    assert np.all(np.abs(counts - 0.2 * full) <= 1)          # 20 % of every class
    assert D.load("digits") is ds                             # cached, no reload
    # the split does not depend on any run seed: two trainers see the same test set
    a, b = AETrainer(AEConfig(), seed=1), AETrainer(AEConfig(), seed=2)
    assert torch.equal(a.x_test, b.x_test)


def test_swiss_roll_data():
    ds = D.load("swiss_roll")
    assert ds.x_train.shape == (1600, 3) and ds.x_test.shape == (400, 3)
    assert ds.continuous_label and 0.0 <= ds.y_test.min() and ds.y_test.max() <= 1.0
    assert np.allclose(np.concatenate([ds.x_train, ds.x_test]).mean(0), 0.0, atol=0.05)


def test_pca2_baseline_matches_the_issue():
    assert D.pca_baseline("digits", 2) == pytest.approx(0.052, abs=0.003)
    assert D.pca_baseline("digits", 8) < D.pca_baseline("digits", 2)


# ---- model: shapes and closed forms ------------------------------------------------------------
@pytest.mark.parametrize("variational", [False, True])
def test_forward_shapes(variational):
    m = M.Autoencoder(64, (32, 16), 3, "relu", variational=variational)
    out = m(torch.rand(5, 64))
    assert out.recon.shape == out.logits.shape == (5, 64)
    assert out.z.shape == out.mu.shape == (5, 3)
    assert (out.logvar is not None) == variational
    assert 0.0 <= out.recon.min() and out.recon.max() <= 1.0
    linears = [l for l in m.encoder if isinstance(l, torch.nn.Linear)]
    assert [l.out_features for l in linears] == [32, 16, 6 if variational else 3]
    dec = [l.out_features for l in m.decoder if isinstance(l, torch.nn.Linear)]
    assert dec == [16, 32, 64]
    # without sampling the VAE's code is its mean
    det = m(torch.rand(5, 64), sample=False)
    assert torch.equal(det.z, det.mu)


def test_reparameterization_moments_and_gradient():
    g = torch.Generator().manual_seed(0)
    mu = torch.full((200_000, 1), 1.5, requires_grad=True)
    logvar = torch.full((200_000, 1), math.log(0.25), requires_grad=True)
    z = M.reparameterize(mu, logvar, g)
    assert z.mean().item() == pytest.approx(1.5, abs=0.005)
    assert z.var().item() == pytest.approx(0.25, rel=0.02)
    z.sum().backward()
    assert torch.allclose(mu.grad, torch.ones_like(mu))           # dz/dμ = 1
    eps = (z - 1.5) / 0.5
    assert torch.allclose(logvar.grad, 0.5 * 0.5 * eps.detach(), atol=1e-5)   # dz/dlogvar = σε/2


def test_kl_matches_torch_distributions():
    g = torch.Generator().manual_seed(1)
    mu, logvar = torch.randn(7, 4, generator=g), torch.randn(7, 4, generator=g)
    ref = torch.distributions.kl_divergence(
        torch.distributions.Normal(mu, torch.exp(0.5 * logvar)),
        torch.distributions.Normal(torch.zeros(7, 4), torch.ones(7, 4))).sum(1)
    assert torch.allclose(M.kl_divergence(mu, logvar), ref, atol=1e-5)
    assert torch.allclose(M.kl_divergence(torch.zeros(2, 3), torch.zeros(2, 3)), torch.zeros(2))


def test_recon_losses_closed_form():
    g = torch.Generator().manual_seed(2)
    logits, x = torch.randn(3, 5, generator=g), torch.rand(3, 5, generator=g)
    p = torch.sigmoid(logits)
    bce = -(x * torch.log(p) + (1 - x) * torch.log(1 - p)).sum(1)
    assert torch.allclose(M.recon_loss(logits, x, "sigmoid"), bce, atol=1e-5)
    se = ((logits - x) ** 2).sum(1) / (2 * M.POINT_SIGMA ** 2)
    assert torch.allclose(M.recon_loss(logits, x, "linear"), se)


def test_noise_functions():
    g = torch.Generator().manual_seed(3)
    x = torch.full((400, 64), 0.5)
    gauss = M.add_noise(x, "gaussian", 0.1, g)
    assert (gauss - x).std().item() == pytest.approx(0.1, rel=0.03)
    assert 0.0 <= gauss.min() and gauss.max() <= 1.0
    masked = M.add_noise(x, "masking", 0.3, g)
    assert (masked == 0).float().mean().item() == pytest.approx(0.3, abs=0.01)
    assert torch.equal(masked[masked != 0], x[masked != 0])
    assert M.add_noise(x, "masking", 0.0, g) is x
    with pytest.raises(ValueError, match="Expect noise kind"):
        M.add_noise(x, "salt", 0.1, g)


@pytest.mark.parametrize("act", sorted(M.ACTIVATIONS))
@pytest.mark.parametrize("output", ["sigmoid", "linear"])
def test_decoder_rebuilt_from_weights_matches_the_model(act, output):
    torch.manual_seed(4)
    m = M.Autoencoder(64, (24, 12), 4, act, variational=False, output=output)
    z = torch.randn(9, 4)
    with torch.no_grad():
        ref = m.decode(z)
        got = M.decoder_from_weights(m.decoder_weights(), act)(z)
    assert got.shape == (9, 64) and got.dtype == torch.float32
    torch.testing.assert_close(got, ref, atol=1e-6, rtol=0)
    half = [(w.astype(np.float16), b.astype(np.float16)) for w, b in m.decoder_weights()]
    with torch.no_grad():
        got16 = M.decoder_from_weights(half, act)(z)
    assert got16.dtype == torch.float32 and (got16 - ref).abs().max() < 2e-2


# ---- trainer -----------------------------------------------------------------------------------
def _emitted(cfg: AEConfig) -> set[str]:
    t = AETrainer(cfg, seed=0)
    keys = set(t.do_step()) | set(t.evaluate())
    return keys | set(t.history.names())


def test_every_emitted_metric_is_declared_on_every_variant_preset_and_experiment():
    from core.autoencoder.config import EXPERIMENTS, PRESETS
    from core.config import apply_overrides
    from core.metrics import undeclared
    cfgs = [AEConfig(), AEConfig(variant="ae"), AEConfig(variant="dae"),
            AEConfig(dataset="swiss_roll", variant="ae"), AEConfig(dataset="swiss_roll")]
    cfgs += [apply_overrides(AEConfig(), p.overrides) for p in (*PRESETS, *EXPERIMENTS)]
    seen: set[str] = set()
    for cfg in cfgs:
        keys = _emitted(cfg)
        assert undeclared(AETrainer.metrics, keys) == [], cfg
        seen |= keys
    # the declaration holds nothing that no configuration emits
    assert {m.name for m in AETrainer.metrics} == seen


def test_same_seed_same_run_and_metrics_names():
    a, b = AETrainer(AEConfig(), seed=5), AETrainer(AEConfig(), seed=5)
    ma = [a.do_step() for _ in range(5)]
    mb = [b.do_step() for _ in range(5)]
    assert ma == mb and set(ma[0]) == {"loss", "recon", "kl"}
    c = AETrainer(AEConfig(), seed=6)
    assert [c.do_step() for _ in range(5)] != ma
    ev = a.evaluate()
    assert set(ev) == {"test_recon", "test_mse", "test_bce", "test_kl"}
    dae = AETrainer(AEConfig(variant="dae"), seed=0)
    assert set(dae.do_step()) == {"loss", "recon"}
    assert {"test_denoise_mse", "noisy_mse"} <= set(dae.evaluate())
    roll = AETrainer(AEConfig(dataset="swiss_roll", variant="ae"), seed=0)
    assert "test_bce" not in roll.evaluate()


def test_beta_zero_is_kl_free_and_beta_weights_kl():
    t = AETrainer(AEConfig(beta=0.0), seed=0)
    for _ in range(20):
        m = t.do_step()
        assert m["loss"] == m["recon"] and m["kl"] > 0
    t1 = AETrainer(AEConfig(beta=2.0), seed=0)
    m1 = t1.do_step()
    assert m1["loss"] == pytest.approx(m1["recon"] + 2.0 * m1["kl"], rel=1e-5)


def test_divergence_detected_not_raised():
    t = AETrainer(AEConfig(lr=1.0), seed=0)
    res = t.run_steps(500)
    assert res.diverged is not None and t.diverged is res.diverged
    assert res.steps < 500 and "learning rate 1" in t.diverged.message()
    assert t.do_step() == {}          # stays paused, still inspectable
    snap = t.snapshot()
    assert snap.z.shape == (359, 2)


@pytest.mark.parametrize("over", [dict(variant="ae"), dict(variant="dae"),
                                  dict(variant="ae", activation="tanh"),
                                  dict(variant="ae", hidden="128,64")])
def test_lr_1_diverges_for_every_variant(over):
    """One wide ReLU layer spikes to ~1e6 at lr 1, below the base's 1e8, then its units die:
    the relative check (explode_factor x the first loss) stops it."""
    t = AETrainer(AEConfig(lr=1.0, **over), seed=0)
    t.run_steps(300)
    assert t.diverged is not None and t.diverged.metric == "loss"
    assert t.diverged.value > AETrainer.explode_factor * t.history.series("loss")[1][0]
    # a healthy run never trips it
    ok = AETrainer(AEConfig(**over), seed=0)
    ok.run_steps(150)
    assert ok.diverged is None


def test_live_changes():
    t = AETrainer(AEConfig(variant="dae", noise_level=0.2), seed=0)
    t.evaluate()
    before = t.x_test_noisy.clone()
    assert t.apply_live(t.config.replace(noise_level=0.6, lr=0.01))
    assert t.opt.param_groups[0]["lr"] == 0.01
    assert (t.x_test_noisy - t.x_test).abs().mean() > (before - t.x_test).abs().mean()
    assert not t.apply_live(t.config.replace(latent_dim=4))      # needs a rebuild


def test_snapshot_contents_sizes_and_no_side_effects():
    a, b = AETrainer(AEConfig(), seed=0), AETrainer(AEConfig(), seed=0)
    a.run_steps(30)
    b.run_steps(30)
    s = a.snapshot()
    assert a.do_step() == b.do_step()                 # snapshot consumed no randomness
    assert s.z.shape == (359, 2) and s.xy.shape == (359, 2)
    assert s.labels.dtype == np.uint8 and s.ex_idx.tolist() == [
        int(np.flatnonzero(a.data.y_test == c)[0]) for c in range(10)]
    assert s.ex_orig.shape == s.ex_recon.shape == (10, 64)
    assert s.grid.shape == (T.GRID_SIZE, T.GRID_SIZE, 64)
    assert s.nbytes < 200_000
    for f in dataclasses.fields(s):
        v = getattr(s, f.name)
        if isinstance(v, np.ndarray):
            assert v.dtype in (np.float32, np.uint8, np.int32), f.name
    # plain values, not 0-d numpy arrays
    assert type(s.activation) is str and type(s.output) is str and s.output == "sigmoid"
    assert type(s.variational) is bool and s.variational
    assert type(s.pca_mse) is float and s.pca_mse == pytest.approx(a.pca_mse)
    assert s.image_shape == (8, 8) and s.images and s.points is None
    assert [w.shape for w, _ in s.decoder] == [(256, 2), (64, 256)]
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.z = None
    roll = AETrainer(AEConfig(dataset="swiss_roll", variant="ae"), seed=0).snapshot()
    assert roll.image_shape is None and not roll.images and roll.output == "linear"
    assert roll.points.shape == roll.points_recon.shape == (400, 3)
    # VAE grid over N(0, 1) quantiles 5..95 %
    assert s.grid_u[0] == pytest.approx(-1.6449, abs=1e-3)
    assert s.grid_u[-1] == pytest.approx(1.6449, abs=1e-3)


def test_decode_snapshot_matches_live_model_at_that_step():
    t = AETrainer(AEConfig(variant="ae", latent_dim=4), seed=0)
    t.run_steps(40)
    snap = t.snapshot()
    z = np.random.default_rng(0).standard_normal((6, 4)).astype(np.float32)
    with torch.no_grad():
        live = t.model.reconstruct(t.model.decode(torch.from_numpy(z))).numpy()
    np.testing.assert_allclose(T.decode(z, snap), live, atol=1e-5)
    # the snapshot keeps that moment: after more training it still decodes as before
    t.run_steps(40)
    np.testing.assert_allclose(T.decode(z, snap), live, atol=1e-5)
    with torch.no_grad():
        later = t.model.reconstruct(t.model.decode(torch.from_numpy(z))).numpy()
    assert np.abs(later - live).max() > 1e-3
    np.testing.assert_allclose(T.decode(z, t.snapshot()), later, atol=1e-5)   # its own decoder
    # test latents in the snapshot decode to the reconstructions it holds
    i = snap.ex_idx
    np.testing.assert_allclose(T.decode(snap.z[i], snap), snap.ex_recon, atol=1e-5)


def test_plane_projection_pca_and_identity():
    t = AETrainer(AEConfig(variant="ae", latent_dim=6), seed=0)
    t.run_steps(30)
    s = t.snapshot()
    b = s.basis
    np.testing.assert_allclose(b @ b.T, np.eye(2), atol=1e-5)        # orthonormal plane
    np.testing.assert_allclose((s.z - s.center) @ b.T, s.xy, atol=1e-4)
    # a point on the plane maps to latent space and back to the same plane coordinates
    uv = np.array([[0.3, -0.2], [1.0, 2.0]], np.float32)
    z = T.plane_to_latent(uv, s)
    np.testing.assert_allclose((z - s.center) @ b.T, uv, atol=1e-5)
    assert s.explained[0] >= s.explained[1] > 0 and s.explained.sum() <= 1 + 1e-6
    # the first axis carries the most variance: equal to PCA from scikit-learn
    from sklearn.decomposition import PCA
    ratio = PCA(2).fit(s.z).explained_variance_ratio_
    np.testing.assert_allclose(s.explained, ratio, rtol=1e-3)
    s2 = AETrainer(AEConfig(variant="ae"), seed=0).snapshot()
    np.testing.assert_array_equal(s2.basis, np.eye(2))
    np.testing.assert_array_equal(s2.xy, s2.z)
    # AE grid spans the test latents; the sliders' range is the grid's
    assert s2.grid_u[0] <= np.percentile(s2.xy[:, 0], 1)
    (u0, u1), (v0, v1) = s2.plane_bounds
    assert (u0, u1, v0, v1) == (s2.grid_u[0], s2.grid_u[-1], s2.grid_v[0], s2.grid_v[-1])


def test_interpolation_endpoints():
    t = AETrainer(AEConfig(), seed=0)
    t.run_steps(20)
    s = t.snapshot()
    path = T.interpolate(s, 3, 7, n=5)
    assert path.shape == (5, 64)
    np.testing.assert_allclose(path[0], T.decode(s.z[3], s)[0], atol=1e-6)
    np.testing.assert_allclose(path[-1], T.decode(s.z[7], s)[0], atol=1e-6)


@pytest.mark.slow
def test_embed():
    z = np.random.default_rng(0).standard_normal((120, 5)).astype(np.float32)
    p = T.embed(z, "pca")
    assert p.shape == (120, 2) and p[:, 0].var() >= p[:, 1].var()
    ts = T.embed(z, "tsne", seed=0)
    assert ts.shape == (120, 2) and np.all(np.isfinite(ts))
    np.testing.assert_allclose(ts, T.embed(z, "tsne", seed=0))
    with pytest.raises(ValueError, match="Expect method"):
        T.embed(z, "umap")


def test_checkpoint_round_trip():
    t = AETrainer(AEConfig(variant="ae", latent_dim=3), seed=2)
    t.run_steps(30)
    back = AETrainer.load_bytes(t.save_bytes())
    assert back.step == 30 and back.config == t.config
    assert back.evaluate() == t.evaluate()


def test_large_decoder_snapshot_stays_small():
    t = AETrainer(AEConfig(hidden="512,512,512", latent_dim=16, variant="ae"), seed=0)
    s = t.snapshot()
    assert s.decoder[1][0].dtype == np.float16
    assert s.nbytes < 2_000_000
    z = s.z[:3]
    with torch.no_grad():
        live = t.model.reconstruct(t.model.decode(torch.from_numpy(z))).numpy()
    np.testing.assert_allclose(T.decode(z, s), live, atol=2e-2)   # float16 weights


# ---- short runs where a metric crosses a stated value ------------------------------------------
def _steps_until(t: AETrainer, key: str, below: float, max_steps: int,
                 every: int = 25) -> int | None:
    while t.step < max_steps:
        t.run_steps(every)
        if t.evaluate()[key] < below:
            return t.step
    return None


@pytest.mark.slow
def test_vae2_beats_pca2_within_400_steps():
    pca = D.pca_baseline("digits", 2)
    t = AETrainer(AEConfig(variant="vae", latent_dim=2), seed=0)
    assert _steps_until(t, "test_mse", pca, 400) is not None
    assert t.evaluate()["test_kl"] > 0.5            # the VAE uses its latent


@pytest.mark.slow
def test_ae8_reaches_bce_030_within_250_steps():
    t = AETrainer(AEConfig(variant="ae", latent_dim=8), seed=0)
    assert _steps_until(t, "test_bce", 0.30, 250) is not None


@pytest.mark.slow
def test_dae_denoises_better_than_identity():
    t = AETrainer(AEConfig(variant="dae", latent_dim=8, noise_level=0.5), seed=0)
    ev0 = t.evaluate()
    assert ev0["test_denoise_mse"] > 0.5 * ev0["noisy_mse"]
    t.run_steps(600)
    ev = t.evaluate()
    assert ev["noisy_mse"] > 0.1                    # heavy noise: identity map is poor
    assert ev["test_denoise_mse"] < 0.5 * ev["noisy_mse"]


@pytest.mark.slow
def test_beta_controls_kl():
    kls = {}
    for beta in (0.0, 4.0):
        t = AETrainer(AEConfig(beta=beta), seed=0)
        t.run_steps(400)
        kls[beta] = t.evaluate()["test_kl"]
    assert kls[0.0] > 2 * kls[4.0] > 0


@pytest.mark.slow
def test_swiss_roll_ae_beats_pca2():
    pca = D.pca_baseline("swiss_roll", 2)
    t = AETrainer(AEConfig(dataset="swiss_roll", variant="ae", hidden="64,64",
                           activation="tanh"), seed=0)
    assert _steps_until(t, "test_mse", 0.5 * pca, 1500, every=50) is not None


def test_theory_sections_and_citations(root):
    text = (root / "core" / "autoencoder" / "theory.md").read_text()
    heads = [line[3:].strip() for line in text.splitlines() if line.startswith("## ")]
    assert heads == ["Overview", "Theory", "Implementation", "Strengths and weaknesses",
                     "Use cases", "Related architectures", "Ethical considerations",
                     "References"]
    refs = text.split("## References")[1]
    for cite in ("Hinton and R. R. Salakhutdinov (2006)", "Vincent", "(2008)",
                 "Kingma and M. Welling (2014)", "Higgins", "(2017)"):
        assert cite in refs
    assert text.count("$$") % 2 == 0 and "\\mathcal{L}_{\\beta}" in text


def test_docstring_examples_run():
    import doctest

    from core.autoencoder import config as C
    for mod in (M, C):
        res = doctest.testmod(mod)
        assert res.failed == 0 and res.attempted >= 1, mod.__name__
