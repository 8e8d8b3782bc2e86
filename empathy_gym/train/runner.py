"""The one training runner behind the ``ppo``, ``cirl`` and ``contagion`` commands.

The learner (``learner.py``, one PPO with the same network and hyperparameters for every
arm) trains on the native vector env wrapped by the arm's ``EmpathyVectorWrapper``. A run
writes to ``<output-dir>/<scenario>__<arm>[_lam<lambda>]__<seed>/``:

    config.json        the arguments, the env config and package versions
    progress.csv, tb/  learning curves (CSV and TensorBoard): losses, fps, and the task
                       return, shaped return and welfare of training episodes
    checkpoints/       periodic checkpoints; --resume continues from the newest
    model.pt           the final policy
    eval.json          per-episode metrics on evaluation episodes: the training population
                       and each held-out one, the ablations of the belief inputs
                       (under "ablations": removed, or noised in doses), every kind of
                       map the scenario has (under "layouts": the fixed map and each
                       family of procedural maps, from seeds never trained on), and the
                       scenario's intuition pumps (under "pumps"); its presence marks
                       the run finished

Evaluation episodes are seeded ``EVAL_SEED_OFFSET + 1000 * seed + k``: disjoint across
training seeds and from training (whose env members are seeded ``seed + i``). Each pump
plays its own fixed episodes (``Pump.episodes`` from ``Pump.seed``), the same for every run.
"""

from __future__ import annotations

import csv
import dataclasses
import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from empathy_gym.agents.arms import Arm, arm_of
from empathy_gym.agents.wrapper import make_arm_env
from empathy_gym.envs.core.population import PROFILES
from empathy_gym.envs.scenarios import make_scenario, scenario_class
from empathy_gym.errors import check_positive_int
from empathy_gym.extras import require
from empathy_gym.rollout.evaluate import evaluate
from empathy_gym.train.runs import (
    MAX_EVAL_EPISODES,
    check_policy_input,
    config_changes,
    eval_seed,
    newest_checkpoint,
    read_run_config,
    run_dir_name,
    save_checkpoint,
    write_config,
)
from empathy_gym.train.settings import PPOSettings

NOT_RECORDED = ("output_dir", "resume", "overwrite", "progress", "settings")
"""Arguments the config leaves out: those that steer a run (where, whether to resume) without
changing what it computes, and the settings file, whose contents it records as ``ppo``."""

DEFAULT_HELD_OUT = ("stoic", "masking", "pedagogic", "volatile", "gloomy")


@dataclass
class TrainArgs:
    """Train an assistant with PPO on one scenario, in one arm of the experiment."""

    command: ClassVar[str]
    scenario: str
    """the scenario to train on (empathy_gym.SCENARIOS)"""
    population: str = "default"
    """population profile of the humans during training"""
    timesteps: int = 5_000_000
    """environment steps to train for (summed over the batch): whole rollouts run until at
    least this many, so a run exceeds it by less than one rollout (num_envs × num_steps)"""
    seed: int = 0
    """seed of the envs and of the learner"""
    max_cycles: int = 200
    """steps per episode"""
    layout: str = "fixed"
    """maps to train on: the scenario's fixed map, or 'procedural' (a new map per env and
    episode, of the training family); evaluation plays the fixed map and every family, on
    seeds never trained on"""
    ppo: PPOSettings = field(default_factory=PPOSettings)
    """the learner's hyperparameters (train/settings.py): the same for every arm"""
    settings: str | None = None
    """a JSON file of the learner's hyperparameters (as empathy-gym tune writes them),
    instead of --ppo.*"""
    eval_episodes: int = 16
    """evaluation episodes per population and ablation (each intuition pump has its own)"""
    eval_populations: tuple[str, ...] = ("default", *DEFAULT_HELD_OUT)
    """populations to evaluate on: the training one plus held-out ones"""
    belief_doses: tuple[float, ...] = (0.25, 0.5, 1.0)
    """graded ablations at test time: doses of noise mixed into the belief inputs"""
    checkpoint_every: int = 1_000_000
    """environment steps between checkpoints"""
    output_dir: str = "runs"
    """where run directories are created"""
    resume: bool = False
    """continue an unfinished run in the same directory from its newest checkpoint"""
    overwrite: bool = False
    """replace an existing run directory (otherwise nothing existing is overwritten)"""
    progress: bool = True
    """show a progress bar"""

    def to_arm(self) -> Arm:
        return arm_of(
            self.command,
            getattr(self, "lesion", "none"),
            getattr(self, "lam", 0.0),
            getattr(self, "coupling", "proximity"),
        )


