"""A teaching-size transformer: attention written out, encoder-decoder or decoder-only.

Vaswani et al. 2017, "Attention is all you need" (multi-head attention, sinusoidal positions,
encoder-decoder); Xiong et al. 2020, "On layer normalization in the transformer architecture"
(pre-LN vs post-LN); Radford et al. 2018 (GPT: the decoder-only language model) and 2019
(GPT-2: pre-LN, learned positions, tied embeddings).

Letters used in shape comments:
    B batch, S source length, T target length (or sequence length), D d_model,
    H heads, Dh = D / H per-head size, V vocabulary size, L layers.

Every attention returns its weights (B, H, Tq, Tk) next to its output, so the page can draw
each layer × head without hooks.
"""
from __future__ import annotations

import math

import torch
import torch.nn as nn
import torch.nn.functional as F

__all__ = ["attention", "MultiHeadAttention", "sinusoidal_encoding", "PositionalEncoding",
           "FeedForward", "EncoderLayer", "DecoderLayer", "Transformer", "causal_mask"]


def causal_mask(T: int, device=None) -> torch.Tensor:
    """(T, T) bool, True where query t may look at key s (s <= t)."""
    return torch.ones(T, T, dtype=torch.bool, device=device).tril()


def attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor,
              mask: torch.Tensor | None = None, dropout_p: float = 0.0,
              training: bool = False) -> tuple[torch.Tensor, torch.Tensor]:
    r"""Scaled dot-product attention, returning its weights.

    .. math:: \mathrm{Attention}(Q, K, V) = \mathrm{softmax}\!\left(\frac{QK^\top}{\sqrt{d_k}}
              + M\right) V

    Args:
        q: (..., Tq, Dh), k: (..., Tk, Dh), v: (..., Tk, Dv).
        mask: bool, broadcastable to (..., Tq, Tk); True = may attend (as in
            ``F.scaled_dot_product_attention``).
    Returns:
        out (..., Tq, Dv) and weights (..., Tq, Tk) (before dropout, rows sum to 1).

    >>> q = k = v = torch.ones(1, 3, 4)
    >>> out, w = attention(q, k, v, causal_mask(3))
    >>> w[0, 1].tolist()
    [0.5, 0.5, 0.0]
    """
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.size(-1))  # (..., Tq, Tk)
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = scores.softmax(dim=-1)
    w = F.dropout(weights, dropout_p, training) if dropout_p > 0 else weights
    return w @ v, weights


