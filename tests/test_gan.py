"""GAN family: shapes, closed forms, data statistics, CSV validation, trainer behaviour,
figures, and short runs where mode coverage rises (slow)."""
from __future__ import annotations

import dataclasses
import math
import pickle

import numpy as np
import pytest
import torch

from core import figures as CF
from core.config import apply_overrides, validate
from core.datasets import digits
from core.gan import data as gdata
from core.gan import figures as gfig
from core.gan.config import EXPERIMENTS, LOSSES, PRESETS, GANConfig
from core.gan.losses import d_loss, d_output, g_loss, gradient_penalty
from core.gan.metrics import METRICS, mode_stats
from core.gan.model import Discriminator, Generator, sample_noise
from core.gan.snapshot import DigitsSnapshot, FieldSnapshot, ModeCoverage
from core.gan.trainer import HEAT_RES, MANIFOLD_RES, N_ARROWS, N_SHOW, GANTrainer
from core.history import History
from core.metrics import undeclared


@pytest.fixture(autouse=True)
def validated():
    """Build every figure with plotly's property validation on: a typo in a dict fails here."""
    from core.plotly_fast import checking
    with checking():
        yield

SMALL = dict(g_hidden=16, d_hidden=16, batch_size=32)


# ---- 1. shapes ---------------------------------------------------------------------------------
def test_model_shapes():
    G = Generator(3, 16, 2, 2)
    D = Discriminator(2, 16, 3, spectral_norm=True)
    z = torch.zeros(5, 3)
    assert G(z).shape == (5, 2)
    assert D(G(z)).shape == (5,)
    Gi = Generator(8, 16, 1, 64, image=True)
    x = Gi(torch.randn(4, 8))
    x = x.detach()
    assert x.shape == (4, 64) and float(x.min()) >= 0 and float(x.max()) <= 1
    # spectral norm wraps every linear layer of D (3 hidden + output)
    assert sum(hasattr(m, "parametrizations") for m in D.modules()) == 4


def test_noise_distributions():
    g = torch.Generator().manual_seed(0)
    u = sample_noise("uniform", 4000, 3, g)
    n = sample_noise("gaussian", 4000, 3, g)
    assert u.shape == n.shape == (4000, 3)
    assert float(u.min()) >= -1 and float(u.max()) <= 1
    assert abs(float(n.std()) - 1) < 0.05 and abs(float(u.var()) - 1 / 3) < 0.02
    with pytest.raises(ValueError, match="gaussian"):
        sample_noise("cauchy", 2, 2, g)


def test_snapshot_shapes_and_size():
    t = GANTrainer(GANConfig(**SMALL), seed=0)
    s = t.snapshot()
    assert isinstance(s, FieldSnapshot)
    assert s.heat.shape == (HEAT_RES, HEAT_RES) and s.heat.dtype == np.float32
    assert s.real.shape == s.fake.shape == (N_SHOW, 2)
    assert s.arrow_xy.shape == s.arrow_uv.shape == (N_ARROWS, 2)
    assert s.manifold.shape == (MANIFOLD_RES, MANIFOLD_RES, 2)
    assert isinstance(s.coverage, ModeCoverage)
    assert s.coverage.centres.shape == (8, 2) and s.coverage.counts.shape == (8,)
    assert len(pickle.dumps(s)) < 200_000
    # the heatmap is D's probability for the non-saturating loss
    assert s.heat_kind == "prob" and 0 <= float(s.heat.min()) <= float(s.heat.max()) <= 1
    d = GANTrainer(GANConfig(dataset="digits", z_dim=8, **SMALL), seed=0).snapshot()
    assert isinstance(d, DigitsSnapshot)
    assert d.samples.shape == (32, 8, 8) and d.interp.shape == (10, 8, 8)
    assert d.real.shape == (16, 8, 8)
    assert len(pickle.dumps(d)) < 200_000


def _plain(x):
    """True for the values a snapshot may hold: arrays of numbers, plain python values and
    nested snapshot parts (no 0-d numpy strings or scalars)."""
    if isinstance(x, np.ndarray):
        return x.ndim > 0 and x.dtype.kind in "biuf"
    if dataclasses.is_dataclass(x):
        return all(_plain(getattr(x, f.name)) for f in dataclasses.fields(x))
    if isinstance(x, tuple):
        return all(type(v) is float for v in x)
    return x is None or type(x) in (int, float, str)


