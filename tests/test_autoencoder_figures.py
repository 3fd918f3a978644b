"""Autoencoder figures: expected traces, axes, sizes, and valid plotly/altair specs."""
from __future__ import annotations

import re

import numpy as np
import plotly.graph_objects as go
import pytest

from core.autoencoder.config import AEConfig
from core.autoencoder.trainer import AETrainer
import core.figures as CF
from core.autoencoder import figures as F
from core.autoencoder import trainer as T


@pytest.fixture(scope="module")
def runs():
    """Snapshots and histories of a short VAE, DAE-8 and swiss-roll AE run."""
    out = {}
    for name, cfg in {"vae": AEConfig(), "dae8": AEConfig(variant="dae", latent_dim=8),
                      "roll": AEConfig(dataset="swiss_roll", variant="ae")}.items():
        t = AETrainer(cfg, seed=0)
        t.run_steps(60)
        out[name] = (t, t.snapshot(), t.history)
    return out


@pytest.fixture(autouse=True)
def validated():
    """Build every figure with plotly's property validation on: a typo in a dict fails here."""
    from core.plotly_fast import checking
    with checking():
        yield


def _names(fig: go.Figure) -> list[str]:
    return [t.name for t in fig.data]


def test_live_figures_are_what_the_page_draws_while_playing(runs):
    t, snap, hist = runs["vae"]
    figs = F.live_figures(snap, hist, t.config)
    assert list(figs) == ["metric_0", "metric_1", "metric_2", "latent", "examples"]
    charts = [figs[f"metric_{i}"] for i in range(3)]
    titles = [c["title"] for c in charts]
    assert titles == ["Reconstruction loss per example", "KL(q(z|x) ‖ N(0, I)) per example",
                      "Test error per feature"]
    assert all(c["height"] == F.CHART_HEIGHT for c in charts)
    metrics = {r["metric"] for r in CF.chart_rows(charts[0])}
    assert metrics == {"train reconstruction", "test reconstruction"}
    err = charts[2]
    pca = [r for r in CF.chart_rows(err) if r.get("metric") == F.PCA_LABEL]
    assert [r["value"] for r in pca] == pytest.approx([t.pca_mse] * 2)
    last_eval = int(hist.series("test_mse")[0][-1])
    assert [r["step"] for r in pca] == [0, last_eval] and last_eval >= 50
    assert {r["metric"] for r in CF.chart_rows(err)} == {"test MSE", F.PCA_LABEL}
    # no rule layer while live (it makes a chart ~8x dearer to build)
    assert all(len(c["layer"]) == 1 for c in charts)
    assert [d.name for d in figs["latent"].data][:10] == [str(k) for k in range(10)]
    assert figs["examples"].layout.title.text == "Test digits and their reconstructions"
    # scrubbing: a marker rule layer at the chosen step, later points hidden
    marked = F.live_figures(snap, hist, t.config, upto=40)["metric_0"]
    assert len(marked["layer"]) == 2 and marked["layer"][1]["mark"]["type"] == "rule"
    assert max(r["step"] for r in CF.chart_rows(marked)) <= 40
    t2, s2, h2 = runs["dae8"]
    figs = F.live_figures(s2, h2, t2.config)
    assert [k for k in figs if k.startswith("metric_")] == ["metric_0", "metric_1"]
    metrics = {r["metric"] for r in CF.chart_rows(figs["metric_1"])}
    assert metrics == {"test MSE", "denoised MSE", "noisy input MSE (identity)", F.PCA_LABEL}
    t3, s3, h3 = runs["roll"]
    figs = F.live_figures(s3, h3, t3.config)
    assert figs["examples"].data[1].name == "reconstruction"      # the 3-D view


def test_live_figures_before_training_are_only_the_snapshot_figures():
    t = AETrainer(AEConfig(), seed=0)
    figs = F.live_figures(t.snapshot(), t.history, t.config)
    assert list(figs) == ["latent", "examples"]


def test_latent_scatter_digits(runs):
    _, s, _ = runs["vae"]
    fig = F.latent_scatter(s, point=(0.5, -0.5), pair=(0, 5))
    assert _names(fig)[:10] == [str(k) for k in range(10)]
    assert sum(len(tr.x) for tr in fig.data[:10]) == 359
    assert _names(fig)[10:] == ["interpolation", "decoded point"]
    assert fig.layout.xaxis.title.text.startswith("z₁")
    # customdata carries test indices, so a clicked point names its test example
    tr = fig.data[3]
    np.testing.assert_allclose(s.xy[np.asarray(tr.customdata), 0], tr.x)
    assert all(s.labels[np.asarray(tr.customdata)] == 3)


def test_latent_scatter_names_projection(runs):
    _, s, _ = runs["dae8"]
    fig = F.latent_scatter(s)
    assert re.fullmatch(r"PC 1 of latent \(\d+% of variance\)", fig.layout.xaxis.title.text)
    assert fig.layout.yaxis.title.text.startswith("PC 2 of latent")
    emb = T.embed(s.z, "pca")
    fig = F.latent_scatter(s, xy=emb, method="t-SNE")
    assert fig.layout.xaxis.title.text == "t-SNE 1 of latent"


