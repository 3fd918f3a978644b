r"""Recurrent models of the page: a regressor (adding), a tagger (copy, character LM) and a
sequence-to-sequence encoder-decoder with no, additive or multiplicative attention.

Every model keeps its recurrent encoder as ``self.rnn`` (a fused ``nn.RNN``/``nn.LSTM``/
``nn.GRU``) and splits its forward pass in three so that :func:`core.rnn.cells.unroll` can
replace the fused middle step with the written-out cells on the same weights:
``rnn_input(x)`` → ``self.rnn`` → ``head(outputs, final, ...)``.

Sequence to sequence: Sutskever, Vinyals & Le 2014 (the encoder's final state is all the
decoder gets); additive attention: Bahdanau, Cho & Bengio 2015; multiplicative ("general")
attention: Luong, Pham & Manning 2015.

Letters used in shape comments: B batch, T time steps (target steps for a decoder),
S source steps, I input size, E embedding size, H hidden size, C = D·H encoder output size
(D = 2 when bidirectional), L layers, V vocabulary.
"""
from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F

__all__ = ["recurrent", "Regressor", "Tagger", "Seq2Seq", "AdditiveAttention",
           "MultiplicativeAttention"]

_FUSED = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}
_CELL = {"rnn": nn.RNNCell, "lstm": nn.LSTMCell, "gru": nn.GRUCell}


def _forget_bias(module: nn.Module, H: int, value: float | None) -> None:
    """Set every LSTM forget-gate bias (rows H..2H of b_ih; b_hh's zeroed) to ``value``."""
    if value is None:
        return
    with torch.no_grad():
        for name, p in module.named_parameters():
            if name.startswith("bias_ih"):
                p[H:2 * H] = value
            elif name.startswith("bias_hh"):
                p[H:2 * H] = 0.0


def recurrent(cell: str, input_size: int, hidden: int, layers: int = 1,
              bidirectional: bool = False, dropout: float = 0.0,
              forget_bias: float | None = None) -> nn.RNNBase:
    """A batch-first fused recurrent module; ``dropout`` acts between stacked layers."""
    m = _FUSED[cell](input_size, hidden, num_layers=layers, batch_first=True,
                     bidirectional=bidirectional, dropout=dropout if layers > 1 else 0.0)
    if cell == "lstm":
        _forget_bias(m, hidden, forget_bias)
    return m


def top_final(final, layers: int, directions: int) -> torch.Tensor:
    """The top layer's final hidden state(s), directions concatenated: (B, D·H)."""
    h_n = final[0] if isinstance(final, tuple) else final  # (L·D, B, H)
    top = h_n.view(layers, directions, *h_n.shape[1:])[-1]  # (D, B, H)
    return torch.cat(list(top), dim=1)


class Regressor(nn.Module):
    """Reads a real-valued sequence, predicts one number from the final state (adding)."""

    def __init__(self, cell: str, input_size: int, hidden: int, layers: int = 1,
                 bidirectional: bool = False, dropout: float = 0.0,
                 forget_bias: float | None = None):
        super().__init__()
        self.cell, self.layers, self.D = cell, layers, 2 if bidirectional else 1
        self.rnn = recurrent(cell, input_size, hidden, layers, bidirectional, dropout,
                             forget_bias)
        self.drop = nn.Dropout(dropout)
        self.out = nn.Linear(self.D * hidden, 1)

    def rnn_input(self, x: torch.Tensor) -> torch.Tensor:
        return x  # (B, T, I)

    def head(self, outputs, final) -> torch.Tensor:
        return self.out(self.drop(top_final(final, self.layers, self.D))).squeeze(-1)  # (B,)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        outputs, final = self.rnn(self.rnn_input(x))
        return self.head(outputs, final)


class Tagger(nn.Module):
    """Token in, distribution over tokens out at every step (delayed recall, character LM)."""

    def __init__(self, cell: str, vocab: int, embed: int, hidden: int, layers: int = 1,
                 bidirectional: bool = False, dropout: float = 0.0,
                 forget_bias: float | None = None):
        super().__init__()
        self.cell, self.layers, self.D = cell, layers, 2 if bidirectional else 1
        self.emb = nn.Embedding(vocab, embed)
        self.rnn = recurrent(cell, embed, hidden, layers, bidirectional, dropout, forget_bias)
        self.drop = nn.Dropout(dropout)
        self.out = nn.Linear(self.D * hidden, vocab)

    def rnn_input(self, x: torch.Tensor) -> torch.Tensor:
        return self.emb(x)  # (B, T) -> (B, T, E)

    def head(self, outputs, final=None) -> torch.Tensor:
        return self.out(self.drop(outputs))  # (B, T, V)

    def forward(self, x: torch.Tensor, state=None):
        """Logits (B, T, V) and the final state (to continue sampling)."""
        outputs, final = self.rnn(self.rnn_input(x), state)
        return self.head(outputs), final


