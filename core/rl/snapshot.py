"""What the RL figures draw: one moment of training as frozen dataclasses of numpy arrays.

Numpy only (no torch), so figures and the compare page can import it. Shapes: R x C the value
map (a 31 x 31 slice of the state space, or the 4 x 4 grid), F frames of H x W pixels.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class PolicyMap:
    """Value estimate and greedy action over a 2-D slice of the states, or on the grid world."""

    action: np.ndarray                 # (R, C) greedy action: float32 torque or uint8 index
    value: np.ndarray | None = None    # (R, C) float32 V(s) or max Q; None without a value net
    x: np.ndarray | None = None        # (C,) float slice coordinates; None on the grid
    y: np.ndarray | None = None        # (R,) float
    codes: np.ndarray | None = None    # (R, C) uint8 grid cells (0 F, 1 H, 2 S, 3 G); None on a slice

    @property
    def grid(self) -> bool:
        return self.codes is not None


@dataclass(frozen=True)
class Rollout:
    """The greedy policy acting from a fixed start, as a few small RGB frames."""

    frames: np.ndarray      # (F, H, W, 3) uint8
    steps: int              # environment steps the rollout lasted
    ret: float              # its return
    env_steps: int          # training environment steps when it was rendered


@dataclass(frozen=True)
class RLSnapshot:
    """One moment of an RL run: what the page's policy map and animation show."""

    env_steps: int          # training environment steps so far
    policy: PolicyMap
    rollout: Rollout

    @property
    def nbytes(self) -> int:
        arrays = (self.policy.action, self.policy.value, self.policy.x, self.policy.y,
                  self.policy.codes, self.rollout.frames)
        return sum(a.nbytes for a in arrays if a is not None)


@dataclass(frozen=True)
class Episodes:
    """Finished training episodes: the environment step at which each ended and its return."""

    env_steps: np.ndarray   # (E,) int64
    returns: np.ndarray     # (E,) float32

    def upto(self, env_steps: int | None) -> "Episodes":
        """Only the episodes finished by ``env_steps`` (all of them for None)."""
        if env_steps is None:
            return self
        keep = self.env_steps <= env_steps
        return Episodes(self.env_steps[keep], self.returns[keep])
