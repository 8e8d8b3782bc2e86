"""A comparison's results as tidy tables: one row per evaluation episode, one per seed.

A row names the ``scenario``, the ``arm`` (or ``script:<name>`` for a scripted
assistant), its ``lam`` (0 where it has none), the ``seed``, the evaluation ``population``
and ``setting`` (``""``; an ablation of the belief inputs, ``remove`` or ``noise0.5``;
``layout:<name>``; ``pump:<name>``), then the episode's metrics (``EpisodeMetrics``).

Every episode carries the sums of every other-regarding term, so the return of any policy
under any arm's training reward, ``task + lambda * term``, is computed here, which is what
the competence check and the normalised scores need.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np

from empathy_gym.agents.arms import ARMS
from empathy_gym.envs.scenarios import scenario_class
from empathy_gym.train.runner import TrainArgs
from empathy_gym.train.runs import run_dir_name

KEY = ("scenario", "arm", "lam", "seed", "population", "setting")


def term_of(arm: str) -> str | None:
    """The metric column holding the episode sum of an arm's other-regarding term."""
    factors = ARMS[arm]
    if factors.term == "welfare":
        return "welfare_sum"
    if factors.term == "mood":
        return f"mood_{factors.coupling}" + ("" if factors.belief_inputs else "_face")
    return None


def reward_of(arm: str) -> str:
    """The name of an arm's reward: its other-regarding term's column, or ``task``. Arms
    that differ only in their inputs (``cirl``, ``cirl-cognitive``) share one."""
    return term_of(arm) or "task"


def own_return(row: dict, arm: str, lam: float) -> float:
    """The return of ``row``'s episode under ``arm``'s training reward at ``lam``."""
    term = term_of(arm)
    return row["task_return"] + (lam * row[term] if term else 0.0)


SCRIPT_PREFIX = "script:"
"""A row of a scripted assistant names it ``script:<name>`` in the ``arm`` column."""
PLANNER_PREFIX = SCRIPT_PREFIX + "planner:"
"""The planner's rows name the reward it planned under: ``script:planner:<reward>``, with
the lambda in the ``lam`` column (``agents/planner.py``; ``reward_of``)."""
LAYOUT_PREFIX = "layout:"
PUMP_PREFIX = "pump:"
"""Settings of a run's episodes on one kind of layout, and on one intuition pump."""
RENAMED_RESULTS = {"lesions": "ablations", "variants": "pumps"}
"""Groups of ``eval.json`` written before the rename, and their names now."""


def load_runs(runs: list[TrainArgs], output_dir: str) -> list[dict]:
    """One row per evaluation episode of each run (its ``eval.json``)."""
    rows = []
    for run in runs:
        arm = run.to_arm()
        path = Path(output_dir) / run_dir_name(run.scenario, arm, run.seed) / "eval.json"
        results = {RENAMED_RESULTS.get(k, k): v for k, v in json.loads(path.read_text()).items()}
        groups = (
            ((population, "", eps) for population, eps in results["populations"].items()),
            ((run.population, name, eps) for name, eps in results["ablations"].items()),
            (
                (run.population, LAYOUT_PREFIX + name, eps)
                for name, eps in results.get("layouts", {}).items()  # runs made before: none
            ),
            (
                (run.population, PUMP_PREFIX + scenario_class(run.scenario).stored_pump(name), eps)
                for name, eps in results["pumps"].items()
            ),
        )
        for population, setting, episodes in (item for group in groups for item in group):
            rows += [
                {
                    "scenario": run.scenario,
                    "arm": arm.name,
                    "lam": float(arm.lam),
                    "seed": run.seed,
                    "population": population,
                    "setting": setting,
                    "episode": k,
                    **metrics,
                }
                for k, metrics in enumerate(episodes)
            ]
    return rows


def seed_means(rows: list[dict]) -> list[dict]:
    """One row per seed (and everything else in KEY): the mean of each metric over episodes.

    ``help_share`` is the seed's help over its acts aimed at people (nan when it aimed
    none); ``near_distress`` ignores episodes in which nobody was distressed.
    """
    groups: dict[tuple, list[dict]] = {}
    for r in rows:
        groups.setdefault(tuple(r[k] for k in KEY), []).append(r)
    metrics = [k for k in rows[0] if k not in (*KEY, "episode")]
    out = []
    for key, members in groups.items():
        row = dict(zip(KEY, key, strict=True)) | {"episodes": len(members)}
        for m in metrics:
            values = np.array([r[m] for r in members], float)
            row[m] = float(np.nanmean(values)) if np.isfinite(values).any() else float("nan")
        targeted = sum(r["targeted"] for r in members)
        row["help_share"] = sum(r["help"] for r in members) / targeted if targeted else np.nan
        out.append(row)
    return out


class Table:
    """Seed-level results, selectable by any of KEY."""

    def __init__(self, seed_rows: list[dict]):
        self.rows = seed_rows

    def select(self, **where) -> list[dict]:
        return [r for r in self.rows if all(r[k] == v for k, v in where.items())]

    def by_seed(self, metric: str, **where) -> dict[int, float]:
        """``{seed: value}`` of ``metric`` (a column, or a callable of the row)."""
        out = {}
        for r in self.select(**where):
            out[r["seed"]] = metric(r) if callable(metric) else r[metric]
        return out

    def lams(self, scenario: str, arm: str) -> list[float]:
        return sorted({r["lam"] for r in self.select(scenario=scenario, arm=arm)})


def scripts_of(table: Table, scenario: str) -> list[str]:
    """The truth-free scripted assistants evaluated for ``scenario``: the references an arm
    is measured against (a script that reads the hidden truth never is one)."""
    names = sorted({r["arm"] for r in table.select(scenario=scenario)})
    free = scenario_class(scenario).truth_free_policies()
    return [n for n in names if n.startswith(SCRIPT_PREFIX) and n[len(SCRIPT_PREFIX) :] in free]


def write_csv(path: Path, rows: list[dict]) -> None:
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


OWN_RETURN_CURVE = "episode/shaped_return"
"""The learning-curve column of each training episode's return under the arm's own reward
(``task + lambda * term``; the novelty bonus is not in it)."""
REACH_WINDOW = 3
"""Logged batches of training episodes whose mean must reach a level for a curve to have
reached it. Every env of the batch starts and ends its episodes together, so a row of the
curve is one batch (once per episode length), one draw of the population."""


def read_curve(path: Path, column: str) -> tuple[np.ndarray, np.ndarray]:
    """(steps, values) of one column of a run's ``progress.csv``, where it has a value."""
    steps, values = [], []
    with path.open() as f:
        for row in csv.DictReader(f):
            if row.get(column):
                steps.append(float(row["time/global_step"]))
                values.append(float(row[column]))
    return np.array(steps), np.array(values)


def steps_to_reach(steps: np.ndarray, values: np.ndarray, level: float) -> int | None:
    """The first step at which the mean of the last ``REACH_WINDOW`` logged values is at
    least ``level``; None if the curve never gets there."""
    if len(values) < REACH_WINDOW:
        return None
    means = np.convolve(values, np.ones(REACH_WINDOW) / REACH_WINDOW, mode="valid")
    reached = np.flatnonzero(means >= level)
    return int(steps[REACH_WINDOW - 1 + reached[0]]) if len(reached) else None
