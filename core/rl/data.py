"""Environments: gymnasium's classic-control tasks and a FrozenLake grid world.

Everything an algorithm needs to know about an environment is in :class:`EnvSpec` (observation
size, discrete or continuous actions, the solve threshold, the 2-D slice drawn as a value map).
Environments are seeded through ``reset(seed=...)`` by the algorithms, never here.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")  # pygame renders off-screen

import gymnasium as gym  # noqa: E402
import numpy as np  # noqa: E402
from gymnasium.vector import AutoresetMode, SyncVectorEnv  # noqa: E402

ENV_IDS = ("CartPole-v1", "Acrobot-v1", "MountainCar-v0", "Pendulum-v1", "FrozenLake-v1")
#: the grid world: 4x4 FrozenLake without slipping, so values and policy read clearly
GRID_MAP = ("SFFF", "FHFH", "FFFH", "HFFG")


@dataclass(frozen=True)
class SliceSpec:
    """A 2-D slice of the observation space: which observation the (x, y) grid point means."""

    x_label: str
    y_label: str
    x_range: tuple[float, float]
    y_range: tuple[float, float]


@dataclass(frozen=True)
class EnvSpec:
    env_id: str
    obs_dim: int
    continuous: bool
    n_actions: int          # discrete actions; action dimension when continuous
    max_action: float       # continuous only
    threshold: float        # the return at which the task counts as solved
    action_names: tuple[str, ...]
    slice: SliceSpec | None


SPECS = {
    "CartPole-v1": EnvSpec("CartPole-v1", 4, False, 2, 1.0, 475.0, ("push left", "push right"),
                           SliceSpec("pole angle θ (rad)", "angular velocity θ̇ (rad/s)",
                                     (-0.21, 0.21), (-2.0, 2.0))),
    "Acrobot-v1": EnvSpec("Acrobot-v1", 6, False, 3, 1.0, -100.0,
                          ("torque −1", "no torque", "torque +1"),
                          SliceSpec("joint 1 angle θ₁ (rad)", "joint 1 velocity θ̇₁ (rad/s)",
                                    (-np.pi, np.pi), (-6.0, 6.0))),
    "MountainCar-v0": EnvSpec("MountainCar-v0", 2, False, 3, 1.0, -110.0,
                              ("push left", "no push", "push right"),
                              SliceSpec("position x", "velocity ẋ", (-1.2, 0.6), (-0.07, 0.07))),
    "Pendulum-v1": EnvSpec("Pendulum-v1", 3, True, 1, 2.0, -200.0, ("torque",),
                           SliceSpec("angle θ (rad, 0 = upright)", "angular velocity θ̇ (rad/s)",
                                     (-np.pi, np.pi), (-8.0, 8.0))),
    "FrozenLake-v1": EnvSpec("FrozenLake-v1", 16, False, 4, 1.0, 1.0,
                             ("left", "down", "right", "up"), None),
}


def env_spec(env_id: str) -> EnvSpec:
    if env_id not in SPECS:
        raise ValueError(f"Expect an environment in {ENV_IDS}, actually {env_id!r}")
    return SPECS[env_id]


class OneHot(gym.ObservationWrapper):
    """FrozenLake's integer cell as a one-hot float vector, so a network can read it."""

    def __init__(self, env: gym.Env):
        super().__init__(env)
        self.n = int(env.observation_space.n)
        self.observation_space = gym.spaces.Box(0.0, 1.0, (self.n,), np.float32)

    def observation(self, obs):
        out = np.zeros(self.n, np.float32)
        out[int(obs)] = 1.0
        return out


def make_env(env_id: str, render: bool = False) -> gym.Env:
    """One environment; ``render=True`` makes ``env.render()`` return an RGB frame."""
    env_spec(env_id)
    mode = "rgb_array" if render else None
    if env_id == "FrozenLake-v1":
        return OneHot(gym.make(env_id, desc=list(GRID_MAP), is_slippery=False, render_mode=mode))
    return gym.make(env_id, render_mode=mode)


def make_vec_env(env_id: str, n_envs: int) -> SyncVectorEnv:
    """``n_envs`` copies stepped in lock-step. SAME_STEP autoreset: a finished episode's last
    observation is in ``info["final_obs"]`` and the returned observation is already the reset one.
    """
    return SyncVectorEnv([lambda: make_env(env_id) for _ in range(n_envs)],
                         autoreset_mode=AutoresetMode.SAME_STEP)


def slice_observations(env_id: str, n: int = 41) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Observations on an n × n grid over the env's 2-D slice; the other coordinates are 0.

    Returns (xs (n,), ys (n,), obs (n*n, obs_dim)) with obs row-major in y then x.
    """
    spec = env_spec(env_id)
    s = spec.slice
    if s is None:
        raise ValueError(f"Expect an environment with a 2-D slice, actually {env_id!r}")
    xs = np.linspace(*s.x_range, n, dtype=np.float32)
    ys = np.linspace(*s.y_range, n, dtype=np.float32)
    X, Y = np.meshgrid(xs, ys)  # (n, n): rows y, columns x
    x, y = X.ravel(), Y.ravel()
    obs = np.zeros((n * n, spec.obs_dim), np.float32)
    if env_id == "CartPole-v1":
        obs[:, 2], obs[:, 3] = x, y
    elif env_id == "Acrobot-v1":
        obs[:, 0], obs[:, 1], obs[:, 2], obs[:, 4] = np.cos(x), np.sin(x), 1.0, y
    elif env_id == "MountainCar-v0":
        obs[:, 0], obs[:, 1] = x, y
    elif env_id == "Pendulum-v1":
        obs[:, 0], obs[:, 1], obs[:, 2] = np.cos(x), np.sin(x), y
    return xs, ys, obs


def grid_observations() -> np.ndarray:
    """Every FrozenLake cell as a one-hot observation, (16, 16), row-major."""
    return np.eye(len(GRID_MAP) * len(GRID_MAP[0]), dtype=np.float32)


def grid_codes() -> np.ndarray:
    """The grid map as uint8 codes: 0 frozen, 1 hole, 2 start, 3 goal. (rows, cols)."""
    table = {"F": 0, "H": 1, "S": 2, "G": 3}
    return np.array([[table[c] for c in row] for row in GRID_MAP], np.uint8)


def downsample(frame: np.ndarray, max_bytes: int = 9000) -> np.ndarray:
    """Shrink an (H, W, 3) uint8 frame by an integer stride to at most ``max_bytes``.

    Sixteen frames of 9 kB keep a snapshot well under 200 kB (CartPole: 600×400 → 67×45).
    """
    k = max(1, int(np.ceil(np.sqrt(frame.size / max_bytes))))
    return np.ascontiguousarray(frame[::k, ::k])
