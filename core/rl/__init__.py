"""Reinforcement learning: DQN, REINFORCE, A2C, PPO and DDPG learning live on gymnasium.

One readable file per algorithm (``dqn.py``, ``reinforce.py``, ``a2c.py``, ``ppo.py``,
``ddpg.py``), each declaring the metrics it emits; networks, buffers, returns and the greedy
evaluation they share in ``common.py``, shared metric declarations in ``metrics.py``;
environments in ``data.py``; the page's :class:`RLTrainer` in ``trainer.py``, its snapshot
types in ``snapshot.py``; figures (``live_figures`` for the page and the bench) in
``figures.py``.
"""
