"""Shared figure helpers: traces, axes, sizes."""
import numpy as np
import plotly.graph_objects as go
import pytest

import core.figures as CF
from core.training import History


@pytest.fixture(autouse=True)
def validated(monkeypatch):
    monkeypatch.setattr(CF, "VALIDATE", True)


def test_metric_chart_has_axes_and_one_series_per_metric():
    h = History()
    for i in range(1, 101):
        h.record(i, {"loss": 1 / i, "acc": i / 100})
    spec = CF.metric_chart(h.long_format(), title="t", y_title="loss")
    enc = spec["layer"][0]["encoding"]
    assert enc["x"]["title"] == "training step" and enc["y"]["title"] == "loss"
    assert enc["color"]["scale"]["domain"] == ["acc", "loss"]
    values = spec["data"]["values"]
    assert {v["metric"] for v in values} == {"loss", "acc"} and len(values) == 200


def test_metric_chart_drops_non_finite_values():
    data = {"step": np.array([1, 2, 3]), "metric": np.array(["a"] * 3, dtype=object),
            "value": np.array([1.0, np.nan, np.inf], np.float32)}
    spec = CF.metric_chart(data)
    assert spec["data"]["values"] == [{"step": 1, "metric": "a", "value": 1.0}]


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


def test_heatmap_grid_shares_one_colour_scale():
    maps = np.random.default_rng(0).random((2, 3, 4, 4))
    fig = CF.heatmap_grid(maps, row_titles=["L1", "L2"], col_titles=["h1", "h2", "h3"],
                          x_labels=list("abcd"), y_labels=list("abcd"))
    assert len(fig.data) == 6
    assert sum(bool(t.showscale) for t in fig.data) == 1
    assert all((t.zmin, t.zmax) == (0.0, 1.0) for t in fig.data)


def test_scatter2d_one_trace_per_class_with_titles():
    xy = np.random.default_rng(0).normal(size=(30, 2))
    fig = CF.scatter2d(xy, np.repeat(np.arange(3), 10), x_title="z1", y_title="z2")
    assert [t.name for t in fig.data] == ["0", "1", "2"]
    assert all(t.type == "scatter" for t in fig.data)
    assert fig.layout.xaxis.title.text == "z1"
