"""Figures of the recurrent-network page: numpy in, Vega-Lite specs and plotly figures out.

A snapshot (:class:`core.rnn.snapshot.RNNSnapshot`) holds the example's states and gates as
(units, time) arrays; every heatmap here puts time across and units down, input tokens
labelled under each column (numeric axes with tick text, so repeated tokens stay apart).
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from core.figures import DIVERGING, SEQUENTIAL, fast_figure, metric_charts
from core.rnn.metrics import METRICS

__all__ = ["states_figure", "state_panels", "gradient_chart", "alignment_figure", "metric_figures",
           "live_figures", "diagram", "STATE_TITLES"]

_SHOW = {"\n": "⏎", " ": "␣", "\t": "⇥"}
BASELINE_MSE = 1.0 / 6.0  # core.rnn.data.BASELINE_MSE (figures import no torch-side module)

STATE_TITLES = {
    "h": "Hidden state h_t", "c": "Cell state c_t", "input": "Input gate i_t",
    "forget": "Forget gate f_t", "cell": "Candidate g_t", "output": "Output gate o_t",
    "reset": "Reset gate r_t", "update": "Update gate z_t", "candidate": "Candidate n_t",
}
_BOUNDED = {"input", "forget", "output", "reset", "update"}  # sigmoid gates, in [0, 1]


def _labels(tokens: Sequence[str]) -> list[str]:
    return [_SHOW.get(t, t) for t in tokens]


def states_figure(panels: Sequence[tuple[str, np.ndarray]], inputs: Sequence[str],
                  panel_px: int = 150):
    """Units × time heatmaps of the example's states and gates, stacked on one time axis.

    One figure (one trace per panel) rather than one per panel: a live page redraws it every
    snapshot, and each figure costs its own construction and JSON.

    Args:
        panels: (name, z) pairs, z (U, T) float32, name a key of :data:`STATE_TITLES`.
            Sigmoid gates share the scale [0, 1]; states and candidates a diverging scale
            centred on 0 (±1 for tanh values, ±max|c| for the cell state).
        inputs: T labels of the input steps, written under the bottom panel.
    """
    n = len(panels)
    gap = 0.06 if n > 1 else 0.0
    h = (1.0 - gap * (n - 1)) / max(n, 1)
    traces, layout, notes = [], {}, []
    T = panels[0][1].shape[1] if panels else 0
    width = max((len(x) for x in inputs), default=1) + 1
    step = max(1, -(-T // max(1, min(25, 100 // width))))  # labels that do not overlap
    for k, (name, z) in enumerate(panels):
        z = np.asarray(z, dtype=np.float32)
        top = 1.0 - k * (h + gap)
        if name in _BOUNDED:
            scale, lo, hi = SEQUENTIAL, 0.0, 1.0
        else:
            m = max(float(np.abs(z).max()) if name == "c" and z.size else 1.0, 1e-6)
            scale, lo, hi = DIVERGING, -m, m
        ax = "" if k == 0 else str(k + 1)
        traces.append(dict(
            type="heatmap", z=z, zmin=lo, zmax=hi, colorscale=scale, xaxis=f"x{ax}",
            yaxis=f"y{ax}", name=STATE_TITLES.get(name, name),
            colorbar=dict(thickness=10, len=h, y=top - h / 2, yanchor="middle"),
            hovertemplate=f"{name}: t=%{{x}}, unit %{{y}}: %{{z:.2f}}<extra></extra>"))
        layout[f"yaxis{ax}"] = dict(domain=[max(top - h, 0.0), top], autorange="reversed",
                                    title=dict(text="unit", font=dict(size=10)),
                                    tickfont=dict(size=8))
        last = k == n - 1
        layout[f"xaxis{ax}"] = dict(
            anchor=f"y{ax}", matches="x" if k else None, tickvals=list(range(0, T, step)),
            ticktext=_labels(inputs)[::step] if last else None, showticklabels=last,
            tickangle=0, tickfont=dict(size=9),
            title=dict(text="time step t (input below)") if last else None)
        notes.append(dict(text=f"<b>{STATE_TITLES.get(name, name)}</b>", x=0, xref="paper",
                          xanchor="left", y=top, yref="paper", yanchor="bottom",
                          showarrow=False, font=dict(size=11)))
    layout.update(height=int(panel_px * n + 90), plot_bgcolor="white", annotations=notes,
                  margin=dict(l=50, r=10, t=30, b=45),
                  title=dict(text="States and gates of the example (units × time)",
                             font=dict(size=13)))
    return fast_figure(traces, layout)


def gradient_chart(grad_norm: np.ndarray, cell: str, history: Sequence[tuple[int, np.ndarray]]
                   = (), height: int = 260) -> dict[str, Any]:
    """‖∂L/∂h_t‖ against t on a log axis (Vega-Lite). ``history``: earlier (step, curve)
    pairs drawn faintly beside the current one, so the change over training shows."""
    rows = []
    for step, g in list(history) + [(None, grad_norm)]:
        for t, v in enumerate(np.asarray(g, dtype=np.float64).tolist()):
            if v > 0 and np.isfinite(v):
                rows.append({"t": t + 1, "norm": v, "when": "now" if step is None
                             else f"step {step}"})
    title = f"Gradient reaching each step: ‖∂L/∂h_t‖ ({cell.upper()})"
    if not rows:
        return {"title": title, "height": height, "mark": "text",
                "data": {"values": [{"m": "no gradient yet"}]}, "encoding": {"text":
                                                                             {"field": "m"}}}
    return {
        "title": title, "height": height,
        "data": {"values": rows},
        "mark": {"type": "line", "point": len(grad_norm) <= 30},
        "encoding": {
            "x": {"field": "t", "type": "quantitative", "title": "time step t"},
            "y": {"field": "norm", "type": "quantitative", "scale": {"type": "log"},
                  "title": "‖∂L/∂h_t‖ (log scale)"},
            "color": {"field": "when", "type": "nominal", "title": None,
                      "scale": {"range": ["#0072B2", "#BBBBBB", "#999999", "#777777"]}},
        },
    }


def alignment_figure(att: np.ndarray, inputs: Sequence[str], outputs: Sequence[str],
                     title: str = "Attention alignment: output token × input token",
                     height: int = 300):
    """Output tokens down, input tokens across; row t is the attention behind output t.

    Args:
        att: (T_out, S) float32 weights, rows summing to 1.
    """
    att = np.asarray(att, dtype=np.float32)
    T, S = att.shape
    heat = dict(type="heatmap", z=att, zmin=0.0, zmax=1.0, colorscale=SEQUENTIAL,
                x=list(range(S)), y=list(range(T)), colorbar=dict(title=dict(text="weight"),
                                                                 thickness=10),
                hovertemplate="output %{y} → input %{x}: %{z:.2f}<extra></extra>")
    layout = dict(
        title=dict(text=title, font=dict(size=13)), height=height, plot_bgcolor="white",
        margin=dict(l=60, r=10, t=40, b=40),
        xaxis=dict(title=dict(text="input token"), tickvals=list(range(S)),
                   ticktext=_labels(inputs), tickangle=0),
        yaxis=dict(title=dict(text="output token"), tickvals=list(range(T)),
                   ticktext=_labels(outputs), autorange="reversed"))
    return fast_figure([heat], layout)


def metric_figures(history, metrics, task: str, upto: int | None = None) -> dict[str, dict]:
    """The declared metric charts by key (``loss``, ``accuracy``, ``gradient_norm``); adding
    draws the 1/6 line to beat in its loss chart."""
    refs = {"Loss": ("answer 1: MSE 1/6", BASELINE_MSE)} if task == "adding" else None
    return {spec["title"].lower().replace(" ", "_"): spec
            for spec in metric_charts(history, metrics, upto=upto, references=refs)}


def state_panels(snap) -> list[tuple[str, np.ndarray]]:
    """(name, (U, T)) of h_t, c_t (LSTM) and each sigmoid gate, in the page's order."""
    out = [("h", snap.h)] + ([("c", snap.c)] if snap.c is not None else [])
    return out + [(n, g) for n, g in snap.gates.items() if n in _BOUNDED]


