"""Figure helpers shared by every family: numpy in, a Vega-Lite spec or plotly figure out.

No torch and no streamlit here. Colours come from the Okabe-Ito palette (colour-blind safe);
sequential maps are viridis/cividis. Every chart has axis titles.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import plotly.graph_objects as go

from core import plotly_fast
from core.history import long_format
from core.metrics import Metric
from core.metrics import charts as charts_of

#: Okabe & Ito (2008) colour-blind-safe qualitative palette
OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442",
             "#000000"]
#: ten distinguishable colours for class labels (digits 0-9)
CLASS_COLORS = OKABE_ITO[:7] + ["#999999", "#882255", "#44AA99"]
SEQUENTIAL = "Viridis"
DIVERGING = "RdBu"


#: the height of one row of legend entries
LEGEND_ROW_PX = 20
#: the narrowest a metric chart is drawn (half of the page's main column); legends fit in it
NARROW_PX = 380


def legend_spec(labels: Sequence[str], width_px: int = NARROW_PX) -> dict[str, Any]:
    """A legend under the chart whose entries are never cut: full labels (no length limit),
    in as many columns as the longest fits into ``width_px`` (rows wrap below each other).

    >>> legend_spec(["train", "test"])["columns"]
    2
    >>> legend_spec(["Held-out sequence accuracy", "Held-out token accuracy", "Training"])["columns"]
    1
    """
    entry = max((len(x) for x in labels), default=0) * 6.5 + 30   # swatch, gap, ~6.5 px a char
    columns = max(1, min(len(labels), int(width_px // entry)))
    return {"orient": "bottom", "direction": "horizontal", "columns": columns, "labelLimit": 0}


def metric_chart(data: dict[str, np.ndarray], *, title: str = "", y_title: str = "value",
                 x_title: str = "training step", log_y: bool = False,
                 marker_step: int | None = None, height: int = 260,
                 rule_y: float | None = None, rule_label: str = "",
                 legend: bool = True) -> dict[str, Any]:
    """Line chart of metric series in long format (columns step, metric, value), as a
    Vega-Lite spec for ``st.vega_lite_chart``.

    Written as a plain dict rather than through altair: altair validates every chart against
    the Vega-Lite schema, which cost 10-50 ms per chart on every tick of a live page; this
    costs well under 1 ms. ``marker_step`` draws a vertical rule (the timeline position when
    scrubbing); ``rule_y`` a horizontal one (a target, a solve threshold). ``legend=False``
    drops the colour legend (one series, named by the title).

    Every layer carries its own ``data.values`` and the spec has no top-level data: Streamlit
    converts top-level data to Arrow through pandas (importing pandas, ~0.5 s, on a page's
    first chart, then ~2.6 ms per chart per tick), while layer data travels in the JSON as is.
    :func:`chart_rows` reads the rows back.
    """
    step = np.asarray(data["step"])
    value = np.asarray(data["value"], dtype=np.float64)
    metric = np.asarray(data["metric"]).astype(str)
    keep = np.isfinite(value) & ((value > 0) if log_y else True)
    rows = [{"step": int(a), "metric": b, "value": float(c)}
            for a, b, c in zip(step[keep].tolist(), metric[keep].tolist(), value[keep].tolist())]
    metrics = sorted(set(metric[keep].tolist()))
    y_scale: dict[str, Any] = {"type": "log"} if log_y else {"zero": False}
    if not rows:  # before the first step: say so instead of drawing empty axes
        spec: dict[str, Any] = {"height": height,
                                "layer": [note_layer("no values yet: press ▶ Play or Step")]}
        if title:
            spec["title"] = title
        return spec
    line = {
        "data": {"values": rows},
        "mark": {"type": "line", "strokeWidth": 2},
        "encoding": {
            "x": {"field": "step", "type": "quantitative", "title": x_title},
            "y": {"field": "value", "type": "quantitative", "title": y_title, "scale": y_scale},
            "color": {"field": "metric", "type": "nominal", "title": None,
                      "scale": {"domain": metrics,
                                "range": OKABE_ITO[:max(1, len(metrics))]},
                      "legend": legend_spec(metrics) if legend else None},
            "tooltip": [{"field": "metric", "type": "nominal"},
                        {"field": "step", "type": "quantitative"},
                        {"field": "value", "type": "quantitative", "format": ".4g"}]}}
    layers: list[dict[str, Any]] = [line]
    if marker_step is not None:
        layers.append({"data": {"values": [{"step": int(marker_step)}]},
                       "mark": {"type": "rule", "color": "#555", "strokeDash": [4, 3]},
                       "encoding": {"x": {"field": "step", "type": "quantitative"}}})
    if rule_y is not None:
        layers.append({"data": {"values": [{"y": float(rule_y), "label": rule_label}]},
                       "mark": {"type": "rule", "color": "#D55E00", "strokeDash": [6, 3]},
                       "encoding": {"y": {"field": "y", "type": "quantitative"},
                                    "tooltip": [{"field": "label", "type": "nominal"}]}})
    if legend and len(metrics) > 1:   # a legend that wraps takes its rows from the plot
        cols = legend_spec(metrics)["columns"]
        height += LEGEND_ROW_PX * (-(-len(metrics) // cols) - 1)
    spec = {"height": height, "layer": layers}
    if title:
        spec["title"] = title
    return spec


def metric_charts(history: Any, metrics: Sequence[Metric], *, upto: int | None = None,
                  names: Sequence[str] | None = None, max_points: int = 400, height: int = 260,
                  x_title: str = "training step",
                  rules: dict[str, tuple[float, str]] | None = None,
                  references: dict[str, tuple[str, float]] | None = None) -> list[dict[str, Any]]:
    """One Vega-Lite chart per chart group of a family's declared metrics (core/metrics.py).

    Charts come in declaration order, titled by the group, lines named by the metrics' labels;
    the y axis carries the group's unit (shared by its metrics) and is logarithmic when any
    of them asks. Only metrics that ``history`` has recorded are drawn, so one declaration can
    serve several variants of a family.

    Args:
        history: a :class:`core.history.History` (anything with ``series(name, upto)``).
        metrics: the family's declarations; ``names`` narrows them.
        upto: the timeline position when scrubbing back (a dashed rule there, later points
            hidden); None while live.
        rules: ``{chart title: (y, label)}`` horizontal rules (a target, a baseline).
        references: ``{chart title: (label, y)}`` a flat reference line drawn as one more
            series (cheaper to redraw every tick than a rule layer).
    """
    have = set(history.names())
    out = []
    for title, group in charts_of(metrics, names).items():
        group = [m for m in group if m.name in have]
        if not group:
            continue
        series = {m.label: history.series(m.name, upto) for m in group}
        ref = (references or {}).get(title)
        if ref is not None:
            last = max(int(s[-1]) for s, _ in series.values() if len(s)) if any(
                len(s) for s, _ in series.values()) else 0
            series[ref[0]] = (np.array([0, last], np.int64), np.full(2, ref[1], np.float32))
        units = {m.unit for m in group}
        y_title = units.pop() if len(units) == 1 and group[0].unit else title
        rule = (rules or {}).get(title)
        out.append(metric_chart(long_format(series, max_points), title=title, y_title=y_title,
                                x_title=x_title, log_y=any(m.log for m in group),
                                marker_step=upto, height=height,
                                rule_y=rule[0] if rule else None,
                                rule_label=rule[1] if rule else ""))
    return out


def note_layer(text: str) -> dict[str, Any]:
    """A Vega-Lite layer that only says ``text`` (a chart with nothing to plot yet)."""
    return {"data": {"values": [{"note": text}]},
            "mark": {"type": "text", "fontSize": 13, "color": "#777"},
            "encoding": {"text": {"field": "note", "type": "nominal"}}}


def chart_rows(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """The data rows of a chart built by :func:`metric_chart` (they sit in its first layer).

    >>> chart_rows(metric_chart({"step": [1], "metric": ["a"], "value": [0.5]}))
    [{'step': 1, 'metric': 'a', 'value': 0.5}]
    """
    return spec["layer"][0]["data"]["values"]


def to_uint8(images: np.ndarray, lo: float = 0.0, hi: float = 1.0) -> np.ndarray:
    """Scale float images in [lo, hi] to uint8 (what the browser receives)."""
    x = (np.clip(images, lo, hi) - lo) / max(hi - lo, 1e-12)
    return (x * 255 + 0.5).astype(np.uint8)


def mosaic(images: np.ndarray, ncols: int, pad: int = 1, fill: int = 255) -> np.ndarray:
    """Tile (N, H, W) uint8 images into one (rows*(H+pad)-pad, ncols*(W+pad)-pad) image."""
    n, h, w = images.shape
    nrows = int(np.ceil(n / ncols))
    out = np.full((nrows * (h + pad) - pad, ncols * (w + pad) - pad), fill, dtype=images.dtype)
    for i in range(n):
        r, c = divmod(i, ncols)
        out[r * (h + pad):r * (h + pad) + h, c * (w + pad):c * (w + pad) + w] = images[i]
    return out


def fast_figure(data: list[dict], layout: dict) -> go.Figure:
    """A plotly figure from plain trace/layout dicts, skipping plotly's property validation
    (see :mod:`core.plotly_fast`: colour scales are expanded; tests validate in full)."""
    return plotly_fast.figure(data, layout)


#: white paper (0) to black ink (255); the padding between tiles is a light grey
INK = [[0.0, "#FFFFFF"], [1.0, "#000000"]]
PAD_INK = 40


def image_grid(images: np.ndarray, ncols: int, *, title: str = "",
                  row_labels: Sequence[str] | None = None,
                  col_labels: Sequence[str] | None = None, height: int | None = None,
                  pad: int = 1) -> go.Figure:
    """Greyscale images (N, H, W) in [0, 1] as one heatmap mosaic (dark ink on white).

    One trace however many images, built without validation (see :func:`fast_figure`):
    cheap to send and to redraw every tick.
    """
    imgs = to_uint8(images)
    n, h, w = imgs.shape
    tile = mosaic(imgs, ncols, pad=pad, fill=PAD_INK)     # ink 255 = black, paper 0 = white
    nrows = int(np.ceil(n / ncols))
    ann = []
    for r, lab in enumerate(row_labels or []):
        ann.append(dict(x=-0.5, y=tile.shape[0] - (r * (h + pad) + h / 2), text=lab,
                        showarrow=False, xanchor="right", font=dict(size=12)))
    for c, lab in enumerate(col_labels or []):
        ann.append(dict(x=c * (w + pad) + w / 2 - 0.5, y=tile.shape[0] + 0.5, text=lab,
                        showarrow=False, yanchor="bottom", font=dict(size=11)))
    # an explicit scale: plotly.js's named "Greys" runs the other way from plotly.py's
    trace = dict(type="heatmap", z=tile[::-1], colorscale=INK, showscale=False, zmin=0,
                 zmax=255, hoverinfo="skip")
    layout = dict(
        title=dict(text=title, font=dict(size=14)) if title else None,
        xaxis=dict(visible=False, constrain="domain"),
        yaxis=dict(visible=False, scaleanchor="x"), annotations=ann, plot_bgcolor="white",
        margin=dict(l=100 if row_labels else 5, r=5, t=(40 if title else 5) + (15 if col_labels
                                                                           else 0), b=5),
        height=height or max(120, 40 * nrows + (40 if title else 10)))
    return fast_figure([trace], layout)


def heatmap(z: np.ndarray, *, x_labels: Sequence[str] | None = None,
            y_labels: Sequence[str] | None = None, title: str = "", x_title: str = "",
            y_title: str = "", colorscale: str = SEQUENTIAL, zmin: float | None = None,
            zmax: float | None = None, height: int = 320, colorbar_title: str = "") -> go.Figure:
    """One labelled heatmap (attention maps, confusion matrices, PE matrices)."""
    z = np.asarray(z, dtype=np.float32)
    fig = go.Figure(go.Heatmap(
        z=z, x=list(x_labels) if x_labels is not None else None,
        y=list(y_labels) if y_labels is not None else None, colorscale=colorscale, zmin=zmin,
        zmax=zmax, colorbar=dict(title=colorbar_title or None, thickness=12),
        hovertemplate="%{y} → %{x}: %{z:.3f}<extra></extra>"))
    fig.update_xaxes(title=x_title or None, type="category" if x_labels is not None else None)
    fig.update_yaxes(title=y_title or None, autorange="reversed",
                     type="category" if y_labels is not None else None)
    fig.update_layout(title=title or None, height=height,
                      margin=dict(l=10, r=10, t=40 if title else 10, b=10))
    return fig


def heatmap_grid(maps: np.ndarray, x_labels: Sequence[str], y_labels: Sequence[str], *,
                 title: str, row_name: str = "layer", col_name: str = "head",
                 x_title: str = "key (attended to)", y_title: str = "query (attending)",
                 value_name: str = "weight", cell_px: int = 26) -> go.Figure:
    """A rows × cols grid of same-sized heatmaps on one colour scale (attention: layer × head)
    as ONE tiled heatmap trace, labels on both axes of every tile.

    One trace for the whole grid is about 10x cheaper to build and send than a subplot per
    tile, which matters because live pages redraw it every tick.

    Args:
        maps: (R, C, H, W) uint8 (255 = 1) or float values in [0, 1].
    """
    m = np.asarray(maps)
    m = m.astype(np.float32) / 255.0 if m.dtype == np.uint8 else m.astype(np.float32)
    R, C, H, W = m.shape
    y_labels, x_labels = list(y_labels)[:H], list(x_labels)[:W]
    z = np.full((R * (H + 1) - 1, C * (W + 1) - 1), np.nan, dtype=np.float32)
    for r in range(R):
        for c in range(C):
            z[r * (H + 1):r * (H + 1) + H, c * (W + 1):c * (W + 1) + W] = m[r, c]
    xs = [c * (W + 1) + k for c in range(C) for k in range(W)]
    ys = [r * (H + 1) + q for r in range(R) for q in range(H)]
    heat = dict(type="heatmap", z=z, zmin=0.0, zmax=1.0, colorscale=SEQUENTIAL, xgap=1, ygap=1,
                colorbar=dict(title=dict(text=value_name), thickness=12), hoverongaps=False)
    if z.size <= 6000:  # per-cell hover names are affordable for small grids
        yn = np.array([""] * z.shape[0], dtype=object)
        xn = np.array([""] * z.shape[1], dtype=object)
        yn[ys] = [f"{row_name} {r + 1} · {y_labels[q]}" for r in range(R) for q in range(H)]
        xn[xs] = [f"{col_name} {c + 1} · {x_labels[k]}" for c in range(C) for k in range(W)]
        heat["text"] = (yn[:, None] + " → " + xn[None, :]).tolist()
        heat["hovertemplate"] = "%{text}: %{z:.2f}<extra></extra>"
    else:
        heat["hovertemplate"] = "%{z:.2f}<extra></extra>"
    font = dict(size=10 if max(H, W) <= 12 else 8)
    notes = [dict(x=c * (W + 1) + (W - 1) / 2, y=-0.6, text=f"{col_name} {c + 1}",
                  showarrow=False, yanchor="bottom", font=dict(size=12)) for c in range(C)]
    notes += [dict(x=1.0, xref="paper", xanchor="left", y=r * (H + 1) + (H - 1) / 2,
                   text=f"{row_name} {r + 1}", showarrow=False, textangle=90,
                   font=dict(size=12)) for r in range(R)]
    layout = dict(
        title=dict(text=title), height=max(220, min(1400, cell_px * z.shape[0] + 110)),
        plot_bgcolor="white", margin=dict(l=60, r=40, t=70, b=50), meta={"kind": title},
        annotations=notes,
        xaxis=dict(tickvals=xs, ticktext=x_labels * C, tickfont=font, tickangle=0,
                   showgrid=False, zeroline=False, title=dict(text=x_title),
                   range=[-0.5, z.shape[1] - 0.5]),
        yaxis=dict(tickvals=ys, ticktext=y_labels * R, tickfont=font, showgrid=False,
                   zeroline=False, autorange="reversed", title=dict(text=y_title)))
    return fast_figure([heat], layout)
