"""The training scripts, the learner and the comparison, end to end with tiny budgets."""

import csv
import dataclasses
import json
import subprocess
import sys
import time

import numpy as np
import pytest
import torch

from empathy_gym.agents.arms import Arm
from empathy_gym.agents.wrapper import make_arm_env
from empathy_gym.envs.scenarios import scenario_class
from empathy_gym.experiment.compare import (
    CompareArgs,
    _evaluate_script,
    resolve_preset,
    run_compare,
    run_state,
    script_jobs,
)
from empathy_gym.train.learner import Learner, Policy
from empathy_gym.train.runner import CirlArgs, ContagionArgs, PpoArgs, run_training
from empathy_gym.train.runs import load_run
from empathy_gym.train.settings import PPOSettings
from helpers import assert_clean_error

SMALL = {"num_envs": 4, "num_steps": 32, "minibatch_size": 64}
TINY = dict(
    timesteps=512,
    eval_episodes=2,
    max_cycles=30,
    eval_populations=("default",),
    belief_doses=(1.0,),
    checkpoint_every=128,
)


def _flags(**fields) -> list[str]:
    """Command-line flags for TrainArgs fields (and the learner's, as ``--ppo.*``)."""
    flags = ["--no-progress"]
    for name, value in fields.items():
        flags.append("--" + name.replace("_", "-"))
        flags += [str(v) for v in value] if isinstance(value, tuple) else [str(value)]
    for name, value in SMALL.items():
        flags += ["--ppo." + name.replace("_", "-"), str(value)]
    return flags


def _tiny(cls, tmp_path, ppo=None, **overrides):
    settings = PPOSettings(**(SMALL | (ppo or {})))
    fields = {"scenario": "fetch", "output_dir": str(tmp_path), "progress": False, "ppo": settings}
    return cls(**(TINY | fields | overrides))


@pytest.mark.parametrize(
    ("command", "run_name"),
    [
        ([sys.executable, "-m", "empathy_gym.train.ppo", "--scenario", "fetch"], "fetch__ppo__0"),
        (
            [sys.executable, "-m", "empathy_gym.train.cirl", "--scenario", "comfort"],
            "comfort__cirl_lam1__0",
        ),
        (
            [
                sys.executable,
                "-m",
                "empathy_gym",
                "train",
                "contagion",
                "--scenario",
                "comfort",
                "--lesion",
                "cognitive",
                "--coupling",
                "global",
                "--lam",
                "0.5",
                "--layout",
                "procedural",
            ],
            "comfort__contagion-global-cognitive_lam0.5__0",
        ),
    ],
    ids=["ppo-module", "cirl-module", "contagion-cli"],
)
def test_each_script_trains_evaluates_and_writes_its_outputs(command, run_name, tmp_path):
    flags = _flags(**(TINY | {"eval_populations": ("default", "masking")}))
    out = subprocess.run(
        [*command, *flags, "--output-dir", str(tmp_path)], capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    (run_dir,) = tmp_path.iterdir()
    assert run_dir.name == run_name
    config = json.loads((run_dir / "config.json").read_text())
    assert config["run"]["timesteps"] == 512 and config["run"]["ppo"]["num_envs"] == 4
    evaluation = json.loads((run_dir / "eval.json").read_text())
    assert set(evaluation["populations"]) == {"default", "masking"}
    episodes = evaluation["populations"]["masking"]
    assert len(episodes) == 2 and "mood_global_face" in episodes[0]
    pumps = scenario_class(run_name.split("__")[0]).pumps
    assert set(evaluation["pumps"]) == {pump.name for pump in pumps}
    sees_belief = "cirl_lam" in run_name
    assert set(evaluation["ablations"]) == ({"remove", "noise1"} if sees_belief else set())
    assert config["run"]["arm"] == run_name.split("__")[1].split("_lam")[0]
    trained_on = "procedural" if "contagion" in run_name else "fixed"
    assert config["run"]["layout"] == config["env"]["layout"] == trained_on
    families = scenario_class(run_name.split("__")[0]).map_families()
    assert {k: len(v) for k, v in evaluation["layouts"].items()} == dict.fromkeys(families, 2)
    trained = evaluation["layouts"]["train" if trained_on == "procedural" else "fixed"]
    assert trained == evaluation["populations"]["default"]  # its own episodes, not played again
    assert torch.load(run_dir / "model.pt", weights_only=False).policy
    with (run_dir / "progress.csv").open() as f:
        assert int(list(csv.DictReader(f))[-1]["time/global_step"]) >= 512
    assert list((run_dir / "checkpoints").glob("step_*.pt"))


def test_resume_after_a_kill_continues_from_the_newest_checkpoint(tmp_path):
    args = _tiny(CirlArgs, tmp_path, timesteps=1024)
    run_dir = run_training(args)
    # Simulate a kill after the checkpoint at 512 steps: later files never got written.
    for late in (
        *[p for p in run_dir.glob("checkpoints/step_*.pt") if int(p.stem[5:]) > 512],
        run_dir / "model.pt",
        run_dir / "eval.json",
    ):
        late.unlink()
    assert_clean_error(lambda: run_training(args), "unfinished run.*--resume")
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "empathy_gym.train.cirl",
            *_flags(**(TINY | {"scenario": "fetch", "timesteps": 1024})),
            "--output-dir",
            str(tmp_path),
            "--resume",
        ],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr
    assert "from step_512.pt at 512 steps" in out.stdout
    assert (run_dir / "eval.json").exists()
    with (run_dir / "progress.csv").open() as f:
        steps = [int(r["time/global_step"]) for r in csv.DictReader(f)]
    assert steps[-1] == 1024 and sorted(steps) == steps  # the curve continues, no restart


