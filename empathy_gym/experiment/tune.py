"""``empathy-gym tune``: Optuna searches the learner's hyperparameters on one scenario and arm.

Each trial trains the arm's learner (``learner.py``) for ``--timesteps`` steps with settings
drawn by a TPE sampler, and scores it by the mean return under the arm's own training
reward (``task + lambda * term``, without the novelty bonus) on ``--eval-episodes`` episodes
of the training population. Those are seeded ``TUNE_EVAL_SEED + k``: disjoint from training
and from the evaluation episodes of ``train`` and ``compare``, so settings are not chosen on
the episodes that will judge them. Every trial trains with the same ``--seed``: trials then
differ by their settings alone.

During training a trial reports the mean return of the episodes finished since its last
check, at ``CHECKS`` fixed fractions of the budget: the same steps for every trial whatever
its rollout length, so the median pruner compares like with like. A trial whose check falls
below the median of earlier trials at that step is pruned (never before a third of the
budget: early learning curves rank settings poorly).

The study lives in a SQL database (``--storage``, default ``sqlite:///<output-dir>/tune.db``)
under ``--study-name``: running the same command again resumes it, and any number of
processes or machines running it against one database share it. ``--n-trials`` counts the
finished trials (complete or pruned) of the whole study; a trial killed with its process is
not counted, and heartbeats mark it failed once it is stale. The best trial's full settings
go to ``--settings-file``, which ``train --settings`` and ``compare --settings`` read.
"""

from __future__ import annotations

import dataclasses
import json
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from empathy_gym.agents.arms import Arm, factors_of
from empathy_gym.agents.wrapper import make_arm_env
from empathy_gym.envs.scenarios import make_scenario
from empathy_gym.errors import check_positive_int
from empathy_gym.experiment.results import own_return
from empathy_gym.extras import require
from empathy_gym.rollout.evaluate import evaluate
from empathy_gym.train.runs import MAX_EVAL_EPISODES, config_changes, run_dir_name
from empathy_gym.train.settings import MADE_FOR, PPOSettings, made_for

NUM_STEPS = (32, 64, 128)
"""Rollout lengths searched (steps per env)."""
MINIBATCHES = (2, 4, 8)
"""Minibatches per rollout searched; the minibatch size follows from the rollout."""
CHECKS = 4
"""Pruning checks per trial, at 1/5, 2/5, 3/5 and 4/5 of its budget."""
PRUNE_AFTER = 1 / 3
"""Share of the budget before which no trial is pruned."""
MEDIAN_OF = 5
"""Trials that must finish before the pruner acts."""
TUNE_EVAL_SEED = 900_000
"""Trials are scored on episodes seeded ``TUNE_EVAL_SEED + k``: training seeds its members
``seed + i``, train and compare evaluate on seeds from 1,000,000."""
RENAMED_STUDY_KEYS = {"cell": "arm"}
"""Keys of a study's recorded arguments before the rename, and their names now."""
HEARTBEAT_SECONDS = 60
"""A running trial's heartbeat; one silent for three of these is marked failed."""
ALLOWED_STORAGE = (
    "use sqlite:///PATH.db (a file in an existing directory; sqlite:////abs/path.db for an"
    " absolute path) or the URL of a database server every process can reach, e.g."
    " postgresql://user:password@host/db or mysql+pymysql://user:password@host/db, with its"
    " driver installed"
)