@pytest.mark.parametrize("over", [{}, {"loss": "wgan-gp"}, {"dataset": "moons"},
                                  {"dataset": "digits", "z_dim": 8}])
def test_snapshot_is_a_frozen_dataclass_of_arrays_and_plain_values(over):
    s = GANTrainer(GANConfig(**SMALL, **over), seed=0).snapshot()
    assert dataclasses.is_dataclass(s) and _plain(s)
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.real = None
    if isinstance(s, FieldSnapshot):
        assert (s.coverage is None) == (over.get("dataset") == "moons")
        assert s.heat_kind == ("score" if over.get("loss") == "wgan-gp" else "prob")
        assert len(s.bounds) == 4 and s.bounds[0] < s.bounds[1]


@pytest.mark.parametrize("preset", PRESETS + EXPERIMENTS, ids=lambda p: p.name)
def test_every_emitted_metric_is_declared(preset):
    """train_step and evaluate (every preset, every step mode) emit only declared keys."""
    cfg = apply_overrides(GANConfig(), preset.overrides).replace(
        g_hidden=16, d_hidden=16, batch_size=16)
    t = GANTrainer(cfg, seed=0)
    emitted = set()
    for mode in ("both", "d", "g"):
        t.config = t.config.replace(step_mode=mode)
        emitted |= set(t.train_step())
    emitted |= set(t.evaluate())
    assert undeclared(METRICS, emitted) == [], preset.name
    assert GANTrainer.metrics is METRICS
    want = ({"d_loss", "g_loss", "g_grad", "spread"}
            | ({"modes", "hq_share"} if cfg.has_modes else set()))
    assert emitted == want


# ---- 2. closed forms ---------------------------------------------------------------------------
R = torch.tensor([2.0, -1.0, 0.5])
FK = torch.tensor([-3.0, 0.0, 1.5])


def _sig(x):
    return 1 / (1 + math.exp(-x))


def test_probabilistic_losses_closed_form():
    ld = -np.mean([math.log(_sig(r)) for r in R.tolist()]) - np.mean(
        [math.log(1 - _sig(f)) for f in FK.tolist()])
    for kind in ("minimax", "nonsat"):
        assert torch.allclose(d_loss(kind, R, FK), torch.tensor(ld, dtype=torch.float32))
    sat = np.mean([math.log(1 - _sig(f)) for f in FK.tolist()])
    ns = -np.mean([math.log(_sig(f)) for f in FK.tolist()])
    assert torch.allclose(g_loss("minimax", FK), torch.tensor(sat, dtype=torch.float32))
    assert torch.allclose(g_loss("nonsat", FK), torch.tensor(ns, dtype=torch.float32))
    # stays finite where a naive log(1 - sigmoid) would give -inf
    assert torch.isfinite(g_loss("minimax", torch.tensor([60.0])))
    assert torch.allclose(d_output("nonsat", FK), torch.sigmoid(FK))
    assert torch.equal(d_output("hinge", FK), FK)


def test_lsgan_hinge_wgan_closed_form():
    # hand computation with R = (2, -1, .5), F = (-3, 0, 1.5)
    ls_d = 0.5 * (1 + 4 + 0.25) / 3 + 0.5 * (9 + 0 + 2.25) / 3
    ls_g = 0.5 * (16 + 1 + 0.25) / 3
    hinge_d = (0 + 2 + 0.5) / 3 + (0 + 1 + 2.5) / 3
    w_d = (-3 + 0 + 1.5) / 3 - (2 - 1 + 0.5) / 3
    cases = [(d_loss("lsgan", R, FK), ls_d), (g_loss("lsgan", FK), ls_g),
             (d_loss("hinge", R, FK), hinge_d), (g_loss("hinge", FK), -(-3 + 0 + 1.5) / 3),
             (d_loss("wgan-gp", R, FK), w_d), (g_loss("wgan-gp", FK), 0.5)]
    for got, want in cases:
        assert torch.allclose(got, torch.tensor(want, dtype=torch.float32)), (got, want)
    with pytest.raises(ValueError, match="Expect a loss"):
        d_loss("bce", R, FK)


