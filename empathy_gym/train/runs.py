"""Run directories: their names, their records, their checkpoints, and finished runs read back.

A run made by ``empathy-gym train`` (or ``compare``) lives in
``<output-dir>/<scenario>__<arm>[_lam<lambda>]__<seed>/`` (see ``runner.py`` for what it
holds). Naming a run directory, writing and reading its record, its checkpoints, and
loading a finished run are here, so ``train``, ``compare``, ``tune``, ``probe``, ``pumps``
and ``watch`` agree on one layout; which arguments a record holds, and whether an existing
directory may be used, are the runner's (``runner.py``).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import numpy as np

from empathy_gym.agents.arms import Arm, arm_of
from empathy_gym.extras import require

EVAL_SEED_OFFSET = 1_000_000
MAX_EVAL_EPISODES = 1000
"""Evaluation seeds: ``EVAL_SEED_OFFSET + MAX_EVAL_EPISODES * seed + k``, k < episodes."""


def eval_seed(seed: int) -> int:
    """The seed of a run's first evaluation episode: disjoint across training seeds."""
    return EVAL_SEED_OFFSET + MAX_EVAL_EPISODES * seed


def run_dir_name(scenario: str, arm: Arm, seed: int) -> str:
    label = arm.label.replace("@", "_lam")
    return f"{scenario}__{label}__{seed}"


def config_changes(old: dict, new: dict) -> str:
    """What differs between two recorded configs, as ``key: old -> new, ...`` ('' if none)."""
    changed = sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))
    return ", ".join(f"{k}: {old.get(k)!r} -> {new.get(k)!r}" for k in changed)


def write_config(run_dir: Path, config: dict, env) -> None:
    """``config.json``: the run's arguments, the env's config and the package versions."""
    import gymnasium
    import pettingzoo

    import empathy_gym

    record = {
        "run": config,
        "env": env.scenario.config.to_dict(),
        "observation_size": int(env.single_observation_space.shape[0]),
        "versions": {
            "empathy_gym": empathy_gym.__version__,
            "gymnasium": gymnasium.__version__,
            "pettingzoo": pettingzoo.__version__,
            "numpy": np.__version__,
            "torch": require("torch").__version__,
        },
    }
    (run_dir / "config.json").write_text(json.dumps(record, indent=1))


def check_policy_input(run_dir: Path, env, remedy: str) -> None:
    """A ValueError naming the run, and saying what to do (``remedy``), if its policy was
    trained on inputs of another size than ``env`` (its arm's env under this code) gives: a
    policy cannot read them."""
    recorded = json.loads((run_dir / "config.json").read_text()).get("observation_size")
    size = int(env.single_observation_space.shape[0])
    if recorded is not None and recorded != size:
        raise ValueError(
            f"run {str(run_dir)!r} was trained on policy inputs of {recorded} entries; this"
            f" code gives its arm {size} (the observation or the memory has changed since):"
            f" {remedy}"
        )


def newest_checkpoint(run_dir: Path) -> Path | None:
    found = [
        (int(m.group(1)), p)
        for p in (run_dir / "checkpoints").glob("*.pt")
        if (m := re.search(r"step_(\d+)\.pt$", p.name))
    ]
    return max(found)[1] if found else None


def save_checkpoint(run_dir: Path, learner) -> Path:
    torch = require("torch")
    folder = run_dir / "checkpoints"
    folder.mkdir(exist_ok=True)
    path = folder / f"step_{learner.global_step}.pt"
    partial = path.with_suffix(".partial")  # a kill mid-save leaves no checkpoint to resume
    torch.save(learner.state(), partial)
    os.replace(partial, path)
    return path


RENAMED_KEYS = {"condition": "command", "cell": "arm"}
"""Keys of run configs written before the rename, and their names now."""


def read_run_config(run_dir: Path) -> dict:
    """The arguments a run recorded (``config.json``'s ``run``), under today's names: a run
    made before a key was renamed reads as if made now."""
    config = json.loads((run_dir / "config.json").read_text())["run"]
    return {RENAMED_KEYS.get(k, k): v for k, v in config.items()}


def run_env_kwargs(config: dict) -> dict:
    """The env arguments a run trained with (a run from before ``layout``: the fixed map)."""
    return {
        "population": config["population"],
        "max_cycles": config["max_cycles"],
        "layout": config.get("layout", "fixed"),
    }


def load_run(run_dir: str):
    """(run config, Arm, policy) of a finished run, or a ValueError saying what's wrong."""
    path = Path(run_dir)
    config_path, model_path = path / "config.json", path / "model.pt"
    if not path.is_dir():
        raise ValueError(f"run directory {run_dir!r} does not exist")
    if not config_path.is_file() or not model_path.is_file():
        raise ValueError(
            f"{run_dir!r} is not a finished run: it needs config.json and model.pt"
            " (made by `empathy-gym train`)"
        )
    try:
        config = read_run_config(path)
        arm = arm_of(
            config["command"],
            config.get("lesion", "none"),
            config.get("lam", 0.0),
            config.get("coupling", "proximity"),
        )
        scenario, env_kwargs = config["scenario"], run_env_kwargs(config)
    except (json.JSONDecodeError, KeyError, TypeError) as err:
        raise ValueError(f"{str(config_path)!r} is not a run config: {err}") from err
    from empathy_gym.agents.wrapper import make_arm_env

    env = make_arm_env(scenario, arm, 1, track_beliefs=False, **env_kwargs)
    try:
        check_policy_input(path, env, "train it again")
    finally:
        env.close()
    torch = require("torch")
    from empathy_gym.train.learner import Policy

    try:
        model = torch.load(model_path, weights_only=False)
    except Exception as err:  # torch raises many kinds on a damaged file
        raise ValueError(f"{str(model_path)!r} cannot be loaded as a policy: {err}") from err
    return config, arm, Policy(model)