@dataclass
class TuneArgs:
    """Search the learner's hyperparameters with Optuna (TPE sampler, median pruner) on one
    scenario and arm; write the best as a settings file for train and compare (--settings)."""

    scenario: str
    """the scenario to tune on (empathy_gym.SCENARIOS)"""
    arm: str = "ppo"
    """arm of the experiment (agents/arms.py): ppo, affective, cirl, cirl-cognitive,
    contagion-proximity, contagion-global (each also -cognitive)"""
    lam: float | None = None
    """lambda, the weight of the other-regarding term (default 1; only arms that have one)"""
    population: str = "default"
    """population profile of the humans"""
    max_cycles: int = 200
    """steps per episode"""
    layout: str = "fixed"
    """maps to train and score on: the fixed map, or procedural maps"""
    timesteps: int = 1_000_000
    """environment steps each trial trains for (summed over the batch)"""
    num_envs: int = 256
    """parallel envs in the native batch (not searched: it sets the speed)"""
    n_trials: int = 30
    """finished trials (complete or pruned) the study should hold, counting earlier runs"""
    eval_episodes: int = 16
    """episodes each trained trial is scored on"""
    seed: int = 0
    """seed of every trial's training and of the sampler"""
    study_name: str | None = None
    """the study in the storage; default <scenario>__<arm>[_lam<lambda>]__<seed>"""
    storage: str | None = None
    """database URL of the study (shared by every process that tunes it); default
    sqlite:///<output-dir>/tune.db"""
    output_dir: str = "runs"
    """where the default storage and settings file go"""
    settings_file: str | None = None
    """where the best settings are written (JSON); default <output-dir>/tune-<study>.json"""

    def to_arm(self) -> Arm:
        cares = factors_of(self.arm).cares
        lam = self.lam if self.lam is not None else 1.0 if cares else 0.0
        return Arm(self.arm, lam)

    def min_timesteps(self) -> int:
        """Each pruning check must follow an update of its own, at the longest rollout."""
        return (CHECKS + 1) * self.num_envs * max(NUM_STEPS)


def validate(args: TuneArgs) -> Arm:
    """The tuned arm; a ValueError naming the argument for anything tune cannot use
    (the storage is checked when it is opened, still before any training)."""
    arm = args.to_arm()
    make_scenario(
        args.scenario, population=args.population, max_cycles=args.max_cycles, layout=args.layout
    )
    for name in ("timesteps", "num_envs", "n_trials", "eval_episodes"):
        check_positive_int(name, getattr(args, name))
    if args.eval_episodes > MAX_EVAL_EPISODES:
        raise ValueError(f"eval_episodes must be at most {MAX_EVAL_EPISODES}")
    if args.timesteps < args.min_timesteps():
        raise ValueError(
            f"timesteps={args.timesteps} is too small: each trial needs at least"
            f" {args.min_timesteps()} ({CHECKS + 1} x num_envs x the longest rollout of"
            f" {max(NUM_STEPS)} steps), so that each of its {CHECKS} pruning checks follows"
            " an update; raise --timesteps or lower --num-envs"
        )
    if isinstance(args.seed, bool) or not isinstance(args.seed, int) or args.seed < 0:
        raise ValueError(f"seed must be an integer >= 0, got {args.seed!r}")
    if args.study_name == "":
        raise ValueError("study_name must not be empty; omit it for the default")
    if args.settings_file is not None and not Path(args.settings_file).parent.is_dir():
        raise ValueError(
            f"settings_file {args.settings_file!r} is in a directory that does not exist;"
            " create it or choose another path"
        )
    return arm


def sample_settings(trial, num_envs: int) -> PPOSettings:
    """A trial's settings: those that matter most for PPO, in ranges around the defaults; the
    others keep their defaults."""
    num_steps = trial.suggest_categorical("num_steps", NUM_STEPS)
    minibatches = trial.suggest_categorical("minibatches", MINIBATCHES)
    return PPOSettings(
        num_envs=num_envs,
        num_steps=num_steps,
        minibatch_size=num_envs * num_steps // minibatches,
        learning_rate=trial.suggest_float("learning_rate", 1e-4, 5e-3, log=True),
        ent_coef=trial.suggest_float("ent_coef", 1e-4, 0.05, log=True),
        update_epochs=trial.suggest_int("update_epochs", 2, 8),
        gamma=trial.suggest_float("gamma", 0.95, 0.999),
        clip_coef=trial.suggest_float("clip_coef", 0.1, 0.3),
        novelty=trial.suggest_float("novelty", 0.0, 0.6),
    )