def test_saturating_gradient_vanishes_where_nonsat_does_not():
    f = torch.tensor([-8.0], requires_grad=True)  # D confidently says "fake"
    (g_sat,) = torch.autograd.grad(g_loss("minimax", f), f)
    (g_ns,) = torch.autograd.grad(g_loss("nonsat", f), f)
    assert torch.allclose(g_sat, -torch.sigmoid(torch.tensor([-8.0])))   # -σ(f) ≈ -3e-4
    assert torch.allclose(g_ns, -(1 - torch.sigmoid(torch.tensor([-8.0]))))  # ≈ -1
    assert abs(float(g_sat)) < 1e-3 < 0.99 < abs(float(g_ns))


def test_gradient_penalty_linear_critic():
    # D(x) = w·x + b has gradient w everywhere: GP = (|w| - 1)^2
    D = torch.nn.Linear(2, 1)
    with torch.no_grad():
        D.weight.copy_(torch.tensor([[3.0, 4.0]]))
    real, fake = torch.randn(6, 2), torch.randn(6, 2)
    gp = gradient_penalty(lambda x: D(x).squeeze(-1), real, fake, torch.rand(6, 1))
    assert torch.allclose(gp, torch.tensor(16.0))


def test_gradient_penalty_quadratic_critic_by_hand():
    # D(x) = |x|^2: grad = 2 x_hat, so GP = mean (2|x_hat| - 1)^2
    real = torch.tensor([[1.0, 0.0], [0.0, 2.0]])
    fake = torch.tensor([[0.0, 0.0], [0.0, -2.0]])
    eps = torch.tensor([[0.5], [0.25]])
    # x_hat = (0.5, 0) and (0, 0.25*2 + 0.75*-2) = (0, -1)
    want = ((2 * 0.5 - 1) ** 2 + (2 * 1.0 - 1) ** 2) / 2
    gp = gradient_penalty(lambda x: (x ** 2).sum(1), real, fake, eps)
    assert torch.allclose(gp, torch.tensor(want))
    # and it is differentiable with respect to the critic's parameters
    w = torch.tensor(1.5, requires_grad=True)
    gp2 = gradient_penalty(lambda x: w * (x ** 2).sum(1), real, fake, eps)
    (dw,) = torch.autograd.grad(gp2, w)
    # GP(w) = mean (2w|x| - 1)^2 with |x| = .5, 1: dGP/dw = mean 2(2w|x|-1)(2|x|)
    want_dw = (2 * (2 * 1.5 * 0.5 - 1) * 1.0 + 2 * (2 * 1.5 * 1.0 - 1) * 2.0) / 2
    assert torch.allclose(dw, torch.tensor(want_dw))


def test_mode_stats_by_hand():
    c = np.array([[0.0, 0.0], [4.0, 0.0], [0.0, 4.0]])
    s = np.array([[0.1, 0.0], [0.0, 0.1], [4.0, 0.05], [2.0, 2.0], [0.0, 3.5]])
    covered, share, counts = mode_stats(s, c, spread=0.1, min_share=0.1)
    assert counts.tolist() == [2, 1, 0]          # (0, 3.5) is 5σ from its mode
    assert covered == 2 and share == pytest.approx(3 / 5)


# ---- data --------------------------------------------------------------------------------------
@pytest.mark.parametrize("name,k", [("ring8", 8), ("grid25", 25), ("hills", 2)])
def test_mixture_statistics(name, k):
    c = gdata.mode_centres(name)
    assert c.shape == (k, 2)
    if name == "ring8":
        assert np.allclose(np.linalg.norm(c, axis=1), 2.0)
    if name == "grid25":
        assert sorted(set(c[:, 0].tolist())) == [-4.0, -2.0, 0.0, 2.0, 4.0]
    x = gdata.sample_2d(name, np.random.default_rng(1), 40_000, 0.05)
    nearest = ((x[:, None] - c[None]) ** 2).sum(-1).argmin(1)
    for j in range(k):
        pts = x[nearest == j]
        assert abs(len(pts) / len(x) - 1 / k) < 0.02          # equal weights
        assert np.allclose(pts.mean(0), c[j], atol=0.01)       # centred on the mode
        assert np.allclose(pts.std(0), 0.05, rtol=0.1)         # the spread slider


