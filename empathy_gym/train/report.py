"""The comparison's outputs: CSV tables, the markdown report with CIs and predictions, plots.

Confidence intervals are 95% hierarchical bootstraps: resample seeds (training runs), then
evaluation episodes within each seed, so they reflect both training and evaluation noise.
Normalised scores map doing nothing to 0 and the oracle to 1 on the same evaluation episodes.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np

from empathy_gym.agents.conditions import Condition
from empathy_gym.train.evaluate import EpisodeMetrics
from empathy_gym.train.runner import TrainArgs, run_dir_name

METRICS = EpisodeMetrics.names()
TABLE_METRICS = ("task_return", "welfare", "harm", "help", "distress")
NORMALISED = ("task_return", "welfare")
KEY = ("scenario", "condition", "lesion")


def cell_name(condition: str, lesion: str) -> str:
    return condition if lesion in ("none", "-") else f"{condition}-{lesion}"


def load_run_episodes(runs: list[TrainArgs], output_dir: str) -> list[dict]:
    rows = []
    for run in runs:
        condition = Condition(run.condition, run.lesion, run.lam)
        path = Path(output_dir) / run_dir_name(run.scenario, condition, run.seed) / "eval.json"
        for population, episodes in json.loads(path.read_text()).items():
            for k, metrics in enumerate(episodes):
                rows.append(
                    {
                        "scenario": run.scenario,
                        "condition": run.condition,
                        "lesion": run.lesion,
                        "seed": run.seed,
                        "population": population,
                        "episode": k,
                        **metrics,
                    }
                )
    return rows


class Bootstrap:
    """Hierarchical bootstrap of a mean over seeds and the episodes within each seed."""

    def __init__(self, n: int, seed: int = 0):
        self.n = n
        self.rng = np.random.default_rng(seed)

    def resample(self, by_seed: list[np.ndarray]) -> np.ndarray:
        """``n`` bootstrap means, from per-seed arrays of episode values."""
        n_seeds = len(by_seed)
        means = np.empty((self.n, n_seeds))
        picks = self.rng.integers(n_seeds, size=(self.n, n_seeds))
        for s, values in enumerate(by_seed):
            draws = self.rng.integers(len(values), size=(self.n, len(values)))
            means[:, s] = values[draws].mean(axis=1)
        return np.take_along_axis(means, picks, axis=1).mean(axis=1)


def _interval(samples: np.ndarray) -> tuple[float, float]:
    return float(np.percentile(samples, 2.5)), float(np.percentile(samples, 97.5))


class Cells:
    """Episode values grouped by scenario, cell, population group and seed."""

    def __init__(self, rows: list[dict], train_population: str):
        self.rows = rows
        self.train_population = train_population

    def values(self, scenario, condition, lesion, metric, held_out: bool) -> list[np.ndarray]:
        by_seed: dict[int, list[float]] = {}
        for r in self.rows:
            if (r["scenario"], r["condition"], r["lesion"]) != (scenario, condition, lesion):
                continue
            if (r["population"] != self.train_population) != held_out:
                continue
            by_seed.setdefault(r["seed"], []).append(r[metric])
        return [np.array(v) for _, v in sorted(by_seed.items())]


def write_report(preset, runs, output_dir, baseline_rows, report_dir: Path, n_boot: int) -> None:
    report_dir.mkdir(parents=True, exist_ok=True)
    rows = load_run_episodes(runs, output_dir) + baseline_rows
    _write_csv(report_dir / "episodes.csv", rows)
    _write_csv(report_dir / "results.csv", _per_run_means(rows, preset.population))
    cells = Cells(rows, preset.population)
    boot = Bootstrap(n_boot)
    lines = _header(preset, n_boot)
    for scenario in preset.scenarios:
        for held_out in (False, True):
            lines += _table(cells, boot, preset, scenario, held_out)
    lines += _predictions(cells, boot, preset)
    (report_dir / "report.md").write_text("\n".join(lines) + "\n")
    from empathy_gym.train.plots import write_plots

    write_plots(cells, boot, preset, runs, output_dir, report_dir / "plots")


def _write_csv(path: Path, rows: list[dict]) -> None:
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def _per_run_means(rows: list[dict], train_population: str) -> list[dict]:
    groups: dict[tuple, list[dict]] = {}
    for r in rows:
        groups.setdefault((*[r[k] for k in KEY], r["seed"], r["population"]), []).append(r)
    out = []
    for (scenario, condition, lesion, seed, population), members in groups.items():
        out.append(
            {
                "scenario": scenario,
                "condition": condition,
                "lesion": lesion,
                "seed": seed,
                "population": population,
                "held_out": population != train_population,
                "episodes": len(members),
                **{m: float(np.mean([r[m] for r in members])) for m in METRICS},
            }
        )
    return out


def _header(preset, n_boot: int) -> list[str]:
    held_out = [p for p in preset.eval_populations if p != preset.population]
    return [
        f"# empathy-gym comparison: {preset.name}",
        "",
        f"- scenarios: {', '.join(preset.scenarios)}; cells: "
        f"{', '.join(cell_name(*cell) for cell in preset.cells)}",
        f"- training: {preset.timesteps:,} steps per run, population `{preset.population}`, "
        f"seeds {list(preset.seeds)}, {preset.n_envs} envs, {preset.max_cycles} steps per episode",
        f"- evaluation: {preset.eval_episodes} episodes per run and population (seeds "
        f"1000000 + run seed + k), held-out populations {held_out}",
        f"- mean [95% CI]: hierarchical bootstrap over seeds and episodes, {n_boot} resamples",
        "- normalised: doing nothing = 0, oracle = 1 on the same episodes",
        "",
    ]


def _table(cells: Cells, boot: Bootstrap, preset, scenario: str, held_out: bool) -> list[str]:
    populations = (
        [p for p in preset.eval_populations if p != preset.population]
        if held_out
        else [preset.population]
    )
    if not populations:
        return []
    title = "held-out populations" if held_out else "training population"
    header = ["cell", *TABLE_METRICS, *(f"{m} (norm.)" for m in NORMALISED)]
    lines = [
        f"## {scenario}: {title} ({', '.join(populations)})",
        "",
        "| " + " | ".join(header) + " |",
        "|" + "---|" * len(header),
    ]
    for condition, lesion in (*preset.cells, ("nothing", "-"), ("oracle", "-")):
        row = [cell_name(condition, lesion)]
        samples = {
            metric: boot.resample(cells.values(scenario, condition, lesion, metric, held_out))
            for metric in TABLE_METRICS
        }
        row += [_mean_ci(samples[metric]) for metric in TABLE_METRICS]
        for metric in NORMALISED:
            zero = _pooled_mean(cells, scenario, "nothing", metric, held_out)
            span = _pooled_mean(cells, scenario, "oracle", metric, held_out) - zero
            row.append(_mean_ci((samples[metric] - zero) / span) if span else "n/a")
        lines.append("| " + " | ".join(row) + " |")
    return [*lines, ""]


def _mean_ci(samples: np.ndarray) -> str:
    lo, hi = _interval(samples)
    return f"{samples.mean():.2f} [{lo:.2f}, {hi:.2f}]"


def _pooled_mean(cells: Cells, scenario: str, kind: str, metric: str, held_out: bool) -> float:
    return float(np.mean(np.concatenate(cells.values(scenario, kind, "-", metric, held_out))))


def _predictions(cells: Cells, boot: Bootstrap, preset) -> list[str]:
    from empathy_gym.train.predictions import check_predictions

    return ["## Predictions (DESIGN.md)", "", *check_predictions(cells, boot, preset), ""]
