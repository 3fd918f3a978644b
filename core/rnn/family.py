"""Recurrent networks: this family's one declaration (read through core/families.py)."""
from __future__ import annotations

from core.declaration import Cost, Family


def step_cost(cfg) -> Cost:
    """Tokens one step reads: batch size × positions per example."""
    length, what = {"adding": (cfg.T, "sequence length T"),
                    "recall": (2 * cfg.n_recall + cfg.delay, "symbols and delay"),
                    "dates": (38, "date length"),
                    "charlm": (cfg.block_size, "characters per window")}.get(
        cfg.task, (2 * cfg.seq_len, "sequence length"))
    return Cost("tokens", cfg.batch_size * length,
                f"batch size {cfg.batch_size} × {what} {length}")


FAMILY = Family(
    slug="rnn", title="Recurrent networks", icon=":material/replay:", order=60,
    blurb=("LSTM, GRU and sequence-to-sequence with attention on tasks that need memory."),
    config="core.rnn.config:RNNConfig",
    trainer="core.rnn.trainer:RNNTrainer",
    size_fields=("hidden", "layers", "embedding"),
    step_cost=step_cost,
)
