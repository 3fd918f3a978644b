"""Deep Q-network (Mnih et al. 2015), with the double-DQN target (van Hasselt et al. 2016).

One ``update()``:

    1) act ε-greedily for ``train_freq`` environment steps, storing (s, a, r, s', terminated)
    2) ``gradient_steps`` times: sample a batch and minimise the Huber loss of
           Q(s, a) − [r + γ (1 − terminated) max_a' Q_target(s', a')]
       (double DQN: Q_target(s', argmax_a' Q(s', a')))
    3) every ``target_update`` gradient steps copy Q into Q_target (0: no target network)
"""
from __future__ import annotations

import copy

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from core.metrics import Metric
from core.nets import mlp
from core.rl.common import EpisodeTracker, ReplayBuffer, adam
from core.rl.metrics import BUFFER_FILL, Q_MEAN
from core.rl.data import env_spec, make_env


class DQN:
    #: what ``update()`` returns (``td_loss`` and ``q_mean`` once learning has started)
    metrics = (Metric("td_loss", "TD loss (Huber)", chart="TD loss"), Q_MEAN,
               Metric("epsilon", "Exploration ε", unit="probability", chart="Exploration ε"),
               BUFFER_FILL)

    def __init__(self, cfg, seed: int, rng: np.random.Generator, gen: torch.Generator):
        self.cfg, self.rng, self.gen = cfg, rng, gen
        self.spec = env_spec(cfg.env)
        self.env = make_env(cfg.env)
        self.obs, _ = self.env.reset(seed=seed)
        self.env.action_space.seed(seed)
        # PyTorch's default initialisation, as Stable-Baselines3's Q-network: with the
        # orthogonal one of the policy-gradient nets (gain √2, out_gain 1) the CartPole preset,
        # double DQN included, reached 500 and fell back on seed 4 within its 60k-step budget
        self.q = mlp([self.spec.obs_dim, *[cfg.hidden] * cfg.layers, self.spec.n_actions],
                     "relu")
        self.q_target = copy.deepcopy(self.q).requires_grad_(False)
        self.opt = adam(self.q.parameters(), cfg.lr)
        self.buffer = ReplayBuffer(cfg.buffer_size, self.spec.obs_dim, 1, rng, discrete=True)
        self.tracker = EpisodeTracker(1)
        self.env_steps = 0
        self.grad_steps = 0

    @property
    def epsilon(self) -> float:
        """Linear decay from 1 to ``eps_end`` over ``eps_steps`` environment steps."""
        frac = min(1.0, self.env_steps / self.cfg.eps_steps)
        return 1.0 + frac * (self.cfg.eps_end - 1.0)

    @torch.no_grad()
    def collect(self, n: int) -> None:
        """Step 1: ``n`` ε-greedy steps into the replay buffer."""
        for _ in range(n):
            if self.rng.random() < self.epsilon:
                a = int(self.rng.integers(self.spec.n_actions))
            else:
                a = int(self.q(torch.as_tensor(self.obs)).argmax())
            next_obs, r, term, trunc, _ = self.env.step(a)
            self.buffer.add(self.obs, a, r, next_obs, term)   # truncation still bootstraps
            self.tracker.step(np.array([r]), np.array([term or trunc]))
            self.obs = self.env.reset()[0] if (term or trunc) else next_obs
            self.env_steps += 1

    def update(self) -> dict[str, float]:
        cfg = self.cfg
        self.collect(cfg.train_freq)
        m = {"epsilon": self.epsilon, "buffer_fill": len(self.buffer) / self.buffer.capacity}
        if len(self.buffer) < max(cfg.learning_starts, cfg.batch_size):
            return m
        stats = torch.zeros(2)
        target_net = self.q_target if cfg.target_update > 0 else self.q
        for _ in range(cfg.gradient_steps):                                  # step 2
            obs, act, rew, next_obs, term = self.buffer.sample(cfg.batch_size)
            with torch.no_grad():
                if cfg.double:
                    a_next = self.q(next_obs).argmax(1, keepdim=True)
                    q_next = target_net(next_obs).gather(1, a_next).squeeze(1)
                else:
                    q_next = target_net(next_obs).max(1).values
                y = rew + cfg.gamma * (1.0 - term) * q_next                  # (B,)
            q = self.q(obs).gather(1, act.unsqueeze(1)).squeeze(1)           # (B,)
            loss = F.smooth_l1_loss(q, y)
            self.opt.zero_grad(set_to_none=True)
            loss.backward()
            nn.utils.clip_grad_norm_(self.q.parameters(), 10.0)
            self.opt.step()
            self.grad_steps += 1
            if cfg.target_update > 0 and self.grad_steps % cfg.target_update == 0:  # step 3
                self.q_target.load_state_dict(self.q.state_dict())
            stats += torch.stack([loss.detach(), q.detach().mean()])
        s = (stats / cfg.gradient_steps).tolist()
        m.update(td_loss=s[0], q_mean=s[1])
        return m

    @torch.no_grad()
    def act_greedy(self, obs: np.ndarray) -> np.ndarray:
        return self.q(torch.as_tensor(obs, dtype=torch.float32)).argmax(-1).numpy()

    @torch.no_grad()
    def value_map(self, obs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(max_a Q(s, a), argmax_a Q(s, a)) for a batch of observations."""
        q = self.q(torch.as_tensor(obs, dtype=torch.float32))
        return q.max(-1).values.numpy(), q.argmax(-1).numpy()

    def modules(self) -> dict[str, nn.Module]:
        return {"q": self.q, "q_target": self.q_target}

    def optimizers(self) -> list[torch.optim.Optimizer]:
        return [self.opt]
