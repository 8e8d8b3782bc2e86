"""``empathy-gym watch``: play episodes of a trained run or a baseline, in a window or to video.

    empathy-gym watch --run runs/fetch__cirl_lam1__0 --truth
    empathy-gym watch --policy prosocial --scenario comfort --record comfort.gif --no-window
    empathy-gym watch --policy avoider --scenario comfort --pump escape_easy --truth
    empathy-gym watch --policy planner --reward cirl@4 --scenario comfort --truth

Frames show what the assistant sees, its beliefs when it has an empathy module, and with
``--truth`` the hidden state. ``--record`` writes an MP4 or GIF with imageio;
``--save-recording`` writes the episode for ``empathy-gym replay``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from empathy_gym.agents.arms import Arm
from empathy_gym.envs.scenarios import SCENARIOS, make_scenario, scenario_class
from empathy_gym.errors import check_positive_int
from empathy_gym.render.frame import Renderer
from empathy_gym.rollout.evaluate import PLANNER, scripted
from empathy_gym.rollout.record import VIDEO_SUFFIXES, record_episode, write_video
from empathy_gym.train.runs import load_run, run_env_kwargs


@dataclass
class WatchArgs:
    """Play episodes of a trained run or a scripted assistant; show, record or save them."""

    run: str | None = None
    """a run directory made by `empathy-gym train` (runs/<scenario>__<arm>__...)"""
    policy: str | None = None
    """instead of a run: a scripted assistant of --scenario (random, nothing, selfish,
    prosocial, the scenario's own scripts, and planner with --reward)"""
    scenario: str | None = None
    """the scenario of a scripted assistant (a run knows its own)"""
    reward: str | None = None
    """the reward --policy planner plans under: an arm at its lambda (ppo, cirl@4,
    contagion-global@1...)"""
    pump: str | None = None
    """an intuition pump of the scenario, e.g. comfort's escape_easy"""
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
    layout: str | None = None
    """fixed or procedural maps (a new one each episode); default: the run's, or fixed"""


def run_watch(args: WatchArgs) -> None:
    check_positive_int("episodes", args.episodes)
    check_positive_int("fps", args.fps)
    if args.record is not None and Path(args.record).suffix not in VIDEO_SUFFIXES:
        raise ValueError(f"--record {args.record!r} must end in one of {VIDEO_SUFFIXES}")
    if (args.run is None) == (args.policy is None):
        raise ValueError("give exactly one of --run (a run directory) or --policy")
    if args.reward is not None and args.policy != PLANNER:
        raise ValueError(f"--reward applies to --policy {PLANNER} only; got --policy {args.policy}")
    env_kwargs: dict = {}
    if args.run is not None:
        config, arm, act = load_run(args.run)
        scenario = config["scenario"]
        env_kwargs = run_env_kwargs(config)
    elif args.scenario is None:
        raise ValueError(f"--policy {args.policy} needs --scenario: one of {sorted(SCENARIOS)}")
    else:
        scenario, arm = args.scenario, Arm()
    if args.run is not None and args.scenario not in (None, scenario):
        raise ValueError(
            f"--scenario {args.scenario} differs from the run's scenario {scenario}; a run"
            " plays the scenario it trained on"
        )
    if args.layout is not None:
        env_kwargs["layout"] = args.layout
    if args.pump is not None:  # a pump is a variant of the fixed map
        env_kwargs |= {"layout": "fixed", **scenario_class(scenario).pump(args.pump).kwargs}
    if args.population is not None:
        env_kwargs["population"] = args.population
    if args.max_cycles is not None:
        env_kwargs["max_cycles"] = args.max_cycles
    if args.policy is not None:
        reward = None if args.reward is None else Arm.parse(args.reward)
        act = scripted(args.policy, make_scenario(scenario, **env_kwargs), [args.seed], reward)
    renderer = Renderer(make_scenario(scenario, **env_kwargs), "human", args.fps)
    frames = []
    for k in range(args.episodes):
        episode, recording = record_episode(
            act, scenario, arm, args.seed + k, args.truth, renderer, **env_kwargs
        )
        frames += episode
        if args.window:
            for frame in episode:
                renderer.show(frame)
    renderer.close()
    if args.record:
        print(f"wrote {write_video(args.record, frames, args.fps)} ({len(frames)} frames)")
    if args.save_recording:
        recording.meta = {"player": args.run or args.policy, "pump": args.pump or ""}
        print(f"wrote {recording.save(args.save_recording)} ({len(recording)} steps)")
