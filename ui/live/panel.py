"""The live training panel a page calls: controls, the ticking fragment, save/load.

::

    live_panel("autoencoder", AETrainer, cfg, run, draw=draw)

``draw(view)`` is the page's figure code (Streamlit calls on figure builders); the panel calls
it inside the ticking fragment (``ui.live.ticker``), which runs one tick of training
(``core.live.tick``, the same function the bench and the tests run) and redraws from the
newest snapshot, every tick while playing.
"""
from __future__ import annotations

from typing import Any, Callable

from core import live
from core.config import Config, needs_rebuild
from core.process import warm_torch
from core.run import RunSettings
from core.training import Trainer
from ui.lesson import maker as lesson_maker
from ui.live import controls as buttons
from ui.live import saveload
from ui.live.classmode import Off, hooks
from ui.live.state import LiveState, View, state
from ui.live.ticker import ticker


def _sync(s: LiveState, mode: Off, trainer_cls: type[Trainer],
          make: Callable[[Config, int], Trainer], cfg: Config, seed: int,
          data_key: Any) -> None:
    """Make the trainer match the settings: rebuild, or take live changes in place."""
    with s.lock:
        t = s.trainer
        if (t is None or not isinstance(t, trainer_cls) or t.seed != seed
                or needs_rebuild(t.config, cfg) or s.data_key != data_key):
            s.trainer = mode.fit(make(cfg, seed))
            s.trainer.record_snapshot(force=True)
            s.ticks = 0
            s.recent.clear()
            s.data_key = data_key
        elif t.config != cfg:
            t.apply_live(cfg)
            if t.diverged is None:
                t.record_snapshot(force=True)


def live_panel(page: str, trainer_cls: type[Trainer], cfg: Config, settings: RunSettings,
               draw: Callable[[View], None], *,
               controls: Callable[[LiveState], None] | None = None,
               make: Callable[[Config, int], Trainer] | None = None,
               data_key: Any = None) -> LiveState:
    """Controls, live status and figures for one page's trainer. Returns the page's state.

    ``controls(state)`` may add page-specific buttons to the control row (they must
    change the trainer under ``state.lock``). ``make(cfg, seed)`` builds the trainer when the
    page has more to give it than the config (an uploaded dataset); ``data_key`` names that
    extra input, and a new key rebuilds the trainer.
    """
    s = state(page)
    mode = hooks()
    _sync(s, mode, trainer_cls, make or (lambda c, seed: trainer_cls(c, seed=seed)), cfg,
          settings.seed, data_key)
    if not s.playing:
        # before the buttons: Step carries the step it is drawn at, and a Pause that ends an
        # update left half done must not draw it one step behind (its first click was lost)
        live.settle(s.trainer, s.lock)
    buttons.row(page, s, controls, mode)
    ticker(page, s, settings.tick, mode, draw)
    saveload.box(page, s, trainer_cls, cfg, settings, mode)
    lesson_maker(page, cfg, settings.seed)
    warm_torch(background=True)
    return s
