"""RL figures: numpy in, Vega-Lite dicts/plotly out (no torch, no streamlit).

- :func:`live_figures`: every figure the page draws each tick while playing (page and bench)
- :func:`return_chart`: episode returns against environment steps, moving average, threshold
- :func:`metrics_chart`: the algorithm's declared metrics, one row each
- :func:`policy_figure`: value (or Q) and greedy action over a 2-D state slice, or on the grid
- :func:`frames_figure`: the current policy acting, as an animation of small PNG frames
- :func:`diagram`: the algorithm's networks and loop as a graphviz DOT string
"""
from __future__ import annotations

import base64
import io
from typing import Any, Sequence

import numpy as np
import plotly.graph_objects as go
from PIL import Image

from core.figures import DIVERGING, OKABE_ITO, SEQUENTIAL, fast_figure, metric_chart, note_layer
from core.history import long_format
from core.metrics import Metric, charts
from core.rl.data import GRID_MAP, env_spec
from core.rl.metrics import COMMON_METRICS, EPISODE_RETURN
from core.rl.snapshot import Episodes, PolicyMap, RLSnapshot

ARROWS = ("←", "↓", "→", "↑")   # FrozenLake actions 0..3


def moving_average(x: np.ndarray, window: int) -> np.ndarray:
    """Mean of the last ``window`` values at each point (fewer at the start).

    >>> moving_average(np.array([1., 2., 3., 4.]), 2).tolist()
    [1.0, 1.5, 2.5, 3.5]
    """
    x = np.asarray(x, np.float64)
    if len(x) == 0:
        return x.astype(np.float32)
    c = np.concatenate([[0.0], np.cumsum(x)])
    idx = np.arange(1, len(x) + 1)
    lo = np.maximum(0, idx - window)
    return ((c[idx] - c[lo]) / (idx - lo)).astype(np.float32)


def live_figures(snap: RLSnapshot | None, history: Any, cfg: Any, upto: int | None = None, *,
                 metrics: Sequence[Metric] = COMMON_METRICS,
                 episodes: Episodes | None = None) -> dict[str, Any]:
    """Every figure the page draws each tick while playing, by key, from one moment.

    ``return``: the episode returns (``episodes``, cut at the snapshot's environment step when
    scrubbing back); ``metrics``: the current algorithm's declared metrics from ``history``
    (``RLTrainer.algo_metrics``); ``policy``: the value map and greedy action, once the policy
    has trained on any environment step (before that it is an untrained network's noise, and
    leaving it out keeps plotly off the page's first frame). The rollout frame shown while
    playing is an image, drawn by the page from ``snap.rollout``.

    Args:
        upto: the training step when scrubbing back; None while live.
        metrics: the declarations to chart (the algorithm's own and the trainer's).
        episodes: the trainer's finished episodes (``RLTrainer.episodes()``).
    """
    eps = episodes if episodes is not None else Episodes(np.zeros(0, np.int64),
                                                         np.zeros(0, np.float32))
    marker = snap.env_steps if snap is not None and upto is not None else None
    ret = next((m for m in metrics if m.name == EPISODE_RETURN.name), EPISODE_RETURN)
    figs: dict[str, Any] = {
        "return": return_chart(eps.upto(marker), threshold=env_spec(cfg.env).threshold,
                               marker=marker, metric=ret),
        "metrics": metrics_chart(history, [m for m in metrics if m not in COMMON_METRICS],
                                 upto=upto)}
    if snap is not None and snap.env_steps > 0:
        figs["policy"] = policy_figure(snap, cfg.env)
    return figs


