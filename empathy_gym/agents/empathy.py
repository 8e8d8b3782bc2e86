"""The assistant's empathy module: a cognitive part (theory of mind) and an affective part.

Both read only the assistant's observation (positions, moves and faces, as the
``AssistantView`` that ``observation.decode_batch`` makes of it) and the public map.
Neither ever reads the ground truth. Both are batched over the members of a vector env.

Cognitive part, :class:`BeliefTracker`:
  * Goal posterior by Bayesian inverse planning: each observed move multiplies the
    posterior by its Boltzmann likelihood under every goal's distance field,
    ``P(move | goal) ∝ exp(beta * (d_goal(before) - d_goal(after)))``, with an assumed
    rationality ``beta``, not the human's true one. A little probability leaks back to
    uniform each step, since goals change (comfort's wandering); a jump of more than one
    cell (fetch's served customer re-entering) resets the posterior.
  * A Kalman filter per human over valence and arousal, observing the face.
  Its output is a fixed-size feature vector: per human the goal posterior, believed
  valence, its standard deviation, and believed arousal.

Affective part, :class:`MirroredAffect`: the assistant's own mood ``m`` catches the
perceived valence of nearby humans (Bosse-style contagion, as between the humans), from
the believed valence or, when the cognitive part is lesioned, the raw facial expression.
The contagion condition adds ``lambda * m`` to the reward.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numba import njit

from empathy_gym.agents.observation import AssistantView
from empathy_gym.envs.core.layout import MOVES
from empathy_gym.envs.scenarios import Scenario


@dataclass(frozen=True)
class BeliefParams:
    """Assumptions of the assistant's model of humans (not the humans' true parameters)."""

    beta: float = 2.0  # assumed Boltzmann rationality of movement
    goal_leak: float = 0.01  # per-step mixing of the goal posterior toward uniform
    process_var: float = 0.01  # Kalman: how fast affect is assumed to drift per step
    expression_var: float = 0.09  # Kalman: assumed variance of a face's noise
    prior_var: float = 0.25


def move_log_likelihoods(scenario: Scenario, beta: float) -> np.ndarray:
    """``table[g, r, c, a]``: log P(move a from cell (r, c) | goal g), Boltzmann in ``beta``."""
    layout = scenario.layout
    height, width = layout.walkable.shape
    dist = np.minimum(layout.dist, 4 * height * width)  # bounded where unreachable
    table = np.zeros((scenario.n_goals, height, width, 5))
    rows, cols = np.nonzero(layout.walkable)
    for a, (dr, dc) in enumerate(MOVES):
        nr, nc = rows + dr, cols + dc
        stays = ~layout.walkable[nr, nc]
        nr, nc = np.where(stays, rows, nr), np.where(stays, cols, nc)
        table[:, rows, cols, a] = beta * (dist[:, rows, cols] - dist[:, nr, nc])
    table -= np.logaddexp.reduce(table, axis=-1, keepdims=True)
    return table


class BeliefTracker:
    """Goal posterior and affect filter for every human of every batch member."""

    def __init__(self, scenario: Scenario, batch: int, params: BeliefParams | None = None):
        self.scenario = scenario
        self.params = params or BeliefParams()
        self.log_likelihood = move_log_likelihoods(scenario, self.params.beta)
        n, g = scenario.n_humans, scenario.n_goals
        self.goal_posterior = np.full((batch, n, g), 1.0 / g)
        self.mean = np.zeros((batch, n, 2))  # believed valence, arousal
        self.var = np.full((batch, n, 2), self.params.prior_var)
        self.positions = np.zeros((batch, n, 2), np.int64)
        self.n_features = n * (g + 3)

    def reset(self, members: np.ndarray, view: AssistantView) -> None:
        """Start fresh beliefs for ``members`` from their first observation."""
        self.goal_posterior[members] = 1.0 / self.scenario.n_goals
        self.mean[members] = 0.0
        self.var[members] = self.params.prior_var
        self.positions[members] = view.human_positions
        self._filter(members, view.expressions)

    def update(self, view: AssistantView) -> None:
        """Fold one step's observation of every member into the beliefs (a numba kernel)."""
        p = self.params
        _update_beliefs(
            self.log_likelihood,
            self.goal_posterior,
            self.positions,
            np.ascontiguousarray(view.human_positions),
            self.mean,
            self.var,
            np.ascontiguousarray(view.expressions),
            p.goal_leak,
            p.process_var,
            p.expression_var,
        )

    def _filter(self, members, expressions: np.ndarray) -> None:
        var = self.var[members] + self.params.process_var
        gain = var / (var + self.params.expression_var)
        self.mean[members] += gain * (expressions - self.mean[members])
        self.var[members] = (1.0 - gain) * var

    @property
    def valence(self) -> np.ndarray:
        """Believed valence. In [-1, 1] without clipping: the filter's mean is a convex
        combination of the 0 prior and faces, which the env clips to [-1, 1] (arousal: [0, 1])."""
        return self.mean[..., 0]

    def features(self) -> np.ndarray:
        """(B, N * (G + 3)) float32: goal posterior, valence, valence sd, arousal per human."""
        parts = [
            self.goal_posterior,
            self.valence[..., None],
            np.sqrt(self.var[..., :1]),
            self.mean[..., 1:],
        ]
        return np.concatenate(parts, axis=-1).reshape(len(self.mean), -1).astype(np.float32)


