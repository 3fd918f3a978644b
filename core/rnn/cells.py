r"""The three recurrent cells written out, and an unroll that runs them on torch's weights.

Training uses torch's fused ``nn.RNN`` / ``nn.LSTM`` / ``nn.GRU`` (one C++ loop over time,
several times faster than a Python loop). To show what happens inside, :func:`unroll` runs the
cells below, step by step, with the *same* weight tensors, and returns every hidden state,
cell state and gate. A test checks that both give the same outputs (gate order included).

- tanh RNN: Elman 1990, "Finding structure in time".
- LSTM with forget gate: Hochreiter & Schmidhuber 1997, "Long short-term memory"; the forget
  gate is from Gers, Schmidhuber & Cummins 2000, "Learning to forget".
- GRU: Cho et al. 2014, "Learning phrase representations using RNN encoder-decoder".

Torch stacks the gate weights in one matrix per layer: ``weight_ih_l{k}`` is (G·H, I) and
``weight_hh_l{k}`` (G·H, H) with G = 1 (RNN), 4 (LSTM: rows i, f, g, o) or 3 (GRU: rows r, z, n).
Both biases ``b_ih`` and ``b_hh`` are kept (they only matter separately for the GRU's n).

Letters used in shape comments: B batch, T time steps, I input size, H hidden size,
L layers, D directions (1 or 2).
"""
from __future__ import annotations

import torch
import torch.nn as nn

__all__ = ["rnn_cell", "lstm_cell", "gru_cell", "CELLS", "GATES", "unroll", "Unrolled"]

#: names of the gates each cell exposes, in torch's row order
GATES = {"rnn": (), "lstm": ("input", "forget", "cell", "output"), "gru": ("reset", "update",
                                                                          "candidate")}


def rnn_cell(x, state, w_ih, w_hh, b_ih, b_hh):
    r"""Elman's tanh RNN.

    .. math:: h_t = \tanh(W_{ih} x_t + b_{ih} + W_{hh} h_{t-1} + b_{hh})

    Args:
        x: (B, I) input at step t. state: ``(h,)`` with h (B, H).
    Returns:
        the new state ``(h_t,)`` and its gates ``{}`` (a tanh RNN has none).
    """
    (h,) = state
    h = torch.tanh(x @ w_ih.T + b_ih + h @ w_hh.T + b_hh)  # (B, H)
    return (h,), {}


def lstm_cell(x, state, w_ih, w_hh, b_ih, b_hh):
    r"""LSTM with a forget gate (torch's row order: i, f, g, o).

    .. math::
        i_t &= \sigma(W_{ii} x_t + U_{i} h_{t-1} + b_i) \\
        f_t &= \sigma(W_{if} x_t + U_{f} h_{t-1} + b_f) \\
        g_t &= \tanh(W_{ig} x_t + U_{g} h_{t-1} + b_g) \\
        o_t &= \sigma(W_{io} x_t + U_{o} h_{t-1} + b_o) \\
        c_t &= f_t \odot c_{t-1} + i_t \odot g_t \\
        h_t &= o_t \odot \tanh(c_t)

    The cell state c is updated additively: while f ≈ 1 and i ≈ 0 it carries information
    (and gradient) unchanged across many steps.

    Args:
        x: (B, I). state: ``(h, c)``, each (B, H).
    Returns:
        ``(h_t, c_t)`` and gates ``{"input", "forget", "cell", "output"}`` each (B, H).
    """
    h, c = state
    z = x @ w_ih.T + b_ih + h @ w_hh.T + b_hh  # (B, 4H)
    i, f, g, o = z.chunk(4, dim=1)  # each (B, H)
    i, f, g, o = torch.sigmoid(i), torch.sigmoid(f), torch.tanh(g), torch.sigmoid(o)
    c = f * c + i * g
    h = o * torch.tanh(c)
    return (h, c), {"input": i, "forget": f, "cell": g, "output": o}


def gru_cell(x, state, w_ih, w_hh, b_ih, b_hh):
    r"""Gated recurrent unit (torch's row order: r, z, n).

    .. math::
        r_t &= \sigma(W_{ir} x_t + b_{ir} + W_{hr} h_{t-1} + b_{hr}) \\
        z_t &= \sigma(W_{iz} x_t + b_{iz} + W_{hz} h_{t-1} + b_{hz}) \\
        n_t &= \tanh(W_{in} x_t + b_{in} + r_t \odot (W_{hn} h_{t-1} + b_{hn})) \\
        h_t &= (1 - z_t) \odot n_t + z_t \odot h_{t-1}

    Cho et al. 2014 apply the reset gate before the product, :math:`W_{hn}(r_t \odot h_{t-1})`;
    torch (like cuDNN) applies it after, as written here. Both are GRUs; this is the one that
    matches ``nn.GRU``. An update gate z ≈ 1 copies the state forward unchanged.

    Args:
        x: (B, I). state: ``(h,)`` with h (B, H).
    Returns:
        ``(h_t,)`` and gates ``{"reset", "update", "candidate"}`` each (B, H).
    """
    (h,) = state
    xr, xz, xn = (x @ w_ih.T + b_ih).chunk(3, dim=1)  # each (B, H)
    hr, hz, hn = (h @ w_hh.T + b_hh).chunk(3, dim=1)
    r = torch.sigmoid(xr + hr)
    z = torch.sigmoid(xz + hz)
    n = torch.tanh(xn + r * hn)
    h = (1 - z) * n + z * h
    return (h,), {"reset": r, "update": z, "candidate": n}


