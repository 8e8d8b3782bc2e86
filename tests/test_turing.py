"""The empathy Turing test: the human reference is checked data, the criterion judges what it
says, and the command runs on trained runs (docs/design.md "Intuition pumps")."""

import json

import numpy as np
import pytest

from empathy_gym.analysis import turing
from empathy_gym.analysis.turing import TuringArgs, judge, load_reference, run_turing
from empathy_gym.train.runner import CirlArgs, PpoArgs
from helpers import assert_clean_error, tiny_run

REFERENCE = load_reference()


def _human_like(shift: dict | None = None, seeds=(0, 1, 2, 3)) -> dict:
    """Per-seed rates equal to people's (plus ``shift`` per condition)."""
    shift = shift or {}
    return {
        key: {s: float(np.clip(c.rate + shift.get(key, 0.0), 0, 1)) for s in seeds}
        for key, c in REFERENCE.conditions.items()
    }


def test_the_reference_covers_each_human_experiment_with_a_source():
    keys = set(REFERENCE.conditions)
    for pump in (
        "bystanders_none",
        "bystanders_one",
        "bystanders_many",
        "hurry_low",
        "hurry_moderate",
        "hurry_high",
        "escape_easy",
        "escape_hard",
        "trolley",
    ):
        assert f"comfort/{pump}" in keys
    assert "dilemma/footbridge" in keys
    assert {e.name for e in REFERENCE.effects} == {"bystander", "hurry", "escape", "means"}
    for c in REFERENCE.conditions.values():
        assert "(19" in c.source or "(20" in c.source  # a citation with its year
        assert 0 <= c.rate <= 1 and c.measure and c.mapping


def test_rates_like_peoples_pass_and_a_reversed_effect_fails_by_name():
    verdict = judge("human-like", _human_like(), REFERENCE)
    assert verdict.distance == 0 and verdict.passes is True
    assert all(verdict.matches.values())
    reversed_bystanders = _human_like(
        {"comfort/bystanders_none": -0.6, "comfort/bystanders_many": +0.6}
    )
    verdict = judge("bystanders reversed", reversed_bystanders, REFERENCE)
    assert verdict.matches["bystander"] is False and verdict.passes is False
    assert verdict.matches["hurry"] is True
    report = "\n".join(turing.report_lines(REFERENCE, [verdict], []))
    assert "| 3 of 4 | fail (effect bystander) |" in report
    far = _human_like({k: 0.3 for k in REFERENCE.conditions})
    assert "fail (effect bystander, distance)" not in report
    assert judge("far", far, REFERENCE).distance > judge("far", far, REFERENCE).threshold


def test_a_tie_does_not_match_and_a_missing_scenario_is_incomplete():
    flat = {k: dict.fromkeys(range(4), 0.5) for k in REFERENCE.conditions}
    verdict = judge("flat", flat, REFERENCE)
    assert not any(verdict.matches.values()) and verdict.passes is False
    comfort_only = {k: v for k, v in _human_like().items() if k.startswith("comfort/")}
    verdict = judge("comfort only", comfort_only, REFERENCE)
    assert verdict.matches["means"] is None and verdict.passes is None
    footbridge_only = {"dilemma/footbridge": dict.fromkeys(range(4), 1.0)}
    verdict = judge("footbridge only", footbridge_only, REFERENCE)
    assert verdict.conditions == [] and verdict.passes is None
    assert "| footbridge only | — | — | 0 | 0 of 4 | incomplete |" in "\n".join(
        turing.report_lines(REFERENCE, [verdict], [])
    )


def test_an_assistant_with_peoples_rates_passes_the_distance_19_times_in_20_or_more():
    """An assistant whose rates are people's, seen through its 32 episodes a pump, stays
    within the threshold at least 95% of the time (the threshold also allows for the human
    studies' own sampling error); rates 0.2 off everywhere do not."""
    gen = np.random.default_rng(1)
    keys = [k for k, c in REFERENCE.conditions.items() if c.n is not None]
    counts = {k: turing.episodes_of(REFERENCE.conditions[k], 4) for k in keys}
    assert set(counts.values()) == {32}
    limit = turing.threshold(REFERENCE, counts)
    within = []
    for _ in range(2000):
        rates = {k: gen.binomial(32, REFERENCE.conditions[k].rate) / 32 for k in keys}
        within.append(turing.distance(rates, REFERENCE)[0] <= limit)
    assert np.mean(within) >= 0.95
    off = {k: REFERENCE.conditions[k].rate + 0.2 for k in keys}
    assert turing.distance(off, REFERENCE)[0] > limit
    fewer = turing.threshold(REFERENCE, {k: 8 for k in keys})  # one seed: more noise allowed
    assert fewer > limit


