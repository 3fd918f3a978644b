"""Reinforcement learning: DQN, REINFORCE, A2C, PPO and DDPG learning live on gymnasium.

One readable file per algorithm (``dqn.py``, ``reinforce.py``, ``a2c.py``, ``ppo.py``,
``ddpg.py``); networks, buffers, returns and the greedy evaluation they share in ``common.py``;
environments in ``data.py``; the page's :class:`RLTrainer` in ``trainer.py``.
"""
from core.rl.config import EXPERIMENTS, PRESETS, RLConfig

__all__ = ["RLConfig", "PRESETS", "EXPERIMENTS"]