def live_figures(snap, history, cfg, upto: int | None = None) -> dict[str, Any]:
    """Every figure the page draws each tick, by key: Vega-Lite dicts or plotly figures."""
    figs: dict[str, Any] = dict(metric_figures(history, METRICS, cfg.task, upto=upto))
    if snap is None:
        return figs
    figs["gradient"] = gradient_chart(snap.grad_norm, cfg.cell)
    figs["states"] = states_figure(state_panels(snap), snap.inputs)
    if snap.attention is not None:
        figs["attention"] = alignment_figure(snap.attention, snap.inputs, snap.outputs)
    return figs


def diagram(cfg) -> str:
    """Graphviz DOT of the network unrolled over four time steps: one box per layer and
    step, the current cell's equations in the label, the attention decoder for seq2seq."""
    cell = {"rnn": "tanh RNN\nh = tanh(W x + U h)", "lstm": "LSTM\ni, f, g, o gates\nc = f·c + i·g",
            "gru": "GRU\nr, z gates\nh = (1-z)·n + z·h"}[cfg.cell]
    enc = "encoder" if cfg.seq2seq else "RNN"
    lines = ["digraph rnn {", "  rankdir=LR; nodesep=0.2; ranksep=0.35;",
             "  node [shape=box, style=rounded, fontsize=9]; edge [arrowsize=0.5];"]
    steps = ["x_1", "x_2", "…", "x_T"]
    for t, x in enumerate(steps):
        lines.append(f'  in{t} [label="{x}", shape=plaintext];')
        prev = f"in{t}"
        for layer in range(cfg.layers):
            n = f"c{layer}_{t}"
            lines.append(f'  {n} [label="{enc} layer {layer + 1}\n{cfg.hidden} units\n{cell}", '
                         f'style="rounded,filled", fillcolor="#cfe3f3"];')
            lines.append(f"  {prev} -> {n};")
            if t:
                lines.append(f'  c{layer}_{t - 1} -> {n} [color="#0072B2", label="h", '
                             f'fontsize=8, constraint=false];')
            if cfg.bidirectional:
                lines.append(f'  {n} -> c{layer}_{t - 1} [color="#E69F00", style=dashed, '
                             'constraint=false];' if t else "")
            prev = n
    top = f"c{cfg.layers - 1}_{len(steps) - 1}"
    if not cfg.seq2seq:
        head = ("linear → the sum" if cfg.task == "adding" else "linear → softmax\n(every step)")
        lines.append(f'  out [label="{head}"]; {top} -> out;')
    else:
        att = {"none": "no attention:\nthe final state is all it gets",
               "additive": "additive attention\nv·tanh(W s + U h_j)",
               "multiplicative": "multiplicative attention\ns · W h_j"}[cfg.attention]
        lines.append(f'  dec [label="decoder {cfg.cell.upper()}\n{cfg.layers} layer(s)\n'
                     f'greedy, token by token", style="rounded,filled", fillcolor="#fde2c4"];')
        lines.append(f'  {top} -> dec [label="final state", fontsize=8];')
        if cfg.attention != "none":
            lines.append(f'  att [label="{att}", style="rounded,filled", fillcolor="#e7f4e4"];')
            for t in range(len(steps)):
                lines.append(f"  c{cfg.layers - 1}_{t} -> att [style=dotted, arrowsize=0.3];")
            lines.append("  att -> dec;")
        else:
            lines.append(f'  note [label="{att}", shape=note];')
        lines.append('  out [label="output tokens"]; dec -> out;')
    lines.append("}")
    return "\n".join(x for x in lines if x)
