"""The RL page's trainer: one ``train_step`` is one algorithm update (an env chunk + update).

The algorithms live in one file each, with the metrics their ``update()`` returns declared
there; this class picks one, records finished episodes, and takes the snapshot the figures
need (value map over a 2-D state slice or the grid, greedy action, frames of the current
policy acting). ``RLTrainer.metrics`` is every metric any algorithm emits (what exports and
the compare page read); ``trainer.algo_metrics`` is the current algorithm's own.
"""
from __future__ import annotations

import time
from typing import Generator

import numpy as np
import torch

from core.alarms import Alarm, lr_above
from core.metrics import Metric
from core.rl.a2c import A2C
from core.rl.common import GreedyEvaluator
from core.rl.config import ALGO_PRESETS, RLConfig
from core.rl.data import downsample, env_spec, grid_codes, grid_observations, make_env, \
    slice_observations
from core.rl.ddpg import DDPG
from core.rl.dqn import DQN
from core.rl.metrics import COMMON_METRICS, union
from core.rl.ppo import PPO
from core.rl.reinforce import REINFORCE
from core.rl.snapshot import Episodes, PolicyMap, RLSnapshot, Rollout
from core.training import Trainer, drive

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
    metrics = union(COMMON_METRICS, *(a.metrics for a in ALGORITHMS.values()))
    eval_every = 0     # greedy evaluation is the page's button and the benchmark's rule
    timeline_cap = 40
    #: one step is one update of the networks (after a rollout or an env chunk), so the page's
    #: Step counter says "updates"; the return chart's axis counts environment steps
    step_unit = "updates"
    step_help = ("Network updates so far. Each update follows a batch of environment steps; "
                 "the return chart's x axis counts environment steps.")
    #: a far too high learning rate collapses a policy onto one action for good (A2C and
    #: REINFORCE at lr 0.1 on CartPole: entropy 0 within 150 updates, episodes of 9 steps);
    #: a confident policy that scores well (PPO reaching 500) is not an alarm, hence the
    #: return condition. DQN and DDPG have no entropy: non-finite values stop them as always.
    alarms = (Alarm("entropy", below=lambda t: 0.01, hold=20, stalled=True,
                    when=lambda t: lr_above(10.0)(t) and t.no_better_than_at_start(),
                    says="the policy collapsed onto one action: its entropy stayed under "
                         "{limit:g} nats for {hold} updates (now {value:.2g}) while the "
                         "episodes score no better than at the start"),)

    def build(self) -> None:
        cfg = self.config
        self.spec = env_spec(cfg.env)
        self.agent = ALGORITHMS[cfg.algo](cfg, self.seed, self.rng, self.gen)
        for i, opt in enumerate(self.agent.optimizers()):  # every network follows ``lr``
            self.add_optimizer(f"opt_{i}", opt, lr_field="lr")
        self.episode_steps: list[int] = []     # env steps when each episode finished
        self.episode_returns: list[float] = []
        self.render_env = None
        self._rollout: Rollout | None = None
        self._evaluator: GreedyEvaluator | None = None

    @property
    def algo_metrics(self) -> tuple[Metric, ...]:
        """The current algorithm's metrics and the trainer's own (what the page charts)."""
        return union(COMMON_METRICS, self.agent.metrics)

    def no_better_than_at_start(self, n: int = 10) -> bool:
        """The last ``n`` episodes' mean return is at most the first ``n`` episodes' mean."""
        r = self.episode_returns
        return len(r) >= 2 * n and float(np.mean(r[-n:])) <= float(np.mean(r[:n]))

    # ---- the four methods ---------------------------------------------------------------------
    def train_step(self) -> dict[str, float]:
        return drive(self.train_parts())

    def train_parts(self) -> Generator[str, None, dict[str, float]]:
        """One update; an algorithm with ``update_parts`` (PPO) yields between its parts."""
        parts = getattr(self.agent, "update_parts", None)
        m = (yield from parts()) if parts is not None else self.agent.update()
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

    def snapshot(self) -> RLSnapshot:
        if self.spec.slice is not None:
            xs, ys, obs = slice_observations(self.config.env, SLICE_N)
            v, a = self.agent.value_map(obs)
            shape = (SLICE_N, SLICE_N)
            policy = PolicyMap(action=np.asarray(a, np.float32).reshape(shape),
                               value=None if v is None else v.reshape(shape).astype(np.float32),
                               x=np.asarray(xs), y=np.asarray(ys))
        else:
            v, a = self.agent.value_map(grid_observations())
            codes = grid_codes()
            policy = PolicyMap(action=np.asarray(a, np.uint8).reshape(codes.shape),
                               value=None if v is None else
                               v.reshape(codes.shape).astype(np.float32), codes=codes)
        if self._rollout is None or (
                self.agent.env_steps - self._rollout.env_steps >= FRAMES_EVERY
                and time.perf_counter() - self._frames_at >= FRAMES_DUTY * self._frames_cost):
            t0 = time.perf_counter()
            self._rollout = self.rollout_frames()
            self._frames_at = time.perf_counter()
            self._frames_cost = self._frames_at - t0
        return RLSnapshot(env_steps=int(self.agent.env_steps), policy=policy,
                          rollout=self._rollout)

    # ---- helpers ------------------------------------------------------------------------------
    def rollout_frames(self) -> Rollout:
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
        return Rollout(frames=np.stack(frames).astype(np.uint8), steps=int(t), ret=float(ret),
                       env_steps=int(self.agent.env_steps))

    def episodes(self, upto_env_steps: int | None = None) -> Episodes:
        """Finished training episodes: env step at the end and return."""
        return Episodes(np.asarray(self.episode_steps, np.int64),
                        np.asarray(self.episode_returns, np.float32)).upto(upto_env_steps)

    def on_live_change(self, changed: set[str]) -> None:
        self.agent.cfg = self.config     # clip, ent_coef, eps_end, tau, noise_std read per update

    def modules(self) -> dict[str, torch.nn.Module]:
        return self.agent.modules()

    def suggestion(self, metric: str) -> str:
        return (f"Lower the learning rate (now {self.config.lr:g}; this algorithm's preset "
                f"uses {ALGO_PRESETS[self.config.algo]['lr']:g}) or the gradient clip, then "
                "press reset.")

    @property
    def threshold(self) -> float:
        return self.spec.threshold
