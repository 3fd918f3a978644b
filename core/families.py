"""Where each family's settings and trainer live, by page slug (imported only when needed).

Sweeps, workers and the run store rebuild a run from its family name and config dict; this is
the one table that maps the name to the classes.
"""
from __future__ import annotations

import importlib
from typing import Any

#: slug -> ("module:ConfigClass", "module:TrainerClass")
FAMILIES: dict[str, tuple[str, str]] = {
    "autoencoder": ("core.autoencoder.config:AEConfig", "core.autoencoder.trainer:AETrainer"),
    "transformer": ("core.transformer.config:TransformerConfig",
                    "core.transformer.trainer:TransformerTrainer"),
    "gan": ("core.gan.config:GANConfig", "core.gan.trainer:GANTrainer"),
    "rl": ("core.rl.config:RLConfig", "core.rl.trainer:RLTrainer"),
    "gnn": ("core.gnn.config:GNNConfig", "core.gnn.trainer:GNNTrainer"),
    "rnn": ("core.rnn.config:RNNConfig", "core.rnn.trainer:RNNTrainer"),
}


def _load(path: str) -> Any:
    mod, _, name = path.partition(":")
    return getattr(importlib.import_module(mod), name)


def classes(family: str) -> tuple[type, type]:
    """(config class, trainer class) of ``family``; KeyError names the known ones."""
    if family not in FAMILIES:
        raise KeyError(f"Expect a family in {sorted(FAMILIES)}, actually {family!r}")
    cfg, trainer = FAMILIES[family]
    return _load(cfg), _load(trainer)
