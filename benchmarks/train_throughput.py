"""End-to-end PPO training throughput on fetch, against a zero-cost env in the same run.

    python benchmarks/train_throughput.py [--timesteps 100000]

The zero-cost env has the same spaces and returns cached observations, so its fps is what
SB3 PPO itself can do with these hyperparameters; the ratio says how much the environment
costs on top: the raw env (the ppo condition) and the env with the cirl condition's
empathy module (belief inputs), each as training runs it. Target: >= 0.8. Also measured
with SB3's default PPO hyperparameters. fps here is wall-clock over the whole
``learn`` call (SB3's own logged fps reads high on short runs).
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch
from stable_baselines3 import PPO
from stable_baselines3.common.vec_env import VecEnv

from empathy_gym.agents.conditions import Condition, make_condition_env
from empathy_gym.envs.sb3 import SB3VecEnv

N_ENVS = 16
MAX_CYCLES = 200
TUNED = {"n_steps": 128, "batch_size": 512, "n_epochs": 4, "policy_kwargs": {"net_arch": [64, 64]}}
SB3_DEFAULTS: dict = {}  # n_steps 2048, batch_size 64, n_epochs 10, net_arch [64, 64]


class ZeroCostVecEnv(VecEnv):
    """fetch's spaces, cached observations, zero reward, episodes of MAX_CYCLES steps."""

    def __init__(self, like: VecEnv):
        super().__init__(like.num_envs, like.observation_space, like.action_space)
        self._obs = np.stack([like.observation_space.sample() for _ in range(like.num_envs)])
        self._rewards = np.zeros(like.num_envs, np.float32)
        self._t = 0

    def reset(self):
        self._t = 0
        return self._obs.copy()

    def step_async(self, actions):
        pass

    def step_wait(self):
        self._t += 1
        done = self._t % MAX_CYCLES == 0
        dones = np.full(self.num_envs, done)
        infos = [
            {"terminal_observation": o, "TimeLimit.truncated": True} if done else {}
            for o in self._obs
        ]
        return self._obs.copy(), self._rewards, dones, infos

    def close(self):
        pass

    def get_attr(self, attr_name, indices=None):
        return [None for _ in self._get_indices(indices)]

    def set_attr(self, attr_name, value, indices=None):
        pass

    def env_method(self, method_name, *args, indices=None, **kwargs):
        return [None for _ in self._get_indices(indices)]

    def env_is_wrapped(self, wrapper_class, indices=None):
        return [False for _ in self._get_indices(indices)]


def fps(venv: VecEnv, hyperparameters: dict, timesteps: int) -> float:
    model = PPO("MlpPolicy", venv, seed=0, device="cpu", **hyperparameters)
    start = time.perf_counter()
    model.learn(timesteps)
    return model.num_timesteps / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timesteps", type=int, default=100_000, help="steps per measurement")
    timesteps = parser.parse_args().timesteps
    torch.set_num_threads(1)

    rows = []
    measured = (
        ("ppo", TUNED, "tuned"),
        ("cirl", TUNED, "tuned"),
        ("cirl", SB3_DEFAULTS, "SB3 defaults"),
    )
    for condition, hyperparameters, label in measured:
        env = make_condition_env(
            "fetch", Condition(condition), N_ENVS, track_beliefs=False, max_cycles=MAX_CYCLES
        )  # as training runs it
        fetch = SB3VecEnv(env)
        rows.append(
            (
                condition,
                label,
                fps(fetch, hyperparameters, timesteps),
                fps(ZeroCostVecEnv(fetch), hyperparameters, timesteps),
            )
        )

    print(f"PPO on fetch, {N_ENVS} envs, {timesteps:,} steps, 1 torch thread")
    print(
        f"{'condition':<10} {'hyperparameters':<16} {'fetch fps':>10} {'zero-cost fps':>14} "
        f"{'ratio':>7}"
    )
    for condition, label, env_fps, floor_fps in rows:
        print(
            f"{condition:<10} {label:<16} {env_fps:>10,.0f} {floor_fps:>14,.0f} "
            f"{env_fps / floor_fps:>7.2f}"
        )
    for condition, label, env_fps, floor_fps in rows[:2]:
        ratio = env_fps / floor_fps
        print(
            f"{condition} {label} ratio {ratio:.2f}, target >= 0.8: "
            f"{'meets' if ratio >= 0.8 else 'MISSES'}"
        )


if __name__ == "__main__":
    main()
