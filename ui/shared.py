"""Settings shared by every page (seed, speed), rendered once by app.py in the sidebar."""
from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from core.config import Config, param, specs

@dataclass(frozen=True)
class Speed:
    """How a playing page ticks: train ``budget_s`` (at most ``max_steps``), redraw, and ask
    for the next tick ``interval_s`` later. Ticks that fall due while one is still running are
    dropped by the browser, so a short interval means "next tick as soon as this one is drawn"."""

    budget_s: float
    max_steps: int | None
    interval_s: float


SPEEDS = {"step": Speed(0.02, 1, 0.5), "slow": Speed(0.05, None, 0.05),
          "normal": Speed(0.25, None, 0.05), "fast": Speed(0.6, None, 0.05)}


@dataclass(frozen=True)
class RunSettings(Config):
    seed: int = param(0, label="Seed", group="Run", min=0, max=99_999, step=1,
                      help="Seeds weights, data order and noise. The same settings and seed "
                           "give the same run, step for step.")
    speed: str = param("normal", label="Speed", group="Run", choices=tuple(SPEEDS),
                       help="Training time per screen update: 'step' trains one step per "
                            "update so you can watch each change; 'fast' trains longest "
                            "between redraws.")


def shared_sidebar() -> RunSettings:
    """The seed and speed widgets (bound to the URL), at the top of every page's sidebar."""
    from ui.form import check_url, widget
    check_url(RunSettings, "shared", report_unknown=False)
    with st.sidebar:
        st.subheader("Run")
        values = {s.name: widget(s) for s in specs(RunSettings)}
    return RunSettings(**values)


def run_settings() -> RunSettings:
    """The current shared settings, as the sidebar widgets hold them."""
    defaults = RunSettings()
    return RunSettings(seed=int(st.session_state.get("seed", defaults.seed)),
                       speed=st.session_state.get("speed", defaults.speed))
