"""Env-steps per second of the fetch env against references measured in the same run.

    python benchmarks/throughput.py [--seconds 3]

References: MiniGrid's DoorKey-8x8 (a single env), and a trivial ParallelEnv with fetch's
agents and spaces that returns cached observations (the cost of the PettingZoo API
itself, a floor no env can beat). Targets: the ParallelEnv >= 5x MiniGrid; the native
vector env at batch 1024 on the fixed map >= 80x MiniGrid; on procedural maps (a new
map drawn at every reset of every member) >= 0.5x the fixed map with 2 people on 13 x 13
maps and >= 0.25x with 8 people on 20 x 20 maps. The floor is printed for reference.
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
        "MiniGrid-DoorKey-8x8-v0": minigrid_steps_per_second(seconds),
        "fetch ParallelEnv": parallel_steps_per_second(fetch, seconds),
        "floor ParallelEnv (cached obs)": parallel_steps_per_second(
            FloorParallelEnv(fetch), seconds
        ),
    }
    for batch in (1, 64, 1024):
        figures[f"fetch vector env, batch {batch}"] = vector_steps_per_second(batch, seconds)
    figures["procedural 13x13, 2 people, batch 1024"] = vector_steps_per_second(
        1024, seconds, layout="procedural"
    )
    crowd = fetch_v2.parallel_env(max_cycles=MAX_CYCLES, **CROWD)
    figures["procedural 20x20, 8 people, ParallelEnv"] = parallel_steps_per_second(crowd, seconds)
    figures["procedural 20x20, 8 people, batch 1024"] = vector_steps_per_second(
        1024, seconds, **CROWD
    )

    print(f"{'measurement':<42} {'env-steps/s':>14}")
    for name, value in figures.items():
        print(f"{name:<42} {value:>14,.0f}")
    doorkey = figures["MiniGrid-DoorKey-8x8-v0"]
    fixed = figures["fetch vector env, batch 1024"]
    ratios = [
        ("ParallelEnv / MiniGrid", figures["fetch ParallelEnv"] / doorkey, 5.0),
        ("vector batch 1024 / MiniGrid", fixed / doorkey, 80.0),
        (
            "procedural 2 people / fixed, batch 1024",
            figures["procedural 13x13, 2 people, batch 1024"] / fixed,
            0.5,
        ),
        (
            "procedural 8 people / fixed, batch 1024",
            figures["procedural 20x20, 8 people, batch 1024"] / fixed,
            0.25,
        ),
    ]
    print()
    for name, ratio, target in ratios:
        verdict = "meets" if ratio >= target else "MISSES"
        print(f"{name:<42} {ratio:>8.2f}x   target >= {target}x: {verdict}")
    floor = figures["fetch ParallelEnv"] / figures["floor ParallelEnv (cached obs)"]
    print(f"{'ParallelEnv / floor (reference)':<42} {floor:>8.2f}x")


if __name__ == "__main__":
    main()
