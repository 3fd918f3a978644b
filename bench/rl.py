"""RL benchmark: ArchLab's agents beside Stable-Baselines3 under the same "solved" rule.

Rule (``core.rl.common.solve``): every 2,000 environment steps the greedy policy plays 10
evaluation episodes (not timed); a run is solved at the first of two consecutive evaluations
with mean return >= 475 (CartPole-v1) or >= -200 (Pendulum-v1). ArchLab runs each algorithm's
preset (``core.rl.config.ALGO_PRESETS``); SB3 runs rl-baselines3-zoo's tuned settings.

stable-baselines3 is imported only here (bench/requirements.txt); without it the SB3 columns
stay empty and say why.

- ``ppo-app``: in-app overhead with the PPO preset on CartPole: updates per second in the
  page's tick loop (train, snapshot, then every figure the page draws while playing,
  ``core.rl.figures.live_figures``, serialised as the page sends them) ÷ headless updates per
  second, the two alternating in slices (``bench.common.app_throughput``). Target >= 0.83.
- ``first-render``: seconds from ``streamlit run`` to the page drawn in headless chromium ÷
  the same for the floor app, runs interleaved (``bench.browser.first_render_ratio``);
  ``first-render-floor`` is the floor's seconds. Target <= 1.3.
- ``pause-latency``: median seconds from a Pause click to the State reading "paused" in
  headless chromium, several clicks while playing (``bench.browser.pause_record``);
  target <= 0.5 s.
"""
from __future__ import annotations

import os
import time
from typing import Any

import numpy as np
import torch

from bench.browser import first_render_ratio
from bench.common import app_throughput, median, record, throughput_record, wanted
from core.config import apply_overrides
from core.rl import figures as F
from core.rl.common import GreedyEvaluator, solve
from core.rl.config import ALGO_PRESETS, RLConfig
from core.rl.trainer import RLTrainer

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")

EVERY, EPISODES = 2000, 10

# rl-baselines3-zoo's tuned hyperparameters (DLR-RM/rl-baselines3-zoo, hyperparams/ppo.yml,
# a2c.yml, dqn.yml, ddpg.yml; "lin_x" there is a linear decay from x to 0 over n_timesteps).
ZOO: dict[str, dict[str, Any]] = {
    "ppo": dict(env="CartPole-v1", n_envs=8, n_timesteps=100_000, lin=("learning_rate",
                "clip_range"), kwargs=dict(n_steps=32, batch_size=256, gae_lambda=0.8,
                gamma=0.98, n_epochs=20, ent_coef=0.0, learning_rate=1e-3, clip_range=0.2)),
    "a2c": dict(env="CartPole-v1", n_envs=8, n_timesteps=500_000, lin=(),
                kwargs=dict(ent_coef=0.0)),
    "dqn": dict(env="CartPole-v1", n_envs=1, n_timesteps=50_000, lin=(),
                kwargs=dict(learning_rate=2.3e-3, batch_size=64, buffer_size=100_000,
                            learning_starts=1000, gamma=0.99, target_update_interval=10,
                            train_freq=256, gradient_steps=128, exploration_fraction=0.16,
                            exploration_final_eps=0.04,
                            policy_kwargs=dict(net_arch=[256, 256]))),
    "ddpg": dict(env="Pendulum-v1", n_envs=1, n_timesteps=20_000, lin=(), noise_std=0.1,
                 kwargs=dict(gamma=0.98, buffer_size=200_000, learning_starts=10_000,
                             gradient_steps=1, train_freq=1, learning_rate=1e-3,
                             policy_kwargs=dict(net_arch=[400, 300]))),
}
THRESHOLD = {"CartPole-v1": 475.0, "Pendulum-v1": -200.0}
#: budgets per case: seconds of training (the same for SB3) and ArchLab's environment steps
#: (SB3 stops at the zoo's n_timesteps)
BUDGET_S = 300
BUDGET = {"ppo": (BUDGET_S, 100_000), "a2c": (BUDGET_S, 300_000), "dqn": (BUDGET_S, 60_000),
          "ddpg": (BUDGET_S, 30_000), "reinforce": (BUDGET_S, 150_000)}
