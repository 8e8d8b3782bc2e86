"""Probes of activations and silencing of units find what is there, and nothing else."""

import json
from pathlib import Path

import numpy as np
import torch

from empathy_gym.agents.arms import Arm
from empathy_gym.agents.wrapper import make_arm_env
from empathy_gym.analysis.activations import Silenced, check_doses, collect
from empathy_gym.analysis.moral_profile import PumpsArgs, run_pumps
from empathy_gym.analysis.probe import ProbeArgs, run_probe
from empathy_gym.analysis.probes import Activations, chance, probe
from empathy_gym.stats import describe, seed_interval
from empathy_gym.train.learner import ActorCritic, Policy
from empathy_gym.train.runner import CirlArgs
from helpers import assert_clean_error, tiny_run


def _synthetic(rng, layer_of, samples=1200, people=2, goals=4, episodes=12) -> Activations:
    valence = rng.uniform(-1, 1, (samples, people))
    arousal = rng.uniform(0, 1, (samples, people))
    goal = rng.integers(goals, size=(samples, people))
    acts = Activations(
        layers={},
        valence=valence,
        arousal=arousal,
        goal=goal,
        distressed=(valence < -0.3).any(axis=1),
        nearest_valence=valence[:, 0],
        episode=np.arange(samples) % episodes,
    )
    acts.layers["layer"] = layer_of(acts)
    return acts


def test_a_probe_recovers_a_planted_signal():
    rng = np.random.default_rng(0)

    def planted(acts):
        noise = 0.05 * rng.standard_normal((len(acts.valence), 6))
        goals = np.eye(4)[acts.goal].reshape(len(acts.goal), -1)
        distress = acts.distressed[:, None].astype(float)
        return np.concatenate([acts.valence, acts.arousal, goals, distress, noise], axis=1)

    measures = probe(_synthetic(rng, planted), "layer")
    assert measures["valence"] > 0.9 and measures["arousal"] > 0.9
    assert measures["goal"] > 0.95 and measures["distress"] > 0.9
    assert measures["rsa_affect"] > 0.1


def test_a_probe_finds_nothing_where_there_is_nothing():
    """Activations independent of the people: every measure at chance, within its interval
    over independent draws (seeds)."""
    draws = []
    for seed in range(5):
        rng = np.random.default_rng(100 + seed)
        acts = _synthetic(rng, lambda a, rng=rng: rng.standard_normal((len(a.valence), 16)))
        draws.append(probe(acts, "layer", seed))
    reference = chance(acts)
    for measure, level in reference.items():
        values = [d[measure] for d in draws]
        interval = seed_interval(values, rng=0)
        assert interval.low - 0.03 <= level <= interval.high + 0.03, (measure, interval)
        assert np.mean(values) < level + 0.05


def _tiny_model(env_obs: int) -> ActorCritic:
    torch.manual_seed(0)
    return ActorCritic(env_obs, 0, 6, (16, 16))


def test_silencing_nothing_changes_nothing_and_silencing_what_matters_changes_actions():
    model = _tiny_model(10)
    with torch.no_grad():  # make the last layer matter: a strong policy head
        model.policy_head.weight.mul_(300.0)
    obs = np.random.default_rng(1).uniform(-1, 1, (64, 10)).astype(np.float32)
    policy = Policy(model, seed=3)
    intact = [policy(obs) for _ in range(3)]
    untouched = Silenced(model, "trunk2", [], seed=3)
    np.testing.assert_array_equal(np.stack(intact), np.stack([untouched(obs) for _ in range(3)]))
    silenced = Silenced(model, "trunk2", np.arange(16), seed=3)
    assert (np.stack([silenced(obs) for _ in range(3)]) != np.stack(intact)).any()
    assert_clean_error(
        lambda: Silenced(model, "trunk3", [0]), r"layer 'trunk3' is not a trunk layer"
    )
    for units in (np.arange(17), [3, 3], [-1]):
        assert_clean_error(
            lambda units=units: Silenced(model, "trunk1", units),
            r"units must be distinct unit indices of layer 'trunk1' \(0\.\.15\)",
        )
    for doses in ((0, 17), (-1,), (2.5,)):
        assert_clean_error(
            lambda doses=doses: check_doses(doses, 16, "trunk1"),
            r"doses: k=.* cannot be silenced in layer 'trunk1'; use whole numbers from 0 to its 16",
        )


def test_a_read_out_of_something_that_never_varies_is_undefined_not_perfect():
    rng = np.random.default_rng(0)
    acts = _synthetic(rng, lambda a: rng.standard_normal((len(a.valence), 8)), goals=3)
    acts.goal[:, 1] = 2  # person 1's goal never changes
    measures = probe(acts, "layer")
    assert 0.2 < measures["goal"] < 0.5  # person 0 only: near chance 1/3
    assert chance(acts)["goal"] == 1 / 3
    acts.distressed[:] = False
    assert np.isnan(probe(acts, "layer")["distress"])
    assert describe([0.5, float("nan")]) == "n/a"


def test_probe_and_pumps_commands_run_on_a_trained_run_and_name_bad_input(tmp_path):
    run_dir = Path(tiny_run(CirlArgs, "dilemma", tmp_path / "runs"))
    assert "footbridge" in json.loads((run_dir / "eval.json").read_text())["pumps"]
    out = run_probe(
        ProbeArgs(
            (str(run_dir),),
            episodes=4,
            doses=(0, 2),
            silencing_episodes=2,
            output_dir=str(tmp_path / "probes"),
        )
    )
    report = (out / "probes.md").read_text()
    assert "| trunk2 |" in report and "| memory |" in report and "| belief |" in report
    for figure in ("pca.png", "silencing_doses.png"):
        assert (out / figure).stat().st_size > 1000
    pumps = run_pumps(PumpsArgs((str(run_dir),), output_dir=str(tmp_path / "pumps")))
    profile = (pumps / "pumps.md").read_text()
    assert "footbridge" in profile and "shoves the person" in profile
    assert (pumps / "dilemma_footbridge.png").stat().st_size > 1000
    for bad, match in (
        ({"episodes": 1}, "episodes must be at least 2"),
        ({"doses": (0, -4)}, "doses: k=-4 cannot be silenced"),
        ({"doses": (0, 65)}, "doses: k=65 cannot be silenced"),
        ({"layer": "trunk9"}, r"--layer 'trunk9' is not a layer"),
    ):
        assert_clean_error(lambda bad=bad: run_probe(ProbeArgs((str(run_dir),), **bad)), match)
    missing = str(tmp_path / "nowhere")
    assert_clean_error(lambda: run_probe(ProbeArgs((missing,))), "does not exist")
    (run_dir / "eval.json").unlink()
    (run_dir / "model.pt").unlink()
    assert_clean_error(lambda: run_probe(ProbeArgs((str(run_dir),))), "is not a finished run")


def test_collect_records_every_layer_beside_the_truth():
    size = make_arm_env("dilemma", Arm("cirl", 1.0), 1).single_observation_space.shape[0]
    env_model = ActorCritic(size, 0, 6, (8, 8))
    acts = collect(env_model, "dilemma", Arm("cirl", 1.0), 2, 123, max_cycles=10)
    assert set(acts.layers) == {"memory", "belief", "trunk1", "trunk2"}
    assert acts.layers["trunk1"].shape == (20, 8)
    assert acts.valence.shape == (20, 1) and len(acts.episode) == 20
