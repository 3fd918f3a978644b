"""Optimisers a trainer declares (:class:`Optimisers`, a part of ``core.training.Trainer``).

A trainer declares each optimiser in ``build`` with ``add_optimizer(name, make, lr_field=...,
schedule=...)``: built on first use, reachable as ``self.<name>``, its learning rate driven by
a config field (a live change reaches it; divergence advice names it).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import torch

from core.config import specs

__all__ = ["DrivenOptimizer", "Optimisers"]


@dataclass
class DrivenOptimizer:
    """An optimiser declared by a trainer: how to build it and which config field drives it.

    ``lr_field`` names the config field whose value is the learning rate; ``schedule(step)``
    (optional) multiplies it at each step (a warm-up). Built on first use: the first optimiser
    a process builds imports ``torch._dynamo`` (about 2 s of CPU), so a page whose trainer
    defers it draws its first frame that much sooner (see :func:`core.process.warm_torch`).
    """

    name: str
    make: Callable[[], torch.optim.Optimizer]
    lr_field: str | None = "lr"
    schedule: Callable[[int], float] | None = None
    built: torch.optim.Optimizer | None = None


class Optimisers:
    """The optimiser half of a trainer; it expects ``config``, ``step`` and ``_optims``
    (a dict set by ``Trainer.__init__``)."""

    config: Any
    step: int
    _optims: dict[str, DrivenOptimizer]

    def add_optimizer(self, name: str,
                      make: Callable[[], torch.optim.Optimizer] | torch.optim.Optimizer, *,
                      lr_field: str | None = "lr",
                      schedule: Callable[[int], float] | None = None) -> None:
        """Declare an optimiser, reachable as ``self.<name>`` and built on first use (or
        given already built, when another object owns it).

        ``lr_field``: the config field that is its learning rate (a live change of it reaches
        the optimiser; divergence advice names it); None when the rate is not a setting.
        ``schedule(step)``: a factor on that rate, applied before every step.
        """
        if isinstance(make, torch.optim.Optimizer):
            built = make
            self._optims[name] = DrivenOptimizer(name, lambda: built, lr_field, schedule, built)
        else:
            self._optims[name] = DrivenOptimizer(name, make, lr_field, schedule)

    def __getattr__(self, name: str) -> Any:
        # only called when normal lookup fails: a declared optimiser not built yet
        optims = self.__dict__.get("_optims")
        if optims is not None and name in optims:
            d = optims[name]
            if d.built is None:
                d.built = d.make()
                self._set_lr(d)
            return d.built
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def _lr(self, d: DrivenOptimizer) -> float | None:
        if d.lr_field is None:
            return None
        lr = float(getattr(self.config, d.lr_field))
        return lr * d.schedule(self.step) if d.schedule is not None else lr

    def _set_lr(self, d: DrivenOptimizer) -> None:
        lr = self._lr(d)
        if lr is not None and d.built is not None:
            for g in d.built.param_groups:
                g["lr"] = lr

    def optimizers(self) -> list[torch.optim.Optimizer]:
        """Every declared optimiser, built (what ``state_dict`` saves)."""
        return [getattr(self, name) for name in self._optims]

    def lr_fields(self) -> list[str]:
        """The config fields that drive a learning rate, in declaration order."""
        out: list[str] = []
        for d in self._optims.values():
            if d.lr_field is not None and d.lr_field not in out:
                out.append(d.lr_field)
        return out

    def suggestion(self, metric: str) -> str:
        """What to do when ``metric`` diverged; read from the declared learning rates."""
        fields = self.lr_fields()
        if not fields:
            return "Lower the learning rate and press reset."
        labels = {s.name: s.label for s in specs(type(self.config))}
        defaults = {s.name: s.default for s in specs(type(self.config))}
        now = [(labels.get(f, f), float(getattr(self.config, f))) for f in fields]
        if len(now) == 1:
            lr, default = now[0][1], defaults.get(fields[0])
            also = (f", or the default {default:g}," if isinstance(default, float)
                    and lr / 10 > default else "")
            return (f"The learning rate {lr:g} is probably too high: try {lr / 10:g}{also} "
                    "and press reset.")
        parts = ", ".join(f"{lab} {v:g}" for lab, v in now)
        return (f"The learning rates ({parts}) are probably too high: divide them by 10 and "
                "press reset.")
