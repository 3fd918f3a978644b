"""The graphs of the GNN family: Cora, Zachary's karate club, a stochastic block model and the
user's own edge list, all as one :class:`Graph` structure.

Letters: N nodes, E directed edges (each undirected link stored both ways), F input features,
C classes.

- ``cora()``: the Cora citation graph (Sen et al. 2008) with the Planetoid split of Yang, Cohen
  & Salakhutdinov 2016 (140 train / 500 validation / 1,000 test), shipped as
  ``core/data/cora.npz``. Features are the 1,433 binary word indicators, row-normalised as in
  Kipf & Welling 2017, kept as a sparse CSR tensor (1.3 % of the entries are non-zero).
- ``karate()``: Zachary's karate club (Zachary 1977; networkx's copy), the two factions as
  classes, one labelled member per faction (the instructor, node 0, and the officer, node 33).
  Features are one-hot node ids (a sparse identity), as in Kipf & Welling's karate demo.
- ``sbm(homophily, feature_noise, ...)``: a stochastic block model whose fraction of
  intra-block edges is ``homophily``, with noisy class-mean features.
- the user's own edge list: :mod:`core.gnn.upload`.
- ``layout(graph)``: 2-D node positions, computed once per graph and cached (Cora's ships).
"""
from __future__ import annotations

import hashlib
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable
from functools import lru_cache
from pathlib import Path

import numpy as np
import torch

__all__ = ["Graph", "cora", "karate", "sbm", "load", "layout", "k_hop", "csr",
           "sparse_identity", "undirected_edge_index"]

DATA = Path(__file__).resolve().parents[1] / "data"

# CSR tensors are "beta" in torch; their matmul and its backward are what we use, and they work
warnings.filterwarnings("ignore", message="Sparse CSR tensor support is in beta")
warnings.filterwarnings("ignore", message="Sparse invariant checks are implicitly disabled")


def csr(indptr: np.ndarray, indices: np.ndarray, values: np.ndarray,
        shape: tuple[int, int]) -> torch.Tensor:
    """A float32 torch CSR tensor from numpy CSR arrays."""
    return torch.sparse_csr_tensor(torch.as_tensor(indptr, dtype=torch.int64),
                                   torch.as_tensor(indices, dtype=torch.int64),
                                   torch.as_tensor(values, dtype=torch.float32), shape)


def sparse_identity(n: int) -> torch.Tensor:
    """One-hot node ids as an (N, N) CSR tensor: featureless graphs learn one vector a node."""
    return csr(np.arange(n + 1), np.arange(n), np.ones(n, np.float32), (n, n))


@dataclass(frozen=True, eq=False)
class Graph:
    """A node-classification graph.

    Attributes:
        name: shown in titles.
        x: node features, (N, F) float32, a CSR tensor when sparse or a dense tensor.
        edge_index: (2, E) int64, row 0 the source j and row 1 the target i of each message
            j -> i; every undirected link appears in both directions; no self-loops; sorted by
            target then source.
        y: (N,) int64 class of each node, -1 where unknown (an unlabelled uploaded node).
        train_idx, val_idx, test_idx: (·,) int64 node ids of each split.
        class_names: C names.
        note: how the graph was made (shown under the figure).
    """

    name: str
    x: torch.Tensor
    edge_index: torch.Tensor
    y: torch.Tensor
    train_idx: torch.Tensor
    val_idx: torch.Tensor
    test_idx: torch.Tensor
    class_names: tuple[str, ...]
    note: str = ""
    _cache: dict = field(default_factory=dict, repr=False, compare=False)

    def derived(self, key: Any, build: Callable[[], Any]) -> Any:
        """``build()``, once per graph and ``key``: what is computed from a graph (which never
        changes) and kept with it, e.g. its adjacency forms and its layout."""
        if key not in self._cache:
            self._cache[key] = build()
        return self._cache[key]

    @property
    def n_nodes(self) -> int:
        return int(self.y.shape[0])

    @property
    def n_edges(self) -> int:
        """Undirected links (half the stored directed edges)."""
        return int(self.edge_index.shape[1]) // 2

    @property
    def n_features(self) -> int:
        return int(self.x.shape[1])

    @property
    def n_classes(self) -> int:
        return len(self.class_names)

    @property
    def sparse_x(self) -> bool:
        return self.x.layout != torch.strided

    def degrees(self) -> np.ndarray:
        """(N,) number of neighbours of each node."""
        return np.bincount(self.edge_index[1].numpy(), minlength=self.n_nodes)

    def fingerprint(self) -> str:
        """A short hash of the node count and edges: the key of the cached layout."""
        h = hashlib.sha1(str(self.n_nodes).encode())
        h.update(self.edge_index.numpy().tobytes())
        return h.hexdigest()[:16]