def test_a_run_made_before_an_argument_existed_resumes_with_its_default(tmp_path):
    args = _tiny(PpoArgs, tmp_path, timesteps=1024)
    run_dir = run_training(args)
    (run_dir / "eval.json").unlink()  # unfinished
    config = json.loads((run_dir / "config.json").read_text())
    del config["run"]["layout"]  # as written before layouts existed
    (run_dir / "config.json").write_text(json.dumps(config))
    assert run_state(args, str(tmp_path)) == "partial"
    run_training(dataclasses.replace(args, resume=True))
    assert (run_dir / "eval.json").exists()
    moved = dataclasses.replace(args, resume=True, layout="procedural")
    assert_clean_error(lambda: run_training(moved), r"layout: 'fixed' -> 'procedural'")


def test_a_run_made_before_the_renames_is_read_under_todays_names(tmp_path, capsys):
    """Runs recorded "condition" and "cell", and evaluated "lesions" and "variants", before
    those became "command", "arm", "ablations" and "pumps": compare still finds them
    finished, loads their results, and load_run rebuilds their arm."""
    from empathy_gym.experiment.results import load_runs
    from empathy_gym.train.runs import load_run

    args = _tiny(CirlArgs, tmp_path, scenario="dilemma")
    run_dir = run_training(args)
    today = load_runs([args], str(tmp_path))
    record = json.loads((run_dir / "config.json").read_text())
    record["run"]["condition"] = record["run"].pop("command")
    record["run"]["cell"] = record["run"].pop("arm")
    (run_dir / "config.json").write_text(json.dumps(record))
    evaluation = json.loads((run_dir / "eval.json").read_text())
    evaluation["lesions"] = evaluation.pop("ablations")
    evaluation["variants"] = evaluation.pop("pumps")
    (run_dir / "eval.json").write_text(json.dumps(evaluation))
    assert run_state(args, str(tmp_path)) == "finished"
    assert load_runs([args], str(tmp_path)) == today
    assert load_run(str(run_dir))[1] == Arm("cirl", 1.0)


