"""GNN family: data, layers against references, trainer behaviour."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from core.config import validate
from core.metrics import undeclared
from core.gnn import data as D
from core.gnn import upload as U
from core.gnn.config import EXPERIMENTS, PRESETS, GNNConfig
from core.gnn.model import (GATLayer, GCNLayer, GINLayer, GNN, LinearLayer, SAGELayer,
                            dropout)
from core.gnn.snapshot import GNNSnapshot
from core.gnn.trainer import GNNTrainer, depth_sweep, graph_adjacency, smoothness


def small_graph(n=7, seed=0, sparse=False) -> D.Graph:
    """A random connected graph with an isolated-free edge list and 5 dense features."""
    rng = np.random.default_rng(seed)
    pairs = [(i, i + 1) for i in range(n - 1)] + [tuple(rng.choice(n, 2, replace=False))
                                                  for _ in range(n)]
    ei = D.undirected_edge_index(np.array(pairs).T, n)
    x = torch.from_numpy(rng.normal(size=(n, 5)).astype(np.float32))
    if sparse:
        x = x.to_sparse_csr()
    y = torch.from_numpy(rng.integers(0, 3, n))
    idx = torch.arange(n)
    return D.Graph("tiny", x, ei, y, idx[:3], idx[3:5], idx[5:], ("a", "b", "c"))


def dense_adj(g: D.Graph) -> torch.Tensor:
    a = torch.zeros(g.n_nodes, g.n_nodes)
    a[g.edge_index[1], g.edge_index[0]] = 1.0
    return a


def neighbours(g: D.Graph, i: int) -> list[int]:
    e = g.edge_index
    return e[0][e[1] == i].tolist()


# ---- data ----------------------------------------------------------------------------------
def test_cora_shapes_and_split():
    g = D.cora()
    assert (g.n_nodes, g.n_edges, g.n_features, g.n_classes) == (2708, 5278, 1433, 7)
    assert g.sparse_x and g.x.values().numel() == 49216
    assert (len(g.train_idx), len(g.val_idx), len(g.test_idx)) == (140, 500, 1000)
    # rows are normalised to sum 1 and the edge list is symmetric without self-loops
    row_sums = torch.sparse.mm(g.x, torch.ones(1433, 1)).squeeze()
    assert torch.allclose(row_sums[row_sums > 0], torch.ones(1))
    src, dst = g.edge_index
    assert not (src == dst).any()
    fwd = set(zip(src.tolist(), dst.tolist()))
    assert all((b, a) in fwd for a, b in fwd)
    assert np.bincount(g.y[g.train_idx].numpy()).tolist() == [20] * 7


def test_cora_layout_ships_and_matches():
    xy = D.layout(D.cora())
    assert xy.shape == (2708, 2) and np.isfinite(xy).all() and np.abs(xy).max() <= 1.0001


def test_karate_one_label_per_faction():
    g = D.karate()
    assert g.y[0] != g.y[33] and g.train_idx.tolist() == [0, 33]
    assert D.k_hop(g, 0, 1).max() == 1 and (D.k_hop(g, 0, 2) >= 0).sum() > (
        D.k_hop(g, 0, 1) >= 0).sum()


@pytest.mark.parametrize("h", [0.1, 0.9])
def test_sbm_homophily_is_what_was_asked(h):
    g = D.sbm(h, 1.0, n_nodes=600, seed=3)
    src, dst = g.edge_index
    same = (g.y[src] == g.y[dst]).float().mean().item()
    assert abs(same - h) < 0.08
    assert abs(g.edge_index.shape[1] / g.n_nodes - 6.0) < 1.0   # average degree


def test_edge_csv_happy_path_with_header_and_notes():
    text = "source,target,label\n0,1,a\n1,2,a\n2,3,b\n3,4,b\n4,0,a\n5,5,\n7,8,b\n"
    g, notes = U.parse_edge_csv(text.encode())
    assert g.n_nodes == 5 and g.n_edges == 5 and g.n_classes == 2
    assert any("self-loop" in n for n in notes)
    assert any("connected component" in n for n in notes)
    assert set(g.train_idx.tolist()).isdisjoint(g.test_idx.tolist())


@pytest.mark.parametrize("text, words", [
    (b"", "empty"),
    (b"a,b\nx,y\n", "whole numbers"),
    (b"0,0,a\n1,1,b\n", "self-loop"),
    (b"0,1\n1,2\n", "No labels"),
    (b"0,1,a\n1,2,a\n", "one class"),
    (b"0,1,a,extra\n", "columns"),
    (b"0,1,a\n1,2,b\n2,3,b\n", "single labelled node"),
    (b"\xff\xfe\x00", "UTF-8"),
])
def test_edge_csv_malformed_files_name_the_fix(text, words):
    with pytest.raises(U.GraphError, match=words):
        U.parse_edge_csv(text)


def test_edge_csv_too_large():
    with pytest.raises(U.GraphError, match="limit"):
        U.parse_edge_csv(b"0,1\n" * (U.MAX_UPLOAD_BYTES // 4 + 1))
    rows = "\n".join(f"{i},{i + 1},a" for i in range(U.MAX_UPLOAD_NODES + 1))
    with pytest.raises(U.GraphError, match="nodes"):
        U.parse_edge_csv(rows)


# ---- layers against references ----------------------------------------------------------------
@pytest.mark.parametrize("self_loops", [True, False])
@pytest.mark.parametrize("sparse", [False, True])
def test_gcn_equals_dense_formula(self_loops, sparse):
    g = small_graph(sparse=sparse)
    layer = GCNLayer(5, 4)
    a = dense_adj(g) + (torch.eye(g.n_nodes) if self_loops else 0)
    d = a.sum(1).rsqrt()
    x = g.x.to_dense() if sparse else g.x
    want = d[:, None] * a * d[None, :] @ x @ layer.weight + layer.bias
    got = layer(g.x, graph_adjacency(g, self_loops))
    assert got.shape == (7, 4)
    assert torch.allclose(got, want, atol=1e-5)


def test_sage_equals_per_node_loop():
    g = small_graph()
    layer = SAGELayer(5, 3)
    got = layer(g.x, graph_adjacency(g))
    for i in range(g.n_nodes):
        mean = g.x[neighbours(g, i)].mean(0)
        want = g.x[i] @ layer.w_self + mean @ layer.w_neigh + layer.bias
        assert torch.allclose(got[i], want, atol=1e-5)


def test_gin_equals_per_node_loop():
    g = small_graph()
    layer = GINLayer(5, 3)
    with torch.no_grad():
        layer.eps.fill_(0.3)
    got = layer(g.x, graph_adjacency(g))
    for i in range(g.n_nodes):
        agg = 1.3 * g.x[i] + g.x[neighbours(g, i)].sum(0)
        want = torch.relu(agg @ layer.w1 + layer.b1) @ layer.w2 + layer.b2
        assert torch.allclose(got[i], want, atol=1e-5)


@pytest.mark.parametrize("concat", [True, False])
def test_gat_equals_per_node_loop_and_attention_sums_to_one(concat):
    g = small_graph()
    heads, d = 3, 4
    layer = GATLayer(5, d, heads, concat=concat)
    adj = graph_adjacency(g, self_loops=True)
    got, alpha = layer(g.x, adj)
    assert got.shape == (7, heads * d if concat else d) and alpha.shape == (len(adj.src), heads)
    sums = torch.zeros(7, heads).index_add_(0, adj.dst, alpha)
    assert torch.allclose(sums, torch.ones(7, heads), atol=1e-6)
    z = (g.x @ layer.weight).view(7, heads, d)
    for i in range(g.n_nodes):
        nb = neighbours(g, i) + [i]
        outs = []
        for k in range(heads):
            e = torch.stack([torch.nn.functional.leaky_relu(
                layer.a_dst[k] @ z[i, k] + layer.a_src[k] @ z[j, k], 0.2) for j in nb])
            a = torch.softmax(e, 0)
            outs.append((a[:, None] * z[nb, k]).sum(0))
        want = (torch.cat(outs) if concat else torch.stack(outs).mean(0)) + layer.bias
        assert torch.allclose(got[i], want, atol=1e-5)


@pytest.mark.parametrize("make", [lambda: GCNLayer(5, 4), lambda: SAGELayer(5, 4),
                                  lambda: GINLayer(5, 4), lambda: GATLayer(5, 2, 2),
                                  lambda: LinearLayer(5, 4)])
def test_layers_are_permutation_equivariant(make):
    g = small_graph(n=9, seed=2)
    layer = make()
    perm = torch.randperm(9, generator=torch.Generator().manual_seed(0))
    inv = torch.argsort(perm)                       # node i of g is node inv[i] of gp
    gp = D.Graph("perm", g.x[perm], D.undirected_edge_index(inv[g.edge_index].numpy(), 9),
                 g.y[perm], g.train_idx, g.val_idx, g.test_idx, g.class_names)
    out = layer(g.x, graph_adjacency(g))
    outp = layer(gp.x, graph_adjacency(gp))
    out, outp = (out[0], outp[0]) if isinstance(out, tuple) else (out, outp)
    assert torch.allclose(outp, out[perm], atol=1e-5)


def test_sparse_dropout_drops_only_non_zeros_and_rescales():
    x = D.cora().x
    torch.manual_seed(0)
    d = dropout(x, 0.5, training=True)
    v = d.values()
    assert d.layout == torch.sparse_csr and v.numel() == x.values().numel()
    assert 0.45 < (v == 0).float().mean() < 0.55
    assert torch.allclose(v[v != 0], 2 * x.values()[v != 0])
    assert dropout(x, 0.5, training=False) is x


@pytest.mark.parametrize("kind", ["gcn", "sage", "gat", "gin", "mlp"])
@pytest.mark.parametrize("depth", [1, 3])
def test_model_shapes(kind, depth):
    g = small_graph(sparse=True)
    m = GNN(kind, 5, 3, hidden=4, depth=depth, heads=2, residual=True).eval()
    out = m(g.x, graph_adjacency(g))
    assert out.logits.shape == (7, 3) and len(out.hidden) == depth
    assert len(out.attention) == (depth if kind == "gat" else 0)


def test_mlp_ignores_edges():
    g = small_graph()
    m = GNN("mlp", 5, 3, depth=2).eval()
    g2 = D.Graph("no edges", g.x, torch.zeros(2, 0, dtype=torch.int64), g.y, g.train_idx,
                 g.val_idx, g.test_idx, g.class_names)
    assert torch.equal(m(g.x, graph_adjacency(g)).logits, m(g2.x, graph_adjacency(g2)).logits)


def test_smoothness_extremes():
    g = small_graph()
    src, dst = g.edge_index
    same = torch.ones(7, 3)
    cos, energy = smoothness(same, src, dst)
    assert cos == pytest.approx(1.0) and energy == pytest.approx(0.0)
    opposite = torch.tensor([[1.0, 0.0], [-1.0, 0.0]])
    cos, energy = smoothness(opposite, torch.tensor([0, 1]), torch.tensor([1, 0]))
    assert cos == pytest.approx(-1.0) and energy == pytest.approx(2.0)


# ---- config -----------------------------------------------------------------------------------
def test_config_validation_names_the_fix():
    assert validate(GNNConfig()) == []
    probs = validate(GNNConfig(depth=9))
    assert probs and "maximum 8" in probs[0]
    probs = validate(GNNConfig(model="gat", heads=8, hidden=128))
    assert probs and "pick hidden 64" in probs[0]
    for p in PRESETS + EXPERIMENTS:
        assert validate(GNNConfig(**p.overrides)) == [], p.name


# ---- trainer ----------------------------------------------------------------------------------
def test_trainer_metrics_and_snapshot_on_karate():
    t = GNNTrainer(GNNConfig(graph="karate", dropout=0.0), seed=0)
    m = t.do_step()
    assert set(m) == {"loss", "train_acc", "val_acc", "test_acc", "val_loss", "best_test_acc"}
    assert undeclared(GNNTrainer.metrics, m) == []
    s = t.snapshot()
    assert isinstance(s, GNNSnapshot)
    assert s.pred.shape == (34,) and s.emb.shape == (34, 2) and s.cos.shape == (3,)
    assert s.split[0] == 1 and s.split[5] == 3 and s.attention == ()


def test_karate_gcn_learns_the_factions():
    t = GNNTrainer(GNNConfig(graph="karate", dropout=0.0), seed=0)
    t.run_steps(60)
    assert t.history.last("test_acc") >= 0.85
    assert t.history.last("loss") < 0.3


def test_gat_snapshot_holds_attention_per_edge_and_head():
    t = GNNTrainer(GNNConfig(graph="karate", model="gat", hidden=4, heads=3), seed=0)
    t.run_steps(2)
    s = t.snapshot()
    assert len(s.attention) == 2 and s.attention[0].shape == (156 + 34, 3)
    assert s.attention[1].shape == (190, 1) and s.att_src.shape == (190,)


def test_weight_decay_and_lr_change_live():
    t = GNNTrainer(GNNConfig(graph="karate"), seed=0)
    t.run_steps(1)
    assert t.apply_live(GNNConfig(graph="karate", lr=0.05, weight_decay=0.01))
    t.run_steps(1)
    g = t.opt.param_groups[0]
    assert g["lr"] == pytest.approx(0.05) and g["weight_decay"] == 0.01


def test_same_seed_same_run():
    a = GNNTrainer(GNNConfig(graph="sbm"), seed=4)
    b = GNNTrainer(GNNConfig(graph="sbm"), seed=4)
    a.run_steps(5)
    b.run_steps(5)
    assert np.array_equal(a.history.series("loss")[1], b.history.series("loss")[1])


def test_upload_needs_a_graph():
    with pytest.raises(ValueError, match="uploaded graph"):
        GNNTrainer(GNNConfig(graph="upload"))
    g, _ = U.parse_edge_csv("0,1,a\n1,2,a\n2,3,b\n3,0,b\n0,2,a\n")
    t = GNNTrainer(GNNConfig(graph="upload"), graph=g)
    t.run_steps(3)
    assert t.step == 3


def test_depth_sweep_shapes():
    out = depth_sweep(GNNConfig(graph="karate"), epochs=3, depths=[1, 2])
    assert out["depth"].tolist() == [1, 2] and out["best_test_acc"].shape == (2,)


@pytest.mark.slow
def test_cora_gcn_reaches_paper_accuracy():
    t = GNNTrainer(GNNConfig(), seed=0)
    t.run_steps(200)
    assert t.best_test >= 0.79


@pytest.mark.slow
def test_heterophily_hurts_gcn_against_mlp():
    accs = {}
    for model in ("gcn", "mlp"):
        t = GNNTrainer(GNNConfig(graph="sbm", homophily=0.1, model=model), seed=0)
        t.run_steps(150)
        accs[model] = t.best_test
    assert accs["gcn"] < accs["mlp"]


def test_save_and_load_round_trip_predicts_the_same():
    t = GNNTrainer(GNNConfig(graph="karate"), seed=0)
    t.run_steps(4)
    u = GNNTrainer.load_bytes(t.save_bytes())
    assert u.step == 4
    assert np.array_equal(u.snapshot().pred, t.snapshot().pred)


def test_theory_has_the_seven_sections_and_cites_the_papers():
    from pathlib import Path

    from core.content import missing_sections
    text = (Path(__file__).resolve().parents[1] / "core" / "gnn" / "theory.md").read_text()
    assert missing_sections(text) == []
    for cite in ("Kipf", "Hamilton", "Veličković", "Xu", "Gilmer", "Li, Han", "Weisfeiler",
                 "Sen", "Yang", "Zachary"):
        assert cite in text, cite
