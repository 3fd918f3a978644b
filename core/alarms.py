"""Signs that a run has gone wrong, declared once per family and checked by the Trainer base.

A non-finite metric, or one past ``core.training.EXPLODED``, always stops a run. What else
counts depends on the family: a loss far above what a model that learnt nothing scores (it
diverged while staying finite), a loss stuck at chance level while the learning rate is far
above its default (it stalled), GAN samples collapsed onto one point. A family lists these as
:class:`Alarm` declarations::

    class RNNTrainer(Trainer):
        alarms = (Alarm("loss", above=lambda t: 10 * t.chance_loss, hold=20,
                        says="the training loss stayed above {limit:.3g} (ten times ...)"),)

and the base (``Trainer._check``) tests them on every step's metrics, held-out ones included
at evaluation points. Each test is a dictionary lookup and a comparison, so the cost per step
is negligible; the limit is only computed when the metric is there. A condition must hold at
every check for ``hold`` steps before it fires, so one noisy batch never stops a healthy run.

>>> a = Alarm("loss", above=lambda t: 1.0, hold=2, says="{label} {value:g} stayed above {limit:g}")
>>> w = Watch()
>>> [w.fired(a, 0, None, step, {"loss": v}) for step, v in enumerate([2., 2., 2.], 1)]
[False, False, True]
>>> a.reason(None, "Training loss", 2.0)
'Training loss 2 stayed above 1'
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable

__all__ = ["Alarm", "Watch", "lr_above", "chance_loss"]

#: a limit or a condition, computed from the trainer (its config, its data) when needed
Of = Callable[[Any], float]


@dataclass(frozen=True)
class Alarm:
    """One declared sign of a failed run.

    Args:
        metric: the metric watched (a training metric, or a held-out one at evaluation points).
        above / below: the limit, from the trainer; the alarm fires when the metric is past it.
        hold: steps over which every check must find the metric past its limit (0: at once).
        stalled: True when the run stopped learning rather than blew up (what the page says).
        when: only for these settings (e.g. a learning rate far above its default); a stall
            at a sensible rate is a lesson (over-smoothing, a missing warm-up), not an error.
        says: what happened, in words; formatted with ``label``, ``value``, ``limit``,
            ``hold`` and ``t``, the trainer (``{t.chance_loss:.3g}``).
        advice: the setting to change, from the trainer; the trainer's ``suggestion`` when None.
    """

    metric: str
    above: Of | None = None
    below: Of | None = None
    hold: int = 0
    stalled: bool = False
    when: Callable[[Any], bool] | None = None
    says: str = "{label} {value:.3g} went past {limit:.3g}"
    advice: Callable[[Any], str] | None = None

    def __post_init__(self) -> None:
        if (self.above is None) == (self.below is None):
            raise ValueError(f"Expect exactly one of above= or below= for {self.metric!r}, "
                             f"actually {'both' if self.above else 'neither'}")

    def past(self, trainer: Any, value: float) -> float | None:
        """The limit when ``value`` is past it (and the alarm applies), else None."""
        if self.above is not None:
            limit = float(self.above(trainer))
            hit = value > limit
        else:
            limit = float(self.below(trainer))  # type: ignore[misc]
            hit = value < limit
        if not hit or math.isnan(limit) or (self.when is not None and not self.when(trainer)):
            return None
        return limit

    def reason(self, trainer: Any, label: str, value: float, limit: float | None = None) -> str:
        if limit is None:
            limit = float((self.above or self.below)(trainer))  # type: ignore[misc]
        return self.says.format(label=label, value=value, limit=limit, hold=self.hold,
                                t=trainer)


def lr_above(factor: float, *fields: str) -> Callable[[Any], bool]:
    """A ``when`` condition: any of the config ``fields`` (default: the trainer's learning-rate
    fields) is at least ``factor`` times its declared default."""
    from core.config import specs

    def high(trainer: Any) -> bool:
        names = fields or tuple(trainer.lr_fields())
        defaults = {s.name: s.default for s in specs(type(trainer.config))}
        return any(float(getattr(trainer.config, f)) >= factor * float(defaults[f])
                   for f in names)
    return high


def chance_loss(labels: Any) -> float:
    """Cross-entropy (nats) of guessing from the label frequencies alone: what a classifier
    that ignores its input scores at best (``ln K`` for K equally frequent labels).

    >>> round(chance_loss([0, 1, 2, 3] * 5), 4) == round(math.log(4), 4)
    True
    """
    counts: dict[Any, int] = {}
    for y in (labels.ravel().tolist() if hasattr(labels, "ravel") else labels):
        counts[y] = counts.get(y, 0) + 1
    n = sum(counts.values())
    return -sum(c / n * math.log(c / n) for c in counts.values()) if n else math.nan


class Watch:
    """Where each alarm's condition started to hold (per trainer; reset with the run)."""

    def __init__(self) -> None:
        self.since: dict[int, int] = {}
        self.limit: float | None = None   # the limit of the last alarm that fired

    def fired(self, alarm: Alarm, i: int, trainer: Any, step: int,
              metrics: dict[str, float]) -> bool:
        value = metrics.get(alarm.metric)
        if value is None:                     # not measured at this step: no news
            return False
        limit = alarm.past(trainer, value)
        if limit is None:
            self.since.pop(i, None)
            return False
        start = self.since.setdefault(i, step)
        if step - start >= alarm.hold:
            self.limit = limit
            return True
        return False

    def clear(self) -> None:
        self.since.clear()
