"""The report's competence, aggregates and generalisation sections, on rows made by hand."""

import numpy as np
import pytest

from empathy_gym.envs.scenarios import scenario_class
from empathy_gym.experiment.presets import Preset
from empathy_gym.experiment.report import Report, fmt_reach
from empathy_gym.experiment.results import LAYOUT_PREFIX, SCRIPT_PREFIX, Table, steps_to_reach
from empathy_gym.rollout.pumps import profile_lines
from empathy_gym.stats import seed_interval
from empathy_gym.train.runner import PpoArgs
from empathy_gym.train.runs import run_dir_name

SEEDS = (0, 1, 2, 3)
# (task return, welfare) of each script and of ppo on two kinds of map: on `small` every
# script's task is doubled, so only a scale per kind says what ppo kept.
SCRIPTS = {
    "fixed": {"nothing": (0.0, 0.5), "selfish": (10.0, -0.5), "prosocial": (5.0, 0.5)},
    "small": {"nothing": (0.0, 0.6), "selfish": (20.0, -0.4), "prosocial": (10.0, 0.6)},
}
PPO = {"fixed": (9.0, -0.3), "small": (10.0, -0.4)}


def _row(arm: str, seed: int, family: str, task: float, welfare: float) -> dict:
    return {
        "scenario": "dilemma",
        "arm": arm,
        "lam": 0.0,
        "seed": seed,
        "population": "default",
        "setting": LAYOUT_PREFIX + family,
        "task_return": task + 0.1 * seed,  # seeds differ, so intervals are finite
        "welfare": welfare,
    }


def _report() -> Report:
    rows = []
    for family in scenario_class("dilemma").map_families():
        scripts, ppo = SCRIPTS.get(family, SCRIPTS["fixed"]), PPO.get(family, PPO["fixed"])
        for seed in SEEDS:
            rows += [_row(SCRIPT_PREFIX + k, seed, family, *v) for k, v in scripts.items()]
            rows.append(_row("ppo", seed, family, *ppo))
    return Report(Preset("hand", ("dilemma",), ("ppo",), SEEDS, 64), Table(rows))


def test_each_kind_of_map_has_its_own_scale():
    report = _report()
    fixed, small = (report.family_scores("dilemma", "ppo", 0.0, f) for f in ("fixed", "small"))
    # task: competence, the own return over the best script's (selfish: 10.15, 20.15)
    assert fixed["task"][0] == pytest.approx(9.0 / 10.15)
    assert small["task"][0] == pytest.approx(10.0 / 20.15)
    # welfare: the worst script (selfish) 0, the best (nothing, prosocial) 1
    assert fixed["welfare"][0] == pytest.approx(0.2)
    assert small["welfare"][0] == pytest.approx(0.0)


def test_what_an_arm_kept_is_its_held_out_score_over_its_training_score():
    lines = _report().generalisation_section("dilemma")
    (small,) = [line for line in lines if line.startswith("| ppo | `small` |")]
    cells = [c.strip() for c in small.strip("|").split("|")]
    task_kept = (10.15 / 20.15) / (9.15 / 10.15)  # seeds' mean competence on each kind
    assert cells[2] == f"**{task_kept:.2f}**"  # below 0.9: bold
    assert cells[3] == "**0.00**"  # welfare fell from 0.2 to the worst script's
    (large,) = [line for line in lines if line.startswith("| ppo | `large` |")]
    assert large.split("|")[3].strip() == "1.00"  # played like on the fixed map: all kept
    assert "trained on `fixed` maps" in lines[0]


def _training_rows(arm: str, tasks: list[float], welfare: float) -> list[dict]:
    return [
        _row(arm, seed, "fixed", task, welfare + 0.01 * seed) | {"setting": ""}
        for seed, task in zip(SEEDS, tasks, strict=True)
    ]


