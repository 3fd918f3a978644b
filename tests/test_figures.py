"""Shared figure helpers: traces, axes, sizes."""
import numpy as np
import plotly.graph_objects as go
import pytest

import core.figures as CF
from core.plotly_fast import checking
from core.training import History


@pytest.fixture(autouse=True)
def validated():
    with checking():
        yield


def test_metric_chart_has_axes_and_one_series_per_metric():
    h = History()
    for i in range(1, 101):
        h.record(i, {"loss": 1 / i, "acc": i / 100})
    spec = CF.metric_chart(h.long_format(), title="t", y_title="loss")
    enc = spec["layer"][0]["encoding"]
    assert enc["x"]["title"] == "training step" and enc["y"]["title"] == "loss"
    assert enc["color"]["scale"]["domain"] == ["acc", "loss"]
    values = CF.chart_rows(spec)
    assert {v["metric"] for v in values} == {"loss", "acc"} and len(values) == 200


def test_metric_chart_drops_non_finite_values():
    data = {"step": np.array([1, 2, 3]), "metric": np.array(["a"] * 3, dtype=object),
            "value": np.array([1.0, np.nan, np.inf], np.float32)}
    spec = CF.metric_chart(data)
    assert CF.chart_rows(spec) == [{"step": 1, "metric": "a", "value": 1.0}]
    assert "data" not in spec  # top-level data would go through pandas in Streamlit


def test_metric_chart_is_a_valid_vega_lite_spec():
    import altair as alt
    data = {"step": np.array([1, 2]), "metric": np.array(["a", "a"], dtype=object),
            "value": np.array([1.0, 0.5], np.float32)}
    spec = CF.metric_chart(data, title="t", marker_step=1, rule_y=0.7, log_y=True)
    alt.Chart.from_dict(spec)  # validates against the Vega-Lite schema; raises if wrong


def test_image_grid_tiles_images_into_one_trace():
    imgs = np.zeros((6, 8, 8), np.float32)
    imgs[1] = 1.0
    fig = CF.image_grid(imgs, ncols=3, row_labels=["a", "b"])
    assert isinstance(fig, go.Figure) and len(fig.data) == 1
    z = np.asarray(fig.data[0].z)
    assert z.shape == (2 * 9 - 1, 3 * 9 - 1)
    top = z[::-1]  # the trace is flipped so row 0 is drawn at the top
    assert top[0:8, 9:17].min() == 255 and top[0:8, 0:8].max() == 0  # image 1 is all ink
    assert [a.text for a in fig.layout.annotations] == ["a", "b"]


def test_heatmap_grid_tiles_every_map_into_one_trace():
    maps = np.random.default_rng(0).random((2, 3, 4, 5)).astype(np.float32)
    fig = CF.heatmap_grid(maps, list("vwxyz"), list("abcd"), title="t")
    assert len(fig.data) == 1
    z = np.asarray(fig.data[0].z, dtype=np.float32)
    assert z.shape == (2 * 5 - 1, 3 * 6 - 1)
    np.testing.assert_allclose(z[5:9, 6:11], maps[1, 1])  # row 2, column 2
    assert np.isnan(z[4]).all() and np.isnan(z[:, 5]).all()  # gaps between tiles
    assert list(fig.layout.xaxis.ticktext) == list("vwxyz") * 3
    assert [a.text for a in fig.layout.annotations][:3] == ["head 1", "head 2", "head 3"]


def test_metric_chart_without_values_says_what_to_do():
    empty = {"step": np.zeros(0, int), "metric": np.zeros(0, object), "value": np.zeros(0)}
    spec = CF.metric_chart(empty, title="loss")
    assert spec["layer"][0]["mark"]["type"] == "text"
    assert "press ▶ Play" in spec["layer"][0]["data"]["values"][0]["note"]


def test_metric_charts_follow_the_declarations():
    from core.metrics import Metric
    decl = (Metric("loss", "Training loss", unit="nats", chart="Loss", log=True),
            Metric("val_loss", "Validation loss", unit="nats", chart="Loss", log=True),
            Metric("val_acc", "Validation accuracy", chart="Accuracy", higher_is_better=True),
            Metric("kl", "KL", unit="nats", chart="KL"))          # never recorded: no chart
    h = History()
    for i in range(1, 101):
        h.record(i, {"loss": 1 / i, **({"val_loss": 2 / i, "val_acc": i / 100}
                                        if i % 10 == 0 else {})})
    loss, acc = CF.metric_charts(h, decl, upto=50, rules={"Accuracy": (0.9, "target")},
                                 references={"Loss": ("baseline", 0.5)})
    assert loss["title"] == "Loss" and acc["title"] == "Accuracy"
    enc = loss["layer"][0]["encoding"]
    assert enc["y"]["title"] == "nats" and enc["y"]["scale"] == {"type": "log"}
    rows = CF.chart_rows(loss)
    assert {r["metric"] for r in rows} == {"Training loss", "Validation loss", "baseline"}
    assert max(r["step"] for r in rows if r["metric"] == "Training loss") == 50   # scrubbed
    assert acc["layer"][0]["encoding"]["y"]["title"] == "Accuracy"
    assert any(layer["mark"]["type"] == "rule" and layer["data"]["values"][0].get("y") == 0.9
               for layer in acc["layer"])
    assert CF.metric_charts(h, decl, names=["val_acc"])[0]["title"] == "Accuracy"
