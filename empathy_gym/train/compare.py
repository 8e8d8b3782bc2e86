"""``empathy-gym compare``: scenarios x conditions x lesions x seeds, then one report.

Each run is an ordinary training run (``runner.run_training``) in
``<output-dir>/<scenario>__<condition>__<lesion>__<seed>/``; a run whose ``eval.json``
exists with the same config is skipped, and an unfinished one is resumed from its newest
checkpoint, so a killed comparison continues where it stopped. Runs go to ``--workers``
processes, or with ``--backend ray`` to Ray tasks on a local Ray or a cluster
(``--address``). The do-nothing and oracle assistants are evaluated on the same episodes,
for scores normalised so that doing nothing = 0 and the oracle = 1.

Writes to ``<output-dir>/compare-<name>/``: ``results.csv`` (one row per run and
population), ``episodes.csv`` (one row per evaluation episode), ``report.md`` (mean and 95%
bootstrap CI per cell, the four predictions of DESIGN.md checked), ``plots/`` and ``gifs/``
(one evaluation episode per cell).
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path

from empathy_gym.agents.conditions import Condition
from empathy_gym.envs.scenarios import SCENARIOS, make_scenario
from empathy_gym.envs.scenarios.base import check_positive_int
from empathy_gym.extras import require
from empathy_gym.train.episodes import GIF_STEPS, write_report_gifs
from empathy_gym.train.evaluate import evaluate, scripted
from empathy_gym.train.runner import (
    ARGS_OF_CONDITION,
    EVAL_SEED_OFFSET,
    TrainArgs,
    recorded_config,
    run_dir_name,
    run_training,
)

BACKENDS = ("local", "ray")
FULL_CELLS = (
    ("ppo", "none"),
    ("cirl", "none"),
    ("cirl", "affective"),
    ("cirl", "cognitive"),
    ("contagion", "none"),
    ("contagion", "affective"),
    ("contagion", "cognitive"),
)


@dataclass(frozen=True)
class Preset:
    """What a comparison runs. A JSON file with these fields defines a custom one."""

    name: str
    scenarios: tuple[str, ...]
    cells: tuple[tuple[str, str], ...]  # (condition, lesion)
    seeds: tuple[int, ...]
    timesteps: int
    population: str = "default"
    eval_populations: tuple[str, ...] = ("default", "stoic", "masking", "volatile")
    eval_episodes: int = 16
    n_envs: int = 16
    max_cycles: int = 200
    lam: float = 1.0

    @classmethod
    def from_file(cls, path: str) -> Preset:
        try:
            fields = json.loads(Path(path).read_text())
        except (OSError, json.JSONDecodeError) as err:
            raise ValueError(f"config file {path!r} cannot be read as JSON: {err}") from err
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(fields) - known)
        if unknown:
            raise ValueError(
                f"config file {path!r} has unknown fields {unknown}; known: {sorted(known)}"
            )
        fields.setdefault("name", Path(path).stem)
        for key in ("scenarios", "seeds", "eval_populations"):
            if key in fields:
                fields[key] = tuple(fields[key])
        if "cells" in fields:
            fields["cells"] = tuple(tuple(c) for c in fields["cells"])
        return cls(**fields)

    def train_args(self, scenario: str, condition: str, lesion: str, seed: int) -> TrainArgs:
        if condition not in ARGS_OF_CONDITION:
            raise ValueError(
                f"condition {condition!r} is unknown; use one of {tuple(ARGS_OF_CONDITION)}"
            )
        return ARGS_OF_CONDITION[condition](
            scenario=scenario,
            population=self.population,
            lesion=lesion,
            lam=self.lam,
            timesteps=self.timesteps,
            seed=seed,
            n_envs=self.n_envs,
            max_cycles=self.max_cycles,
            eval_episodes=self.eval_episodes,
            eval_populations=self.eval_populations,
            checkpoint_every=max(self.timesteps // 4, 1),
            progress=False,
        )


PRESETS = {
    p.name: p
    for p in (
        Preset(
            "micro",
            ("fetch",),
            (("ppo", "none"), ("cirl", "none")),
            (0,),
            1024,
            eval_populations=("default", "masking"),
            eval_episodes=2,
            n_envs=4,
            max_cycles=40,
        ),
        Preset(
            "quick",
            ("fetch", "comfort"),
            (("ppo", "none"), ("cirl", "none"), ("contagion", "none"), ("contagion", "affective")),
            (0, 1),
            500_000,
        ),
        Preset("full", tuple(SCENARIOS), FULL_CELLS, (0, 1, 2, 3, 4), 500_000),
    )
}


@dataclass
class CompareArgs:
    """Train and evaluate every cell of a comparison; write results.csv, report.md and plots."""

    preset: str = "quick"
    """micro (smoke test), quick (fetch and comfort, 4 cells, 2 seeds), full (all cells, 5 seeds)"""
    config: str | None = None
    """a JSON file of Preset fields, used instead of --preset"""
    output_dir: str = "runs"
    """where run directories and the comparison's own directory are written"""
    workers: int = 2
    """training runs in parallel (processes; with --backend ray, CPUs of a local Ray)"""
    bootstrap: int = 2000
    """bootstrap resamples for the confidence intervals"""
    backend: str = "local"
    """local (worker processes on this machine) or ray (tasks on a Ray cluster)"""
    address: str | None = None
    """with --backend ray: an existing cluster's address (e.g. ray://head:10001 or auto);
    default: start a local Ray. --output-dir must then be on storage every node shares."""


