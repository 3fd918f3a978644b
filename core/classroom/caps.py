"""Class mode: what one session may use when a whole class shares one server.

One setting turns it on: ``ARCHLAB_CLASS=1`` in the environment of the server (the class
launcher sets it). Off (unset or ``0``), nothing here changes the app. On, the app

- refuses settings past the caps below, with a message naming the cap and the fix
  (:func:`caps_problems`, shown by the page like any other problem: no model is built);
- keeps shorter histories and timelines, allows ``max_sweeps`` running sweeps per session and
  uploads of at most ``upload_mb`` MB;
- hides error details from students (they get an error id to tell the teacher; the log has
  the traceback under that id);
- pauses a session nobody has touched for ``idle_stop_s`` and frees its timeline;
- shrinks a tick's training budget when a crowd slows the drawing, so every session keeps
  redrawing (:mod:`core.classroom.fair`).

Every cap can be overridden from the environment: ``ARCHLAB_CLASS_<FIELD>``, e.g.
``ARCHLAB_CLASS_MAX_PARAMS=1000000``. The defaults are the largest preset or experiment of any
page rounded up (tests/test_classmode.py checks that every one of them stays allowed): a cap
stops the sliders' extremes (a 6-layer encoder-decoder transformer with d_model 256 and d_ff
1024 has 11.1 M parameters, 160 times the default's 68 k), not a lesson.

Parameters are counted on a throwaway trainer built (not trained) once per configuration.
"""
from __future__ import annotations

import dataclasses
import functools
import os
import random
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

__all__ = ["ClassSettings", "settings", "reload", "caps_problems", "count_params",
           "upload_limit_bytes", "upload_problem", "snapshot_bytes"]


@dataclass(frozen=True)
class ClassSettings:
    """The class-mode switch and its caps (read once from the environment by :func:`settings`).

    Attributes:
        enabled: class mode on (``ARCHLAB_CLASS=1``).
        max_params: trainable parameters of a model (all its networks together).
        max_tokens: batch size × sequence length of one step (transformer, recurrent pages).
        max_step_gflop: their work per step, about 6 × parameters × tokens floating-point
            operations (forward and backward), in billions.
        max_rl_samples: samples through the networks per RL update (PPO: epochs × rollout;
            A2C: the rollout; DQN, DDPG: gradient steps × batch size).
        max_envs: parallel RL environments.
        max_history_points: points kept per metric (the charts draw at most 500).
        max_timeline: snapshots kept on the timeline.
        max_sweeps: sweeps running at once per session; ``sweep_workers`` processes each.
        upload_mb: largest uploaded file, every uploader.
        idle_stop_s: a playing session without a click for this long pauses itself.
        fair_target_s: seconds between redraws a playing session aims at: its tick's
            training shrinks while redraws come slower than that
            (:class:`core.classroom.fair.Steer`); ``fair_floor_s`` is the least a tick trains.
        tick_interval_s: the least time between the starts of a playing page's ticks. Ticks
            are asked for once drawn (``ui.pacer``), so at most one is queued per student;
            this bound keeps a class of quick browsers from asking for 20 ticks a second each
            (when the browser asked on a timer, 600 requests a second for a class of thirty
            starved the replicas in the class load test).
        switch_interval_ms: the interpreter's thread switch interval in a class replica
            (``sys.setswitchinterval``; Python's default is 5 ms). Every session is a thread
            of one process, and a small model's training is thousands of tiny torch calls,
            each of which lets go of the interpreter lock and must then wait for it: up to a
            whole switch interval while a drawing thread runs Python. With thirty students
            that wait, not arithmetic, set how long a tick took (see the README's class
            capacity table for the measured effect).
        hide_errors: students see an error id, not the exception's text.
        replica: this server's name (``ARCHLAB_REPLICA``), shown with the server's load.
    """

    enabled: bool = False
    max_params: int = 500_000
    max_tokens: int = 4_096
    max_step_gflop: float = 7.5
    max_rl_samples: int = 12_288
    max_envs: int = 16
    max_history_points: int = 1_000
    max_timeline: int = 30
    max_sweeps: int = 1
    sweep_workers: int = 1
    upload_mb: int = 10
    idle_stop_s: float = 600.0
    fair_target_s: float = 0.8
    fair_floor_s: float = 0.02
    tick_interval_s: float = 0.5
    switch_interval_ms: float = 0.1
    hide_errors: bool = True
    replica: str = ""