@dataclass
class PpoArgs(TrainArgs):
    """Train the reward maximiser: task reward only, no belief inputs."""

    command: ClassVar[str] = "ppo"


@dataclass
class EmpathicArgs(TrainArgs):
    """What the empathic arms add: a lesion and lambda."""

    lesion: str = "none"
    """none; affective (no other-regarding reward: knows, doesn't care); cognitive (no belief
    inputs: feels, doesn't understand)"""
    lam: float = 1.0
    """lambda, the weight of the other-regarding term (the affective lesion has none)"""


@dataclass
class CirlArgs(EmpathicArgs):
    """Train the assistance-game assistant: task reward plus lambda times the humans' welfare."""

    command: ClassVar[str] = "cirl"


@dataclass
class ContagionArgs(EmpathicArgs):
    """Train the contagion assistant: task reward plus lambda times its mirrored mood."""

    command: ClassVar[str] = "contagion"
    coupling: str = "proximity"
    """how the mirrored mood is caught: proximity (people nearby) or global (everyone)"""


ARGS_OF_COMMAND: dict[str, type[TrainArgs]] = {
    cls.command: cls for cls in (PpoArgs, CirlArgs, ContagionArgs)
}


def with_settings_file(args: TrainArgs) -> TrainArgs:
    """``args`` with the learner's hyperparameters read from its ``settings`` file, if any."""
    if args.settings is None:
        return args
    if args.ppo != PPOSettings():
        raise ValueError(
            f"settings {args.settings!r} and --ppo.* flags both set the learner's"
            " hyperparameters; pass one of them"
        )
    return dataclasses.replace(args, ppo=PPOSettings.from_json(args.settings))


def validate(args: TrainArgs) -> Arm:
    """The run's arm; a ValueError naming the argument for anything a run cannot use."""
    arm = args.to_arm()
    make_scenario(
        args.scenario, population=args.population, max_cycles=args.max_cycles, layout=args.layout
    )
    for name in ("timesteps", "eval_episodes", "checkpoint_every"):
        check_positive_int(name, getattr(args, name))
    if args.eval_episodes > MAX_EVAL_EPISODES:
        raise ValueError(f"eval_episodes must be at most {MAX_EVAL_EPISODES}")
    unknown = [p for p in args.eval_populations if p not in PROFILES]
    if unknown:
        raise ValueError(f"eval_populations has unknown profiles {unknown}; use {sorted(PROFILES)}")
    bad = [d for d in args.belief_doses if not 0.0 < d <= 1.0]
    if bad:
        raise ValueError(f"belief_doses must be in (0, 1], got {bad}")
    if args.resume and args.overwrite:
        raise ValueError("resume and overwrite exclude each other: choose one")
    args.ppo.validate()
    return arm


def recorded_config(args: TrainArgs, arm: Arm) -> dict:
    """What defines the run: every argument but those in ``NOT_RECORDED``."""
    config = {k: v for k, v in dataclasses.asdict(args).items() if k not in NOT_RECORDED}
    config["command"] = type(args).command
    config["arm"] = arm.name
    return json.loads(json.dumps(config))  # tuples -> lists, as the file stores them


def stored_config(run_dir: Path, args: TrainArgs, arm: Arm) -> dict:
    """A run directory's recorded config; an argument added since the run was made counts
    at its default (a run from before ``layout`` trained on the fixed map)."""
    defaults = recorded_config(type(args)(scenario=args.scenario), arm)
    return defaults | read_run_config(run_dir)


