"""Advantage actor-critic, the synchronous version of A3C (Mnih et al. 2016).

One ``update()``:

    1) run N synchronous environments for n steps with the current policy
    2) n-step returns bootstrapped from V (GAE with λ = 1 is exactly that; λ < 1 mixes)
    3) one gradient step on  −log π(a|s) Â + c_v (V(s) − R)² − c_H H(π(·|s))
"""
from __future__ import annotations

import torch
import torch.nn as nn

from core.rl.metrics import ENTROPY, POLICY_LOSS, VALUE_LOSS
from core.rl.onpolicy import OnPolicy


class A2C(OnPolicy):
    """The on-policy rollout (steps 1-2, shared with PPO); the update is one unclipped
    gradient step on the whole batch, short enough not to be cut into parts."""

    #: what ``update()`` returns
    metrics = (POLICY_LOSS, VALUE_LOSS, ENTROPY)

    def update(self) -> dict[str, float]:
        cfg = self.cfg
        batch = self.rollout()
        logp, ent = self.net.log_prob_entropy(batch["obs"], batch["act"])
        adv = batch["adv"]
        pg_loss = -(logp * adv).mean()
        v_loss = (self.net.value(batch["obs"]) - batch["ret"]).pow(2).mean()
        entropy = ent.mean()
        loss = pg_loss + cfg.vf_coef * v_loss - cfg.ent_coef * entropy
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        nn.utils.clip_grad_norm_(self.net.parameters(), cfg.max_grad_norm)
        self.opt.step()
        s = torch.stack([pg_loss, v_loss, entropy]).tolist()
        return {"policy_loss": s[0], "value_loss": s[1], "entropy": s[2]}

