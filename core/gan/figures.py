"""Figures of the GAN page: snapshots in, plotly figures and Vega-Lite specs out (no torch).

- ``field_figure``: GAN Lab's view. The discriminator's output as a background heatmap, real
  and generated samples, the generator's gradient field (arrows) and its manifold (the image of
  a grid in noise space), plus the 3σ circles of each mode for mixtures.
- ``mode_bars``: high-quality samples per mode (mode collapse at a glance).
- ``coverage_chart``: modes covered and sample quality on one 0-1 axis; the other metric curves
  come from the declared metrics (``GANTrainer.metrics``) through ``metric_charts``.
- ``digit_grid`` / ``interpolation_strip``: digits samples and a walk between two noise vectors.
- ``live_figures``: every figure the page draws each tick while playing (the bench's in-app
  case measures the same function).
- ``diagram(cfg)``: graphviz DOT of the two networks, following the settings.
"""
from __future__ import annotations

from typing import Any, Iterable

import numpy as np
import plotly.graph_objects as go

from core.figures import OKABE_ITO, fast_figure, image_grid, metric_chart, metric_charts
from core.gan.metrics import METRICS
from core.gan.snapshot import DigitsSnapshot, FieldSnapshot
from core.history import long_format
from core.metrics import by_name

METRIC = by_name(METRICS)

REAL_COLOR = "#1B7837"    # green, as in GAN Lab
FAKE_COLOR = "#762A83"    # purple
ARROW_COLOR = "#333333"
MANIFOLD_COLOR = "#E69F00"
LAYERS = ("heatmap", "real", "fake", "gradients", "manifold")
_HEAT_TITLE = {"prob": "D(x) = P(real)", "ls": "D(x) (target 1 real, 0 fake)",
               "score": "critic score D(x)"}


