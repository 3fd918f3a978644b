"""Checkpoints of a trainer (:class:`Checkpoints`, a part of ``core.training.Trainer``).

A checkpoint is the model after whole steps: settings, seed, step, history, every module's
and optimiser's state. Loading refuses, in words, a file that is not a checkpoint of this
trainer (:class:`WrongCheckpoint`), never with torch's own text (it advises turning safe
loading off).
"""
from __future__ import annotations

import io
from typing import Any

import torch

from core.config import to_dict

__all__ = ["WrongCheckpoint", "Checkpoints"]


class WrongCheckpoint(ValueError):
    """A file that is not a checkpoint of this trainer; ``family`` names the trainer class it
    belongs to when it is another ArchLab trainer's checkpoint (None: not ArchLab's at all)."""

    def __init__(self, message: str, family: str | None = None):
        super().__init__(message)
        self.family = family


class Checkpoints:
    """The persistence half of a trainer; it expects the rest of ``core.training.Trainer``."""

    def state_dict(self) -> dict[str, Any]:
        """Everything a checkpoint holds; a pending step is finished first, so a checkpoint
        is always the model after whole steps (and loading it carries on identically)."""
        self.finish_step()
        return {
            "family": type(self).__name__,
            "config": to_dict(self.config),
            "seed": self.seed,
            "step": self.step,
            "train_seconds": float(self.train_seconds),
            "history": self.history.state(),
            "modules": {k: m.state_dict() for k, m in self.modules().items()},
            "optimizers": [o.state_dict() for o in self.optimizers()],
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        if state.get("family") != type(self).__name__:
            raise WrongCheckpoint(f"Expect a {type(self).__name__} checkpoint, "
                                  f"actually {str(state.get('family'))[:40]!r}",
                                  family=str(state.get("family"))[:40])
        mods = self.modules()
        missing = set(mods) - set(state["modules"])
        if missing:
            raise ValueError(f"Expect modules {sorted(mods)}, actually {sorted(state['modules'])}")
        for k, m in mods.items():
            m.load_state_dict(state["modules"][k])
        for o, s in zip(self.optimizers(), state.get("optimizers", [])):
            o.load_state_dict(s)
        for d in self._optims.values():
            self._set_lr(d)
        self.step = int(state["step"])
        self.train_seconds = float(state.get("train_seconds", 0.0))
        self.history.load(state["history"])
        self._pending, self.progress = None, None
        self.diverged = None
        self._watch.clear()
        self.timeline.clear()

    def save_bytes(self) -> bytes:
        buf = io.BytesIO()
        torch.save(self.state_dict(), buf)
        return buf.getvalue()

    @classmethod
    def load_bytes(cls, data: bytes) -> "Trainer":
        """A trainer restored from :meth:`save_bytes` output. Raises ValueError on bad files."""
        from core.config import from_dict
        try:
            state = torch.load(io.BytesIO(data), weights_only=True)
        except Exception:  # noqa: BLE001 - any unpickling failure means "not a checkpoint"
            # torch's own text is not passed on: it advises turning safe loading off
            raise WrongCheckpoint("Expect an ArchLab .pt checkpoint, actually a file that "
                                  "safe loading cannot read") from None
        if not isinstance(state, dict) or "config" not in state:
            raise WrongCheckpoint("Expect an ArchLab .pt checkpoint, actually some other file")
        cfg, _ = from_dict(cls.config_cls, state["config"])
        t = cls(cfg, seed=int(state.get("seed", 0)))
        t.load_state_dict(state)
        return t

    def record(self) -> dict[str, Any]:
        """The run record: config, seed, step and the last value of every metric."""
        return {"family": type(self).__name__, "config": to_dict(self.config), "seed": self.seed,
                "step": self.step, "train_seconds": round(self.train_seconds, 3),
                "last": {k: self.history.last(k) for k in self.history.names()},
                "diverged": self.diverged.message() if self.diverged else None}
