"""``empathy-gym watch``: play episodes of a trained run or a baseline, in a window or to video.

    empathy-gym watch --run runs/fetch__cirl__none__0 --truth
    empathy-gym watch --baseline oracle --scenario comfort --record comfort.gif --no-window

Frames show what the assistant sees, its beliefs when it has an empathy module, and with
``--truth`` the hidden state. ``--record`` writes an MP4 or GIF with imageio;
``--save-recording`` writes the episode for ``empathy-gym replay``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from empathy_gym.agents.baselines import BASELINES, make_baseline
from empathy_gym.agents.conditions import Condition, make_condition_env
from empathy_gym.envs.info import TRUTH_KEY
from empathy_gym.envs.scenarios import make_scenario
from empathy_gym.envs.scenarios.base import check_positive_int
from empathy_gym.render.frame import Overlay, Renderer
from empathy_gym.render.recording import Recording
from empathy_gym.train.evaluate import BatchPolicy, per_member

VIDEO_SUFFIXES = (".mp4", ".gif")


@dataclass
class WatchArgs:
    """Play episodes of a trained run or a baseline; show them, record a video or a replay."""

    run: str | None = None
    """a run directory made by `empathy-gym train` (runs/<scenario>__<condition>__...)"""
    baseline: str | None = None
    """instead of a run: random, scripted or oracle (with --scenario)"""
    scenario: str = "fetch"
    """scenario for a baseline (a run knows its own)"""
    population: str | None = None
    """population of the humans; default: the run's training population, or default"""
    episodes: int = 1
    """episodes to play"""
    seed: int = 0
    """seed of the first episode"""
    truth: bool = False
    """overlay the hidden state: true valence, arousal, goals"""
    record: str | None = None
    """write a video of the episodes: a path ending in .mp4 or .gif"""
    save_recording: str | None = None
    """write the last episode as a recording file for `empathy-gym replay`"""
    window: bool = True
    """show a window (turn off to only record)"""
    fps: int = 8
    """frames per second of the window and the video"""
    max_cycles: int | None = None
    """steps per episode; default: the run's, or the scenario's 200"""


def load_run(run_dir: str):
    """(run config, Condition, PPO model) of a finished run, or a ValueError saying what's wrong."""
    path = Path(run_dir)
    config_path, model_path = path / "config.json", path / "model.zip"
    if not path.is_dir():
        raise ValueError(f"run directory {run_dir!r} does not exist")
    if not config_path.is_file() or not model_path.is_file():
        raise ValueError(
            f"{run_dir!r} is not a finished run: it needs config.json and model.zip"
            " (made by `empathy-gym train`)"
        )
    try:
        config = json.loads(config_path.read_text())["run"]
    except (json.JSONDecodeError, KeyError) as err:
        raise ValueError(f"{str(config_path)!r} is not a run config: {err}") from err
    from stable_baselines3 import PPO

    try:
        model = PPO.load(model_path, device="cpu")
    except Exception as err:  # SB3 raises many kinds on a damaged zip
        raise ValueError(f"{str(model_path)!r} cannot be loaded as a PPO model: {err}") from err
    return config, Condition(config["condition"], config["lesion"], config["lam"]), model


def model_policy(model) -> BatchPolicy:
    return lambda obs, truth: model.predict(obs, deterministic=True)[0]


def record_episode(
    act: BatchPolicy,
    scenario: str,
    condition: Condition,
    seed: int,
    truth: bool = False,
    renderer: Renderer | None = None,
    **env_kwargs,
) -> tuple[list[np.ndarray], Recording]:
    """Play one episode; return its frames (initial state and after every step) and recording."""
    env = make_condition_env(scenario, condition, 1, autoreset=False, **env_kwargs)
    world = env.unwrapped.world
    renderer = renderer or Renderer(env.scenario, "rgb_array", 8)
    recording = Recording(scenario, env.scenario.config.to_dict())
    obs, infos = env.reset(seed=seed)
    belief = _belief(env)
    actions = np.zeros(1, np.int64)
    frames, truths, totals = [], infos[TRUTH_KEY], np.zeros(4)
    while True:
        recording.capture(world, actions, obs[0], belief if condition.sees_belief else None)
        totals = totals + world.components[0, 0]  # zero after a reset
        frames.append(renderer.rgb_array(world, 0, _overlay(truth, condition, belief, totals)))
        if world.t[0] >= env.unwrapped.max_cycles:
            break
        actions = np.asarray(act(obs, truths))
        obs, _, _, _, infos = env.step(actions)
        truths, belief = infos[TRUTH_KEY], {k: v[0] for k, v in infos["belief"].items()}
    env.close()
    return frames, recording


def _belief(env) -> dict:
    return {
        "goal_posterior": env.beliefs.goal_posterior[0].copy(),
        "valence": env.beliefs.valence[0].copy(),
    }


def _overlay(truth: bool, condition: Condition, belief: dict, totals: np.ndarray) -> Overlay:
    if not condition.sees_belief:
        return Overlay(truth=truth, totals=totals)
    return Overlay(
        truth=truth,
        goal_posterior=belief["goal_posterior"],
        believed_valence=belief["valence"],
        totals=totals,
    )


def write_video(path: str | Path, frames: list[np.ndarray], fps: int) -> Path:
    import imageio.v3 as iio

    path = Path(path)
    if path.suffix not in VIDEO_SUFFIXES:
        raise ValueError(f"--record {str(path)!r} must end in one of {VIDEO_SUFFIXES}")
    if path.suffix == ".gif":
        iio.imwrite(path, np.stack(frames), duration=1000 / fps, loop=0)
    else:
        iio.imwrite(path, np.stack(frames), fps=fps)
    return path


def run_watch(args: WatchArgs) -> None:
    check_positive_int("episodes", args.episodes)
    check_positive_int("fps", args.fps)
    if args.record is not None and Path(args.record).suffix not in VIDEO_SUFFIXES:
        raise ValueError(f"--record {args.record!r} must end in one of {VIDEO_SUFFIXES}")
    if (args.run is None) == (args.baseline is None):
        raise ValueError("give exactly one of --run (a run directory) or --baseline")
    if args.run is not None:
        config, condition, model = load_run(args.run)
        scenario, act = config["scenario"], model_policy(model)
        env_kwargs = {
            "population": args.population or config["population"],
            "max_cycles": args.max_cycles or config["max_cycles"],
        }
    else:
        if args.baseline not in BASELINES:
            raise ValueError(f"baseline {args.baseline!r} is unknown; use one of {BASELINES}")
        scenario, condition = args.scenario, Condition()
        env_kwargs = {"population": args.population or "default"}
        if args.max_cycles is not None:
            env_kwargs["max_cycles"] = args.max_cycles
        rules = make_scenario(scenario, **env_kwargs)
        act = per_member([make_baseline(args.baseline, rules, args.seed)])
    renderer = Renderer(make_scenario(scenario, **env_kwargs), "human", args.fps)
    frames = []
    for k in range(args.episodes):
        episode, recording = record_episode(
            act, scenario, condition, args.seed + k, args.truth, renderer, **env_kwargs
        )
        frames += episode
        if args.window:
            for frame in episode:
                renderer.show(frame)
    renderer.close()
    if args.record:
        print(f"wrote {write_video(args.record, frames, args.fps)} ({len(frames)} frames)")
    if args.save_recording:
        print(f"wrote {recording.save(args.save_recording)} ({len(recording)} steps)")
