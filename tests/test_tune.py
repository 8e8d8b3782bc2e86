"""``empathy-gym tune``: tiny Optuna studies that run, resume after a kill, and write settings
that ``train`` and ``compare`` read; bad storage, arguments and settings files are named."""

import dataclasses
import datetime
import json
import re
import shutil
import sqlite3
import subprocess
import sys

import optuna
import pytest
import tyro
from optuna.distributions import CategoricalDistribution

from empathy_gym.agents.arms import Arm
from empathy_gym.experiment import tune
from empathy_gym.experiment.compare import CompareArgs, resolve_preset, run_compare
from empathy_gym.experiment.tune import (
    CHECKS,
    MINIBATCHES,
    NUM_STEPS,
    SEARCH_SPACE,
    PruningChecks,
    Target,
    TuneArgs,
    default_params,
    run_tune,
    seconds,
    write_best,
)
from empathy_gym.train.runner import CirlArgs, PpoArgs, run_training
from empathy_gym.train.settings import MADE_FOR, PPOSettings, made_for
from helpers import assert_clean_error

TINY = dict(
    scenario="dilemma",
    arm="cirl",
    max_cycles=30,
    num_envs=4,
    timesteps=2560,  # the least 4 envs allow: (CHECKS + 1) * 4 * the longest rollout
    eval_episodes=2,
)
STUDY = "dilemma__cirl_lam1__0"
COUNTED = (optuna.trial.TrialState.COMPLETE, optuna.trial.TrialState.PRUNED)


def _tune(tmp_path, **overrides) -> TuneArgs:
    return TuneArgs(**(TINY | {"output_dir": str(tmp_path)} | overrides))


def _study(tmp_path) -> optuna.Study:
    return optuna.load_study(study_name=STUDY, storage=f"sqlite:///{tmp_path / 'tune.db'}")


@pytest.fixture(scope="module")
def tuned(tmp_path_factory):
    """A study of 3 finished trials and its settings file."""
    folder = tmp_path_factory.mktemp("tune")
    path = run_tune(_tune(folder, n_trials=3))
    return folder, path


