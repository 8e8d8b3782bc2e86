"""Honest confidence intervals and p-values over a handful of training seeds.

An experiment's result is one number per training seed (that seed's mean over its own
evaluation episodes), and we rarely have more than 2..20 seeds. The percentile bootstrap that
``report.py`` used is badly anti-conservative there: its bootstrap distribution of the mean is
too narrow by ``sqrt((n - 1) / n)`` and it ignores that the spread itself is estimated from
``n`` numbers, so a nominal 95% covered only 0.59-0.71 of the time at 2 seeds and 0.81-0.89
at 5. A Student-t interval fixes the small-``n`` width but assumes normal seeds, and RL returns
are often skewed (a few seeds fail to learn).

So intervals here are *studentized bootstrap* (bootstrap-t) intervals: the bootstrap estimates
the distribution of the pivot ``t = (mean - mu) / se`` rather than of the mean, which corrects
both for the estimated spread and for skew (it is second-order accurate). Resamples in which
every seed is the same value have ``se* = 0`` and so an infinite ``t*``; they are kept as
infinite, not dropped, because they are exactly the bootstrap's way of saying "with this few
seeds the spread could be anything". Consequently a 95% interval is always infinite at 2 or 3
seeds (those resamples carry at least 1/27 > 2.5% of the mass on each side) and is finite from
4 seeds on: an unbounded interval is the honest answer, a narrow one is not.

Comparisons between two arms are paired by seed (the same seed is evaluated on the same
episodes), so :func:`paired_interval` works on per-seed differences, which removes the noise
both arms share. :func:`holm` adjusts a family of p-values for multiple comparisons, and
:func:`coverage` measures by simulation how often an interval contains the truth, which is
how the claims above are tested.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

__all__ = [
    "Interval",
    "coverage",
    "describe",
    "finite_interval",
    "holm",
    "paired_interval",
    "seed_interval",
]

Seed = int | np.random.Generator | None


@dataclass(frozen=True)
class Interval:
    """A mean over seeds with its confidence interval and two-sided p-value for mean = 0.

    ``low``/``high`` may be infinite: with very few seeds that is the honest interval.
    """

    mean: float
    low: float
    high: float
    n: int
    """number of seeds the interval is computed from"""
    p_value: float
    """two-sided bootstrap-t p-value for H0: mean = 0"""

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


def seed_interval(
    values: ArrayLike,
    level: float = 0.95,
    resamples: int = 4000,
    rng: Seed = None,
) -> Interval:
    """Bootstrap-t interval and p-value for the mean of per-seed ``values``.

    Seeds are resampled with replacement; each resample gives ``t* = (mean* - mean) / se*``
    with ``se = sd / sqrt(n)`` (``ddof=1``), and the interval is
    ``[mean - q_hi * se, mean - q_lo * se]`` with ``q`` the order statistics of ``t*`` at
    ranks ``k = floor((resamples + 1) * (1 - level) / 2)`` and ``resamples + 1 - k`` (the
    classical choice, e.g. the 25th and 975th of 999). Order statistics rather than
    interpolated quantiles, because ``t*`` contains infinities that interpolation would turn
    into NaN.

    Degenerate resamples (every pick the same seed, so ``se* = 0``) get ``t* = +-inf`` by the
    sign of ``mean* - mean``, or 0 when that is zero too; see the module docstring for why.

    The p-value is the symmetric bootstrap-t one, the fraction of ``|t*| >= |mean / se|``,
    floored at ``1 / (resamples + 1)`` because a finite bootstrap cannot show anything rarer.
    Being two-sided and symmetric it can, in skewed borderline cases, disagree slightly with
    the equal-tailed interval's :attr:`Interval.side`; use ``side`` for directional claims and
    ``p_value`` for multiple-comparison adjustment (:func:`holm`).

    If every value is identical there is no spread to estimate: the interval has zero width
    at the mean, with p = 1 if the mean is 0 else 0.

    ``rng`` is passed to :func:`numpy.random.default_rng` (an int seed or a Generator), so the
    result is deterministic given a seed.
    """
    x = _as_seeds(values, "values")
    n = len(x)
    if n < 2:
        raise ValueError(f"values: at least 2 seeds are needed for an interval, got {n}")
    _check_level(level)
    if isinstance(resamples, bool) or not isinstance(resamples, int | np.integer):
        raise ValueError(f"resamples must be an int, got {resamples!r}")
    rank = math.floor((resamples + 1) * (1.0 - level) / 2.0 + 1e-9)
    if rank < 1:
        need = math.ceil(2.0 / (1.0 - level) - 1.0 - 1e-9)
        raise ValueError(
            f"resamples={resamples} is too few for a {level:.0%} interval, need at least {need}"
        )

    mean = float(x.mean())
    if x.max() == x.min():
        return Interval(mean, mean, mean, n, 1.0 if mean == 0.0 else 0.0)
    se = float(x.std(ddof=1)) / math.sqrt(n)

    gen = np.random.default_rng(rng)
    picks = x[gen.integers(n, size=(resamples, n))]
    means = picks.mean(axis=1)
    ses = picks.std(axis=1, ddof=1) / math.sqrt(n)
    diffs = means - mean
    # Decide degeneracy exactly (all picks equal) rather than by se* == 0, which rounding
    # can miss; and call a difference zero within rounding of the data's scale, so that a
    # seed sitting exactly on the mean does not get an arbitrary-signed infinity.
    degenerate = picks.max(axis=1) == picks.min(axis=1)
    tol = 4.0 * n * np.finfo(float).eps * float(np.abs(x).max())
    t_star = np.empty(resamples)
    ok = ~degenerate
    t_star[ok] = diffs[ok] / ses[ok]
    flat = picks[degenerate, 0] - mean
    t_star[degenerate] = np.where(np.abs(flat) <= tol, 0.0, np.copysign(np.inf, flat))

    t_sorted = np.sort(t_star)
    q_lo = t_sorted[rank - 1]
    q_hi = t_sorted[resamples - rank]
    low = mean - q_hi * se if np.isfinite(q_hi) else (-np.inf if q_hi > 0 else np.inf)
    high = mean - q_lo * se if np.isfinite(q_lo) else (np.inf if q_lo < 0 else -np.inf)

    t_obs = mean / se
    p = float(np.mean(np.abs(t_star) >= abs(t_obs)))
    p = max(p, 1.0 / (resamples + 1))
    return Interval(mean, float(low), float(high), n, min(p, 1.0))


def finite_interval(values: dict[int, float] | Sequence[float]) -> Interval | None:
    """:func:`seed_interval` of the finite values among ``values`` (``{seed: value}`` or a
    sequence), or None when fewer than two seeds have one: a table cell then says so."""
    vals = [v for v in (values.values() if isinstance(values, dict) else values) if np.isfinite(v)]
    if len(vals) < 2:
        return None
    return seed_interval(vals, rng=0)


def describe(values: ArrayLike, bounds: tuple[float, float] = (-math.inf, math.inf)) -> str:
    """``"mean [low, high]"`` over seeds for a table, the interval cut to the measure's range.

    Bootstrap-t can reach past what a measure can take (an accuracy above 1 from six seeds
    near the ceiling); cutting it at ``bounds`` loses no coverage. One seed has no interval,
    and says so rather than printing a made-up one. A NaN (a measure undefined for some seed,
    such as a read-out of something that never varied) gives ``"n/a"``.
    """
    if np.isnan(np.asarray(values, dtype=float)).any():
        return "n/a"
    x = _as_seeds(values, "values")
    if len(x) == 0:
        raise ValueError("values: no seeds to describe")
    if len(x) < 2:
        return f"{x[0]:.2f} (1 seed)"
    iv = seed_interval(x, rng=0)
    low, high = max(iv.low, bounds[0]), min(iv.high, bounds[1])
    return f"{iv.mean:.2f} [{low:.2f}, {high:.2f}]"


def paired_interval(a: ArrayLike, b: ArrayLike, **kw) -> Interval:
    """Bootstrap-t interval of ``mean(a - b)`` over seeds, ``a[i]`` and ``b[i]`` from seed ``i``.

    Pairing by seed matters because both arms are evaluated on the same episodes: the
    per-seed difference cancels the episode noise they share, which an unpaired comparison
    would count twice. Keyword arguments go to :func:`seed_interval`.
    """
    x = _as_seeds(a, "a")
    y = _as_seeds(b, "b")
    if len(x) != len(y):
        raise ValueError(
            f"a and b must hold one value per seed for the same seeds, "
            f"got lengths {len(x)} and {len(y)}"
        )
    return seed_interval(x - y, **kw)


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