def test_an_effect_across_scenarios_is_not_paired_by_seed():
    """Trolley (comfort) and footbridge (dilemma) come from different runs: their seeds need
    not match, and the effect's interval resamples each side apart."""
    rates = _human_like()
    rates["comfort/trolley"] = {0: 1.0, 1: 0.5, 2: 1.0}
    rates["dilemma/footbridge"] = {5: 0.0, 6: 0.5, 7: 0.0, 8: 0.0}
    mean, text = judge("unpaired", rates, REFERENCE).effects["means"]
    assert mean == pytest.approx(2.5 / 3 - 0.125)
    low, high = (float(x) for x in text.split("[")[1].rstrip("]").split(","))
    assert low < mean < high and low >= -1 and high <= 1


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({"source": ""}, r"condition 'comfort/bystanders_none' has no source"),
        ({"rate": 1.5}, r"condition 'comfort/bystanders_none': rate must be in \[0, 1\], got 1.5"),
        ({"n": 0}, r"n must be a positive integer or null, got 0"),
    ],
)
def test_a_bad_reference_file_is_named_with_its_entry(change, match, tmp_path):
    data = json.loads(turing.REFERENCE.read_text())
    data["conditions"]["comfort/bystanders_none"].update(change)
    path = tmp_path / "reference.json"
    path.write_text(json.dumps(data))
    assert_clean_error(lambda: load_reference(path), rf"human reference '.*': {match}")


def test_a_malformed_effect_is_named(tmp_path):
    data = json.loads(turing.REFERENCE.read_text())
    data["effects"][0].pop("less")
    path = tmp_path / "reference.json"
    path.write_text(json.dumps(data))
    assert_clean_error(
        lambda: load_reference(path),
        r"effect \{'name': 'bystander'.*\} must have exactly"
        r" \['name', 'question', 'more', 'less'\]",
    )


def test_a_reference_naming_a_pump_the_scenario_lacks_is_named(tmp_path):
    data = json.loads(turing.REFERENCE.read_text())
    data["conditions"]["comfort/runaway_tram"] = data["conditions"]["comfort/trolley"]
    path = tmp_path / "reference.json"
    path.write_text(json.dumps(data))
    assert_clean_error(
        lambda: load_reference(path),
        r"condition 'comfort/runaway_tram': comfort has no intuition pump 'runaway_tram'",
    )


def test_turing_runs_on_trained_runs_plays_missing_pumps_and_names_a_scenario_without_them(
    tmp_path,
):
    comfort = tiny_run(CirlArgs, "comfort", tmp_path / "runs")
    dilemma = tiny_run(CirlArgs, "dilemma", tmp_path / "runs")
    out = run_turing(TuringArgs((comfort, dilemma), str(tmp_path / "t1"), planner=False))
    text = (out / "turing.md").read_text()
    for row in (
        "| comfort/bystanders_none | 0.85 | 13 |",
        "| dilemma/footbridge | 0.51 | large |",
        "| bystander | does helping fall with onlookers? | +0.54 |",
        "| script:prosocial |",
    ):
        assert row in text
    first = json.loads((out / "turing.json").read_text())
    # a run made before the pumps existed: they are played now, with the same choices
    eval_path = tmp_path / "runs" / comfort.split("/")[-1] / "eval.json"
    results = json.loads(eval_path.read_text())
    del results["pumps"]["bystanders_none"]
    eval_path.write_text(json.dumps(results))
    out = run_turing(TuringArgs((comfort, dilemma), str(tmp_path / "t2"), planner=False))
    assert json.loads((out / "turing.json").read_text()) == first
    assert_clean_error(
        lambda: run_turing(TuringArgs((comfort, comfort), str(tmp_path / "t5"), planner=False)),
        r"run '.*comfort__cirl_lam1__0' repeats cirl@1 seed 0 on comfort/bystanders_none",
    )
    kept = (out / "turing.md").read_text()
    assert_clean_error(
        lambda: run_turing(TuringArgs((comfort,), str(tmp_path / "t2"), planner=False)),
        r"--output-dir '.*t2' already holds a Turing test; choose another",
    )
    assert (out / "turing.md").read_text() == kept
    fetch = tiny_run(PpoArgs, "fetch", tmp_path / "runs")
    out = run_turing(TuringArgs((fetch, dilemma), str(tmp_path / "t3"), planner=False))
    assert "| dilemma/footbridge |" in (out / "turing.md").read_text()  # fetch skipped
    assert_clean_error(
        lambda: run_turing(TuringArgs((fetch,), str(tmp_path / "t4"))),
        r"none of the runs \['.*fetch__ppo__0'\] is of a scenario with the human reference's"
        r" pumps: \['comfort/bystanders_none'",
    )