def undirected_edge_index(pairs: np.ndarray, n: int) -> torch.Tensor:
    """(2, E) both directions of each undirected pair, self-loops and duplicates removed,
    sorted by target then source (so it lines up with a CSR adjacency)."""
    pairs = np.asarray(pairs, dtype=np.int64).reshape(2, -1)
    src = np.concatenate([pairs[0], pairs[1]])
    dst = np.concatenate([pairs[1], pairs[0]])
    keep = src != dst
    key = np.unique(dst[keep] * n + src[keep])
    return torch.from_numpy(np.stack([key % n, key // n]))


def _split_tensor(idx) -> torch.Tensor:
    return torch.as_tensor(np.asarray(idx, dtype=np.int64))


# ---- Cora -------------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def cora() -> Graph:
    """Cora with the Planetoid split; features row-normalised, sparse.

    >>> g = cora()
    >>> g.n_nodes, g.n_edges, g.n_features, g.n_classes, len(g.train_idx), len(g.test_idx)
    (2708, 5278, 1433, 7, 140, 1000)
    """
    with np.load(DATA / "cora.npz") as f:
        indptr = f["x_indptr"].astype(np.int64)
        indices = f["x_indices"].astype(np.int64)
        n_feat = int(f["n_features"])
        edges = f["edges"]
        labels = f["labels"].astype(np.int64)
        names = tuple(str(s).replace("_", " ") for s in f["class_names"])
        splits = [f[k] for k in ("train_idx", "val_idx", "test_idx")]
    n = len(labels)
    row_nnz = np.diff(indptr)
    values = (1.0 / np.maximum(row_nnz, 1)).repeat(row_nnz).astype(np.float32)  # row-normalised
    return Graph("Cora", csr(indptr, indices, values, (n, n_feat)),
                 undirected_edge_index(edges, n), torch.from_numpy(labels),
                 *map(_split_tensor, splits), class_names=names,
                 note="Cora (Sen et al. 2008): papers linked by citations, 1,433 word features, "
                      "the Planetoid split (140 / 500 / 1,000).")


# ---- Karate club -------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def karate() -> Graph:
    """Zachary's karate club: 34 members, 78 friendships, two factions, one label each.

    >>> g = karate()
    >>> g.n_nodes, g.n_edges, g.train_idx.tolist(), len(g.test_idx)
    (34, 78, [0, 33], 32)
    """
    import networkx as nx
    g = nx.karate_club_graph()
    n = g.number_of_nodes()
    y = np.array([0 if g.nodes[i]["club"] == "Mr. Hi" else 1 for i in range(n)], np.int64)
    pairs = np.array(list(g.edges()), np.int64).T
    rest = np.array([i for i in range(n) if i not in (0, 33)], np.int64)
    # 34 nodes leave no room for a held-out validation set: it is the unlabelled members too
    return Graph("Karate club", sparse_identity(n), undirected_edge_index(pairs, n),
                 torch.from_numpy(y), _split_tensor([0, 33]), _split_tensor(rest),
                 _split_tensor(rest), class_names=("Mr. Hi", "Officer"),
                 note="Zachary's karate club (1977): one labelled member per faction; features "
                      "are one-hot node ids; validation and test are the 32 unlabelled members.")


# ---- Stochastic block model --------------------------------------------------------------------
@lru_cache(maxsize=16)
def sbm(homophily: float = 0.8, feature_noise: float = 1.0, n_blocks: int = 3,
        n_nodes: int = 300, avg_degree: float = 6.0, n_features: int = 16,
        seed: int = 0) -> Graph:
    """A stochastic block model with a chosen homophily and noisy class-mean features.

    Each node belongs to one of ``n_blocks`` equal blocks (its class). An edge inside a block
    has probability p_in, across blocks p_out, chosen so that a node has ``avg_degree``
    neighbours on average of which a fraction ``homophily`` share its block:
    p_in = h·d / (N/K − 1), p_out = (1 − h)·d / (N − N/K). A node's features are its class mean
    μ_y (a random unit vector) plus N(0, σ²) noise with σ = ``feature_noise``.

    Split: 20 nodes per class for training, 20 % of the rest for validation, the others test.

    >>> g = sbm(0.9, 0.5, seed=1)
    >>> g.n_nodes, g.n_classes, g.n_features
    (300, 3, 16)
    """
    rng = np.random.default_rng(seed)
    k = n_blocks
    y = np.arange(n_nodes) % k
    rng.shuffle(y)
    size = n_nodes / k
    p_in = min(1.0, homophily * avg_degree / max(size - 1, 1))
    p_out = min(1.0, (1 - homophily) * avg_degree / max(n_nodes - size, 1))
    iu = np.triu_indices(n_nodes, 1)
    same = y[iu[0]] == y[iu[1]]
    p = np.where(same, p_in, p_out)
    hit = rng.random(len(p)) < p
    pairs = np.stack([iu[0][hit], iu[1][hit]])
    mu = rng.normal(size=(k, n_features))
    mu /= np.linalg.norm(mu, axis=1, keepdims=True)
    x = (mu[y] + feature_noise * rng.normal(size=(n_nodes, n_features))).astype(np.float32)
    train = np.concatenate([np.flatnonzero(y == c)[:20] for c in range(k)])
    rest = rng.permutation(np.setdiff1d(np.arange(n_nodes), train))
    n_val = len(rest) // 5
    return Graph(f"SBM (homophily {homophily:g})", torch.from_numpy(x),
                 undirected_edge_index(pairs, n_nodes), torch.from_numpy(y.astype(np.int64)),
                 _split_tensor(np.sort(train)), _split_tensor(np.sort(rest[:n_val])),
                 _split_tensor(np.sort(rest[n_val:])),
                 class_names=tuple(f"block {c}" for c in range(k)),
                 note=f"Stochastic block model: {n_nodes} nodes in {k} blocks, "
                      f"{homophily:.0%} of edges inside a block, feature noise σ = "
                      f"{feature_noise:g}.")


def load(name: str, homophily: float = 0.8, feature_noise: float = 1.0,
         seed: int = 0) -> Graph:
    """A built-in graph by name: ``cora``, ``karate`` or ``sbm``."""
    if name == "cora":
        return cora()
    if name == "karate":
        return karate()
    if name == "sbm":
        return sbm(round(float(homophily), 4), round(float(feature_noise), 4), seed=seed)
    raise ValueError(f"Expect a graph among cora, karate, sbm; actually {name!r}")


# ---- Layout and receptive fields ---------------------------------------------------------------
_LAYOUTS: dict[str, np.ndarray] = {}


def layout(g: Graph) -> np.ndarray:
    """(N, 2) float32 node positions in [-1, 1]², computed once per graph and cached.

    Cora's ships in ``core/data/cora_layout.npz`` (networkx's spring layout, seed 0, takes
    ~40 s on 2,708 nodes); other graphs get a spring layout here (karate ~10 ms, SBM ~0.3 s).
    """
    key = g.fingerprint()
    if key not in _LAYOUTS:
        shipped = DATA / "cora_layout.npz"
        xy = None
        if g.name == "Cora" and shipped.exists():
            with np.load(shipped) as f:
                if f["fingerprint"].item() == key:
                    xy = f["xy"].astype(np.float32)
        if xy is None:
            xy = spring_layout(g)
        _LAYOUTS[key] = xy
    return _LAYOUTS[key]


def spring_layout(g: Graph, seed: int = 0, iterations: int = 50) -> np.ndarray:
    """networkx's Fruchterman-Reingold layout, scaled into [-1, 1]². Past 600 nodes (an
    upload) its ~15 ms per node would keep a student waiting: the spectral layout instead."""
    import networkx as nx
    nxg = nx.Graph()
    nxg.add_nodes_from(range(g.n_nodes))
    e = g.edge_index.numpy()
    nxg.add_edges_from(zip(e[0].tolist(), e[1].tolist()))
    if g.n_nodes > 600:
        pos = nx.spectral_layout(nxg)
    else:
        pos = nx.spring_layout(nxg, seed=seed, iterations=iterations)
    xy = np.array([pos[i] for i in range(g.n_nodes)], dtype=np.float32)
    xy -= xy.mean(0)
    return (xy / max(float(np.abs(xy).max()), 1e-9)).astype(np.float32)


def k_hop(g: Graph, node: int, k: int) -> np.ndarray:
    """(N,) int hop distance from ``node`` up to ``k`` (-1 beyond): the receptive field of a
    ``k``-layer message-passing network at ``node``.

    >>> k_hop(karate(), 0, 1)[[0, 1, 9]].tolist()
    [0, 1, -1]
    """
    e = g.edge_index.numpy()
    dist = np.full(g.n_nodes, -1, np.int64)
    dist[node] = 0
    frontier = np.array([node])
    for hop in range(1, k + 1):
        nxt = np.unique(e[1][np.isin(e[0], frontier)])
        nxt = nxt[dist[nxt] < 0]
        if len(nxt) == 0:
            break
        dist[nxt] = hop
        frontier = nxt
    return dist
