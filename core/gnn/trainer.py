"""Training a graph network live: full-batch node classification, one step = one epoch.

``GNNTrainer(cfg, seed, graph=None)``: a :class:`core.training.Trainer`. ``graph`` is required
when ``cfg.graph == "upload"`` (the parsed upload), else the named built-in graph is loaded.

- ``train_step()``: one epoch, the cross-entropy on the training nodes; metric ``loss``.
- ``evaluate()`` (every epoch, dropout off): ``train_acc``, ``val_acc``, ``test_acc``,
  ``val_loss`` and ``best_test_acc``, the test accuracy at the epoch of best validation
  accuracy so far (the number papers report).
- ``snapshot()`` -> :class:`core.gnn.snapshot.GNNSnapshot`.
- ``depth_sweep(cfg, seed, epochs)``: best-validation test accuracy of a fresh model at every
  depth 1-8 (same seed), for the over-smoothing chart.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Callable

import numpy as np
import torch
import torch.nn.functional as F

from core.alarms import Alarm, chance_loss, lr_above
from core.gnn.config import GNNConfig
from core.gnn.data import Graph, layout, load
from core.gnn.metrics import METRICS
from core.gnn.model import GNN, Adjacency, adjacency
from core.gnn.snapshot import GNNSnapshot
from core.training import Trainer

__all__ = ["GNNTrainer", "smoothness", "depth_sweep", "graph_for", "tsne", "N_PCS"]

#: principal components of the hidden representation kept per snapshot (t-SNE starts there)
N_PCS = 16


def graph_for(cfg: GNNConfig, graph: Graph | None = None) -> Graph:
    """The graph a config trains on (the uploaded one must be passed in)."""
    if cfg.graph == "upload":
        if graph is None:
            raise ValueError("Expect an uploaded graph for graph='upload', actually none")
        return graph
    return load(cfg.graph, cfg.homophily, cfg.feature_noise)


def smoothness(h: torch.Tensor, src: torch.Tensor, dst: torch.Tensor) -> tuple[float, float]:
    """How alike node vectors have become, two ways (both O(N·d + E·d)).

    - mean cosine similarity over all pairs i ≠ j of the rows of h:
      (‖Σ_i u_i‖² − N) / (N(N − 1)) with u_i = h_i / ‖h_i‖ (zero rows skipped). 1: all
      nodes point the same way.
    - normalised Dirichlet energy Σ_{(i,j)∈E} ‖h_i − h_j‖² / (2 Σ_i ‖h_i‖²) over the directed
      edge list (each link twice): 0 when neighbours are identical.

    Shapes: h (N, d); src, dst (E,).
    """
    h = h.detach().float()
    norms = h.norm(dim=1)
    u = h[norms > 1e-12] / norms[norms > 1e-12, None]
    n = len(u)
    total = u.sum(0).double()
    cos = float(((total ** 2).sum() - n) / max(n * (n - 1), 1))
    diff = float(((h[src] - h[dst]) ** 2).sum())
    energy = diff / max(2 * float((h ** 2).sum()), 1e-12)
    return cos, energy


def _pca(h: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """(N, k) projections on the top-k principal axes (signs fixed), and variance fractions.

    From the eigenvectors of the (d, d) covariance, not an SVD of the (N, d) matrix: the
    same axes at a fraction of the cost (numpy's SVD of 2,708 × 64 took ~1 s here)."""
    h = h.astype(np.float64) - h.mean(0)
    var, vecs = np.linalg.eigh(h.T @ h)                      # ascending
    k = min(k, len(var))
    var, vecs = var[::-1].clip(min=0), vecs[:, ::-1][:, :k]  # (d,), (d, k)
    vecs = vecs * np.sign(vecs[np.abs(vecs).argmax(0), np.arange(k)])
    return (h @ vecs).astype(np.float32), (var[:k] / max(var.sum(), 1e-12)).astype(np.float32)


class GNNTrainer(Trainer):
    """Full-batch training of one :class:`core.gnn.model.GNN` on one graph."""

    config_cls = GNNConfig
    metrics = METRICS
    eval_every = 1
    timeline_cap = 40
    #: Adam at lr 1 leaves the loss at chance level (ln 7 on Cora) for good; at sensible rates
    #: a stall is a lesson (depth 8 over-smooths), so only a far too high rate is blamed
    alarms = (Alarm("loss", above=lambda t: 0.9 * t.chance_loss, hold=50, stalled=True,
                    when=lr_above(5.0),
                    says="the training loss stayed near chance level for {hold} epochs (now "
                         "{value:.3g}; guessing from the class frequencies alone scores "
                         "{t.chance_loss:.3g}): nothing is being learnt"),)

    def __init__(self, config: GNNConfig, seed: int = 0, graph: Graph | None = None):
        self._graph_arg = graph
        super().__init__(config, seed)

    def build(self) -> None:
        cfg: GNNConfig = self.config
        g = self.graph = graph_for(cfg, self._graph_arg)
        self.adj = graph_adjacency(g, cfg.self_loops)
        self.model = GNN(cfg.model, g.n_features, g.n_classes, cfg.hidden, cfg.depth,
                         cfg.dropout, cfg.residual, cfg.heads)
        self.y = g.y
        self.train_idx, self.val_idx, self.test_idx = g.train_idx, g.val_idx, g.test_idx
        self.y_train = self.y[self.train_idx]
        self.chance_loss = chance_loss(self.y_train.numpy())
        self.best_val = -1.0
        self.best_test = 0.0
        self._static = _static_arrays(g)
        self.add_optimizer("opt", lambda: torch.optim.Adam(
            self.model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay), lr_field="lr")

    def on_live_change(self, changed: set[str]) -> None:
        """Weight decay is live too: Adam reads it from its parameter group every step."""
        if "weight_decay" in changed:
            for g in self.opt.param_groups:
                g["weight_decay"] = self.config.weight_decay

    # ---- training ------------------------------------------------------------------------
    def train_step(self) -> dict[str, float]:
        self.model.train()
        opt = self.opt
        # dropout draws from torch's global generator: seed it per (run, epoch) so that a run
        # is the same whatever other trainers in this process did in between
        torch.manual_seed(self.seed * 1_000_003 + self.step)
        out = self.model(self.graph.x, self.adj)                        # logits (N, C)
        loss = F.cross_entropy(out.logits[self.train_idx], self.y_train)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        return {"loss": loss.detach()}

    def _forward_eval(self):
        """The dropout-free forward pass, computed once per step (evaluation and the
        snapshot of the same step share it)."""
        if getattr(self, "_eval_at", None) != self.step:
            self.model.eval()
            with torch.no_grad():
                self._eval_out = self.model(self.graph.x, self.adj)
            self._eval_at = self.step
        return self._eval_out

    def load_state_dict(self, state) -> None:
        super().load_state_dict(state)
        self._eval_at = None                      # new weights: the cached forward is stale

    def evaluate(self) -> dict[str, float]:
        logits = self._forward_eval().logits
        pred = logits.argmax(1)
        ok = pred == self.y
        acc = {k: float(ok[idx].float().mean()) for k, idx in
               (("train_acc", self.train_idx), ("val_acc", self.val_idx),
                ("test_acc", self.test_idx))}
        if acc["val_acc"] > self.best_val:
            self.best_val, self.best_test = acc["val_acc"], acc["test_acc"]
        val_loss = float(F.cross_entropy(logits[self.val_idx], self.y[self.val_idx]))
        return {**acc, "val_loss": val_loss, "best_test_acc": self.best_test}

    @torch.no_grad()
    def snapshot(self) -> GNNSnapshot:
        out = self._forward_eval()
        probs = out.logits.softmax(1)
        conf, pred = probs.max(1)
        labels, split, h0, xy, links, degree = self._static
        adj = self.adj
        cos, energy = [h0[0]], [h0[1]]
        for h in out.hidden:
            c, e = smoothness(h, adj.src, adj.dst)
            cos.append(c)
            energy.append(e)
        layer = max(len(out.hidden) - 1, 1)            # the last hidden layer (or the logits)
        rep = out.hidden[layer - 1].numpy()
        pcs, explained = _pca(rep, N_PCS)
        att = tuple(a.numpy().astype(np.float16) for a in out.attention)
        acc = {k: self.history.last(k) for k in ("train_acc", "val_acc", "test_acc")}
        return GNNSnapshot(
            step=self.step, pred=pred.numpy().astype(np.int8),
            confidence=conf.numpy().astype(np.float16), labels=labels, split=split,
            emb=np.ascontiguousarray(pcs[:, :2]) if pcs.shape[1] >= 2 else
            np.pad(pcs, ((0, 0), (0, 2 - pcs.shape[1]))),
            emb_explained=np.pad(explained[:2], (0, max(0, 2 - len(explained)))),
            pcs=pcs.astype(np.float16), emb_layer=layer,
            cos=np.array(cos, np.float32), energy=np.array(energy, np.float32),
            attention=att,
            att_src=adj.src.numpy().astype(np.int32) if att else None,
            att_dst=adj.dst.numpy().astype(np.int32) if att else None,
            accuracy=acc, xy=xy, links=links, degree=degree,
            class_names=self.graph.class_names, graph_name=self.graph.name)


def graph_adjacency(g: Graph, self_loops: bool = True) -> Adjacency:
    """The adjacency forms of ``g`` (``core.gnn.model.adjacency``), built once per graph."""
    return g.derived(("adjacency", bool(self_loops)),
                     lambda: adjacency(g.edge_index, g.n_nodes, self_loops))


def _static_arrays(g: Graph) -> tuple:
    """(labels, split, input smoothness, layout, links, degree), computed once per graph."""
    return g.derived("static", lambda: _static_build(g))


def _static_build(g: Graph) -> tuple:
    labels = g.y.numpy().astype(np.int8)
    split = np.zeros(g.n_nodes, np.int8)
    split[g.val_idx.numpy()] = 2
    split[g.test_idx.numpy()] = 3            # karate's validation nodes are its test nodes
    split[g.train_idx.numpy()] = 1
    x = g.x.to_dense() if g.sparse_x else g.x
    src, dst = g.edge_index
    h0 = smoothness(x, src, dst)
    e = g.edge_index.numpy()
    links = e[:, e[0] < e[1]].astype(np.int32)
    degree = g.degrees().astype(np.int32)
    xy = layout(g)
    for a in (labels, split, links, degree, xy):
        a.flags.writeable = False
    return labels, split, h0, xy, links, degree


def depth_sweep(cfg: GNNConfig, seed: int = 0, epochs: int = 100,
                graph: Graph | None = None, depths=range(1, 9),
                progress: Callable[[float], None] | None = None) -> dict[str, np.ndarray]:
    """Train a fresh model at each depth (same seed, ``epochs`` epochs); returns arrays
    ``depth``, ``best_test_acc`` (at the best validation epoch), ``train_acc`` (final) and
    ``cos`` (mean cosine similarity of the last hidden layer at the end)."""
    depths = list(depths)
    out = {"depth": np.array(depths), "best_test_acc": [], "train_acc": [], "cos": []}
    for i, d in enumerate(depths):
        t = GNNTrainer(replace(cfg, depth=d), seed=seed, graph=graph)
        t.run_steps(epochs)
        out["best_test_acc"].append(t.best_test)
        out["train_acc"].append(t.history.last("train_acc"))
        with torch.no_grad():
            h = t._forward_eval().hidden
        out["cos"].append(smoothness(h[-2] if len(h) > 1 else h[-1], t.adj.src, t.adj.dst)[0])
        if progress is not None:
            progress((i + 1) / len(depths))
    return {k: np.asarray(v, np.float32) if k != "depth" else v for k, v in out.items()}


_TSNE: dict[tuple, tuple[np.ndarray, np.ndarray]] = {}
#: t-SNE past this many nodes draws a fixed random sample of them (Cora in full: a minute+)
TSNE_MAX = 500


def tsne(snap: GNNSnapshot, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(node ids (M,), (M, 2) t-SNE) of a snapshot's hidden representation, from its top
    principal components as is usual before t-SNE; at most ``TSNE_MAX`` nodes (a fixed
    sample). Cached per snapshot; for paused views."""
    key = (snap.graph_name, snap.step, id(snap.pcs))
    if key not in _TSNE:
        from sklearn.manifold import TSNE
        n = len(snap.pcs)
        idx = np.arange(n) if n <= TSNE_MAX else np.sort(
            np.random.default_rng(0).choice(n, TSNE_MAX, replace=False))
        x = snap.pcs[idx].astype(np.float32)
        perplexity = float(min(30.0, max(2.0, (len(x) - 1) / 3)))
        _TSNE.clear()
        _TSNE[key] = idx, TSNE(n_components=2, perplexity=perplexity, init="pca",
                               max_iter=500, random_state=seed).fit_transform(x).astype(
                                   np.float32)
    return _TSNE[key]