def test_a_pump_renamed_since_a_run_is_read_under_its_name_now(tmp_path):
    """Comfort's costly_help is hurry_high now (the same map and episodes): a run that
    played it under the old name is read under the new; the old name on its own is
    refused with the new one."""
    from empathy_gym.envs.scenarios.comfort import Comfort
    from empathy_gym.experiment.results import load_runs

    args = _tiny(CirlArgs, tmp_path, scenario="comfort")
    run_dir = run_training(args)

    def rows():
        return sorted(load_runs([args], str(tmp_path)), key=lambda r: (r["setting"], r["episode"]))

    today = rows()
    evaluation = json.loads((run_dir / "eval.json").read_text())
    evaluation["pumps"]["costly_help"] = evaluation["pumps"].pop("hurry_high")
    (run_dir / "eval.json").write_text(json.dumps(evaluation))
    assert rows() == today
    assert_clean_error(
        lambda: Comfort.pump("costly_help"),
        r"comfort's pump 'costly_help' was renamed 'hurry_high'; use hurry_high",
    )


def test_a_scenario_without_a_generator_is_refused_procedural_maps_before_training(
    tmp_path, monkeypatch
):
    """Presets check every scenario's layouts up front, and a run evaluates only the
    layouts its scenario has (so nothing trains and then fails)."""
    from empathy_gym.experiment.presets import Preset

    dilemma = scenario_class("dilemma")
    monkeypatch.setattr(dilemma, "draw", None)
    assert dilemma.layouts() == ("fixed",)
    assert_clean_error(
        lambda: Preset("p", ("dilemma",), ("ppo",), (0, 1), 64, layout="procedural"),
        r"layout 'procedural' is not available for dilemma",
    )
    run_dir = run_training(_tiny(PpoArgs, tmp_path, scenario="dilemma"))
    assert set(json.loads((run_dir / "eval.json").read_text())["layouts"]) == {"fixed"}


def test_compare_takes_a_layout_and_its_scripts_play_it():
    preset = resolve_preset(CompareArgs(preset="micro", layout="procedural"))
    assert preset.layout == "procedural"
    assert resolve_preset(CompareArgs(preset="micro")).layout == "fixed"
    assert_clean_error(
        lambda: resolve_preset(CompareArgs(preset="micro", layout="maze")),
        r"layout must be one of \('fixed', 'procedural'\), got 'maze'",
    )
    fixed = resolve_preset(CompareArgs(preset="micro"))
    played = {
        p.layout: _evaluate_script(("dilemma", "default", "selfish", 0, p, "", None))
        for p in (fixed, preset)
    }
    assert [r["welfare"] for r in played["fixed"]] != [r["welfare"] for r in played["procedural"]]
    on_train = _evaluate_script(("dilemma", "default", "selfish", 0, fixed, "train", None))
    assert {r["setting"] for r in on_train} == {"layout:train"}
    assert [r["welfare"] for r in on_train] == [r["welfare"] for r in played["procedural"]]
    jobs = script_jobs(fixed)
    families = {job[5] for job in jobs if job[2] == "selfish"}
    assert families == {"", *scenario_class("dilemma").map_families()}
    assert not any(
        job[5] for job in jobs if job[2] not in scenario_class("dilemma").truth_free_policies()
    )


def test_existing_runs_are_never_overwritten_without_asking(tmp_path):
    run_dir = run_training(_tiny(PpoArgs, tmp_path))
    before = (run_dir / "eval.json").read_bytes()
    assert_clean_error(lambda: run_training(_tiny(PpoArgs, tmp_path)), "finished run.*--overwrite")
    message = assert_clean_error(
        lambda: run_training(_tiny(PpoArgs, tmp_path, ppo={"gamma": 0.9})), "different config"
    )
    assert "ppo" in message and "'gamma': 0.99" in message
    assert (run_dir / "eval.json").read_bytes() == before
    run_training(_tiny(PpoArgs, tmp_path, ppo={"gamma": 0.9}, overwrite=True))
    assert json.loads((run_dir / "config.json").read_text())["run"]["ppo"]["gamma"] == 0.9


