"""``empathy-gym compare``: the factorial over scenarios, lambda and seeds, then one report.

Each run is an ordinary training run (``runner.run_training``) in
``<output-dir>/<scenario>__<arm>[_lam<lambda>]__<seed>/``. A run whose ``eval.json`` exists
with the same config is skipped (never retrained), an unfinished one is resumed from its
newest checkpoint, and one with a different config is refused: a killed comparison
continues where it stopped. Runs go to ``--workers`` processes, or with ``--backend ray``
to Ray tasks on a local Ray or a cluster (``--address``); both give the same results.

Each empathic arm trains once per value of the preset's lambda grid: the points of its
task-versus-welfare frontier. (A single lambda-conditioned policy, lambda as an input and
trained over the grid, was tried and dropped: at equal budget it fell well short of the
separately trained points, e.g. in dilemma it found the detour at no lambda where the
separate run at lambda 1 did.)

Every scripted assistant of the scenarios is evaluated on exactly the runs' evaluation
episodes, and the planner under every reward the preset trains; those that read no hidden
truth are the references, for the competence check (each arm against the best of the
scripts and the planner under its own training reward) and for scores normalised so that
doing nothing = 0 and the best scripted policy = 1. Writes
``<output-dir>/compare-<name>/``: ``episodes.csv`` (one row per evaluation episode),
``seeds.csv`` (one row per seed), ``report.md`` and ``plots/``.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path

from empathy_gym.agents.arms import Arm
from empathy_gym.agents.wrapper import make_arm_env
from empathy_gym.envs.scenarios import make_scenario, scenario_class
from empathy_gym.errors import check_positive_int
from empathy_gym.experiment.presets import PRESETS, Preset
from empathy_gym.experiment.results import LAYOUT_PREFIX, PLANNER_PREFIX, SCRIPT_PREFIX, reward_of
from empathy_gym.extras import require
from empathy_gym.rollout.evaluate import PLANNER, evaluate, scripted
from empathy_gym.train.runner import (
    TrainArgs,
    recorded_config,
    run_training,
    stored_config,
)
from empathy_gym.train.runs import check_policy_input, config_changes, eval_seed, run_dir_name
from empathy_gym.train.settings import PPOSettings

BACKENDS = ("local", "ray")


@dataclass
class CompareArgs:
    """Train and evaluate every arm of a comparison; write the report."""

    preset: str = "quick"
    """micro (a smoke test), quick (P1-3 on dilemma and fetch: ppo, affective and cirl at
    lambda 1, 6 seeds), full (every arm at lambda 1 and 4, 3 scenarios, 10 seeds)"""
    config: str | None = None
    """a JSON file of Preset fields, used instead of --preset"""
    settings: str | None = None
    """a JSON file of the learner's hyperparameters (as empathy-gym tune writes them) for
    every run, replacing the preset's ppo"""
    layout: str | None = None
    """maps to train on, replacing the preset's: fixed or procedural (every run is evaluated
    on the fixed map and every family of procedural maps)"""
    output_dir: str = "runs"
    """where run directories and the comparison's own directory are written"""
    workers: int = 2
    """training runs in parallel (processes; with --backend ray, CPUs of a local Ray)"""
    backend: str = "local"
    """local (worker processes on this machine) or ray (tasks on a Ray cluster)"""
    address: str | None = None
    """with --backend ray: an existing cluster's address (e.g. ray://head:10001 or auto);
    default: start a local Ray. --output-dir must then be on storage every node shares."""


def resolve_preset(args: CompareArgs) -> Preset:
    if args.config is not None:
        preset = Preset.from_file(args.config)
    elif args.preset in PRESETS:
        preset = PRESETS[args.preset]
    else:
        raise ValueError(
            f"preset {args.preset!r} is unknown; use one of {sorted(PRESETS)} or --config"
        )
    if args.settings is not None:
        settings = PPOSettings.from_json(args.settings)
        preset = dataclasses.replace(preset, ppo=dataclasses.asdict(settings))
    if args.layout is not None:
        preset = dataclasses.replace(preset, layout=args.layout)  # checked by the Preset
    return preset


def planned_runs(preset: Preset) -> list[TrainArgs]:
    return [
        preset.train_args(scenario, arm, seed)
        for scenario in preset.scenarios
        for arm in preset.trained_arms()
        for seed in preset.seeds
    ]


def run_path(args: TrainArgs, output_dir: str) -> Path:
    return Path(output_dir) / run_dir_name(args.scenario, args.to_arm(), args.seed)


def run_state(args: TrainArgs, output_dir: str) -> str:
    """'finished' (same config, evaluated), 'partial' (same config, unfinished) or 'new'."""
    run_dir = run_path(args, output_dir)
    config_path = run_dir / "config.json"
    if not config_path.exists():
        return "new"
    wanted = recorded_config(args, args.to_arm())
    details = config_changes(stored_config(run_dir, args, args.to_arm()), wanted)
    if details:
        raise ValueError(
            f"{run_dir} holds a run whose config differs from this comparison's ({details});"
            " move it away or choose another --output-dir"
        )
    env = make_arm_env(args.scenario, args.to_arm(), 1, track_beliefs=False)
    try:
        check_policy_input(run_dir, env, "move it away or choose another --output-dir")
    finally:
        env.close()
    return "finished" if (run_dir / "eval.json").exists() else "partial"


def _train(args: TrainArgs) -> tuple[str, float]:
    start = time.perf_counter()
    run_training(args)
    label = run_dir_name(args.scenario, args.to_arm(), args.seed)
    return label, time.perf_counter() - start


