"""The one training runner behind the ``ppo``, ``cirl`` and ``contagion`` scripts.

SB3 PPO on the native vector env wrapped by the condition's empathy wrapper. Every
condition uses the same network and the same PPO hyperparameters; conditions differ only
in reward and inputs (``agents/conditions.py``). A run writes to
``<output-dir>/<scenario>__<condition>__<lesion>__<seed>/``:

    config.json        the arguments, the env config and package versions
    progress.csv, tb/  learning curves (CSV and TensorBoard)
    checkpoints/       periodic checkpoints; --resume continues from the newest
    model.zip          the final policy
    eval.json          metrics per evaluation episode, on the training population and
                       held-out populations; its presence marks the run finished
"""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import numpy as np

from empathy_gym.agents.conditions import Condition, make_condition_env
from empathy_gym.envs.core.population import PROFILES
from empathy_gym.envs.scenarios import make_scenario
from empathy_gym.envs.scenarios.base import check_positive_int
from empathy_gym.extras import require
from empathy_gym.train.evaluate import evaluate

RUN_CONTROL_FIELDS = ("output_dir", "resume", "overwrite", "progress")
"""Arguments that steer a run (where, whether to resume) without changing what it computes."""

EVAL_SEED_OFFSET = 1_000_000
"""Evaluation episodes use seeds far from training's, so they are episodes never trained on."""


@dataclass
class TrainArgs:
    """Train an assistant with PPO on one scenario, under one condition and lesion."""

    condition: ClassVar[str]
    scenario: str = "fetch"
    """scenario: fetch, comfort or dilemma"""
    population: str = "default"
    """population profile of the humans during training"""
    lesion: str = "none"
    """none, affective (no other-regarding reward), cognitive (no belief inputs) or full"""
    lam: float = 1.0
    """lambda: weight of the other-regarding term (cirl: welfare; contagion: mirrored mood)"""
    coupling: str = "proximity"
    """contagion: how the mirrored mood is caught, proximity (nearby people) or global"""
    timesteps: int = 200_000
    """environment steps to train for (summed over the parallel envs)"""
    seed: int = 0
    """seed of the envs and of PPO"""
    n_envs: int = 16
    """parallel envs in the native batch"""
    max_cycles: int = 200
    """steps per episode"""
    n_steps: int = 128
    """PPO: steps per env per rollout"""
    batch_size: int = 512
    """PPO: minibatch size"""
    n_epochs: int = 4
    """PPO: passes over each rollout"""
    learning_rate: float = 3e-4
    """PPO: Adam learning rate"""
    gamma: float = 0.99
    """PPO: discount"""
    gae_lambda: float = 0.95
    """PPO: GAE lambda"""
    ent_coef: float = 0.01
    """PPO: entropy bonus"""
    clip_range: float = 0.2
    """PPO: clipping of the policy ratio"""
    net_arch: tuple[int, ...] = (64, 64)
    """hidden layers of the policy and value networks"""
    eval_episodes: int = 16
    """evaluation episodes per population after training"""
    eval_populations: tuple[str, ...] = ("default", "stoic", "masking", "volatile")
    """populations to evaluate on: the training one plus held-out ones"""
    checkpoint_every: int = 50_000
    """environment steps between checkpoints"""
    output_dir: str = "runs"
    """where run directories are created"""
    resume: bool = False
    """continue an unfinished run in the same directory from its newest checkpoint"""
    overwrite: bool = False
    """replace an existing run directory (otherwise nothing existing is overwritten)"""
    progress: bool = True
    """show a progress bar"""


@dataclass
class PpoArgs(TrainArgs):
    """Train the reward maximiser: task reward only, raw observation."""

    condition: ClassVar[str] = "ppo"


@dataclass
class CirlArgs(TrainArgs):
    """Train the assistance-game assistant: task reward plus lambda times the humans' welfare."""

    condition: ClassVar[str] = "cirl"


@dataclass
class ContagionArgs(TrainArgs):
    """Train the contagion assistant: task reward plus lambda times its mirrored affect."""

    condition: ClassVar[str] = "contagion"


ARGS_OF_CONDITION: dict[str, type[TrainArgs]] = {
    cls.condition: cls for cls in (PpoArgs, CirlArgs, ContagionArgs)
}


def run_dir_name(scenario: str, condition: Condition, seed: int) -> str:
    return f"{scenario}__{condition.name}__{condition.lesion}__{seed}"


def validate(args: TrainArgs, condition: Condition) -> None:
    """Raise a ValueError naming the argument for anything a run cannot use."""
    make_scenario(args.scenario, population=args.population, max_cycles=args.max_cycles)
    for name in (
        "timesteps",
        "n_envs",
        "n_steps",
        "batch_size",
        "n_epochs",
        "eval_episodes",
        "checkpoint_every",
    ):
        check_positive_int(name, getattr(args, name))
    unknown = [p for p in args.eval_populations if p not in PROFILES]
    if unknown:
        raise ValueError(f"eval_populations has unknown profiles {unknown}; use {sorted(PROFILES)}")
    if args.resume and args.overwrite:
        raise ValueError("resume and overwrite exclude each other: choose one")


def recorded_config(args: TrainArgs, condition: Condition) -> dict:
    """What defines the run: everything but the run-control flags."""
    config = {k: v for k, v in dataclasses.asdict(args).items() if k not in RUN_CONTROL_FIELDS}
    config["condition"] = condition.name
    config["net_arch"] = list(config["net_arch"])
    config["eval_populations"] = list(config["eval_populations"])
    return config


