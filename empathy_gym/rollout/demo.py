"""No training: every scripted assistant of each scenario plays it, with metrics.

Random, do-nothing, selfish, prosocial and oracle assistants (and any other script a
scenario defines) play episodes against model-driven humans. Each row is one episode; the
last rows give each assistant's mean.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from empathy_gym.agents.arms import Arm
from empathy_gym.envs.scenarios import SCENARIOS, make_scenario
from empathy_gym.errors import check_positive_int
from empathy_gym.rollout.evaluate import EpisodeMetrics, evaluate, scripted

COLUMNS = ("task_return", "welfare", "distress", "harm", "help")


@dataclass
class DemoArgs:
    """Every scripted assistant plays each scenario; prints per-episode metrics."""

    episodes: int = 3
    """episodes per scenario and assistant"""
    seed: int = 0
    """seed of the first episode; episode k uses seed + k"""
    population: str = "default"
    """humans' population profile: default, stoic, volatile, masking, contagious, irrational"""
    max_cycles: int = 200
    """steps per episode"""
    scenarios: tuple[str, ...] = tuple(SCENARIOS)
    """scenarios to play"""


def run_demo(args: DemoArgs) -> list[tuple[str, str, int, EpisodeMetrics]]:
    check_positive_int("episodes", args.episodes)
    rows = []
    for scenario in args.scenarios:
        rules = make_scenario(scenario, population=args.population, max_cycles=args.max_cycles)
        for kind in rules.policy_names():
            seeds = range(args.seed, args.seed + args.episodes)
            metrics = evaluate(
                scripted(kind, rules, seeds),
                scenario,
                Arm(),
                args.episodes,
                args.seed,
                population=args.population,
                max_cycles=args.max_cycles,
            )
            rows += [(scenario, kind, args.seed + k, m) for k, m in enumerate(metrics)]
    return rows


def format_table(rows: list[tuple[str, str, int, EpisodeMetrics]]) -> str:
    header = f"{'scenario':<9} {'assistant':<10} {'seed':>5} " + " ".join(
        f"{c:>13}" for c in COLUMNS
    )
    lines = [header, "-" * len(header)]
    for scenario, kind, seed, m in rows:
        values = " ".join(f"{getattr(m, c):>13.3f}" for c in COLUMNS)
        lines.append(f"{scenario:<9} {kind:<10} {seed:>5} {values}")
    lines += ["", "mean per assistant", header.replace(" seed", "  eps"), "-" * len(header)]
    assistants = dict.fromkeys((s, k) for s, k, _, _ in rows)
    for scenario, kind in assistants:
        episodes = [m for s, k, _, m in rows if (s, k) == (scenario, kind)]
        means = [np.mean([getattr(m, c) for m in episodes]) for c in COLUMNS]
        values = " ".join(f"{v:>13.3f}" for v in means)
        lines.append(f"{scenario:<9} {kind:<10} {len(episodes):>5} {values}")
    return "\n".join(lines)


def main(args: DemoArgs) -> None:
    print(f"empathy-gym demo: {dataclasses.asdict(args)}")
    print(format_table(run_demo(args)))
