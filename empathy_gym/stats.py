"""Honest confidence intervals and p-values over a handful of training seeds.

An experiment's result is one number per training seed (that seed's mean over its own
evaluation episodes), and we rarely have more than 2..20 seeds. The percentile bootstrap is
badly anti-conservative there: its bootstrap distribution of the mean is too narrow by
``sqrt((n - 1) / n)`` and it ignores that the spread itself is estimated from ``n`` numbers,
so a nominal 95% covered only 0.59-0.71 of the time at 2 seeds and 0.81-0.89 at 5. A
Student-t interval fixes the small-``n`` width but assumes normal seeds, and RL returns are
often skewed (a few seeds fail to learn).

So from 4 seeds on, intervals are *studentized bootstrap* (bootstrap-t) intervals: the
bootstrap estimates the distribution of the pivot ``t = (mean - mu) / se`` rather than of the
mean, which corrects both for the estimated spread and for skew (it is second-order
accurate). Two refinements keep it sensible on what RL seeds look like:

- **Ties.** A resample that picks one value only has no spread (``se* = 0``), so its pivot
  is undefined. Such resamples are studentised by the sample's own ``se`` instead: they are
  rare for distinct values (under 1.6% of the mass at 4 seeds, far less beyond), but when
  several seeds tie exactly (four at 25.0, one at 24.81) they are a third of the bootstrap,
  and an infinite pivot would make the interval infinite though the data say the mean is
  within a few hundredths.
- **Range.** Bootstrap-t can reach past what a measure can take: one failed seed in six can
  put the lower end of a non-negative return far below 0. Every interval takes the measure's
  ``bounds`` (known from the reward: a count is non-negative, a share lies in [0, 1]) and is
  cut to them; the cut loses no coverage.

Below 4 seeds the bootstrap has too few distinct resamples to estimate a pivot's tails, so
2 and 3 seeds get the Student-t interval, exact for normal seeds and wide (at 2 seeds,
12.7 standard errors either side) as it should be; it too is cut to ``bounds``.

Comparisons between two arms are paired by seed (the same seed is evaluated on the same
episodes), so :func:`paired_interval` works on per-seed differences, which removes the noise
both arms share. :func:`holm` adjusts a family of p-values for multiple comparisons, and
:func:`coverage` measures by simulation how often an interval contains the truth, which is
how the claims above are tested.

Beside means, :func:`interquartile_mean` and :func:`probability_of_improvement` are the
aggregates Agarwal et al. (NeurIPS 2021, the ``rliable`` library) recommend for few-run RL:
the mean of the middle half of every run of every task, which one failed seed cannot drag,
and the chance that a run of one arm beats a run of another; both with a stratified
bootstrap (seeds resampled within each task). They are written here on numpy rather than
taken from ``rliable``, which would bring ``arch`` (with statsmodels) and seaborn into the
training extra for two functions of a few lines each; ``test_stats.py`` checks them against
hand-computed cases and ``scipy.stats.trim_mean``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

__all__ = [
    "UNBOUNDED",
    "Aggregate",
    "Bounds",
    "Interval",
    "coverage",
    "describe",
    "finite_interval",
    "holm",
    "interquartile_mean",
    "paired_interval",
    "probability_of_improvement",
    "seed_interval",
]

Seed = int | np.random.Generator | None
Bounds = tuple[float, float]
UNBOUNDED: Bounds = (-math.inf, math.inf)
BOOTSTRAP_FROM = 4
"""The fewest seeds from which intervals are bootstrap-t; below, Student-t."""


@dataclass(frozen=True)
class Interval:
    """A mean over seeds with its confidence interval and two-sided p-value for mean = 0."""

    mean: float
    low: float
    high: float
    n: int
    """number of seeds the interval is computed from"""
    p_value: float
    """two-sided p-value for H0: mean = 0 (bootstrap-t from 4 seeds, Student-t below)"""

    def __str__(self) -> str:
        return f"{self.mean:.2f} [{self.low:.2f}, {self.high:.2f}]"

    @property
    def side(self) -> int:
        """+1 if the interval lies above zero, -1 if below, 0 if it contains zero.

        This is what a directional claim ("a beats b") is checked against, so it is derived
        from the interval itself rather than from the p-value.
        """
        if self.low > 0:
            return 1
        if self.high < 0:
            return -1
        return 0


def _as_seeds(values: ArrayLike, name: str) -> np.ndarray:
    """``values`` as a finite 1-D float array, or a ValueError naming the argument."""
    x = np.asarray(values, dtype=float)
    if x.ndim != 1:
        raise ValueError(f"{name} must be a 1-D sequence of per-seed values, got shape {x.shape}")
    if not np.all(np.isfinite(x)):
        raise ValueError(f"{name} must be finite, got {x.tolist()}")
    return x


def _check_level(level: float) -> None:
    if not 0.0 < level < 1.0:
        raise ValueError(f"level must be in (0, 1), got {level}")


def _check_bounds(x: np.ndarray, bounds: Bounds) -> None:
    """``bounds`` must be an ordered pair that every value lies within."""
    low, high = bounds
    if not low < high:
        raise ValueError(f"bounds must be (low, high) with low < high, got {bounds}")
    outside = x[(x < low) | (x > high)]
    if len(outside):
        raise ValueError(
            f"values {outside.tolist()} lie outside bounds {bounds}: the bounds must be the "
            "measure's possible range"
        )


def _student_t(x: np.ndarray, level: float) -> tuple[float, float, float]:
    """The Student-t interval and its two-sided p-value for mean = 0."""
    n, mean = len(x), float(x.mean())
    se = float(x.std(ddof=1)) / math.sqrt(n)
    # Imported here, not with the module: scipy.stats takes ~0.6 s to import (measured),
    # which the CLI and every torch-free command would pay at start-up for nothing.
    from scipy import stats as scipy_stats

    q = float(scipy_stats.t.ppf(0.5 + level / 2.0, n - 1))
    p = 2.0 * float(scipy_stats.t.sf(abs(mean) / se, n - 1))
    return mean - q * se, mean + q * se, p


def _bootstrap_t(
    x: np.ndarray, level: float, resamples: int, rng: Seed
) -> tuple[float, float, float]:
    """The bootstrap-t interval and its symmetric p-value for mean = 0 (see module doc)."""
    rank = math.floor((resamples + 1) * (1.0 - level) / 2.0 + 1e-9)
    n, mean = len(x), float(x.mean())
    se = float(x.std(ddof=1)) / math.sqrt(n)
    picks = x[np.random.default_rng(rng).integers(n, size=(resamples, n))]
    ses = picks.std(axis=1, ddof=1) / math.sqrt(n)
    # A resample "without spread" is one whose picks span next to nothing at the data's
    # scale (all equal, or apart by what is rounding there: 0 and 1e-301 among seeds up to
    # 1); its pivot would be huge or undefined, so it is studentised by the sample's own se.
    flat = picks.max(axis=1) - picks.min(axis=1) <= 1e-9 * (x.max() - x.min())
    ses[flat] = se
    t_star = np.sort((picks.mean(axis=1) - mean) / ses)
    low = mean - t_star[resamples - rank] * se
    high = mean - t_star[rank - 1] * se
    p = float(np.mean(np.abs(t_star) >= abs(mean / se)))
    return low, high, max(p, 1.0 / (resamples + 1))


def seed_interval(
    values: ArrayLike,
    level: float = 0.95,
    resamples: int = 4000,
    rng: Seed = None,
    bounds: Bounds = UNBOUNDED,
) -> Interval:
    """The ``level`` interval and p-value for the mean of per-seed ``values``.

    From ``BOOTSTRAP_FROM`` (4) seeds: bootstrap-t. Seeds are resampled with replacement;
    each resample gives ``t* = (mean* - mean) / se*`` with ``se = sd / sqrt(n)``
    (``ddof=1``), a resample without spread taking the sample's ``se``; the interval is
    ``[mean - q_hi * se, mean - q_lo * se]`` with ``q`` the order statistics of ``t*`` at
    ranks ``k = floor((resamples + 1) * (1 - level) / 2)`` and ``resamples + 1 - k`` (the
    classical choice, e.g. the 25th and 975th of 999). The p-value is the symmetric
    bootstrap-t one, the fraction of ``|t*| >= |mean / se|``, floored at
    ``1 / (resamples + 1)`` because a finite bootstrap cannot show anything rarer. Being
    two-sided and symmetric it can, in skewed borderline cases, disagree slightly with the
    equal-tailed interval's :attr:`Interval.side`; use ``side`` for directional claims and
    ``p_value`` for multiple-comparison adjustment (:func:`holm`).

    With 2 or 3 seeds: the Student-t interval and t-test p-value.

    Either is cut to ``bounds``, the measure's possible range. If every value is identical
    there is no spread to estimate: the interval has zero width at the mean, with p = 1 if
    the mean is 0 else 0.

    ``rng`` is passed to :func:`numpy.random.default_rng` (an int seed or a Generator), so the
    result is deterministic given a seed.
    """
    x = _as_seeds(values, "values")
    n = len(x)
    if n < 2:
        raise ValueError(f"values: at least 2 seeds are needed for an interval, got {n}")
    _check_level(level)
    _check_bounds(x, bounds)
    if isinstance(resamples, bool) or not isinstance(resamples, int | np.integer):
        raise ValueError(f"resamples must be an int, got {resamples!r}")
    if math.floor((resamples + 1) * (1.0 - level) / 2.0 + 1e-9) < 1:
        need = math.ceil(2.0 / (1.0 - level) - 1.0 - 1e-9)
        raise ValueError(
            f"resamples={resamples} is too few for a {level:.0%} interval, need at least {need}"
        )
    mean = float(x.mean())
    if x.max() == x.min() or float(x.std(ddof=1)) == 0.0:  # no spread, or none a float holds
        return Interval(mean, mean, mean, n, 1.0 if mean == 0.0 else 0.0)
    if n < BOOTSTRAP_FROM:
        low, high, p = _student_t(x, level)
    else:
        low, high, p = _bootstrap_t(x, level, resamples, rng)
    low, high = max(float(low), bounds[0]), min(float(high), bounds[1])
    return Interval(mean, low, high, n, min(p, 1.0))


def finite_interval(
    values: Mapping[int, float] | Sequence[float], bounds: Bounds = UNBOUNDED
) -> Interval | None:
    """:func:`seed_interval` of the finite values among ``values`` (``{seed: value}`` or a
    sequence), or None when fewer than two seeds have one: a table cell then says so."""
    vals = [
        v for v in (values.values() if isinstance(values, Mapping) else values) if np.isfinite(v)
    ]
    if len(vals) < 2:
        return None
    return seed_interval(vals, rng=0, bounds=bounds)


def describe(values: ArrayLike, bounds: Bounds = UNBOUNDED) -> str:
    """``"mean [low, high]"`` over seeds for a table, within the measure's ``bounds``.

    One seed has no interval, and says so rather than printing a made-up one. A NaN (a
    measure undefined for some seed, such as a read-out of something that never varied)
    gives ``"n/a"``.
    """
    if np.isnan(np.asarray(values, dtype=float)).any():
        return "n/a"
    x = _as_seeds(values, "values")
    if len(x) == 0:
        raise ValueError("values: no seeds to describe")
    if len(x) < 2:
        return f"{x[0]:.2f} (1 seed)"
    return str(seed_interval(x, rng=0, bounds=bounds))


def difference_bounds(bounds: Bounds) -> Bounds:
    """The range of ``a - b`` when ``a`` and ``b`` both lie within ``bounds``."""
    width = bounds[1] - bounds[0]
    return (-width, width)


def paired_interval(a: ArrayLike, b: ArrayLike, bounds: Bounds = UNBOUNDED, **kw) -> Interval:
    """Interval of ``mean(a - b)`` over seeds, ``a[i]`` and ``b[i]`` from seed ``i``, both
    within the measure's ``bounds`` (so the difference lies within ``±`` their width).

    Pairing by seed matters because both arms are evaluated on the same episodes: the
    per-seed difference cancels the episode noise they share, which an unpaired comparison
    would count twice. Other keyword arguments go to :func:`seed_interval`.
    """
    x = _as_seeds(a, "a")
    y = _as_seeds(b, "b")
    if len(x) != len(y):
        raise ValueError(
            f"a and b must hold one value per seed for the same seeds, "
            f"got lengths {len(x)} and {len(y)}"
        )
    _check_bounds(x, bounds)
    _check_bounds(y, bounds)
    return seed_interval(x - y, bounds=difference_bounds(bounds), **kw)


def holm(p_values: Sequence[float]) -> list[float]:
    """Holm-Bonferroni adjusted p-values, in the input order.

    When several differences are tested at once, some will look significant by chance; Holm's
    step-down procedure controls the family-wise error rate as Bonferroni does but rejects
    more. The ``i``-th smallest p-value (1-based) of ``m`` is multiplied by ``m - i + 1``, a
    running maximum keeps the adjusted values monotone in that order, and they are capped at
    1. Compare each adjusted value with the level directly.
    """
    p = np.asarray(p_values, dtype=float)
    if p.ndim != 1:
        raise ValueError(f"p_values must be a 1-D sequence, got shape {p.shape}")
    if not np.all((p >= 0.0) & (p <= 1.0)):
        raise ValueError(f"p_values must be in [0, 1], got {p.tolist()}")
    m = len(p)
    order = np.argsort(p, kind="stable")
    scaled = (m - np.arange(m)) * p[order]
    adjusted = np.minimum(np.maximum.accumulate(scaled), 1.0)
    out = np.empty(m)
    out[order] = adjusted
    return [float(v) for v in out]


def coverage(
    true_mean: float,
    sampler: Callable[[np.random.Generator, int], ArrayLike],
    n_seeds: int,
    trials: int,
    level: float = 0.95,
    rng: Seed = None,
    resamples: int = 999,
) -> float:
    """Fraction of simulated experiments whose :func:`seed_interval` contains ``true_mean``.

    Each of ``trials`` experiments draws ``n_seeds`` per-seed values with
    ``sampler(rng, n_seeds)`` and computes a ``level`` interval with ``resamples`` bootstrap
    resamples. A nominal level means nothing until it is checked like this, at the numbers of
    seeds we actually run and on distributions shaped like our results. One generator drives
    both the data and the bootstrap, so the figure is deterministic given ``rng``.
    """
    _check_level(level)
    if trials < 1:
        raise ValueError(f"trials must be at least 1, got {trials}")
    gen = np.random.default_rng(rng)
    hits = 0
    for _ in range(trials):
        iv = seed_interval(sampler(gen, n_seeds), level=level, resamples=resamples, rng=gen)
        hits += iv.low <= true_mean <= iv.high
    return hits / trials


@dataclass(frozen=True)
class Aggregate:
    """An aggregate over every run of every task, with its stratified-bootstrap interval."""

    estimate: float
    low: float
    high: float

    def __str__(self) -> str:
        return f"{self.estimate:.2f} [{self.low:.2f}, {self.high:.2f}]"


def _tasks(scores: Sequence[ArrayLike], name: str) -> list[np.ndarray]:
    """``scores`` as one finite 1-D array of runs per task, or a ValueError naming it."""
    tasks = [_as_seeds(s, f"{name}[{k}]") for k, s in enumerate(scores)]
    if not tasks or any(len(t) == 0 for t in tasks):
        raise ValueError(f"{name} must hold at least one run for each of at least one task")
    return tasks


def _resample(tasks: list[np.ndarray], resamples: int, gen: np.random.Generator):
    """One ``(resamples, runs)`` array per task: runs drawn with replacement within it."""
    return [t[gen.integers(len(t), size=(resamples, len(t)))] for t in tasks]


def _percentiles(estimate: float, draws: np.ndarray, level: float) -> Aggregate:
    low, high = np.quantile(draws, [(1.0 - level) / 2.0, (1.0 + level) / 2.0])
    return Aggregate(float(estimate), float(low), float(high))


def _middle_half(values: np.ndarray) -> np.ndarray:
    """Per row, the mean of the values left when a quarter (rounded down) of them is cut
    from each end, as ``scipy.stats.trim_mean(values, 0.25, axis=1)`` computes it."""
    cut = int(0.25 * values.shape[1])
    return np.sort(values, axis=1)[:, cut : values.shape[1] - cut].mean(axis=1)


def interquartile_mean(
    scores: Sequence[ArrayLike], level: float = 0.95, resamples: int = 2000, rng: Seed = 0
) -> Aggregate:
    """The interquartile mean of every run of every task (``scores[k]``: task ``k``'s runs).

    The mean of the middle 50% of runs: unlike the mean, one seed that failed to learn
    cannot drag it, and unlike the median it uses half the runs rather than one or two. Its
    interval is the percentile interval of a stratified bootstrap, runs resampled within
    each task (Agarwal et al. 2021); with the runs of several tasks pooled it rests on more
    numbers than any one task's interval, but it is a percentile interval and so shares that
    method's narrowness below about 5 runs per task.
    """
    _check_level(level)
    tasks = _tasks(scores, "scores")
    pooled = np.concatenate(tasks)
    draws = np.concatenate(_resample(tasks, resamples, np.random.default_rng(rng)), axis=1)
    return _percentiles(_middle_half(pooled[None])[0], _middle_half(draws), level)


def probability_of_improvement(
    x: Sequence[ArrayLike],
    y: Sequence[ArrayLike],
    level: float = 0.95,
    resamples: int = 2000,
    rng: Seed = 0,
) -> Aggregate:
    """P(a run of X beats a run of Y), averaged over tasks (``x[k]``, ``y[k]``: task ``k``).

    Per task it is the Mann-Whitney statistic over all pairs of runs, a tie counting half;
    0.5 means neither arm tends to do better. It asks whether one arm *usually* beats
    another, which a difference of means can hide when a few seeds dominate it. The
    interval resamples each arm's runs within each task (a stratified bootstrap).
    """
    _check_level(level)
    xs, ys = _tasks(x, "x"), _tasks(y, "y")
    if len(xs) != len(ys):
        raise ValueError(f"x and y must cover the same tasks, got {len(xs)} and {len(ys)}")

    def beats(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Per leading index: the share of pairs in which ``a`` beats ``b``, ties half."""
        diff = a[..., :, None] - b[..., None, :]
        return (diff > 0).mean(axis=(-2, -1)) + 0.5 * (diff == 0).mean(axis=(-2, -1))

    estimate = np.mean([beats(a, b) for a, b in zip(xs, ys, strict=True)])
    gen = np.random.default_rng(rng)
    draws = np.mean(
        [
            beats(a, b)
            for a, b in zip(
                _resample(xs, resamples, gen), _resample(ys, resamples, gen), strict=True
            )
        ],
        axis=0,
    )
    return _percentiles(float(estimate), draws, level)