def open_storage(optuna, url: str):
    """The study's RDB storage, or a ValueError naming ``storage``, what is wrong and what is
    allowed, instead of SQLAlchemy's traceback."""
    import sqlalchemy

    try:
        parsed = sqlalchemy.engine.make_url(url)
    except sqlalchemy.exc.ArgumentError:
        raise ValueError(f"storage {url!r} is not a database URL; {ALLOWED_STORAGE}") from None
    shown = parsed.render_as_string(hide_password=True)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database in (None, "", ":memory:"):
            raise ValueError(
                f"storage {shown!r} is an in-memory database, lost when the process ends (no"
                f" resuming, no sharing); {ALLOWED_STORAGE}"
            )
        folder = Path(parsed.database).parent
        if not folder.is_dir():
            raise ValueError(
                f"storage {shown!r} is a file in {str(folder)!r}, a directory that does not"
                f" exist; {ALLOWED_STORAGE}"
            )
    try:
        with warnings.catch_warnings():  # heartbeats are "experimental" in Optuna
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            return optuna.storages.RDBStorage(
                url, heartbeat_interval=HEARTBEAT_SECONDS, grace_period=3 * HEARTBEAT_SECONDS
            )
    except (sqlalchemy.exc.SQLAlchemyError, ImportError, RuntimeError) as err:
        reason = str(err).splitlines()[0]
        raise ValueError(
            f"storage {shown!r} cannot be opened ({reason}); {ALLOWED_STORAGE}"
        ) from err


def study_config(args: TuneArgs, arm: Arm) -> dict:
    """What a study's trials are comparable under; resuming it with other values is refused."""
    return {
        "scenario": args.scenario,
        "arm": arm.name,
        "lam": float(arm.lam),
        "population": args.population,
        "max_cycles": args.max_cycles,
        "layout": args.layout,
        "timesteps": args.timesteps,
        "num_envs": args.num_envs,
        "eval_episodes": args.eval_episodes,
        "seed": args.seed,
    }


def check_study_config(study, config: dict) -> None:
    stored = study.user_attrs.get("config")
    if stored is not None:  # a study made before "cell" was renamed "arm" reads as made now
        stored = {RENAMED_STUDY_KEYS.get(k, k): v for k, v in stored.items()}
    if stored is None:
        study.set_user_attr("config", config)
        return
    details = config_changes(stored, config)
    if details:
        raise ValueError(
            f"study {study.study_name!r} was run with other arguments ({details}); resume it"
            " with the same ones or pass another --study-name"
        )