@pytest.mark.parametrize(
    ("overrides", "match"),
    [
        ({"scenario": "kitchen"}, r"scenario 'kitchen' is unknown"),
        ({"population": "happy"}, r"population 'happy' is unknown"),
        ({"lesion": "frontal"}, r"lesion 'frontal' is unknown"),
        ({"lam": -1.0}, r"lam \(lambda\) must be a number >= 0"),
        ({"lam": 0.0}, r"lam=0 turns arm 'contagion-proximity' into another arm"),
        ({"coupling": "telepathic"}, r"coupling 'telepathic' is unknown"),
        ({"timesteps": 0}, "timesteps must be a positive integer"),
        ({"ppo": {"minibatch_size": 999}}, r"minibatch_size=999 is larger than a rollout"),
        (
            {"eval_populations": ("default", "shy")},
            r"eval_populations has unknown profiles \['shy'\]",
        ),
    ],
)
def test_bad_training_arguments_are_named(overrides, match, tmp_path):
    ppo = overrides.pop("ppo", None)
    assert_clean_error(
        lambda: run_training(_tiny(ContagionArgs, tmp_path, ppo=ppo, **overrides)), match
    )
    assert not any(tmp_path.iterdir())  # nothing was created


def test_unknown_command_on_the_command_line_lists_the_choices():
    out = subprocess.run(
        [sys.executable, "-m", "empathy_gym", "train", "greedy"], capture_output=True, text=True
    )
    assert out.returncode != 0
    assert "ppo" in out.stderr and "cirl" in out.stderr and "contagion" in out.stderr


def _trained(seed: int, steps: int = 2048):
    settings = PPOSettings(**SMALL)
    env = make_arm_env("dilemma", Arm("ppo"), 4, track_beliefs=False, max_cycles=40)
    learner = Learner(env, settings, seed)
    learner.learn(steps)
    return learner


def test_the_learner_is_deterministic_given_its_seed():
    a, b, c = _trained(3), _trained(3), _trained(4)
    for x, y in zip(a.model.parameters(), b.model.parameters(), strict=True):
        torch.testing.assert_close(x, y, rtol=0, atol=0)
    assert any(
        not torch.equal(x, y)
        for x, y in zip(a.model.parameters(), c.model.parameters(), strict=True)
    )


def test_the_term_warmup_weights_the_other_regarding_term_from_0_to_1():
    """The learner's reward is task + weight * (arm reward - task), the weight rising linearly
    over the warmup's share of training; 0 (the default) leaves the arm's reward alone."""
    env = make_arm_env("comfort", Arm("cirl", 2.0), 4, track_beliefs=False)
    settings = PPOSettings(num_envs=4, num_steps=8, minibatch_size=32, term_warmup=0.5)
    learner = Learner(env, settings, 0)
    learner._total = 1000
    reward, infos = np.array([3.0, 1.0, 0.0, -2.0]), {"reward_task": np.array([1.0, 1, 0, 0])}
    expected = {0: [1.0, 1, 0, 0], 250: [2.0, 1, 0, -1], 500: reward, 900: reward}
    for step, want in expected.items():
        learner.global_step = step
        np.testing.assert_allclose(learner._warmed_up(reward, infos), want)
    learner.settings = dataclasses.replace(settings, term_warmup=0.0)
    learner.global_step = 0
    np.testing.assert_allclose(learner._warmed_up(reward, infos), reward)


def test_ppo_learns_the_errand_and_its_policy_never_sees_the_truth():
    """Dilemma's task (errands to the finish) is learned well above doing nothing; the value
    head is fed the truth, the policy is not (its logits ignore it)."""
    settings = PPOSettings(num_envs=32, num_steps=64, minibatch_size=512, novelty=0.0)
    env = make_arm_env("dilemma", Arm("ppo"), 32, track_beliefs=False)
    learner = Learner(env, settings, 0)
    learner.learn(300_000)
    from empathy_gym.rollout.evaluate import evaluate

    episodes = evaluate(Policy(learner.model, 1), "dilemma", Arm("ppo"), 8, 1_000_000)
    assert np.mean([e.task_return for e in episodes]) > 8.0
    obs = torch.rand(5, env.single_observation_space.shape[0])
    truth = torch.rand(5, env.critic_truth().shape[1])
    logits, value = learner.model(obs, truth)
    torch.testing.assert_close(logits, learner.model.policy(obs))
    assert not torch.allclose(value, learner.model(obs, torch.zeros_like(truth))[1])


