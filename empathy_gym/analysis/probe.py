"""``empathy-gym probe RUN [RUN ...]``: what trained assistants represent about people.

For each finished run: record its layers on probe episodes (seeds
``PROBE_SEED_OFFSET + 1000 * run seed + k``: never trained on, never the evaluation's),
probe every layer (``probes.py``), and silence the units of one trunk layer that best track
nearby affect, in doses, against random units, on other held-out episodes
(``silencing.py``). Runs of the same scenario, arm and lambda are pooled: each measure is a
mean over seeds with its 95% bootstrap-t interval. Writes ``<output-dir>/probes.md``,
``probes.csv``, ``pca.png`` (one panel per arm: the last trunk layer's first two principal
components, coloured by the true valence of the person nearest the assistant) and
``silencing_doses.png``.
"""

from __future__ import annotations

import csv
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import tyro

from empathy_gym.agents.arms import Arm
from empathy_gym.analysis.probes import MEASURES, RANGES, Activations, chance, probe
from empathy_gym.errors import check_positive_int
from empathy_gym.stats import describe
from empathy_gym.train.runs import load_run, run_env_kwargs

PROBE_SEED_OFFSET = 2_000_000
SILENCING_SEED_OFFSET = 3_000_000
SILENCED_OUTCOMES = ("welfare", "help", "harm")
"""what the tables show of silencing (the CSV has every metric)"""


@dataclass
class ProbeArgs:
    """Probe what trained assistants represent; silence their affect units in doses."""

    runs: tyro.conf.Positional[tuple[str, ...]]
    """run directories made by `empathy-gym train` or `compare`"""
    episodes: int = 16
    """probe episodes per run"""
    every: int = 2
    """record every this many steps"""
    layer: str = "trunk2"
    """the trunk layer whose units are silenced"""
    doses: tuple[int, ...] = (0, 4, 8, 16, 32)
    """numbers of units silenced"""
    silencing_episodes: int = 16
    """held-out episodes per dose"""
    output_dir: str = "probes"
    """where the tables and figures are written"""


@dataclass
class RunProbe:
    scenario: str
    arm: str
    lam: float
    seed: int
    measures: dict[str, dict[str, float]]  # layer -> measure -> value
    chance: dict[str, float]
    doses: dict[str, dict[int, dict[str, float]]]
    pca: tuple[np.ndarray, np.ndarray]  # (2-D projection, colour) of the last trunk layer


@dataclass
class Recorded:
    """A finished run's network and its layers on the run's probe episodes."""

    scenario: str
    arm: Arm
    seed: int
    model: object
    acts: Activations
    env_kwargs: dict


def record(run_dir: str, episodes: int, every: int) -> Recorded:
    """Load a finished run and record its layers on probe episodes seeded from its seed."""
    from empathy_gym.analysis.activations import collect

    config, arm, policy = load_run(run_dir)
    scenario, seed = config["scenario"], int(config["seed"])
    env_kwargs = run_env_kwargs(config)
    acts = collect(
        policy.model,
        scenario,
        arm,
        episodes,
        PROBE_SEED_OFFSET + 1000 * seed,
        every,
        **env_kwargs,
    )
    return Recorded(scenario, arm, seed, policy.model, acts, env_kwargs)


def probe_run(run_dir: str, args: ProbeArgs) -> RunProbe:
    """Every layer probed, the silencing dose curve and the PCA of one run."""
    from empathy_gym.analysis.activations import check_doses, layer_width, trunk_layers
    from empathy_gym.analysis.silencing import dose_curve

    model = load_run(run_dir)[2].model
    layers = trunk_layers(model)
    if args.layer not in layers:
        raise ValueError(
            f"--layer {args.layer!r} is not a layer of {run_dir}; use one of {list(layers)}"
        )
    check_doses(args.doses, layer_width(model, args.layer), args.layer)
    run = record(run_dir, args.episodes, args.every)
    doses = dose_curve(
        run.model,
        run.acts,
        args.layer,
        args.doses,
        run.scenario,
        run.arm,
        args.silencing_episodes,
        SILENCING_SEED_OFFSET + 1000 * run.seed,
        **run.env_kwargs,
    )
    last = run.acts.layers[list(layers)[-1]]
    centred = last - last.mean(axis=0)
    components = np.linalg.svd(centred, full_matrices=False)[2][:2]
    return RunProbe(
        run.scenario,
        run.arm.name,
        float(run.arm.lam),
        run.seed,
        {name: probe(run.acts, name, run.seed) for name in run.acts.layers},
        chance(run.acts),
        doses,
        (centred @ components.T, run.acts.nearest_valence),
    )


