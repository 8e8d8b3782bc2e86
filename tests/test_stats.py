"""Seed-level intervals are honest at the numbers of seeds we run, and the helpers are right.

Coverage is measured by simulation with fixed generator seeds, so every figure is
deterministic; the thresholds sit several Monte-Carlo standard errors (about 0.007 at 1000
trials) below the measured values, so a different seed would not flip them either. The
figures are printed so that ``pytest -rP`` shows them.
"""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from empathy_gym.stats import (
    Interval,
    coverage,
    describe,
    holm,
    interquartile_mean,
    paired_interval,
    probability_of_improvement,
    seed_interval,
)

TRIALS = 1000
RESAMPLES = 999


def _normal(rng: np.random.Generator, n: int) -> np.ndarray:
    return rng.normal(0.0, 1.0, n)


def _exponential(rng: np.random.Generator, n: int) -> np.ndarray:
    return rng.exponential(1.0, n)


def _percentile_interval(values: np.ndarray, rng: np.random.Generator) -> tuple[float, float]:
    """The old percentile bootstrap of the mean, the interval ``seed_interval`` replaces."""
    means = values[rng.integers(len(values), size=(RESAMPLES, len(values)))].mean(axis=1)
    low, high = np.percentile(means, [2.5, 97.5])
    return float(low), float(high)


@pytest.mark.parametrize("n_seeds", [5, 10])
def test_coverage_normal(n_seeds):
    cover = coverage(0.0, _normal, n_seeds, TRIALS, rng=100 + n_seeds, resamples=RESAMPLES)
    print(f"normal, {n_seeds} seeds: 95% bootstrap-t coverage {cover:.3f} ({TRIALS} trials)")
    assert cover >= 0.92


def test_coverage_skewed():
    cover = coverage(1.0, _exponential, 10, TRIALS, rng=7, resamples=RESAMPLES)
    print(f"exponential, 10 seeds: 95% bootstrap-t coverage {cover:.3f} ({TRIALS} trials)")
    assert cover >= 0.90


def test_old_percentile_bootstrap_undercovers():
    """The coverage check can fail: it does for the interval this module replaces."""
    rng = np.random.default_rng(105)
    hits = 0
    for _ in range(TRIALS):
        low, high = _percentile_interval(_normal(rng, 5), rng)
        hits += low <= 0.0 <= high
    print(f"normal, 5 seeds: 95% percentile-bootstrap coverage {hits / TRIALS:.3f}")
    assert hits / TRIALS < 0.90


def test_two_seeds_is_much_wider_than_percentile_bootstrap():
    values = np.array([0.1, 0.3])
    iv = seed_interval(values, rng=0)
    old_low, old_high = _percentile_interval(values, np.random.default_rng(0))
    print(f"2 seeds {values.tolist()}: Student-t {iv}, percentile [{old_low}, {old_high}]")
    assert old_high - old_low <= np.ptp(values) + 1e-12
    assert iv.high - iv.low > 3 * np.ptp(values)
    assert iv.side == 0
    assert iv.p_value > 0.05


@pytest.mark.parametrize("n_seeds", [2, 3, 4])
def test_coverage_few_seeds(n_seeds):
    """Student-t at 2 and 3 seeds is exact for normal seeds; bootstrap-t from 4 holds too."""
    cover = coverage(0.0, _normal, n_seeds, TRIALS, rng=200 + n_seeds, resamples=RESAMPLES)
    print(f"normal, {n_seeds} seeds: 95% coverage {cover:.3f} ({TRIALS} trials)")
    assert cover >= 0.92


def test_tied_seeds_give_a_finite_interval_near_them():
    """The case the report met: four seeds at exactly 25.0 and one at 24.81. A third of the
    resamples hold only the tied value; an infinite pivot for them made the interval
    [-inf, 25.02]."""
    iv = seed_interval([25.0, 25.0, 25.0, 25.0, 24.81], rng=0)
    print(f"four tied seeds and one near: {iv}")
    assert 24.8 <= iv.low < iv.mean < iv.high <= 25.1
    many = seed_interval([-25.0] * 9 + [0.3], rng=0)
    print(f"nine tied seeds and one far: {many}")
    assert np.isfinite(many.low) and np.isfinite(many.high) and many.side == -1


