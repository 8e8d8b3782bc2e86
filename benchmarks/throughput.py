"""Env-steps per second of the fetch env against references measured in the same run.

    python benchmarks/throughput.py [--seconds 3]

References: a trivial ParallelEnv with fetch's agents and spaces that returns cached
observations (the cost of the PettingZoo API itself, a floor no env can beat), and
MiniGrid's DoorKey-8x8. Targets: fetch >= 4x MiniGrid and >= 0.5x the floor; the native
vector env >= 1M env-steps/s at batch 1024 in one process. Also measured: fetch with 8
people on procedural 20 x 20 maps (a new map at every reset), against the default fetch.
"""

from __future__ import annotations

import argparse
import time

import gymnasium
import minigrid  # noqa: F401  (registers the MiniGrid ids)
import numpy as np
from pettingzoo import ParallelEnv

from empathy_gym.envs import fetch_v2
from empathy_gym.envs.vector import AssistantVectorEnv

MAX_CYCLES = 200
CROWD = {"layout": "procedural", "size": 20, "n_humans": 8}


class FloorParallelEnv(ParallelEnv):
    """Same agents and spaces as fetch; returns cached observations and does nothing else."""

    metadata = {"name": "floor_v0"}  # noqa: RUF012

    def __init__(self, like: ParallelEnv):
        self.possible_agents = like.possible_agents[:]
        self._obs_spaces = {a: like.observation_space(a) for a in self.possible_agents}
        self._act_spaces = {a: like.action_space(a) for a in self.possible_agents}
        self._obs = {a: space.sample() for a, space in self._obs_spaces.items()}
        self._t = 0

    def observation_space(self, agent):
        return self._obs_spaces[agent]

    def action_space(self, agent):
        return self._act_spaces[agent]

    def reset(self, seed=None, options=None):
        self.agents = self.possible_agents[:]
        self._t = 0
        return dict(self._obs), {a: {} for a in self.agents}

    def step(self, actions):
        self._t += 1
        done = self._t >= MAX_CYCLES
        agents = self.agents
        result = (
            dict(self._obs),
            dict.fromkeys(agents, 0.0),
            dict.fromkeys(agents, False),
            dict.fromkeys(agents, done),
            {a: {} for a in agents},
        )
        if done:
            self.agents = []
        return result


def parallel_steps_per_second(env: ParallelEnv, seconds: float) -> float:
    actions = np.random.default_rng(0).integers(0, 5, size=100_000)
    env.reset(seed=0)
    steps, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        for a in actions[:2000]:
            if not env.agents:
                env.reset()
            env.step({"assistant_0": int(a)})
        steps += 2000
    return steps / (time.perf_counter() - start)


def minigrid_steps_per_second(seconds: float) -> float:
    env = gymnasium.make("MiniGrid-DoorKey-8x8-v0")
    actions = np.random.default_rng(0).integers(0, 7, size=2000)
    env.reset(seed=0)
    steps, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        for a in actions:
            _, _, terminated, truncated, _ = env.step(int(a))
            if terminated or truncated:
                env.reset()
        steps += len(actions)
    return steps / (time.perf_counter() - start)


def vector_steps_per_second(batch: int, seconds: float, **env_kwargs) -> float:
    env = AssistantVectorEnv("fetch", num_envs=batch, max_cycles=MAX_CYCLES, **env_kwargs)
    actions = np.random.default_rng(0).integers(0, 6, size=(64, batch))
    env.reset(seed=0)
    env.step(actions[0])  # warm-up outside the timing
    steps, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        for a in actions:
            env.step(a)
        steps += len(actions) * batch
    return steps / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="time per measurement")
    seconds = parser.parse_args().seconds

    fetch = fetch_v2.parallel_env(max_cycles=MAX_CYCLES)
    fetch.reset(seed=0)  # compile (or load the numba cache) before timing
    figures = {
        "fetch ParallelEnv": parallel_steps_per_second(fetch, seconds),
        "floor ParallelEnv (cached obs)": parallel_steps_per_second(
            FloorParallelEnv(fetch), seconds
        ),
        "MiniGrid-DoorKey-8x8-v0": minigrid_steps_per_second(seconds),
    }
    for batch in (1, 64, 1024):
        figures[f"fetch vector env, batch {batch}"] = vector_steps_per_second(batch, seconds)
    crowd = fetch_v2.parallel_env(max_cycles=MAX_CYCLES, **CROWD)
    figures["8 people, 20x20: ParallelEnv"] = parallel_steps_per_second(crowd, seconds)
    figures["8 people, 20x20: vector, batch 1024"] = vector_steps_per_second(1024, seconds, **CROWD)

    print(f"{'measurement':<34} {'env-steps/s':>14}")
    for name, value in figures.items():
        print(f"{name:<34} {value:>14,.0f}")
    fetch_sps = figures["fetch ParallelEnv"]
    ratios = [
        ("fetch / MiniGrid", fetch_sps / figures["MiniGrid-DoorKey-8x8-v0"], 4.0),
        ("fetch / floor", fetch_sps / figures["floor ParallelEnv (cached obs)"], 0.5),
        ("vector batch 1024 / 1M", figures["fetch vector env, batch 1024"] / 1e6, 1.0),
    ]
    crowd_ratios = [
        (
            "8 people 20x20 / fetch, ParallelEnv",
            "8 people, 20x20: ParallelEnv",
            "fetch ParallelEnv",
        ),
        (
            "8 people 20x20 / fetch, batch 1024",
            "8 people, 20x20: vector, batch 1024",
            "fetch vector env, batch 1024",
        ),
    ]
    print()
    for name, ratio, target in ratios:
        verdict = "meets" if ratio >= target else "MISSES"
        print(f"{name:<34} {ratio:>8.2f}x   target >= {target}x: {verdict}")
    for name, crowd_figure, reference in crowd_ratios:
        print(f"{name:<34} {figures[crowd_figure] / figures[reference]:>8.2f}x")


if __name__ == "__main__":
    main()
