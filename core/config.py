"""Hyperparameter schema: one declaration drives widgets, validation, URLs, records and presets.

Each family declares a frozen dataclass whose fields are made with :func:`param`. The metadata
of a field says everything a user interface or a URL needs to know about it::

    @dataclass(frozen=True)
    class AEConfig(Config):
        latent_dim: int = param(8, label="Latent size", help="...", min=2, max=16)
        lr: float = param(3e-3, label="Learning rate", help="...", min=1e-5, max=1.0,
                          scale="log", live=True)

        def problems(self) -> list[str]:          # cross-field checks, in plain words
            return []

From it come:

- ``specs(cls)``: the ordered :class:`ParamSpec` list the config form renders;
- ``validate(cfg)``: every problem at once, per-field ranges plus the class's own ``problems()``;
- ``to_query(cfg)`` / ``from_query(cls, params)``: the shareable URL (defaults stay out of it;
  bad values are clamped or ignored, each with a note, never an exception);
- ``to_dict`` / ``from_dict``: the run record saved beside weights;
- presets and experiments: named overrides, declared per family as :class:`Preset` lists.
"""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

__all__ = [
    "Config", "ParamSpec", "Preset", "param", "specs", "validate", "to_query", "from_query",
    "to_dict", "from_dict", "parse_value", "apply_overrides", "changed_fields", "fmt",
]

_SCALES = ("linear", "log")
_REPAIRS = ("clamp", "default")


def param(
    default: Any,
    *,
    label: str,
    help: str,
    min: float | None = None,
    max: float | None = None,
    step: float | None = None,
    choices: Iterable[Any] | None = None,
    scale: str = "linear",
    group: str = "Model",
    live: bool = False,
    visible_if: Mapping[str, Iterable[Any]] | None = None,
    above_max: str = "clamp",
) -> Any:
    """A dataclass field with the metadata the schema needs.

    Args:
        default: the default value; its type (bool, int, float, str) is the field's type.
        label: short widget label.
        help: one or two sentences a student can act on.
        min, max: inclusive numeric bounds.
        step: widget step for numbers.
        choices: allowed values (strings or numbers); the widget becomes a select box.
        scale: ``"log"`` for values spanning decades (learning rates).
        group: sidebar section ("Data", "Model", "Training"...).
        live: True when a running trainer can take the new value without a rebuild.
        visible_if: show the widget only when other fields take these values,
            e.g. ``{"variant": ("vae",)}``; hidden fields keep their value.
        above_max: what a link's value above ``max`` becomes: ``"clamp"`` (the maximum)
            or ``"default"``, for a field whose maximum is there to show a run failing (a
            learning rate that diverges), so that a repaired link trains. A value below
            ``min`` is always clamped.
    """
    if scale not in _SCALES:
        raise ValueError(f"Expect scale in {_SCALES}, actually {scale!r}")
    if above_max not in _REPAIRS:
        raise ValueError(f"Expect above_max in {_REPAIRS}, actually {above_max!r}")
    meta = dict(
        label=label, help=help, min=min, max=max, step=step,
        choices=tuple(choices) if choices is not None else None,
        scale=scale, group=group, live=live,
        visible_if={k: tuple(v) for k, v in (visible_if or {}).items()},
        above_max=above_max,
    )
    return field(default=default, metadata=meta)


@dataclass(frozen=True)
class ParamSpec:
    """Everything known about one hyperparameter, read from its field metadata."""

    name: str
    type: type
    default: Any
    label: str
    help: str
    min: float | None
    max: float | None
    step: float | None
    choices: tuple | None
    scale: str
    group: str
    live: bool
    visible_if: dict
    #: what a link's value above ``max`` becomes (see :func:`param`)
    above_max: str = "clamp"

    def visible(self, values: Mapping[str, Any]) -> bool:
        return all(values.get(k) in allowed for k, allowed in self.visible_if.items())


@dataclass(frozen=True)
class Config:
    """Base of every family's settings. Subclasses are frozen dataclasses made of ``param``."""

    def problems(self) -> list[str]:
        """Cross-field problems in plain words, each naming a fix. Override per family."""
        return []

    def uploaded(self) -> str | None:
        """The name of the user's own data these settings train on (an upload), or None.
        Runs that need it cannot be rebuilt elsewhere (a sweep's workers, a shared link)."""
        return None

    def replace(self, **changes: Any) -> "Config":
        return dataclasses.replace(self, **changes)


