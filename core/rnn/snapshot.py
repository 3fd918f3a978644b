"""What the recurrent-network figures draw: one moment of training as plain numpy (no torch).

:meth:`core.rnn.trainer.RNNTrainer.snapshot` builds an :class:`RNNSnapshot` from one held-out
example; the timeline keeps them and the figures (core/rnn/figures.py) take them. Shapes: U units
kept (at most the trainer's ``MAX_UNITS``), T input steps, T_out decoded tokens, S source positions.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = ["RNNSnapshot"]


@dataclass(frozen=True)
class RNNSnapshot:
    """What the figures draw at one moment of training (numpy only)."""

    step: int
    inputs: list[str]  # (T,) labels of the example's input steps
    h: np.ndarray  # (U, T) float32 top-layer hidden state (forward direction)
    c: np.ndarray | None  # (U, T) LSTM cell state
    gates: dict[str, np.ndarray]  # name -> (U, T) in [0, 1] (tanh candidates in [-1, 1])
    grad_norm: np.ndarray  # (T,) mean over the trainer's GRAD_BATCH examples of ||dL/dh_t||
    outputs: list[str] = field(default_factory=list)  # decoded tokens (seq2seq, recall)
    targets: list[str] = field(default_factory=list)
    probs: np.ndarray | None = None  # (T_out,) probability of each decoded token
    attention: np.ndarray | None = None  # (T_out, S) alignment of the example
    prediction: float | None = None  # adding: predicted and true sum
    target_value: float | None = None
    sample: str = ""  # charlm: text sampled at the current temperature
