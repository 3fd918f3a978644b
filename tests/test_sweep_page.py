"""The Sweep panel on a page (AppTest): built from the schema, refuses what cannot run, and
follows a sweep to its results."""

import pytest
from conftest import open_page

from core.runs import sweep as SW
from core.runs.store import open_store


def _panel(at, slug="autoencoder"):
    return at.multiselect(key=f"_sw_params_{slug}")


def test_the_panel_offers_the_page_settings_and_names_what_cannot_run():
    at = open_page("pages/autoencoder.py", opened=("_sweep_open_autoencoder",))
    opts = _panel(at).options
    assert "Learning rate" in opts and "Latent size" in opts
    _panel(at).set_value(["lr"]).run()
    assert at.text_input(key="_sw_vals_autoencoder_lr").value == "0.0013, 0.004, 0.012"
    assert any("runs of 300 steps" in c.value for c in at.caption)
    at.text_input(key="_sw_vals_autoencoder_lr").set_value("0.001, fast, 7").run()
    errors = " ".join(e.value for e in at.error)
    assert "Expect a number for Learning rate" in errors
    at.text_input(key="_sw_vals_autoencoder_lr").set_value("0.001, 7").run()
    assert "above the maximum" in " ".join(e.value for e in at.error)
    assert not [b for b in at.button if b.key == "_sw_start_autoencoder"]


@pytest.mark.slow
def test_a_small_sweep_runs_and_its_results_are_drawn():
    at = open_page("pages/autoencoder.py", latent_dim="2", hidden="16",
                   opened=("_sweep_open_autoencoder",))
    _panel(at).set_value(["lr"]).run()
    at.text_input(key="_sw_vals_autoencoder_lr").set_value("0.001, 0.01").run()
    at.slider(key="_sw_seeds_autoencoder").set_value(1).run()
    at.number_input(key="_sw_budget_autoencoder").set_value(30).run()
    at.button(key="_sw_start_autoencoder").click().run()
    sid = at.session_state["_sweep_autoencoder"]
    assert at.query_params["sweep"] in (sid, [sid])
    db = open_store()
    SW.wait(db, sid, timeout=240)
    assert SW.progress(db, sid)["left"] == 0
    again = open_page("pages/autoencoder.py", sweep=sid)   # a new tab from the link
    assert not again.warning or all("sweep" not in w.value.lower() for w in again.warning)
    figs = [c for c in again.get("plotly_chart")]
    assert any("Learning rate %{x}" in f.proto.spec for f in figs)   # metric by value
    texts = [p.proto.text for p in again.get("progress")]
    assert any("2 of 2 runs done" in t for t in texts), texts
