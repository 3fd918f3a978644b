"""Figures of the autoencoder page: a snapshot in, plotly figures or Vega-Lite specs out.

No torch and no streamlit here. Every builder takes an
:class:`~core.autoencoder.snapshot.AESnapshot` (or plain arrays) and returns a figure.

API (stable; the page uses these names)
---------------------------------------
- ``live_figures(snap, history, cfg, upto=None) -> dict[str, figure]``: every figure the page
  draws each tick while training plays: the metric charts (from the trainer's declared
  ``metrics``, PCA-2 as a flat reference series on the error chart), the latent scatter and
  the examples. The page and the bench both draw through it.
- ``latent_scatter(snap, xy=None, method=None, point=None, pair=None) -> go.Figure``: test
  latents coloured by digit (or roll position); ``xy``/``method`` override the plane with an
  embedding (e.g. ``method="t-SNE"``); ``point`` (u, v) marks a decoded point, ``pair`` (i, j)
  the interpolation ends. Each marker's customdata is its test index.
- ``examples_figure(snap)``: originals / noisy inputs (DAE) / reconstructions; for the swiss
  roll the 3-D data vs reconstruction view (same as ``roll_3d``).
- ``decoded_figure(x, snap, title="")``: one decoded point: an image (digits) or a point in 3-D
  drawn over the data (swiss roll). ``x`` is one row of ``trainer.decode``'s output.
- ``manifold_figure(snap)``: the decoded grid over the latent plane (image mosaic, or a decoded
  surface in 3-D for the swiss roll).
- ``interpolation_figure(x, snap, labels=None)``: decoded points between two test examples.
- ``roll_3d(snap)``: swiss roll data and reconstruction in 3-D coloured by position on the roll.
- ``diagram(cfg) -> str``: graphviz DOT of the network for the current hyperparameters.
- ``plane_titles(snap, method=None) -> (x title, y title)``.

Speed: the page rebuilds these every tick, so plotly figures are built from plain dicts with
plotly's per-property validation off (:func:`fast_figure`; ~1 ms instead of 5-40 ms each). The
tests build every figure with validation on (``core.plotly_fast.checking()``), so a wrong
property still fails there.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import plotly.graph_objects as go

from core.autoencoder.metrics import ERROR_CHART, METRICS
from core.autoencoder.snapshot import AESnapshot
from core.figures import CLASS_COLORS, SEQUENTIAL, fast_figure, metric_charts
from core.figures import image_grid as images_figure

__all__ = ["live_figures", "latent_scatter", "examples_figure", "decoded_figure",
           "manifold_figure", "interpolation_figure", "roll_3d", "diagram", "plane_titles",
           "PCA_LABEL"]

PCA_LABEL = "PCA-2 (reference)"
#: total height of a metric chart: under Streamlit's theme the title and the top legend take
#: about 160 px of it
CHART_HEIGHT = 300


def live_figures(snap: AESnapshot, history: Any, cfg: Any, upto: int | None = None
                 ) -> dict[str, Any]:
    """Every figure the page draws each tick while playing, by key, in page order.

    Args:
        snap: the moment to draw.
        history: the trainer's :class:`core.history.History`.
        cfg: the run's :class:`~core.autoencoder.config.AEConfig` (the variant decides which
            metric charts exist, through what ``history`` has recorded).
        upto: the timeline position when scrubbing back (a dashed rule, later points hidden);
            None while live (a rule layer makes a chart about 8x dearer to build).

    Returns:
        ``metric_<k>`` Vega-Lite charts (reconstruction, KL for the VAE, test error with
        PCA-2 as a flat reference series), then ``latent`` and ``examples`` plotly figures.
    """
    charts = metric_charts(history, METRICS, upto=upto, height=CHART_HEIGHT,
                           references={ERROR_CHART: (PCA_LABEL, snap.pca_mse)})
    figs: dict[str, Any] = {f"metric_{i}": c for i, c in enumerate(charts)}
    figs["latent"] = latent_scatter(snap)
    figs["examples"] = examples_figure(snap)
    return figs


def plane_titles(snap: AESnapshot, method: str | None = None) -> tuple[str, str]:
    """Axis titles naming the projection: z₁/z₂, PC k of latent (variance share), or t-SNE k."""
    if method and method.lower() != "pca":
        return f"{method} 1 of latent", f"{method} 2 of latent"
    if snap.z.shape[1] == 2:
        return "z₁ (latent 1)", "z₂ (latent 2)"
    ev = snap.explained
    return (f"PC 1 of latent ({100 * ev[0]:.0f}% of variance)",
            f"PC 2 of latent ({100 * ev[1]:.0f}% of variance)")


def latent_scatter(snap: AESnapshot, xy: np.ndarray | None = None,
                   method: str | None = None, point: Sequence[float] | None = None,
                   pair: Sequence[int] | None = None, height: int = 420) -> go.Figure:
    """Test latents on the plane, coloured by class (digits) or roll position (swiss roll)."""
    xy = snap.xy if xy is None else np.asarray(xy, dtype=np.float32)
    labels = snap.labels
    idx = np.arange(len(xy))
    data: list[dict] = []
    if labels.dtype == np.uint8:           # digit classes: one trace each, legend
        for k in range(10):
            m = labels == k
            data.append(dict(
                type="scatter", x=xy[m, 0], y=xy[m, 1], mode="markers", name=str(k),
                customdata=idx[m], marker=dict(size=6, color=CLASS_COLORS[k]),
                hovertemplate=f"digit {k}, test #%{{customdata}}<extra></extra>"))
        legend = dict(title=dict(text="digit"))
    else:
        data.append(dict(
            type="scatter", x=xy[:, 0], y=xy[:, 1], mode="markers", customdata=idx,
            showlegend=False, hovertemplate="test #%{customdata}<extra></extra>",
            marker=dict(size=6, color=labels, colorscale=SEQUENTIAL, showscale=True,
                        colorbar=dict(title=dict(text="position"), thickness=12))))
        legend = dict(orientation="h", y=-0.2)      # keep clear of the colour bar
    if pair is not None:
        i, j = pair
        data.append(dict(
            type="scatter", x=xy[[i, j], 0], y=xy[[i, j], 1], mode="lines+markers",
            name="interpolation", line=dict(color="#000000", dash="dot", width=2),
            marker=dict(size=12, symbol="circle-open", color="#000000", line=dict(width=2))))
    if point is not None:
        data.append(dict(
            type="scatter", x=[float(point[0])], y=[float(point[1])], mode="markers",
            name="decoded point", marker=dict(size=16, symbol="x", color="#D55E00")))
    xt, yt = plane_titles(snap, method)
    layout = dict(height=height, legend=legend, margin=dict(l=10, r=10, t=30, b=10),
                  title=dict(text="Latent space of the test set", font=dict(size=14)),
                  xaxis=dict(title=dict(text=xt)), yaxis=dict(title=dict(text=yt)))
    return fast_figure(data, layout)


def _digit_labels(snap: AESnapshot) -> list[str]:
    return [str(int(snap.labels[i])) for i in snap.ex_idx]


def _images(x: np.ndarray, snap: AESnapshot) -> np.ndarray:
    h, w = snap.image_shape
    return np.asarray(x, dtype=np.float32).reshape(-1, h, w)


def examples_figure(snap: AESnapshot) -> go.Figure:
    """Originals, noisy inputs (when the DAE corrupts them) and reconstructions."""
    if not snap.images:
        return roll_3d(snap)
    rows = [snap.ex_orig]
    names = ["original"]
    if not np.array_equal(snap.ex_input, snap.ex_orig):
        rows.append(snap.ex_input)
        names.append("noisy input")
    rows.append(snap.ex_recon)
    names.append("reconstruction")
    k = len(snap.ex_orig)
    return images_figure(_images(np.concatenate(rows), snap), k, row_labels=names,
                         col_labels=_digit_labels(snap),
                         title="Test digits and their reconstructions",
                         height=60 * len(rows) + 80)


def _roll_backdrop(snap: AESnapshot, opacity: float = 0.25) -> dict:
    p = snap.points
    return dict(type="scatter3d", x=p[:, 0], y=p[:, 1], z=p[:, 2], mode="markers", name="data",
                marker=dict(size=2, color=snap.labels, colorscale=SEQUENTIAL,
                            opacity=opacity), hoverinfo="skip")


def _layout3d(title: str, height: int) -> dict:
    axis = lambda t: dict(title=dict(text=t))  # noqa: E731
    return dict(
        title=dict(text=title, font=dict(size=14)), height=height,
        margin=dict(l=0, r=0, t=30, b=0),
        scene=dict(xaxis=axis("x₁"), yaxis=axis("x₂ (height)"), zaxis=axis("x₃"),
                   aspectmode="data", camera=dict(eye=dict(x=0.2, y=2.0, z=0.6))),
        legend=dict(orientation="h", y=-0.02))


def roll_3d(snap: AESnapshot, height: int = 420) -> go.Figure:
    """Swiss roll test points (faint) and their reconstructions, coloured by roll position."""
    r = snap.points_recon
    return fast_figure([_roll_backdrop(snap), dict(
        type="scatter3d", x=r[:, 0], y=r[:, 1], z=r[:, 2], mode="markers", name="reconstruction",
        marker=dict(size=3, color=snap.labels, colorscale=SEQUENTIAL, showscale=True,
                    colorbar=dict(title=dict(text="position"), thickness=12)))],
        _layout3d("Swiss roll: data (faint) and reconstruction", height))


def decoded_figure(x: np.ndarray, snap: AESnapshot, title: str = "Decoded point"
                   ) -> go.Figure:
    """One decoded latent point: an 8x8 image, or a point in 3-D over the swiss roll."""
    x = np.asarray(x, dtype=np.float32).reshape(-1)
    if snap.images:
        return images_figure(_images(x, snap), 1, title=title, height=240)
    return fast_figure([_roll_backdrop(snap, 0.15), dict(
        type="scatter3d", x=[float(x[0])], y=[float(x[1])], z=[float(x[2])], mode="markers",
        name="decoded point", marker=dict(size=8, color="#D55E00", symbol="x"))],
        _layout3d(title, 320))


def manifold_figure(snap: AESnapshot) -> go.Figure:
    """What the decoder makes of a grid of latent points over the plane."""
    grid = snap.grid                     # (G, G, D): grid[i, j] at (grid_u[j], grid_v[i])
    g = grid.shape[0]
    span = ("N(0, 1) quantiles 5–95 %" if snap.variational
            else "the span of the test latents")
    xt, yt = plane_titles(snap)
    if snap.images:
        imgs = _images(grid[::-1].reshape(g * g, -1), snap)        # top row = largest v
        return images_figure(
            imgs, g, pad=1, height=460,
            title=f"Decoded grid over {xt.split(' (')[0]} × {yt.split(' (')[0]} ({span})")
    uu = np.broadcast_to(snap.grid_u[None, :], (g, g))
    return fast_figure([_roll_backdrop(snap, 0.15), dict(
        type="surface", x=grid[..., 0], y=grid[..., 1], z=grid[..., 2], surfacecolor=uu,
        colorscale=SEQUENTIAL, showscale=False, opacity=0.85, name="decoded grid")],
        _layout3d(f"Decoded grid over the latent plane ({span})", 420))


def interpolation_figure(x: np.ndarray, snap: AESnapshot,
                         labels: Sequence[str] | None = None) -> go.Figure:
    """Decoded points along the latent line between two test examples (n, D)."""
    x = np.asarray(x, dtype=np.float32)
    n = len(x)
    if snap.images:
        cols = list(labels) if labels is not None else (
            ["start"] + [f"{a:.2f}" for a in np.linspace(0, 1, n)[1:-1]] + ["end"])
        return images_figure(_images(x, snap), n, col_labels=cols,
                             title="Interpolation in latent space", height=170)
    t = np.linspace(0, 1, n)
    return fast_figure([_roll_backdrop(snap, 0.15), dict(
        type="scatter3d", x=x[:, 0], y=x[:, 1], z=x[:, 2], mode="lines+markers",
        name="interpolation", marker=dict(size=4, color=t, colorscale="Cividis"),
        line=dict(color="#000000", width=4))],
        _layout3d("Interpolation in latent space, decoded", 360))


# ---- network diagram ---------------------------------------------------------------------------
def diagram(cfg: Any) -> str:
    """Graphviz DOT of the autoencoder ``cfg`` describes: layer sizes, latent, VAE sampling, noise.

    ``cfg`` is an :class:`~core.autoencoder.config.AEConfig`; malformed hidden sizes draw as
    a single "?" layer rather than raising.
    """
    from core.autoencoder.config import DATA_DIMS, parse_hidden
    sizes, _ = parse_hidden(cfg.hidden)
    hidden = list(sizes) or ["?"]
    d = DATA_DIMS.get(cfg.dataset, "?")
    z = cfg.latent_dim
    act = cfg.activation
    images = cfg.dataset == "digits"
    lines = ["digraph AE {", "  rankdir=LR; splines=spline; nodesep=0.25; ranksep=0.35;",
             '  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=11, '
             'fillcolor="#FFFFFF", color="#555555"];',
             '  edge [color="#555555", arrowsize=0.7];']
    x_label = f"x\\n{d} pixels (8×8)" if images else f"x\\n{d} coordinates"
    lines.append(f'  x [label="{x_label}", fillcolor="#DCEBF7"];')
    prev = "x"
    if cfg.variant == "dae":
        noise = (f"x + N(0, {cfg.noise_level:g}²)" if cfg.noise_type == "gaussian"
                 else f"drop each input w.p. {cfg.noise_level:g}")
        lines.append(f'  noise [label="corrupt\\n{noise}", shape=note, fillcolor="#FBE3C8"];')
        lines.append('  x -> noise;')
        prev = "noise"
    dims = [d, *hidden]
    lines.append('  subgraph cluster_enc { label="encoder"; fontname="Helvetica"; color="#AAAAAA";')
    for i, h in enumerate(hidden):
        lines.append(f'    e{i} [label="Linear {dims[i]}→{h}\\n{act}"];')
    lines.append("  }")
    for i in range(len(hidden)):
        lines.append(f"  {prev} -> e{i};")
        prev = f"e{i}"
    last = hidden[-1]
    if cfg.variant == "vae":
        lines += [f'  mu [label="μ\\nLinear {last}→{z}", fillcolor="#D5EFE6"];',
                  f'  logvar [label="log σ²\\nLinear {last}→{z}", fillcolor="#D5EFE6"];',
                  '  eps [label="ε ~ N(0, I)", shape=ellipse, fillcolor="#F2F2F2"];',
                  f'  z [label="z = μ + σ ⊙ ε\\n{z}-D latent", shape=ellipse, '
                  'fillcolor="#C9E7DB", penwidth=2];',
                  f"  {prev} -> mu; {prev} -> logvar; mu -> z; logvar -> z; "
                  "eps -> z [style=dashed];",
                  f'  kl [label="β·KL(q(z|x) ‖ N(0, I))\\nβ = {cfg.beta:g}", shape=plain, '
                  'fontcolor="#B04A00"];',
                  '  mu -> kl [style=dotted, arrowhead=none]; '
                  'logvar -> kl [style=dotted, arrowhead=none];']
    else:
        lines += [f'  z [label="z\\nLinear {last}→{z}\\n{z}-D latent", shape=ellipse, '
                  'fillcolor="#C9E7DB", penwidth=2];', f"  {prev} -> z;"]
    prev = "z"
    rev = list(reversed(hidden))
    ddims = [z, *rev]
    lines.append('  subgraph cluster_dec { label="decoder"; fontname="Helvetica"; color="#AAAAAA";')
    for i, h in enumerate(rev):
        lines.append(f'    d{i} [label="Linear {ddims[i]}→{h}\\n{act}"];')
    out_act = "sigmoid" if images else "linear"
    lines.append(f'    out [label="Linear {rev[-1]}→{d}\\n{out_act}"];')
    lines.append("  }")
    for i in range(len(rev)):
        lines.append(f"  {prev} -> d{i};")
        prev = f"d{i}"
    loss = "BCE(x̂, x)" if images else "‖x̂ − x‖² / 2σ²"
    lines += [f"  {prev} -> out;",
              f'  xhat [label="x̂\\n{d}", fillcolor="#DCEBF7"];', "  out -> xhat;",
              f'  loss [label="loss = {loss}' + (' + β·KL' if cfg.variant == "vae" else "")
              + ('\\n(target: the clean x)' if cfg.variant == "dae" else "")
              + '", shape=plain, fontcolor="#B04A00"];',
              '  xhat -> loss [style=dotted, arrowhead=none];', "}"]
    return "\n".join(lines)
