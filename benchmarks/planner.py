"""The planner against every truth-free script, under every reward of the report's grid, and
how its return grows with its compute.

    python benchmarks/planner.py [--episodes 64] [--scenarios fetch comfort dilemma]
                                 [--scaling-episodes 32]

Part 1. For each scenario and each distinct reward the full comparison trains under (every
arm at lambda 1 and 4; arms that differ only in their inputs share a reward), the planner
plans under that reward on the instrument's episodes, and its return is set against the best
truth-free script's on the same episodes: the difference, paired by episode, with its
standard error, and the planner's seconds for those episodes (target: 64 in 2 minutes).

Part 2. Compute scaling, as AlphaZero papers show it: the planner's return in comfort under
cirl at lambda 4 (the reward where a policy must both infer and trade off) as particles and
depth grow, with the seconds each took.
"""

from __future__ import annotations

import argparse
import dataclasses
import time

import numpy as np

from empathy_gym.agents.arms import Arm
from empathy_gym.agents.planner import PlannerBudget
from empathy_gym.envs.scenarios import SCENARIOS, make_scenario
from empathy_gym.experiment.compare import planner_rewards
from empathy_gym.experiment.presets import PRESETS
from empathy_gym.experiment.results import own_return
from empathy_gym.rollout.evaluate import evaluate, scripted
from empathy_gym.rollout.instrument import INSTRUMENT_SEED

PARTICLES = (1, 2, 4, 6, 12)
DEPTHS = (4, 8, 16, 24, 32)


def play(scenario: str, kind: str, episodes: int, reward=None, budget=None) -> list[dict]:
    rules = make_scenario(scenario)
    seeds = range(INSTRUMENT_SEED, INSTRUMENT_SEED + episodes)
    act = scripted(kind, rules, seeds, reward, budget)
    return [dataclasses.asdict(m) for m in evaluate(act, scenario, Arm(), episodes, seeds[0])]


def returns(rows: list[dict], arm: Arm) -> np.ndarray:
    return np.array([own_return(r, arm.name, arm.lam) for r in rows])


def against_scripts(scenario: str, episodes: int) -> None:
    scripts = {
        kind: play(scenario, kind, episodes)
        for kind in make_scenario(scenario).truth_free_policies()
    }
    play(scenario, "planner", 1, Arm())  # compile before timing
    for (reward, lam), arm in planner_rewards(PRESETS["full"]).items():
        started = time.perf_counter()
        mine = returns(play(scenario, "planner", episodes, arm), arm)
        seconds = time.perf_counter() - started
        best = max(scripts, key=lambda k: returns(scripts[k], arm).mean())
        theirs = returns(scripts[best], arm)
        diff = mine - theirs
        se = diff.std(ddof=1) / np.sqrt(len(diff))
        verdict = "ok" if diff.mean() >= 0 else "BELOW"
        print(
            f"| {scenario} | {reward} | {lam:g} | {mine.mean():.2f} | {best} "
            f"{theirs.mean():.2f} | {diff.mean():+.2f} ± {se:.2f} | {verdict} | {seconds:.0f} |",
            flush=True,
        )


def scaling(episodes: int) -> None:
    arm = Arm("cirl", 4.0)
    default = PlannerBudget()
    grid = [dataclasses.replace(default, particles=p) for p in PARTICLES]
    grid += [dataclasses.replace(default, depth=d) for d in DEPTHS if d != default.depth]
    for budget in grid:
        started = time.perf_counter()
        mine = returns(play("comfort", "planner", episodes, arm, budget), arm)
        seconds = time.perf_counter() - started
        se = mine.std(ddof=1) / np.sqrt(len(mine))
        print(
            f"| {budget.particles} | {budget.depth} | {mine.mean():.1f} ± {se:.1f} | "
            f"{seconds:.0f} |",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, default=64)
    parser.add_argument("--scenarios", nargs="+", default=list(SCENARIOS))
    parser.add_argument("--scaling-episodes", type=int, default=32)
    args = parser.parse_args()
    print("| scenario | reward | λ | planner | best script | planner − script | | s |")
    print("|---|---|---|---|---|---|---|---|")
    for scenario in args.scenarios:
        against_scripts(scenario, args.episodes)
    if args.scaling_episodes:
        print("\ncomfort, cirl λ 4: return against compute")
        print("| particles | depth | return | s |")
        print("|---|---|---|---|")
        scaling(args.scaling_episodes)


if __name__ == "__main__":
    main()