SB3_BUDGET_S = BUDGET_S


def archlab_run(algo: str, seed: int) -> dict:
    cfg = apply_overrides(RLConfig(), ALGO_PRESETS[algo])
    t = RLTrainer(cfg, seed)
    budget_s, max_steps = BUDGET[algo]
    return solve(t, t.spec.threshold, max_steps, budget_s, every=EVERY, episodes=EPISODES)


def sb3_run(algo: str, seed: int) -> dict:
    """SB3 with the zoo's settings; evaluation time is subtracted from learn()'s wall time."""
    try:
        import stable_baselines3 as sb3
    except ModuleNotFoundError:
        return {"seconds": None, "env_steps": None, "evals": [],
                "missing": "stable-baselines3 is not installed: pip install -r "
                           "bench/requirements.txt"}
    from stable_baselines3.common.callbacks import BaseCallback
    from stable_baselines3.common.env_util import make_vec_env
    from stable_baselines3.common.noise import NormalActionNoise

    z = ZOO[algo]
    env_id, thr = z["env"], THRESHOLD[z["env"]]
    kwargs = dict(z["kwargs"])
    for k in z["lin"]:
        x0 = kwargs[k]
        kwargs[k] = lambda p, x0=x0: p * x0
    if algo == "ddpg":
        kwargs["action_noise"] = NormalActionNoise(np.zeros(1), z["noise_std"] * np.ones(1))
    venv = make_vec_env(env_id, n_envs=z["n_envs"], seed=seed)
    model = getattr(sb3, algo.upper())("MlpPolicy", venv, seed=seed, device="cpu", **kwargs)
    ev = GreedyEvaluator(env_id, EPISODES, 10_000)

    class Rule(BaseCallback):
        def __init__(self):
            super().__init__()
            self.next_eval, self.eval_s = EVERY, 0.0
            self.prev: tuple[float, int] | None = None   # a passing evaluation's (s, steps)
            self.solved: tuple[float, int] | None = None
            self.evals: list = []
            self.t0 = time.perf_counter()

        def _on_training_start(self) -> None:
            self.t0 = time.perf_counter()

        def _on_step(self) -> bool:
            n = self.num_timesteps
            if n < self.next_eval:
                return time.perf_counter() - self.t0 - self.eval_s < SB3_BUDGET_S
            while self.next_eval <= n:
                self.next_eval += EVERY
            e0 = time.perf_counter()
            trained = e0 - self.t0 - self.eval_s          # training seconds so far
            mean = float(ev.run(lambda o: self.model.predict(o, deterministic=True)[0]).mean())
            self.eval_s += time.perf_counter() - e0
            self.evals.append((n, mean))
            if mean < thr:
                self.prev = None
            elif self.prev is not None:     # solved at the first of two passing evaluations
                self.solved = self.prev
                return False
            else:
                self.prev = (trained, n)
            return time.perf_counter() - self.t0 - self.eval_s < SB3_BUDGET_S

    cb = Rule()
    model.learn(total_timesteps=z["n_timesteps"], callback=cb)
    venv.close()
    if cb.solved is None:
        return {"seconds": None, "env_steps": model.num_timesteps, "evals": cb.evals}
    return {"seconds": cb.solved[0], "env_steps": cb.solved[1], "evals": cb.evals}


