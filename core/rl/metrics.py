"""Metric declarations the RL algorithms share (no torch: the figures import it).

Each algorithm declares the metrics its ``update()`` returns in its own file (``PPO.metrics``
in ``ppo.py`` and so on), listing the shared declarations below by name so that a metric two
algorithms emit means one thing. The trainer adds :data:`COMMON_METRICS`; ``RLTrainer.metrics``
is the union of all of them (:func:`union`).
"""
from __future__ import annotations

from core.metrics import Metric

POLICY_LOSS = Metric("policy_loss", "Policy loss", chart="Policy loss")
VALUE_LOSS = Metric("value_loss", "Value loss (V(s) against its target)", unit="return²",
                    chart="Value loss")
ENTROPY = Metric("entropy", "Policy entropy", unit="nats", chart="Policy entropy")
Q_MEAN = Metric("q_mean", "Mean Q on replayed batches", unit="return", chart="Mean Q")
BUFFER_FILL = Metric("buffer_fill", "Replay buffer fill", unit="fraction", chart="Buffer fill")

#: what the trainer adds to every algorithm's metrics (train_step) and what evaluate returns
EPISODE_RETURN = Metric("episode_return", "Return of each training episode", unit="return",
                        chart="Episode return", higher_is_better=True)
COMMON_METRICS = (
    EPISODE_RETURN,
    Metric("env_steps", "Environment steps", unit="steps", plotted=False),
    Metric("eval_return", "Greedy evaluation: mean return", unit="return",
           chart="Greedy evaluation", higher_is_better=True),
    Metric("eval_std", "Greedy evaluation: std of the return", unit="return", plotted=False),
)


def union(*tables: tuple[Metric, ...]) -> tuple[Metric, ...]:
    """Declarations in order of first appearance; a name declared twice must mean one thing.

    >>> [m.name for m in union((POLICY_LOSS, ENTROPY), (ENTROPY, Q_MEAN))]
    ['policy_loss', 'entropy', 'q_mean']
    """
    out: dict[str, Metric] = {}
    for m in (m for t in tables for m in t):
        if out.setdefault(m.name, m) != m:
            raise ValueError(f"Expect one declaration of {m.name!r}, actually two different")
    return tuple(out.values())
