"""The comparison's plots: task-versus-welfare frontiers, welfare against the dose of an
ablation of the belief inputs, and learning curves. Each point is a mean over seeds with its
95% bootstrap-t interval."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from empathy_gym.agents.arms import ARMS
from empathy_gym.experiment.results import (
    OWN_RETURN_CURVE,
    SCRIPT_PREFIX,
    read_curve,
    scripts_of,
)
from empathy_gym.extras import require
from empathy_gym.stats import finite_interval
from empathy_gym.train.runs import run_dir_name

require("matplotlib").use("Agg")  # files only, never a window
plt = require("matplotlib.pyplot")

CURVES = (
    (OWN_RETURN_CURVE, "own-reward return"),
    ("episode/task_return", "task return"),
    ("episode/welfare", "welfare"),
)
"""Learning curves: each arm's return under its own training reward (the competence
measure, with the reference it is measured against as a dotted line), then its parts."""
STYLE = {
    "cirl": ("tab:blue", "-"),
    "cirl-cognitive": ("tab:blue", "--"),
    "contagion-proximity": ("tab:orange", "-"),
    "contagion-proximity-cognitive": ("tab:orange", "--"),
    "contagion-global": ("tab:green", "-"),
    "contagion-global-cognitive": ("tab:green", "--"),
    "ppo": ("black", ""),
    "affective": ("tab:red", ""),
}


def write_plots(report, runs, output_dir: str, plot_dir: Path) -> None:
    plot_dir.mkdir(parents=True, exist_ok=True)
    _frontiers(report, plot_dir / "frontiers.png")
    _ablation_doses(report, plot_dir / "ablation_doses.png")
    _learning_curves(report, runs, output_dir, plot_dir / "learning_curves.png")


def _mean_ci(values: dict) -> tuple[float, float, float]:
    x = finite_interval(values)
    if x is None:
        v = float(np.mean(list(values.values()))) if values else np.nan
        return v, v, v
    return x.mean, x.low, x.high


def _point(ax, report, scenario, arm, lam, **style):
    task = _mean_ci(report.seeds_of(scenario, arm, lam, "task_return"))
    welfare = _mean_ci(report.seeds_of(scenario, arm, lam, "welfare"))
    bounded = [np.nan_to_num(v, posinf=task[0], neginf=task[0]) for v in task]
    wbounded = [np.nan_to_num(v, posinf=welfare[0], neginf=welfare[0]) for v in welfare]
    ax.errorbar(
        bounded[0],
        wbounded[0],
        xerr=[[bounded[0] - bounded[1]], [bounded[2] - bounded[0]]],
        yerr=[[wbounded[0] - wbounded[1]], [wbounded[2] - wbounded[0]]],
        capsize=2,
        **style,
    )
    return task[0], welfare[0]


def _frontiers(report, path: Path) -> None:
    scenarios = report.preset.scenarios
    fig, axes = plt.subplots(1, len(scenarios), squeeze=False, figsize=(6 * len(scenarios), 5))
    for col, scenario in enumerate(scenarios):
        ax = axes[0, col]
        for arm in report.preset.arms:
            colour, line = STYLE.get(arm, ("grey", "-"))
            if not ARMS[arm].cares:
                _point(ax, report, scenario, arm, 0.0, fmt="s", color=colour, label=arm, ms=8)
                continue
            xs, ys = [], []
            for lam in report.points(scenario, arm):
                x, y = _point(ax, report, scenario, arm, lam, fmt="o", color=colour, ms=4)
                xs.append(x)
                ys.append(y)
                ax.annotate(f"{lam:g}", (x, y), fontsize=7, color=colour)
            ax.plot(xs, ys, line, color=colour, label=arm)
        for script in scripts_of(report.table, scenario):
            x, y = _point(ax, report, scenario, script, 0.0, fmt="x", color="grey", ms=7)
            ax.annotate(script.removeprefix(SCRIPT_PREFIX), (x, y), fontsize=8, color="grey")
        ax.set_title(f"{scenario} (numbers: λ)")
        ax.set_xlabel("task return")
        ax.set_ylabel("welfare (mean true valence)")
    axes[0, 0].legend(fontsize=7)
    fig.suptitle("frontiers over λ, training population (mean and 95% CI over seeds)")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def _ablation_doses(report, path: Path) -> None:
    scenarios = report.preset.scenarios
    lam = report.preset.report_lam
    fig, axes = plt.subplots(1, len(scenarios), squeeze=False, figsize=(5 * len(scenarios), 4))
    for col, scenario in enumerate(scenarios):
        ax = axes[0, col]
        for arm in report.preset.arms:
            if not ARMS[arm].belief_inputs:
                continue
            at = lam if ARMS[arm].cares else 0.0
            doses, means, lows, highs = [], [], [], []
            settings = [("", 0.0)] + [(f"noise{d:g}", d) for d in (0.25, 0.5, 1.0)]
            for setting, dose in settings:
                values = report.seeds_of(scenario, arm, at, "welfare", setting=setting)
                if not values:
                    continue
                m, lo, hi = _mean_ci(values)
                doses.append(dose)
                means.append(m)
                lows.append(np.nan_to_num(lo, neginf=m))
                highs.append(np.nan_to_num(hi, posinf=m))
            colour = STYLE.get(arm, ("grey", "-"))[0]
            ax.plot(doses, means, "o-", color=colour, label=arm)
            ax.fill_between(doses, lows, highs, color=colour, alpha=0.15)
            removed = report.seeds_of(scenario, arm, at, "welfare", setting="remove")
            if removed:
                ax.scatter([1.05], [_mean_ci(removed)[0]], marker="D", color=colour)
        ax.set_title(f"{scenario} (λ = {lam:g}; diamond: inputs removed)")
        ax.set_xlabel("dose of noise in the belief inputs")
        ax.set_ylabel("welfare")
    axes[0, 0].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def _learning_curves(report, runs, output_dir: str, path: Path) -> None:
    """Per scenario, each arm's curves: every seed thin, their mean thick; on the own-reward
    panel, the return of the reference its competence is measured against (dotted)."""
    preset = report.preset
    fig, axes = plt.subplots(
        len(CURVES), len(preset.scenarios), squeeze=False, figsize=(5 * len(preset.scenarios), 9)
    )
    for col, scenario in enumerate(preset.scenarios):
        arms = dict.fromkeys(r.to_arm() for r in runs if r.scenario == scenario)
        for arm in arms:
            mine = [r for r in runs if r.scenario == scenario and r.to_arm() == arm]
            colour, line = STYLE.get(arm.name, ("grey", "-"))
            for row, (column, label) in enumerate(CURVES):
                curves = [
                    read_curve(
                        Path(output_dir) / run_dir_name(scenario, arm, r.seed) / "progress.csv",
                        column,
                    )
                    for r in mine
                ]
                length = min(len(s) for s, _ in curves)
                if length == 0:
                    continue
                steps = curves[0][0][:length]
                for seed_steps, values in curves:
                    axes[row, col].plot(seed_steps, values, "-", color=colour, lw=0.4, alpha=0.4)
                mean = np.mean([v[:length] for _, v in curves], axis=0)
                axes[row, col].plot(steps, mean, line or "-", color=colour, label=arm.label)
                axes[row, col].set_ylabel(label)
            reference = report.competence(scenario, arm.name, arm.lam)["best_return"]
            axes[0, col].axhline(reference, color=colour, ls=":", lw=1)
        axes[0, col].set_title(scenario)
        axes[-1, col].set_xlabel("environment steps")
    axes[0, 0].legend(fontsize=6)
    fig.suptitle("seeds thin, their mean thick; dotted: the reference", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