def test_curve_datasets_statistics():
    rng = np.random.default_rng(0)
    rings = gdata.sample_2d("rings", rng, 30_000, 0.0)
    r = np.linalg.norm(rings, axis=1)
    assert np.allclose(np.sort(np.unique(r.round(4))), [1.0, 2.0])
    assert abs((r < 1.5).mean() - 1 / 3) < 0.02
    moons = gdata.sample_2d("moons", rng, 10_000, 0.0)
    spiral = gdata.sample_2d("spiral", rng, 10_000, 0.0)
    assert np.linalg.norm(spiral, axis=1).max() <= 2.5 + 1e-5
    for x in (rings, moons, spiral):
        b = gdata.bounds("ring8")
        assert x[:, 0].min() > b[0] and x[:, 0].max() < b[1]
    assert abs(float(moons.mean(0)[1])) < 0.1


def test_parse_csv_accepts_header_and_separators():
    rows = "\n".join(f"{i / 10};{-i / 5}" for i in range(12))
    pts = gdata.parse_csv(("x;y\n" + rows + "\n\n").encode())
    assert pts.shape == (12, 2) and pts.dtype == np.float32
    assert pts[3].tolist() == pytest.approx([0.3, -0.6])
    assert gdata.parse_csv("\n".join(f"{i}\t{i * i}" for i in range(10))).shape == (10, 2)


@pytest.mark.parametrize("text,match", [
    ("", "empty"),
    ("x,y\n1,2\n3,4", "at least 10"),
    ("\n".join(["1,2,3"] * 12), "3 columns; expect exactly 2"),
    ("1,2\n" * 5 + "1,abc\n" + "1,2\n" * 5, "Row 6 is not numeric"),
    ("1,2\n" * 5 + "1,nan\n" + "1,2\n" * 5, "non-finite"),
    ("1,1\n" * 12, "identical"),
])
def test_parse_csv_errors(text, match):
    with pytest.raises(ValueError, match=match):
        gdata.parse_csv(text)


def test_parse_csv_limits():
    with pytest.raises(ValueError, match="limit is 1 MB"):
        gdata.parse_csv(b"1,2\n" * 300_000)
    with pytest.raises(ValueError, match="not UTF-8"):
        gdata.parse_csv(b"\xff\xfe1,2\n" * 20)
    with pytest.raises(ValueError, match="More than 20000 rows"):
        gdata.parse_csv("1,2\n" * 20_001)


def test_digits_data():
    x = digits()[0]
    assert x.shape == (1797, 64) and x.dtype == np.float32
    assert float(x.min()) == 0 and float(x.max()) == 1


# ---- config ------------------------------------------------------------------------------------
def test_config_defaults_presets_and_problems():
    assert validate(GANConfig()) == []
    for p in PRESETS + EXPERIMENTS:
        assert validate(apply_overrides(GANConfig(), p.overrides)) == [], p.name
    assert len(EXPERIMENTS) == 6 and all(e.question and e.watch for e in EXPERIMENTS)
    for problem, fix in zip(EXPERIMENTS[::2], EXPERIMENTS[1::2]):   # each pathology, then its fix
        assert "fixed" in fix.name and problem.name[:8] == fix.name[:8]
    probs = validate(GANConfig(dataset="digits", z_dim=1))
    assert any("z_dim 8" in p for p in probs)
    probs = validate(GANConfig(optimizer="sgd", lr=0.8))
    assert any("pick 0.1" in p for p in probs)


# ---- trainer -----------------------------------------------------------------------------------
def _params(m):
    return torch.cat([p.detach().flatten().clone() for p in m.parameters()])


def test_same_seed_same_run_and_all_losses_step():
    for loss in LOSSES:
        cfg = GANConfig(loss=loss, **SMALL)
        a, b = GANTrainer(cfg, seed=3), GANTrainer(cfg, seed=3)
        a.run_steps(3)
        b.run_steps(3)
        assert torch.equal(_params(a.G), _params(b.G)), loss
        assert a.history.last("d_loss") == b.history.last("d_loss")
        assert math.isfinite(a.history.last("g_loss"))


