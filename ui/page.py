"""The one page shape: every architecture page is this skeleton plus its own drawing.

A page holds only what is its own::

    page = Page("gnn", GNNConfig, GNNTrainer, title="Graph neural networks",
                caption="…", presets=PRESETS, experiments=EXPERIMENTS,
                diagram=F.diagram, code=lambda cfg: [M.GCNLayer, T.GNNTrainer.train_step])
    cfg, run, problems = page.sidebar()   # run settings + hyperparameters + link notes
    ...                                   # its own widgets; may append to ``problems``
    def draw(view): ...                   # its figures, from view.snapshot / view.history()
    page.body(draw)                       # problems or the live panel, experiments, theory

The theory text is ``theory.md`` beside the family's config module; the diagram (a function
of the config) and the code listings follow the current settings.
"""
from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any, Callable, Sequence

import streamlit as st

from core.classroom import caps_problems
from core import process
from core.config import Config, Preset
from core.families import FAMILIES as DECLARED
from core.run import RunSettings
from core.training import Trainer
from ui.boot import ensure_navigated
from ui.content import experiments as experiments_list
from ui.content import theory_tabs
from ui.form import config_sidebar, show_problems
from ui.live import LiveState, View, live_panel
from ui.widgets import lazy_expander

SWEEP_LABEL = ":material/science: Sweep: how does a setting change learning, across seeds?"


class Page:
    """Head and tail shared by every architecture page."""

    def __init__(self, slug: str, config: type[Config] | None = None,
                 trainer: type[Trainer] | None = None, *, title: str | None = None,
                 caption: str = "", presets: Sequence[Preset] = (),
                 experiments: Sequence[Preset] = (),
                 diagram: Callable[[Config], str] | None = None,
                 code: Callable[[Config], Sequence[Any]] | Sequence[Any] = (),
                 extra_keys: Sequence[str] = ()):
        ensure_navigated()
        process.setup()  # once per process: one torch thread, one BLAS thread
        declared = DECLARED.get(slug)
        if config is None or trainer is None:  # the family's declaration names them
            if declared is None:
                raise ValueError(f"Expect a family declared in core/{slug}/family.py, or the "
                                 "config and trainer classes given")
            config, trainer = declared.classes()
        title = title or (declared.title if declared is not None else slug)
        self.slug, self.config_cls, self.trainer_cls = slug, config, trainer
        self.presets, self.experiments = list(presets), list(experiments)
        self.diagram, self.code, self.extra_keys = diagram, code, tuple(extra_keys)
        self.theory = (declared.theory if declared is not None
                       else Path(inspect.getfile(config)).with_name("theory.md"))
        self.cfg: Config | None = None
        self.run: RunSettings = RunSettings()
        self.problems: list[str] = []
        # the family's icon from the registry: a Material Symbol, drawn from a font Streamlit
        # ships (an emoji is a box where the student's machine has no emoji font)
        icon = declared.icon if declared is not None else ""
        st.title(f"{icon} {title}".strip())
        st.caption(caption)

    def sidebar(self) -> tuple[Config, RunSettings, list[str]]:
        """The form: returns (config, run settings, problems); ``problems`` may be appended to."""
        self.cfg, self.run, self.problems = config_sidebar(
            self.config_cls, self.slug, presets=self.presets, extra_keys=self.extra_keys)
        if not self.problems:  # class mode's caps (none when it is off)
            self.problems += caps_problems(self.cfg, self.trainer_cls)
        return self.cfg, self.run, self.problems

    def body(self, draw: Callable[[View], None], *,
             controls: Callable[[LiveState], None] | None = None,
             make: Callable[[Config, int], Trainer] | None = None,
             data_key: Any = None) -> LiveState | None:
        """Problems or the live panel, then the experiments and the seven sections."""
        assert self.cfg is not None, "call page.sidebar() first"
        s = None
        if not self.problems and make is not None and self.cfg.uploaded():
            self.problems += caps_problems(self.cfg, self.trainer_cls, make=make,
                                           data_key=data_key)  # with the upload, once given
        if self.problems:
            show_problems(self.problems)
        else:
            s = live_panel(self.slug, self.trainer_cls, self.cfg, self.run, draw=draw,
                           controls=controls, make=make, data_key=data_key)
            self._sweep()
        if self.experiments:
            experiments_list(self.slug, self.config_cls, self.experiments, self.run.seed)
        st.divider()
        code = self.code(self.cfg) if callable(self.code) else self.code
        diagram = self.diagram(self.cfg) if self.diagram and not self.problems else None
        theory_tabs(self.theory, diagram=diagram, code=code)
        return s

    def _sweep(self) -> None:
        box = lazy_expander(SWEEP_LABEL, f"_sweep_open_{self.slug}",
                            open_for=st.query_params.get("sweep")
                            or st.session_state.get(f"_sweep_{self.slug}"))
        if box is not None:
            from ui.sweep import sweep_panel  # its engine and SQLAlchemy load on first open
            with box:
                sweep_panel(self.slug, self.config_cls, self.trainer_cls, self.cfg, self.run)
