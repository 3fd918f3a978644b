"""Figures of the transformer page: numpy in, plotly figures and Vega-Lite specs out.

They draw a ``TransformerSnapshot`` (core/transformer/snapshot.py: numpy arrays and plain
values, the token strings included). Attention maps arrive as uint8 (L, H, Tq, Tk) arrays
where 255 means weight 1, as the snapshot stores them. :func:`live_figures` is every figure
the page redraws each tick while playing (the bench measures the same function);
:func:`paused_figures` the ones it adds on pause.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import plotly.graph_objects as go

from core.figures import (DIVERGING, OKABE_ITO, SEQUENTIAL, fast_figure, heatmap,
                          heatmap_grid, metric_chart, metric_charts)
from core.transformer.metrics import ACCURACY_CHART, LOSS_CHART, METRICS

__all__ = ["token_labels", "live_figures", "paused_figures", "example_line", "sample_text",
           "attention_figure", "attention_kinds", "attention_views", "pe_matrix_figure",
           "pe_similarity_figure", "embedding_figure", "output_attention", "try_it_figure",
           "diagram"]

_SHOW = {"\n": "⏎", " ": "␣", "\t": "⇥"}


def token_labels(ids: Sequence[int], itos: Sequence[str]) -> list[str]:
    """Printable token strings (newline and space made visible)."""
    return [_SHOW.get(itos[int(i)], itos[int(i)]) for i in ids]


def live_figures(snap, history, cfg, upto: int | None = None,
                 attention: str | None = None) -> dict[str, Any]:
    """Every figure the page draws each tick while playing, by key: the cross-entropy and
    accuracy charts (Vega-Lite, from the declared metrics; absent before the first step,
    when they would be empty), the decoded example (generated tasks; from the first step on,
    or once an input was typed: the untrained model's rows say little, and the first frame
    is lighter without them) and one attention kind (plotly), ``attention`` or the first of
    :func:`attention_kinds`.

    Args:
        snap: a ``TransformerSnapshot``; history: the trainer's ``History``; cfg: its config.
        upto: the timeline position when scrubbing back (None while live).
    """
    figs: dict[str, Any] = {}
    if history.names():
        charts = {c.get("title"): c for c in metric_charts(history, METRICS, upto=upto)}
        empty = {"step": [], "metric": [], "value": []}  # evaluated nothing yet: a note
        for key, title in (("loss", LOSS_CHART), ("accuracy", ACCURACY_CHART)):
            figs[key] = charts.get(title) or metric_chart(empty, title=title)
    if snap.decoded and (snap.step > 0 or snap.typed):
        figs["try_it"] = try_it_figure(snap, cfg.arch)
    names = attention_kinds(snap, cfg.arch)
    [(_, figs["attention"])] = attention_views(snap, cfg.arch, only=attention
                                               if attention in names else names[0])
    return figs


def paused_figures(snap) -> dict[str, go.Figure]:
    """What the page adds on pause: the positional encodings and the token embeddings."""
    return {"pe": pe_matrix_figure(snap.pe), "pesim": pe_similarity_figure(snap.pe),
            "emb": embedding_figure(snap.emb_pca, token_labels(range(len(snap.itos)),
                                                               snap.itos), snap.emb_var)}


def example_line(snap) -> str:
    """Markdown: the decoded example and whether it is right (generated tasks)."""
    src, out, want = ("".join(token_labels(x, snap.itos)) for x in (snap.src, snap.out,
                                                                      snap.want))
    verdict = (":material/check_circle: correct" if snap.correct
               else f":material/cancel: expected `{want}`")
    return f"**Input** `{src}` → **output** `{out}` {verdict}"


def sample_text(snap) -> str:
    """The character model's sample after its prompt."""
    return f"{snap.prompt}{snap.sample}"


def attention_figure(maps: np.ndarray, q_labels: Sequence[str], k_labels: Sequence[str],
                     title: str, cell_px: int = 26) -> go.Figure:
    """Every layer × head of one attention kind as one tiled heatmap (rows layers, columns
    heads), queries down and keys across each tile, tokens labelled on both axes.

    Args:
        maps: (L, H, Tq, Tk) uint8 (255 = weight 1) or float weights in [0, 1].
    """
    return heatmap_grid(maps, k_labels, q_labels, title=title, cell_px=cell_px)


def attention_kinds(snap, arch: str) -> list[str]:
    """Names of the attention kinds a snapshot holds, in the order of the page's selector."""
    if snap.decoded and arch == "encdec":
        return ["Encoder self-attention", "Decoder masked self-attention", "Cross-attention"]
    return ["Masked self-attention"]


