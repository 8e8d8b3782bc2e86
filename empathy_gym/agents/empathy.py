"""The assistant's empathy module: a cognitive part (theory of mind) and an affective part.

Both read only the assistant's observation (positions, moves and faces, as the scenario's
``View`` of it) and the public map. Neither ever reads the ground truth. Both are batched
over the members of a vector env.

Cognitive part, :class:`BeliefTracker`:
  * Goal posterior by Bayesian inverse planning. A goal is a route of targets (fetch: the
    wanted item's display, then its window); under each hypothesis the tracker follows
    where along that route the human would be (a stage advances when the human is seen on
    the stage's target), and each observed move multiplies the posterior by its Boltzmann
    likelihood toward that hypothesis' current target,
    ``P(move | goal) ∝ exp(beta * (d_target(before) - d_target(after)))``, with an assumed
    rationality ``beta``, not the human's true one. A little probability leaks back to
    uniform each step, since goals change (comfort's wandering); a jump of more than one
    cell (fetch's served customer re-entering) resets the posterior.
  * A Kalman filter per human over valence and arousal, observing the face as an assumed
    gain times the state plus noise (the default population's means, known in advance).
  Its output is a fixed-size feature vector: per human the goal posterior, believed
  valence, its standard deviation, and believed arousal.

Affective part, :class:`MirroredAffect`: the assistant's own mood ``m`` catches the
perceived valence of the humans (Bosse-style contagion, as between the humans), from the
believed valence or, when the cognitive part is lesioned, the raw face. The coupling is
``proximity`` (only people within the contagion radius are felt, fading with distance, so
getting away from someone distressed relieves the assistant, as personal distress does in
people; Batson 1981) or ``global`` (the homeostatic coupling of Yoshida & Man: the
partners' state is felt wherever they are). The contagion arms add
``lambda * m`` to the reward.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numba import njit

from empathy_gym.envs.core.layout import MOVES, Maps, batch_maps, stack
from empathy_gym.envs.core.population import PROFILES
from empathy_gym.envs.scenarios import Scenario
from empathy_gym.envs.scenarios.base import Belief, View

_DEFAULT = PROFILES["default"]


@dataclass(frozen=True)
class BeliefParams:
    """Assumptions of the assistant's model of humans (not any human's true parameters).

    The face model is the default population's means: what an assistant designer would
    know of people in general, set before any training.
    """

    beta: float = 2.0  # assumed Boltzmann rationality of movement
    goal_leak: float = 0.01  # per-step mixing of the goal posterior toward uniform
    process_var: float = 0.01  # Kalman: how fast affect is assumed to drift per step
    expressivity: float = _DEFAULT.expressivity[0]  # assumed gain of the state on the face
    expression_var: float = _DEFAULT.expression_noise[0] ** 2  # assumed face noise variance
    prior_var: float = 0.25


class BeliefTracker:
    """Goal posterior and affect filter for every human of every batch member.

    Goal inference inverts each member's map (the public map: an assistance game takes it as
    known). It reads the batch's :class:`~empathy_gym.envs.core.layout.Maps`, so members on
    different procedural maps are updated in one compiled call.
    """

    def __init__(
        self,
        scenario: Scenario,
        batch: int,
        params: BeliefParams | None = None,
        maps: Maps | None = None,
    ):
        self.scenario = scenario
        self.params = params or BeliefParams()
        self.maps = maps if maps is not None else batch_maps(stack([scenario.layout]), batch)
        n, g = scenario.n_humans, scenario.n_goals
        self.goal_posterior = np.full((batch, n, g), 1.0 / g)
        self.stage = np.zeros((batch, n, g), np.int64)  # route stage under each hypothesis
        self.mean = np.zeros((batch, n, 2))  # believed valence, arousal
        self.var = np.full((batch, n, 2), self.params.prior_var)
        self.positions = np.zeros((batch, n, 2), np.int64)
        self.n_features = n * (g + 3)

    def reset(self, members: np.ndarray, view: View) -> None:
        """Start fresh beliefs for ``members`` from their first observation."""
        self.goal_posterior[members] = 1.0 / self.scenario.n_goals
        self.stage[members] = 0
        self.mean[members] = 0.0
        self.var[members] = self.params.prior_var
        self.positions[members] = view.human_positions
        self._filter(members, view.expressions)

    def update(self, view: View, redrawn: np.ndarray | None = None) -> None:
        """Fold one step's observation of every member into the beliefs (a numba kernel).

        ``redrawn`` (B,) bool: members whose map was replaced while this step ended their
        episode. Their last move was made on the old map, so it is not inverted on the new
        one (their beliefs start afresh next); faces are still filtered."""
        p = self.params
        if redrawn is None:
            redrawn = np.zeros(len(self.mean), np.bool_)
        _update_beliefs(
            self.maps,
            redrawn,
            self.goal_posterior,
            self.stage,
            self.positions,
            np.ascontiguousarray(view.human_positions),
            self.mean,
            self.var,
            np.ascontiguousarray(view.expressions),
            p.beta,
            p.goal_leak,
            p.process_var,
            p.expressivity,
            p.expression_var,
        )

    def _filter(self, members, expressions: np.ndarray) -> None:
        p = self.params
        var = self.var[members] + p.process_var
        gain = var * p.expressivity / (p.expressivity**2 * var + p.expression_var)
        self.mean[members] += gain * (expressions - p.expressivity * self.mean[members])
        self.var[members] = (1.0 - gain * p.expressivity) * var

    @property
    def valence(self) -> np.ndarray:
        """Believed valence, in [-1, 1]."""
        return np.clip(self.mean[..., 0], -1.0, 1.0)

    @property
    def valence_sd(self) -> np.ndarray:
        return np.sqrt(self.var[..., 0])

    def belief(self, b: int) -> Belief:
        """Member ``b``'s beliefs as plain arrays, for scripted assistants."""
        return Belief(
            goal_posterior=self.goal_posterior[b].copy(),
            valence=self.valence[b],
            valence_sd=self.valence_sd[b],
        )

    def features(self) -> np.ndarray:
        """(B, N * (G + 3)) float32: goal posterior, valence, valence sd, arousal per human."""
        parts = [
            self.goal_posterior,
            self.valence[..., None],
            self.valence_sd[..., None],
            np.clip(self.mean[..., 1:], 0.0, 1.0),
        ]
        return np.concatenate(parts, axis=-1).reshape(len(self.mean), -1).astype(np.float32)


