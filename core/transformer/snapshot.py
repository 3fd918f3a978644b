"""What the transformer figures draw: one moment of training as plain numpy (no torch).

:meth:`core.transformer.trainer.TransformerTrainer.snapshot` builds a :class:`TransformerSnapshot`;
the timeline keeps them and the figures (core/transformer/figures.py) take them. Shapes: L layers,
H heads, Tq/Tk query and key positions, V tokens, D model width.
"""
from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

__all__ = ["TransformerSnapshot"]


@dataclass(frozen=True)
class TransformerSnapshot:
    """What the figures draw at one moment of training: numpy arrays and plain values.

    Attention maps are uint8 (L, H, Tq, Tk) with 255 = weight 1 (at most the trainer's
    ``ATT_MAX`` queries and keys); a kind of attention the model does not have is an empty
    (0, 0, 0, 0) array.
    Generated tasks fill ``out``, ``probs`` and ``want`` (the example decoded greedily); the
    character model fills ``sample`` and ``prompt`` instead.
    """

    step: int
    itos: tuple[str, ...]  # token strings; on generated tasks the separator "=" is last
    emb_pca: np.ndarray  # (V, 2) float32: token embeddings on their two principal components
    emb_var: np.ndarray  # (2,) float32: fraction of the variance of each component
    pe: np.ndarray  # (P, D) float32: positional-encoding table, first 2 * ATT_MAX positions
    src: np.ndarray  # (S,) int64: the example (a task source, or the LM's input window)
    dec: np.ndarray  # (L, H, Tq, Tk) uint8: (masked) self-attention of the decoder stack
    enc: np.ndarray  # (L, H, S, S) uint8: encoder self-attention (encdec, else empty)
    cross: np.ndarray  # (L, H, T, S) uint8: cross-attention (encdec, else empty)
    out: np.ndarray | None = None  # (T,) int64: greedy decoding of src
    probs: np.ndarray | None = None  # (T,) float32: probability of each decoded token
    want: np.ndarray | None = None  # (T,) int64: the right target of src
    typed: bool = False  # the example is an input the student typed
    sample: str | None = None  # the trainer's SAMPLE_CHARS characters sampled after the prompt
    prompt: str | None = None  # the text the sample continues

    @property
    def decoded(self) -> bool:
        """True on generated tasks (the example was decoded), False for the character model."""
        return self.out is not None

    @property
    def correct(self) -> bool | None:
        """Whether the decoded output is the right target (None for the character model)."""
        return None if self.out is None else bool(np.array_equal(self.out, self.want))

    @property
    def nbytes(self) -> int:
        return sum(v.nbytes for v in (getattr(self, f.name) for f in fields(self))
                   if isinstance(v, np.ndarray))