@dataclass(frozen=True)
class Preset:
    """A named configuration. Experiments add the question they answer and what to watch."""

    name: str
    overrides: dict
    question: str = ""
    watch: str = ""
    seed: int | None = None
    #: the test that checks what ``watch`` promises, "tests/<file>.py::<test function>"
    test: str = ""


def specs(cls: type[Config]) -> list[ParamSpec]:
    """The ordered field specs of a config class."""
    out = []
    for f in dataclasses.fields(cls):
        if "label" not in f.metadata:
            continue
        m = f.metadata
        out.append(ParamSpec(
            name=f.name, type=type(f.default), default=f.default, label=m["label"],
            help=m["help"], min=m["min"], max=m["max"], step=m["step"], choices=m["choices"],
            scale=m["scale"], group=m["group"], live=m["live"], visible_if=m["visible_if"],
            above_max=m.get("above_max", "clamp"),
        ))
    return out


def _spec_map(cls: type[Config]) -> dict[str, ParamSpec]:
    return {s.name: s for s in specs(cls)}


def fmt(x: Any) -> str:
    """A value as a person (and a URL) reads it: floats in their shortest ``%g`` form."""
    if isinstance(x, float):
        return f"{x:g}"
    return str(x)


_fmt = fmt


def _field_problem(s: ParamSpec, v: Any) -> str | None:
    if s.choices is not None and v not in s.choices:
        return f"{s.label} {_fmt(v)!s} is not one of {', '.join(map(_fmt, s.choices))}."
    if s.type in (int, float):
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            return f"{s.label} must be a number, not {v!r}."
        if not math.isfinite(v):
            return f"{s.label} must be a finite number, not {v}."
        if s.min is not None and v < s.min:
            return f"{s.label} {_fmt(v)} is below the minimum {_fmt(s.min)}."
        if s.max is not None and v > s.max:
            return f"{s.label} {_fmt(v)} is above the maximum {_fmt(s.max)}."
    return None


def validate(cfg: Config) -> list[str]:
    """Every problem with ``cfg`` at once, in plain words. Empty when the config is usable."""
    out = []
    for s in specs(type(cfg)):
        p = _field_problem(s, getattr(cfg, s.name))
        if p:
            out.append(p)
    if not out:  # cross-field checks may assume each field is in range
        out.extend(cfg.problems())
    return out


#: the longest text any field accepts from a link, a form or a record (a number needs ~25)
MAX_TEXT = 200


def shorten(raw: Any, n: int = 40) -> str:
    """``raw`` as a quoted string for a message, cut to about ``n`` characters."""
    text = raw if isinstance(raw, str) else str(raw)
    if len(text) <= n:
        return repr(text)
    return repr(text[:n]) + f"… ({len(text):,} characters)"


def parse_value(s: ParamSpec, raw: Any) -> Any:
    """Turn a raw value (a URL string, a JSON value) into the field's type.

    Raises ValueError with what was expected and what came; text longer than
    :data:`MAX_TEXT` is refused before it is parsed.
    """
    if isinstance(raw, (list, tuple)):
        raw = raw[-1] if raw else ""
    if isinstance(raw, str) and len(raw) > MAX_TEXT:
        raise ValueError(f"Expect at most {MAX_TEXT} characters for {s.label}, actually "
                         f"{shorten(raw)}")
    t = s.type
    if t is bool:
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in ("1", "true", "yes", "on"):
            return True
        if text in ("0", "false", "no", "off"):
            return False
        raise ValueError(f"Expect true or false for {s.label}, actually {shorten(raw)}")
    if t in (int, float):
        try:
            x = float(raw)
        except (TypeError, ValueError):
            raise ValueError(f"Expect a number for {s.label}, actually {shorten(raw)}") from None
        if not math.isfinite(x):
            raise ValueError(f"Expect a finite number for {s.label}, actually {shorten(raw)}")
        if t is int:
            if x != round(x):
                raise ValueError(f"Expect a whole number for {s.label}, actually {shorten(raw)}")
            return int(round(x))
        return x
    value = str(raw)
    if s.choices is not None:
        # choices may be numbers declared on a str field or the other way round
        for c in s.choices:
            if _fmt(c) == value:
                return c
    return value