@njit(cache=True, inline="always")
def _move_log_likelihood(maps, m, target, row, col, move, beta):
    """log P(move | heading for ``target``) under Boltzmann-rational movement on map ``m``,
    with distances bounded where a cell cannot reach the target."""
    height, width = maps.walkable.shape[1:]
    bound = 4.0 * height * width
    here = min(maps.dist[m, target, row, col], bound)
    values = np.empty(5)
    for a in range(5):
        nr, nc = row + MOVES[a, 0], col + MOVES[a, 1]
        if not maps.walkable[m, nr, nc]:
            nr, nc = row, col
        values[a] = beta * (here - min(maps.dist[m, target, nr, nc], bound))
    top = values.max()
    return values[move] - top - math.log(np.exp(values - top).sum())


@njit(cache=True, inline="always")
def _restart(posterior, stage, b, i):
    """Human ``i`` of member ``b`` back to the uniform prior over goals, at their start."""
    n_goals = posterior.shape[2]
    for g in range(n_goals):
        posterior[b, i, g] = 1.0 / n_goals
        stage[b, i, g] = 0


@njit(cache=True, inline="always")
def _invert_move(maps, m, posterior, stage, b, i, row, col, new_row, new_col, beta, leak):
    """Bayes' rule on human ``i``'s move from (row, col) to (new_row, new_col) on map ``m``:
    each goal's posterior times the move's likelihood under it, mixed with a little of the
    uniform prior (``leak``); a jump or a move no goal explains restarts from the prior."""
    n_goals = posterior.shape[2]
    d_row, d_col = new_row - row, new_col - col
    if abs(d_row) + abs(d_col) > 1:  # a served customer re-entering: a new person
        _restart(posterior, stage, b, i)
        return
    move = 0
    for a in range(1, 5):
        if MOVES[a, 0] == d_row and MOVES[a, 1] == d_col:
            move = a
    total = 0.0
    for g in range(n_goals):
        target = maps.routes[m, g, stage[b, i, g]]
        likelihood = _move_log_likelihood(maps, m, target, row, col, move, beta)
        posterior[b, i, g] *= math.exp(likelihood)
        total += posterior[b, i, g]
        at_row = maps.targets[m, target, 0] == new_row
        at_target = at_row and maps.targets[m, target, 1] == new_col
        if at_target and stage[b, i, g] < maps.route_len[m, g] - 1:
            stage[b, i, g] += 1
    if total <= 0.0:  # every likelihood underflowed
        _restart(posterior, stage, b, i)
        return
    for g in range(n_goals):
        posterior[b, i, g] = (1.0 - leak) * posterior[b, i, g] / total + leak / n_goals


