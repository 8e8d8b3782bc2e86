"""The training scripts and the comparison, end to end with tiny budgets."""

import csv
import json
import subprocess
import sys
import zipfile

import imageio.v3 as iio
import pytest

from empathy_gym.train.compare import CompareArgs, run_compare
from empathy_gym.train.runner import CirlArgs, ContagionArgs, PpoArgs, run_training
from helpers import assert_clean_error

TINY = dict(
    timesteps=256,
    n_envs=4,
    n_steps=32,
    batch_size=64,
    eval_episodes=2,
    max_cycles=30,
    eval_populations=("default",),
    checkpoint_every=64,
)


def _flags(**fields) -> list[str]:
    """Command-line flags for TrainArgs fields."""
    flags = ["--no-progress"]
    for name, value in fields.items():
        flags.append("--" + name.replace("_", "-"))
        flags += [str(v) for v in value] if isinstance(value, tuple) else [str(value)]
    return flags


def _tiny(cls, tmp_path, **overrides):
    return cls(**(TINY | {"output_dir": str(tmp_path), "progress": False} | overrides))


@pytest.mark.parametrize(
    "command",
    [
        [sys.executable, "-m", "empathy_gym.train.ppo"],
        [sys.executable, "-m", "empathy_gym.train.cirl", "--scenario", "comfort"],
        [
            sys.executable,
            "-m",
            "empathy_gym",
            "train",
            "contagion",
            "--scenario",
            "dilemma",
            "--lesion",
            "affective",
            "--lam",
            "0.5",
        ],
    ],
    ids=["ppo-module", "cirl-module", "contagion-cli"],
)
def test_each_script_trains_evaluates_and_writes_its_outputs(command, tmp_path):
    flags = _flags(**(TINY | {"eval_populations": ("default", "masking")}))
    out = subprocess.run(
        [*command, *flags, "--output-dir", str(tmp_path)], capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    (run_dir,) = tmp_path.iterdir()
    scenario = command[command.index("--scenario") + 1] if "--scenario" in command else "fetch"
    condition = (
        command[2].split(".")[-1] if command[1] == "-m" and "train." in command[2] else "contagion"
    )
    lesion = "affective" if "--lesion" in command else "none"
    assert run_dir.name == f"{scenario}__{condition}__{lesion}__0"
    config = json.loads((run_dir / "config.json").read_text())
    assert config["run"]["condition"] == condition and config["run"]["timesteps"] == 256
    evaluation = json.loads((run_dir / "eval.json").read_text())
    assert set(evaluation) == {"default", "masking"}
    assert len(evaluation["masking"]) == 2 and "valence_mae" in evaluation["masking"][0]
    assert zipfile.is_zipfile(run_dir / "model.zip")
    with (run_dir / "progress.csv").open() as f:
        assert int(list(csv.DictReader(f))[-1]["time/total_timesteps"]) >= 256
    assert list((run_dir / "checkpoints").glob("ppo_*_steps.zip"))


def test_resume_after_a_kill_continues_from_the_newest_checkpoint(tmp_path):
    args = _tiny(CirlArgs, tmp_path, timesteps=512)
    run_dir = run_training(args)
    # Simulate a kill after the checkpoint at 256 steps: later files never got written.
    for late in (
        *run_dir.glob("checkpoints/ppo_[3-9]*_steps.zip"),
        run_dir / "model.zip",
        run_dir / "eval.json",
    ):
        late.unlink()
    assert_clean_error(lambda: run_training(args), "unfinished run.*--resume")
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "empathy_gym.train.cirl",
            *_flags(**(TINY | {"timesteps": 512})),
            "--output-dir",
            str(tmp_path),
            "--resume",
        ],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr
    assert "from ppo_256_steps.zip at 256 steps" in out.stdout
    assert (run_dir / "eval.json").exists()
    with zipfile.ZipFile(run_dir / "model.zip") as model:
        assert json.loads(model.read("data"))["num_timesteps"] >= 512


def test_existing_runs_are_never_overwritten_without_asking(tmp_path):
    run_dir = run_training(_tiny(PpoArgs, tmp_path))
    before = (run_dir / "eval.json").read_bytes()
    assert_clean_error(lambda: run_training(_tiny(PpoArgs, tmp_path)), "finished run.*--overwrite")
    message = assert_clean_error(
        lambda: run_training(_tiny(PpoArgs, tmp_path, gamma=0.9)), "different config"
    )
    assert "gamma: 0.99 -> 0.9" in message
    assert (run_dir / "eval.json").read_bytes() == before
    run_training(_tiny(PpoArgs, tmp_path, gamma=0.9, overwrite=True))
    assert json.loads((run_dir / "config.json").read_text())["run"]["gamma"] == 0.9


