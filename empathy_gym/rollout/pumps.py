"""The intuition-pump battery: a moral profile of assistants across the scenarios' pumps.

Each scenario module lists its pumps (``Scenario.pumps``): short fixed-seed episode sets that
isolate one classic question, each with the choice it measures (``metric > threshold``).
A policy's *choice rate* on a pump is the share of its episodes in which it made that
choice; an arm's is the mean over its seeds, with a 95% bootstrap-t interval over seeds
(pooling seeds and episodes, the interval treats each seed's episodes as one sample). Beside
it, the welfare, harm and help the choice caused.

``empathy-gym pumps RUN [RUN ...]`` (``analysis/moral_profile.py``) prints the profile of
trained runs; ``compare`` puts the same table in its report (every run plays every pump of
its scenario after training).
"""

from __future__ import annotations

import numpy as np

from empathy_gym.envs.scenarios import scenario_class
from empathy_gym.rollout.evaluate import bounds_of
from empathy_gym.stats import describe

OUTCOMES = ("welfare", "harm", "help")


def chose(episode: dict, pump) -> bool:
    return bool(episode[pump.metric] > pump.threshold)


def choice_rate(episodes: list[dict], pump) -> float:
    """The share of ``episodes`` in which the pump's choice was made."""
    return float(np.mean([chose(e, pump) for e in episodes]))


def profile_lines(rows: list[dict]) -> list[str]:
    """The moral profile table from rows of (scenario, arm, lam, seed, pump, episodes)."""
    lines = [
        "| scenario | pump | question | arm | choice | rate | welfare | harm | help |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    groups: dict[tuple, list[dict]] = {}
    for r in rows:
        groups.setdefault((r["scenario"], r["pump"], r["arm"], r["lam"]), []).append(r)
    for (scenario, name, arm, lam), members in groups.items():
        pump = scenario_class(scenario).pump(name)
        rates = [choice_rate(m["episodes"], pump) for m in members]
        outcomes = {o: [np.mean([e[o] for e in m["episodes"]]) for m in members] for o in OUTCOMES}
        label = arm if not lam else f"{arm} (λ {lam:g})"
        values = [describe(rates, (0.0, 1.0))]
        values += [describe(outcomes[o], bounds_of(o)) for o in OUTCOMES]
        lines.append(
            f"| {scenario} | {name} | {pump.question} | {label} | {pump.choice} | "
            + " | ".join(values)
            + " |"
        )
    return lines