def _clamp(s: ParamSpec, v: Any) -> tuple[Any, str | None]:
    if s.type not in (int, float):
        return v, None
    lo = s.min if s.min is not None else -math.inf
    hi = s.max if s.max is not None else math.inf
    c = min(max(v, lo), hi)
    if s.type is int:
        c = int(c)
    if v > hi and s.above_max == "default":
        return s.default, (f"{s.label} {_fmt(v)} is out of range [{_fmt(lo)}, {_fmt(hi)}]; "
                           f"using the default {_fmt(s.default)}, which trains (not the "
                           f"maximum {_fmt(hi)}: it is there to show a run diverging).")
    if c != v:
        return c, f"{s.label} {_fmt(v)} is out of range [{_fmt(lo)}, {_fmt(hi)}]; using {_fmt(c)}."
    return v, None


_DEFAULT = object()


def sanitize(s: ParamSpec, raw: Any, *, keep: Any = _DEFAULT) -> tuple[Any, str | None]:
    """(usable value, note) for a raw value; an unusable value falls back to the default, or
    to ``keep`` when given (the value in use before a student typed over it).

    >>> from core.run import RunSettings
    >>> seed = next(p for p in specs(RunSettings) if p.name == "seed")
    >>> sanitize(seed, "1.5", keep=7)
    (7, "Expect a whole number for Seed, actually '1.5'; kept 7.")
    >>> sanitize(seed, "200000")
    (99999, 'Seed 200000 is out of range [0, 99999]; using 99999.')
    """
    if isinstance(raw, (list, tuple)):  # a repeated URL parameter: the last one counts
        raw = raw[-1] if raw else ""
    instead = (f"using the default {_fmt(s.default)}" if keep is _DEFAULT
               else f"kept {_fmt(keep)}")
    fallback = s.default if keep is _DEFAULT else keep
    try:
        v = parse_value(s, raw)
    except ValueError as e:
        return fallback, f"{e}; {instead}."
    if s.choices is not None and v not in s.choices:
        options = ", ".join(map(_fmt, s.choices))
        return fallback, f"{s.label} {shorten(raw)} is not one of {options}; {instead}."
    return _clamp(s, v)


def from_query(cls: type[Config], params: Mapping[str, Any]) -> tuple[Config, list[str]]:
    """Build a config from URL parameters. Unknown keys are left alone (other widgets own them);
    bad values are clamped or replaced by the default, each with a note."""
    values, notes = {}, []
    for s in specs(cls):
        if s.name in params:
            v, note = sanitize(s, params[s.name])
            values[s.name] = v
            if note:
                notes.append(note)
    return cls(**values), notes


def to_query(cfg: Config) -> dict[str, str]:
    """The URL parameters of ``cfg``: only the values that differ from the defaults."""
    return {s.name: _fmt(getattr(cfg, s.name)) for s in specs(type(cfg))
            if getattr(cfg, s.name) != s.default}


def to_dict(cfg: Config) -> dict[str, Any]:
    return {s.name: getattr(cfg, s.name) for s in specs(type(cfg))}


def from_dict(cls: type[Config], data: Mapping[str, Any]) -> tuple[Config, list[str]]:
    """Like :func:`from_query` for a JSON record; unknown keys produce a note."""
    known = _spec_map(cls)
    notes = [f"Unknown setting {k!r} ignored." for k in data if k not in known]
    cfg, more = from_query(cls, {k: v for k, v in data.items() if k in known})
    return cfg, notes + more


def apply_overrides(cfg: Config, overrides: Mapping[str, Any]) -> Config:
    """``cfg`` with a preset's overrides; unknown names raise (a preset is code, not input)."""
    known = _spec_map(type(cfg))
    bad = [k for k in overrides if k not in known]
    if bad:
        raise KeyError(f"Expect fields of {type(cfg).__name__}, actually {bad}")
    return dataclasses.replace(cfg, **overrides)


def changed_fields(old: Config, new: Config) -> set[str]:
    return {s.name for s in specs(type(new)) if getattr(old, s.name) != getattr(new, s.name)}


def needs_rebuild(old: Config | None, new: Config) -> bool:
    """True when a change touches a field that a running trainer cannot take live."""
    if old is None or type(old) is not type(new):
        return True
    live = {s.name for s in specs(type(new)) if s.live}
    return bool(changed_fields(old, new) - live)