@njit(cache=True)
def _update_beliefs(
    maps,
    redrawn,
    posterior,
    stage,
    positions,
    observed,
    mean,
    var,
    expressions,
    beta,
    leak,
    process_var,
    gain_face,
    expression_var,
):
    """In place: inverse planning on each human's move (not for a ``redrawn`` member, whose
    move was made on its old map), then the Kalman step on their face."""
    for b in range(posterior.shape[0]):
        m = maps.map_of[b]
        for i in range(posterior.shape[1]):
            row, col = positions[b, i, 0], positions[b, i, 1]
            new_row, new_col = observed[b, i, 0], observed[b, i, 1]
            if not redrawn[b]:
                _invert_move(
                    maps, m, posterior, stage, b, i, row, col, new_row, new_col, beta, leak
                )
            positions[b, i, 0], positions[b, i, 1] = new_row, new_col
            for k in range(2):
                predicted = var[b, i, k] + process_var
                gain = predicted * gain_face / (gain_face * gain_face * predicted + expression_var)
                mean[b, i, k] += gain * (expressions[b, i, k] - gain_face * mean[b, i, k])
                var[b, i, k] = (1.0 - gain * gain_face) * predicted


COUPLINGS = ("proximity", "global")


@dataclass(frozen=True)
class ContagionParams:
    rate: float = 0.5  # how fast the mirrored affect follows what it perceives
    decay: float = 0.05  # per-step return toward neutral

    def __post_init__(self) -> None:
        # rate + decay <= 1 makes each update a convex combination: the mood stays in [-1, 1].
        if self.rate < 0 or self.decay < 0 or self.rate + self.decay > 1:
            raise ValueError(
                f"ContagionParams need rate >= 0, decay >= 0, rate + decay <= 1; got {self}"
            )


def check_coupling(coupling: str) -> None:
    if coupling not in COUPLINGS:
        raise ValueError(f"coupling {coupling!r} is unknown; use one of {COUPLINGS}")


class MirroredAffect:
    """The assistant's own mood, caught from the perceived valence of the humans.

    With ``proximity`` coupling the weights fade linearly to 0 at the scenario's contagion
    radius (the same one the humans catch each other's moods within); with ``global``
    coupling every human weighs 1, wherever they are.
    """

    def __init__(
        self,
        scenario: Scenario,
        batch: int,
        coupling: str = "proximity",
        params: ContagionParams | None = None,
    ):
        check_coupling(coupling)
        self.scenario = scenario
        self.coupling = coupling
        self.radius = scenario.contagion_radius
        self.params = params or ContagionParams()
        self.mood = np.zeros(batch)

    def reset(self, members: np.ndarray) -> None:
        self.mood[members] = 0.0

    def update(self, view: View, perceived_valence: np.ndarray) -> np.ndarray:
        """Catch the mood of the humans as the coupling weighs them; return the new mood, (B,)."""
        if self.coupling == "global":
            weight = np.ones(perceived_valence.shape)
        else:
            distance = np.abs(view.human_positions - view.position[:, None, :]).sum(axis=-1)
            weight = np.maximum(1.0 - distance / self.radius, 0.0)
        total = weight.sum(axis=-1)
        seen = (weight * perceived_valence).sum(axis=-1) / np.maximum(total, 1e-12)
        pull = self.params.rate * np.minimum(total, 1.0) * (seen - self.mood)
        self.mood = (1.0 - self.params.decay) * self.mood + pull
        return self.mood