class AdditiveAttention(nn.Module):
    r"""Bahdanau et al. 2015: the previous decoder state s_{t-1} scores every encoder output.

    .. math:: e_{tj} = v^\top \tanh(W s_{t-1} + U h_j), \quad
              \alpha_{tj} = \mathrm{softmax}_j(e_{tj}), \quad c_t = \sum_j \alpha_{tj} h_j
    """

    def __init__(self, query: int, keys: int, size: int):
        super().__init__()
        self.W = nn.Linear(query, size, bias=False)
        self.U = nn.Linear(keys, size)
        self.v = nn.Linear(size, 1, bias=False)

    def prepare(self, enc: torch.Tensor) -> torch.Tensor:
        return self.U(enc)  # (B, S, A), computed once per source

    def forward(self, s, enc, keys, mask):
        """s (B, H), enc (B, S, C), keys (B, S, A), mask (B, S) True = real token.
        Returns context (B, C) and weights (B, S)."""
        e = self.v(torch.tanh(self.W(s)[:, None] + keys)).squeeze(-1)  # (B, S)
        a = e.masked_fill(~mask, float("-inf")).softmax(-1)
        return (a[:, :, None] * enc).sum(1), a


class MultiplicativeAttention(nn.Module):
    r"""Luong et al. 2015, "general" score: the current decoder state s_t against W h_j.

    .. math:: e_{tj} = s_t^\top W h_j, \quad \alpha_{tj} = \mathrm{softmax}_j(e_{tj}), \quad
              c_t = \sum_j \alpha_{tj} h_j
    """

    def __init__(self, query: int, keys: int):
        super().__init__()
        self.W = nn.Linear(keys, query, bias=False)

    def prepare(self, enc: torch.Tensor) -> torch.Tensor:
        return self.W(enc)  # (B, S, H)

    def forward(self, s, enc, keys, mask):
        e = (keys @ s[:, :, None]).squeeze(-1)  # (B, S)
        a = e.masked_fill(~mask, float("-inf")).softmax(-1)
        return (a[:, :, None] * enc).sum(1), a