CELLS = {"rnn": rnn_cell, "lstm": lstm_cell, "gru": gru_cell}


class Unrolled:
    """What :func:`unroll` returns. Lists are indexed [layer][direction]; tensors are over time.

    Attributes:
        output: (B, T, D·H) the top layer's outputs, as the fused module returns them.
        h: [L][D] (B, T, H) hidden states; ``h[l][1][:, t]`` is the backward state at t.
        c: [L][D] (B, T, H) LSTM cell states (empty lists for RNN and GRU).
        gates: [L][D] {name: (B, T, H)}.
        final: the final states as the fused module returns them: h_n (L·D, B, H)
            (and c_n for the LSTM).
        steps: [L][D] list of T tensors (B, H): the very tensors the recurrence used, so
            ``torch.autograd.grad(loss, steps[l][d])`` is the total derivative ∂L/∂h_t,
            through every later step.
    """

    def __init__(self, output, h, c, gates, final, steps):
        self.output, self.h, self.c, self.gates, self.final = output, h, c, gates, final
        self.steps = steps


def _kind(module: nn.RNNBase) -> str:
    if isinstance(module, nn.LSTM):
        return "lstm"
    if isinstance(module, nn.GRU):
        return "gru"
    if isinstance(module, nn.RNN) and module.nonlinearity == "tanh":
        return "rnn"
    raise TypeError(f"Expect nn.RNN(tanh), nn.LSTM or nn.GRU, actually {module!r}")


def unroll(module: nn.RNNBase, x: torch.Tensor, state=None) -> Unrolled:
    """Run the written-out cells with ``module``'s weights, one step at a time.

    Equals ``module(x, state)`` in eval mode (no dropout between layers). Gradients flow
    through every returned state, so ``torch.autograd.grad(loss, h[l][0])`` gives
    ∂L/∂h_t for every t (backpropagation through time made visible).

    Args:
        module: a ``batch_first`` nn.RNN (tanh), nn.LSTM or nn.GRU, any layers, either
            direction count.
        x: (B, T, I).
        state: as the fused module takes it (h_0, or (h_0, c_0) for LSTM), each (L·D, B, H);
            None for zeros.
    Shapes:
        see :class:`Unrolled`.
    """
    kind = _kind(module)
    if not module.batch_first:
        raise ValueError("Expect a batch_first module, actually batch_first=False")
    cell = CELLS[kind]
    L, D, H = module.num_layers, 2 if module.bidirectional else 1, module.hidden_size
    B, T, _ = x.shape
    if state is None:
        zeros = x.new_zeros(L * D, B, H)
        state = (zeros, zeros) if kind == "lstm" else zeros
    h0, c0 = state if kind == "lstm" else (state, None)
    layer_in = x  # (B, T, I) then (B, T, D·H)
    hs, cs, gs, h_n, c_n, steps_all = [], [], [], [], [], []
    for layer in range(L):
        outs, hs_l, cs_l, gs_l, st_l = [], [], [], [], []
        for d in range(D):
            sfx = f"_l{layer}" + ("_reverse" if d else "")
            w = [getattr(module, f"{n}{sfx}") for n in ("weight_ih", "weight_hh")]
            b = [getattr(module, f"{n}{sfx}") if module.bias else None for n in ("bias_ih",
                                                                                  "bias_hh")]
            b = [bb if bb is not None else w[0].new_zeros(w[0].shape[0]) for bb in b]
            k = layer * D + d
            st = (h0[k], c0[k]) if kind == "lstm" else (h0[k],)
            steps = range(T - 1, -1, -1) if d else range(T)
            h_t, c_t, g_t = [None] * T, [None] * T, [None] * T
            for t in steps:
                st, g = cell(layer_in[:, t], st, w[0], w[1], b[0], b[1])
                h_t[t], g_t[t] = st[0], g
                if kind == "lstm":
                    c_t[t] = st[1]
            h_n.append(st[0])
            if kind == "lstm":
                c_n.append(st[1])
            st_l.append(h_t)
            hs_l.append(torch.stack(h_t, 1))  # (B, T, H)
            cs_l.append(torch.stack(c_t, 1) if kind == "lstm" else None)
            gs_l.append({n: torch.stack([g[n] for g in g_t], 1) for n in GATES[kind]})
            outs.append(hs_l[-1])
        layer_in = torch.cat(outs, dim=2)  # (B, T, D·H)
        hs.append(hs_l)
        cs.append([c for c in cs_l if c is not None])
        gs.append(gs_l)
        steps_all.append(st_l)
    final = (torch.stack(h_n), torch.stack(c_n)) if kind == "lstm" else torch.stack(h_n)
    return Unrolled(layer_in, hs, cs, gs, final, steps_all)
