"""The intuition-pump battery: a moral profile of assistants across the scenarios' pumps.

Each scenario module lists its pumps (``Scenario.pumps``): short fixed-seed episode sets that
isolate one classic question, each with the choice it measures (``metric > threshold``).
A policy's *choice rate* on a pump is the share of its episodes in which it made that
choice; a cell's is the mean over its seeds, with a 95% bootstrap-t interval over seeds
(pooling seeds and episodes, the interval treats each seed's episodes as one sample). Beside
it, the welfare, harm and help the choice caused.

``empathy-gym pumps RUN [RUN ...]`` prints the profile of given runs and draws one frame per
pump; ``compare`` puts the same table in its report (every run plays every pump of its
scenario after training).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import tyro

from empathy_gym.agents.conditions import Condition
from empathy_gym.envs.scenarios import scenario_class
from empathy_gym.train.stats import describe

OUTCOMES = ("welfare", "harm", "help")


def chose(episode: dict, pump) -> bool:
    return bool(episode[pump.metric] > pump.threshold)


def profile_lines(rows: list[dict]) -> list[str]:
    """The moral profile table from rows of (scenario, cell, lam, seed, pump, episodes)."""
    lines = [
        "| scenario | pump | question | cell | choice | rate | welfare | harm | help |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    groups: dict[tuple, list[dict]] = {}
    for r in rows:
        groups.setdefault((r["scenario"], r["pump"], r["cell"], r["lam"]), []).append(r)
    for (scenario, name, cell, lam), members in groups.items():
        pump = scenario_class(scenario).pump(name)
        rates = [np.mean([chose(e, pump) for e in m["episodes"]]) for m in members]
        outcomes = {o: [np.mean([e[o] for e in m["episodes"]]) for m in members] for o in OUTCOMES}
        label = cell if not lam else f"{cell} (λ {lam:g})"
        cells = [describe(rates, (0.0, 1.0))] + [describe(outcomes[o]) for o in OUTCOMES]
        lines.append(
            f"| {scenario} | {name} | {pump.question} | {label} | {pump.choice} | "
            + " | ".join(cells)
            + " |"
        )
    return lines


@dataclass
class PumpsArgs:
    """Play trained assistants on the intuition pumps of their scenario; print their profile."""

    runs: tyro.conf.Positional[tuple[str, ...]]
    """run directories made by `empathy-gym train` or `compare`"""
    output_dir: str = "pumps"
    """where the profile and one frame per pump are written"""


def run_pumps(args: PumpsArgs) -> Path:
    from empathy_gym.extras import require
    from empathy_gym.train.episodes import load_run, record_episode
    from empathy_gym.train.runner import pump_episodes

    if not args.runs:
        raise ValueError("give one or more run directories")
    output = Path(args.output_dir)
    started = time.perf_counter()
    rows = []
    for run in args.runs:
        config, condition, policy = load_run(run)
        scenario = config["scenario"]
        for pump in scenario_class(scenario).pumps:
            rows.append(
                {
                    "scenario": scenario,
                    "pump": pump.name,
                    "cell": condition.cell,
                    "lam": float(condition.lam),
                    "seed": int(config["seed"]),
                    "episodes": pump_episodes(policy.model, scenario, condition, pump),
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
                Condition(),
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