@pytest.mark.parametrize(
    ("overrides", "match"),
    [
        ({"scenario": "kitchen"}, r"scenario 'kitchen' is unknown"),
        ({"population": "happy"}, r"population 'happy' is unknown"),
        ({"lesion": "frontal"}, r"lesion 'frontal' is unknown"),
        ({"lam": -1.0}, r"lam \(lambda\) must be a number >= 0"),
        ({"timesteps": 0}, "timesteps must be a positive integer"),
        (
            {"eval_populations": ("default", "shy")},
            r"eval_populations has unknown profiles \['shy'\]",
        ),
    ],
)
def test_bad_training_arguments_are_named(overrides, match, tmp_path):
    assert_clean_error(lambda: run_training(_tiny(ContagionArgs, tmp_path, **overrides)), match)
    assert not any(tmp_path.iterdir())  # nothing was created


def test_unknown_condition_on_the_command_line_lists_the_choices():
    out = subprocess.run(
        [sys.executable, "-m", "empathy_gym", "train", "greedy"], capture_output=True, text=True
    )
    assert out.returncode != 0
    assert "ppo" in out.stderr and "cirl" in out.stderr and "contagion" in out.stderr


def test_compare_micro_writes_results_report_and_plots_and_skips_finished_runs(tmp_path, capsys):
    report_dir = run_compare(
        CompareArgs(preset="micro", output_dir=str(tmp_path), workers=1, bootstrap=200)
    )
    with (report_dir / "results.csv").open() as f:
        rows = list(csv.DictReader(f))
    cells = {(r["condition"], r["lesion"]) for r in rows}
    assert cells == {("ppo", "none"), ("cirl", "none"), ("nothing", "-"), ("oracle", "-")}
    assert {r["population"] for r in rows} == {"default", "masking"}
    assert len(rows) == 4 * 2  # cells x populations, one seed
    assert {r["held_out"] for r in rows if r["population"] == "masking"} == {"True"}
    report = (report_dir / "report.md").read_text()
    assert "## fetch: training population (default)" in report
    assert "## fetch: held-out populations (masking)" in report
    assert "**P1." in report and "**P4." in report
    for plot in ("learning_curves.png", "task_vs_welfare.png", "lesions.png"):
        assert (report_dir / "plots" / plot).stat().st_size > 1000
    for cell in ("ppo__none", "cirl__none"):
        gif = report_dir / "gifs" / f"fetch__{cell}__0.gif"
        assert iio.imread(gif).shape[0] == 41  # the micro preset's 40 steps and the start
        assert f"gifs/{gif.name}" in report
    capsys.readouterr()
    run_compare(CompareArgs(preset="micro", output_dir=str(tmp_path), workers=1, bootstrap=200))
    assert "2 runs, 2 already finished" in capsys.readouterr().out


def test_compare_config_file_and_bad_presets(tmp_path):
    assert_clean_error(
        lambda: run_compare(CompareArgs(preset="huge", output_dir=str(tmp_path))),
        r"preset 'huge' is unknown",
    )
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"scenarios": ["fetch"], "colour": "red"}))
    assert_clean_error(
        lambda: run_compare(CompareArgs(config=str(bad), output_dir=str(tmp_path))),
        r"unknown fields \['colour'\]",
    )
    cells = tmp_path / "cells.json"
    cells.write_text(
        json.dumps(
            {"scenarios": ["fetch"], "cells": [["ppo", "affective"]], "seeds": [0], "timesteps": 64}
        )
    )
    assert_clean_error(
        lambda: run_compare(CompareArgs(config=str(cells), output_dir=str(tmp_path))),
        "does not apply to condition 'ppo'",
    )


def test_compare_on_a_local_ray_gives_the_local_backends_results(tmp_path):
    pytest.importorskip("ray")  # in the [dev] extra; absent only in a minimal install
    local = run_compare(
        CompareArgs(preset="micro", output_dir=str(tmp_path / "local"), workers=1, bootstrap=200)
    )
    on_ray = run_compare(
        CompareArgs(
            preset="micro",
            output_dir=str(tmp_path / "ray"),
            workers=2,
            bootstrap=200,
            backend="ray",
        )
    )
    with (local / "results.csv").open() as a, (on_ray / "results.csv").open() as b:
        assert list(csv.DictReader(a)) == list(csv.DictReader(b))
    assert_clean_error(
        lambda: run_compare(CompareArgs(preset="micro", backend="slurm", output_dir=str(tmp_path))),
        r"backend 'slurm' is unknown; use one of \('local', 'ray'\)",
    )
