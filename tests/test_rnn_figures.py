"""RNN figures: states and gates heatmaps, gradient chart, alignment, metric charts, diagram."""
from __future__ import annotations

import numpy as np

from core.figures import chart_rows
from core.rnn import figures as F
from core.rnn.config import RNNConfig
from core.rnn.metrics import METRICS
from core.rnn.snapshot import RNNSnapshot
from core.history import History


def _snap(cell="lstm", T=6, U=4, attention=False):
    rng = np.random.default_rng(0)
    gates = {"lstm": ("input", "forget", "cell", "output"), "gru": ("reset", "update",
                                                                   "candidate"),
             "rnn": ()}[cell]
    return RNNSnapshot(step=3, inputs=list("ABAB" + "C" * (T - 4)),
                       h=rng.uniform(-1, 1, (U, T)).astype(np.float32),
                       c=rng.normal(0, 2, (U, T)).astype(np.float32) if cell == "lstm" else None,
                       gates={g: rng.random((U, T)).astype(np.float32) for g in gates},
                       grad_norm=np.logspace(-6, 0, T).astype(np.float32),
                       outputs=list("xyz"), targets=list("xyz"),
                       attention=rng.dirichlet(np.ones(T), 3).astype(np.float32)
                       if attention else None)


def test_states_figure_stacks_h_c_and_the_sigmoid_gates_on_one_time_axis():
    snap = _snap("lstm")
    panels = F.state_panels(snap)
    assert [n for n, _ in panels] == ["h", "c", "input", "forget", "output"]
    fig = F.states_figure(panels, snap.inputs)
    assert len(fig.data) == 5
    assert all(t.z.shape == (4, 6) for t in fig.data)
    gate = fig.data[3]
    assert (gate.zmin, gate.zmax) == (0.0, 1.0)
    c = fig.data[1]
    assert c.zmax == np.abs(snap.c).max() and c.zmin == -c.zmax
    # repeated input tokens keep their own column: numeric axis, tokens as tick text
    bottom = fig.layout["xaxis5"]
    assert list(bottom.ticktext) == snap.inputs and list(bottom.tickvals) == list(range(6))


def test_gru_panels_are_reset_and_update():
    assert [n for n, _ in F.state_panels(_snap("gru"))] == ["h", "reset", "update"]
    assert [n for n, _ in F.state_panels(_snap("rnn"))] == ["h"]


def test_gradient_chart_is_on_a_log_axis_with_one_point_per_step():
    spec = F.gradient_chart(np.array([1e-8, 1e-4, 0.0, 1.0]), "rnn")
    assert spec["encoding"]["y"]["scale"]["type"] == "log"
    rows = spec["data"]["values"]
    assert [r["t"] for r in rows] == [1, 2, 4]  # a zero cannot sit on a log axis
    assert "RNN" in spec["title"]


def test_alignment_rows_are_output_tokens():
    snap = _snap(attention=True)
    fig = F.alignment_figure(snap.attention, snap.inputs, snap.outputs)
    z = np.asarray(fig.data[0].z)
    assert z.shape == (3, 6) and np.allclose(z.sum(1), 1, atol=1e-5)
    assert list(fig.layout.yaxis.ticktext) == ["x", "y", "z"]


def test_adding_chart_draws_the_one_sixth_line():
    h = History()
    for s in range(1, 6):
        h.record(s, {"loss": 1.0 / s, "test_mse": 0.5 / s, "grad_norm": 2.0})
    figs = F.metric_figures(h, METRICS, "adding")
    assert list(figs) == ["loss", "gradient_norm"]
    rows = chart_rows(figs["loss"])
    assert {r["metric"] for r in rows} == {"Training loss", "Test MSE (1,000 held out)",
                                           "answer 1: MSE 1/6"}
    line = [r["value"] for r in rows if r["metric"].startswith("answer 1")]
    assert line and all(abs(v - 1 / 6) < 1e-6 for v in line)
    assert "answer 1" not in str(F.metric_figures(h, METRICS, "recall"))


def test_live_figures_follow_the_task():
    h = History()
    h.record(1, {"loss": 1.0, "train_acc": 0.1})
    figs = F.live_figures(_snap("gru", attention=True), h, RNNConfig(task="dates", cell="gru"))
    assert {"loss", "accuracy", "gradient", "states", "attention"} <= set(figs)
    h2 = History()
    h2.record(1, {"loss": 1.0})
    assert set(F.live_figures(None, h2, RNNConfig())) == {"loss"}  # only recorded metrics


def test_diagram_follows_layers_cell_and_attention():
    dot = F.diagram(RNNConfig(task="dates", layers=3, cell="gru", attention="none"))
    assert "encoder layer 3" in dot and "GRU" in dot and "final state is all" in dot
    dot = F.diagram(RNNConfig(task="reverse", attention="multiplicative", bidirectional=True))
    assert "multiplicative attention" in dot and "dashed" in dot
    assert "linear → the sum" in F.diagram(RNNConfig())