def attention_views(snap, arch: str, only: str | None = None) -> list[tuple[str, go.Figure]]:
    """(name, figure) for each attention kind in a snapshot (or just ``only``), tokens on both
    axes. Queries of the decoder are its inputs: the separator, then the decoded tokens."""
    itos = snap.itos
    src = token_labels(snap.src, itos)
    if not snap.decoded:  # language model: one causal stack over the example
        specs = {"Masked self-attention": ("dec", src, src, "Masked self-attention "
                                                            "(layer × head)")}
    elif arch == "encdec":
        dec_in = [itos[-1]] + token_labels(snap.out, itos)[:-1]
        specs = {"Encoder self-attention": ("enc", src, src,
                                            "Encoder self-attention (layer × head)"),
                 "Decoder masked self-attention": ("dec", dec_in, dec_in, "Decoder masked "
                                                   "self-attention (layer × head)"),
                 "Cross-attention": ("cross", dec_in, src, "Cross-attention: decoder → "
                                     "encoder (layer × head)")}
    else:
        seq = src + [itos[-1]] + token_labels(snap.out, itos)[:-1]
        specs = {"Masked self-attention": ("dec", seq, seq, "Masked self-attention over "
                                                            "source and output (layer × head)")}
    return [(name, attention_figure(getattr(snap, key), q, k, title))
            for name, (key, q, k, title) in specs.items() if only in (None, name)]


def pe_matrix_figure(pe: np.ndarray) -> go.Figure:
    """The positional-encoding table: positions down, dimensions across."""
    z = np.asarray(pe, dtype=np.float32)
    lim = float(np.abs(z).max()) or 1.0
    return heatmap(z, title="Positional encoding matrix", x_title="dimension",
                   y_title="position", colorscale=DIVERGING, zmin=-lim, zmax=lim, height=300,
                   colorbar_title="value")


def pe_similarity_figure(pe: np.ndarray) -> go.Figure:
    """Dot products between position vectors: how alike two positions look to attention."""
    z = np.asarray(pe, dtype=np.float32)
    sim = z @ z.T
    fig = heatmap(sim, title="Dot-product similarity between positions", x_title="position",
                  y_title="position", height=300, colorbar_title="p_i · p_j")
    return fig


def embedding_figure(xy: np.ndarray, tokens: Sequence[str], var: np.ndarray) -> go.Figure:
    """Token embeddings projected on their two principal components, each point labelled."""
    xy = np.asarray(xy, dtype=np.float32)
    fig = go.Figure(go.Scatter(
        x=xy[:, 0], y=xy[:, 1], mode="markers+text", text=list(tokens),
        textposition="top center", marker=dict(size=9, color=OKABE_ITO[0]),
        hovertemplate="%{text}: (%{x:.2f}, %{y:.2f})<extra></extra>"))
    fig.update_xaxes(title=f"PC 1 ({100 * float(var[0]):.0f}% of variance)")
    fig.update_yaxes(title=f"PC 2 ({100 * float(var[1]):.0f}% of variance)")
    fig.update_layout(title="Token embeddings (PCA)", height=340,
                      margin=dict(l=10, r=10, t=40, b=10))
    return fig


def output_attention(snap, arch: str) -> tuple[np.ndarray, list[str], list[str]]:
    """What each decoded token looked at: last layer, mean over heads, over the source.

    Returns (Tout, Tsrc) weights, row labels (token and its probability), column labels.
    Encoder-decoder: cross-attention; decoder-only: the self-attention rows of the output
    positions, restricted to the source and separator.
    """
    itos = snap.itos
    src = token_labels(snap.src, itos)
    out = token_labels(snap.out, itos)
    rows = [f"{i + 1}. {t} ({p:.0%})" for i, (t, p) in enumerate(zip(out, snap.probs))]
    if arch == "encdec":
        w = snap.cross[-1].astype(np.float32).mean(0) / 255.0  # (Tout, S)
        return w, rows, src
    S = len(src)
    w = snap.dec[-1].astype(np.float32).mean(0) / 255.0  # (S+T, S+T)
    return w[S:S + len(out), :S + 1], rows, src + [itos[-1]]


def try_it_figure(snap, arch: str) -> go.Figure:
    """The output decoded token by token, each row the attention behind that token."""
    w, rows, cols = output_attention(snap, arch)
    heat = dict(type="heatmap", z=w, x=list(range(len(cols))), y=list(range(len(rows))),
                zmin=0.0, zmax=1.0, colorscale=SEQUENTIAL, xgap=1, ygap=1,
                colorbar=dict(title="weight", thickness=12),
                text=[[f"{r} → {c}" for c in cols] for r in rows],
                hovertemplate="%{text}: %{z:.2f}<extra></extra>")
    layout = dict(
        title=dict(text="Decoded token by token: where the last layer looked (mean of heads)"),
        height=max(240, 30 * len(rows) + 120), plot_bgcolor="white",
        margin=dict(l=10, r=10, t=50, b=40),
        xaxis=dict(tickvals=list(range(len(cols))), ticktext=cols, title=dict(text="input token"),
                   showgrid=False, zeroline=False, tickangle=0),
        yaxis=dict(tickvals=list(range(len(rows))), ticktext=rows, autorange="reversed",
                   title=dict(text="output token (confidence)"), showgrid=False, zeroline=False))
    return fast_figure([heat], layout)  # redrawn every tick: no validation (tests validate)


