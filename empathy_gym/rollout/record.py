"""Episodes as frames and recordings, videos, and trained runs loaded back.

Shared by ``empathy-gym watch`` and the comparison report's GIFs.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from empathy_gym.agents.arms import Arm
from empathy_gym.agents.wrapper import make_arm_env
from empathy_gym.extras import require
from empathy_gym.render.frame import Overlay, Renderer
from empathy_gym.render.recording import Recording
from empathy_gym.rollout.evaluate import BatchPolicy, step_context

VIDEO_SUFFIXES = (".mp4", ".gif")


def record_episode(
    act: BatchPolicy,
    scenario: str,
    arm: Arm,
    seed: int,
    truth: bool = False,
    renderer: Renderer | None = None,
    **env_kwargs,
) -> tuple[list[np.ndarray], Recording]:
    """Play one episode; return its frames (initial state and after every step) and recording."""
    env = make_arm_env(scenario, arm, 1, autoreset=False, **env_kwargs)
    world, state = env.unwrapped.world, env.unwrapped.scenario_state
    renderer = renderer or Renderer(env.scenario, "rgb_array", 8)
    renderer.scenario = env.scenario  # the map it draws is the env's (procedural: drawn at reset)
    obs, infos = env.reset(seed=seed)
    recording = Recording(scenario, env.scenario.config.to_dict(), env.scenario.ascii_map.text)
    belief = _belief(env)
    actions = np.zeros(1, np.int64)
    frames, context, totals = [], step_context(env, infos), np.zeros(4)
    while True:
        shown = belief if arm.sees_belief else None
        recording.capture(world, state, actions, obs[0], shown)
        totals = totals + world.components[0, 0]  # zero after a reset
        overlay = _overlay(truth, arm, belief, totals)
        frames.append(renderer.rgb_array(world, state, 0, overlay))
        if world.t[0] >= env.unwrapped.max_cycles:
            break
        actions = np.asarray(act(obs, context))
        obs, _, _, _, infos = env.step(actions)
        context = step_context(env, infos)
        belief = {k: v[0] for k, v in infos["belief"].items()}
    env.close()
    return frames, recording


def _belief(env) -> dict:
    return {
        "goal_posterior": env.beliefs.goal_posterior[0].copy(),
        "valence": env.beliefs.valence[0].copy(),
    }


def _overlay(truth: bool, arm: Arm, belief: dict, totals: np.ndarray) -> Overlay:
    if not arm.sees_belief:
        return Overlay(truth=truth, totals=totals)
    return Overlay(
        truth=truth,
        goal_posterior=belief["goal_posterior"],
        believed_valence=belief["valence"],
        totals=totals,
    )


def write_video(path: str | Path, frames: list[np.ndarray], fps: int) -> Path:
    iio = require("imageio.v3")

    path = Path(path)
    if path.suffix not in VIDEO_SUFFIXES:
        raise ValueError(f"--record {str(path)!r} must end in one of {VIDEO_SUFFIXES}")
    if path.suffix == ".gif":
        iio.imwrite(path, np.stack(frames), duration=1000 / fps, loop=0)
    else:
        iio.imwrite(path, np.stack(frames), fps=fps)
    return path