def test_step_player_moves_only_that_player():
    t = GANTrainer(GANConfig(**SMALL), seed=0)
    g0, d0, h0 = _params(t.G), _params(t.D), t.snapshot().heat
    t.step_player("d", 5)
    assert torch.equal(_params(t.G), g0) and not torch.equal(_params(t.D), d0)
    h1 = t.snapshot().heat
    assert np.abs(h1 - h0).max() > 1e-3          # the heatmap changes
    assert t.step == 5 and "g_loss" not in t.history.names()
    d1 = _params(t.D)
    t.step_player("g", 2)
    assert torch.equal(_params(t.D), d1) and not torch.equal(_params(t.G), g0)
    assert t.config.step_mode == "both"         # restored
    with pytest.raises(ValueError, match="'d' or 'g'"):
        t.step_player("x")


def test_step_mode_live_and_lr_live():
    t = GANTrainer(GANConfig(**SMALL), seed=0)
    assert t.apply_live(t.config.replace(step_mode="g", lr=5e-4, lr_d=2e-4))
    assert t.opt_g.param_groups[0]["lr"] == 5e-4 and t.opt_d.param_groups[0]["lr"] == 2e-4
    d0 = _params(t.D)
    t.run_steps(2)
    assert torch.equal(_params(t.D), d0)
    assert not t.apply_live(t.config.replace(loss="hinge"))   # architecture/loss: rebuild


def test_d_steps_and_wgan_penalty_run():
    t = GANTrainer(GANConfig(loss="wgan-gp", d_steps=3, **SMALL), seed=0)
    calls = []
    orig = t.d_step
    t.d_step = lambda: calls.append(1) or orig()
    t.run_steps(2)
    assert len(calls) == 6


def test_divergence_is_reported_not_raised():
    cfg = GANConfig(optimizer="sgd", lr=0.5, lr_d=1.0, loss="wgan-gp", gp_lambda=0.0,
                    momentum=0.9, **SMALL)
    t = GANTrainer(cfg, seed=0)
    res = t.run_steps(400)
    assert res.diverged is not None and "learning rates" in res.diverged.message()


def test_state_dict_round_trip():
    t = GANTrainer(GANConfig(**SMALL), seed=1)
    t.run_steps(4)
    u = GANTrainer.load_bytes(t.save_bytes())
    assert u.step == 4 and torch.equal(_params(u.G), _params(t.G))
    assert torch.equal(_params(u.D), _params(t.D))


def test_csv_dataset_trains_on_uploaded_points():
    pts = gdata.parse_csv("\n".join(f"{i % 5},{i // 5}" for i in range(25)))
    t = GANTrainer(GANConfig(dataset="csv", **SMALL), seed=0, points=pts)
    t.run_steps(2)
    s = t.snapshot()
    assert s.coverage is None and s.bounds[0] < 0 < 4 < s.bounds[1]
    with pytest.raises(ValueError, match="upload a CSV"):
        GANTrainer(GANConfig(dataset="csv"), seed=0)


# ---- figures -----------------------------------------------------------------------------------
def test_field_figure_traces():
    t = GANTrainer(GANConfig(**SMALL), seed=0)
    s = t.snapshot()
    fig = gfig.field_figure(s)
    names = [tr.name for tr in fig.data]
    assert names[:4] == ["discriminator", "G(noise grid)", "real", "generated"]
    assert "G's gradient" in names and len(fig.layout.shapes) == 8   # 3σ circles
    heat = fig.data[0]
    assert heat.zmin == 0 and heat.zmax == 1
    arrows = fig.data[names.index("G's gradient")]
    seg = np.hypot(np.diff(np.asarray(arrows.x, float))[0::3],
                   np.diff(np.asarray(arrows.y, float))[0::3])
    assert seg.max() == pytest.approx(0.08 * 6.4, rel=1e-4)  # longest arrow: 8% of the width
    only = gfig.field_figure(s, layers=("fake",))
    assert [tr.name for tr in only.data] == ["generated"]
    bars = gfig.mode_bars(s)
    assert len(bars.data[0].y) == 8 and "modes covered" in bars.layout.title.text


def test_score_heatmap_is_centred():
    t = GANTrainer(GANConfig(loss="wgan-gp", **SMALL), seed=0)
    heat = gfig.field_figure(t.snapshot()).data[0]
    assert heat.zmid == 0 and heat.zmin is None