class MultiHeadAttention(nn.Module):
    r"""Multi-head attention with its Q, K, V and output projections.

    .. math:: \mathrm{MultiHead}(X_q, X_{kv}) = \mathrm{Concat}(\mathrm{head}_1, \dots,
              \mathrm{head}_H) W^O, \quad \mathrm{head}_h = \mathrm{Attention}(X_q W^Q_h,
              X_{kv} W^K_h, X_{kv} W^V_h)

    Shapes: x_q (B, Tq, D), x_kv (B, Tk, D) -> out (B, Tq, D), weights (B, H, Tq, Tk).
    """

    def __init__(self, d_model: int, n_heads: int, dropout: float = 0.0):
        super().__init__()
        if d_model % n_heads:
            raise ValueError(f"Expect d_model divisible by n_heads, actually {d_model} and "
                             f"{n_heads}")
        self.h, self.dh, self.dropout = n_heads, d_model // n_heads, dropout
        # W^Q, W^K and W^V of every head, stacked in one (3D, D) layer: one matrix product
        # instead of three when queries, keys and values come from the same tokens
        self.qkv = nn.Linear(d_model, 3 * d_model)
        self.o = nn.Linear(d_model, d_model)

    def split(self, x: torch.Tensor) -> torch.Tensor:  # (B, T, D) -> (B, H, T, Dh)
        B, T, _ = x.shape
        return x.view(B, T, self.h, self.dh).transpose(1, 2)

    def forward(self, x_q: torch.Tensor, x_kv: torch.Tensor | None = None,
                mask: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        # 1) project into H heads
        D = self.h * self.dh
        if x_kv is None or x_kv is x_q:  # self-attention
            q, k, v = self.qkv(x_q).split(D, dim=-1)
        else:  # cross-attention: queries from x_q, keys and values from x_kv
            w, b = self.qkv.weight, self.qkv.bias
            q = F.linear(x_q, w[:D], b[:D])
            k, v = F.linear(x_kv, w[D:], b[D:]).split(D, dim=-1)
        q, k, v = self.split(q), self.split(k), self.split(v)
        # 2) attend in every head at once                          # (B, H, Tq, Dh)
        out, weights = attention(q, k, v, mask, self.dropout, self.training)
        # 3) concatenate the heads and mix them
        B, _, Tq, _ = out.shape
        out = out.transpose(1, 2).reshape(B, Tq, self.h * self.dh)  # (B, Tq, D)
        return self.o(out), weights


def sinusoidal_encoding(T: int, d_model: int) -> torch.Tensor:
    r"""(T, D) table :math:`PE_{t,2i} = \sin(t/10000^{2i/D})`, :math:`PE_{t,2i+1} = \cos(\cdot)`."""
    pos = torch.arange(T, dtype=torch.float32)[:, None]
    freq = torch.exp(torch.arange(0, d_model, 2, dtype=torch.float32)
                     * (-math.log(10000.0) / d_model))
    pe = torch.zeros(T, d_model)
    pe[:, 0::2] = torch.sin(pos * freq)
    pe[:, 1::2] = torch.cos(pos * freq)[:, : d_model // 2]
    return pe


class PositionalEncoding(nn.Module):
    """Adds position information: "sinusoidal" (fixed), "learned" (a table) or "none"."""

    def __init__(self, kind: str, max_len: int, d_model: int):
        super().__init__()
        if kind not in ("sinusoidal", "learned", "none"):
            raise ValueError(f"Expect sinusoidal, learned or none, actually {kind!r}")
        self.kind = kind
        if kind == "learned":
            self.table = nn.Parameter(torch.randn(max_len, d_model) * 0.5)
        else:
            pe = sinusoidal_encoding(max_len, d_model)
            self.register_buffer("table", pe if kind == "sinusoidal" else pe * 0, persistent=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # (B, T, D)
        if self.kind == "none":
            return x
        return x + self.table[: x.size(1)]


class FeedForward(nn.Sequential):
    """Position-wise two-layer MLP D -> d_ff -> D."""

    def __init__(self, d_model: int, d_ff: int, dropout: float):
        super().__init__(nn.Linear(d_model, d_ff), nn.GELU(), nn.Linear(d_ff, d_model),
                         nn.Dropout(dropout))


class _Sublayers(nn.Module):
    """Residual wiring shared by both layer kinds: pre-LN ``x + f(LN(x))`` or post-LN
    ``LN(x + f(x))``."""

    pre_ln: bool

    def residual(self, x, norm, f):
        if self.pre_ln:
            y, w = f(norm(x))
            return x + self.drop(y), w
        y, w = f(x)
        return norm(x + self.drop(y)), w


class EncoderLayer(_Sublayers):
    """Self-attention then feed-forward, each wrapped in a residual and a LayerNorm."""

    def __init__(self, d_model, n_heads, d_ff, dropout, pre_ln):
        super().__init__()
        self.pre_ln = pre_ln
        self.attn = MultiHeadAttention(d_model, n_heads, dropout)
        self.ff = FeedForward(d_model, d_ff, dropout)
        self.n1, self.n2 = nn.LayerNorm(d_model), nn.LayerNorm(d_model)
        self.drop = nn.Dropout(dropout)

    def forward(self, x, mask=None):
        x, w = self.residual(x, self.n1, lambda h: self.attn(h, h, mask))
        x, _ = self.residual(x, self.n2, lambda h: (self.ff(h), None))
        return x, w


class DecoderLayer(_Sublayers):
    """Masked self-attention, optional cross-attention to the encoder, then feed-forward."""

    def __init__(self, d_model, n_heads, d_ff, dropout, pre_ln, cross: bool):
        super().__init__()
        self.pre_ln = pre_ln
        self.attn = MultiHeadAttention(d_model, n_heads, dropout)
        self.cross = MultiHeadAttention(d_model, n_heads, dropout) if cross else None
        self.ff = FeedForward(d_model, d_ff, dropout)
        self.n1, self.n3 = nn.LayerNorm(d_model), nn.LayerNorm(d_model)
        self.n2 = nn.LayerNorm(d_model) if cross else None
        self.drop = nn.Dropout(dropout)

    def forward(self, x, memory=None, mask=None):
        x, w_self = self.residual(x, self.n1, lambda h: self.attn(h, h, mask))
        w_cross = None
        if self.cross is not None:
            x, w_cross = self.residual(x, self.n2, lambda h: self.cross(h, memory))
        x, _ = self.residual(x, self.n3, lambda h: (self.ff(h), None))
        return x, w_self, w_cross


class Transformer(nn.Module):
    """Encoder-decoder (``encdec``) or decoder-only (``decoder``) transformer.

    ``forward(src, tgt)`` returns logits (B, T, V) and a dict of attention weights, each a list
    over layers of (B, H, Tq, Tk): ``enc`` (encoder self-attention), ``dec`` (decoder masked
    self-attention) and ``cross`` (decoder to encoder). Decoder-only models take ``src=None``.

    >>> m = Transformer(vocab=5, arch="decoder", n_layers=2, n_heads=2, d_model=8, d_ff=16,
    ...                 max_len=6)
    >>> logits, att = m(None, torch.zeros(3, 4, dtype=torch.long))
    >>> tuple(logits.shape), len(att["dec"]), tuple(att["dec"][0].shape)
    ((3, 4, 5), 2, (3, 2, 4, 4))
    """

    def __init__(self, vocab: int, arch: str = "decoder", n_layers: int = 2, n_heads: int = 4,
                 d_model: int = 64, d_ff: int = 256, dropout: float = 0.0,
                 pos: str = "sinusoidal", norm: str = "pre", tie_weights: bool = True,
                 max_len: int = 64):
        super().__init__()
        if arch not in ("decoder", "encdec"):
            raise ValueError(f"Expect arch decoder or encdec, actually {arch!r}")
        self.arch, self.d_model, self.max_len = arch, d_model, max_len
        pre = norm == "pre"
        self.emb = nn.Embedding(vocab, d_model)  # shared by encoder, decoder and (tied) head
        nn.init.normal_(self.emb.weight, std=d_model ** -0.5)
        self.pos = PositionalEncoding(pos, max_len, d_model)
        self.drop = nn.Dropout(dropout)
        self.encoder = nn.ModuleList(
            EncoderLayer(d_model, n_heads, d_ff, dropout, pre) for _ in range(n_layers)
        ) if arch == "encdec" else nn.ModuleList()
        self.decoder = nn.ModuleList(
            DecoderLayer(d_model, n_heads, d_ff, dropout, pre, cross=arch == "encdec")
            for _ in range(n_layers))
        # pre-LN leaves the residual stream un-normalised: one last LayerNorm (Xiong et al.)
        self.enc_norm = nn.LayerNorm(d_model) if pre and arch == "encdec" else nn.Identity()
        self.dec_norm = nn.LayerNorm(d_model) if pre else nn.Identity()
        self.head = nn.Linear(d_model, vocab, bias=False)
        if tie_weights:
            self.head.weight = self.emb.weight

    def embed(self, idx: torch.Tensor) -> torch.Tensor:  # (B, T) -> (B, T, D)
        return self.drop(self.pos(self.emb(idx) * math.sqrt(self.d_model)))

    def encode(self, src: torch.Tensor) -> tuple[torch.Tensor, list[torch.Tensor]]:
        x, ws = self.embed(src), []
        for layer in self.encoder:
            x, w = layer(x)
            ws.append(w)
        return self.enc_norm(x), ws

    def decode(self, tgt: torch.Tensor, memory: torch.Tensor | None = None):
        """Decoder stack over ``tgt`` (B, T), attending to ``memory`` (B, S, D) if given."""
        att = {"dec": [], "cross": []}
        x = self.embed(tgt)
        mask = causal_mask(tgt.size(1), tgt.device)
        for layer in self.decoder:
            x, w_self, w_cross = layer(x, memory, mask)
            att["dec"].append(w_self)
            if w_cross is not None:
                att["cross"].append(w_cross)
        return self.head(self.dec_norm(x)), att

    def forward(self, src: torch.Tensor | None, tgt: torch.Tensor):
        memory, enc_att = self.encode(src) if self.arch == "encdec" else (None, [])
        logits, att = self.decode(tgt, memory)
        return logits, {"enc": enc_att, **att}
