"""``empathy-gym tune``: Optuna searches the learner's hyperparameters for one setting that
serves every arm.

A study has one or more *targets*, each a scenario and an arm (``--scenario --arm --lam``, and
``--more-targets comfort:cirl@4 ...``). A trial trains every target's learner for
``--timesteps`` steps with settings drawn by a TPE sampler and scores each by its
*competence*: the mean return under the arm's own training reward (``task + lambda * term``,
without the novelty bonus) on ``--eval-episodes`` episodes, over the return of the strongest
truth-free reference under that reward on the same episodes (the best of the scenario's
truth-free scripts and the planner: what the comparison's report measures competence
against). The trial's value is the *worst* competence across targets: one setting is shared
by every arm of a comparison, so it is tuned for the arm it serves least. The episodes are
seeded ``TUNE_EVAL_SEED + k``: disjoint from training and from the evaluation episodes of
``train`` and ``compare``, so settings are not chosen on the episodes that will judge them.
Every trial trains with the same ``--seed``: trials then differ by their settings alone.

During training a trial reports the competence of the training episodes finished since its
last check, at ``CHECKS`` fixed fractions of each target's budget: the same steps for every
trial whatever its rollout length, so the median pruner compares like with like. A trial
whose check falls below the median of earlier trials at that step is pruned (never before a
third of the first target's budget: early learning curves rank settings poorly).

The study lives in a SQL database (``--storage``, default ``sqlite:///<output-dir>/tune.db``)
under ``--study-name``: running the same command again resumes it, and any number of
processes or machines running it against one database share it. ``--n-trials`` counts the
finished trials (complete or pruned) of the whole study; a trial killed with its process is
not counted, and heartbeats mark it failed once it is stale. The references are measured
once, when the study is created, and kept with it. The best trial's full settings go to
``--settings-file``, which ``train --settings`` and ``compare --settings`` read.
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
from empathy_gym.envs.scenarios import make_scenario, scenario_class
from empathy_gym.errors import check_positive_int
from empathy_gym.experiment.results import OWN_RETURN_CURVE, own_return
from empathy_gym.extras import require
from empathy_gym.rollout.evaluate import PLANNER, evaluate, scripted
from empathy_gym.train.runs import MAX_EVAL_EPISODES, config_changes, run_dir_name
from empathy_gym.train.settings import MADE_FOR, PPOSettings, made_for

NUM_STEPS = (32, 64, 128)
"""Rollout lengths searched (steps per env)."""
MINIBATCHES = (2, 4, 8)
"""Minibatches per rollout searched; the minibatch size follows from the rollout."""
SEARCH_SPACE = {
    "learning_rate": (1e-4, 5e-3, True),
    "ent_coef": (1e-4, 0.05, True),
    "update_epochs": (2, 8, False),
    "gamma": (0.95, 0.999, False),
    "gae_lambda": (0.8, 0.99, False),
    "clip_coef": (0.1, 0.3, False),
    "novelty": (0.0, 0.6, False),
    "novelty_share": (0.25, 1.0, False),
    "term_warmup": (0.0, 0.3, False),
}
"""The settings searched besides the rollout's shape: (low, high, log scale); the type of
each is its default's (``PPOSettings``)."""
CHECKS = 4
"""Pruning checks per trial, at 1/5, 2/5, 3/5 and 4/5 of its budget."""
PRUNE_AFTER = 1 / 3
"""Share of the budget before which no trial is pruned."""
MEDIAN_OF = 5
"""Trials that must finish before the pruner acts."""
TUNE_EVAL_SEED = 900_000
"""Trials are scored on episodes seeded ``TUNE_EVAL_SEED + k``: training seeds its members
``seed + i``, train and compare evaluate on seeds from 1,000,000."""
OBJECTIVE = "worst competence"
"""What a study's trials score; a study that scored something else (before several targets,
each trial's own return) cannot be resumed under it."""
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
    more_targets: tuple[str, ...] = ()
    """more scenarios and arms to tune for, each as scenario:arm (comfort:cirl@4,
    fetch:ppo); the objective is the worst competence across all"""
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
    max_slowdown: float | None = None
    """choose the best trial among those that took at most this many times as long as the
    study's trial of the default settings (wall clock: fair when the study ran on one
    machine under one load): a setting that buys competence with compute can break a
    comparison's time budget; none: the best of all"""

    def to_arm(self) -> Arm:
        cares = factors_of(self.arm).cares
        lam = self.lam if self.lam is not None else 1.0 if cares else 0.0
        return Arm(self.arm, lam)

    def targets(self) -> list[Target]:
        """Every scenario and arm the study tunes for: the first, then ``more_targets``."""
        more = [parse_target(text) for text in self.more_targets]
        targets = [Target(self.scenario, self.to_arm()), *more]
        labels = [t.label for t in targets]
        repeated = sorted({x for x in labels if labels.count(x) > 1})
        if repeated:
            raise ValueError(f"more_targets repeats {repeated}; name each target once")
        return targets

    def min_timesteps(self) -> int:
        """Each pruning check must follow an update of its own, at the longest rollout."""
        return (CHECKS + 1) * self.num_envs * max(NUM_STEPS)


