"""The shared ui pieces on a toy family: form, live panel, timeline, guard."""
from streamlit.testing.v1 import AppTest


def toy_page():
    import sys
    from pathlib import Path
    root = Path.cwd()
    for p in (root, root / "tests"):
        sys.path.insert(0, str(p))
    import streamlit as st
    from toy import PRESETS, ToyConfig, ToyTrainer

    from ui import config_sidebar, live_panel, show_problems

    cfg, run, problems = config_sidebar(ToyConfig, "toy", presets=PRESETS)

    def draw(view):
        st.text(f"drawn step={view.step} live={view.live} w={view.snapshot['w'].shape}")
        if view.trainer.config.hidden == 64:
            raise RuntimeError("figure bug")

    if problems:
        show_problems(problems)
    else:
        live_panel("toy", ToyTrainer, cfg, run, draw=draw)


def open_toy(page=None, *, opened: tuple[str, ...] = (), **query) -> AppTest:
    """Run a toy page (``toy_page`` by default) with these URL parameters and these shut
    expanders opened (``conftest.open_page``); no exception."""
    at = AppTest.from_function(page or toy_page, default_timeout=60)
    for k, v in query.items():
        at.query_params[k] = v
    for k in opened:
        at.session_state[k] = True
    at.run()
    assert not at.exception, at.exception
    return at


def _trainer(at):
    return at.session_state["_live_toy"].trainer


def test_widgets_come_from_the_schema():
    at = open_toy()
    assert at.slider(key="hidden").value == 8
    assert at.number_input(key="lr").value == 0.05   # log scale: the exact value...
    assert at.select_slider(key="_coarse_lr").value == 0.05   # ... and a slider by factors
    assert at.text_input(key="seed").value == "0"   # typed, read by the schema
    assert [s.value for s in at.sidebar.subheader] == ["Run", "Model", "Training"]


def test_live_lr_change_keeps_the_trainer_and_arch_change_rebuilds():
    at = open_toy()
    at.button(key="_step_toy").click().run()
    t = _trainer(at)
    at.number_input(key="lr").set_value(0.01).run()
    assert _trainer(at) is t and t.opt.param_groups[0]["lr"] == 0.01 and t.step == 1
    at.select_slider(key="_coarse_lr").set_value(0.2).run()      # one notch = a factor
    assert at.number_input(key="lr").value == 0.2 and t.opt.param_groups[0]["lr"] == 0.2
    at.slider(key="hidden").set_value(16).run()
    assert _trainer(at) is not t and _trainer(at).step == 0
    at.text_input(key="seed").input("5").run()
    assert _trainer(at).seed == 5


def test_log_field_moves_by_factors_and_keeps_a_typed_value():
    at = open_toy()
    opts = at.select_slider(key="_coarse_lr").options
    assert opts[:4] == ["0.0001", "0.0002", "0.0005", "0.001"] and opts[-1] == "100"
    at.number_input(key="lr").set_value(0.0035).run()
    assert at.number_input(key="lr").value == 0.0035
    assert at.number_input(key="lr").step == 0.0001          # a tenth of its decade
    assert at.select_slider(key="_coarse_lr").value == 0.0035     # the value in use shown
    assert _trainer(at).config.lr == 0.0035 and not at.error


def test_cross_field_problem_is_shown_and_nothing_is_built():
    at = open_toy()
    at.slider(key="hidden").set_value(13).run()
    assert "Hidden 13 is unlucky: pick 12 or 14." in at.error[0].value
    assert not [b for b in at.button if b.key == "_play_toy"]


def test_timeline_scrubbing_redraws_from_an_earlier_moment():
    at = open_toy(speed="step")
    for _ in range(4):
        at.button(key="_step_toy").click().run()
    slider = next(s for s in at.select_slider if s.key.startswith("_moment_toy"))
    assert slider.options == ["step 0", "step 1", "step 2", "step 3", "step 4"]
    slider.set_value(2).run()
    assert "drawn step=2 live=False" in at.text[0].value


def test_a_figure_error_becomes_a_message_not_a_traceback():
    at = open_toy(hidden="64")
    assert not at.exception
    assert any("Something went wrong while drawing the figures" in e.value for e in at.error)
    at.button(key="_play_toy").click().run()
    at.run()
    assert not at.exception and _trainer(at).step > 0  # training goes on


def test_divergence_pauses_and_explains():
    at = open_toy(lr="80")
    at.button(key="_play_toy").click().run()
    for _ in range(5):
        if _trainer(at).diverged:
            break
        at.run()
    at.run()
    assert _trainer(at).diverged is not None
    assert any("diverged" in e.value and "try 8" in e.value for e in at.error)
    assert at.session_state["_live_toy"].playing is False


def test_clicks_carry_intent_so_a_double_delivery_changes_nothing(monkeypatch):
    """Streamlit can deliver one click to two runs while a page ticks; a toggle then paused
    and resumed at once (seen in chromium). The callbacks carry their intent instead."""
    from toy import ToyConfig, ToyTrainer

    from ui.live import LiveState, controls
    from ui.live.classmode import Off
    live = LiveState(trainer=ToyTrainer(ToyConfig(), seed=0))
    monkeypatch.setattr(controls, "state", lambda page: live)
    for _ in range(2):
        controls.set_playing("toy", True, Off())
    assert live.playing is True
    for _ in range(2):
        controls.set_playing("toy", False, Off())
    assert live.playing is False
    for _ in range(2):
        controls.one_step("toy", 0, Off())
    assert live.trainer.step == 1


def test_paused_figures_show_the_model_at_the_step_the_counter_shows():
    """A tick that a Pause click cuts short takes no snapshot; paused, the figures and the
    timeline must still end at the step shown (they lagged by 40-130 steps)."""
    at = open_toy()
    at.button(key="_play_toy").click().run()
    t = _trainer(at)
    t.run_steps(7)      # what a cut tick leaves: steps trained, no snapshot of them
    assert t.timeline.latest()[0] < t.step
    at.button(key="_play_toy").click().run()   # Pause
    assert at.session_state["_live_toy"].playing is False
    assert t.timeline.latest()[0] == t.step
    assert f"drawn step={t.step} live=True" in at.text[0].value


def test_held_figures_redraw_at_most_every_interval_while_playing():
    """Big figures (Cora's 2,708 nodes) redraw at most once a second while playing; paused,
    or for another selection, they are always current."""
    def page():
        import sys
        from pathlib import Path
        sys.path.insert(0, str(Path.cwd()))
        import streamlit as st
        from types import SimpleNamespace as NS

        from ui.charts import held
        trainer = st.session_state.setdefault("trainer", object())
        out = []
        for now, playing, also, fig in [(0.0, True, None, "a"), (0.5, True, None, "b"),
                                        (0.9, True, 3, "c"), (1.2, True, 3, "d"),
                                        (2.3, True, 3, "e"), (2.4, False, 3, "f")]:
            figs = {"graph": fig, "other": fig}
            held(figs, ["graph"], NS(playing=playing, trainer=trainer), key="k", every_s=1.0,
                 also=also, now=now)
            out.append(figs["graph"] + figs["other"])
        st.text(" ".join(out))

    at = AppTest.from_function(page, default_timeout=30)
    at.run()
    assert not at.exception
    # held: b (0.5 s after a), d (0.3 s after c); fresh: a, a new selection, 1.1 s, paused
    assert at.text[0].value == "aa ab cc cd ee ff"