def test_failed_seeds_are_named_and_aggregates_resist_them():
    """ppo's seed 3 did nothing: the competence section names it with its return, and the
    interquartile mean stays near the other seeds where the mean does not."""
    rows = []
    for name, (task, welfare) in SCRIPTS["fixed"].items():
        rows += _training_rows(SCRIPT_PREFIX + name, [task] * 4, welfare)
    rows += _training_rows("ppo", [9.0, 9.5, 9.2, 0.0], -0.3)
    rows += _training_rows("affective", [9.8, 10.0, 9.9, 10.1], 0.1)
    preset = Preset("hand", ("dilemma",), ("ppo", "affective"), SEEDS, 64)
    report = Report(preset, Table(rows))
    competence = "\n".join(report.competence_section())
    best = 10.15  # selfish's mean task return over the seeds
    assert f"dilemma ppo λ 0 seed 3: own return 0.30 ({0.3 / best:.2f} of selfish" in competence
    assert "seed 0:" not in competence
    lines = report.aggregate_section()
    (ppo,) = [line for line in lines if line.startswith("| ppo |")]
    iqm = float(ppo.split("|")[2].split("[")[0])
    scores = sorted(t / best for t in (9.0, 9.6, 9.4, 0.3))
    assert iqm == pytest.approx(sum(scores[1:3]) / 2, abs=0.01)  # the middle half
    assert iqm > sum(scores) / 4 + 0.1
    (affective,) = [line for line in lines if line.startswith("| affective |")]
    welfare_beats, task_beats = (c.strip() for c in affective.strip("|").split("|")[2:4])
    assert welfare_beats.startswith("1.00 [1.00, 1.00]")  # every seed's welfare is higher
    assert task_beats.startswith("1.00")


def test_steps_to_reach_wait_for_three_rollouts_in_a_row():
    """One lucky rollout is not convergence: the mean of three successive ones must get there."""
    steps = np.arange(1, 9) * 100
    values = np.array([1.0, 9.5, 1.0, 8.0, 9.0, 10.0, 10.0, 10.0])
    assert steps_to_reach(steps, values, 9.0) == 600  # (8 + 9 + 10) / 3 = 9 at step 600
    assert steps_to_reach(steps, values, 10.0) == 800
    assert steps_to_reach(steps, values, 10.5) is None
    assert steps_to_reach(steps[:2], values[:2], 1.0) is None  # too short to judge


def test_the_competence_table_says_how_fast_seeds_converged():
    assert fmt_reach({0: 2_000_000, 1: 1_000_000, 2: 3_500_000}) == "2.00M [1.00, 3.50]"
    assert fmt_reach({0: 2_000_000, 1: None}) == "2.00M [2.00, 2.00] (1 of 2)"
    assert fmt_reach({0: None, 1: None}) == "— (0 of 2)"
    assert fmt_reach({}) == "—"
    assert fmt_reach(None) == "n/a"
    assert fmt_reach({0: 8192, 1: 16384}) == "12.29k [8.19, 16.38]"
    rows = []
    for name, (task, welfare) in SCRIPTS["fixed"].items():
        rows += _training_rows(SCRIPT_PREFIX + name, [task] * 4, welfare)
    rows += _training_rows("ppo", [9.0, 9.5, 9.2, 9.1], -0.3)
    report = Report(Preset("hand", ("dilemma",), ("ppo",), SEEDS, 64), Table(rows))
    reach = {("dilemma", "ppo", 0.0): dict.fromkeys(SEEDS, 1_500_000)}
    (ppo,) = [line for line in report.competence_section(reach) if line.startswith("| dilemma |")]
    assert ppo.rstrip(" |").endswith("1.50M [1.50, 1.50]")


