"""The live training panel: controls, the ticking fragment, timeline, save/load, sharing.

A page calls::

    live_panel("autoencoder", AETrainer, cfg, run, draw=draw)

``draw(view)`` is the page's figure code (Streamlit calls on figure builders); the panel calls
it inside an ``st.fragment`` that re-runs every tick while playing. Each tick trains for the
speed's budget (``Trainer.tick``) and redraws from the newest snapshot; while paused a timeline
slider picks any kept snapshot and every figure redraws from that moment.

The trainer lives in ``st.session_state`` (one per session and page, never shared) with a lock
beside it: a full rerun may start while a tick is still training.

In class mode (core.classroom) a tick's budget shrinks when drawing slows (core.fair), the
status row says how loaded the server is, and a session playing with nobody touching it for
``idle_stop_s`` pauses itself and lets its timeline go (:func:`idle_stop`).
"""
from __future__ import annotations

import dataclasses
import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Callable

import streamlit as st

from core import classroom, compare, fair
from core.config import Config, needs_rebuild, specs, to_dict
from core.imports import settled
from core.training import Trainer, WrongCheckpoint, warm_up
from ui import deferred, pacer
from ui.errors import guard
from ui.identity import owner
from ui.interrupt import click_pending
from ui.lesson import maker as lesson_maker
from ui.runs import save as save_run
from ui.runs import store
from core.run import RunSettings
from ui.widgets import lazy_expander, set_value, share_link



@dataclass
class LiveState:
    """What one page keeps per session: the trainer, its lock and the play state."""

    trainer: Trainer | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)
    playing: bool = False
    ticks: int = 0
    recent: deque = field(default_factory=lambda: deque(maxlen=12))  # (time, step)
    message: str | None = None
    data_key: Any = None  # identifies user data (an upload) the trainer was built on
    last_input: float | None = None  # class mode: clock() at the last click seen (idle stop)
    poke: int | None = None  # a digest of the session's widget values at that click
    # class mode's fair budget (core.fair) and when the last tick's training began
    steer: fair.Steer = field(default_factory=fair.Steer)
    tick_at: float | None = None  # perf_counter()


@dataclass
class View:
    """What ``draw`` gets: the trainer and the moment to draw."""

    trainer: Trainer
    snapshot: dict[str, Any] | None
    step: int
    live: bool
    playing: bool
    tick: int

    @property
    def upto(self) -> int | None:
        """History cut-off: None when live, the snapshot's step when scrubbing back."""
        return None if self.live else self.step

    def history(self, names: list[str] | None = None, max_points: int = 400) -> dict:
        return self.trainer.history.long_format(names, upto=self.upto, max_points=max_points)

    def below_fold(self, key: str) -> bool:
        """Whether to draw the figures under the first screen in this frame: always while
        playing, and on a session's first frame of a page once the browser has drawn those
        above (``ui.deferred``), so the first screen is not kept waiting for them."""
        return self.playing or deferred.shown(key)


def state(page: str) -> LiveState:
    key = f"_live_{page}"
    if key not in st.session_state:
        st.session_state[key] = LiveState()
    return st.session_state[key]


#: the clock of the idle stop (tests replace it)
clock: Callable[[], float] = time.monotonic


def fit_class(t: Trainer) -> Trainer:
    """In class mode, the shorter history and timeline a class-mode session keeps."""
    caps = classroom.settings()
    if caps.enabled:
        t.history.cap = min(t.history.cap, caps.max_history_points)
        t.timeline.cap = min(t.timeline.cap, caps.max_timeline)
    return t


def _build(s: LiveState, make: Callable[[Config, int], Trainer], cfg: Config, seed: int) -> None:
    s.trainer = fit_class(make(cfg, seed))
    s.trainer.record_snapshot(force=True)
    s.ticks = 0
    s.recent.clear()


def _sync(s: LiveState, trainer_cls: type[Trainer], make: Callable[[Config, int], Trainer],
          cfg: Config, seed: int, data_key: Any) -> None:
    """Make the trainer match the settings: rebuild, or take live changes in place."""
    with s.lock:
        t = s.trainer
        if (t is None or not isinstance(t, trainer_cls) or t.seed != seed
                or needs_rebuild(t.config, cfg) or s.data_key != data_key):
            _build(s, make, cfg, seed)
            s.data_key = data_key
        elif t.config != cfg:
            t.apply_live(cfg)
            if t.diverged is None:
                t.record_snapshot(force=True)


