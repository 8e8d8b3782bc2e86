"""A comparison's results as tidy tables: one row per evaluation episode, one per seed.

A row names the ``scenario``, the ``cell`` (or ``script:<name>`` for a scripted
assistant), its ``lam`` (0 where it has none), the ``seed``, the evaluation ``population``
and ``setting`` (``""``; a lesion of the belief inputs such as ``remove`` or ``noise0.5``;
``layout:<fixed|procedural>``; ``variant:<name>``), then the episode's metrics
(``EpisodeMetrics``).

Every episode carries the sums of every other-regarding term, so the return of any policy
under any cell's training reward, ``task + lambda * term``, is computed here, which is what
the competence check and the normalised scores need.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np

from empathy_gym.agents.conditions import CELLS
from empathy_gym.train.runner import TrainArgs
from empathy_gym.train.runs import run_dir_name

KEY = ("scenario", "cell", "lam", "seed", "population", "setting")


def term_of(cell: str) -> str | None:
    """The metric column holding the episode sum of a cell's other-regarding term."""
    spec = CELLS[cell]
    if spec.term == "welfare":
        return "welfare_sum"
    if spec.term == "mood":
        return f"mood_{spec.coupling}" + ("" if spec.belief_inputs else "_face")
    return None


def own_return(row: dict, cell: str, lam: float) -> float:
    """The return of ``row``'s episode under ``cell``'s training reward at ``lam``."""
    term = term_of(cell)
    return row["task_return"] + (lam * row[term] if term else 0.0)


def load_runs(runs: list[TrainArgs], output_dir: str) -> list[dict]:
    rows = []
    for run in runs:
        condition = run.to_condition()
        path = Path(output_dir) / run_dir_name(run.scenario, condition, run.seed) / "eval.json"
        results = json.loads(path.read_text())
        groups = (
            ((population, "", eps) for population, eps in results["populations"].items()),
            ((run.population, name, eps) for name, eps in results["lesions"].items()),
            (
                (run.population, f"layout:{name}", eps)
                for name, eps in results.get("layouts", {}).items()  # runs made before: none
            ),
            ((run.population, f"variant:{name}", eps) for name, eps in results["variants"].items()),
        )
        for population, setting, episodes in (item for group in groups for item in group):
            rows += [
                {
                    "scenario": run.scenario,
                    "cell": condition.cell,
                    "lam": float(condition.lam),
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

    def lams(self, scenario: str, cell: str) -> list[float]:
        return sorted({r["lam"] for r in self.select(scenario=scenario, cell=cell)})


def scripts_of(table: Table, scenario: str) -> list[str]:
    """The truth-free scripted assistants evaluated for ``scenario`` (never the oracle)."""
    names = sorted({r["cell"] for r in table.select(scenario=scenario)})
    return [n for n in names if n.startswith("script:") and n != "script:oracle"]


def write_csv(path: Path, rows: list[dict]) -> None:
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