def diagram(cfg) -> str:
    """Graphviz DOT of the current architecture, left to right: embeddings, one column per
    layer (its attention with one cell per head, cross-attention, feed-forward), cross-attention
    edges from the encoder, the output layer; an encoder-decoder's two stacks in two rows.

    st.graphviz_chart stretches the picture to the page's width, so its labels are as small as
    the picture is wide: a layer as a column, not a row of five boxes, keeps the default
    encoder-decoder (2 layers) about 600 pt wide and its labels near body size (they were ~7 px).
    """
    H, L, D = cfg.n_heads, cfg.n_layers, cfg.d_model
    ln = "LN → " if cfg.norm == "pre" else ""
    post = " → LN" if cfg.norm == "post" else ""
    pos = {"sinusoidal": "+ sinusoidal PE", "learned": "+ learned PE", "none": "(no PE)"}[cfg.pos]
    lines = ["digraph transformer {",
             "  rankdir=LR; newrank=true; nodesep=0.15; ranksep=0.5;",
             "  node [shape=box, style=rounded, fontsize=11]; edge [arrowsize=0.6];"]

    def attention(n: str, kind: str) -> str:
        """One node: the attention sublayer, its heads (rows of four), the output projection."""
        rows = [range(h, min(h + 4, H)) for h in range(0, H, 4)]
        span = min(H, 4)
        heads = "".join("<tr>" + "".join(f'<td bgcolor="#cfe3f3">head {h + 1}</td>' for h in r)
                        + "</tr>" for r in rows)
        return (f'    {n}a [shape=plain, label=<<table border="0" cellborder="1" '
                f'cellspacing="0" cellpadding="3"><tr><td colspan="{span}">{ln}{kind}<br/>'
                f'{H} × {D // max(H, 1)} dims</td></tr>{heads}<tr><td colspan="{span}">'
                f'concat · W_O{post}</td></tr></table>>];')

    def stack(prefix: str, title: str, inp: str, memory: str | None, masked: bool) -> str:
        prev = inp
        kind = "masked self-attention" if masked else "self-attention"
        for i in range(L):
            n = f"{prefix}{i}"
            lines.append(f'  subgraph cluster_{n} {{ label="{title} layer {i + 1}"; '
                         'fontsize=11; color="#888";')
            lines.append(attention(n, kind))
            last = f"{n}a"
            if memory:
                lines.append(f'    {n}c [label="{ln}cross-attention\n{H} heads{post}", '
                             'style="rounded,filled", fillcolor="#fde2c4"];')
                lines.append(f"    {n}a -> {n}c;")
                last = f"{n}c"
            lines.append(f'    {n}f [label="{ln}feed-forward\n{D} → {cfg.d_ff} → {D}{post}"];')
            lines.append(f"    {last} -> {n}f;")
            # one rank: the layer's sublayers stacked in a column, not strung along the row
            lines.append(f"    {{ rank=same; {n}a; {n}c; {n}f; }}" if memory
                         else f"    {{ rank=same; {n}a; {n}f; }}")
            lines.append("  }")
            if i:  # the layers' attention blocks in one line (the feed-forward edge rising
                # from the previous column would otherwise lift each layer above the last)
                lines.append(f"  {prev} -> {n}a [weight=0]; {prev} -> {n}f "
                             "[style=invis, weight=10];")
            else:
                lines.append(f"  {prev} -> {n}a;")
            if memory:
                # constraint=false: the encoder's output does not push the decoder to the right
                # of it, so the two stacks lie in two rows (one long row was too small to read)
                lines.append(f'  {memory} -> {n}c [style=dashed, label="K, V", fontsize=10, '
                             'constraint=false];')
            prev = f"{n}f"
        return prev

    if cfg.arch == "encdec":
        lines.append(f'  src [label="source tokens\nembedding {D}\n{pos}"];')
        mem = stack("e", "encoder", "src", None, masked=False)
        if cfg.norm == "pre":
            lines.append(f'  encln [label="final LN"]; {mem} -> encln;')
            mem = "encln"
        lines.append(f'  tgt [label="target tokens\n(shifted right)\nembedding {D}\n{pos}"];')
        top = stack("d", "decoder", "tgt", mem, masked=True)
    else:
        lines.append(f'  tgt [label="tokens\nembedding {D}\n{pos}"];')
        top = stack("d", "decoder", "tgt", None, masked=True)
    tied = "\n(tied to the embedding)" if cfg.tie_weights else ""
    final = "final LN → " if cfg.norm == "pre" else ""
    lines.append(f'  out [label="{final}linear{tied}\n→ softmax over tokens"];')
    lines.append(f"  {top} -> out;")
    lines.append("}")
    return "\n".join(lines)
