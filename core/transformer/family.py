"""Transformers: this family's one declaration (read through core/families.py)."""
from __future__ import annotations

from core.declaration import Cost, Family


def step_cost(cfg) -> Cost:
    """Tokens one step reads: batch size × positions per example."""
    if cfg.task == "charlm":
        length, what = cfg.block_size, "context length"
    else:  # source then target; addition reads "a+b" and writes a sum one digit longer
        length = 3 * cfg.seq_len + 2 if cfg.task == "add" else 2 * cfg.seq_len
        what = "sequence length"
    return Cost("tokens", cfg.batch_size * length,
                f"batch size {cfg.batch_size} × {what} {length}")


FAMILY = Family(
    slug="transformer", title="Transformers", icon=":material/visibility:", order=20,
    blurb=("Watch every attention head form while a transformer learns to copy, reverse, sort, "
           "add, or write character by character."),
    config="core.transformer.config:TransformerConfig",
    trainer="core.transformer.trainer:TransformerTrainer",
    size_fields=("d_model", "n_layers", "d_ff"),
    step_cost=step_cost,
)