@dataclass(frozen=True)
class Target:
    """One scenario and arm a study tunes for."""

    scenario: str
    arm: Arm

    @property
    def label(self) -> str:
        return f"{self.scenario}:{self.arm.label}"


def scenarios_of(targets: list[Target]) -> list[str]:
    return list(dict.fromkeys(t.scenario for t in targets))


def parse_target(text: str) -> Target:
    """``comfort:cirl@4`` as a Target, or a ValueError naming ``more_targets``."""
    scenario, colon, arm = text.partition(":")
    if not colon or not scenario or not arm:
        raise ValueError(
            f"more_targets: {text!r} is not scenario:arm; write e.g. comfort:cirl@4 or fetch:ppo"
        )
    try:
        scenario_class(scenario)
        return Target(scenario, Arm.parse(arm))
    except ValueError as err:
        raise ValueError(f"more_targets: {text!r}: {err}") from None


def validate(args: TuneArgs) -> list[Target]:
    """The targets; a ValueError naming the argument for anything tune cannot use
    (the storage is checked when it is opened, still before any training)."""
    targets = args.targets()
    for target in targets:
        make_scenario(target.scenario, **env_kwargs(args))
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
    if args.max_slowdown is not None and not args.max_slowdown >= 1.0:
        raise ValueError(
            f"max_slowdown must be at least 1 (the first trial's own time), got"
            f" {args.max_slowdown!r}"
        )
    if args.study_name == "":
        raise ValueError("study_name must not be empty; omit it for the default")
    if args.settings_file is not None and not Path(args.settings_file).parent.is_dir():
        raise ValueError(
            f"settings_file {args.settings_file!r} is in a directory that does not exist;"
            " create it or choose another path"
        )
    return targets


def sample_settings(trial, num_envs: int) -> PPOSettings:
    """A trial's settings: those that matter most for PPO, in ranges around the defaults; the
    others keep their defaults."""
    num_steps = trial.suggest_categorical("num_steps", NUM_STEPS)
    minibatches = trial.suggest_categorical("minibatches", MINIBATCHES)
    defaults, searched = PPOSettings(), {}
    for name, (low, high, log) in SEARCH_SPACE.items():
        whole = isinstance(getattr(defaults, name), int)
        suggest = trial.suggest_int if whole else trial.suggest_float
        searched[name] = suggest(name, low, high, log=log)
    return PPOSettings(
        num_envs=num_envs,
        num_steps=num_steps,
        minibatch_size=num_envs * num_steps // minibatches,
        **searched,
    )


def default_params() -> dict:
    """The default settings as a trial's parameters (``sample_settings``'s names)."""
    d = PPOSettings()
    params = {k: getattr(d, k) for k in SEARCH_SPACE}
    return params | {
        "num_steps": d.num_steps,
        "minibatches": d.num_envs * d.num_steps // d.minibatch_size,
    }


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


