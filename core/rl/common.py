"""What the five algorithms share: networks, the replay buffer, returns, GAE, evaluation.

Shapes: T rollout steps, N environments, B batch, D observation size, A actions.

References: Mnih et al. 2015 (replay buffer, target network), Schulman et al. 2016 (GAE),
Schulman et al. 2017 (PPO clipped objective), Lillicrap et al. 2016 (soft target updates).
"""
from __future__ import annotations

import math
from typing import Callable

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from core.nets import mlp
from core.rl.data import env_spec, make_env

LOG_2PI = math.log(2 * math.pi)


def adam(params, lr: float) -> torch.optim.Adam:
    """Adam with the fused CPU kernel (fastest for these small networks on this machine)."""
    return torch.optim.Adam(params, lr=lr, eps=1e-5, fused=True)


class ActorCritic(nn.Module):
    """A policy π(a|s) and, optionally, a value V(s), as two separate MLPs.

    Discrete actions: the policy outputs logits (categorical). Continuous actions: it outputs the
    mean of a diagonal Gaussian whose log standard deviation is a learned parameter.
    """

    def __init__(self, obs_dim: int, n_actions: int, continuous: bool, hidden: int, layers: int,
                 value: bool = True):
        super().__init__()
        self.continuous = continuous
        h = [hidden] * layers
        self.pi = mlp([obs_dim, *h, n_actions], "tanh", out_gain=0.01)
        self.v = mlp([obs_dim, *h, 1], "tanh", out_gain=1.0) if value else None
        self.log_std = nn.Parameter(torch.zeros(n_actions)) if continuous else None

    def value(self, obs: torch.Tensor) -> torch.Tensor:            # (B, D) -> (B,)
        return self.v(obs).squeeze(-1)

    def sample(self, obs: torch.Tensor, gen: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
        """(action, log π(action|s)) for a batch of observations."""
        out = self.pi(obs)
        if self.continuous:
            a = out + self.log_std.exp() * torch.randn(out.shape, generator=gen)
        else:
            a = torch.multinomial(F.softmax(out, -1), 1, generator=gen).squeeze(-1)
        return a, self._log_prob(out, a)

    def log_prob_entropy(self, obs: torch.Tensor, a: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """log π(a|s) (B,) and the policy's entropy H(π(·|s)) (B,)."""
        out = self.pi(obs)
        if self.continuous:
            ent = (self.log_std + 0.5 * (1 + LOG_2PI)).sum().expand(len(obs))
            return self._log_prob(out, a), ent
        logp = F.log_softmax(out, -1)
        return logp.gather(1, a.long().unsqueeze(1)).squeeze(1), -(logp.exp() * logp).sum(-1)

    def _log_prob(self, out: torch.Tensor, a: torch.Tensor) -> torch.Tensor:
        if self.continuous:
            z = (a - out) / self.log_std.exp()
            return (-0.5 * z.pow(2) - self.log_std - 0.5 * LOG_2PI).sum(-1)
        return F.log_softmax(out, -1).gather(1, a.long().unsqueeze(1)).squeeze(1)

    def greedy(self, obs: torch.Tensor) -> torch.Tensor:
        """The most likely action: argmax of the logits, or the Gaussian's mean."""
        out = self.pi(obs)
        return out if self.continuous else out.argmax(-1)

    @torch.no_grad()
    def act_greedy(self, obs: np.ndarray, max_action: float) -> np.ndarray:
        """:meth:`greedy` on numpy observations; continuous actions clipped to the bounds."""
        a = self.greedy(torch.as_tensor(obs, dtype=torch.float32)).numpy()
        return np.clip(a, -max_action, max_action) if self.continuous else a


def discounted_returns(rewards: np.ndarray, dones: np.ndarray, gamma: float,
                       last_value: float | np.ndarray = 0.0) -> np.ndarray:
    """G_t = r_t + γ (1 − done_t) G_{t+1}, with G_T = ``last_value``. Shapes (T,) or (T, N).

    >>> discounted_returns(np.array([1., 1., 1.]), np.array([0, 0, 1]), 0.5).tolist()
    [1.75, 1.5, 1.0]
    """
    out = np.zeros_like(rewards, dtype=np.float32)
    g = np.asarray(last_value, dtype=np.float32)
    for t in reversed(range(len(rewards))):
        g = rewards[t] + gamma * (1.0 - dones[t]) * g
        out[t] = g
    return out


def gae(rewards: np.ndarray, values: np.ndarray, next_values: np.ndarray, dones: np.ndarray,
        gamma: float, lam: float) -> tuple[np.ndarray, np.ndarray]:
    """Generalised advantage estimation (Schulman et al. 2016). All arrays (T, N).

    ``next_values[t]`` is V(s_{t+1}): 0 where the episode terminated, the value of the final
    observation where it was truncated by a time limit. ``dones[t]`` is 1 where an episode
    ended at step t (either way), which stops the λ-sum from crossing episodes.

        δ_t = r_t + γ V(s_{t+1}) − V(s_t),   A_t = δ_t + γ λ (1 − done_t) A_{t+1}

    Returns (advantages, returns = advantages + values).
    """
    adv = np.zeros_like(rewards, dtype=np.float32)
    a = np.zeros(rewards.shape[1:], np.float32)
    for t in reversed(range(len(rewards))):
        delta = rewards[t] + gamma * next_values[t] - values[t]
        a = delta + gamma * lam * (1.0 - dones[t]) * a
        adv[t] = a
    return adv, adv + values


def ppo_clip_loss(logp_new: torch.Tensor, logp_old: torch.Tensor, adv: torch.Tensor,
                  clip: float) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """PPO's clipped surrogate (Schulman et al. 2017), as a loss to minimise.

        r = π_new(a|s) / π_old(a|s),   L = −E[min(r A, clip(r, 1 − ε, 1 + ε) A)]

    Returns (loss, clip fraction, approximate KL(old‖new) = E[(r − 1) − log r]).
    """
    log_ratio = logp_new - logp_old
    ratio = log_ratio.exp()
    loss = -torch.min(ratio * adv, ratio.clamp(1 - clip, 1 + clip) * adv).mean()
    with torch.no_grad():
        clip_frac = ((ratio - 1).abs() > clip).float().mean()
        approx_kl = ((ratio - 1) - log_ratio).mean()
    return loss, clip_frac, approx_kl


class ReplayBuffer:
    """A ring buffer of transitions (s, a, r, s', terminated) sampled uniformly.

    Only ``terminated`` is stored: a time-limit truncation is not an end of the task, so its
    next state is still bootstrapped.
    """

    def __init__(self, capacity: int, obs_dim: int, act_dim: int, rng: np.random.Generator,
                 discrete: bool):
        self.capacity, self.rng = int(capacity), rng
        self.obs = np.zeros((capacity, obs_dim), np.float32)
        self.next_obs = np.zeros((capacity, obs_dim), np.float32)
        self.act = np.zeros((capacity,) if discrete else (capacity, act_dim),
                            np.int64 if discrete else np.float32)
        self.rew = np.zeros(capacity, np.float32)
        self.term = np.zeros(capacity, np.float32)
        self.pos = 0      # where the next transition goes
        self.size = 0

    def __len__(self) -> int:
        return self.size

    def add(self, obs, act, rew: float, next_obs, terminated: bool) -> None:
        i = self.pos
        self.obs[i], self.act[i], self.rew[i] = obs, act, rew
        self.next_obs[i], self.term[i] = next_obs, float(terminated)
        self.pos = (i + 1) % self.capacity
        self.size = min(self.size + 1, self.capacity)

    def sample(self, batch: int) -> tuple[torch.Tensor, ...]:
        """(obs, act, rew, next_obs, terminated) tensors of ``batch`` random transitions."""
        idx = self.rng.integers(0, self.size, batch)
        return tuple(torch.from_numpy(x[idx]) for x in
                     (self.obs, self.act, self.rew, self.next_obs, self.term))


@torch.no_grad()
def soft_update(target: nn.Module, source: nn.Module, tau: float) -> None:
    """θ' ← τ θ + (1 − τ) θ' (Lillicrap et al. 2016); τ = 1 copies."""
    tp, sp = list(target.parameters()), list(source.parameters())
    torch._foreach_lerp_(tp, sp, tau)


class EpisodeTracker:
    """Running sums of reward per environment; finished episodes' returns and lengths."""

    def __init__(self, n_envs: int):
        self.ret = np.zeros(n_envs, np.float64)
        self.len = np.zeros(n_envs, np.int64)
        self.returns: list[float] = []
        self.lengths: list[int] = []

    def step(self, rewards: np.ndarray, dones: np.ndarray) -> None:
        self.ret += rewards
        self.len += 1
        for i in np.flatnonzero(dones):
            self.returns.append(float(self.ret[i]))
            self.lengths.append(int(self.len[i]))
            self.ret[i], self.len[i] = 0.0, 0

    def pop(self) -> tuple[list[float], list[int]]:
        r, n = self.returns, self.lengths
        self.returns, self.lengths = [], []
        return r, n


class GreedyEvaluator:
    """Plays ``episodes`` greedy episodes side by side (one batched forward per step).

    Episode i starts from ``reset(seed=base_seed + i)``, so repeated evaluations of the same
    policy give the same numbers.
    """

    def __init__(self, env_id: str, episodes: int, base_seed: int):
        self.env_id, self.base_seed = env_id, base_seed
        self.envs = [make_env(env_id) for _ in range(episodes)]
        self.spec = env_spec(env_id)

    @torch.no_grad()
    def run(self, act: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
        """Returns of the episodes, (episodes,). ``act`` maps (B, D) observations to actions."""
        n = len(self.envs)
        obs = np.stack([e.reset(seed=self.base_seed + i)[0] for i, e in enumerate(self.envs)])
        returns = np.zeros(n)
        alive = np.ones(n, bool)
        while alive.any():
            idx = np.flatnonzero(alive)
            actions = act(obs[idx])
            for j, i in enumerate(idx):
                o, r, term, trunc, _ = self.envs[i].step(actions[j])
                obs[i] = o
                returns[i] += r
                if term or trunc:
                    alive[i] = False
        return returns


def solve(trainer, threshold: float, max_env_steps: int, budget_s: float, every: int = 2000,
          episodes: int = 10, eval_seed: int = 10_000) -> dict:
    """The benchmark's rule, shared by tests and bench.

    Every ``every`` environment steps the greedy policy plays ``episodes`` evaluation episodes
    (their time is not counted); the run is solved at the first of two consecutive evaluations
    with mean return ≥ ``threshold``. Training time is ``trainer.train_seconds`` (time inside the
    train steps only).

    Returns {"seconds": float | None, "env_steps": int, "evals": [(env_steps, mean), ...]}.
    """
    trainer.eval_every = 0  # no evaluation inside the timed steps
    agent = trainer.agent
    ev = GreedyEvaluator(trainer.config.env, episodes, eval_seed)
    next_eval, evals = every, []
    prev: tuple[float, int] | None = None   # (seconds, env steps) of a passing evaluation
    while trainer.train_seconds < budget_s and agent.env_steps < max_env_steps:
        trainer.run_steps(1)
        if trainer.diverged is not None:
            break
        if agent.env_steps >= next_eval:
            while next_eval <= agent.env_steps:
                next_eval += every
            mean = float(ev.run(agent.act_greedy).mean())
            evals.append((agent.env_steps, mean))
            if mean < threshold:
                prev = None
            elif prev is not None:       # solved at the first of the two passing evaluations
                return {"seconds": prev[0], "env_steps": prev[1], "evals": evals}
            else:
                prev = (trainer.train_seconds, agent.env_steps)
    return {"seconds": None, "env_steps": agent.env_steps, "evals": evals}