class Seq2Seq(nn.Module):
    """Encoder-decoder with ``attention`` in ("none", "additive", "multiplicative").

    The encoder is fused (``self.rnn``); the decoder runs one step at a time with torch's
    cells, because with attention or a teacher-forcing ratio below 1 each step's input depends
    on the step before. Decoder step t (numbered as in the code):

    1) input: the embedding of y_{t-1} (ground truth with probability ``teacher_forcing``,
       else the model's own previous guess), plus c_t for additive attention (computed from
       s_{t-1});
    2) the decoder cell(s) give s_t;
    3) output: none: W_o s_t; additive: W_o [s_t; c_t];
       multiplicative: c_t from s_t, then W_o tanh(W_c [c_t; s_t]).
    """

    def __init__(self, cell: str, vocab: int, embed: int, hidden: int, layers: int = 1,
                 bidirectional: bool = False, dropout: float = 0.0, attention: str = "additive",
                 forget_bias: float | None = None, pad: int | None = None):
        super().__init__()
        if attention not in ("none", "additive", "multiplicative"):
            raise ValueError(f"Expect attention none, additive or multiplicative, actually "
                             f"{attention!r}")
        self.cell, self.layers, self.D, self.attention, self.pad = (
            cell, layers, 2 if bidirectional else 1, attention, pad)
        C = self.D * hidden
        self.src_emb = nn.Embedding(vocab, embed)
        self.tgt_emb = nn.Embedding(vocab, embed)
        self.rnn = recurrent(cell, embed, hidden, layers, bidirectional, dropout, forget_bias)
        self.bridge = nn.Linear(C, hidden) if bidirectional else None
        dec_in = embed + (C if attention == "additive" else 0)
        self.dec = nn.ModuleList(_CELL[cell](dec_in if k == 0 else hidden, hidden)
                                 for k in range(layers))
        if cell == "lstm":
            for c in self.dec:
                _forget_bias(c, hidden, forget_bias)
        self.att = (AdditiveAttention(hidden, C, hidden) if attention == "additive" else
                    MultiplicativeAttention(hidden, C) if attention == "multiplicative" else None)
        self.combine = nn.Linear(C + hidden, hidden) if attention == "multiplicative" else None
        self.drop = nn.Dropout(dropout)
        self.out = nn.Linear(hidden + (C if attention == "additive" else 0), vocab)

    def rnn_input(self, src: torch.Tensor) -> torch.Tensor:
        return self.src_emb(src)  # (B, S, E)

    def init_state(self, final) -> list:
        """Decoder start state per layer from the encoder's final state(s)."""
        h_n, c_n = final if isinstance(final, tuple) else (final, None)  # (L·D, B, H)

        def per_layer(x):
            x = x.view(self.layers, self.D, *x.shape[1:])  # (L, D, B, H)
            if self.bridge is None:
                return list(x[:, 0])
            return [torch.tanh(self.bridge(torch.cat(list(x[k]), 1))) for k in range(self.layers)]
        hs = per_layer(h_n)
        if c_n is None:
            return hs
        return list(zip(hs, per_layer(c_n)))

    def head(self, enc, final, src, tgt_in, teacher_forcing: float = 1.0,
             gen: torch.Generator | None = None):
        """Decode ``tgt_in.size(1)`` steps. ``tgt_in`` (B, T): start token then y_1..y_{T-1}.

        Returns logits (B, T, V) and attention weights (B, T, S) (None without attention).
        """
        B, T = tgt_in.shape
        mask = (src != self.pad) if self.pad is not None else torch.ones_like(src, dtype=bool)
        keys = self.att.prepare(enc) if self.att is not None else None
        state = self.init_state(final)
        top = lambda st: st[0] if isinstance(st, tuple) else st  # noqa: E731
        y_prev = tgt_in[:, 0]
        logits, weights = [], []
        for t in range(T):
            # 1) input
            if t > 0:
                y_prev = tgt_in[:, t]
                if teacher_forcing <= 0.0:  # free running (greedy decoding)
                    y_prev = logits[-1].argmax(-1)
                elif teacher_forcing < 1.0:  # each example flips its own coin
                    keep = torch.rand(B, generator=gen) < teacher_forcing
                    y_prev = torch.where(keep, y_prev, logits[-1].argmax(-1))
            x = self.tgt_emb(y_prev)  # (B, E)
            if self.attention == "additive":
                ctx, a = self.att(top(state[-1]), enc, keys, mask)  # from s_{t-1}
                x = torch.cat([x, ctx], 1)
            # 2) decoder cells
            new = []
            for k, cell in enumerate(self.dec):
                st = cell(x, state[k])
                new.append(st)
                x = self.drop(top(st)) if k < self.layers - 1 else top(st)
            state = new
            s = x  # (B, H)
            # 3) output
            if self.attention == "additive":
                o = torch.cat([s, ctx], 1)
            elif self.attention == "multiplicative":
                ctx, a = self.att(s, enc, keys, mask)  # from s_t
                o = torch.tanh(self.combine(torch.cat([ctx, s], 1)))
            else:
                o, a = s, None
            logits.append(self.out(self.drop(o)))  # (B, V)
            if a is not None:
                weights.append(a)
        att = torch.stack(weights, 1) if weights else None  # (B, T, S)
        return torch.stack(logits, 1), att

    def forward(self, src, tgt_in, teacher_forcing: float = 1.0, gen=None):
        enc, final = self.rnn(self.rnn_input(src))  # (B, S, C)
        return self.head(enc, final, src, tgt_in, teacher_forcing, gen)

    @torch.no_grad()
    def greedy(self, src: torch.Tensor, start: int, steps: int):
        """Greedy decoding: each output token is fed back as the next input.
        Returns tokens (B, T), their probabilities (B, T) and attention (B, T, S) or None."""
        tgt_in = torch.full((src.size(0), steps), start, dtype=torch.long)
        logits, att = self(src, tgt_in, teacher_forcing=0.0)
        p = F.softmax(logits, -1).max(-1)
        return p.indices, p.values, att