def policy_inputs(target: Target) -> int:
    """The size of the target arm's policy input under this code (observation, memory and
    belief inputs): a study is evidence only about the inputs it trained on."""
    env = make_arm_env(target.scenario, target.arm, 1, track_beliefs=False)
    size = int(env.single_observation_space.shape[0])
    env.close()
    return size


def study_config(args: TuneArgs, targets: list[Target]) -> dict:
    """What a study's trials are comparable under, the code's env versions and observation
    layouts included; resuming it with other values is refused."""
    first = targets[0]
    return {
        "scenario": first.scenario,
        "arm": first.arm.name,
        "lam": float(first.arm.lam),
        "more_targets": [t.label for t in targets[1:]],
        "objective": OBJECTIVE,
        MADE_FOR: [made_for(scenario) for scenario in scenarios_of(targets)],
        "policy_inputs": [policy_inputs(t) for t in targets],
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
    without the novelty bonus) of the training episodes finished since the last one, over
    ``reference``, goes to the trial, and from ``PRUNE_AFTER`` of the budget on the trial
    stops if the pruner says so. A study's ``k``-th target (``label``) reports at steps
    offset by ``k`` budgets (``offset``), and has the same warm-up as the first."""

    def __init__(
        self,
        trial,
        timesteps: int,
        pruned: type[Exception],
        offset: int = 0,
        reference: float = 1.0,
        label: str = "",
    ):
        self.trial, self.pruned, self.offset, self.reference = trial, pruned, offset, reference
        self.marks = [k * timesteps // (CHECKS + 1) for k in range(1, CHECKS + 1)]
        self.warmup = timesteps * PRUNE_AFTER
        self.label = label
        self.returns: list[float] = []

    def __call__(self, stats: dict) -> None:
        if OWN_RETURN_CURVE in stats:
            self.returns.append(stats[OWN_RETURN_CURVE])
        if not self.marks or stats["time/global_step"] < self.marks[0]:
            return
        mark = self.marks.pop(0)
        if not self.returns:  # no episode ended since the last check
            return
        self.trial.report(float(np.mean(self.returns)) / self.reference, self.offset + mark)
        self.returns = []
        if mark >= self.warmup and self.trial.should_prune():
            where = f" of {self.label}" if self.label else ""
            raise self.pruned(f"pruned at {mark} steps{where}")


def env_kwargs(args: TuneArgs) -> dict:
    return {"population": args.population, "max_cycles": args.max_cycles, "layout": args.layout}


def mean_own_return(policy, args: TuneArgs, target: Target) -> float:
    """A policy's mean return under the target arm's own reward on the tuning episodes."""
    episodes = evaluate(
        policy,
        target.scenario,
        target.arm,
        args.eval_episodes,
        TUNE_EVAL_SEED,
        **env_kwargs(args),
    )
    arm = target.arm
    return float(np.mean([own_return(dataclasses.asdict(e), arm.name, arm.lam) for e in episodes]))


def reference(args: TuneArgs, target: Target) -> dict:
    """The strongest truth-free reference under the target's reward on the tuning episodes:
    ``{"name", "return"}``, or a ValueError if none earns more than 0 (competence, a ratio
    to it, would then mean nothing)."""
    rules = make_scenario(target.scenario, **env_kwargs(args))
    seeds = [TUNE_EVAL_SEED + k for k in range(args.eval_episodes)]
    returns = {
        kind: mean_own_return(
            scripted(kind, rules, seeds, reward=target.arm if kind == PLANNER else None),
            args,
            target,
        )
        for kind in (*rules.truth_free_policies(), PLANNER)
    }
    best = max(returns, key=returns.get)
    if returns[best] <= 0.0:
        raise ValueError(
            f"target {target.label}: no truth-free reference earns more than 0 under its"
            f" reward (best: {best}, {returns[best]:.3g}), so competence is undefined; tune"
            " for another arm or lambda"
        )
    return {"name": best, "return": returns[best]}


def score(args: TuneArgs, target: Target, settings: PPOSettings, report) -> float:
    """Train with ``settings``; the mean return under the arm's own reward on the tuning
    episodes."""
    torch = require("torch")
    from empathy_gym.train.learner import Learner, Policy

    torch.set_num_threads(1)
    arm = target.arm
    env = make_arm_env(
        target.scenario,
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
    return mean_own_return(Policy(learner.model, TUNE_EVAL_SEED), args, target)


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
    targets = validate(args)
    optuna = require("optuna")
    name = args.study_name or "+".join(run_dir_name(t.scenario, t.arm, args.seed) for t in targets)
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
        pruner=optuna.pruners.MedianPruner(n_startup_trials=MEDIAN_OF),  # warm-up: checks
    )
    check_study_config(study, study_config(args, targets))
    states = optuna.trial.TrialState
    counted = (states.COMPLETE, states.PRUNED)
    references = study.user_attrs.get("references", {})
    if any(t.label not in references for t in targets):
        references = {t.label: reference(args, t) for t in targets}
        study.set_user_attr("references", references)
    alive = (states.COMPLETE, states.RUNNING, states.WAITING)
    if not defaults_trials(study, alive):  # what tuning must beat; again if it was killed
        study.enqueue_trial(default_params())

    def objective(trial) -> float:
        trial.study.sampler = sampler(optuna, args.seed, trial.number)
        settings = sample_settings(trial, args.num_envs)
        trial.set_user_attr("settings", dataclasses.asdict(settings))
        competences = []
        for k, target in enumerate(targets):
            best = references[target.label]["return"]
            checks = PruningChecks(
                trial, args.timesteps, optuna.TrialPruned, k * args.timesteps, best, target.label
            )
            competences.append(score(args, target, settings, checks) / best)
            trial.set_user_attr(f"competence {target.label}", competences[-1])
        return min(competences)

    finished = len(study.get_trials(deepcopy=False, states=counted))
    if finished < args.n_trials:
        print(f"study {name}: {finished} of {args.n_trials} trials finished; running the rest")
        study.optimize(
            objective,
            n_trials=args.n_trials - finished,
            callbacks=[optuna.study.MaxTrialsCallback(args.n_trials, states=counted)],
        )
    return write_best(study, settings_file, states, args.max_slowdown)


def defaults_trials(study, states) -> list:
    """The study's trials of the default settings, in the given states, in order."""
    defaults = default_params()
    return [t for t in study.get_trials(deepcopy=False, states=states) if t.params == defaults]