# Button callbacks carry the intent they were drawn with ("play", "step from 41"), never a
# toggle: while a page ticks, Streamlit can deliver one click to two runs, and a toggle would
# then pause and immediately resume (seen in chromium: Pause did nothing).
def _set_playing(page: str, playing: bool) -> None:
    s = state(page)
    # only a real change resets: a Play click delivered twice must not reset a playing session
    if s.playing != playing:
        s.recent.clear()  # steps/s counts only time spent playing
        s.tick_at = None
        s.steer.reset()
    s.playing = playing
    s.message = None
    s.last_input = clock()
    if not playing:
        fair.REGISTRY.stop(id(s))


def train_action(s: LiveState, from_step: int, action: Callable[[Trainer], Any]) -> None:
    """Body of a training button's callback (Step, a page's "D only"...): pause, then run
    ``action(trainer)`` under the lock, once, even when Streamlit delivers the click twice
    (the button was drawn at ``from_step``; a second delivery finds the trainer past it)."""
    s.playing = False
    if s.trainer is not None:
        with s.lock:
            if s.trainer.step == from_step:
                action(s.trainer)
                s.trainer.record_snapshot(force=True)


def _one_step(page: str, from_step: int) -> None:
    train_action(state(page), from_step, lambda t: t.run_steps(1))


def reset(page: str) -> None:
    """Drop the page's trainer (it is rebuilt from the settings at step 0) and pause."""
    s = state(page)
    with s.lock:
        s.trainer = None
    s.playing = False
    s.message = None
    fair.REGISTRY.stop(id(s))


def _pin(page: str) -> None:
    s = state(page)
    if s.trainer is None:
        return
    pinned = st.session_state.setdefault("_pinned", [])
    t = s.trainer
    last = pinned[-1] if pinned else None
    if last and (last["page"], last["step"], last["seed"], last["config"]) == (
            page, t.step, t.seed, to_dict(t.config)):
        return  # the same moment of the same run pinned twice (a click delivered twice)
    # numbered among all this browser's kept runs of the page (a reload or another tab
    # numbered from 1 again, so two runs could both be "#1" on the Compare page)
    db = store()
    kept = db.list_runs(owner(), family=page, history=False, limit=10_000) if db else []
    n = max(len(kept), sum(r["page"] == page for r in pinned)) + 1
    with s.lock:
        rec = compare.pin(f"{page} #{n} (step {s.trainer.step})", page, s.trainer)
    rid, why = save_run(rec, owner())
    rec["id"] = rid
    pinned.append(rec)
    del pinned[:-12]  # this tab's copies stay bounded; the store keeps every pinned run
    s.message = (f"Pinned as run #{n}: open Compare runs in the sidebar." if rid else
                 f"Pinned as run #{n} in this tab only: {why}")


def _steps_per_s(s: LiveState) -> float:
    if len(s.recent) < 2:
        return 0.0
    (t0, k0), (t1, k1) = s.recent[0], s.recent[-1]
    return (k1 - k0) / (t1 - t0) if t1 > t0 else 0.0


