"""The one plotly workaround: fast figures equal validated ones, and colour scales reach the
browser as explicit stops. These fail loudly if a plotly upgrade changes what it relies on."""
import json

import numpy as np
import plotly.graph_objects as go
import pytest

from core import plotly_fast as PF

TRACES = [
    dict(type="heatmap", z=[[0.0, 1.0], [2.0, 3.0]], colorscale="PRGn", showscale=False),
    dict(type="scatter", x=[1, 2], y=[3, 4], mode="markers",
         marker=dict(color=[0, 1], colorscale="Viridis", size=5)),
]
LAYOUT = dict(title=dict(text="t"), height=200, margin=dict(l=5, r=5, t=30, b=5))


def test_fast_figure_equals_the_validated_one():
    fast = PF.figure([dict(t) for t in TRACES], dict(LAYOUT))
    slow = go.Figure(data=[dict(t) for t in TRACES], layout=dict(LAYOUT))
    assert _rounded(json.loads(fast.to_json())) == _rounded(json.loads(slow.to_json()))


def _rounded(x):
    if isinstance(x, dict):
        return {k: _rounded(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_rounded(v) for v in x]
    return round(x, 6) if isinstance(x, float) else x


def test_private_flag_still_skips_validation():
    """What the speed relies on: ``_validate=False`` accepts a property plotly would refuse."""
    fig = go.Figure(data=[dict(type="scatter", bogus=1)], layout={}, _validate=False)
    assert fig.to_dict()["data"][0]["bogus"] == 1
    with pytest.raises(ValueError):
        go.Figure(data=[dict(type="scatter", bogus=1)])


def test_checking_validates_every_figure_built_inside():
    with PF.checking(), pytest.raises(ValueError):
        PF.figure([dict(type="scatter", colour="red")], {})
    PF.figure([dict(type="scatter", colour="red")], {})  # outside: not checked


@pytest.mark.parametrize("name", ["PRGn", "Greys", "RdBu", "Viridis", "Cividis", "viridis_r"])
def test_named_scales_are_sent_as_stops(name):
    fig = PF.figure([dict(type="heatmap", z=np.eye(2), colorscale=name)], {})
    [scale] = PF.colorscales_in(json.loads(fig.to_json()))
    assert isinstance(scale, list) and scale[0][0] == 0.0 and scale[-1][0] == 1.0
    assert all(isinstance(c, str) and c.startswith(("rgb", "#")) for _, c in scale)


def test_gan_field_reaches_the_browser_green_to_purple():
    """The field's scale arrives as PRGn's stops (it arrived as a bare name plotly.js does not
    know, and drew blue-red while the caption said green = real, purple = fake)."""
    from core.gan import GANConfig
    from core.gan import figures as F
    from core.gan.trainer import GANTrainer
    t = GANTrainer(GANConfig(g_hidden=16, d_hidden=16, batch_size=32), seed=0)
    t.run_steps(2)
    sent = json.loads(F.field_figure(t.snapshot()).to_json())
    scales = PF.colorscales_in(sent)
    assert scales and all(isinstance(s, list) for s in scales)
    heat = next(s for s in scales if len(s) == 11)
    assert heat[0][1] == "rgb(64,0,75)" and heat[-1][1] == "rgb(0,68,27)"  # purple .. green
