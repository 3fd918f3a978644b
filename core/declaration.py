"""What a family declares (:class:`Family`, :class:`Cost`): a leaf module, so that a family's
``family.py`` imports it without importing the registry of every family
(:mod:`core.families`, which imports every ``family.py``)."""
from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from core.paths import ROOT

__all__ = ["Family", "Cost"]

CORE = ROOT / "core"


@dataclass(frozen=True)
class Cost:
    """What one training step of a configuration costs, for class mode's caps: ``amount`` of
    ``kind`` ("tokens": batch size × positions, checked against the token and GFLOP caps;
    "samples": samples through the networks per update, against the RL cap), and ``what``
    that amount is, in the settings' words (e.g. "batch size 64 × sequence length 12")."""

    kind: str
    amount: int
    what: str


@dataclass(frozen=True)
class Family:
    """One family's declaration (see the module docstring).

    Attributes:
        slug: the package name, the page's file name and its URL path.
        title, icon, blurb: the navigation's label and Material Symbol, the home card's text.
        config, trainer: ``"module:Class"`` of the settings and of the trainer.
        order: where it sits in the navigation (smaller first).
        size_fields: settings that make the model smaller when lowered, most effective first
            (class mode names the first two when a model has too many parameters).
        step_cost: ``step_cost(config)`` -> :class:`Cost` or None, for the class caps on one
            step's work; None when the parameter cap alone bounds a step.
    """

    slug: str
    title: str
    icon: str
    blurb: str
    config: str
    trainer: str
    order: int = 100
    size_fields: tuple[str, ...] = ()
    step_cost: Callable[[Any], Cost | None] | None = None

    @property
    def theory(self) -> Path:
        """The seven sections (markdown), beside the declaration."""
        return CORE / self.slug / "theory.md"

    @property
    def page(self) -> Path:
        return ROOT / "pages" / f"{self.slug}.py"

    @property
    def picture(self) -> Path:
        """The home card's picture (``scripts/cards.py`` draws it)."""
        return ROOT / "assets" / "cards" / f"{self.slug}.png"

    @property
    def available(self) -> bool:
        """Its page exists (until then the home card says it is coming)."""
        return self.page.exists()

    def classes(self) -> tuple[type, type]:
        """(config class, trainer class), imported now."""
        return _load(self.config), _load(self.trainer)


def _load(path: str) -> Any:
    mod, _, name = path.partition(":")
    return getattr(importlib.import_module(mod), name)