def test_latent_scatter_swiss_roll_continuous(runs):
    _, s, _ = runs["roll"]
    fig = F.latent_scatter(s)
    assert len(fig.data) == 1 and fig.data[0].marker.showscale
    assert len(fig.data[0].x) == 400
    np.testing.assert_allclose(np.asarray(fig.data[0].marker.color), s.labels)


def test_examples_grid(runs):
    _, s, _ = runs["vae"]
    fig = F.examples_figure(s)
    z = np.asarray(fig.data[0].z)
    assert z.shape == (2 * 8 + 1, 10 * 8 + 9)          # original + reconstruction rows
    texts = [a.text for a in fig.layout.annotations]
    assert texts[:2] == ["original", "reconstruction"] and texts[2:] == [str(k) for k in range(10)]
    _, s, _ = runs["dae8"]
    fig = F.examples_figure(s)
    assert np.asarray(fig.data[0].z).shape == (3 * 8 + 2, 89)
    assert "noisy input" in [a.text for a in fig.layout.annotations]
    # ink as uint8 0..255 on an explicit white-to-black scale; grey padding between tiles
    z = np.asarray(fig.data[0].z)
    assert z.dtype == np.uint8 and z[:, 8].tolist() == [CF.PAD_INK] * z.shape[0]
    assert fig.data[0].colorscale[0][1].upper() == "#FFFFFF"


def test_decoded_and_interpolation(runs):
    _, s, _ = runs["vae"]
    x = T.decode_plane([[0.0, 0.0]], s)[0]
    fig = F.decoded_figure(x, s)
    assert np.asarray(fig.data[0].z).shape == (8, 8)
    path = T.interpolate(s, 0, 9, n=9)
    fig = F.interpolation_figure(path, s)
    assert np.asarray(fig.data[0].z).shape == (8, 9 * 8 + 8)
    texts = [a.text for a in fig.layout.annotations]
    assert texts[0] == "start" and texts[-1] == "end" and len(texts) == 9
    _, r, _ = runs["roll"]
    fig = F.decoded_figure(T.decode_plane([[0.0, 0.0]], r)[0], r)
    assert _names(fig) == ["data", "decoded point"] and fig.data[1].type == "scatter3d"
    fig = F.interpolation_figure(T.interpolate(r, 0, 10, n=7), r)
    assert len(fig.data[1].x) == 7


def test_manifold(runs):
    _, s, _ = runs["vae"]
    fig = F.manifold_figure(s)
    assert np.asarray(fig.data[0].z).shape == (15 * 9 - 1, 15 * 9 - 1)
    assert "quantiles" in fig.layout.title.text and "z₁" in fig.layout.title.text
    # top-left tile is the decoded point with the smallest u and the largest v
    top_left = np.asarray(fig.data[0].z)[::-1][:8, :8]
    expected = (np.clip(s.grid[-1, 0].reshape(8, 8), 0, 1) * 255 + 0.5).astype(np.uint8)
    np.testing.assert_array_equal(top_left, expected)
    _, d, _ = runs["dae8"]
    assert "span of the test latents" in F.manifold_figure(d).layout.title.text
    _, r, _ = runs["roll"]
    fig = F.manifold_figure(r)
    assert fig.data[1].type == "surface" and np.asarray(fig.data[1].x).shape == (20, 20)


def test_roll_3d(runs):
    _, r, _ = runs["roll"]
    fig = F.examples_figure(r)
    assert _names(fig) == ["data", "reconstruction"]
    assert len(fig.data[1].x) == 400
    assert fig.layout.scene.yaxis.title.text == "x₂ (height)"


def _balanced(dot: str) -> bool:
    return dot.count("{") == dot.count("}") and dot.count("[") == dot.count("]")


def test_diagram_follows_hyperparameters():
    vae = F.diagram(AEConfig(hidden="128,64", latent_dim=2, beta=4.0))
    assert vae.startswith("digraph") and _balanced(vae)
    for text in ("Linear 64→128", "Linear 128→64", "μ", "log σ²", "z = μ + σ ⊙ ε",
                 "β = 4", "Linear 2→64", "sigmoid"):
        assert text in vae
    ae = F.diagram(AEConfig(variant="ae", hidden="32", latent_dim=5, activation="tanh"))
    assert "μ" not in ae and "Linear 32→5" in ae and "Linear 5→32\\ntanh" in ae
    dae = F.diagram(AEConfig(variant="dae", noise_type="masking", noise_level=0.4))
    assert "drop each input w.p. 0.4" in dae and "clean x" in dae
    roll = F.diagram(AEConfig(dataset="swiss_roll", variant="ae", hidden="64,64"))
    assert "3 coordinates" in roll and "Linear 64→3\\nlinear" in roll
    bad = F.diagram(AEConfig(hidden="12,,x"))           # malformed: draws, does not raise
    assert _balanced(bad) and "?" in bad


def test_figures_module_imports_no_torch_or_streamlit():
    import ast
    import inspect
    tree = ast.parse(inspect.getsource(F))
    mods = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import)
            for a in n.names}
    mods |= {n.module.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert not mods & {"torch", "streamlit"}
