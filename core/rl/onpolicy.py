"""What the on-policy actor-critic algorithms share (A2C and PPO): N synchronous environments,
one actor-critic network and its Adam optimiser, and the rollout with GAE-λ advantages.

``rollout()`` runs the current policy for T = ``n_steps`` steps in N = ``n_envs``
environments and returns the batch with advantages Â (GAE-λ, Schulman et al. 2016) and value
targets; ``rollout_parts()`` is the same rollout yielding every ``ROLLOUT_PART`` steps, so a
crowded server can spread it over several ticks (``core.training.Trainer.train_parts``).
Each algorithm writes its own ``update()`` on top (and PPO its ``update_parts()``).

Discrete actions use a categorical policy, continuous ones a diagonal Gaussian.
Shapes: T = ``n_steps``, N = ``n_envs``, D observation size.
"""
from __future__ import annotations

from typing import Generator

import numpy as np
import torch
import torch.nn as nn

from core.rl.common import ActorCritic, EpisodeTracker, adam, gae
from core.rl.data import env_spec, make_vec_env
from core.training import drive

#: environment steps (of all N environments at once) between two parts of a rollout
ROLLOUT_PART = 8


class OnPolicy:
    """The environments, the actor-critic and the rollout; subclasses write ``update()``."""

    def __init__(self, cfg, seed: int, rng: np.random.Generator, gen: torch.Generator):
        self.cfg, self.rng, self.gen = cfg, rng, gen
        self.spec = env_spec(cfg.env)
        self.envs = make_vec_env(cfg.env, cfg.n_envs)
        obs, _ = self.envs.reset(seed=seed)
        self.obs = torch.as_tensor(obs, dtype=torch.float32)                  # (N, D)
        self.net = ActorCritic(self.spec.obs_dim, self.spec.n_actions, self.spec.continuous,
                               cfg.hidden, cfg.layers)
        self.opt = adam(self.net.parameters(), cfg.lr)
        self.tracker = EpisodeTracker(cfg.n_envs)
        self.env_steps = 0

    def rollout(self) -> dict[str, torch.Tensor]:
        """Step 1: T steps in N environments with the current (old) policy."""
        return drive(self.rollout_parts())

    @torch.no_grad()   # torch re-enters no-grad at each resume and leaves it at each yield
    def rollout_parts(self) -> Generator[str, None, dict[str, torch.Tensor]]:
        """:meth:`rollout`, yielding every ``ROLLOUT_PART`` steps."""
        T, N, gamma = self.cfg.n_steps, self.cfg.n_envs, self.cfg.gamma
        obs_buf, act_buf, logp_buf = [], [], []
        rew = np.zeros((T, N), np.float32)
        done = np.zeros((T, N), np.float32)
        values = np.zeros((T, N), np.float32)
        next_values = np.zeros((T, N), np.float32)
        v = self.net.value(self.obs).numpy()
        for t in range(T):
            a, logp = self.net.sample(self.obs, self.gen)
            values[t] = v
            act = a.numpy()
            if self.spec.continuous:
                act = np.clip(act, -self.spec.max_action, self.spec.max_action)
            obs, r, term, trunc, info = self.envs.step(act)
            obs_buf.append(self.obs)
            act_buf.append(a)
            logp_buf.append(logp)
            self.obs = torch.as_tensor(obs, dtype=torch.float32)
            rew[t], done[t] = r, term | trunc
            # V(s_{t+1}): the next observation's value, 0 after termination, and the value of
            # the real last observation after a time-limit truncation (not the reset one)
            v = self.net.value(self.obs).numpy()
            nv = v.copy()
            if trunc.any():
                final = np.stack([info["final_obs"][i] for i in np.flatnonzero(trunc)])
                nv[trunc] = self.net.value(torch.as_tensor(final, dtype=torch.float32)).numpy()
            nv[term] = 0.0
            next_values[t] = nv
            self.tracker.step(r, term | trunc)
            if (t + 1) % ROLLOUT_PART == 0 and t + 1 < T:
                yield f"collecting experience, {t + 1} of {T} steps"
        self.env_steps += T * N
        adv, ret = gae(rew, values, next_values, done, gamma, self.cfg.gae_lambda)
        return dict(obs=torch.cat(obs_buf), act=torch.cat(act_buf), logp=torch.cat(logp_buf),
                    adv=torch.from_numpy(adv).reshape(-1), ret=torch.from_numpy(ret).reshape(-1))

    # ---- what the page draws ------------------------------------------------------------------
    def act_greedy(self, obs: np.ndarray) -> np.ndarray:
        return self.net.act_greedy(obs, self.spec.max_action)

    @torch.no_grad()
    def value_map(self, obs: np.ndarray) -> tuple[np.ndarray | None, np.ndarray]:
        """(V(s), greedy action) for a batch of observations."""
        x = torch.as_tensor(obs, dtype=torch.float32)
        a = self.act_greedy(obs)
        return self.net.value(x).numpy(), (a[:, 0] if self.spec.continuous else a)

    def modules(self) -> dict[str, nn.Module]:
        return {"actor_critic": self.net}

    def optimizers(self) -> list[torch.optim.Optimizer]:
        return [self.opt]