def test_a_failed_seed_cannot_push_the_interval_out_of_range():
    """Five seeds near 9 and one that did nothing: bootstrap-t's lower end falls far below 0,
    which a non-negative return cannot take; with the measure's bounds it stops at 0."""
    values = [8.7, 8.9, 8.5, 9.46, 8.2, 0.0]
    loose = seed_interval(values, rng=0)
    bounded = seed_interval(values, rng=0, bounds=(0.0, math.inf))
    print(f"one failed seed of six: unbounded {loose}, within [0, inf) {bounded}")
    assert loose.low < 0.0
    assert bounded.low == 0.0 and bounded.high == loose.high
    share = seed_interval([0.99, 0.97, 1.0, 0.78, 1.0, 0.98], rng=0, bounds=(0.0, 1.0))
    assert share.high == 1.0
    diff = paired_interval([1.0, 0.0, 1.0, 1.0], [0.0, 1.0, 0.0, 0.0], bounds=(0.0, 1.0))
    assert diff.low >= -1.0 and diff.high <= 1.0


@given(
    st.lists(st.floats(0.0, 30.0, allow_nan=False), min_size=2, max_size=12),
    st.sampled_from([(0.0, 30.0), (0.0, math.inf), (-5.0, 30.0)]),
)
@settings(max_examples=300, deadline=None, derandomize=True)
def test_no_interval_leaves_the_measure_range(values, bounds):
    iv = seed_interval(values, rng=0, bounds=bounds, resamples=999)
    assert bounds[0] <= iv.low <= iv.mean <= iv.high <= bounds[1]
    assert np.isfinite(iv.low) and np.isfinite(iv.high)


def test_identical_values_give_zero_width():
    iv = seed_interval([0.5] * 5, rng=0)
    assert (iv.mean, iv.low, iv.high, iv.n) == (0.5, 0.5, 0.5, 5)
    assert iv.p_value == 0.0 and iv.side == 1
    zero = seed_interval([0.0, 0.0, 0.0], rng=0)
    assert zero.low == zero.high == 0.0
    assert zero.p_value == 1.0 and zero.side == 0


def test_clear_positive_difference():
    rng = np.random.default_rng(3)
    baseline = rng.normal(0.0, 1.0, 10)
    better = baseline + rng.normal(1.0, 0.2, 10)
    iv = paired_interval(better, baseline, rng=4)
    print(f"N(1, 0.2) difference over 10 seeds: {iv}, p = {iv.p_value:.4g}")
    assert iv.side == 1
    assert iv.low > 0.5 and iv.high < 1.5
    assert iv.p_value < 0.01
    assert paired_interval(baseline, better, rng=4).side == -1


def test_null_difference_is_mostly_side_zero():
    rng = np.random.default_rng(11)
    trials = 200
    sides, small_p = [], 0
    for _ in range(trials):
        shared = rng.normal(0.0, 5.0, 10)  # noise both arms share, cancelled by pairing
        iv = paired_interval(
            shared + rng.normal(0.0, 1.0, 10), shared + rng.normal(0.0, 1.0, 10), rng=rng
        )
        sides.append(iv.side)
        small_p += iv.p_value < 0.05
    zero = sides.count(0) / trials
    print(f"null paired difference, 10 seeds: side 0 in {zero:.3f}, p < 0.05 in {small_p}")
    assert zero >= 0.90
    assert small_p / trials <= 0.10


def test_holm_hand_computed():
    assert holm([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.03, 0.06, 0.06, 0.02])
    assert holm([0.5, 0.6, 0.9]) == [1.0, 1.0, 1.0]
    assert holm([0.2]) == [0.2]
    assert holm([]) == []


def test_holm_monotone_and_capped():
    rng = np.random.default_rng(0)
    p = rng.uniform(0.0, 0.4, 12)
    adjusted = np.array(holm(p.tolist()))
    order = np.argsort(p)
    assert np.all(np.diff(adjusted[order]) >= 0)
    assert np.all(adjusted >= p) and np.all(adjusted <= 1.0)
    assert adjusted.max() == 1.0  # 12 * 0.4-ish values must hit the cap