@njit(cache=True)
def _update_beliefs(
    log_likelihood,
    posterior,
    positions,
    observed,
    mean,
    var,
    expressions,
    leak,
    process_var,
    expression_var,
):
    """In place: inverse planning on each human's move, then the Kalman step on their face.

    A move of more than one cell (a served customer re-entering) resets the posterior.
    """
    n_goals = posterior.shape[2]
    for b in range(posterior.shape[0]):
        for i in range(posterior.shape[1]):
            row, col = positions[b, i, 0], positions[b, i, 1]
            d_row, d_col = observed[b, i, 0] - row, observed[b, i, 1] - col
            if abs(d_row) + abs(d_col) > 1:
                posterior[b, i, :] = 1.0 / n_goals
            else:
                move = 0
                for a in range(1, 5):
                    if MOVES[a, 0] == d_row and MOVES[a, 1] == d_col:
                        move = a
                total = 0.0
                for g in range(n_goals):
                    posterior[b, i, g] *= math.exp(log_likelihood[g, row, col, move])
                    total += posterior[b, i, g]
                for g in range(n_goals):
                    posterior[b, i, g] = (1.0 - leak) * posterior[b, i, g] / total + leak / n_goals
            positions[b, i, 0], positions[b, i, 1] = observed[b, i, 0], observed[b, i, 1]
            for k in range(2):
                predicted = var[b, i, k] + process_var
                gain = predicted / (predicted + expression_var)
                mean[b, i, k] += gain * (expressions[b, i, k] - mean[b, i, k])
                var[b, i, k] = (1.0 - gain) * predicted


@dataclass(frozen=True)
class ContagionParams:
    radius: float = 3.0  # Manhattan distance at which a human's mood stops reaching it
    rate: float = 0.5  # how fast the mirrored affect follows what it perceives
    decay: float = 0.05  # per-step return toward neutral

    def __post_init__(self) -> None:
        # rate + decay <= 1 makes each update a convex combination: the mood stays in [-1, 1].
        if self.radius <= 0 or self.rate < 0 or self.decay < 0 or self.rate + self.decay > 1:
            raise ValueError(
                f"ContagionParams need radius > 0, rate >= 0, decay >= 0, rate + decay <= 1;"
                f" got {self}"
            )


class MirroredAffect:
    """The assistant's own mood, caught from the perceived valence of nearby humans."""

    def __init__(self, scenario: Scenario, batch: int, params: ContagionParams | None = None):
        self.scenario = scenario
        self.params = params or ContagionParams()
        self.mood = np.zeros(batch)

    def reset(self, members: np.ndarray) -> None:
        self.mood[members] = 0.0

    def update(self, view: AssistantView, perceived_valence: np.ndarray) -> np.ndarray:
        """Catch the mood of nearby humans; return the new mood, (B,)."""
        distance = np.abs(view.human_positions - view.position[:, None, :]).sum(axis=-1)
        weight = np.maximum(1.0 - distance / self.params.radius, 0.0)
        total = weight.sum(axis=-1)
        seen = (weight * perceived_valence).sum(axis=-1) / np.maximum(total, 1e-12)
        pull = self.params.rate * np.minimum(total, 1.0) * (seen - self.mood)
        self.mood = (1.0 - self.params.decay) * self.mood + pull
        return self.mood
