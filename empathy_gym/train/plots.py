"""The comparison's plots: learning curves, task return against welfare, the lesions' bars."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from empathy_gym.agents.conditions import Condition
from empathy_gym.extras import require
from empathy_gym.train.report import cell_name
from empathy_gym.train.runner import run_dir_name

require("matplotlib").use("Agg")  # files only, never a window
plt = require("matplotlib.pyplot")

CURVES = (("episode/task_return", "task return"), ("episode/welfare", "welfare"))


def write_plots(cells, boot, preset, runs, output_dir: str, plot_dir: Path) -> None:
    plot_dir.mkdir(parents=True, exist_ok=True)
    _learning_curves(preset, runs, output_dir, plot_dir / "learning_curves.png")
    _task_vs_welfare(cells, preset, plot_dir / "task_vs_welfare.png")
    _lesion_bars(cells, boot, preset, plot_dir / "lesions.png")


def _read_curve(path: Path, column: str) -> tuple[np.ndarray, np.ndarray]:
    steps, values = [], []
    with path.open() as f:
        for row in csv.DictReader(f):
            if row.get(column):
                steps.append(float(row["time/total_timesteps"]))
                values.append(float(row[column]))
    return np.array(steps), np.array(values)


def _learning_curves(preset, runs, output_dir: str, path: Path) -> None:
    fig, axes = plt.subplots(
        len(CURVES), len(preset.scenarios), squeeze=False, figsize=(5 * len(preset.scenarios), 6.5)
    )
    for col, scenario in enumerate(preset.scenarios):
        for condition, lesion in preset.cells:
            mine = [
                r
                for r in runs
                if (r.scenario, r.condition, r.lesion) == (scenario, condition, lesion)
            ]
            for row, (column, label) in enumerate(CURVES):
                curves = []
                for run in mine:
                    run_dir = Path(output_dir) / run_dir_name(
                        scenario, Condition(condition, lesion, run.lam), run.seed
                    )
                    curves.append(_read_curve(run_dir / "progress.csv", column))
                length = min(len(s) for s, _ in curves)
                if length == 0:
                    continue
                steps = curves[0][0][:length]
                mean = np.mean([v[:length] for _, v in curves], axis=0)
                axes[row, col].plot(steps, mean, label=cell_name(condition, lesion))
                axes[row, col].set_ylabel(label)
        axes[0, col].set_title(scenario)
        axes[-1, col].set_xlabel("environment steps")
    axes[0, 0].legend(fontsize=8)
    fig.suptitle(f"learning curves (training episodes, mean over seeds {list(preset.seeds)})")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def _task_vs_welfare(cells, preset, path: Path) -> None:
    fig, axes = plt.subplots(
        1, len(preset.scenarios), squeeze=False, figsize=(5 * len(preset.scenarios), 4)
    )
    for col, scenario in enumerate(preset.scenarios):
        ax = axes[0, col]
        for condition, lesion in (*preset.cells, ("nothing", "-"), ("oracle", "-")):
            task = [
                v.mean() for v in cells.values(scenario, condition, lesion, "task_return", False)
            ]
            welfare = [
                v.mean() for v in cells.values(scenario, condition, lesion, "welfare", False)
            ]
            marker = "x" if lesion == "-" else "o"
            ax.scatter(task, welfare, marker=marker, label=cell_name(condition, lesion))
        ax.set_title(scenario)
        ax.set_xlabel("task return")
        ax.set_ylabel("welfare (mean true valence)")
    axes[0, 0].legend(fontsize=8)
    fig.suptitle("one point per training seed (training population)")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def _lesion_bars(cells, boot, preset, path: Path) -> None:
    metrics = (("welfare", "welfare"), ("help", "help given"))
    fig, axes = plt.subplots(
        len(metrics), len(preset.scenarios), squeeze=False, figsize=(5 * len(preset.scenarios), 6.5)
    )
    names = [cell_name(*cell) for cell in preset.cells]
    for col, scenario in enumerate(preset.scenarios):
        for row, (metric, label) in enumerate(metrics):
            means, errors = [], []
            for condition, lesion in preset.cells:
                samples = boot.resample(cells.values(scenario, condition, lesion, metric, False))
                lo, hi = np.percentile(samples, [2.5, 97.5])
                means.append(samples.mean())
                errors.append((samples.mean() - lo, hi - samples.mean()))
            ax = axes[row, col]
            ax.bar(range(len(names)), means, yerr=np.array(errors).T, capsize=3)
            ax.set_xticks(range(len(names)), names, rotation=30, ha="right", fontsize=8)
            ax.set_ylabel(label)
        axes[0, col].set_title(scenario)
    fig.suptitle("by condition and lesion, mean and 95% bootstrap CI (training population)")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