class PruningChecks:
    """The learner's report hook: at each check, the mean return (the arm's own reward,
    without the novelty bonus) of the training episodes finished since the last one goes to
    the trial, and the trial stops if the pruner says so."""

    def __init__(self, trial, timesteps: int, pruned: type[Exception]):
        self.trial, self.pruned = trial, pruned
        self.marks = [k * timesteps // (CHECKS + 1) for k in range(1, CHECKS + 1)]
        self.returns: list[float] = []

    def __call__(self, stats: dict) -> None:
        if "episode/shaped_return" in stats:
            self.returns.append(stats["episode/shaped_return"])
        if not self.marks or stats["time/global_step"] < self.marks[0]:
            return
        mark = self.marks.pop(0)
        if not self.returns:  # no episode ended since the last check
            return
        self.trial.report(float(np.mean(self.returns)), mark)
        self.returns = []
        if self.trial.should_prune():
            raise self.pruned(f"pruned at {mark} steps")


def score(args: TuneArgs, arm: Arm, settings: PPOSettings, report) -> float:
    """Train with ``settings``; the mean return under the arm's own reward on the tuning
    episodes."""
    torch = require("torch")
    from empathy_gym.train.learner import Learner, Policy

    torch.set_num_threads(1)
    env = make_arm_env(
        args.scenario,
        arm,
        settings.num_envs,
        track_beliefs=False,
        population=args.population,
        max_cycles=args.max_cycles,
        layout=args.layout,
    )
    try:
        learner = Learner(env, settings, args.seed)
        learner.learn(args.timesteps, report)
    finally:
        env.close()
    episodes = evaluate(
        Policy(learner.model, TUNE_EVAL_SEED),
        args.scenario,
        arm,
        args.eval_episodes,
        TUNE_EVAL_SEED,
        population=args.population,
        max_cycles=args.max_cycles,
        layout=args.layout,
    )
    returns = [own_return(dataclasses.asdict(e), arm.name, arm.lam) for e in episodes]
    return float(np.mean(returns))


def sampler(optuna, seed: int, trial_number: int):
    """A TPE sampler seeded by the study's seed and the trial's number.

    Optuna seeds a sampler once per process, so a resumed study, or a second machine, would
    replay the first process's draws (its first trial would repeat trial 0). Seeding per
    trial gives each trial its own draws, reproducibly."""
    state = np.random.SeedSequence([seed, trial_number]).generate_state(1)[0]
    return optuna.samplers.TPESampler(seed=int(state))


def run_tune(args: TuneArgs) -> Path:
    """Run (or resume) the study until it holds ``n_trials`` finished trials; write the best
    trial's settings and return their path."""
    arm = validate(args)
    optuna = require("optuna")
    name = args.study_name or run_dir_name(args.scenario, arm, args.seed)
    output_dir = Path(args.output_dir)
    settings_file = Path(args.settings_file or output_dir / f"tune-{name}.json")
    if args.storage is None or args.settings_file is None:
        output_dir.mkdir(parents=True, exist_ok=True)
    storage = open_storage(optuna, args.storage or f"sqlite:///{output_dir / 'tune.db'}")
    study = optuna.create_study(
        storage=storage,
        study_name=name,
        direction="maximize",
        load_if_exists=True,
        sampler=sampler(optuna, args.seed, 0),  # each trial replaces it with its own
        pruner=optuna.pruners.MedianPruner(
            n_startup_trials=MEDIAN_OF, n_warmup_steps=int(args.timesteps * PRUNE_AFTER)
        ),
    )
    check_study_config(study, study_config(args, arm))
    states = optuna.trial.TrialState
    counted = (states.COMPLETE, states.PRUNED)

    def objective(trial) -> float:
        trial.study.sampler = sampler(optuna, args.seed, trial.number)
        settings = sample_settings(trial, args.num_envs)
        trial.set_user_attr("settings", dataclasses.asdict(settings))
        checks = PruningChecks(trial, args.timesteps, optuna.TrialPruned)
        return score(args, arm, settings, checks)

    finished = len(study.get_trials(deepcopy=False, states=counted))
    if finished < args.n_trials:
        print(f"study {name}: {finished} of {args.n_trials} trials finished; running the rest")
        study.optimize(
            objective,
            n_trials=args.n_trials - finished,
            callbacks=[optuna.study.MaxTrialsCallback(args.n_trials, states=counted)],
        )
    return write_best(study, settings_file, states)


def write_best(study, path: Path, states) -> Path:
    """Write the best trial's settings to ``path``; a ValueError if no trial completed."""
    complete = len(study.get_trials(deepcopy=False, states=(states.COMPLETE,)))
    pruned = len(study.get_trials(deepcopy=False, states=(states.PRUNED,)))
    if not complete:
        raise ValueError(
            f"study {study.study_name!r} has no complete trial ({pruned} pruned), so no best"
            " settings; run more trials (raise --n-trials)"
        )
    best = study.best_trial
    provenance = {MADE_FOR: made_for(study.user_attrs["config"]["scenario"])}
    path.write_text(json.dumps(best.user_attrs["settings"] | provenance, indent=1) + "\n")
    print(
        f"study {study.study_name}: {complete} complete and {pruned} pruned trials; the best,"
        f" trial {best.number}, returned {best.value:.4g} under the arm's reward; its"
        f" settings: {path}"
    )
    return path