def summarise(probes: list[RunProbe], layer_name: str) -> list[str]:
    groups: dict[tuple, list[RunProbe]] = {}
    for p in probes:
        groups.setdefault((p.scenario, p.arm, p.lam), []).append(p)
    lines = ["# What the assistants represent (empathy-gym probe)", ""]
    for (scenario, arm, lam), runs in groups.items():
        seeds = sorted(p.seed for p in runs)
        lines += [
            f"## {scenario}, {arm}{f' at λ = {lam:g}' if lam else ''} (seeds {seeds})",
            "",
            "| layer | " + " | ".join(MEASURES) + " |",
            "|---|" + "---|" * len(MEASURES),
        ]
        for layer in runs[0].measures:
            values = [describe([p.measures[layer][m] for p in runs], RANGES[m]) for m in MEASURES]
            lines.append(f"| {layer} | " + " | ".join(values) + " |")
        lines.append(
            "| chance | " + " | ".join(f"{runs[0].chance[m]:.2f}" for m in MEASURES) + " |"
        )
        lines += [
            "",
            f"Silencing the k units of {layer_name} that best track nearby affect, against k"
            " random units (held-out episodes):",
            "",
            "| k | " + " | ".join(f"{o}: affect | {o}: random" for o in SILENCED_OUTCOMES) + " |",
            "|---|" + "---|---|" * len(SILENCED_OUTCOMES),
        ]
        for k in runs[0].doses["affect"]:
            row = [
                describe([p.doses[kind][k][o] for p in runs])
                for o in SILENCED_OUTCOMES
                for kind in ("affect", "random")
            ]
            lines.append(f"| {k} | " + " | ".join(row) + " |")
        lines.append("")
    return lines


def write_csv(path: Path, probes: list[RunProbe]) -> None:
    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["scenario", "arm", "lam", "seed", "layer", "measure", "value"])
        for p in probes:
            for layer, values in p.measures.items():
                for measure, value in values.items():
                    writer.writerow([p.scenario, p.arm, p.lam, p.seed, layer, measure, value])
            for kind, by_k in p.doses.items():
                for k, outcomes in by_k.items():
                    for outcome, value in outcomes.items():
                        writer.writerow(
                            [
                                p.scenario,
                                p.arm,
                                p.lam,
                                p.seed,
                                f"silenced:{kind}:{k}",
                                outcome,
                                value,
                            ]
                        )


def write_figures(probes: list[RunProbe], output: Path) -> None:
    from empathy_gym.extras import require

    require("matplotlib").use("Agg")
    plt = require("matplotlib.pyplot")
    arms = list(dict.fromkeys((p.scenario, p.arm, p.lam) for p in probes))
    fig, axes = plt.subplots(
        1, len(arms), squeeze=False, figsize=(4 * len(arms), 3.6), layout="constrained"
    )
    for ax, key in zip(axes[0], arms, strict=True):
        first = next(p for p in probes if (p.scenario, p.arm, p.lam) == key)
        points, colour = first.pca
        shown = ax.scatter(
            points[:, 0], points[:, 1], c=colour, cmap="RdYlGn", vmin=-1, vmax=1, s=4
        )
        ax.set_title(f"{key[0]}: {key[1]} (seed {first.seed})", fontsize=9)
        ax.set_xlabel("PC 1")
        ax.set_ylabel("PC 2")
    fig.colorbar(shown, ax=axes[0].tolist(), label="true valence of the nearest person")
    fig.savefig(output / "pca.png", dpi=100)
    plt.close(fig)

    fig, axes = plt.subplots(1, len(arms), squeeze=False, figsize=(4 * len(arms), 3.4))
    for ax, key in zip(axes[0], arms, strict=True):
        runs = [p for p in probes if (p.scenario, p.arm, p.lam) == key]
        for kind, style in (("affect", "o-"), ("random", "s--")):
            ks = sorted(runs[0].doses[kind])
            means = [np.mean([p.doses[kind][k]["welfare"] for p in runs]) for k in ks]
            ax.plot(ks, means, style, label=f"{kind} units")
        ax.set_title(f"{key[0]}: {key[1]}", fontsize=9)
        ax.set_xlabel("units silenced (k)")
        ax.set_ylabel("welfare")
    axes[0, 0].legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(output / "silencing_doses.png", dpi=100)
    plt.close(fig)


def run_probe(args: ProbeArgs) -> Path:
    for name in ("episodes", "every", "silencing_episodes"):
        check_positive_int(name, getattr(args, name))
    if args.episodes < 2:
        raise ValueError(
            f"episodes must be at least 2 (probes are scored on held-out episodes), got"
            f" {args.episodes}"
        )
    if not args.runs:
        raise ValueError("give one or more run directories")
    output = Path(args.output_dir)
    started = time.perf_counter()
    probes = []
    for run in args.runs:
        probes.append(probe_run(run, args))
        print(f"probed {run} ({time.perf_counter() - started:.0f} s)", flush=True)
    output.mkdir(parents=True, exist_ok=True)
    lines = summarise(probes, args.layer)
    (output / "probes.md").write_text("\n".join(lines) + "\n")
    write_csv(output / "probes.csv", probes)
    write_figures(probes, output)
    print("\n".join(lines))
    return output
