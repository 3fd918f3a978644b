"""Message-passing layers written out: GCN, GraphSAGE-mean, GAT, GIN, and an MLP baseline.

Every layer computes, for each node i, a new vector from its own vector and its neighbours'
(Gilmer et al. 2017):  h_i' = UPDATE(h_i, AGGREGATE_{j ∈ N(i)} MESSAGE(h_i, h_j)).

Letters: N nodes, E directed edges j -> i (``src`` j, ``dst`` i), F input width, D output width,
H attention heads. All layers first transform then propagate (a linear map commutes with a
weighted sum of neighbours), so a sparse input X only ever meets ``X @ W`` (``spmm``) and the
graph only ever meets an (N, D) dense matrix, through a CSR adjacency built once per graph.

- GCN, Kipf & Welling 2017:  H' = D̂^{-1/2} Â D̂^{-1/2} H W, Â = A + I.
- GraphSAGE-mean, Hamilton, Ying & Leskovec 2017:  h_i' = W_1 h_i + W_2 mean_{j∈N(i)} h_j.
- GAT, Veličković et al. 2018:  e_ij = LeakyReLU(a_dstᵀ W h_i + a_srcᵀ W h_j),
  α_ij = softmax_j(e_ij),  h_i' = ‖_heads Σ_j α_ij W h_j.
- GIN, Xu et al. 2019:  h_i' = MLP((1 + ε) h_i + Σ_{j∈N(i)} h_j).
- MLP: h_i' = W h_i, the edges ignored: the baseline a graph model must beat.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn


__all__ = ["Adjacency", "adjacency", "spmm", "dropout", "GCNLayer", "SAGELayer", "GATLayer",
           "GINLayer", "LinearLayer", "GNN", "GNNOutput", "KINDS"]

KINDS = ("gcn", "sage", "gat", "gin", "mlp")


def _csr(dst: torch.Tensor, src: torch.Tensor, w: torch.Tensor, n: int) -> torch.Tensor:
    """(N, N) CSR matrix with entry [dst, src] = w; the edges must be sorted by dst then src."""
    crow = torch.zeros(n + 1, dtype=torch.int64)
    crow[1:] = torch.cumsum(torch.bincount(dst, minlength=n), 0)
    return torch.sparse_csr_tensor(crow, src, w.float(), (n, n))


@dataclass(frozen=True)
class Adjacency:
    """A graph's edges in the forms the layers use, built once per graph and self-loop setting.

    Attributes:
        n: N.
        src, dst: (E',) int64 edges j -> i, self-loops i -> i included when ``self_loops``,
            sorted by dst then src (GAT's edges; its attention is per entry of these).
        gcn: (N, N) CSR D̂^{-1/2} Â D̂^{-1/2} with Â = A (+ I when ``self_loops``).
        mean: (N, N) CSR row-normalised A without self-loops (SAGE's neighbour mean).
        sum: (N, N) CSR A without self-loops (GIN's neighbour sum).
    """

    n: int
    src: torch.Tensor
    dst: torch.Tensor
    gcn: torch.Tensor
    mean: torch.Tensor
    sum: torch.Tensor
    self_loops: bool


def adjacency(edge_index: torch.Tensor, n: int, self_loops: bool = True) -> Adjacency:
    """The :class:`Adjacency` of a graph of ``n`` nodes whose (2, E) ``edge_index`` holds
    every message j -> i (row 0 the source, row 1 the target) without self-loops."""
    src, dst = edge_index
    deg = torch.bincount(dst, minlength=n).float()              # (N,) neighbours
    ones = torch.ones(len(src))
    a_sum = _csr(dst, src, ones, n)
    a_mean = _csr(dst, src, 1.0 / deg.clamp(min=1)[dst], n)
    if self_loops:
        loop = torch.arange(n)
        key_ = torch.cat([dst * n + src, loop * n + loop]).sort().values
        src, dst = key_ % n, key_ // n
        deg = deg + 1
    inv_sqrt = torch.where(deg > 0, deg.clamp(min=1).rsqrt(), torch.zeros(()))
    a_gcn = _csr(dst, src, inv_sqrt[dst] * inv_sqrt[src], n)
    return Adjacency(n, src, dst, a_gcn, a_mean, a_sum, bool(self_loops))


def spmm(x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    """x @ w for a dense or sparse (CSR) x.  Shapes: x (N, F), w (F, D) -> (N, D)."""
    if x.layout == torch.strided:
        return x @ w
    return torch.sparse.mm(x, w)


def dropout(x: torch.Tensor, p: float, training: bool) -> torch.Tensor:
    """Dropout that keeps sparse inputs sparse: on a CSR x only the non-zeros are dropped
    (and the survivors scaled by 1/(1-p)), which is what dense dropout does to them; the
    zeros stay zero either way, so the result is the same at a fraction of the cost."""
    if not training or p == 0:
        return x
    if x.layout == torch.strided:
        return F.dropout(x, p, True)
    return torch.sparse_csr_tensor(x.crow_indices(), x.col_indices(),
                                   F.dropout(x.values(), p, True), x.shape)


def _glorot(fan_in: int, fan_out: int, *shape: int) -> nn.Parameter:
    w = torch.empty(*shape) if shape else torch.empty(fan_in, fan_out)
    bound = (6.0 / (fan_in + fan_out)) ** 0.5
    return nn.Parameter(w.uniform_(-bound, bound))


class GCNLayer(nn.Module):
    """Graph convolution (Kipf & Welling 2017):  H' = D̂^{-1/2} Â D̂^{-1/2} H W + b.

    Â = A + I when self-loops are on, D̂ its degree matrix: each node averages itself and its
    neighbours, weighted 1/√(d̂_i d̂_j).

    Args:
        d_in, d_out: feature widths.
    Shapes:
        h (N, d_in) dense or CSR -> (N, d_out).
    """

    def __init__(self, d_in: int, d_out: int):
        super().__init__()
        self.weight = _glorot(d_in, d_out)
        self.bias = nn.Parameter(torch.zeros(d_out))

    def forward(self, h: torch.Tensor, adj: Adjacency) -> torch.Tensor:
        hw = spmm(h, self.weight)                        # (N, d_out) 1) transform
        return adj.gcn @ hw + self.bias                  # (N, d_out) 2) propagate


class SAGELayer(nn.Module):
    """GraphSAGE with the mean aggregator (Hamilton, Ying & Leskovec 2017):

        h_i' = W_1 h_i + W_2 · mean_{j ∈ N(i)} h_j + b

    (the paper's W · [h_i ‖ mean_j h_j], split into its two halves). The node's own vector has
    its own weights, so SAGE ignores the self-loop setting.

    Shapes:
        h (N, d_in) dense or CSR -> (N, d_out).
    """

    def __init__(self, d_in: int, d_out: int):
        super().__init__()
        self.w_self = _glorot(d_in, d_out)
        self.w_neigh = _glorot(d_in, d_out)
        self.bias = nn.Parameter(torch.zeros(d_out))

    def forward(self, h: torch.Tensor, adj: Adjacency) -> torch.Tensor:
        return spmm(h, self.w_self) + adj.mean @ spmm(h, self.w_neigh) + self.bias


class GATLayer(nn.Module):
    """Graph attention (Veličković et al. 2018), ``heads`` heads of width ``d_out`` each:

        z_i = W h_i,   e_ij = LeakyReLU_0.2(a_dstᵀ z_i + a_srcᵀ z_j),
        α_ij = exp(e_ij) / Σ_{k ∈ N(i)} exp(e_ik),   h_i' = Σ_{j ∈ N(i)} α_ij z_j,

    per head, the heads concatenated (``concat``) or averaged. N(i) includes i itself when
    self-loops are on. Dropout ``attn_dropout`` acts on α during training, as in the paper.

    Returns (h', α) with α (E', H) the attention of each edge of ``adj`` per head.
    Shapes:
        h (N, d_in) dense or CSR -> (N, H·d_out) if concat else (N, d_out).
    """

    def __init__(self, d_in: int, d_out: int, heads: int = 1, concat: bool = True,
                 attn_dropout: float = 0.0):
        super().__init__()
        self.heads, self.d_out, self.concat, self.attn_dropout = heads, d_out, concat, attn_dropout
        self.weight = _glorot(d_in, heads * d_out)
        self.a_src = _glorot(d_out, 1, heads, d_out)
        self.a_dst = _glorot(d_out, 1, heads, d_out)
        self.bias = nn.Parameter(torch.zeros(heads * d_out if concat else d_out))

    def forward(self, h: torch.Tensor, adj: Adjacency) -> tuple[torch.Tensor, torch.Tensor]:
        n, src, dst = adj.n, adj.src, adj.dst
        z = spmm(h, self.weight).view(n, self.heads, self.d_out)        # (N, H, D) 1) transform
        s_src = (z * self.a_src).sum(-1)                                # (N, H)
        s_dst = (z * self.a_dst).sum(-1)                                # (N, H)
        e = F.leaky_relu(s_src[src] + s_dst[dst], 0.2)                  # (E, H) 2) score edges
        e_max = torch.full((n, self.heads), -torch.inf).scatter_reduce(
            0, dst[:, None].expand_as(e), e, "amax", include_self=True)  # (N, H)
        p = torch.exp(e - e_max[dst])                                   # (E, H) 3) softmax
        denom = torch.zeros(n, self.heads).index_add_(0, dst, p)        # (N, H)   over j
        alpha = p / denom[dst]                                          # (E, H)
        a = F.dropout(alpha, self.attn_dropout, self.training)
        out = torch.zeros(n, self.heads, self.d_out).index_add_(
            0, dst, a[..., None] * z[src])                              # (N, H, D) 4) aggregate
        out = out.reshape(n, -1) if self.concat else out.mean(1)
        return out + self.bias, alpha


class GINLayer(nn.Module):
    """Graph isomorphism network layer (Xu et al. 2019), GIN-ε with a learnt ε:

        h_i' = MLP((1 + ε) h_i + Σ_{j ∈ N(i)} h_j),   MLP = W_2 ReLU(W_1 · + b_1) + b_2.

    A sum (not a mean) of neighbours with an injective MLP is as powerful as the 1-WL test.
    The first linear map is applied before the sum (it commutes with it).

    Shapes:
        h (N, d_in) dense or CSR -> (N, d_out).
    """

    def __init__(self, d_in: int, d_out: int):
        super().__init__()
        self.eps = nn.Parameter(torch.zeros(()))
        self.w1, self.b1 = _glorot(d_in, d_out), nn.Parameter(torch.zeros(d_out))
        self.w2, self.b2 = _glorot(d_out, d_out), nn.Parameter(torch.zeros(d_out))

    def forward(self, h: torch.Tensor, adj: Adjacency) -> torch.Tensor:
        u = spmm(h, self.w1)                                     # (N, d_out) W_1 h
        pre = (1 + self.eps) * u + adj.sum @ u + self.b1         # (N, d_out) W_1 (sum) + b_1
        return F.relu(pre) @ self.w2 + self.b2


class LinearLayer(nn.Module):
    """The MLP baseline's layer, h_i' = W h_i + b: no messages at all.

    Shapes:
        h (N, d_in) dense or CSR -> (N, d_out).
    """

    def __init__(self, d_in: int, d_out: int):
        super().__init__()
        self.weight = _glorot(d_in, d_out)
        self.bias = nn.Parameter(torch.zeros(d_out))

    def forward(self, h: torch.Tensor, adj: Adjacency | None = None) -> torch.Tensor:
        return spmm(h, self.weight) + self.bias


@dataclass
class GNNOutput:
    """logits (N, C); hidden: each layer's output (N, d_l) in order (the last one is the
    logits); attention: GAT's α (E', H_l) per layer, empty for other models."""

    logits: torch.Tensor
    hidden: list[torch.Tensor]
    attention: list[torch.Tensor]


class GNN(nn.Module):
    """``depth`` layers of one kind for node classification.

    Layer l maps width d_l to d_{l+1}: d_0 = F, hidden widths in between, d_L = C. Between
    layers: activation (ELU for GAT as in its paper, ReLU otherwise), then dropout; dropout
    also acts on the input (on its non-zeros when sparse). With ``residual``, a layer whose
    input and output widths agree adds its input: h_{l+1} = h_l + act(layer(h_l)).
    GAT's hidden layers have ``heads`` heads of width ``hidden`` concatenated (H·hidden wide);
    its output layer one head.

    Args:
        kind: one of ``gcn``, ``sage``, ``gat``, ``gin``, ``mlp``.
        d_in, n_classes: F and C.
        hidden: width of each hidden layer (per head for GAT).
        depth: number of layers L (1 to 8).
        dropout: dropout probability (also GAT's attention dropout).
        residual: skip connections on hidden-to-hidden layers.
        heads: GAT heads in hidden layers.
    Shapes:
        forward(x (N, F), adj) -> GNNOutput with logits (N, C).
    """

    def __init__(self, kind: str, d_in: int, n_classes: int, hidden: int = 16, depth: int = 2,
                 dropout: float = 0.5, residual: bool = False, heads: int = 8):
        super().__init__()
        if kind not in KINDS:
            raise ValueError(f"Expect kind in {KINDS}, actually {kind!r}")
        self.kind, self.p, self.residual = kind, dropout, residual
        width = hidden * heads if kind == "gat" else hidden
        dims = [d_in] + [width] * (depth - 1) + [n_classes]
        layers = []
        for l in range(depth):
            a, b = dims[l], dims[l + 1]
            last = l == depth - 1
            if kind == "gat":
                layers.append(GATLayer(a, b if last else hidden, 1 if last else heads,
                                       concat=not last, attn_dropout=dropout))
            else:
                layers.append({"gcn": GCNLayer, "sage": SAGELayer, "gin": GINLayer,
                               "mlp": LinearLayer}[kind](a, b))
        self.layers = nn.ModuleList(layers)
        self.dims = dims

    def forward(self, x: torch.Tensor, adj: Adjacency | None) -> GNNOutput:
        h = dropout(x, self.p, self.training)                 # (N, F), sparse stays sparse
        hidden, attention = [], []
        act = F.elu if self.kind == "gat" else F.relu
        for l, layer in enumerate(self.layers):
            if self.kind == "gat":
                out, alpha = layer(h, adj)
                attention.append(alpha)
            else:
                out = layer(h, adj)
            if l < len(self.layers) - 1:
                out = act(out)
                if self.residual and l > 0 and self.dims[l] == self.dims[l + 1]:
                    out = out + h
                hidden.append(out)
                h = F.dropout(out, self.p, self.training)
            else:
                hidden.append(out)
        return GNNOutput(hidden[-1], hidden, attention)