def _parse(name: str, kind: type, raw: str) -> Any:
    try:
        if kind is bool:
            low = raw.strip().lower()
            if low not in ("0", "1", "true", "false", "yes", "no", "on", "off"):
                raise ValueError
            return low in ("1", "true", "yes", "on")
        return kind(float(raw)) if kind is int else kind(raw)
    except ValueError:
        raise ValueError(f"Expect a {kind.__name__} in {name}, actually {raw[:40]!r}") from None


@functools.lru_cache(maxsize=1)
def settings() -> ClassSettings:
    """Class mode's settings, read from the environment on first use (see :func:`reload`)."""
    env = os.environ
    values: dict[str, Any] = {"enabled": _parse("ARCHLAB_CLASS", bool,
                                                env.get("ARCHLAB_CLASS", "0") or "0"),
                              "replica": env.get("ARCHLAB_REPLICA", "")}
    for f in dataclasses.fields(ClassSettings):
        name = f"ARCHLAB_CLASS_{f.name.upper()}"
        if f.name not in ("enabled", "replica") and env.get(name):
            values[f.name] = _parse(name, type(f.default), env[name])
    return ClassSettings(**values)


def reload() -> ClassSettings:
    """Read the environment again (tests that switch class mode on and off)."""
    settings.cache_clear()
    return settings()


# ---- caps ---------------------------------------------------------------------------------
def _mega(n: int) -> str:
    return f"{n / 1e6:.1f} M" if n >= 1e6 else f"{n:,}"


def _size_fix(cfg: Any) -> str:
    """The settings that make this family's model smaller (the first two its declaration
    names, ``Family.size_fields``), by label."""
    from core.config import specs
    from core.families import config_family
    labels = {s.name: s.label for s in specs(type(cfg))}
    fam = config_family(type(cfg))
    names = [n for n in (fam.size_fields if fam else ()) if n in labels]
    return " or ".join(labels[n] for n in names[:2]) if names else "the model's size"


_COUNTS: dict[tuple, int | None] = {}


def _count_cached(trainer_cls: type, cfg: Any, make: Callable | None, data_key: Any) -> int | None:
    """:func:`count_params` once per (trainer, settings but the live ones, data key)."""
    live = {f.name: f.default for f in dataclasses.fields(cfg) if f.metadata.get("live")}
    key = (trainer_cls, dataclasses.replace(cfg, **live), data_key)
    if key not in _COUNTS:
        if len(_COUNTS) > 512:
            _COUNTS.clear()
        _COUNTS[key] = count_params(trainer_cls, cfg, make)
    return _COUNTS[key]


def count_params(trainer_cls: type, cfg: Any,
                 make: Callable[[Any, int], Any] | None = None) -> int | None:
    """Trainable parameters of the model(s) ``trainer_cls(cfg)`` trains, counted on a
    throwaway trainer (built, never trained; the global random states are restored after).

    Not on PyTorch's ``meta`` device: that would be free, but the data a build loads is
    cached process-wide (the Cora graph, the digits' PCA), and a cache filled during a meta
    build would hand tensors without data to every later session. A build costs 1-40 ms for
    every preset and up to a few hundred ms at the sliders' maxima, once per configuration.
    None: the trainer cannot be built from ``cfg`` alone (it needs an upload not given yet)."""
    import torch
    build = make or (lambda c, seed: trainer_cls(c, seed=seed))
    state = random.getstate(), np.random.get_state()
    try:
        with torch.random.fork_rng(devices=[]):
            try:
                t = build(cfg, 0)
            except (ValueError, TypeError, RuntimeError, NotImplementedError):
                return None
        seen: set[int] = set()
        n = 0
        for m in t.modules().values():
            for p in m.parameters():
                if id(p) not in seen and p.requires_grad:
                    seen.add(id(p))
                    n += p.numel()
        return n
    finally:
        random.setstate(state[0])
        np.random.set_state(state[1])


def _step_cost(cfg: Any) -> Any:
    """What one step of ``cfg`` costs, as its family declares (``Family.step_cost``)."""
    from core.families import config_family
    fam = config_family(type(cfg))
    return fam.step_cost(cfg) if fam is not None and fam.step_cost is not None else None


