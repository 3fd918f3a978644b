"""The RL page's trainer: one ``train_step`` is one algorithm update (an env chunk + update).

The algorithms live in one file each; this class picks one, records finished episodes, and
draws the snapshot the figures need (value map over a 2-D state slice or the grid, greedy
action, frames of the current policy acting).
"""
from __future__ import annotations

import math
import time
from typing import Any

import numpy as np
import torch

from core.rl.a2c import A2C
from core.rl.common import GreedyEvaluator
from core.rl.config import RLConfig
from core.rl.data import downsample, env_spec, grid_codes, grid_observations, make_env, \
    slice_observations
from core.rl.ddpg import DDPG
from core.rl.dqn import DQN
from core.rl.ppo import PPO
from core.rl.reinforce import REINFORCE
from core.training import Trainer

ALGORITHMS = {"ppo": PPO, "a2c": A2C, "dqn": DQN, "reinforce": REINFORCE, "ddpg": DDPG}
#: the animation: at most this many environment steps, one frame every FRAME_STRIDE of them
ROLLOUT_STEPS = 120
FRAME_STRIDE = 8
SLICE_N = 31
#: re-render the animation after this many environment steps (rendering is the costly part
#: of a snapshot, ~50 ms for CartPole; in between, snapshots share the last frames) ...
FRAMES_EVERY = 2000
#: ... and only once this many times the last rendering's cost has passed on the clock, so
#: that a fast algorithm on the playing page spends at most ~2.5 % of its time rendering
FRAMES_DUTY = 40


class RLTrainer(Trainer):
    config_cls = RLConfig
    eval_every = 0     # greedy evaluation is the page's button and the benchmark's rule
    timeline_cap = 40

    def build(self) -> None:
        cfg = self.config
        self.spec = env_spec(cfg.env)
        self.agent = ALGORITHMS[cfg.algo](cfg, self.seed, self.rng, self.gen)
        for i, opt in enumerate(self.agent.optimizers()):  # every network follows ``lr``
            self.add_optimizer(f"opt_{i}", opt, lr_field="lr")
        self.episode_steps: list[int] = []     # env steps when each episode finished
        self.episode_returns: list[float] = []
        self.render_env = None
        self._frames: dict[str, np.ndarray] | None = None
        self._evaluator: GreedyEvaluator | None = None

    # ---- the four methods ---------------------------------------------------------------------
    def train_step(self) -> dict[str, float]:
        m = self.agent.update()
        rets, _ = self.agent.tracker.pop()
        if rets:
            m["episode_return"] = float(np.mean(rets))
            self.episode_returns.extend(rets)
            self.episode_steps.extend([self.agent.env_steps] * len(rets))
            if len(self.episode_returns) > 4000:   # bounded: keep every other old episode
                self.episode_returns = self.episode_returns[:-1000:2] + self.episode_returns[-1000:]
                self.episode_steps = self.episode_steps[:-1000:2] + self.episode_steps[-1000:]
        m["env_steps"] = float(self.agent.env_steps)
        return m

    def evaluate(self, episodes: int = 10) -> dict[str, float]:
        """``episodes`` greedy episodes (seeded, so repeatable): mean and std of the return."""
        if self._evaluator is None or len(self._evaluator.envs) != episodes:
            self._evaluator = GreedyEvaluator(self.config.env, episodes, 10_000)
        r = self._evaluator.run(self.agent.act_greedy)
        return {"eval_return": float(r.mean()), "eval_std": float(r.std())}

    def snapshot(self) -> dict[str, Any]:
        snap: dict[str, Any] = {"env_steps": np.int64(self.agent.env_steps)}
        if self.spec.slice is not None:
            xs, ys, obs = slice_observations(self.config.env, SLICE_N)
            v, a = self.agent.value_map(obs)
            snap["slice_x"], snap["slice_y"] = xs, ys
            if v is not None:
                snap["slice_value"] = v.reshape(SLICE_N, SLICE_N).astype(np.float32)
            snap["slice_action"] = np.asarray(a, np.float32).reshape(SLICE_N, SLICE_N)
        else:
            v, a = self.agent.value_map(grid_observations())
            shape = grid_codes().shape
            if v is not None:
                snap["grid_value"] = v.reshape(shape).astype(np.float32)
            snap["grid_action"] = np.asarray(a, np.uint8).reshape(shape)
            snap["grid_codes"] = grid_codes()
        if self._frames is None or (
                self.agent.env_steps - int(self._frames["frames_env_steps"]) >= FRAMES_EVERY
                and time.perf_counter() - self._frames_at >= FRAMES_DUTY * self._frames_cost):
            t0 = time.perf_counter()
            self._frames = self.rollout_frames()
            self._frames_at = time.perf_counter()
            self._frames_cost = self._frames_at - t0
        snap.update(self._frames)
        return snap

    # ---- helpers ------------------------------------------------------------------------------
    def rollout_frames(self) -> dict[str, np.ndarray]:
        """The greedy policy acting from a fixed start: a few small RGB frames."""
        if self.render_env is None:
            self.render_env = make_env(self.config.env, render=True)
        env = self.render_env
        obs, _ = env.reset(seed=12_345)
        frames, ret = [downsample(env.render())], 0.0
        for t in range(1, ROLLOUT_STEPS + 1):
            a = self.agent.act_greedy(obs[None])[0]
            obs, r, term, trunc, _ = env.step(a)
            ret += float(r)
            if t % FRAME_STRIDE == 0 or term or trunc:
                frames.append(downsample(env.render()))
            if term or trunc:
                break
        return {"frames": np.stack(frames).astype(np.uint8), "frame_steps": np.int64(t),
                "rollout_return": np.float32(ret),
                "frames_env_steps": np.int64(self.agent.env_steps)}

    def episodes(self, upto_env_steps: int | None = None) -> dict[str, np.ndarray]:
        """Finished training episodes: env step at the end and return."""
        s = np.asarray(self.episode_steps, np.int64)
        r = np.asarray(self.episode_returns, np.float32)
        if upto_env_steps is not None:
            keep = s <= upto_env_steps
            s, r = s[keep], r[keep]
        return {"env_steps": s, "returns": r}

    def metric_names(self) -> dict[str, list[str]]:
        """Which history series the page charts, grouped."""
        algo = self.config.algo
        if algo == "ppo":
            return {"losses": ["policy_loss", "value_loss", "entropy"],
                    "ppo": ["clip_frac", "approx_kl"]}
        if algo == "a2c":
            return {"losses": ["policy_loss", "value_loss", "entropy"]}
        if algo == "reinforce":
            return {"losses": ["policy_loss", "entropy"] +
                    (["value_loss"] if self.config.baseline else [])}
        if algo == "dqn":
            return {"losses": ["td_loss"], "q": ["q_mean"],
                    "exploration": ["epsilon", "buffer_fill"]}
        return {"losses": ["critic_loss", "actor_loss"], "q": ["q_mean"],
                "exploration": ["buffer_fill"]}

    def on_live_change(self, changed: set[str]) -> None:
        self.agent.cfg = self.config     # clip, ent_coef, eps_end, tau, noise_std read per update

    def modules(self) -> dict[str, torch.nn.Module]:
        return self.agent.modules()

    def suggestion(self, metric: str) -> str:
        return (f"{metric} is not finite: lower the learning rate (now {self.config.lr:g}) "
                "or the gradient clip, then press reset.")

    @property
    def threshold(self) -> float:
        return self.spec.threshold
