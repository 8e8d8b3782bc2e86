"""Regenerate the README's screenshots: python docs/make_screenshots.py"""

import os
from pathlib import Path

import imageio.v3 as iio

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")

from empathy_gym.agents.conditions import Condition
from empathy_gym.envs.scenarios import make_scenario
from empathy_gym.train.episodes import record_episode
from empathy_gym.train.evaluate import scripted

SHOTS = {"fetch": (3, 14), "comfort": (5, 60), "dilemma": (0, 12)}  # scenario: (seed, step)

for scenario, (seed, step) in SHOTS.items():
    policy = scripted("prosocial", make_scenario(scenario), [seed])
    frames, _ = record_episode(
        policy, scenario, Condition("cirl", 1.0), seed, truth=True, max_cycles=step
    )
    path = Path(__file__).parent / "images" / f"{scenario}.png"
    iio.imwrite(path, frames[step])
    print(path)
