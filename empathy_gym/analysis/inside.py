"""Prediction 3 seen from inside the agents, for the comparison report.

Prediction 3 says the affective lesion *knows but doesn't care*: it falls back to ``ppo``'s
welfare while still representing the people around it. Its behavioural half is judged from
welfare in the report's predictions; this is the other half. Every run of ``ppo``, the
affective lesion and each intact arm with belief inputs (at the report's lambda) is probed
on held-out episodes (``empathy-gym probe``, without its silencing), and the last trunk
layer's read-outs are compared between arms, paired by seed: an interval of the difference
below 0 means the lesioned agent represents less, one containing 0 means no detectable loss.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from empathy_gym.agents.arms import ARMS
from empathy_gym.analysis.probe import record
from empathy_gym.analysis.probes import RANGES, probe
from empathy_gym.stats import describe, paired_interval

REPRESENTED = ("valence", "goal", "distress")
EPISODES = 8


@dataclass(frozen=True)
class ProbedRun:
    scenario: str
    arm: str
    seed: int
    path: Path


def arms_to_probe(arms: tuple[str, ...], report_lam: float) -> dict[str, float]:
    """ppo, the affective lesion and each intact arm with belief inputs, with its lambda."""
    wanted = {}
    for arm in arms:
        spec = ARMS[arm]
        if arm == "ppo" or (spec.belief_inputs and not spec.cares):
            wanted[arm] = 0.0
        elif spec.belief_inputs:
            wanted[arm] = report_lam
    return wanted


def knows_section(runs: list[ProbedRun]) -> list[str]:
    """The report section: read-outs per arm, and the affective lesion against the others."""
    if not any(r.arm == "affective" for r in runs):
        return []
    lines = [
        "## Inside the agents: does the affective lesion still know? (prediction 3)",
        "",
        f"Linear probes of the last trunk layer on {EPISODES} held-out episodes per run"
        " (`empathy-gym probe` gives every layer, RSA and silencing): R² of each"
        " person's true valence, balanced accuracy of their goal and of 'someone is"
        " distressed', mean over seeds [95% CI]; differences paired by seed.",
        "",
    ]
    for scenario in dict.fromkeys(r.scenario for r in runs):
        measured = {}
        for run in (r for r in runs if r.scenario == scenario):
            acts = record(str(run.path), EPISODES, every=2).acts
            last = [name for name in acts.layers if name.startswith("trunk")][-1]
            measured.setdefault(run.arm, {})[run.seed] = probe(acts, last, run.seed)
        lines += [f"**{scenario}**", "", "| arm | " + " | ".join(REPRESENTED) + " |"]
        lines.append("|---|" + "---|" * len(REPRESENTED))
        for arm, by_seed in measured.items():
            row = [describe([m[k] for m in by_seed.values()], RANGES[k]) for k in REPRESENTED]
            lines.append(f"| {arm} | " + " | ".join(row) + " |")
        lines.append("")
        for other in (c for c in measured if c != "affective"):
            seeds = sorted(set(measured["affective"]) & set(measured[other]))
            if len(seeds) < 2:
                continue
            parts = []
            for k in REPRESENTED:
                iv = paired_interval(
                    [measured["affective"][s][k] for s in seeds],
                    [measured[other][s][k] for s in seeds],
                    rng=0,
                )
                verdict = {-1: "less", 0: "no detectable difference", 1: "more"}[iv.side]
                parts.append(f"{k} {iv} ({verdict})")
            lines.append(f"- affective − {other}: " + "; ".join(parts))
        lines.append("")
    return lines