def _run_locally(job: Callable, todo: list, args: CompareArgs) -> Iterator:
    if not todo:
        return
    with ProcessPoolExecutor(args.workers, mp_context=get_context("spawn")) as pool:
        yield from pool.map(job, todo)


def _run_on_ray(job: Callable, todo: list, args: CompareArgs) -> Iterator:
    """Each job is a Ray task of one CPU; results come back as the tasks finish."""
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
        remote = ray.remote(num_cpus=1)(job)
        pending = [remote.remote(item) for item in todo]
        while pending:
            done, pending = ray.wait(pending, num_returns=1)
            yield ray.get(done[0])
    finally:
        if started_here:
            ray.shutdown()


def run_compare(args: CompareArgs) -> Path:
    check_positive_int("workers", args.workers)
    if args.backend not in BACKENDS:
        raise ValueError(f"backend {args.backend!r} is unknown; use one of {BACKENDS}")
    preset = resolve_preset(args)
    runs = planned_runs(preset)
    todo = []
    for run in runs:
        state = run_state(run, args.output_dir)
        if state != "finished":
            todo.append(
                dataclasses.replace(run, output_dir=args.output_dir, resume=state == "partial")
            )
    print(f"compare {preset.name}: {len(runs)} runs, {len(runs) - len(todo)} already finished")
    started = time.perf_counter()
    run_all = _run_on_ray if args.backend == "ray" else _run_locally
    for k, (label, seconds) in enumerate(run_all(_train, todo, args), start=1):
        print(f"[{k}/{len(todo)}] {label}: {seconds:.0f} s", flush=True)
    print(f"training: {time.perf_counter() - started:.0f} s", flush=True)

    # matplotlib, scikit-learn and rsatoolbox load only for the report
    from empathy_gym.analysis.inside import knows_section
    from empathy_gym.experiment.report import write_report

    report_dir = Path(args.output_dir) / f"compare-{preset.name}"
    started = time.perf_counter()
    jobs = script_jobs(preset)
    baselines = [row for rows in run_all(_evaluate_script, jobs, args) for row in rows]
    print(f"scripted assistants: {time.perf_counter() - started:.0f} s", flush=True)
    started = time.perf_counter()
    inside = knows_section(probed_runs(preset, runs, args.output_dir))
    print(f"probes of activations: {time.perf_counter() - started:.0f} s", flush=True)
    write_report(preset, runs, args.output_dir, baselines, report_dir, inside)
    print((report_dir / "report.md").read_text())
    return report_dir


def probed_runs(preset: Preset, runs: list[TrainArgs], output_dir: str) -> list:
    """The runs whose activations prediction 3 looks into (``analysis/inside.py``)."""
    from empathy_gym.analysis.inside import ProbedRun, arms_to_probe

    wanted = arms_to_probe(preset.arms, preset.report_lam)
    probed = []
    for run in runs:
        arm = run.to_arm()
        if wanted.get(arm.name) == arm.lam:
            path = run_path(run, output_dir)
            probed.append(ProbedRun(run.scenario, arm.name, run.seed, path))
    return probed


def planner_rewards(preset: Preset) -> dict[tuple[str, float], Arm]:
    """One arm for each distinct reward the preset trains under: ``(reward, lambda)`` ->
    the first arm with it (arms that differ only in their inputs share a reward)."""
    rewards: dict[tuple[str, float], Arm] = {}
    for arm in preset.trained_arms():
        rewards.setdefault((reward_of(arm.name), arm.lam), arm)
    return rewards


def script_jobs(preset: Preset) -> list[tuple]:
    """(scenario, population, script, seed, preset, family, reward) for every scripted
    assistant to evaluate: each script on every evaluation population of the training
    layout (family ``""``), each truth-free script on every kind of map its scenario has,
    the references of the generalisation section, and the planner under each reward of
    the preset, on the training population and layout (the competence references)."""
    jobs = []
    for scenario in preset.scenarios:
        rules = scenario_class(scenario)
        families = rules.map_families() if "procedural" in rules.layouts() else {}
        for kind in rules.policy_names():
            if kind == "random":
                continue
            populations = dict.fromkeys((preset.population, *preset.eval_populations))
            settings = [(population, "") for population in populations]
            if kind in rules.truth_free_policies():
                settings += [(preset.population, family) for family in families]
            jobs += [
                (scenario, population, kind, seed, preset, family, None)
                for population, family in settings
                for seed in preset.seeds
            ]
        jobs += [
            (scenario, preset.population, PLANNER, seed, preset, "", arm)
            for arm in planner_rewards(preset).values()
            for seed in preset.seeds
        ]
    return jobs


def _evaluate_script(job: tuple) -> list[dict]:
    """One scripted assistant on exactly one seed's evaluation episodes of one population, on
    the training layout or (``family``) one kind of map; the planner under ``reward``."""
    scenario, population, kind, seed, preset, family, reward = job
    maps = scenario_class(scenario).map_families()[family] if family else {"layout": preset.layout}
    kwargs = {"population": population, "max_cycles": preset.max_cycles, **maps}
    rules = make_scenario(scenario, **kwargs)
    first = eval_seed(seed)
    name = SCRIPT_PREFIX + kind if reward is None else PLANNER_PREFIX + reward_of(reward.name)
    episodes = evaluate(
        scripted(kind, rules, range(first, first + preset.eval_episodes), reward),
        scenario,
        Arm(),
        preset.eval_episodes,
        first,
        **kwargs,
    )
    return [
        {
            "scenario": scenario,
            "arm": name,
            "lam": 0.0 if reward is None else reward.lam,
            "seed": seed,
            "population": population,
            "setting": LAYOUT_PREFIX + family if family else "",
            "episode": k,
            **dataclasses.asdict(m),
        }
        for k, m in enumerate(episodes)
    ]