def resolve_preset(args: CompareArgs) -> Preset:
    if args.config is not None:
        return Preset.from_file(args.config)
    if args.preset not in PRESETS:
        raise ValueError(
            f"preset {args.preset!r} is unknown; use one of {sorted(PRESETS)} or --config"
        )
    return PRESETS[args.preset]


def planned_runs(preset: Preset) -> list[TrainArgs]:
    runs = []
    for scenario in preset.scenarios:
        for condition, lesion in preset.cells:
            for seed in preset.seeds:
                args = preset.train_args(scenario, condition, lesion, seed)
                Condition(condition, lesion, preset.lam)  # validate before anything runs
                runs.append(args)
    return runs


def run_state(args: TrainArgs, output_dir: str) -> str:
    """'finished' (same config, evaluated), 'partial' (same config, unfinished) or 'new'."""
    condition = Condition(args.condition, args.lesion, args.lam)
    run_dir = Path(output_dir) / run_dir_name(args.scenario, condition, args.seed)
    config_path = run_dir / "config.json"
    if not config_path.exists():
        return "new"
    if json.loads(config_path.read_text())["run"] != recorded_config(args, condition):
        raise ValueError(
            f"{run_dir} holds a run with a different config than this comparison's;"
            " move it away or choose another --output-dir"
        )
    return "finished" if (run_dir / "eval.json").exists() else "partial"


def _train(args: TrainArgs) -> tuple[str, float]:
    start = time.perf_counter()
    run_training(args)
    return (
        f"{args.scenario} {args.condition} {args.lesion} seed {args.seed}",
        time.perf_counter() - start,
    )


def _run_locally(todo: list[TrainArgs], args: CompareArgs) -> Iterator[tuple[str, float]]:
    if not todo:
        return
    with ProcessPoolExecutor(args.workers, mp_context=get_context("spawn")) as pool:
        yield from pool.map(_train, todo)


def _run_on_ray(todo: list[TrainArgs], args: CompareArgs) -> Iterator[tuple[str, float]]:
    """Each run is a Ray task of one CPU; results come back as the tasks finish."""
    ray = require("ray")
    started_here = not ray.is_initialized()
    if started_here:
        ray.init(
            address=args.address,
            num_cpus=None if args.address else args.workers,
            include_dashboard=False,
            log_to_driver=False,
        )
    try:
        train = ray.remote(num_cpus=1)(_train)
        pending = [train.remote(run) for run in todo]
        while pending:
            done, pending = ray.wait(pending, num_returns=1)
            yield ray.get(done[0])
    finally:
        if started_here:
            ray.shutdown()


def run_compare(args: CompareArgs) -> Path:
    check_positive_int("workers", args.workers)
    check_positive_int("bootstrap", args.bootstrap)
    if args.backend not in BACKENDS:
        raise ValueError(f"backend {args.backend!r} is unknown; use one of {BACKENDS}")
    preset = resolve_preset(args)
    for scenario in preset.scenarios:
        make_scenario(scenario, population=preset.population)
    runs = planned_runs(preset)
    todo = []
    for run in runs:
        state = run_state(run, args.output_dir)
        if state != "finished":
            todo.append(
                dataclasses.replace(run, output_dir=args.output_dir, resume=state == "partial")
            )
    print(f"compare {preset.name}: {len(runs)} runs, {len(runs) - len(todo)} already finished")
    run_all = _run_on_ray if args.backend == "ray" else _run_locally
    for k, (label, seconds) in enumerate(run_all(todo, args), start=1):
        print(f"[{k}/{len(todo)}] {label}: {seconds:.0f} s", flush=True)

    from empathy_gym.train.report import write_report  # matplotlib loads only for the report

    report_dir = Path(args.output_dir) / f"compare-{preset.name}"
    baselines = evaluate_baselines(preset)
    write_report(preset, runs, args.output_dir, baselines, report_dir, args.bootstrap)
    gifs = write_report_gifs(preset, args.output_dir, report_dir / "gifs", EVAL_SEED_OFFSET)
    with (report_dir / "report.md").open("a") as report:
        report.write(
            f"## One evaluation episode per cell (seed {preset.seeds[0]}, first "
            f"{GIF_STEPS} steps, truth and belief overlays)\n\n"
        )
        report.writelines(f"- {gif.stem}: ![{gif.stem}](gifs/{gif.name})\n" for gif in gifs)
    print((report_dir / "report.md").read_text())
    return report_dir


BASELINES = ("nothing", "oracle")
"""The scripted assistants every comparison evaluates: the two ends of normalised scores."""


def evaluate_baselines(preset: Preset) -> list[dict]:
    """The do-nothing and oracle assistants on exactly the runs' evaluation episodes."""
    rows = []
    for scenario in preset.scenarios:
        for population in dict.fromkeys((preset.population, *preset.eval_populations)):
            rules = make_scenario(scenario, population=population, max_cycles=preset.max_cycles)
            for kind in BASELINES:
                for seed in preset.seeds:
                    episodes = evaluate(
                        scripted(kind, rules, range(seed, seed + preset.eval_episodes)),
                        scenario,
                        Condition(),
                        preset.eval_episodes,
                        EVAL_SEED_OFFSET + seed,
                        population=population,
                        max_cycles=preset.max_cycles,
                    )
                    for k, m in enumerate(episodes):
                        rows.append(
                            {
                                "scenario": scenario,
                                "condition": kind,
                                "lesion": "-",
                                "seed": seed,
                                "population": population,
                                "episode": k,
                                **dataclasses.asdict(m),
                            }
                        )
    return rows