def test_digit_figures_and_charts():
    t = GANTrainer(GANConfig(dataset="digits", z_dim=8, **SMALL), seed=0)
    s = t.snapshot()
    assert gfig.digit_grid(s).data[0].z.shape == (4 * 9 - 1, 8 * 9 - 1)
    assert gfig.interpolation_strip(s).data[0].z.shape == (8, 10 * 9 - 1)
    assert list(gfig.live_figures(s, t.history, t.config)) == ["digits", "interp"]
    t.run_steps(3)
    figs = gfig.live_figures(t.snapshot(), t.history, t.config)
    assert list(figs) == ["digits", "interp", "losses"]
    assert figs["losses"]["title"] == "Losses"
    lines = {r["metric"] for r in CF.chart_rows(figs["losses"])}
    assert lines == {"Discriminator loss", "Generator loss"}      # labels from METRICS


def test_coverage_chart_puts_modes_and_quality_on_one_axis():
    h = History()
    h.record(50, {"modes": 2.0, "hq_share": 0.1})
    h.record(100, {"modes": 8.0, "hq_share": 0.75})
    spec = gfig.coverage_chart(h, n_modes=8)
    assert spec["title"] == "Mode coverage and sample quality"
    rows = CF.chart_rows(spec)
    got = {(r["metric"], r["step"]): r["value"] for r in rows}
    assert got[("Modes covered (of 8)", 100)] == 1.0 and got[("Modes covered (of 8)", 50)] == 0.25
    assert got[("High-quality share", 100)] == pytest.approx(0.75)
    rule = spec["layer"][-1]["data"]["values"][0]
    assert rule["y"] == 0.7
    cut = CF.chart_rows(gfig.coverage_chart(h, n_modes=8, upto=60))
    assert {r["step"] for r in cut} == {50}                       # scrubbing back hides later


def test_live_figures_are_what_the_page_draws_each_tick():
    t = GANTrainer(GANConfig(**SMALL), seed=0)
    s = t.snapshot()
    # step 0: only the field; no empty curves, no row of empty bars
    assert list(gfig.live_figures(s, t.history, t.config)) == ["field"]
    t.step_player("d", 1)                                         # D only: bars, a loss
    assert list(gfig.live_figures(t.snapshot(), t.history, t.config)) == [
        "field", "losses", "modes"]
    t.run_steps(50)                                               # one evaluation
    figs = gfig.live_figures(t.snapshot(), t.history, t.config)
    assert list(figs) == ["field", "losses", "coverage", "modes", "signal"]
    assert figs["signal"]["title"] == "Generator's signal"
    assert figs["signal"]["layer"][0]["encoding"]["y"]["scale"]["type"] == "log"
    assert figs["signal"]["layer"][0]["encoding"]["y"]["title"] == "mean |∂L_G/∂x|"
    only = gfig.live_figures(t.snapshot(), t.history, t.config, layers=("fake",))
    assert [tr.name for tr in only["field"].data] == ["generated"]
    # scrubbing back: curves stop at the chosen step and show a rule there
    back = gfig.live_figures(t.snapshot(), t.history, t.config, upto=20)
    assert max(r["step"] for r in CF.chart_rows(back["losses"])) == 20
    # curves without modes: no coverage chart, no bars
    m = GANTrainer(GANConfig(dataset="moons", **SMALL), seed=0)
    m.run_steps(50)
    assert list(gfig.live_figures(m.snapshot(), m.history, m.config)) == [
        "field", "losses", "signal"]


def test_diagram_follows_settings():
    dot = gfig.diagram(GANConfig(g_hidden=64, d_hidden=32, n_layers=3, spectral_norm=True,
                                 loss="wgan-gp", d_steps=5))
    assert dot.startswith("digraph") and dot.count("Linear 64 + ReLU") == 3
    assert dot.count("Linear 32 + SN + LeakyReLU") == 3 and "×5 steps" in dot
    assert "GP λ=10" in dot
    assert "8×8" in gfig.diagram(GANConfig(dataset="digits"))


# ---- 3. short runs where a stated metric crosses a stated value (slow) ------------------------
def _experiment(prefix: str) -> GANConfig:
    e = next(e for e in EXPERIMENTS if e.name.startswith(prefix))
    return apply_overrides(GANConfig(), e.overrides)


@pytest.mark.slow
def test_default_run_raises_mode_coverage():
    t = GANTrainer(GANConfig(), seed=0)
    start, _ = t.coverage()
    t.run_steps(1200)
    modes, share = t.coverage()
    assert start <= 2 and modes >= 7 and share >= 0.5, (start, modes, share)
    assert t.history.last("modes") == modes      # evaluate() records the same metric


