"""Proximal Policy Optimisation (Schulman et al. 2017) with GAE-λ (Schulman et al. 2016).

One ``update()`` is one iteration of the paper's Algorithm 1:

    1) run the policy π_old in N synchronous environments for T steps
    2) compute advantages Â_1..Â_T with GAE-λ and value targets
    3) optimise the clipped surrogate + value loss − entropy bonus for K epochs of minibatches

Steps 1 and 2 are the rollout A2C shares (``core.rl.onpolicy``). ``update_parts()`` is the
same update cut into parts (the rollout's, then every minibatch), so a crowded server can
spread one update over several ticks (``core.training.Trainer.train_parts``); the operations,
and so the numbers, are the same as ``update()``'s.
"""
from __future__ import annotations

from typing import Generator

import torch
import torch.nn as nn

from core.metrics import Metric
from core.rl.common import ppo_clip_loss
from core.rl.metrics import ENTROPY, POLICY_LOSS, VALUE_LOSS
from core.rl.onpolicy import OnPolicy
from core.training import drive


class PPO(OnPolicy):
    #: what ``update()`` returns (means over the epochs' minibatches)
    metrics = (POLICY_LOSS, VALUE_LOSS, ENTROPY,
               Metric("clip_frac", "Clip fraction (|r − 1| > ε)", unit="fraction",
                      chart="Clip fraction"),
               Metric("approx_kl", "Approximate KL(old ‖ new)", unit="nats",
                      chart="Approximate KL"))

    def update(self) -> dict[str, float]:
        return drive(self.update_parts())

    def update_parts(self) -> Generator[str, None, dict[str, float]]:
        """One update, yielding a progress text between its parts."""
        cfg = self.cfg
        batch = yield from self.rollout_parts()                              # steps 1 and 2
        n = len(batch["adv"])
        mb = n // cfg.minibatches
        stats = torch.zeros(6)
        for epoch in range(cfg.epochs):                                       # step 3
            perm = torch.randperm(n, generator=self.gen)
            for start in range(0, n, mb):
                yield f"optimising, epoch {epoch + 1} of {cfg.epochs}"
                idx = perm[start:start + mb]
                adv = batch["adv"][idx]
                adv = (adv - adv.mean()) / (adv.std() + 1e-8)
                logp, ent = self.net.log_prob_entropy(batch["obs"][idx], batch["act"][idx])
                pg_loss, clip_frac, kl = ppo_clip_loss(logp, batch["logp"][idx], adv, cfg.clip)
                v_loss = (self.net.value(batch["obs"][idx]) - batch["ret"][idx]).pow(2).mean()
                entropy = ent.mean()
                loss = pg_loss + cfg.vf_coef * v_loss - cfg.ent_coef * entropy
                self.opt.zero_grad(set_to_none=True)
                loss.backward()
                nn.utils.clip_grad_norm_(self.net.parameters(), cfg.max_grad_norm)
                self.opt.step()
                stats += torch.stack([pg_loss.detach(), v_loss.detach(), entropy.detach(),
                                      clip_frac, kl, torch.ones(())])
        s = (stats[:5] / stats[5]).tolist()                                   # one .item() pass
        return {"policy_loss": s[0], "value_loss": s[1], "entropy": s[2], "clip_frac": s[3],
                "approx_kl": s[4]}