def live_panel(page: str, trainer_cls: type[Trainer], cfg: Config, settings: RunSettings,
               draw: Callable[[View], None], *,
               controls: Callable[[LiveState], None] | None = None,
               make: Callable[[Config, int], Trainer] | None = None,
               data_key: Any = None) -> LiveState:
    """Controls, live status and figures for one page's trainer. Returns the page's state.

    ``controls(state)`` may add page-specific buttons to the control row (they must mutate the
    trainer under ``state.lock``). ``make(cfg, seed)`` builds the trainer when the page has
    more to give it than the config (an uploaded dataset); ``data_key`` names that extra input,
    and a new key rebuilds the trainer.
    """
    s = state(page)
    _sync(s, trainer_cls, make or (lambda c, seed: trainer_cls(c, seed=seed)), cfg,
          settings.seed, data_key)
    speed = settings.tick
    t = s.trainer
    assert t is not None

    c = st.columns([1.2, 1, 1, 1.2, 3])
    c[0].button("❚❚ Pause" if s.playing else "▶ Play", key=f"_play_{page}", type="primary",
                on_click=_set_playing, args=(page, not s.playing), width="stretch",
                disabled=t.diverged is not None)
    c[1].button("Step", key=f"_step_{page}", on_click=_one_step, args=(page, t.step),
                help="Train exactly one step, then pause.", width="stretch",
                disabled=t.diverged is not None)
    c[2].button("Reset", key=f"_reset_{page}", on_click=reset, args=(page,),
                help="New weights from the seed; training starts again at step 0.",
                width="stretch")
    c[3].button("Pin run", icon=":material/push_pin:", key=f"_pin_{page}", on_click=_pin, args=(page,),
                help="Keep a copy of this run's curves and settings for the Compare page.",
                width="stretch")
    if controls is not None:
        with c[4]:
            controls(s)

    if s.message:
        st.info(s.message)
        s.message = None
    ticking = s.playing and t.diverged is None
    # ticks come from the browser's ack (ui.pacer); the timer is the fallback for a lost one
    fallback = max(pacer.FALLBACK_S, _interval(speed)) if ticking else None

    drawn = (s.playing, t)   # what the controls above were drawn for

    @st.fragment(run_every=fallback)
    def ticker() -> None:
        t0 = time.perf_counter()
        tr = s.trainer
        if (s.playing, tr) != drawn:
            # a control outside the fragment (Pause, Step, Reset) took effect in a fragment
            # run: seen in chromium when a click and the pacer's ack went out as one message.
            # The controls, and the timer, are only redrawn by a full run.
            st.rerun(scope="app")
        if tr is None:
            return
        if not s.playing and tr.pending:  # paused inside a long step (an RL update): end it
            with s.lock:
                tr.finish_step()
                tr.record_snapshot()
        latest = tr.timeline.latest()
        if not s.playing and not tr.pending and (latest is None or latest[0] != tr.step):
            # paused after a tick a click cut short (it took no snapshot): the figures show
            # the model at the step the counter shows (a snapshot costs 1-11 ms)
            with s.lock:
                tr.record_snapshot(force=True)
        if s.playing and tr.diverged is None:
            if idle_stop(s):
                st.rerun(scope="app")  # stop the timer; the message shows on the full run
            _train(s, tr, _fair(s, speed))
            s.ticks += 1
            s.recent.append((time.perf_counter(), tr.step))
            if tr.diverged is not None:
                s.playing = False
                st.rerun(scope="app")  # stop the timer; the message shows on the full run
        _status(s, tr)
        view = _view(page, s, tr)
        with guard("drawing the figures"):
            settled()  # a module another session is importing is complete before figures use it
            draw(view)
        # last: the browser acks once everything above is drawn, and not before the interval
        pacer.pace(f"_pace_{page}", s.ticks, _interval(speed) - (time.perf_counter() - t0),
                   armed=s.playing and tr.diverged is None)

    ticker()
    _save_load(page, s, trainer_cls, cfg, settings)
    lesson_maker(page, cfg, settings.seed)
    warm_up()
    return s


#: the lock is taken for slices this long, so a callback waiting for it waits at most this
SLICE_S = 0.05


def _interval(speed: Any) -> float:
    """Seconds between the ticks the browser asks for: the speed's, and in class mode at
    least ``tick_interval_s`` (each ask is a request the server reads, tick running or not)."""
    caps = classroom.settings()
    return max(speed.interval_s, caps.tick_interval_s) if caps.enabled else speed.interval_s


def _fair(s: LiveState, speed: Any) -> Any:
    """The speed of this tick: in class mode its budget steers the session's period between
    redraws to the class's target, so the session keeps redrawing in a crowd (core.fair).
    The period includes the pause the page asks the browser for (``_interval``); the class's
    tick interval (0.5 s) is shorter than the target (0.8 s), so that pause alone never drives
    the budget down."""
    if not classroom.settings().enabled:
        return speed
    fair.REGISTRY.tick(id(s))
    now = time.perf_counter()
    period = None if s.tick_at is None else now - s.tick_at
    s.tick_at = now
    return dataclasses.replace(speed, budget_s=s.steer.budget(speed, period))


def _poke() -> int:
    """A digest of the session's plain widget values: it changes when the student acts."""
    plain = (bool, int, float, str, type(None))
    return hash(tuple(sorted((k, v) for k, v in st.session_state.items()
                             if isinstance(v, plain))))