def test_bad_input_names_the_argument():
    with pytest.raises(ValueError, match=r"values.*at least 2 seeds"):
        seed_interval([1.0])
    with pytest.raises(ValueError, match=r"values.*at least 2 seeds"):
        seed_interval([])
    with pytest.raises(ValueError, match=r"a and b.*lengths 2 and 3"):
        paired_interval([1.0, 2.0], [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="values must be finite"):
        seed_interval([1.0, float("nan")])
    with pytest.raises(ValueError, match="resamples"):
        seed_interval([1.0, 2.0, 3.0], resamples=10)
    with pytest.raises(ValueError, match="level"):
        seed_interval([1.0, 2.0, 3.0], level=1.5)
    with pytest.raises(ValueError, match="p_values"):
        holm([0.1, 1.2])
    with pytest.raises(ValueError, match=r"values \[-1.0\] lie outside bounds"):
        seed_interval([-1.0, 2.0, 3.0], bounds=(0.0, 5.0))
    with pytest.raises(ValueError, match="bounds must be"):
        seed_interval([1.0, 2.0, 3.0], bounds=(5.0, 0.0))


def test_deterministic_given_seed():
    values = np.random.default_rng(1).normal(0.3, 1.0, 8)
    first = seed_interval(values, rng=42)
    assert seed_interval(values, rng=42) == first
    assert seed_interval(values, rng=np.random.default_rng(42)) == first
    assert seed_interval(values, rng=43) != first


def test_str_and_side():
    assert str(Interval(0.123, 0.05, 0.2, 5, 0.01)) == "0.12 [0.05, 0.20]"
    assert Interval(0.1, 0.05, 0.2, 5, 0.01).side == 1
    assert Interval(-0.1, -0.2, -0.05, 5, 0.01).side == -1
    assert Interval(0.1, -0.05, 0.2, 5, 0.3).side == 0
    assert Interval(0.1, -math.inf, math.inf, 2, 0.5).side == 0


def test_describe_cuts_the_interval_to_the_measure_range():
    near_ceiling = [0.99, 0.97, 1.0, 0.78, 1.0, 0.98]
    unbounded = seed_interval(near_ceiling, rng=0)
    assert unbounded.high > 1.0  # the case that needs cutting
    text = describe(near_ceiling, (0.0, 1.0))
    assert text == f"{unbounded.mean:.2f} [{max(unbounded.low, 0.0):.2f}, 1.00]"
    assert describe([0.3], (0.0, 1.0)) == "0.30 (1 seed)"


def test_dominance_needs_welfare_above_and_task_not_below():
    from empathy_gym.experiment.report import dominance

    better = seed_interval([0.5, 0.6, 0.55, 0.7, 0.52, 0.61], rng=0)
    worse = seed_interval([-0.5, -0.6, -0.55, -0.7, -0.52, -0.61], rng=0)
    level = seed_interval([0.1, -0.2, 0.05, -0.1, 0.15, -0.05], rng=0)
    assert dominance(better, better) == "yes"
    assert dominance(level, better) == "yes"
    assert dominance(worse, better) == "no"
    assert dominance(better, level) == "no"


def test_interquartile_mean_ignores_a_failed_seed_the_mean_does_not():
    tasks = [[9.0, 9.2, 8.8, 9.1, 0.0], [5.0, 5.1, 4.9, 5.2]]
    iqm = interquartile_mean(tasks)
    pooled = np.concatenate(tasks)
    print(f"IQM {iqm}, mean {pooled.mean():.2f}")
    # nine runs: the middle half drops the two lowest and two highest
    assert iqm.estimate == pytest.approx(np.sort(pooled)[2:7].mean())
    assert iqm.low <= iqm.estimate <= iqm.high
    assert interquartile_mean(tasks) == iqm  # deterministic by default
    with pytest.raises(ValueError, match=r"scores\[1\] must be finite"):
        interquartile_mean([[1.0], [float("nan")]])
    with pytest.raises(ValueError, match="scores must hold"):
        interquartile_mean([[1.0], []])


def test_probability_of_improvement_counts_ties_half_and_averages_tasks():
    same = probability_of_improvement([[1.0, 2.0, 3.0]], [[1.0, 2.0, 3.0]])
    assert same.estimate == pytest.approx(0.5)
    ahead = probability_of_improvement([[5.0, 6.0], [1.0, 1.0]], [[1.0, 2.0], [1.0, 1.0]])
    assert ahead.estimate == pytest.approx((1.0 + 0.5) / 2)
    assert ahead.low <= ahead.estimate <= ahead.high
    with pytest.raises(ValueError, match="x and y must cover the same tasks"):
        probability_of_improvement([[1.0]], [[1.0], [2.0]])


def test_the_middle_half_is_scipys_trimmed_mean():
    from scipy.stats import trim_mean

    from empathy_gym.stats import _middle_half

    rng = np.random.default_rng(0)
    for runs in range(1, 13):
        values = rng.exponential(1.0, (7, runs))
        np.testing.assert_allclose(_middle_half(values), trim_mean(values, 0.25, axis=1))