def caps_problems(cfg: Any, trainer_cls: type, *, make: Callable[[Any, int], Any] | None = None,
                  data_key: Any = None, caps: ClassSettings | None = None) -> list[str]:
    """What in ``cfg`` goes past class mode's caps, each naming the cap and the fix.

    Empty when class mode is off. ``make``/``data_key``: how the page builds its trainer when
    it has more to give it than the config (an upload) and what names that input; without
    ``make``, the parameters of settings that need an upload are not counted.
    """
    c = caps or settings()
    if not c.enabled:
        return []
    out = []
    n = (_count_cached(trainer_cls, cfg, make, data_key)
         if make is not None or not cfg.uploaded() else None)
    if n is not None and n > c.max_params:
        out.append(f"In class mode a model has at most {c.max_params:,} parameters; this one "
                   f"has {_mega(n)}: lower {_size_fix(cfg)}.")
    cost = _step_cost(cfg)
    tok = (cost.amount, cost.what) if cost is not None and cost.kind == "tokens" else None
    if tok is not None and tok[0] > c.max_tokens:
        out.append(f"In class mode a training step reads at most {c.max_tokens:,} tokens; this "
                   f"one reads {tok[0]:,} ({tok[1]}): lower the batch size or the length.")
    elif (tok is not None and n is not None and n <= c.max_params  # one message at a time
          and 6 * n * tok[0] > c.max_step_gflop * 1e9):
        out.append(f"In class mode a training step does at most about {c.max_step_gflop:g} "
                   f"GFLOP (6 × parameters × tokens); this one does "
                   f"{6 * n * tok[0] / 1e9:.1f} ({n:,} parameters × {tok[0]:,} tokens): lower "
                   f"{_size_fix(cfg)}, the batch size or the length.")
    rl = (cost.amount, cost.what) if cost is not None and cost.kind == "samples" else None
    if rl is not None and rl[0] > c.max_rl_samples:
        out.append(f"In class mode an update trains on at most {c.max_rl_samples:,} samples; "
                   f"this one trains on {rl[0]:,} ({rl[1]}): lower one of them.")
    envs = getattr(cfg, "n_envs", None)
    if envs is not None and envs > c.max_envs:
        out.append(f"In class mode a run has at most {c.max_envs} parallel environments, not "
                   f"{envs}: lower Parallel environments.")
    return out


# ---- uploads, memory ----------------------------------------------------------------------
def upload_limit_bytes(own_bytes: int, caps: ClassSettings | None = None) -> int:
    """An uploader's limit: its own, or class mode's ``upload_mb`` when that is lower."""
    c = caps or settings()
    return min(own_bytes, c.upload_mb * 10**6) if c.enabled else own_bytes


def upload_problem(size: int, caps: ClassSettings | None = None) -> str | None:
    """The message for a file past class mode's upload limit (None: within it, or mode off)."""
    c = caps or settings()
    if c.enabled and size > c.upload_mb * 10**6:
        return (f"The file is {size / 1e6:.1f} MB; in class mode an upload is at most "
                f"{c.upload_mb:g} MB. Upload a smaller file.")
    return None


def snapshot_bytes(obj: Any, seen: set[int] | None = None) -> int:
    """Bytes of the numpy arrays (and tensors) inside snapshots: dataclasses, dicts, lists.

    An array met twice (several snapshots sharing one, a view of another) counts once, so
    the total is what letting all of them go can give back; pass one ``seen`` set across
    several calls to count a whole timeline."""
    seen = set() if seen is None else seen
    if isinstance(obj, np.ndarray):
        base = obj if obj.base is None or not isinstance(obj.base, np.ndarray) else obj.base
        if id(base) in seen:
            return 0
        seen.add(id(base))
        return base.nbytes
    if hasattr(obj, "untyped_storage") and hasattr(obj, "element_size"):  # a tensor
        key = obj.untyped_storage().data_ptr()
        if key in seen:
            return 0
        seen.add(key)
        return obj.untyped_storage().nbytes()
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return sum(snapshot_bytes(getattr(obj, f.name), seen) for f in dataclasses.fields(obj))
    if isinstance(obj, dict):
        return sum(snapshot_bytes(v, seen) for v in obj.values())
    if isinstance(obj, (list, tuple)):
        return sum(snapshot_bytes(v, seen) for v in obj)
    if isinstance(obj, (str, bytes)):
        return len(obj)
    return 0
