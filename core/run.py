"""Run settings: what every run has besides its family's hyperparameters (seed, speed).

They travel as one object (:class:`RunSettings`) from the sidebar to the live panel, the
compare page, sweeps and the bench, declared with the same schema as a family's settings (so
the seed is bound to the URL, validated and clamped like any other field).
"""
from __future__ import annotations

from dataclasses import dataclass

from core.config import Config, param

__all__ = ["RunSettings", "Speed", "SPEEDS"]


@dataclass(frozen=True)
class Speed:
    """How a playing page ticks: train ``budget_s`` (at most ``max_steps``), redraw, and ask
    for the next tick once the browser has drawn this one and ``interval_s`` has passed since
    the tick began (``ui.pacer``), so a short interval means "next tick as soon as this one
    is on the screen" (class mode keeps a longer interval, see ``core.classroom``)."""

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

    @property
    def tick(self) -> Speed:
        return SPEEDS[self.speed]