def test_reach_reads_each_seeds_learning_curve_against_its_reference(tmp_path):
    """Seed 0's last three logged batches first average 0.9 of selfish's 10.15 at its fifth;
    seed 1's never do."""
    rows = []
    for name, (task, welfare) in SCRIPTS["fixed"].items():
        rows += _training_rows(SCRIPT_PREFIX + name, [task] * 4, welfare)
    rows += _training_rows("ppo", [9.0, 9.5, 9.2, 9.1], -0.3)
    report = Report(Preset("hand", ("dilemma",), ("ppo",), SEEDS, 64), Table(rows))
    curves = {0: [2.0, 5.0, 9.0, 9.5, 9.5, 9.6], 1: [1.0, 2.0, 3.0, 4.0, 4.0, 4.0]}
    runs = []
    for seed, values in curves.items():
        run = PpoArgs(scenario="dilemma", seed=seed, output_dir=str(tmp_path))
        folder = tmp_path / run_dir_name("dilemma", run.to_arm(), seed)
        folder.mkdir()
        lines = ["time/global_step,episode/shaped_return,loss/value"]
        lines += [f"{1000 * (k + 1)},{v},0.1" for k, v in enumerate(values)]
        lines.insert(3, "3500,,0.1")  # a rollout in which no episode ended
        (folder / "progress.csv").write_text("\n".join(lines) + "\n")
        runs.append(run)
    assert report.reach(runs, str(tmp_path)) == {("dilemma", "ppo", 0.0): {0: 5000, 1: None}}


def test_the_moral_profile_keeps_each_outcome_in_its_range():
    """help and harm count events: a seed that helped a lot beside three that did not gives
    an interval that stays at or above 0."""
    rows = [
        {
            "scenario": "dilemma",
            "pump": "footbridge",
            "arm": "ppo",
            "lam": 0.0,
            "seed": seed,
            "episodes": [{"harm": h, "help": h, "welfare": 0.1 * seed, "task_return": 1.0}],
        }
        for seed, h in enumerate([0.0, 0.0, 0.0, 9.0])
    ]
    (line,) = profile_lines(rows)[2:]
    harm, help_ = (cell.strip() for cell in line.strip(" |").split("|")[-2:])
    for cell in (harm, help_):
        low = float(cell.split("[")[1].split(",")[0])
        assert low >= 0.0, cell


def test_an_own_return_interval_stays_within_what_the_reward_allows():
    """cirl's own return is task + λ · welfare sum, and welfare is a mean valence, so an
    episode of ``max_cycles`` steps cannot earn less than -λ · max_cycles. One seed in six
    that failed badly drives bootstrap-t far below that (the quick comparison's fetch cirl
    gave [-468.60, 169.26] at λ 1 and 200 steps); the competence table stops at the bound."""
    seeds, steps, lam = tuple(range(6)), 50, 1.0
    preset = Preset("hand", ("dilemma",), ("cirl",), seeds, 64, max_cycles=steps)
    rows = [
        _row(SCRIPT_PREFIX + name, seed, "fixed", task, welfare)
        | {"setting": "", "welfare_sum": steps * welfare}
        for name, (task, welfare) in SCRIPTS["fixed"].items()
        for seed in seeds
    ]
    sums = [40.0, 41.0, 39.5, 40.5, 40.2, -49.0]
    rows += [
        _row("cirl", seed, "fixed", 5.0, total / steps)
        | {"setting": "", "lam": lam, "welfare_sum": total}
        for seed, total in zip(seeds, sums, strict=True)
    ]
    competence = Report(preset, Table(rows)).competence("dilemma", "cirl", lam)
    own = [5.0 + 0.1 * seed + total for seed, total in zip(seeds, sums, strict=True)]
    loose = seed_interval(own, rng=0)
    print(f"own return: unbounded {loose}, within the reward's range {competence['own']}")
    assert loose.low < -lam * steps
    assert competence["own"].low == -lam * steps
    assert competence["own"].high == pytest.approx(loose.high)
    # normalised: (own - nothing) / (best - mean nothing) is cut where own is
    task, welfare = SCRIPTS["fixed"]["nothing"]
    nothing = [task + 0.1 * seed + steps * welfare for seed in seeds]
    span = competence["best_return"] - np.mean(nothing)
    assert competence["normalised"].low >= (-lam * steps - max(nothing)) / span - 1e-9
