"""REINFORCE (Williams 1992), with or without a learned baseline.

One ``update()``:

    1) play one whole episode in each of N environments with the current policy
    2) returns G_t = Σ_k γ^k r_{t+k} of every step
    3) one gradient step on  −Σ_t log π(a_t|s_t) (G_t − b(s_t))  [+ (V(s_t) − G_t)² for b = V]

Without a baseline b = 0 and the returns are only rescaled by their standard deviation (a
step-size choice: it leaves their sign and the direction of the estimate alone).
"""
from __future__ import annotations

import numpy as np
import torch
import torch.nn as nn

from core.rl.common import ActorCritic, EpisodeTracker, adam, discounted_returns
from core.rl.metrics import ENTROPY, POLICY_LOSS, VALUE_LOSS
from core.rl.data import env_spec, make_env


class REINFORCE:
    #: what ``update()`` returns (``value_loss`` only with the learned baseline)
    metrics = (POLICY_LOSS, ENTROPY, VALUE_LOSS)

    def __init__(self, cfg, seed: int, rng: np.random.Generator, gen: torch.Generator):
        self.cfg, self.rng, self.gen, self.seed = cfg, rng, gen, seed
        self.spec = env_spec(cfg.env)
        self.envs = [make_env(cfg.env) for _ in range(cfg.n_envs)]
        self.net = ActorCritic(self.spec.obs_dim, self.spec.n_actions, self.spec.continuous,
                               cfg.hidden, cfg.layers, value=cfg.baseline)
        self.opt = adam(self.net.parameters(), cfg.lr)
        self.tracker = EpisodeTracker(cfg.n_envs)
        self.env_steps = 0
        self.episodes = 0

    @torch.no_grad()
    def play_episodes(self) -> list[dict[str, np.ndarray]]:
        """Step 1: one episode per environment, played side by side."""
        n = len(self.envs)
        obs = np.stack([e.reset(seed=self.seed * 100_003 + self.episodes + i)[0]
                        for i, e in enumerate(self.envs)])
        self.episodes += n
        traj = [dict(obs=[], act=[], rew=[]) for _ in range(n)]
        alive = np.ones(n, bool)
        while alive.any():
            idx = np.flatnonzero(alive)
            a, _ = self.net.sample(torch.as_tensor(obs[idx]), self.gen)
            a = a.numpy()
            for j, i in enumerate(idx):
                act = np.clip(a[j], -self.spec.max_action, self.spec.max_action) \
                    if self.spec.continuous else a[j]
                o, r, term, trunc, _ = self.envs[i].step(act)
                traj[i]["obs"].append(obs[i].copy())
                traj[i]["act"].append(a[j])
                traj[i]["rew"].append(r)
                obs[i] = o
                if term or trunc:
                    alive[i] = False
        out = []
        for tr in traj:
            rew = np.asarray(tr["rew"], np.float32)
            out.append(dict(obs=np.stack(tr["obs"]), act=np.asarray(tr["act"]), rew=rew))
            self.tracker.returns.append(float(rew.sum()))
            self.tracker.lengths.append(len(rew))
            self.env_steps += len(rew)
        return out

    def update(self) -> dict[str, float]:
        cfg = self.cfg
        eps = self.play_episodes()
        obs = torch.as_tensor(np.concatenate([e["obs"] for e in eps]))
        act = torch.as_tensor(np.concatenate([e["act"] for e in eps]))
        G = torch.as_tensor(np.concatenate([                                    # step 2
            discounted_returns(e["rew"], np.zeros(len(e["rew"])), cfg.gamma) for e in eps]))
        logp, ent = self.net.log_prob_entropy(obs, act)
        if cfg.baseline:
            v = self.net.value(obs)
            adv = (G - v.detach())
            adv = (adv - adv.mean()) / (adv.std() + 1e-8)
            v_loss = (v - G).pow(2).mean()
        else:
            adv = G / (G.std() + 1e-8)
            v_loss = torch.zeros(())
        pg_loss = -(logp * adv).mean()                                           # step 3
        entropy = ent.mean()
        loss = pg_loss + 0.5 * v_loss - cfg.ent_coef * entropy
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        nn.utils.clip_grad_norm_(self.net.parameters(), cfg.max_grad_norm)
        self.opt.step()
        s = torch.stack([pg_loss.detach(), v_loss.detach(), entropy.detach()]).tolist()
        m = {"policy_loss": s[0], "entropy": s[2]}
        if cfg.baseline:
            m["value_loss"] = s[1]
        return m

    def act_greedy(self, obs: np.ndarray) -> np.ndarray:
        return self.net.act_greedy(obs, self.spec.max_action)

    @torch.no_grad()
    def value_map(self, obs: np.ndarray) -> tuple[np.ndarray | None, np.ndarray]:
        a = self.act_greedy(obs)
        a = a[:, 0] if self.spec.continuous else a
        if not self.cfg.baseline:
            return None, a
        return self.net.value(torch.as_tensor(obs, dtype=torch.float32)).numpy(), a

    def modules(self) -> dict[str, nn.Module]:
        return {"policy": self.net}

    def optimizers(self) -> list[torch.optim.Optimizer]:
        return [self.opt]