def _segments(starts: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Line segments as one trace: x0, x1, None, x0, x1, None..."""
    n = len(starts)
    xs = np.full(3 * n, np.nan, dtype=np.float32)
    ys = np.full(3 * n, np.nan, dtype=np.float32)
    xs[0::3], xs[1::3] = starts[:, 0], ends[:, 0]
    ys[0::3], ys[1::3] = starts[:, 1], ends[:, 1]
    return xs, ys


def _grid_lines(m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows and columns of an (R, R, 2) mapped grid as one polyline broken by NaNs."""
    lines = [m[i] for i in range(m.shape[0])] + [m[:, j] for j in range(m.shape[1])]
    pad = np.full((1, 2), np.nan, dtype=np.float32)
    pts = np.concatenate([np.concatenate([ln, pad]) for ln in lines])
    return pts[:, 0], pts[:, 1]


def arrow_scale(uv: np.ndarray, bounds: np.ndarray, frac: float = 0.08) -> float:
    """Factor that makes the longest gradient arrow ``frac`` of the window width."""
    longest = float(np.linalg.norm(uv, axis=1).max()) if len(uv) else 0.0
    width = float(bounds[1] - bounds[0])
    return frac * width / longest if longest > 0 else 0.0


def field_figure(snap: FieldSnapshot, layers: Iterable[str] = LAYERS, *, height: int = 460,
                 title: str = "") -> go.Figure:
    """The live 2-D view of one snapshot; ``layers`` picks what to draw (any of LAYERS).

    Built from plain dicts without plotly's validation (:func:`core.figures.fast_figure`; the
    tests validate it): the page redraws it every tick.
    """
    layers = set(layers)
    b = [float(v) for v in snap.bounds]
    data: list[dict] = []
    shapes: list[dict] = []
    if "heatmap" in layers:
        heat = np.asarray(snap.heat, dtype=np.float32)
        kind = snap.heat_kind
        res = heat.shape[0]
        scale = {"zmin": 0.0, "zmax": 1.0} if kind == "prob" else {
            "zmid": 0.5 if kind == "ls" else 0.0}
        data.append(dict(
            type="heatmap", z=heat, x=np.linspace(b[0], b[1], res, dtype=np.float32),
            y=np.linspace(b[2], b[3], res, dtype=np.float32), colorscale="PRGn", opacity=0.6,
            name="discriminator",
            colorbar=dict(title=dict(text=_HEAT_TITLE.get(kind, "D(x)")), thickness=12, len=0.8),
            hovertemplate="x=%{x:.2f}, y=%{y:.2f}<br>D=%{z:.3f}<extra></extra>", **scale))
    if snap.coverage is not None and "real" in layers:
        r = 3 * snap.coverage.spread
        shapes = [dict(type="circle", x0=cx - r, x1=cx + r, y0=cy - r, y1=cy + r,
                       line=dict(color=REAL_COLOR, width=1, dash="dot"))
                  for cx, cy in np.asarray(snap.coverage.centres, dtype=float)]
    if "manifold" in layers:
        mx, my = _grid_lines(np.asarray(snap.manifold, dtype=np.float32))
        data.append(dict(type="scatter", x=mx, y=my, mode="lines", name="G(noise grid)",
                         line=dict(color=MANIFOLD_COLOR, width=1), hoverinfo="skip"))
    for key, name, color in (("real", "real", REAL_COLOR), ("fake", "generated", FAKE_COLOR)):
        if key in layers:
            pts = np.asarray(getattr(snap, key), dtype=np.float32)
            data.append(dict(type="scatter", x=pts[:, 0], y=pts[:, 1], mode="markers",
                             name=name, marker=dict(size=5, color=color,
                                                    line=dict(width=0.5, color="white"))))
    if "gradients" in layers:
        xy = np.asarray(snap.arrow_xy, dtype=np.float32)
        uv = np.asarray(snap.arrow_uv, dtype=np.float32)
        longest = float(np.linalg.norm(uv, axis=1).max()) if len(uv) else 0.0
        ends = xy + arrow_scale(uv, np.asarray(b)) * uv
        ax, ay = _segments(xy, ends)
        data.append(dict(type="scatter", x=ax, y=ay, mode="lines", name="G's gradient",
                         line=dict(color=ARROW_COLOR, width=1.2), hoverinfo="skip"))
        data.append(dict(type="scatter", x=ends[:, 0], y=ends[:, 1], mode="markers",
                         showlegend=False, marker=dict(size=3, color=ARROW_COLOR),
                         hoverinfo="skip"))
        # in words: the arrows are −∂L_G/∂x, the way the generator's loss pushes each point
        title = title or ("Arrows: where the generator's loss pushes 120 of the generated points"
                          f"<br><sup>longest push {longest:.2g}; all arrows scaled alike</sup>")
    layout = dict(
        height=height, title=dict(text=title) if title else None, plot_bgcolor="white",
        margin=dict(l=10, r=10, t=60 if title else 10, b=10),
        legend=dict(orientation="h", y=-0.12), uirevision="gan-field", shapes=shapes,
        xaxis=dict(title=dict(text="x₁"), range=[b[0], b[1]], constrain="domain"),
        yaxis=dict(title=dict(text="x₂"), range=[b[2], b[3]], scaleanchor="x", scaleratio=1))
    return fast_figure(data, layout)


def mode_bars(snap: FieldSnapshot, height: int = 220) -> go.Figure:
    """High-quality generated samples per mode; a missing bar is a dropped mode."""
    cov = snap.coverage
    assert cov is not None, "mode bars need a mixture dataset"
    counts = np.asarray(cov.counts)
    title = (f"{cov.covered}/{len(counts)} modes covered, "
             f"{100 * cov.hq_share:.0f}% high quality")
    return fast_figure(
        [dict(type="bar", x=[str(i) for i in range(len(counts))], y=counts,
              marker=dict(color=OKABE_ITO[0]),
              hovertemplate="mode %{x}: %{y} samples<extra></extra>")],
        dict(height=height, margin=dict(l=10, r=10, t=40, b=10), title=dict(text=title),
             xaxis=dict(title=dict(text="mode"), type="category"),
             yaxis=dict(title=dict(text="samples within 3σ"))))


#: the quality target drawn on the coverage chart (the benchmarks' "covered" test)
QUALITY_TARGET = (0.7, "70% quality target")


def coverage_chart(history: Any, n_modes: int, upto: int | None = None,
                   max_points: int = 400) -> dict[str, Any]:
    """Share of modes covered and share of high-quality samples against the step, on one
    0-1 axis, with the 70% quality target as a rule (one chart instead of two: cheaper to
    redraw every tick). Labels and the title come from the declared metrics."""
    modes, hq = METRIC["modes"], METRIC["hq_share"]
    s_modes, v_modes = history.series("modes", upto)
    series = {f"{modes.label} (of {n_modes})": (s_modes, v_modes / n_modes),
              hq.label: history.series("hq_share", upto)}
    return metric_chart(long_format(series, max_points), title=modes.chart, y_title=hq.unit,
                        marker_step=upto, rule_y=QUALITY_TARGET[0],
                        rule_label=QUALITY_TARGET[1])


def digit_grid(snap: DigitsSnapshot) -> go.Figure:
    return image_grid(np.asarray(snap.samples), ncols=8, title="Generated digits")


def interpolation_strip(snap: DigitsSnapshot) -> go.Figure:
    return image_grid(np.asarray(snap.interp), ncols=10,
                      title="G((1-t)·z₀ + t·z₁), t = 0 … 1")


def live_figures(snap: FieldSnapshot | DigitsSnapshot, history: Any, cfg: Any,
                 upto: int | None = None, *, layers: Iterable[str] = LAYERS) -> dict[str, Any]:
    """Every figure the page draws each tick while playing, by key.

    2-D data: ``field`` (plotly, the chosen ``layers``), then ``losses``, ``coverage`` and
    ``modes`` (mixtures only) and ``signal``; digits: ``digits``, ``interp``, ``losses``.
    The metric charts (Vega-Lite) and the per-mode bars appear once training has recorded
    something: before the first step they would be empty (every bar 0), and the first frame
    is lighter without them.

    Args:
        snap: the snapshot to draw; history: the trainer's ``History``; cfg: its config.
        upto: the timeline position when scrubbing back (None while live).
        layers: what the field draws (the page's "Show" pills); all of them by default.
    """
    charts = {c["title"]: c for c in metric_charts(history, METRICS, upto=upto,
                                                   names=("d_loss", "g_loss", "g_grad"))}
    losses = charts.get(METRIC["d_loss"].chart)
    if isinstance(snap, DigitsSnapshot):
        figs = {"digits": digit_grid(snap), "interp": interpolation_strip(snap)}
        if losses is not None:
            figs["losses"] = losses
        return figs
    figs = {"field": field_figure(snap, layers)}
    if losses is not None:
        figs["losses"] = losses
    if snap.coverage is not None and history.names():  # at step 0 every bar is 0
        if "modes" in history.names():
            figs["coverage"] = coverage_chart(history, len(snap.coverage.centres), upto)
        figs["modes"] = mode_bars(snap)
    signal = charts.get(METRIC["g_grad"].chart)
    if signal is not None:
        figs["signal"] = signal
    return figs


def diagram(cfg) -> str:
    """Graphviz DOT of generator and discriminator, sized by the current settings."""
    data_dim = "64 (8×8)" if cfg.dataset == "digits" else "2"
    g_out = "sigmoid → 8×8 image" if cfg.dataset == "digits" else "linear → point (x₁, x₂)"
    d_out = {"minimax": "σ → P(real)", "nonsat": "σ → P(real)", "lsgan": "score (LS target)",
             "hinge": "score (hinge)", "wgan-gp": "critic score"}[cfg.loss]
    sn = " + SN" if cfg.spectral_norm else ""
    g_hidden = "\\n".join(f"Linear {cfg.g_hidden} + ReLU" for _ in range(cfg.n_layers))
    d_hidden = "\\n".join(f"Linear {cfg.d_hidden}{sn} + LeakyReLU" for _ in range(cfg.n_layers))
    loss = {"minimax": "L_G = log(1 − D(G(z)))", "nonsat": "L_G = −log D(G(z))",
            "lsgan": "L_G = ½(D(G(z)) − 1)²", "hinge": "L_G = −D(G(z))",
            "wgan-gp": f"L_G = −D(G(z)); GP λ={cfg.gp_lambda:g}"}[cfg.loss]
    return f"""digraph GAN {{
  rankdir=LR; node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=11];
  z [label="noise z\\n{cfg.noise}, dim {cfg.z_dim}", fillcolor="#FFF3D6"];
  G [label="Generator\\n{g_hidden}\\n{g_out}", fillcolor="#E7D4E8"];
  real [label="real data\\n{cfg.dataset}, dim {data_dim}", fillcolor="#D9F0D3"];
  D [label="Discriminator ×{cfg.d_steps} steps\\n{d_hidden}\\n{d_out}", fillcolor="#DDEBF7"];
  L [label="{cfg.loss}\\n{loss}", shape=note, fillcolor="#F2F2F2"];
  z -> G; G -> D [label="fake"]; real -> D [label="real"]; D -> L;
  L -> G [style=dashed, label="∂L_G/∂θ_G"]; L -> D [style=dashed, label="∂L_D/∂θ_D"];
}}"""