def test_compare_micro_writes_the_report_and_skips_finished_runs(tmp_path, capsys):
    report_dir = run_compare(CompareArgs(preset="micro", output_dir=str(tmp_path), workers=1))
    with (report_dir / "seeds.csv").open() as f:
        rows = list(csv.DictReader(f))
    arms = {r["arm"] for r in rows}
    scripts = {"script:nothing", "script:selfish", "script:prosocial"}  # dilemma has no oracle
    planner = {"script:planner:task", "script:planner:welfare_sum"}  # ppo's reward, cirl's
    assert arms == {"ppo", "affective", "cirl"} | scripts | planner
    assert {r["lam"] for r in rows if r["arm"] == "script:planner:welfare_sum"} == {"1.0"}
    assert {r["population"] for r in rows} == {"default", "masking"}
    assert {r["seed"] for r in rows} == {"0", "1"}  # disjoint evaluation episodes per seed
    report = (report_dir / "report.md").read_text()
    for section in (
        "## Competence (training population)",
        "normalised | converged | steps to 0.9 |",
        "| dilemma | cirl | 1 | ",
        "Seeds that failed to learn (below 0.5 of the reference",
        "## Aggregates over scenarios",
        "| cirl | ",
        "## dilemma: training population",
        "### dilemma, `masking`",
        "## Ablations of the belief inputs",
        "**P1.",
        "**P5.",
        "## Generalisation to kinds of map never trained on",
        "**dilemma**: trained on `fixed` maps (λ = 1)",
        "| cirl | `small` |",
        "## Moral profile on the intuition pumps",
        "| dilemma | footbridge |",
        "## Empathy Turing test",
        "| dilemma/footbridge | 0.51 | large |",
        "| script:planner (cirl@1) |",
        "## Inside the agents: does the affective lesion still know? (prediction 3)",
        "- affective − cirl: valence",
        "- affective − ppo: valence",
    ):
        assert section in report
    for plot in ("frontiers.png", "ablation_doses.png", "learning_curves.png"):
        assert (report_dir / "plots" / plot).stat().st_size > 1000
    capsys.readouterr()
    run_compare(CompareArgs(preset="micro", output_dir=str(tmp_path), workers=1))
    assert "6 runs, 6 already finished" in capsys.readouterr().out


def _preset_file(tmp_path, **fields) -> str:
    path = tmp_path / "preset.json"
    base = {"scenarios": ["dilemma"], "arms": ["ppo"], "seeds": [0, 1], "timesteps": 64}
    path.write_text(json.dumps(base | fields))
    return str(path)


@pytest.mark.parametrize(
    ("fields", "match"),
    [
        ({"colour": "red"}, r"unknown fields \['colour'\]"),
        ({"arms": ["ppo", "greedy"]}, r"arm 'greedy' is unknown"),
        ({"arms": ["cirl"], "lams": []}, r"lams \(the lambda grid\) is empty"),
        ({"seeds": [0]}, r"seeds \[0\] are fewer than 2"),
        ({"scenarios": ["kitchen"]}, r"scenario 'kitchen' is unknown"),
        ({"cells": ["ppo"]}, r"field 'cells' was renamed 'arms'"),
    ],
)
def test_bad_presets_are_named(fields, match, tmp_path):
    args = CompareArgs(config=_preset_file(tmp_path, **fields), output_dir=str(tmp_path))
    assert_clean_error(lambda: run_compare(args), match)


def test_compare_refuses_an_unknown_preset_and_a_run_with_another_config(tmp_path):
    assert_clean_error(
        lambda: run_compare(CompareArgs(preset="huge", output_dir=str(tmp_path))),
        r"preset 'huge' is unknown",
    )
    run_training(_tiny(PpoArgs, tmp_path, scenario="dilemma", timesteps=128))
    args = CompareArgs(config=_preset_file(tmp_path), output_dir=str(tmp_path))
    message = assert_clean_error(lambda: run_compare(args), "config differs")
    assert "timesteps" in message


