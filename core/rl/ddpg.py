"""Deep deterministic policy gradient (Lillicrap et al. 2016).

One ``update()``:

    1) act with μ(s) + noise for ``train_freq`` steps (Gaussian or Ornstein–Uhlenbeck noise)
    2) ``gradient_steps`` times, on a replayed batch:
       critic: minimise (Q(s, a) − [r + γ (1 − terminated) Q'(s', μ'(s'))])²
       actor:  maximise Q(s, μ(s))   (the deterministic policy gradient)
       targets: θ' ← τ θ + (1 − τ) θ'
"""
from __future__ import annotations

import copy

import numpy as np
import torch
import torch.nn as nn

from core.nets import mlp
from core.rl.common import EpisodeTracker, ReplayBuffer, adam, soft_update
from core.rl.data import env_spec, make_env


class Actor(nn.Module):
    """μ(s) = max_action · tanh(MLP(s))."""

    def __init__(self, obs_dim: int, act_dim: int, hidden: int, layers: int, max_action: float):
        super().__init__()
        self.net = mlp([obs_dim, *[hidden] * layers, act_dim], "relu", out_gain=0.01)
        self.max_action = max_action

    def forward(self, obs: torch.Tensor) -> torch.Tensor:               # (B, D) -> (B, A)
        return self.max_action * torch.tanh(self.net(obs))


class Critic(nn.Module):
    """Q(s, a) from the concatenated state and action."""

    def __init__(self, obs_dim: int, act_dim: int, hidden: int, layers: int):
        super().__init__()
        self.net = mlp([obs_dim + act_dim, *[hidden] * layers, 1], "relu", out_gain=1.0)

    def forward(self, obs: torch.Tensor, act: torch.Tensor) -> torch.Tensor:   # -> (B,)
        return self.net(torch.cat([obs, act], -1)).squeeze(-1)


class OUNoise:
    """Ornstein–Uhlenbeck process dx = θ(−x)dt + σ√dt ε: noise that drifts smoothly."""

    def __init__(self, size: int, sigma: float, rng: np.random.Generator, theta: float = 0.15,
                 dt: float = 1e-2):
        self.x = np.zeros(size)
        self.sigma, self.theta, self.dt, self.rng = sigma, theta, dt, rng

    def __call__(self) -> np.ndarray:
        self.x = self.x - self.theta * self.x * self.dt + \
            self.sigma * np.sqrt(self.dt) * self.rng.standard_normal(self.x.shape)
        return self.x

    def reset(self) -> None:
        self.x[:] = 0.0


class DDPG:
    def __init__(self, cfg, seed: int, rng: np.random.Generator, gen: torch.Generator):
        self.cfg, self.rng, self.gen = cfg, rng, gen
        self.spec = s = env_spec(cfg.env)
        self.env = make_env(cfg.env)
        self.obs, _ = self.env.reset(seed=seed)
        self.actor = Actor(s.obs_dim, s.n_actions, cfg.hidden, cfg.layers, s.max_action)
        self.critic = Critic(s.obs_dim, s.n_actions, cfg.hidden, cfg.layers)
        self.actor_target = copy.deepcopy(self.actor).requires_grad_(False)
        self.critic_target = copy.deepcopy(self.critic).requires_grad_(False)
        self.actor_opt = adam(self.actor.parameters(), cfg.lr)
        self.critic_opt = adam(self.critic.parameters(), cfg.lr)
        self.buffer = ReplayBuffer(cfg.buffer_size, s.obs_dim, s.n_actions, rng, discrete=False)
        self.ou = OUNoise(s.n_actions, cfg.noise_std * s.max_action, rng)
        self.tracker = EpisodeTracker(1)
        self.env_steps = 0

    def noise(self) -> np.ndarray:
        if self.cfg.noise == "ou":
            self.ou.sigma = self.cfg.noise_std * self.spec.max_action
            return self.ou()
        return self.cfg.noise_std * self.spec.max_action * self.rng.standard_normal(
            self.spec.n_actions)

    @torch.no_grad()
    def collect(self, n: int) -> None:
        """Step 1: ``n`` noisy steps into the replay buffer (uniform actions while warming up)."""
        m = self.spec.max_action
        for _ in range(n):
            if self.env_steps < self.cfg.learning_starts:
                a = self.rng.uniform(-m, m, self.spec.n_actions)
            else:
                a = self.actor(torch.as_tensor(self.obs)).numpy() + self.noise()
            a = np.clip(a, -m, m).astype(np.float32)
            next_obs, r, term, trunc, _ = self.env.step(a)
            self.buffer.add(self.obs, a, r, next_obs, term)
            self.tracker.step(np.array([r]), np.array([term or trunc]))
            if term or trunc:
                self.obs = self.env.reset()[0]
                self.ou.reset()
            else:
                self.obs = next_obs
            self.env_steps += 1

    def update(self) -> dict[str, float]:
        cfg = self.cfg
        self.collect(cfg.train_freq)
        m = {"buffer_fill": len(self.buffer) / self.buffer.capacity}
        if len(self.buffer) < max(cfg.learning_starts, cfg.batch_size):
            return m
        stats = torch.zeros(3)
        for _ in range(cfg.gradient_steps):                                   # step 2
            obs, act, rew, next_obs, term = self.buffer.sample(cfg.batch_size)
            with torch.no_grad():
                y = rew + cfg.gamma * (1 - term) * self.critic_target(
                    next_obs, self.actor_target(next_obs))
            q = self.critic(obs, act)
            critic_loss = (q - y).pow(2).mean()
            self.critic_opt.zero_grad(set_to_none=True)
            critic_loss.backward()
            self.critic_opt.step()
            actor_loss = -self.critic(obs, self.actor(obs)).mean()
            self.actor_opt.zero_grad(set_to_none=True)
            actor_loss.backward()
            self.actor_opt.step()
            soft_update(self.critic_target, self.critic, cfg.tau)
            soft_update(self.actor_target, self.actor, cfg.tau)
            stats += torch.stack([critic_loss.detach(), actor_loss.detach(), q.detach().mean()])
        s = (stats / cfg.gradient_steps).tolist()
        m.update(critic_loss=s[0], actor_loss=s[1], q_mean=s[2])
        return m

    @torch.no_grad()
    def act_greedy(self, obs: np.ndarray) -> np.ndarray:
        return self.actor(torch.as_tensor(obs, dtype=torch.float32)).numpy()

    @torch.no_grad()
    def value_map(self, obs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(Q(s, μ(s)), μ(s)) for a batch of observations."""
        x = torch.as_tensor(obs, dtype=torch.float32)
        a = self.actor(x)
        return self.critic(x, a).numpy(), a[:, 0].numpy()

    def modules(self) -> dict[str, nn.Module]:
        return {"actor": self.actor, "critic": self.critic, "actor_target": self.actor_target,
                "critic_target": self.critic_target}

    def optimizers(self) -> list[torch.optim.Optimizer]:
        return [self.actor_opt, self.critic_opt]