def seconds(trial) -> float:
    """How long a finished trial took, wall clock."""
    return (trial.datetime_complete - trial.datetime_start).total_seconds()


def write_best(study, path: Path, states, max_slowdown: float | None = None) -> Path:
    """Write the best trial's settings to ``path`` (among those at most ``max_slowdown``
    times as slow as the defaults' trial, if given); a ValueError if no trial qualifies."""
    done = study.get_trials(deepcopy=False, states=(states.COMPLETE,))
    pruned = len(study.get_trials(deepcopy=False, states=(states.PRUNED,)))
    if not done:
        raise ValueError(
            f"study {study.study_name!r} has no complete trial ({pruned} pruned), so no best"
            " settings; run more trials (raise --n-trials)"
        )
    complete = len(done)
    if max_slowdown is not None:
        defaults = defaults_trials(study, (states.COMPLETE,))
        if not defaults:
            raise ValueError(
                f"max_slowdown: study {study.study_name!r} has no complete trial of the default"
                " settings to time the others against; run it further (a killed one is queued"
                " again) or leave max_slowdown out"
            )
        done = [t for t in done if seconds(t) <= max_slowdown * seconds(defaults[0])]
    best = max(done, key=lambda t: t.value)
    config = study.user_attrs["config"]
    made = config[MADE_FOR]
    provenance = {MADE_FOR: made[0] if len(made) == 1 else made}
    path.write_text(json.dumps(best.user_attrs["settings"] | provenance, indent=1) + "\n")
    within = "" if max_slowdown is None else f" within {max_slowdown:g}x the defaults' time"
    print(
        f"study {study.study_name}: {complete} complete and {pruned} pruned trials; the best"
        f"{within}, trial {best.number}, has a worst competence of {best.value:.4g} (its"
        " return over the strongest truth-free reference's under each arm's reward); its"
        f" settings: {path}"
    )
    return path