def test_three_trials_finish_and_the_best_settings_are_written_in_full(tuned):
    folder, path = tuned
    assert path == folder / f"tune-{STUDY}.json"
    study = _study(folder)
    assert [t.state for t in study.trials] == [optuna.trial.TrialState.COMPLETE] * 3
    written = json.loads(path.read_text())
    assert set(written) == {f.name for f in dataclasses.fields(PPOSettings)} | {"made_for"}
    assert written.pop("made_for") == made_for("dilemma")
    assert written == study.best_trial.user_attrs["settings"]
    assert study.best_value == max(t.value for t in study.trials)
    settings = PPOSettings.from_json(path)
    assert settings.num_envs == 4 and settings.num_steps in NUM_STEPS
    assert settings.minibatch_size in {4 * settings.num_steps // m for m in MINIBATCHES}
    assert len({json.dumps(t.params, sort_keys=True) for t in study.trials}) == 3
    marks = [k * TINY["timesteps"] // (CHECKS + 1) for k in range(1, CHECKS + 1)]
    for trial in study.trials:  # what the median pruner compares, at the same steps
        assert sorted(trial.intermediate_values) == marks


def test_rerunning_the_command_resumes_the_study_after_a_kill(tuned, tmp_path, capsys):
    folder, _ = tuned
    shutil.copy(folder / "tune.db", tmp_path / "tune.db")
    before = {t.number: t.datetime_complete for t in _study(tmp_path).trials}
    _study(tmp_path).ask()  # a trial whose process was killed: left running...
    with sqlite3.connect(tmp_path / "tune.db") as db:  # ...its last heartbeat an hour ago
        db.execute(
            "INSERT INTO trial_heartbeats (trial_id, heartbeat)"
            " SELECT max(trial_id), datetime('now', '-1 hour') FROM trials"
        )
    capsys.readouterr()
    run_tune(_tune(tmp_path, n_trials=4))
    assert "3 of 4 trials finished" in capsys.readouterr().out
    trials = _study(tmp_path).trials
    assert {t.number: t.datetime_complete for t in trials[:3]} == before  # not retrained
    assert trials[3].state == optuna.trial.TrialState.FAIL  # stale: failed, never counted
    assert len(trials) == 5 and trials[4].state in COUNTED  # exactly one new trial
    assert sum(t.state in COUNTED for t in trials) == 4
    assert all(trials[4].params != t.params for t in trials[:3])  # no replay of the first draws
    run_tune(_tune(tmp_path, n_trials=4))  # finished: nothing left to run
    assert len(_study(tmp_path).trials) == 5
    assert (tmp_path / f"tune-{STUDY}.json").exists()


def test_a_study_is_reproducible_from_its_seed(tuned, tmp_path):
    """The same command in another storage scores the defaults alike, then draws and scores
    the same first sampled trial; another seed draws another."""
    first = _study(tuned[0]).trials[:2]
    run_tune(_tune(tmp_path, n_trials=2))
    again = _study(tmp_path).trials[:2]
    assert [(t.params, t.value) for t in again] == [(t.params, t.value) for t in first]
    assert first[0].params == default_params() != first[1].params
    run_tune(_tune(tmp_path, n_trials=2, seed=1))
    other = optuna.load_study(
        study_name="dilemma__cirl_lam1__1", storage=f"sqlite:///{tmp_path / 'tune.db'}"
    )
    assert other.trials[1].params != first[1].params


def test_train_and_compare_accept_the_settings_file(tuned, tmp_path):
    _, path = tuned
    written = json.loads(path.read_text())
    del written["made_for"]  # what it was tuned on, checked when read; not a setting
    run_dir = run_training(
        CirlArgs(
            scenario="dilemma",
            timesteps=512,
            max_cycles=30,
            eval_episodes=2,
            eval_populations=("default",),
            belief_doses=(1.0,),
            checkpoint_every=512,
            output_dir=str(tmp_path),
            progress=False,
            settings=str(path),
        )
    )
    recorded = json.loads((run_dir / "config.json").read_text())["run"]
    assert recorded["ppo"] == written and "settings" not in recorded
    parsed = tyro.cli(CirlArgs, args=["--scenario", "dilemma", "--settings", str(path)])
    assert parsed.settings == str(path)
    preset = resolve_preset(CompareArgs(preset="micro", settings=str(path)))
    assert PPOSettings(**preset.ppo) == PPOSettings.from_json(path)
    assert resolve_preset(CompareArgs(preset="micro")).ppo["num_envs"] == 16  # untouched


STORAGE = r"use sqlite:///PATH\.db .* e\.g\. postgresql://"


@pytest.mark.parametrize(
    ("storage", "match"),
    [
        (
            "sqlite:///{tmp}/missing/tune.db",
            r"is a file in '.*/missing', a directory that does not exist",
        ),
        ("sqlite:///{tmp}/junk.db", r"cannot be opened \(\(sqlite3\.DatabaseError\) file is not"),
        ("{tmp}/tune.db", "is not a database URL"),
        ("nosuchdb://host/study", r"cannot be opened \(Can't load plugin"),
        ("sqlite:///", "is an in-memory database"),
    ],
    ids=["missing-directory", "not-a-database", "not-a-url", "unknown-dialect", "in-memory"],
)
def test_an_unusable_storage_is_named_before_any_training(storage, match, tmp_path):
    (tmp_path / "junk.db").write_text("not a database")
    url = storage.format(tmp=tmp_path)
    args = _tune(tmp_path, storage=url, n_trials=1)
    assert_clean_error(lambda: run_tune(args), rf"^storage '.*' {match}.*; {STORAGE}")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["junk.db"]  # nothing trained


def test_the_command_line_reports_a_bad_storage_in_one_line(tmp_path):
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "empathy_gym",
            "tune",
            "--scenario",
            "dilemma",
            "--storage",
            "postgresql://u:pw@h/db",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert out.returncode == 2
    assert out.stderr.startswith("empathy-gym: error: storage 'postgresql://u:***@h/db'")
    assert "Traceback" not in out.stderr and "pw" not in out.stderr  # no password echoed


def test_without_optuna_the_error_names_the_extra(tmp_path):
    code = (
        "import sys; sys.modules['optuna'] = None\n"
        "from empathy_gym.experiment.tune import TuneArgs, run_tune\n"
        "run_tune(TuneArgs(scenario='dilemma', output_dir='out'))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path)
    assert "optuna is not installed" in out.stderr
    assert "pip install 'empathy-gym[train]'" in out.stderr
    assert not any(tmp_path.iterdir())  # refused before creating anything


@pytest.mark.parametrize(
    ("overrides", "match"),
    [
        ({"n_trials": 0}, "n_trials must be a positive integer, got 0"),
        ({"timesteps": 2559}, r"timesteps=2559 is too small: each trial needs at least 2560"),
        ({"arm": "greedy"}, r"arm 'greedy' is unknown; use one of \['ppo', 'affective'"),
        ({"arm": "ppo", "lam": 2.0}, r"lam=2.0 does not apply to arm 'ppo'"),
        ({"scenario": "kitchen"}, r"scenario 'kitchen' is unknown"),
        ({"seed": -1}, r"seed must be an integer >= 0"),
        ({"max_slowdown": 0.5}, r"max_slowdown must be at least 1 .*, got 0\.5"),
        ({"settings_file": "{tmp}/no/best.json"}, r"settings_file '.*/no/best.json' is in a"),
    ],
)
def test_bad_tuning_arguments_are_named(overrides, match, tmp_path):
    overrides = {
        k: v.format(tmp=tmp_path) if isinstance(v, str) else v for k, v in overrides.items()
    }
    assert_clean_error(lambda: run_tune(_tune(tmp_path, **overrides)), match)
    assert not any(tmp_path.iterdir())


def test_resuming_a_study_with_other_arguments_is_refused(tuned):
    folder, _ = tuned
    args = _tune(folder, n_trials=9, max_cycles=40)
    message = assert_clean_error(lambda: run_tune(args), "was run with other arguments")
    assert "max_cycles: 30 -> 40" in message and "--study-name" in message
    assert len(_study(folder).trials) == 3


def test_a_study_made_before_cell_was_renamed_arm_resumes(tuned, tmp_path):
    folder, _ = tuned
    study = _study(folder)
    config = study.user_attrs["config"]
    config["cell"] = config.pop("arm")  # as studies recorded it before the rename
    optuna.copy_study(
        from_study_name=STUDY,
        from_storage=f"sqlite:///{folder / 'tune.db'}",
        to_storage=f"sqlite:///{tmp_path / 'tune.db'}",
    )
    _study(tmp_path).set_user_attr("config", config)
    run_tune(_tune(tmp_path, n_trials=3))  # all three finished: nothing retrains
    assert len(_study(tmp_path).trials) == 3


class _Trial:
    def __init__(self, prune: bool):
        self.prune, self.reports = prune, []

    def report(self, value, step):
        self.reports.append((step, value))

    def should_prune(self):
        return self.prune


def test_pruning_checks_report_at_fixed_steps_and_stop_a_pruned_trial():
    trial = _Trial(prune=False)
    checks = PruningChecks(trial, 1000, optuna.TrialPruned)  # checks at 200, 400, 600, 800
    for step, ret in [(128, 1.0), (256, 3.0), (384, None), (512, None), (640, 5.0), (768, 7.0)]:
        checks({"time/global_step": step} | ({} if ret is None else {"episode/shaped_return": ret}))
    assert trial.reports == [(200, 2.0), (600, 5.0)]  # 400: no episode ended since 200
    trial = _Trial(prune=True)
    checks = PruningChecks(trial, 1000, optuna.TrialPruned)
    checks({"time/global_step": 100, "episode/shaped_return": 2.0})
    checks({"time/global_step": 200, "episode/shaped_return": 4.0})  # reported, in warm-up
    with pytest.raises(optuna.TrialPruned, match=r"pruned at 400 steps$"):
        checks({"time/global_step": 400, "episode/shaped_return": 1.0})
    assert trial.reports == [(200, 3.0), (400, 1.0)]


def test_a_later_target_reports_competence_after_the_earlier_budgets_with_its_own_warm_up():
    trial = _Trial(prune=True)
    checks = PruningChecks(trial, 1000, optuna.TrialPruned, 2000, 4.0, "fetch:ppo")
    checks({"time/global_step": 200, "episode/shaped_return": 2.0})  # not pruned: warm-up
    with pytest.raises(optuna.TrialPruned, match="pruned at 400 steps of fetch:ppo"):
        checks({"time/global_step": 400, "episode/shaped_return": 6.0})
    assert trial.reports == [(2200, 0.5), (2400, 1.5)]


def test_the_best_within_a_slowdown_is_timed_against_the_defaults(tmp_path):
    """Trials made by hand, with their times: the best is too slow, so the next best within
    1.5x the defaults' time is written; a study without a finished defaults trial says so."""
    study = optuna.create_study(direction="maximize")
    start = datetime.datetime(2026, 1, 1)

    def add(params, value, minutes):
        trial = optuna.trial.create_trial(
            params=params,
            distributions={k: CategoricalDistribution([v]) for k, v in params.items()},
            value=value,
            user_attrs={"settings": {"gamma": value}},
        )
        trial.datetime_start = start
        trial.datetime_complete = start + datetime.timedelta(minutes=minutes)
        study.add_trial(trial)

    add(default_params(), 0.5, 10)
    add({"num_steps": 128}, 0.9, 20)  # best, but twice as slow
    add({"num_steps": 32}, 0.7, 14)
    study.set_user_attr("config", {MADE_FOR: [made_for("dilemma")]})
    states = optuna.trial.TrialState
    path = write_best(study, tmp_path / "best.json", states, max_slowdown=1.5)
    assert json.loads(path.read_text())["gamma"] == 0.7
    assert json.loads(write_best(study, path, states).read_text())["gamma"] == 0.9
    empty = optuna.create_study(direction="maximize")
    empty.add_trial(study.trials[1])
    empty.set_user_attr("config", study.user_attrs["config"])
    assert_clean_error(
        lambda: write_best(empty, path, states, max_slowdown=1.5),
        r"has no complete trial of the default settings",
    )


def test_a_study_scored_before_competence_is_refused(tuned, tmp_path):
    folder, _ = tuned
    optuna.copy_study(
        from_study_name=STUDY,
        from_storage=f"sqlite:///{folder / 'tune.db'}",
        to_storage=f"sqlite:///{tmp_path / 'tune.db'}",
    )
    config = _study(tmp_path).user_attrs["config"]
    del config["objective"], config["policy_inputs"]  # as studies of raw returns recorded it
    _study(tmp_path).set_user_attr("config", config)
    message = assert_clean_error(
        lambda: run_tune(_tune(tmp_path, n_trials=4)), "was run with other arguments"
    )
    assert "objective: None -> 'worst competence'" in message


def test_a_reference_that_earns_nothing_is_refused(monkeypatch):
    monkeypatch.setattr(tune, "mean_own_return", lambda policy, args, target: -1.0)
    target = Target("dilemma", Arm("ppo"))
    assert_clean_error(
        lambda: tune.reference(_tune("."), target),
        r"target dilemma:ppo: no truth-free reference earns more than 0 .*competence is undefined",
    )


@pytest.mark.parametrize(
    ("content", "match"),
    [
        ({"learning_rate": 1e-3, "lr": 0.1}, r"has unknown fields \['lr'\]; known: \['num_envs'"),
        ({"num_envs": "4"}, r"num_envs must be an integer, got '4'"),
        ({"critic_truth": 1}, r"critic_truth must be true or false, got 1"),
        ({"hidden": [64, "wide"]}, r"hidden must be a list of integers"),
        ({"gamma": 2}, r"gamma must be in \(0, 1\], got 2\.0"),
        ({"learning_rate": -1e-3}, r"learning_rate must be > 0"),
        ({"term_warmup": 1.0}, r"term_warmup must be in \[0, 1\), got 1\.0"),
        ({"num_envs": 4, "num_steps": 8}, r"minibatch_size=4096 is larger than a rollout"),
        ([1, 2], "must hold a JSON object"),
        ("{not json", "cannot be read as JSON"),
    ],
)
def test_a_bad_settings_file_is_named_with_its_field(content, match, tmp_path):
    path = tmp_path / "settings.json"
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    out = tmp_path / "runs"
    args = PpoArgs(scenario="fetch", output_dir=str(out), timesteps=64, settings=str(path))
    named = rf"^settings file '{re.escape(str(path))}'.*{match}"
    assert_clean_error(lambda: run_training(args), named)
    compare = CompareArgs(preset="micro", output_dir=str(out), settings=str(path))
    assert_clean_error(lambda: run_compare(compare), named)
    assert not out.exists()


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({"version": "dilemma_v1"}, r"was tuned on dilemma_v1 .* this code's is dilemma_v"),
        ({"observation": "0123456789ab"}, r"with observation layout 0123456789ab; this code's"),
        ({"scenario": "lobby"}, r"was tuned on an unknown scenario: .*'lobby'"),
    ],
)
def test_settings_tuned_on_another_env_or_observation_are_refused(change, match, tmp_path):
    path = tmp_path / "tuned.json"
    path.write_text(json.dumps({"gamma": 0.98, "made_for": made_for("dilemma") | change}))
    assert_clean_error(lambda: PPOSettings.from_json(path), match)
    path.write_text(json.dumps({"gamma": 0.98, "made_for": made_for("dilemma")}))
    assert PPOSettings.from_json(path).gamma == 0.98


def test_settings_tuned_on_several_scenarios_are_checked_on_each(tmp_path):
    path = tmp_path / "tuned.json"
    both = [made_for("dilemma"), made_for("fetch")]
    path.write_text(json.dumps({"gamma": 0.98, "made_for": both}))
    assert PPOSettings.from_json(path).gamma == 0.98
    both[1] |= {"version": "fetch_v0"}
    path.write_text(json.dumps({"gamma": 0.98, "made_for": both}))
    assert_clean_error(lambda: PPOSettings.from_json(path), r"was tuned on fetch_v0")


def test_a_study_of_several_targets_scores_the_worst_competence(tmp_path):
    """Each trial trains every target; its value is the lowest return over the target's
    strongest truth-free reference, measured once and kept with the study. The first trial
    is the default settings."""
    path = run_tune(_tune(tmp_path, n_trials=2, more_targets=("dilemma:ppo",)))
    study = optuna.load_study(
        study_name="dilemma__cirl_lam1__0+dilemma__ppo__0",
        storage=f"sqlite:///{tmp_path / 'tune.db'}",
    )
    references = study.user_attrs["references"]
    assert set(references) == {"dilemma:cirl@1", "dilemma:ppo"}
    for reference in references.values():
        assert reference["return"] > 0 and reference["name"] in ("selfish", "prosocial", "planner")
    for trial in study.trials:
        competences = [trial.user_attrs[f"competence {t}"] for t in references]
        assert trial.value == min(competences)
    default = PPOSettings(num_envs=4)
    first = study.trials[0].user_attrs["settings"]
    for name in SEARCH_SPACE:
        assert first[name] == getattr(default, name)
    assert json.loads(path.read_text())["made_for"] == made_for("dilemma")
    assert study.user_attrs["config"]["more_targets"] == ["dilemma:ppo"]
    # within 1x of the first trial's time, only trials as fast as the defaults qualify
    kept = [t for t in study.trials if seconds(t) <= seconds(study.trials[0])]
    run_tune(_tune(tmp_path, n_trials=2, more_targets=("dilemma:ppo",), max_slowdown=1.0))
    chosen = json.loads(path.read_text())
    del chosen["made_for"]
    assert chosen == max(kept, key=lambda t: t.value).user_attrs["settings"]


@pytest.mark.parametrize(
    ("targets", "match"),
    [
        (("comfort",), r"more_targets: 'comfort' is not scenario:arm; write e\.g\. comfort:cirl@4"),
        (("comfort:cirl",), r"more_targets: 'comfort:cirl': arm 'cirl' needs its lambda"),
        (("kitchen:ppo",), r"more_targets: 'kitchen:ppo': scenario 'kitchen' is unknown"),
        (("dilemma:cirl@1",), r"more_targets repeats \['dilemma:cirl@1'\]"),
    ],
)
def test_bad_targets_are_named(targets, match, tmp_path):
    assert_clean_error(lambda: run_tune(_tune(tmp_path, more_targets=targets)), match)
    assert not any(tmp_path.iterdir())


def test_settings_file_and_ppo_flags_exclude_each_other(tmp_path):
    path = tmp_path / "settings.json"
    path.write_text("{}")
    args = PpoArgs(
        "fetch", output_dir=str(tmp_path), settings=str(path), ppo=PPOSettings(gamma=0.9)
    )
    assert_clean_error(lambda: run_training(args), r"--ppo\.\* flags both set")
    assert_clean_error(
        lambda: run_training(
            PpoArgs("fetch", output_dir=str(tmp_path), settings=str(tmp_path / "no"))
        ),
        r"settings file '.*/no' cannot be read as JSON: \[Errno 2\]",
    )