@pytest.mark.slow
def test_mode_collapse_preset_collapses_and_its_fix_covers():
    t = GANTrainer(_experiment("Mode collapse"), seed=0)
    t.run_steps(1500)
    _, modes = t.history.series("modes")
    assert modes.max() <= 3, modes                 # never more than 3 of 8 modes
    spread = t.generate(t.z_eval).std(0).mean()
    assert spread < 1.0                            # the ring itself has std ≈ 1.4 per axis
    fix = GANTrainer(_experiment("Mode collapse, fixed"), seed=0)
    fix.run_steps(1500)
    assert fix.coverage()[0] >= 7


@pytest.mark.slow
def test_saturating_loss_starves_the_generator_and_nonsat_does_not():
    sat = GANTrainer(_experiment("Vanishing gradients (saturating"), seed=0)
    ns = GANTrainer(_experiment("Vanishing gradients, fixed"), seed=0)
    sat.run_steps(300)
    ns.run_steps(300)
    _, g_sat = sat.history.series("g_grad")
    _, g_ns = ns.history.series("g_grad")
    assert np.median(g_sat[-100:]) < 1e-2 < 1.0 < np.median(g_ns[-100:])
    # the starved generator is still near the origin, the other one reached the ring
    assert np.linalg.norm(sat.generate(sat.z_eval), axis=1).mean() < 1.0
    assert np.linalg.norm(ns.generate(ns.z_eval), axis=1).mean() > 1.5


@pytest.mark.slow
def test_oscillation_preset_never_settles():
    t = GANTrainer(_experiment("Oscillation (big"), seed=0)
    centres = []
    for _ in range(10):
        t.run_steps(100)
        centres.append(t.generate(t.z_eval).mean(0))
    centres = np.array(centres)
    path = np.linalg.norm(np.diff(centres, axis=0), axis=1).sum()
    _, modes = t.history.series("modes")
    assert path > 3.0 and modes.max() <= 3, (path, modes)


def test_trainer_on_uploaded_points():
    pts = np.stack([np.arange(20.0), np.arange(20.0) % 3], 1).astype(np.float32)
    t = GANTrainer(GANConfig(dataset="csv", **SMALL), seed=0, points=pts)
    assert np.array_equal(t.points, pts)
    with pytest.raises(ValueError, match="upload a CSV"):
        GANTrainer(GANConfig(dataset="csv", **SMALL), seed=0)
    # every real batch comes from the uploaded points
    real = t._real(64).numpy()
    assert set(map(tuple, real.tolist())) <= set(map(tuple, pts.tolist()))


def test_snapshots_do_not_change_training():
    cfg = GANConfig(spectral_norm=True, **SMALL)
    a, b = GANTrainer(cfg, seed=2), GANTrainer(cfg, seed=2)
    for _ in range(3):
        a.run_steps(2)
        a.record_snapshot(force=True)
        b.run_steps(2)
    assert torch.equal(_params(a.D), _params(b.D)) and torch.equal(_params(a.G), _params(b.G))
    assert a.D.training


@pytest.mark.slow
def test_digits_preset_makes_varied_digit_like_samples():
    """After 100 steps the digits preset's samples are as varied as real digits (no collapse)
    and far closer to some real digit than the same pixels shuffled are."""
    real = digits()[0]

    def diversity(x):  # mean distance between two samples
        return float(np.sqrt(((x[:, None] - x[None]) ** 2).sum(-1)).mean())

    def nearest_real(x):  # mean squared distance to the closest real digit
        return float(((x[:, None] - real[None]) ** 2).sum(-1).min(1).mean())

    preset = next(p for p in PRESETS if p.name.startswith("digits"))
    t = GANTrainer(apply_overrides(GANConfig(), preset.overrides), seed=0)
    t.run_steps(100)
    fake = t.generate(t.z_eval[:200])
    shuffled = np.stack([np.random.default_rng(0).permutation(r) for r in real[:200]])
    assert diversity(fake) > 0.6 * diversity(real[:200])              # ~0.9 here; 0.1 collapsed
    assert nearest_real(fake) < 0.4 * nearest_real(shuffled)          # ~0.2 here