def prepare_run_dir(args: TrainArgs, condition: Condition, config: dict) -> Path:
    """Create the run directory, or check that an existing one may be used; never clobber."""
    run_dir = Path(args.output_dir) / run_dir_name(args.scenario, condition, args.seed)
    config_path = run_dir / "config.json"
    if run_dir.exists() and args.overwrite:
        shutil.rmtree(run_dir)
    elif config_path.exists():
        existing = json.loads(config_path.read_text())["run"]
        changed = sorted(k for k in set(existing) | set(config) if existing.get(k) != config.get(k))
        if changed:
            details = ", ".join(f"{k}: {existing.get(k)!r} -> {config.get(k)!r}" for k in changed)
            raise ValueError(
                f"output directory {run_dir} holds a run with a different config ({details});"
                " pass --overwrite to replace it or choose another --output-dir"
            )
        if (run_dir / "eval.json").exists():
            raise ValueError(
                f"output directory {run_dir} holds a finished run with this config;"
                " pass --overwrite to train it again"
            )
        if not args.resume:
            raise ValueError(
                f"output directory {run_dir} holds an unfinished run with this config;"
                " pass --resume to continue it or --overwrite to start again"
            )
    elif run_dir.exists() and any(run_dir.iterdir()):
        raise ValueError(f"output directory {run_dir} exists and is not a run; pass --overwrite")
    run_dir.mkdir(parents=True, exist_ok=True)
    return run_dir


def newest_checkpoint(run_dir: Path) -> Path | None:
    found = [
        (int(m.group(1)), p)
        for p in (run_dir / "checkpoints").glob("*.zip")
        if (m := re.search(r"_(\d+)_steps\.zip$", p.name))
    ]
    return max(found)[1] if found else None


def run_training(args: TrainArgs) -> Path:
    """Train, checkpoint, evaluate; return the run directory."""
    condition = Condition(args.condition, args.lesion, args.lam, args.coupling)
    validate(args, condition)
    torch = require("torch")  # the training stack loads only when training
    require("stable_baselines3")
    config = recorded_config(args, condition)
    run_dir = prepare_run_dir(args, condition, config)

    from stable_baselines3 import PPO
    from stable_baselines3.common.callbacks import CallbackList, CheckpointCallback
    from stable_baselines3.common.logger import configure

    from empathy_gym.envs.sb3 import SB3VecEnv
    from empathy_gym.train.callbacks import EpisodeStatsCallback

    torch.set_num_threads(1)
    env_kwargs = {"population": args.population, "max_cycles": args.max_cycles}
    # Training runs only the empathy parts the condition uses (same rewards and inputs).
    env = make_condition_env(
        args.scenario, condition, args.n_envs, track_beliefs=False, **env_kwargs
    )
    venv = SB3VecEnv(env)
    checkpoint = newest_checkpoint(run_dir) if args.resume else None
    if checkpoint is not None:
        model = PPO.load(checkpoint, env=venv, device="cpu")
        venv.seed(args.seed + model.num_timesteps)
        print(f"resuming {run_dir} from {checkpoint.name} at {model.num_timesteps} steps")
    else:
        _write_config(run_dir, config, venv.venv)
        venv.seed(args.seed)
        model = PPO(
            "MlpPolicy",
            venv,
            n_steps=args.n_steps,
            batch_size=args.batch_size,
            n_epochs=args.n_epochs,
            learning_rate=args.learning_rate,
            gamma=args.gamma,
            gae_lambda=args.gae_lambda,
            ent_coef=args.ent_coef,
            clip_range=args.clip_range,
            policy_kwargs={"net_arch": list(args.net_arch)},
            seed=args.seed,
            device="cpu",
        )
    model.set_logger(configure(str(run_dir), ["csv", "tensorboard"]))
    callbacks = CallbackList(
        [
            CheckpointCallback(
                max(1, args.checkpoint_every // args.n_envs),
                str(run_dir / "checkpoints"),
                name_prefix="ppo",
            ),
            EpisodeStatsCallback(),
        ]
    )
    remaining = args.timesteps - model.num_timesteps
    if remaining > 0:
        model.learn(
            remaining,
            callback=callbacks,
            reset_num_timesteps=checkpoint is None,
            progress_bar=args.progress,
        )
    model.save(run_dir / "model.zip")
    venv.close()

    results = evaluate_model(model, args, condition)
    (run_dir / "eval.json").write_text(json.dumps(results, indent=1))
    return run_dir


def evaluate_model(model, args: TrainArgs, condition: Condition) -> dict:
    """Metrics per episode on the training population and every held-out population."""

    def act(obs: np.ndarray, context) -> np.ndarray:  # the policy reads the observation only
        return model.predict(obs, deterministic=True)[0]

    results = {}
    for population in dict.fromkeys((args.population, *args.eval_populations)):
        episodes = evaluate(
            act,
            args.scenario,
            condition,
            args.eval_episodes,
            EVAL_SEED_OFFSET + args.seed,
            population=population,
            max_cycles=args.max_cycles,
        )
        results[population] = [dataclasses.asdict(m) for m in episodes]
    return results


def _write_config(run_dir: Path, config: dict, env) -> None:
    import gymnasium
    import pettingzoo
    import stable_baselines3
    import torch

    import empathy_gym

    record = {
        "run": config,
        "env": env.scenario.config.to_dict(),
        "observation_size": int(env.single_observation_space.shape[0]),
        "versions": {
            "empathy_gym": empathy_gym.__version__,
            "gymnasium": gymnasium.__version__,
            "pettingzoo": pettingzoo.__version__,
            "stable_baselines3": stable_baselines3.__version__,
            "torch": torch.__version__,
        },
    }
    (run_dir / "config.json").write_text(json.dumps(record, indent=1))