def _case(name: str, algo: str, seeds: list[int], target_s: float | None, sb3: bool) -> dict:
    ours = [archlab_run(algo, s) for s in seeds]
    secs = [r["seconds"] for r in ours]
    steps = [r["env_steps"] if r["seconds"] is not None else None for r in ours]
    # how many seeds solved, beside the median: a median of 3 hides one seed that never does
    solved = sum(s is not None for s in secs)
    extra: dict[str, Any] = {"solved": f"{solved}/{len(seeds)}"}
    target = f"<= {target_s:g}" if target_s is not None else None
    if sb3:
        theirs = [sb3_run(algo, s) for s in seeds]
        sb3_s = median([r["seconds"] for r in theirs])
        sb3_steps = median([r["env_steps"] if r["seconds"] is not None else None
                            for r in theirs])
        ours_s = median(secs)
        extra |= dict(sb3_solved=f"{sum(r['seconds'] is not None for r in theirs)}/{len(seeds)}",
                      sb3_seconds=None if sb3_s is None else round(sb3_s, 3),
                     sb3_steps=sb3_steps,
                     sb3_per_seed=[None if r["seconds"] is None else round(r["seconds"], 3)
                                   for r in theirs],
                     ratio=None if ours_s is None or sb3_s is None else round(ours_s / sb3_s, 3),
                     ratio_target="<= 1.0")
        extra["ratio_met"] = extra["ratio"] is not None and extra["ratio"] <= 1.0
        if theirs and "missing" in theirs[0]:
            extra["sb3_note"] = theirs[0]["missing"]
    rec = record("rl", name, "seconds to solve", secs, "s", target, seconds=secs, steps=steps,
                 seeds=seeds, **extra)
    rec["met"] = rec["met"] and solved == len(seeds)   # the target needs every seed solved
    return rec


def live(t: RLTrainer) -> list:
    """What the page draws each tick while playing, from the newest snapshot."""
    snap = t.timeline.latest()[1]
    return list(F.live_figures(snap, t.history, t.config, metrics=t.algo_metrics,
                               episodes=t.episodes()).values())


def run(seeds: list[int], quick: bool) -> list[dict]:
    recs = []
    if wanted("ppo-cartpole"):
        recs.append(_case("ppo-cartpole", "ppo", seeds, None, sb3=True))
    if wanted("ppo-app"):
        app_s = 8.0 if quick else 20.0
        ppo_cfg = apply_overrides(RLConfig(), ALGO_PRESETS["ppo"])
        app = [app_throughput(lambda: RLTrainer(ppo_cfg, s), live, app_s) for s in seeds]
        recs.append(throughput_record("rl", "ppo-app", app, seeds, app_s))
    for case, algo, target, sb3 in (("a2c-cartpole", "a2c", None, True),
                                    ("dqn-cartpole", "dqn", 40, True),
                                    ("ddpg-pendulum", "ddpg", 30, True),
                                    ("reinforce-cartpole", "reinforce", 20, False)):
        if wanted(case):
            recs.append(_case(case, algo, seeds, target, sb3=sb3))
    # default page (PPO on CartPole) at step 0: two Vega-Lite charts and a frame, no plotly
    # (the value map and the frame player come with the first training step)
    if wanted("first-render", "first-render-floor"):
        recs += first_render_ratio("rl", "rl", runs=len(seeds), min_plots=0)
    if wanted("pause-latency"):  # a Pause click to "paused" in headless chromium
        from bench.browser import pause_record
        recs.append(pause_record("rl", "rl?algo=ppo", quick))
    return recs


if __name__ == "__main__":  # one case, seeds one after another: python -m bench.rl dqn 0 1 2
    import sys
    algo = sys.argv[1] if len(sys.argv) > 1 else "ppo"
    seeds = [int(s) for s in sys.argv[2:]] or [0]
    ok = 0
    for seed in seeds:
        r = archlab_run(algo, seed)
        ok += r["seconds"] is not None
        print("archlab", algo, "seed", seed, r["seconds"], r["env_steps"], r["evals"][-4:],
              flush=True)
        if algo in ZOO:
            r = sb3_run(algo, seed)
            print("sb3", algo, "seed", seed, r["seconds"], r["env_steps"], r["evals"][-4:],
                  flush=True)
    print(f"archlab {algo}: solved {ok}/{len(seeds)} seeds")
