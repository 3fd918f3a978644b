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
    from core.gan.config import GANConfig
    from core.gan import figures as F
    from core.gan.trainer import GANTrainer
    t = GANTrainer(GANConfig(g_hidden=16, d_hidden=16, batch_size=32), seed=0)
    t.run_steps(2)
    sent = json.loads(F.field_figure(t.snapshot()).to_json())
    scales = PF.colorscales_in(sent)
    assert scales and all(isinstance(s, list) for s in scales)
    heat = next(s for s in scales if len(s) == 11)
    assert heat[0][1] == "rgb(64,0,75)" and heat[-1][1] == "rgb(0,68,27)"  # purple .. green


def _sent(d):
    """What the browser gets from a figure dict (plotly's own JSON encoder)."""
    from plotly.io.json import to_json_plotly
    return json.loads(to_json_plotly(d))


def _arrays_figure():
    rng = np.random.default_rng(0)
    return PF.figure([
        dict(type="heatmap", z=rng.normal(size=(4, 3)).astype(np.float32), colorscale="RdBu"),
        dict(type="scatter", x=np.arange(5), y=rng.normal(size=5), mode="markers",
             customdata=np.stack([np.arange(5), np.arange(5) * 2], axis=1),
             marker=dict(color=np.arange(5, dtype=np.int64) * 1000, size=[3, 4, 5, 6, 7])),
        dict(type="scatter", x=(1, 2), y=(np.float64(3.0), 4), text=["a", "b"]),
    ], dict(LAYOUT, shapes=[dict(type="line", x0=0, x1=1, y0=0, y1=1)]))


def test_fast_to_dict_sends_what_plotly_sends():
    """``Fast.to_dict`` (what ``st.plotly_chart`` calls) equals plotly's deep-copying one, arrays
    base64-encoded the same way, for a figure with arrays of several dtypes."""
    fig = _arrays_figure()
    mine, plotlys = fig.to_dict(), go.Figure.to_dict(fig)
    assert mine["data"][0]["z"]["dtype"] == "f4" and "bdata" in mine["data"][0]["z"]
    assert mine["data"][1]["marker"]["color"]["dtype"] == "i2"  # int64 0..4000 narrowed, as plotly does
    assert _sent(mine) == _sent(plotlys)


def test_fast_to_dict_leaves_the_figure_as_it_was():
    """The arrays are shared, not copied: sending a figure must not change it, so a second send
    (a rerun drawing the same figure) is the same."""
    fig = _arrays_figure()
    z = fig.data[0].z
    z_before = np.array(z, copy=True)
    first = fig.to_dict()
    first["data"][0]["name"] = "changed"          # a caller editing the result ...
    first["layout"]["title"]["text"] = "changed"
    second = fig.to_dict()                        # ... does not reach the figure
    assert isinstance(fig.data[0].z, np.ndarray) and np.array_equal(fig.data[0].z, z_before)
    assert "name" not in second["data"][0] and second["layout"]["title"]["text"] == "t"
    assert _sent(second) == _sent(go.Figure.to_dict(fig))


@pytest.mark.parametrize("family", ["autoencoder", "transformer", "gan", "rl", "gnn", "rnn"])
def test_every_live_figure_sends_what_plotly_sends(family):
    """Each page's real per-tick plotly figures, sent both ways."""
    import importlib

    from core.families import classes
    cfg_cls, trainer_cls = classes(family)
    t = trainer_cls(cfg_cls(), seed=0)
    t.run_steps(2)
    t.record_snapshot(force=True)
    mod = importlib.import_module(f"core.{family}.figures")
    kw = {"metrics": t.algo_metrics} if family == "rl" else {}
    figs = [f for f in mod.live_figures(t.timeline.latest()[1], t.history, t.config,
                                        **kw).values() if isinstance(f, go.Figure)]
    assert figs and all(isinstance(f, PF.Fast) for f in figs)
    for fig in figs:
        assert _sent(fig.to_dict()) == _sent(go.Figure.to_dict(fig))


RACE = r'''
import sys, threading, importlib.abc, importlib.util
gate, entered = threading.Event(), threading.Event()

class SlowLoader(importlib.abc.Loader):      # a "pandas" whose import takes a while
    def create_module(self, spec):
        return None
    def exec_module(self, module):
        entered.set()
        gate.wait(30)
        for n in ("Series", "Index", "DataFrame", "Categorical"):
            setattr(module, n, type(n, (), {}))

class Finder(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name == "pandas":
            return importlib.util.spec_from_loader(name, SlowLoader())

sys.meta_path.insert(0, Finder())
import numpy as np
from core import plotly_fast
if sys.argv[1] == "unguarded":
    plotly_fast.settled = lambda: None
threading.Thread(target=lambda: __import__("pandas"), daemon=True).start()   # another session
entered.wait(30)
timer = threading.Timer(float(sys.argv[2]), gate.set)
timer.daemon = True
timer.start()
fig = plotly_fast.figure([{"type": "scatter", "x": np.arange(3.0), "y": [1, 2, 3]}], {})
print(sorted(fig.to_dict()["data"][0]))
'''


def _race(mode: str, gate_s: float):
    import subprocess
    import sys
    from conftest import ROOT
    return subprocess.run([sys.executable, "-c", RACE, mode, str(gate_s)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def test_a_figure_waits_for_pandas_that_another_session_is_importing():
    """A fresh server: one session's thread is importing pandas when another builds and sends
    a figure. Plotly looks pandas up in ``sys.modules`` without importing it; the figure code
    waits for the import (core.imports.settled) instead of meeting a half-built module."""
    done = _race("guarded", 0.5)
    assert done.returncode == 0 and done.stdout.split() == ["['type',", "'x',", "'y']"], done
    # the same without the wait fails as the first visitors of a class did
    bare = _race("unguarded", 20.0)
    assert bare.returncode != 0 and "partially initialized module 'pandas'" in bare.stderr, bare


def test_figure_code_leaves_pandas_imported_so_no_later_import_can_be_caught_half_built():
    """Waiting for an import in progress is not enough: one that starts just after the check
    could still be caught half built (the home page's first visit beside the recurrent page).
    So the first figure of a process imports what plotly looks up, and from then on it is whole."""
    import subprocess
    import sys
    from conftest import ROOT
    code = ("import sys; from core import plotly_fast; assert 'pandas' not in sys.modules; "
            "plotly_fast.figure([], {}); m = sys.modules.get('pandas'); "
            "print(m is not None and not m.__spec__._initializing and hasattr(m, 'Series'))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0 and out.stdout.strip() == "True", out
