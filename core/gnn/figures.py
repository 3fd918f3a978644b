"""Figures of the graph-network page: numpy in (a :class:`~core.gnn.snapshot.GNNSnapshot`),
plotly figures or Vega-Lite dicts out. No torch, no streamlit.

- ``graph_figure(snap, selected, hops)``: the graph on its cached layout, nodes coloured by
  predicted class, training nodes ringed, wrong predictions as crosses; with a selected node,
  its ``hops``-hop receptive field lit and the rest faded.
- ``attention_figure(snap, node)``: GAT's attention on each incoming edge of a node, per head
  (the array from ``attention_into``).
- ``embedding_figure(snap, xy)``: the last hidden layer in 2-D (PCA, or t-SNE given), coloured
  by true class.
- ``smoothing_chart(snap)``: over-smoothing per layer; ``sweep_chart(result)``: accuracy
  against depth.
- ``live_figures(snap, history, cfg, upto)``: every figure the page draws each tick.
- ``diagram(cfg)``: Graphviz DOT of the current model.

Rendering: SVG (``scatter``), not WebGL. Streamlit remounts a plotly chart whose figure
changed, so every tick is a fresh plot: WebGL would open two new contexts per tick (chromium
warned "Too many active WebGL contexts" within seconds). In SVG most of a Cora redraw is
plotly styling 2,708 markers one by one, so a big graph (over ``BIG_GRAPH`` nodes) gives
all of them one symbol and outline, and draws the rings and crosses as small traces on top;
the links of any graph are one path shape (:func:`edge_path`), not a trace.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from core.figures import CLASS_COLORS, fast_figure, legend_spec, metric_charts, note_layer
from core.gnn.metrics import METRICS

__all__ = ["graph_figure", "attention_into", "attention_figure", "embedding_figure",
           "smoothing_chart", "sweep_chart", "live_figures", "diagram", "edge_path"]

FADED = "#DDDDDD"
#: above this many nodes, hover text is short and rings and crosses are traces of their own
BIG_GRAPH = 600
_EDGE_CACHE: dict[tuple[int, int], tuple] = {}


def edge_path(xy: np.ndarray, links: np.ndarray, cache: bool = True) -> str:
    """Every link as one SVG path in data coordinates ("M x0,y0 L x1,y1 M ..."), drawn as a
    single layout shape: one element for the browser to style. As a line trace with gaps
    plotly draws each link as its own path, and styling them was half of a Cora redraw
    (newPlot in chromium: 290 ms as a trace, 160 ms as one shape). Cached per (layout,
    links) pair of arrays, so a redraw pays only for the node colours."""
    key = (id(xy), id(links))
    hit = _EDGE_CACHE.get(key)
    if cache and hit is not None and hit[0] is xy and hit[1] is links:
        return hit[2]
    a = np.round(xy[links[0]].astype(np.float64), 4)
    b = np.round(xy[links[1]].astype(np.float64), 4)
    path = "".join(f"M{x0:g},{y0:g}L{x1:g},{y1:g}" for (x0, y0), (x1, y1)
                   in zip(a.tolist(), b.tolist()))
    if cache:
        if len(_EDGE_CACHE) > 8:
            _EDGE_CACHE.clear()
        _EDGE_CACHE[key] = (xy, links, path)   # the arrays themselves keep the ids valid
    return path


def _edges(path: str, width: float, color: str) -> dict:
    return dict(type="path", path=path, layer="below", xref="x", yref="y",
                line=dict(width=width, color=color))


def _sizes(degree: np.ndarray, n: int) -> np.ndarray:
    base = 4.0 if n > 500 else 9.0
    return np.round(base + 1.6 * np.log1p(degree)).astype(np.uint8)


def _marks(xy: np.ndarray, size: np.ndarray, labelled: np.ndarray, wrong: np.ndarray
           ) -> list[dict]:
    """A big graph's rings (training nodes) and crosses (wrong labelled nodes) as their own
    traces. They take no hover or click (``hoverinfo="skip"``), so a click on a ringed node
    still selects it in the nodes' trace. Plotly styles each SVG marker on its own, and
    per-node symbols and outlines doubled that cost on Cora, paid every tick (Streamlit
    remounts a chart whose figure changed)."""
    ring, cross = np.flatnonzero(labelled), np.flatnonzero(wrong)
    # the crosses can be most of the graph early on (Cora labels every node): one size
    return [dict(type="scatter", x=xy[idx, 0], y=xy[idx, 1], mode="markers", showlegend=False,
                 hoverinfo="skip", marker=dict(size=sz, symbol=sym, color=color,
                                               line=dict(width=1.5, color=color)))
            for idx, sym, color, sz in (
                (ring, "circle-open", "#000000", (size[ring] + 3).astype(np.uint8)),
                (cross, "x-thin-open", "#222222", 6))]


def _legend(class_names, colors) -> list[dict]:
    out = [dict(type="scatter", x=[None], y=[None], mode="markers", name=c,
                marker=dict(size=9, color=colors[k % len(colors)]), legendgroup="pred")
           for k, c in enumerate(class_names)]
    out.append(dict(type="scatter", x=[None], y=[None], mode="markers", name="wrong",
                    marker=dict(size=9, symbol="x", color="#555555")))
    out.append(dict(type="scatter", x=[None], y=[None], mode="markers", name="labelled",
                    marker=dict(size=9, color="#FFFFFF", line=dict(width=2, color="#000000"))))
    return out


def graph_figure(snap, selected: int | None = None, hops: int = 2,
                 height: int = 520) -> Any:
    """The graph, nodes coloured by predicted class.

    Marker: size grows with degree; training nodes have a black ring; a wrongly predicted
    labelled node is a cross. Hover shows node id, true and predicted class, confidence.
    ``selected``: light up the nodes within ``hops`` hops (its receptive field in a
    ``hops``-layer network) and the links among them; fade the rest.
    Links: layout shapes (:func:`edge_path`), not traces.
    Click data: each node's id is its point index in trace 0 and its ``customdata``.
    """
    xy, links, n = snap.xy, snap.links, len(snap.pred)
    n_cls = len(snap.class_names)
    palette = [CLASS_COLORS[k % len(CLASS_COLORS)] for k in range(n_cls)] + [FADED]
    # colours as class indices into a stepped colour scale and symbols as plotly's numeric
    # codes (0 circle, 4 x): small typed arrays instead of 2,708 strings each per tick
    col = snap.pred.astype(np.int8)
    wrong = (snap.labels >= 0) & (snap.pred != snap.labels)
    symbol = np.where(wrong, 4, 0).astype(np.int8)
    line_w = np.where(snap.split == 1, 2, 0).astype(np.int8)
    size = _sizes(snap.degree, n)
    names = np.array(list(snap.class_names) + ["unknown"])
    title = f"{snap.graph_name}: predicted class of every node (epoch {snap.step})"
    edge_color = "rgba(120,120,120,0.35)" if n > 500 else "rgba(90,90,90,0.6)"
    shapes = [_edges(edge_path(xy, links), 0.5 if n > 500 else 1.2, edge_color)]
    data: list[dict] = []
    if selected is not None and 0 <= selected < n:
        dist = hop_distances(links, n, selected, hops)
        inside = dist >= 0
        col = np.where(inside, col, n_cls).astype(np.int8)
        keep = inside[links[0]] & inside[links[1]]
        shapes[0]["line"]["color"] = "rgba(200,200,200,0.25)"
        if keep.any():
            shapes.append(_edges(edge_path(xy, links[:, keep], cache=False), 1.5,
                                 "rgba(0,0,0,0.7)"))
        title = (f"Node {selected}: its {hops}-hop receptive field ({int(inside.sum())} of "
                 f"{n} nodes), epoch {snap.step}")
    scale = []
    for k, c in enumerate(palette):
        scale += [[k / len(palette), c], [(k + 1) / len(palette), c]]
    small = n <= BIG_GRAPH
    if not small:  # one symbol and outline for all; rings and crosses on top (_marks)
        symbol, line_w = 0, 0
    label_txt = names[np.where(snap.labels >= 0, snap.labels, len(names) - 1)]
    data.insert(0, dict(
        type="scatter", x=xy[:, 0], y=xy[:, 1], mode="markers", showlegend=False,
        customdata=np.arange(n, dtype=np.int32),
        text=[f"node {i}: true {t}, predicted {p} ({c:.0%})" for i, t, p, c in
              zip(range(n), label_txt, names[snap.pred], snap.confidence.astype(np.float32))]
        if small else None,
        hovertemplate="%{text}<extra></extra>" if small else
        "node %{customdata}<extra></extra>",
        marker=dict(size=size, color=col, colorscale=scale, cmin=-0.5,
                    cmax=len(palette) - 0.5, showscale=False, symbol=symbol,
                    line=dict(width=line_w, color="#000000"))))
    if not small:
        data[1:1] = _marks(xy, size, snap.split == 1, wrong)
    if selected is not None and 0 <= selected < n:
        data.append(dict(type="scatter", x=[float(xy[selected, 0])], y=[float(xy[selected, 1])],
                         mode="markers", showlegend=False, hoverinfo="skip",
                         marker=dict(size=22, symbol="circle-open", color="#D55E00",
                                     line=dict(width=3))))
    data += _legend(snap.class_names, CLASS_COLORS)
    axis = dict(visible=False, range=[-1.08, 1.08])
    layout = dict(height=height, margin=dict(l=5, r=5, t=60, b=5), clickmode="event+select",
                  title=dict(text=title, font=dict(size=14)), xaxis=axis,
                  yaxis=dict(axis, scaleanchor="x"), plot_bgcolor="#FFFFFF",
                  legend=dict(orientation="h", y=-0.02, font=dict(size=11)), dragmode="pan",
                  shapes=shapes)
    return fast_figure(data, layout)


def hop_distances(links: np.ndarray, n: int, node: int, k: int) -> np.ndarray:
    """(N,) hop distance from ``node`` up to ``k`` (-1 beyond), from the undirected links."""
    src = np.concatenate([links[0], links[1]])
    dst = np.concatenate([links[1], links[0]])
    dist = np.full(n, -1, np.int64)
    dist[node] = 0
    frontier = np.zeros(n, bool)
    frontier[node] = True
    for hop in range(1, k + 1):
        nxt = np.zeros(n, bool)
        nxt[dst[frontier[src]]] = True
        nxt &= dist < 0
        if not nxt.any():
            break
        dist[nxt] = hop
        frontier = nxt
    return dist


def attention_into(snap, node: int, layer: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """GAT's α on every edge into ``node`` in ``layer``: (sources (k,), α (k, H) float32).
    Each column (head) sums to one over the k sources; 1/k is a uniform share."""
    att = snap.attention[min(layer, len(snap.attention) - 1)].astype(np.float32)  # (E', H)
    m = snap.att_dst == node
    return snap.att_src[m], att[m]


#: colour range of the attention map, in multiples of a uniform share 1/k (fixed, so that a
#: near-uniform head looks near uniform instead of being stretched over the whole palette)
SHARE_MAX = 4.0


def attention_figure(snap, node: int, layer: int = 0) -> dict[str, Any]:
    """Vega-Lite heatmap: GAT's α on the edges into ``node`` (columns: the source node, the 60
    strongest), one row per head of ``layer``. Colour: α × k, the weight as a multiple of the
    uniform share 1/k on a fixed scale (1 = uniform), so small differences do not look large."""
    if not snap.attention:
        return {"height": 60, "title": "Attention (GAT only)",
                "layer": [note_layer("pick Model = gat to see attention weights")]}
    srcs, a = attention_into(snap, node, layer)                    # (k,), (k, H)
    k = len(srcs)
    order = np.argsort(-a.mean(1))[:60]                            # the 60 strongest sources
    rows = [{"source": f"{int(srcs[j])}" + (" (self)" if srcs[j] == node else ""),
             "head": f"head {h + 1}", "alpha": round(float(a[j, h]), 4),
             "share": round(float(a[j, h] * k), 3)}
            for j in order for h in range(a.shape[1])]
    shown = "" if k <= 60 else f", the 60 strongest of {k} shown"
    return {
        "title": f"GAT attention into node {node}, layer {layer + 1}: α × {k} (1 = a uniform "
                 f"share; each head's α sums to 1{shown})",
        "height": 24 * a.shape[1] + 40, "width": "container",
        "layer": [{"data": {"values": rows}, "mark": "rect",
                   "encoding": {
                       "x": {"field": "source", "type": "nominal", "sort": None,
                             "title": "neighbour j (sending node)"},
                       "y": {"field": "head", "type": "nominal", "title": None},
                       "color": {"field": "share", "type": "quantitative",
                                 "title": "α × k",
                                 "scale": {"scheme": "viridis", "domain": [0, SHARE_MAX],
                                           "clamp": True}},
                       "tooltip": [{"field": "source"}, {"field": "head"},
                                   {"field": "alpha", "format": ".4f"},
                                   {"field": "share", "title": "α × k", "format": ".2f"}]}}]}


def embedding_figure(snap, xy: np.ndarray | None = None, method: str = "PCA",
                     nodes: np.ndarray | None = None, height: int = 420) -> Any:
    """Every node's last hidden representation in 2-D, coloured by its true class.
    ``xy`` (M, 2) with ``nodes`` (M,) draws another embedding (t-SNE) of those nodes."""
    xy = snap.emb if xy is None else np.asarray(xy, np.float32)
    nodes = np.arange(len(xy)) if nodes is None else np.asarray(nodes)
    labels = snap.labels[nodes]
    data = []
    for k, name in enumerate(snap.class_names):
        m = labels == k
        data.append(dict(type="scatter", x=xy[m, 0], y=xy[m, 1], mode="markers", name=name,
                         customdata=nodes[m].astype(np.int32),
                         hovertemplate=f"node %{{customdata}}, {name}<extra></extra>",
                         marker=dict(size=5 if len(xy) > 500 else 9,
                                     color=CLASS_COLORS[k % len(CLASS_COLORS)])))
    if method == "PCA":
        ex = snap.emb_explained
        xt, yt = f"PC 1 ({ex[0]:.0%} of variance)", f"PC 2 ({ex[1]:.0%})"
    else:
        xt, yt = f"{method} 1", f"{method} 2"
        if len(nodes) < len(snap.labels):
            method += f", {len(nodes)} of {len(snap.labels)} nodes"
    layout = dict(height=height, margin=dict(l=10, r=10, t=35, b=10),
                  title=dict(text=f"Hidden representation after layer {snap.emb_layer} "
                                  f"({method}), coloured by true class", font=dict(size=14)),
                  xaxis=dict(title=dict(text=xt)), yaxis=dict(title=dict(text=yt)),
                  legend=dict(font=dict(size=11)))
    return fast_figure(data, layout)


def smoothing_chart(snap) -> dict[str, Any]:
    """Vega-Lite: per layer (0 = the input features) the mean cosine similarity of node
    vectors and their normalised Dirichlet energy. Over-smoothing: cosine → 1, energy → 0."""
    rows = []
    for l, (c, e) in enumerate(zip(snap.cos.tolist(), snap.energy.tolist())):
        rows.append({"layer": l, "measure": "mean cosine similarity", "value": round(c, 4)})
        rows.append({"layer": l, "measure": "Dirichlet energy (normalised)",
                     "value": round(e, 4)})
    return {
        "title": "Over-smoothing: how alike node vectors are after each layer",
        "height": 240, "width": "container",
        "layer": [{"data": {"values": rows}, "mark": {"type": "line", "point": True},
                   "encoding": {
                       "x": {"field": "layer", "type": "ordinal", "title": "layer (0 = input)"},
                       "y": {"field": "value", "type": "quantitative", "title": "value"},
                       "color": {"field": "measure", "type": "nominal", "title": None,
                                 "scale": {"range": ["#0072B2", "#D55E00"]},
                                 "legend": legend_spec(["mean cosine similarity",
                                                        "Dirichlet energy (normalised)"])},
                       "tooltip": [{"field": "measure"}, {"field": "layer"},
                                   {"field": "value", "format": ".3f"}]}}]}


def sweep_chart(result: dict[str, np.ndarray] | None) -> dict[str, Any]:
    """Vega-Lite: test accuracy (at the best validation epoch) and final training accuracy
    against depth, from :func:`core.gnn.trainer.depth_sweep`."""
    if not result:
        return {"height": 80, "title": "Depth sweep",
                "layer": [note_layer("press 'Run the depth sweep' to train depths 1-8")]}
    rows = []
    for d, te, tr in zip(result["depth"].tolist(), result["best_test_acc"].tolist(),
                         result["train_acc"].tolist()):
        rows.append({"depth": int(d), "measure": "test accuracy (best val.)",
                     "value": round(te, 4)})
        rows.append({"depth": int(d), "measure": "training accuracy", "value": round(tr, 4)})
    return {
        "title": "Depth sweep: accuracy against the number of layers (same seed)",
        "height": 240, "width": "container",
        "layer": [{"data": {"values": rows}, "mark": {"type": "line", "point": True},
                   "encoding": {
                       "x": {"field": "depth", "type": "ordinal", "title": "layers"},
                       "y": {"field": "value", "type": "quantitative", "title": "accuracy",
                             "scale": {"domain": [0, 1]}},
                       "color": {"field": "measure", "type": "nominal", "title": None,
                                 "scale": {"range": ["#009E73", "#999999"]},
                                 "legend": legend_spec(["test accuracy (best val.)",
                                                        "training accuracy"])}}}]}


def live_figures(snap, history, cfg, upto: int | None = None,
                 selected: int | None = None) -> dict[str, Any]:
    """Every figure the page draws each tick, by key (plotly figures and Vega-Lite dicts):
    ``graph``, ``embedding``, ``smoothing`` and the metric charts (``chart:<title>``).
    ``selected``: the clicked node (receptive field; ``attention`` for GAT)."""
    figs: dict[str, Any] = {}
    for spec in metric_charts(history, METRICS, upto=upto, x_title="epoch"):
        figs[f"chart:{spec.get('title', '')}"] = spec
    figs["graph"] = graph_figure(snap, selected, hops=cfg.depth)
    if selected is not None and snap.attention:
        figs["attention"] = attention_figure(snap, selected, layer=0)
    figs["embedding"] = embedding_figure(snap)
    figs["smoothing"] = smoothing_chart(snap)
    return figs


def diagram(cfg) -> str:
    """Graphviz DOT of the model ``cfg`` describes: one box per layer with its widths and
    the aggregation it uses; MLP layers show that no edges are read."""
    kind = cfg.model
    agg = {"gcn": "Σ_j x_j / √(d̂_i d̂_j)" + ("  (A + I)" if cfg.self_loops else "  (A)"),
           "sage": "W₁h_i + W₂·mean_j h_j", "gin": "MLP((1+ε)h_i + Σ_j h_j)",
           "gat": "Σ_j α_ij W h_j" + ("  (j ∈ N(i) ∪ {i})" if cfg.self_loops else ""),
           "mlp": "W h_i (no edges)"}[kind]
    name = {"gcn": "GCN", "sage": "SAGE", "gat": "GAT", "gin": "GIN", "mlp": "Linear"}[kind]
    act = "ELU" if kind == "gat" else "ReLU"
    feats = {"cora": "1,433 words", "karate": "34 one-hot ids", "sbm": "16 features",
             "upload": "one-hot ids"}.get(cfg.graph, "features")
    sparse = "" if cfg.graph == "sbm" else "\\n(sparse)"      # SBM features are dense
    classes = {"cora": "7 topics", "karate": "2 factions", "sbm": "3 blocks"}.get(cfg.graph,
                                                                                 "C classes")
    lines = ["digraph GNN {", "  rankdir=LR; nodesep=0.25; ranksep=0.3;",
             '  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=11, '
             'fillcolor="#FFFFFF", color="#555555"];', '  edge [color="#555555", arrowsize=0.7];',
             f'  x [label="X\\n{feats}{sparse}", fillcolor="#DCEBF7"];',
             f'  drop0 [label="dropout {cfg.dropout:g}", shape=plain];', "  x -> drop0;"]
    prev = "drop0"
    for l in range(cfg.depth):
        last = l == cfg.depth - 1
        width = classes if last else (f"{cfg.heads}×{cfg.hidden}" if kind == "gat"
                                      else str(cfg.hidden))
        heads = "" if kind != "gat" else f"\\n{1 if last else cfg.heads} head(s)"
        lines.append(f'  l{l} [label="{name} layer {l + 1} → {width}{heads}\\n{agg}", '
                     f'fillcolor="{"#D5EFE6" if kind != "mlp" else "#F2F2F2"}"];')
        lines.append(f"  {prev} -> l{l};")
        if cfg.residual and 0 < l < cfg.depth - 1:
            lines.append(f'  {prev} -> a{l} [style=dashed, label="+"];')
        if not last:
            lines.append(f'  a{l} [label="{act}, dropout", shape=plain];')
            lines.append(f"  l{l} -> a{l};")
            prev = f"a{l}"
        else:
            prev = f"l{l}"
    lines += ['  out [label="softmax\\ncross-entropy on\\nlabelled nodes", fillcolor="#FBE3C8"];',
              f"  {prev} -> out;", "}"]
    return "\n".join(lines)