def prepare_run_dir(args: TrainArgs, arm: Arm, config: dict) -> Path:
    """Create the run directory, or check that an existing one may be used; never clobber."""
    run_dir = Path(args.output_dir) / run_dir_name(args.scenario, arm, args.seed)
    config_path = run_dir / "config.json"
    if run_dir.exists() and args.overwrite:
        shutil.rmtree(run_dir)
    elif config_path.exists():
        details = config_changes(stored_config(run_dir, args, arm), config)
        if details:
            raise ValueError(
                f"output directory {run_dir} holds a run with a different config ({details});"
                " pass --overwrite to replace it or choose another --output-dir"
            )
        if (run_dir / "eval.json").exists():
            raise ValueError(
                f"output directory {run_dir} holds a finished run with this config;"
                " pass --overwrite to train it again"
            )
        if not args.resume:
            raise ValueError(
                f"output directory {run_dir} holds an unfinished run with this config;"
                " pass --resume to continue it or --overwrite to start again"
            )
    elif run_dir.exists() and any(run_dir.iterdir()):
        raise ValueError(f"output directory {run_dir} exists and is not a run; pass --overwrite")
    run_dir.mkdir(parents=True, exist_ok=True)
    return run_dir


class _Log:
    """Learning curves as CSV (fixed columns) and TensorBoard, plus checkpoints on schedule.

    A run can be killed at any moment and resumed from its newest checkpoint, and its curves
    must then hold every rollout exactly once. So each CSV row is flushed as it is written
    (a kill loses no row from before a checkpoint), and a resumed run starts both files
    afresh from ``history``, the CSV rows up to its checkpoint: TensorBoard is rebuilt from
    them rather than appended to, since the killed run may have logged rollouts past the
    checkpoint that the resumed run logs again.
    """

    COLUMNS = (
        "time/global_step",
        "time/fps",
        "episode/task_return",
        "episode/shaped_return",
        "episode/welfare",
        "loss/policy",
        "loss/value",
        "loss/entropy",
        "loss/clip_fraction",
    )

    def __init__(self, run_dir: Path, learner, args: TrainArgs, history: list[dict]):
        self.run_dir, self.learner, self.args = run_dir, learner, args
        tensorboard = require("torch.utils.tensorboard")
        # Both files are rebuilt aside and swapped in, so that a kill while resuming leaves
        # the old ones whole: the next resume reads the CSV again.
        partial = run_dir / "progress.csv.partial"
        with partial.open("w", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=self.COLUMNS, extrasaction="ignore")
            writer.writeheader()
            writer.writerows(history)
        board_aside = run_dir / "tb.partial"
        shutil.rmtree(board_aside, ignore_errors=True)
        board = tensorboard.SummaryWriter(str(board_aside))
        for row in history:
            _add_scalars(board, row)
        board.close()
        os.replace(partial, run_dir / "progress.csv")
        shutil.rmtree(run_dir / "tb", ignore_errors=True)
        board_aside.rename(run_dir / "tb")
        self.file = (run_dir / "progress.csv").open("a", newline="")
        self.writer = csv.DictWriter(self.file, fieldnames=self.COLUMNS, extrasaction="ignore")
        self.board = tensorboard.SummaryWriter(str(run_dir / "tb"))
        self.next_checkpoint = (learner.global_step // args.checkpoint_every + 1) * (
            args.checkpoint_every
        )
        self.bar = None
        if args.progress:
            tqdm = require("tqdm").tqdm
            self.bar = tqdm(total=args.timesteps, initial=learner.global_step, unit="step")

    def __call__(self, stats: dict) -> None:
        self.writer.writerow(stats)
        self.file.flush()
        _add_scalars(self.board, stats)
        step = stats["time/global_step"]
        if self.bar is not None:
            self.bar.update(step - self.bar.n)
        if step >= self.next_checkpoint:
            save_checkpoint(self.run_dir, self.learner)
            self.next_checkpoint += self.args.checkpoint_every

    def close(self) -> None:
        self.file.close()
        self.board.close()
        if self.bar is not None:
            self.bar.close()


def _add_scalars(board, row: dict) -> None:
    """One rollout's row of the learning curves, as TensorBoard scalars."""
    step = int(row["time/global_step"])
    for key in _Log.COLUMNS[1:]:
        if row.get(key, "") != "":  # a rollout in which no episode ended has none
            board.add_scalar(key, float(row[key]), step)


