"""End-to-end training throughput of every arm, against a zero-cost env in the same run.

    python benchmarks/train_throughput.py [--scenario fetch] [--timesteps 1000000]

Every arm of the factorial trains with the project's learner (``train/learner.py``) and
its default settings, on the env as training runs it (memory, belief inputs where the arm
has them, the critic's truth, the novelty bonus). The zero-cost env has the same spaces and
batch size but returns cached observations and does nothing, so its fps is what the learner
itself can do with these settings; the ratio says what the simulation, the empathy module
and the memory cost on top. Targets: >= 100k env-steps/s per training process (one torch
thread, one core) and a ratio >= 0.8. fps is wall clock over the whole ``learn`` call.

Also measured, as the reference that motivated the learner: Stable-Baselines3's PPO on the
ppo arm with the same batch, rollout, minibatch, epochs and hidden layers (SB3 gives actor
and critic a network each; the project's share a trunk). Target: the project's learner at
>= 1.5x SB3's.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch
from gymnasium import spaces
from gymnasium.vector import VectorEnv
from gymnasium.vector.utils import batch_space

from empathy_gym.agents.arms import ARMS, Arm
from empathy_gym.agents.wrapper import make_arm_env
from empathy_gym.train.learner import Learner
from empathy_gym.train.settings import PPOSettings

MAX_CYCLES = 200


class _Unwrapped:
    """What the learner reads of an env's inner simulation: the map and the assistant's cell."""

    def __init__(self, like, batch: int):
        self.scenario = like.unwrapped.scenario
        self.world = type("World", (), {"pos": np.zeros((batch, 1, 2), np.int64) + 1})()


class ZeroCostEnv(VectorEnv):
    """The spaces of an arm's env; cached observations, zero reward, fixed-length episodes."""

    def __init__(self, like):
        self.num_envs = like.num_envs
        self.single_observation_space = like.single_observation_space
        self.single_action_space = like.single_action_space
        self.observation_space = batch_space(self.single_observation_space, self.num_envs)
        self.action_space = batch_space(spaces.Discrete(6), self.num_envs)
        self._obs = self.observation_space.sample()
        self._truth = like.critic_truth()
        self._inner = _Unwrapped(like, self.num_envs)
        self._zeros = np.zeros(self.num_envs)
        self._t = 0

    @property
    def unwrapped(self):
        return self._inner

    def critic_truth(self) -> np.ndarray:
        return self._truth

    def reset(self, *, seed=None, options=None):
        self._t = 0
        return self._obs, {}

    def step(self, actions):
        self._t += 1
        done = np.full(self.num_envs, self._t % MAX_CYCLES == 0)
        return self._obs, self._zeros, done, np.zeros(self.num_envs, bool), {}


def fps(env, timesteps: int) -> float:
    settings = PPOSettings()
    learner = Learner(env, settings, seed=0)
    start = time.perf_counter()
    learner.learn(timesteps)
    return learner.global_step / (time.perf_counter() - start)


def sb3_fps(scenario: str, timesteps: int) -> float:
    """SB3's PPO on the same batch, rollout, minibatch, epochs and hidden layers."""
    from stable_baselines3 import PPO

    from empathy_gym.envs.sb3 import SB3VecEnv

    s = PPOSettings()
    env = make_arm_env(scenario, Arm("ppo"), s.num_envs, track_beliefs=False)
    model = PPO(
        "MlpPolicy",
        SB3VecEnv(env),
        n_steps=s.num_steps,
        batch_size=s.minibatch_size,
        n_epochs=s.update_epochs,
        policy_kwargs={"net_arch": list(s.hidden)},
        seed=0,
        device="cpu",
    )
    start = time.perf_counter()
    model.learn(timesteps)
    return model.num_timesteps / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="fetch")
    parser.add_argument("--timesteps", type=int, default=1_000_000, help="steps per measurement")
    args = parser.parse_args()
    torch.set_num_threads(1)
    settings = PPOSettings()
    print(
        f"{args.scenario}: {args.timesteps:,} steps per arm, {settings.num_envs} envs, "
        f"minibatch {settings.minibatch_size}, {settings.update_epochs} epochs, 1 torch thread"
    )
    print(f"{'arm':<32} {'env fps':>9} {'zero-cost fps':>14} {'ratio':>6}")
    speeds, ratios, ppo = [], [], None
    for name, factors in ARMS.items():
        arm = Arm(name, 1.0 if factors.cares else 0.0)
        env = make_arm_env(
            args.scenario, arm, settings.num_envs, track_beliefs=False, max_cycles=MAX_CYCLES
        )
        real, floor = fps(env, args.timesteps), fps(ZeroCostEnv(env), args.timesteps)
        print(f"{name:<32} {real:>9,.0f} {floor:>14,.0f} {real / floor:>6.2f}", flush=True)
        speeds.append(real)
        ratios.append(real / floor)
        ppo = real if name == "ppo" else ppo
    print(
        f"\nslowest arm {min(speeds):,.0f} env-steps/s per process (target >= 100,000: "
        f"{'meets' if min(speeds) >= 100_000 else 'MISSES'}); lowest ratio {min(ratios):.2f}"
        f" (target >= 0.8: {'meets' if min(ratios) >= 0.8 else 'MISSES'})"
    )
    sb3 = sb3_fps(args.scenario, 500_000)
    print(
        f"reference, SB3 PPO on the ppo arm, same settings: {sb3:,.0f}; the project's learner:"
        f" {ppo / sb3:.2f}x (target >= 1.5: {'meets' if ppo / sb3 >= 1.5 else 'MISSES'})"
    )


if __name__ == "__main__":
    main()
