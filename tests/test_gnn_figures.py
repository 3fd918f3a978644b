"""GNN figures: traces, axes and the receptive field, built from real snapshots."""
from __future__ import annotations

import json

import numpy as np
import pytest

from core.gnn import figures as F
from core.plotly_fast import checking
from core.gnn.config import GNNConfig
from core.gnn.trainer import GNNTrainer, depth_sweep


@pytest.fixture(scope="module")
def karate_gat():
    t = GNNTrainer(GNNConfig(graph="karate", model="gat", hidden=4, heads=2), seed=0)
    t.run_steps(5)
    return t, t.snapshot()


def test_graph_figure_nodes_edges_and_marks(karate_gat):
    t, s = karate_gat
    fig = F.graph_figure(s)
    nodes, (edges,) = fig.data[0], fig.layout.shapes
    assert len(nodes.x) == 34 and list(nodes.customdata) == list(range(34))
    assert edges.type == "path" and edges.path.count("M") == edges.path.count("L") == 78
    x0, y0 = (float(v) for v in edges.path[1:].split("L")[0].split(","))   # the first link
    np.testing.assert_allclose([x0, y0], s.xy[s.links[0, 0]], atol=1e-4)
    wrong = (s.pred != s.labels)
    assert (np.asarray(nodes.marker.symbol) == 4).tolist() == wrong.tolist()
    widths = np.asarray(nodes.marker.line.width)
    assert widths[0] > 0 and widths[33] > 0 and widths[1:33].max() == 0   # the two labels
    names = [tr.name for tr in fig.data if tr.name]
    assert names[:2] == ["Mr. Hi", "Officer"] and "wrong" in names


def test_selected_node_lights_its_receptive_field(karate_gat):
    _, s = karate_gat
    fig = F.graph_figure(s, selected=0, hops=1)
    col = np.asarray(fig.data[0].marker.color)
    faded = len(s.class_names)
    dist = F.hop_distances(s.links, 34, 0, 1)
    assert ((col == faded) == (dist < 0)).all()
    assert (dist >= 0).sum() == 17                                   # node 0 and 16 friends
    assert "1-hop receptive field (17 of 34" in fig.layout.title.text
    lit = fig.layout.shapes[1].path                       # the links among those 17 nodes
    keep = (dist[s.links[0]] >= 0) & (dist[s.links[1]] >= 0)
    assert lit.count("M") == int(keep.sum()) > 0


def test_attention_figure_rows_sum_to_one(karate_gat):
    _, s = karate_gat
    spec = F.attention_figure(s, node=0)
    rows = spec["layer"][0]["data"]["values"]
    for head in ("head 1", "head 2"):
        assert sum(r["alpha"] for r in rows if r["head"] == head) == pytest.approx(1, abs=2e-3)
    assert {r["source"] for r in rows} >= {"0 (self)", "1"}


def test_attention_figure_without_gat_says_so():
    t = GNNTrainer(GNNConfig(graph="karate"), seed=0)
    spec = F.attention_figure(t.snapshot(), node=0)
    assert "gat" in json.dumps(spec)


def test_embedding_and_smoothing_charts(karate_gat):
    t, s = karate_gat
    emb = F.embedding_figure(s)
    assert [tr.name for tr in emb.data] == ["Mr. Hi", "Officer"]
    assert sum(len(tr.x) for tr in emb.data) == 34
    assert "PC 1" in emb.layout.xaxis.title.text
    sm = F.smoothing_chart(s)
    rows = sm["layer"][0]["data"]["values"]
    assert sorted({r["layer"] for r in rows}) == [0, 1, 2]
    assert sm["layer"][0]["encoding"]["x"]["title"] == "layer (0 = input)"


def test_live_figures_keys_and_json(karate_gat):
    t, s = karate_gat
    with checking():                            # plotly validates every property here
        figs = F.live_figures(s, t.history, t.config, selected=3)
        F.embedding_figure(s, s.emb[:5], "t-SNE", np.arange(5))
    assert {"graph", "embedding", "smoothing", "attention"} <= set(figs)
    assert {"chart:Loss", "chart:Accuracy"} <= set(figs)
    for v in figs.values():
        json.dumps(v) if isinstance(v, dict) else v.to_json()


def test_sweep_chart():
    assert "depth sweep" in json.dumps(F.sweep_chart(None))
    res = depth_sweep(GNNConfig(graph="karate"), epochs=2, depths=[1, 2, 3])
    rows = F.sweep_chart(res)["layer"][0]["data"]["values"]
    assert [r["depth"] for r in rows if r["measure"].startswith("test")] == [1, 2, 3]


@pytest.mark.parametrize("kw", [{}, {"model": "gat", "depth": 3, "residual": True},
                                {"model": "mlp", "depth": 1}])
def test_diagram_follows_the_layers(kw):
    cfg = GNNConfig(**kw)
    dot = F.diagram(cfg)
    assert dot.startswith("digraph") and dot.count(" layer ") == cfg.depth
    if cfg.model == "gat":
        assert "8×16" in dot


def test_big_graph_marks_are_their_own_traces(karate_gat):
    """Above BIG_GRAPH nodes, trace 0 (the nodes, what a click reads) has one symbol and no
    outline; the rings are the training nodes and the crosses the wrong labelled nodes, on
    traces that take no clicks. Small graphs keep per-node symbols and rings."""
    t = GNNTrainer(GNNConfig(graph="cora", hidden=8), seed=0)
    t.run_steps(3)
    s = t.snapshot()
    fig = F.graph_figure(s)
    nodes, rings, crosses = fig.data[0], fig.data[1], fig.data[2]
    assert len(nodes.x) == len(s.pred) == 2708 and nodes.type == "scatter"
    assert nodes.marker.symbol == 0 and nodes.marker.line.width == 0
    xy = s.xy.astype(np.float64)
    train = np.flatnonzero(s.split == 1)
    wrong = np.flatnonzero((s.labels >= 0) & (s.pred != s.labels))
    assert len(train) == 140 and 0 < len(wrong) < 2708
    np.testing.assert_allclose(np.asarray(rings.x, float), xy[train, 0], rtol=1e-6)
    np.testing.assert_allclose(np.asarray(crosses.y, float), xy[wrong, 1], rtol=1e-6)
    assert rings.hoverinfo == crosses.hoverinfo == "skip"
    assert rings.marker.symbol == "circle-open" and crosses.marker.symbol == "x-thin-open"
    _, k = karate_gat
    assert np.asarray(F.graph_figure(k).data[0].marker.symbol).shape == (34,)