def _history(path: Path, step: int) -> list[dict]:
    """The learning-curve rows a killed run logged up to its newest checkpoint at ``step``.

    Later rows belong to rollouts the resumed run trains again; a row the kill cut short
    (always after the checkpoint, which is saved after its row is flushed) is dropped."""
    if not path.exists():
        return []
    with path.open(newline="") as f:
        rows = [r for r in csv.DictReader(f) if None not in r.values() and None not in r]
    return [r for r in rows if int(r["time/global_step"]) <= step]


def run_training(args: TrainArgs) -> Path:
    """Train, checkpoint, evaluate; return the run directory."""
    args = with_settings_file(args)
    arm = validate(args)
    torch = require("torch")  # the training stack loads only when training
    from empathy_gym.train.learner import Learner

    settings = args.ppo
    config = recorded_config(args, arm)
    run_dir = prepare_run_dir(args, arm, config)
    torch.set_num_threads(1)
    env = make_arm_env(
        args.scenario,
        arm,
        settings.num_envs,
        track_beliefs=False,  # only the parts the arm uses: the same inputs and rewards
        population=args.population,
        max_cycles=args.max_cycles,
        layout=args.layout,
    )
    learner = Learner(env, settings, args.seed)
    checkpoint = newest_checkpoint(run_dir) if args.resume else None
    history = []
    if checkpoint is not None:
        check_policy_input(run_dir, env, "train it again with --overwrite")
        learner.load(torch.load(checkpoint, weights_only=False))
        history = _history(run_dir / "progress.csv", learner.global_step)
        print(f"resuming {run_dir} from {checkpoint.name} at {learner.global_step} steps")
    else:
        write_config(run_dir, config, env)
    log = _Log(run_dir, learner, args, history)
    try:
        learner.learn(args.timesteps, log)
    finally:
        log.close()
    env.close()
    torch.save(learner.model, run_dir / "model.pt")
    from empathy_gym.train.learner import Policy

    results = evaluate_policy(Policy(learner.model, eval_seed(args.seed)), args, arm)
    (run_dir / "eval.json").write_text(json.dumps(results))
    return run_dir


def evaluate_policy(policy, args: TrainArgs, arm: Arm) -> dict:
    """Per-episode metrics on the training population and every held-out one, under the
    ablations of the belief inputs, on the fixed map and every family of procedural maps
    (the training one included, on unseen seeds), and on the scenario's intuition pumps.

    The evaluations share the policy's sampling stream, so their order is part of the
    result: ablations, populations, layouts, then each pump on a stream of its own."""
    scenario = scenario_class(args.scenario)

    def run(population, ablation=None, **setting) -> list[dict]:
        kwargs = {"population": population, "max_cycles": args.max_cycles}
        kwargs |= {"layout": args.layout} | setting
        episodes = evaluate(
            policy,
            args.scenario,
            arm,
            args.eval_episodes,
            eval_seed(args.seed),
            ablation,
            **kwargs,
        )
        return [dataclasses.asdict(m) for m in episodes]

    populations = dict.fromkeys((args.population, *args.eval_populations))
    ablations = {}
    if arm.sees_belief:
        doses = {"remove": {"belief_ablation": "remove"}} | {
            f"noise{d:g}": {"belief_noise": d} for d in args.belief_doses
        }
        ablations = {name: run(args.population, ablation) for name, ablation in doses.items()}
    by_population = {p: run(p) for p in populations}
    return {
        "populations": by_population,
        "ablations": ablations,
        "layouts": {  # the training layout's episodes are the training population's
            name: by_population[args.population]
            if name == scenario.family_of(args.layout)
            else run(args.population, **kwargs)
            for name, kwargs in scenario.map_families().items()
        },
        "pumps": {
            pump.name: pump_episodes(policy.model, args.scenario, arm, pump)  # own maps
            for pump in scenario.pumps
        },
    }


def pump_episodes(model, scenario: str, arm: Arm, pump) -> list[dict]:
    """A trained network on an intuition pump's own fixed episodes.

    Its sampling stream is seeded by the pump, so ``compare``'s moral profile and
    ``empathy-gym pumps`` give the same choices for the same run."""
    from empathy_gym.train.learner import Policy

    policy = Policy(model, pump.seed)
    episodes = evaluate(policy, scenario, arm, pump.episodes, pump.seed, **pump.kwargs)
    return [dataclasses.asdict(m) for m in episodes]