def idle_stop(s: LiveState, poke: int | None = None) -> bool:
    """Class mode: pause a session that has played for ``idle_stop_s`` without a click, and
    let its timeline go (all but the newest moment). The model, its optimiser, the curves
    and the settings (in the link) stay, so Play carries on exactly where it stopped.
    Returns True when it paused; ``s.message`` then says so, with the memory let go.
    ``poke``: the widget digest (default: read from the session, :func:`_poke`)."""
    caps = classroom.settings()
    if not caps.enabled or s.trainer is None:
        return False
    now, poke = clock(), _poke() if poke is None else poke
    if s.last_input is None or poke != s.poke:
        s.last_input, s.poke = now, poke
        return False
    if now - s.last_input < caps.idle_stop_s:
        return False
    with s.lock:
        items, seen = s.trainer.timeline.items, set()
        classroom.snapshot_bytes(items[-1:], seen)  # what the kept moment shares stays
        freed = classroom.snapshot_bytes(items[:-1], seen)
        del items[:-1]
    s.playing = False
    fair.REGISTRY.stop(id(s))
    n, unit = ((caps.idle_stop_s / 60, "minute") if caps.idle_stop_s % 60 == 0
               else (caps.idle_stop_s, "second"))
    s.message = (f"Paused after {n:g} {unit}{'s' if n != 1 else ''} without a click, to "
                 f"leave the server to the others; press Play to carry on. Your model, its "
                 f"curves and settings are kept; the timeline's older moments "
                 f"({freed / 1e6:.1f} MB) were let go.")
    return True


def _train(s: LiveState, t: Trainer, speed: Any,
           stop: Callable[[], bool] = click_pending) -> int:
    """One tick of training: ``speed.budget_s`` in slices of :data:`SLICE_S` with the lock
    taken per slice, ending at the first step boundary after ``stop()`` turns True, then a
    snapshot when one is due. A step written in parts (an RL update) may be cut at the
    deadline only while the tick has ended no step, so a tick ends either inside its first
    step (left pending for the next tick, nothing new to snapshot) or on a boundary. A tick
    a click cut short takes none: the run the click asked for then draws the moment already
    on the screen, and the browser, which remounts every plotly chart whose figure changed,
    shows "paused" without drawing them all again (graph page, median Pause 1.55 s before
    this, 1.06 s after). Returns the steps trained."""
    t_end = time.perf_counter() + speed.budget_s
    left = speed.max_steps
    done = 0
    while t.diverged is None and s.trainer is t and not stop():
        if done and not t.fits(t_end):
            break  # a tick that ended a step ends on its boundary (core.training.Trainer.fits)
        with s.lock:
            res = t.run_for(min(SLICE_S, max(t_end - time.perf_counter(), 0.0)),
                            max_steps=left, stop=stop, cut=not done)
        done += res.steps
        if left is not None:
            left -= res.steps
        if (res.steps == 0 and not res.pending) or (left is not None and left <= 0) \
                or time.perf_counter() >= t_end:
            break
    if not stop():
        with s.lock:
            t.record_snapshot()
    return done


def _status(s: LiveState, t: Trainer) -> None:
    cols = st.columns(4)
    unit = getattr(t, "step_unit", "")  # what one step is, when not one batch (RL: an update)
    cols[0].metric("Step", f"{t.step:,} {unit}".strip(),
                   help=getattr(t, "step_help", None) or "Training steps so far.")
    cols[1].metric("Steps / s", f"{_steps_per_s(s):,.0f}" if s.playing else "–",
                   help="Training steps per second of wall time in this page, drawing included.")
    cols[2].metric("Training time", f"{t.train_seconds:.1f} s")
    cols[3].metric("State", t.diverged.state if t.diverged else
                   ("training" if s.playing else "paused"))
    if classroom.settings().enabled:
        st.caption(fair.load().sentence())
    if t.in_parts and s.playing:  # always drawn while playing: a line that came and went
        # would move every chart below it, and the browser would plot them all again
        st.caption(f"Update {t.step + 1:,} in progress: {t.progress}." if t.pending else
                   f"Update {t.step:,} done; a crowded server spreads one over several ticks.")
    if t.diverged is not None:
        st.error(t.diverged.message() + " The figures below show the last good moments: use "
                 "the timeline to inspect them.", icon=":material/report:")


def _view(page: str, s: LiveState, t: Trainer) -> View:
    # The timeline's slot is there while playing too, empty: an element that appears above
    # the figures moves them to new positions, and the browser then plots every chart below
    # it again from scratch (graph page: most of a 1.3 s Pause, on top of the last tick).
    slot = st.container()
    steps = t.timeline.steps()
    if s.playing or len(steps) < 2:
        latest = t.timeline.latest()
        snap = latest[1] if latest else None
        return View(t, snap, t.step, True, s.playing, s.ticks)
    moment = slot.select_slider(
        "Timeline: pick a moment of training to redraw every figure from it",
        options=steps, value=steps[-1], key=f"_moment_{page}_{len(steps)}_{steps[-1]}",
        format_func=lambda k: f"step {k:,}")
    snap = t.timeline.at(moment)
    return View(t, snap, moment, moment == steps[-1], False, s.ticks)


