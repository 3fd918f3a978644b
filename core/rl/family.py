"""Reinforcement learning: this family's one declaration (read through core/families.py)."""
from __future__ import annotations

from core.declaration import Cost, Family


def step_cost(cfg) -> Cost | None:
    """Samples through the networks in one update."""
    if cfg.algo == "ppo":
        return Cost("samples", cfg.epochs * cfg.n_envs * cfg.n_steps,
                    f"{cfg.epochs} epochs × {cfg.n_envs} environments × {cfg.n_steps} "
                    "rollout steps")
    if cfg.algo == "a2c":
        return Cost("samples", cfg.n_envs * cfg.n_steps,
                    f"{cfg.n_envs} environments × {cfg.n_steps} steps")
    if cfg.algo in ("dqn", "ddpg"):
        return Cost("samples", cfg.gradient_steps * cfg.batch_size,
                    f"{cfg.gradient_steps} gradient steps × batch size {cfg.batch_size}")
    return None


FAMILY = Family(
    slug="rl", title="Reinforcement learning", icon=":material/sports_esports:", order=40,
    blurb=("DQN, REINFORCE, A2C, PPO and DDPG learning CartPole, Pendulum and a grid world "
           "while you watch the policy act."),
    config="core.rl.config:RLConfig",
    trainer="core.rl.trainer:RLTrainer",
    size_fields=("hidden", "layers"),
    step_cost=step_cost,
)