def return_chart(episodes: Episodes, threshold: float | None = None, window: int = 20,
                 marker: int | None = None, max_points: int = 300, height: int = 260,
                 metric: Metric = EPISODE_RETURN) -> dict[str, Any]:
    """Episode returns (dots), their moving average (line) and the solve threshold (rule), as a
    Vega-Lite spec (a plain dict, like :func:`core.figures.metric_chart`: no schema validation
    on every tick). Axis and tooltip read ``metric``'s declaration."""
    env_steps, returns = episodes.env_steps, episodes.returns
    ma = moving_average(returns, window)
    n = len(returns)
    idx = np.linspace(0, n - 1, max_points).astype(int) if n > max_points else np.arange(n)
    steps = np.asarray(env_steps)[idx].tolist()
    dots = [{"env_step": int(a), "ret": float(b)}
            for a, b in zip(steps, np.asarray(returns, np.float64)[idx].tolist())]
    avg = [{"env_step": int(a), "avg": float(b)}
           for a, b in zip(steps, ma[idx].astype(np.float64).tolist())]
    x = {"field": "env_step", "type": "quantitative",
         "title": "environment steps (all training episodes)"}
    one = {"values": [{}]}  # a rule drawn once, at its datum
    # each layer carries its own data, none at the top: see core.figures.metric_chart
    layers: list[dict[str, Any]] = [
        {"data": {"values": dots},
         "mark": {"type": "circle", "size": 14, "opacity": 0.35, "color": OKABE_ITO[5]},
         "encoding": {"x": x, "y": {"field": "ret", "type": "quantitative",
                                    "title": metric.unit or metric.label},
                      "tooltip": [{"field": "env_step", "type": "quantitative",
                                   "title": "env step"},
                                  {"field": "ret", "type": "quantitative",
                                   "title": metric.unit or metric.label, "format": ".1f"}]}},
        {"data": {"values": avg},
         "mark": {"type": "line", "strokeWidth": 2.5, "color": OKABE_ITO[0]},
         "encoding": {"x": x, "y": {"field": "avg", "type": "quantitative"}}},
    ]
    if threshold is not None:
        layers.append({"data": one,
                       "mark": {"type": "rule", "color": OKABE_ITO[3], "strokeDash": [6, 3]},
                       "encoding": {"y": {"datum": float(threshold)}}})
    if marker is not None:
        layers.append({"data": one,
                       "mark": {"type": "rule", "color": "#555", "strokeDash": [4, 3]},
                       "encoding": {"x": {"datum": int(marker)}}})
    if not dots:  # before the first episode ends: say so instead of drawing empty axes
        layers = [note_layer("no finished episode yet: press ▶ Play")]
    return {"height": height, "layer": layers,
            "title": {"text": "Training episodes (exploring policy)", "anchor": "start",
                      "subtitle": f"dots: episodes · line: mean of {window} · dashed: solved"}}


def metrics_chart(history: Any, metrics: Sequence[Metric], upto: int | None = None,
                  max_points: int = 200, row_height: int = 90) -> dict[str, Any]:
    """The declared metrics in one chart, one row per chart group with its own y scale, as a
    Vega-Lite spec (one chart instead of one per metric: fewer elements to redraw, and losses
    of very different sizes each get a readable axis).

    Rows are vertically concatenated views, each with its own data, rather than a facet: a
    facet needs the data at the top of the spec, which Streamlit converts through pandas (see
    :func:`core.figures.metric_chart`). A row is titled by its metric's label (by the group's
    ``chart`` when it holds several) and its y axis carries the unit. Only metrics ``history``
    has recorded are drawn (a DQN emits no loss before its buffer fills).

    Args:
        history: a :class:`core.history.History`; ``upto`` cuts it when scrubbing back.
        metrics: the declarations to draw (plotted ones, in order, grouped by ``chart``).
    """
    have = set(history.names())
    groups = [(title, [m for m in ms if m.name in have]) for title, ms in charts(metrics).items()]
    groups = [(title, ms) for title, ms in groups if ms]
    if not groups:
        return metric_chart(long_format({}), title="Training metrics", height=row_height)
    rows = []
    for i, (title, ms) in enumerate(groups):
        data = long_format({m.label: history.series(m.name, upto) for m in ms}, max_points)
        units = {m.unit for m in ms}
        row = metric_chart(data, y_title=units.pop() if len(units) == 1 else "",
                           x_title="training step" if i == len(groups) - 1 else "",
                           marker_step=upto, height=row_height, legend=len(ms) > 1)
        row.update(title={"text": ms[0].label if len(ms) == 1 else title, "anchor": "start",
                          "fontSize": 12})
        rows.append(row)
    # each row colours one metric: independent colour scales, or Vega merges the rows' domains
    # and warns ("Conflicting scale property domains") on every redraw
    return {"title": "Training metrics", "vconcat": rows, "spacing": 12,
            "resolve": {"scale": {"color": "independent"}},
            # the rows fit the column's width, axes included: Streamlit's default for stacked
            # layers stretches each row's plotting area and puts the axes on top (70 px over)
            "autosize": {"type": "fit-x", "contains": "padding"}}


def policy_figure(snap: RLSnapshot | PolicyMap, env_id: str, height: int = 340) -> go.Figure:
    """Value and greedy action: over the env's 2-D state slice, or on the grid world."""
    p = snap.policy if isinstance(snap, RLSnapshot) else snap
    if p.grid:
        return grid_figure(p.value, p.action, p.codes, height=height)
    return slice_figure(p.x, p.y, p.value, p.action, env_id, height=height)


