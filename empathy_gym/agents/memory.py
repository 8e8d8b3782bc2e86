"""The assistant's memory: leaky traces of what it has seen, at several timescales.

Every arm of the experiment trains the same network *with memory* (docs/design.md), so that the
cognitive lesion removes the theory-of-mind module's output and not temporal integration
itself. The memory is a bank of exponential traces of the raw observation (of every field
but the egocentric window: ``core/observe.UNTRACED_FIELDS``),
``m_k <- (1 - a_k) * m_k + a_k * x``, one per rate ``a_k``, and the policy sees
``[x, m_1, m_2, ...]``: a fixed linear recurrent core (a leaky-integrator reservoir), not a
learned one.

Why traces and not a frame stack or a GRU (measured, ``benchmarks/memory.py``): a linear
probe reads the goal of the customer being served in fetch from one frame at 0.51, from a
32-frame stack at 0.91 and from three traces (rates 0.5, 0.125, 0.03) at 0.94; whether a
person in comfort is distressed at 0.65, 0.69 and 0.75. The traces carry as much of what
must be inferred as a stack long enough for fetch's horizon (a customer is served a median
14 and up to 36 steps, 95th percentile, after they looked at the display), with a quarter
to a tenth of the inputs, and need no backpropagation through time: the policy stays a
small MLP that trains at more than 100k steps per second on one core.
"""

from __future__ import annotations

import numpy as np
from numba import njit

TRACE_RATES = (0.5, 0.125, 0.03)
"""Per-step rates of the traces: time constants of about 2, 8 and 33 steps."""


class TraceMemory:
    """Traces of chosen columns of a batch of observations; ``features(x)`` is
    ``[x, m_1, ..., m_K]``, each ``m_k`` over the traced columns only."""

    def __init__(
        self,
        batch: int,
        size: int,
        rates: tuple[float, ...] = TRACE_RATES,
        columns: np.ndarray | None = None,
    ):
        if not rates or any(not 0.0 < r <= 1.0 for r in rates):
            raise ValueError(f"trace rates must be in (0, 1], got {rates}")
        self.columns = np.arange(size) if columns is None else np.asarray(columns, np.int64)
        if len(self.columns) and not 0 <= self.columns.min() <= self.columns.max() < size:
            raise ValueError(f"traced columns must index observations of {size} entries")
        self.rates = np.asarray(rates, np.float32)
        self.traces = np.zeros((batch, len(rates), len(self.columns)), np.float32)
        self.size = size

    @property
    def n_features(self) -> int:
        return self.size + len(self.rates) * len(self.columns)

    def reset(self, members: np.ndarray, obs: np.ndarray) -> None:
        """Members that start an episode remember nothing but their first observation."""
        self.traces[members] = obs[:, None, self.columns]

    def update(self, obs: np.ndarray) -> None:
        _update_traces(self.traces, self.rates, obs, self.columns)

    def features(self, obs: np.ndarray) -> np.ndarray:
        return np.concatenate([obs, self.traces.reshape(len(obs), -1)], axis=1)


@njit(cache=True)
def _update_traces(traces, rates, obs, columns):
    for b in range(traces.shape[0]):
        for k in range(rates.shape[0]):
            a = rates[k]
            for j in range(columns.shape[0]):
                traces[b, k, j] += a * (obs[b, columns[j]] - traces[b, k, j])