def _save_load(page: str, s: LiveState, trainer_cls: type[Trainer], cfg: Config,
               settings: RunSettings) -> None:
    t = s.trainer
    assert t is not None
    box = lazy_expander("Save, load and share this run", f"_save_open_{page}")
    if box is None:
        return
    with box:
        st.caption("This link rebuilds the same run (settings and seed):")
        st.code(share_link(cfg, settings.seed), language=None)
        cols = st.columns(3)

        def weights() -> bytes:
            with s.lock:
                return t.save_bytes()

        cols[0].download_button("Weights (.pt)", data=weights, file_name=f"{page}-step{t.step}.pt",
                                mime="application/octet-stream", key=f"_dl_pt_{page}",
                                on_click="ignore", width="stretch")
        cols[1].download_button("Config (.json)", file_name=f"{page}-config.json",
                                data=lambda: json.dumps(t.record(), indent=2),
                                mime="application/json", key=f"_dl_json_{page}",
                                on_click="ignore", width="stretch")
        cols[2].download_button("Metrics (.csv)", file_name=f"{page}-history.csv",
                                data=lambda: t.history.to_csv(), mime="text/csv",
                                key=f"_dl_csv_{page}", on_click="ignore",
                                width="stretch")
        st.file_uploader("Load weights saved from this page (.pt)", type=["pt"],
                         key=f"_upload_{page}", on_change=_load, args=(page, trainer_cls),
                         max_upload_size=classroom.upload_limit_bytes(50_000_000) // 10**6)
        said = st.session_state.pop(f"_load_said_{page}", None)  # right under the uploader
        if said is not None:
            (st.success if said[0] else st.error)(said[1])


def _load(page: str, trainer_cls: type[Trainer]) -> None:
    """Upload callback: restore a checkpoint, and put its settings into the widgets."""
    s = state(page)
    f = st.session_state.get(f"_upload_{page}")
    if f is None:
        return
    too_big = classroom.upload_problem(f.size)
    if too_big:
        st.session_state[f"_load_said_{page}"] = (False, too_big)
        return
    try:
        t = fit_class(trainer_cls.load_bytes(f.getvalue()))
    except (ValueError, RuntimeError, KeyError, TypeError) as e:
        st.session_state[f"_load_said_{page}"] = (False, refusal(f.name, e, trainer_cls))
        return
    with s.lock:
        s.trainer = t
        t.record_snapshot(force=True)
    s.playing = False
    for sp in specs(type(t.config)):
        set_value(sp, getattr(t.config, sp.name))
    st.session_state["seed"] = t.seed
    st.session_state[f"_load_said_{page}"] = (
        True, f"Loaded {f.name[:60]!r}: step {t.step:,}, {t.train_seconds:.1f} s of training.")


def _page_title(trainer_name: str) -> str | None:
    """The page whose trainer class is called ``trainer_name`` (None: no ArchLab page)."""
    import importlib

    from ui.registry import FAMILIES
    for fam in FAMILIES:
        try:
            mod = importlib.import_module(f"core.{fam.slug}.trainer")
        except Exception:  # noqa: BLE001 - a family without a trainer module yet
            continue
        if isinstance(getattr(mod, trainer_name, None), type):
            return fam.title
    return None


def refusal(name: str, error: Exception, trainer_cls: type[Trainer]) -> str:
    """What a student reads when a file is refused: what the file is not, in page names,
    never the loader's own text (PyTorch's advises turning safe loading off)."""
    shown = name if len(name) <= 60 else name[:57] + "…"
    family = getattr(error, "family", None)
    here = _page_title(trainer_cls.__name__) or "this"
    if family:
        there = _page_title(family)
        if there:
            return (f"{shown!r} is a checkpoint of the {there} page, not of the {here} page: "
                    f"open the {there} page and load it there.")
    if isinstance(error, WrongCheckpoint):
        return (f"{shown!r} is not an ArchLab checkpoint. Load a .pt file saved with the "
                "\"Weights (.pt)\" button of this page.")
    return (f"{shown!r} looks like a checkpoint of this page but does not fit it (it may come "
            "from an older version of ArchLab): it was not loaded.")