def slice_figure(xs: np.ndarray, ys: np.ndarray, value: np.ndarray | None, action: np.ndarray,
                 env_id: str, height: int = 340) -> go.Figure:
    """Two heatmaps over the slice: the value estimate (left) and the greedy action (right).

    Plain dicts without plotly's validation (:func:`core.figures.fast_figure`): it is redrawn
    every tick."""
    spec = env_spec(env_id)
    s = spec.slice
    xs, ys = np.round(xs, 4).tolist(), np.round(ys, 4).tolist()
    data: list[dict[str, Any]] = []
    if value is not None:
        data.append(dict(type="heatmap", z=np.round(value, 3), x=xs, y=ys, colorscale=SEQUENTIAL,
                         colorbar=dict(title=dict(text="V"), x=0.41, xanchor="left",
                                       thickness=10),
                         hovertemplate="%{z:.2f}<extra>value</extra>"))
    if spec.continuous:
        m = spec.max_action
        act = dict(z=np.round(action, 3), colorscale=DIVERGING, zmin=-m, zmax=m,
                   colorbar=dict(title=dict(text="torque"), thickness=10))
    else:
        k = spec.n_actions
        scale = [[min(1.0, i / k + e), OKABE_ITO[i]] for i in range(k) for e in (0.0, 1.0 / k)]
        act = dict(z=np.asarray(action, np.int8), zmin=-0.5, zmax=k - 0.5, colorscale=scale,
                   colorbar=dict(tickvals=list(range(k)), ticktext=list(spec.action_names),
                                 thickness=10))
    data.append(dict(type="heatmap", x=xs, y=ys, xaxis="x2", yaxis="y2",
                     hovertemplate="%{z}<extra>greedy action</extra>", **act))
    titles = ("value estimate" if value is not None else "(no value network)",
              "greedy action" + (" (torque)" if spec.continuous else ""))
    return fast_figure(data, dict(
        xaxis=dict(domain=[0.0, 0.4], title=dict(text=s.x_label)),
        yaxis=dict(title=dict(text=s.y_label)),
        xaxis2=dict(domain=[0.6, 1.0], title=dict(text=s.x_label)),
        yaxis2=dict(anchor="x2", title=dict(text=s.y_label)),
        annotations=[dict(text=t, x=x, y=1.0, xref="paper", yref="paper", showarrow=False,
                          xanchor="center", yanchor="bottom", font=dict(size=14))
                     for t, x in zip(titles, (0.2, 0.8))],
        height=height, margin=dict(l=10, r=10, t=40, b=10)))


def grid_figure(value: np.ndarray | None, action: np.ndarray, codes: np.ndarray,
                height: int = 340) -> go.Figure:
    """The grid world: cell colour = value, arrow = greedy action, H holes, G goal."""
    rows, cols = codes.shape
    z = value if value is not None else np.zeros((rows, cols), np.float32)
    notes = []
    for r in range(rows):
        for c in range(cols):
            code = int(codes[r, c])
            text = {1: "H", 3: "G"}.get(code, ARROWS[int(action[r, c])])
            if code == 2:
                text = "S " + text
            notes.append(dict(x=c, y=r, text=text, showarrow=False,
                              font=dict(size=22, color="white" if code != 1 else "#D55E00")))
    return fast_figure(
        [dict(type="heatmap", z=z, colorscale=SEQUENTIAL,
              colorbar=dict(title=dict(text="V"), thickness=10),
              hovertemplate="row %{y}, col %{x}: %{z:.3f}<extra></extra>")],
        dict(title=dict(text="State values and greedy actions on the grid"), height=height,
             margin=dict(l=10, r=10, t=40, b=10), annotations=notes,
             xaxis=dict(title=dict(text="column"), dtick=1),
             yaxis=dict(title=dict(text="row"), autorange="reversed", dtick=1,
                        scaleanchor="x")))


