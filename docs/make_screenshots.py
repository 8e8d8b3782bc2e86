"""Regenerate the README's screenshots: python docs/make_screenshots.py"""

import os
from pathlib import Path

import imageio.v3 as iio

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")

from empathy_gym.agents.arms import Arm
from empathy_gym.envs.scenarios import make_scenario
from empathy_gym.rollout.evaluate import scripted
from empathy_gym.rollout.record import record_episode

CROWD = {"layout": "procedural", "size": 20, "n_humans": 8}
SHOTS = {  # image: (scenario, seed, step, env arguments)
    "fetch": ("fetch", 3, 14, {}),
    "comfort": ("comfort", 5, 60, {}),
    "dilemma": ("dilemma", 0, 12, {}),
    "comfort_procedural_20x20": ("comfort", 4, 40, CROWD),
}

for image, (scenario, seed, step, kwargs) in SHOTS.items():
    policy = scripted("prosocial", make_scenario(scenario, **kwargs), [seed])
    frames, _ = record_episode(
        policy, scenario, Arm("cirl", 1.0), seed, truth=True, max_cycles=step, **kwargs
    )
    path = Path(__file__).parent / "images" / f"{image}.png"
    iio.imwrite(path, frames[step])
    print(path)
