"""``empathy-gym pumps RUN [RUN ...]``: the moral profile of trained assistants.

Every run plays each intuition pump of its scenario (``rollout/pumps.py`` for the choices
and the table) on the pump's own fixed episodes, with a sampling stream seeded by the pump,
so the same run gives the same choices here and in ``compare``'s report. Writes
``pumps.md`` and one frame per pump.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import tyro

from empathy_gym.agents.arms import Arm
from empathy_gym.envs.scenarios import scenario_class
from empathy_gym.extras import require
from empathy_gym.rollout.pumps import profile_lines
from empathy_gym.rollout.record import record_episode
from empathy_gym.train.runner import pump_episodes
from empathy_gym.train.runs import load_run


@dataclass
class PumpsArgs:
    """Play trained assistants on the intuition pumps of their scenario; print their profile."""

    runs: tyro.conf.Positional[tuple[str, ...]]
    """run directories made by `empathy-gym train` or `compare`"""
    output_dir: str = "pumps"
    """where the profile and one frame per pump are written"""


def run_pumps(args: PumpsArgs) -> Path:
    if not args.runs:
        raise ValueError("give one or more run directories")
    output = Path(args.output_dir)
    started = time.perf_counter()
    rows = []
    for run in args.runs:
        config, arm, policy = load_run(run)
        scenario = config["scenario"]
        for pump in scenario_class(scenario).pumps:
            rows.append(
                {
                    "scenario": scenario,
                    "pump": pump.name,
                    "arm": arm.name,
                    "lam": float(arm.lam),
                    "seed": int(config["seed"]),
                    "episodes": pump_episodes(policy.model, scenario, arm, pump),
                }
            )
        print(f"played {run} ({time.perf_counter() - started:.0f} s)", flush=True)
    output.mkdir(parents=True, exist_ok=True)
    lines = ["# Moral profile (empathy-gym pumps)", "", *profile_lines(rows), ""]
    for scenario in dict.fromkeys(r["scenario"] for r in rows):
        for pump in scenario_class(scenario).pumps:
            frames, _ = record_episode(
                lambda obs, context: np.zeros(len(obs), np.int64),
                scenario,
                Arm(),
                pump.seed,
                truth=True,
                **{**pump.kwargs, "max_cycles": 1},
            )
            path = output / f"{scenario}_{pump.name}.png"
            require("imageio.v3").imwrite(path, frames[0])
            lines.append(f"- {scenario}, {pump.name}: ![{pump.name}]({path.name})")
    (output / "pumps.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return output