def png_data_uri(frame: np.ndarray) -> str:
    """An (H, W, 3) uint8 frame as a base64 PNG data URI (small to send)."""
    buf = io.BytesIO()
    Image.fromarray(np.asarray(frame, np.uint8)).save(buf, format="PNG", optimize=False)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def frames_figure(frames: np.ndarray, title: str = "The greedy policy acting",
                  frame_ms: int = 120, height: int | None = None) -> go.Figure:
    """An animation of RGB frames (F, H, W, 3) uint8 with play/pause and a slider."""
    frames = np.asarray(frames, np.uint8)
    uris = [png_data_uri(f) for f in frames]
    h, w = frames.shape[1:3]
    fig = go.Figure(go.Image(source=uris[0], hoverinfo="skip"),
                    frames=[go.Frame(data=[go.Image(source=u)], name=str(i))
                            for i, u in enumerate(uris)])
    play = dict(label="▶ play", method="animate",
                args=[None, dict(frame=dict(duration=frame_ms, redraw=True), fromcurrent=True,
                                 mode="immediate")])
    pause = dict(label="❚❚", method="animate",
                 args=[[None], dict(frame=dict(duration=0, redraw=False), mode="immediate")])
    fig.update_layout(
        title=title, height=height or int(380 * h / w) + 150,
        margin=dict(l=10, r=10, t=50 + 16 * title.count("<br>"), b=90),  # room per line
        updatemenus=[dict(type="buttons", buttons=[play, pause], direction="left",
                          x=0.0, y=0.0, xanchor="left", yanchor="top", pad=dict(t=40))],
        sliders=[dict(steps=[dict(method="animate", label=str(i),
                                  args=[[str(i)], dict(mode="immediate",
                                                       frame=dict(duration=0, redraw=True))])
                             for i in range(len(uris))],
                      x=0.25, len=0.75, y=0.0, yanchor="top", pad=dict(t=30),
                      currentvalue=dict(prefix="frame ", xanchor="right"))])
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return fig


def diagram(cfg) -> str:
    """Graphviz DOT of the algorithm's loop and networks, sized from the config."""
    spec = env_spec(cfg.env)
    hid = " → ".join([str(cfg.hidden)] * cfg.layers)
    out = f"{spec.n_actions} {'torque' if spec.continuous else 'actions'}"
    lines = ["digraph RL {", "rankdir=LR; node [shape=box, style=rounded, fontsize=11];",
             f'env [label="{cfg.env}\\nobs {spec.obs_dim}", shape=ellipse];']
    if cfg.algo in ("ppo", "a2c", "reinforce"):
        n = f"{cfg.n_envs} envs" if cfg.algo != "reinforce" else f"{cfg.n_envs} episodes"
        lines += [f'pi [label="policy π(a|s)\\n{spec.obs_dim} → {hid} → {out}"];',
                  f'env -> pi [label="s ({n})"]; pi -> env [label="a ~ π"];']
        if cfg.algo != "reinforce" or cfg.baseline:
            lines += [f'v [label="value V(s)\\n{spec.obs_dim} → {hid} → 1"];',
                      'env -> v [label="s"];']
        what = {"ppo": f"GAE λ={cfg.gae_lambda:g} → clipped loss ε={cfg.clip:g}\\n"
                       f"{cfg.epochs} epochs × {cfg.minibatches} minibatches",
                "a2c": f"{cfg.n_steps}-step returns (λ={cfg.gae_lambda:g}) → one step",
                "reinforce": "returns G_t" + (" − V(s_t)" if cfg.baseline else "")}[cfg.algo]
        lines += [f'upd [label="{what}", shape=note];', 'pi -> upd [style=dashed];']
        if cfg.algo != "reinforce" or cfg.baseline:
            lines.append("v -> upd [style=dashed];")
    elif cfg.algo == "dqn":
        tgt = (f"target Q'\\ncopy every {cfg.target_update} steps" if cfg.target_update
               else "no target network\\n(Q bootstraps itself)")
        lines += [f'q [label="Q(s,·)\\n{spec.obs_dim} → {hid} → {out}"];',
                  f'buf [label="replay buffer\\n{cfg.buffer_size:,} transitions", shape=cylinder];',
                  f'tq [label="{tgt}", style="rounded,dashed"];',
                  'env -> q [label="s"]; q -> env [label="ε-greedy a"];',
                  'env -> buf [label="(s,a,r,s\')"]; buf -> q [label="batch"];',
                  f'tq -> q [label="{"double " if cfg.double else ""}TD target"];']
    else:
        lines += [f'mu [label="actor μ(s)\\n{spec.obs_dim} → {hid} → {out}"];',
                  f'q [label="critic Q(s,a)\\n{spec.obs_dim}+{spec.n_actions} → {hid} → 1"];',
                  f'buf [label="replay buffer\\n{cfg.buffer_size:,}", shape=cylinder];',
                  f'tg [label="targets μ\', Q\'\\nsoft τ={cfg.tau:g}", style="rounded,dashed"];',
                  f'env -> mu [label="s"]; mu -> env [label="a + {cfg.noise} noise"];',
                  'env -> buf; buf -> q [label="batch"]; q -> mu [label="∇a Q"];',
                  'tg -> q [label="TD target"];']
    lines.append("}")
    return "\n".join(lines)


__all__ = ["live_figures", "return_chart", "metrics_chart", "policy_figure", "slice_figure", "grid_figure",
           "frames_figure", "diagram", "moving_average", "png_data_uri", "GRID_MAP"]
