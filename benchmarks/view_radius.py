"""How large a window of walls and people the observation needs: the measurement behind the
default ``view_radius``.

    python benchmarks/view_radius.py [--episodes 32]

Every task feature sits in the observation at any distance; the window is only for finding
the way around walls and people. The truth-free scripts navigate on a mental map of what
their window has shown them, so their returns at each radius say how much a policy can lose
by seeing less. Each script plays the same evaluation episodes on procedural maps of the
training family and of the large family (17 x 17: most to discover) at radius 1 to 8 (the
largest; a window of 17 x 17 cells), and its task return and welfare are stated as a ratio
to radius 8's. The observation grows with the window's area, (2r + 1)^2 entries for walls and
as many for people, so the default is the smallest radius from which every script keeps
``KEEP`` of radius 8's task return on both families (of its welfare, for a script whose task
return is 0: comfort's carers).
"""

from __future__ import annotations

import argparse

import numpy as np

from empathy_gym.agents.arms import Arm
from empathy_gym.envs.parallel import ASSISTANT, EmpathyParallelEnv
from empathy_gym.envs.scenarios import SCENARIOS, make_scenario
from empathy_gym.rollout.evaluate import evaluate, scripted

RADII = (1, 2, 3, 4, 5, 6, 8)
FAMILIES = ("train", "large")
KEEP = 0.95
FIRST_SEED = 2_000_000  # seeds no run trains or is evaluated on


def measure(scenario: str, family: str, radius: int, episodes: int) -> dict[str, tuple]:
    """(mean task return, mean welfare) of every truth-free script that acts."""
    kwargs = {"layout": "procedural", "family": family, "view_radius": radius}
    rules = make_scenario(scenario, **kwargs)
    seeds = range(FIRST_SEED, FIRST_SEED + episodes)
    out = {}
    for kind in rules.truth_free_policies():
        if kind in ("random", "nothing"):
            continue
        played = evaluate(
            scripted(kind, rules, seeds), scenario, Arm(), episodes, seeds[0], **kwargs
        )
        out[kind] = (
            float(np.mean([e.task_return for e in played])),
            float(np.mean([e.welfare for e in played])),
        )
    return out


def ratio(x: float, reference: float) -> str:
    return f"{x / reference:.2f}" if reference > 0 else "n/a"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--episodes", type=int, default=32)
    args = parser.parse_args()
    chosen = {}
    for scenario in (name for name, cls in SCENARIOS.items() if cls.draw is not None):
        results = {
            (family, radius): measure(scenario, family, radius, args.episodes)
            for family in FAMILIES
            for radius in RADII
        }
        print(f"\n{scenario}: task return (and welfare) as a ratio to radius {RADII[-1]}'s")
        kinds = list(results[(FAMILIES[0], RADII[0])])
        print(
            "| radius | obs entries | "
            + " | ".join(f"{f}: {k}" for f in FAMILIES for k in kinds)
            + " |"
        )
        print("|---|---|" + "---|" * (len(FAMILIES) * len(kinds)))
        keeps = []
        for radius in RADII:
            env = EmpathyParallelEnv(scenario, layout="procedural", view_radius=radius)
            size = env.observation_space(ASSISTANT).shape[0]
            cells, kept = [], True
            for family in FAMILIES:
                for kind in kinds:
                    task, welfare = results[(family, radius)][kind]
                    ref_task, ref_welfare = results[(family, RADII[-1])][kind]
                    cells.append(f"{ratio(task, ref_task)} ({ratio(welfare, ref_welfare)})")
                    if ref_task > 0:  # a script is judged on what it achieves: its task,
                        kept &= task >= KEEP * ref_task
                    elif ref_welfare > 0:  # or, when it has none, others' welfare
                        kept &= welfare >= KEEP * ref_welfare
            keeps.append(kept)
            print(f"| {radius} | {size} | " + " | ".join(cells) + " |")
        reference = {f"{f}: {k}": results[(f, RADII[-1])][k] for f in FAMILIES for k in kinds}
        print(
            f"radius {RADII[-1]} (task return, welfare): "
            + "; ".join(f"{name} {t:.2f}, {w:.2f}" for name, (t, w) in reference.items())
        )
        chosen[scenario] = next(
            r for r, k in zip(RADII, keeps, strict=True) if all(keeps[RADII.index(r) :])
        )
        print(
            f"smallest radius from which every script keeps {KEEP} of what it achieves: "
            f"{chosen[scenario]}"
        )
    print(f"\nchosen (the largest of the scenarios'): view_radius = {max(chosen.values())}")


if __name__ == "__main__":
    main()