def test_a_run_trained_on_other_policy_inputs_is_refused_by_name(tmp_path):
    """A policy reads inputs of the size it was trained on: after the observation or the
    memory changes, loading, resuming or reusing an old run says so instead of failing in
    torch."""
    args = _tiny(PpoArgs, tmp_path, scenario="dilemma", timesteps=128)
    run_dir = run_training(args)
    config = json.loads((run_dir / "config.json").read_text())
    size = config["observation_size"]
    config["observation_size"] = size + 648  # as if it had traced the window
    (run_dir / "config.json").write_text(json.dumps(config))
    stale = rf"was trained on policy inputs of {size + 648} entries; this code gives its arm {size}"
    assert_clean_error(lambda: load_run(str(run_dir)), stale + ".*: train it again$")
    assert_clean_error(
        lambda: run_state(args, str(tmp_path)), stale + ".*: move it away or choose another"
    )
    (run_dir / "eval.json").unlink()  # unfinished, with a checkpoint
    resumed = dataclasses.replace(args, resume=True)
    assert_clean_error(lambda: run_training(resumed), stale + ".*with --overwrite$")


def test_compare_on_a_local_ray_gives_the_local_backends_results(tmp_path):
    pytest.importorskip("ray")  # in the [dev] extra; absent only in a minimal install
    local = run_compare(CompareArgs(preset="micro", output_dir=str(tmp_path / "local"), workers=1))
    on_ray = run_compare(
        CompareArgs(preset="micro", output_dir=str(tmp_path / "ray"), workers=2, backend="ray")
    )
    with (local / "seeds.csv").open() as a, (on_ray / "seeds.csv").open() as b:
        assert list(csv.DictReader(a)) == list(csv.DictReader(b))
    assert_clean_error(
        lambda: run_compare(CompareArgs(preset="micro", backend="slurm", output_dir=str(tmp_path))),
        r"backend 'slurm' is unknown; use one of \('local', 'ray'\)",
    )


def _board_steps(tb_dir) -> dict[str, list[int]]:
    """Every (tag, step) in a TensorBoard directory's raw event files, duplicates kept."""
    from tensorboard.backend.event_processing.event_file_loader import EventFileLoader

    steps: dict[str, list[int]] = {}
    for path in sorted(tb_dir.glob("events.out.tfevents.*")):
        for event in EventFileLoader(str(path)).Load():
            for value in event.summary.value:
                steps.setdefault(value.tag, []).append(event.step)
    return steps


def _rows(path) -> int:
    try:
        return max(0, len(path.read_text().splitlines()) - 1)
    except FileNotFoundError:
        return 0


def test_learning_curves_survive_kills_at_several_points(tmp_path):
    """SIGKILL a run after its 3rd rollout (before the first checkpoint) and after its
    9th (between checkpoints), resume each time: progress.csv and TensorBoard then hold every
    rollout exactly once, and the run trains at least --timesteps."""
    batch, timesteps = 4 * 256, 20_000  # 20 rollouts: 20,480 steps, the total rounded up
    command = [
        sys.executable,
        "-m",
        "empathy_gym.train.ppo",
        *_flags(**(TINY | {"scenario": "dilemma", "timesteps": timesteps})),
        "--checkpoint-every",
        str(4 * batch),
        "--ppo.num-steps",
        "256",
        "--ppo.minibatch-size",
        "256",
        "--output-dir",
        str(tmp_path),
    ]
    run_dir = tmp_path / "dilemma__ppo__0"
    for kill_after in (3, 9):
        process = subprocess.Popen(
            command + (["--resume"] if kill_after > 3 else []),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        while _rows(run_dir / "progress.csv") < kill_after and process.poll() is None:
            time.sleep(0.002)
        process.kill()
        process.wait()
        assert not (run_dir / "model.pt").exists(), "training ended before the kill"
    out = subprocess.run([*command, "--resume"], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    expected = list(range(batch, 20 * batch + 1, batch))
    assert expected[-1] >= timesteps
    with (run_dir / "progress.csv").open() as f:
        assert [int(r["time/global_step"]) for r in csv.DictReader(f)] == expected
    board = _board_steps(run_dir / "tb")
    assert board["time/fps"] == expected and board["loss/value"] == expected
    assert sorted(board["episode/task_return"]) == sorted(set(board["episode/task_return"]))
