"""Assistants that need no training: random, scripted and oracle, one of each per scenario.

Every baseline is called as ``policy(obs, truth) -> action`` with one member's observation
and ground truth. Random and scripted assistants ignore the truth: scripted ones use only
the observation and the public map, and do the obviously considerate thing. Oracles read
the ground truth (the humans' goals and true valence): the upper bound that normalised
scores are measured against, with random as the lower bound.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from empathy_gym.agents.navigation import step_towards
from empathy_gym.agents.observation import AssistantView, decode
from empathy_gym.envs.core.layout import MOVES
from empathy_gym.envs.core.world import INTERACT, N_ASSISTANT_ACTIONS, STAY
from empathy_gym.envs.scenarios import Scenario

Policy = Callable[[np.ndarray, dict], int]


class RandomAssistant:
    """Uniform over the six actions: the lower bound."""

    def __init__(self, scenario: Scenario, seed: int | None = None):
        self.rng = np.random.default_rng(seed)

    def __call__(self, obs: np.ndarray, truth: dict) -> int:
        return int(self.rng.integers(N_ASSISTANT_ACTIONS))


class ScriptedFetch:
    """Serves a customer waiting at the counter the item on the shelf they stand in front of."""

    def __init__(self, scenario: Scenario, seed: int | None = None):
        self.scenario = scenario
        layout = scenario.layout
        self.shelves = [tuple(np.argwhere(layout.item_at == k)[0]) for k in range(scenario.n_items)]
        self.serve_cells = [self._across_counter(tuple(g)) for g in layout.goal_cells]

    def _across_counter(self, goal: tuple[int, int]) -> tuple[int, int]:
        layout = self.scenario.layout
        for dr, dc in MOVES[1:]:
            counter = (goal[0] + dr, goal[1] + dc)
            beyond = (goal[0] + 2 * dr, goal[1] + 2 * dc)
            if layout.counter[counter] and layout.walkable[beyond]:
                return beyond
        raise ValueError(f"goal cell {goal} has no counter beside it")

    def __call__(self, obs: np.ndarray, truth: dict) -> int:
        view = decode(obs, self.scenario)
        goal_cells = [tuple(g) for g in self.scenario.layout.goal_cells]
        wanted = [
            goal_cells.index(tuple(p)) for p in view.human_positions if tuple(p) in goal_cells
        ]
        if not wanted:
            return STAY
        item = view.carry if view.carry in wanted else wanted[0]
        return self._serve(view, item, customer_waiting=True)

    def _serve(self, view: AssistantView, item: int, customer_waiting: bool) -> int:
        """Fetch ``item``, carry it to its counter cell, hand it over once the customer waits."""
        here = tuple(view.position)
        target = self.serve_cells[item] if view.carry == item else self.shelves[item]
        if here == target:
            return INTERACT if view.carry != item or customer_waiting else STAY
        return step_towards(self.scenario.layout.walkable, here, [target]) or STAY


class OracleFetch(ScriptedFetch):
    """Knows every order: fetches the item of the customer nearest the counter in advance."""

    def __call__(self, obs: np.ndarray, truth: dict) -> int:
        view = decode(obs, self.scenario)
        dist = self.scenario.layout.dist
        remaining = [
            dist[g][tuple(p)] for g, p in zip(truth["goal"], view.human_positions, strict=True)
        ]
        customer = int(np.argmin(remaining))
        return self._serve(view, int(truth["goal"][customer]), remaining[customer] == 0)


class ScriptedComfort:
    """Comforts the saddest-looking person when a face looks distressed, else collects coins."""

    distress_threshold = -0.25

    def __init__(self, scenario: Scenario, seed: int | None = None):
        self.scenario = scenario

    def __call__(self, obs: np.ndarray, truth: dict) -> int:
        view = decode(obs, self.scenario)
        return self._act(view, view.expressions[:, 0], self.distress_threshold)

    def _act(self, view: AssistantView, valence: np.ndarray, threshold: float) -> int:
        walkable = self.scenario.layout.walkable
        people = [tuple(p) for p in view.human_positions]
        saddest = int(np.argmin(valence))
        if valence[saddest] < threshold:
            person = np.array(people[saddest])
            if np.abs(person - view.position).sum() == 1:
                return INTERACT
            beside = [tuple(person + m) for m in MOVES[1:] if walkable[tuple(person + m)]]
            move = step_towards(walkable, view.position, beside, avoid=people)
        else:
            move = step_towards(walkable, view.position, view.objects, avoid=people)
        return STAY if move is None else move


class OracleComfort(ScriptedComfort):
    """Sees true valence: comforts whoever is below zero, else collects coins."""

    def __call__(self, obs: np.ndarray, truth: dict) -> int:
        return self._act(decode(obs, self.scenario), truth["valence"], 0.0)


class ScriptedDilemma:
    """Takes the shortest route to the finish that does not walk through anyone.

    Also the dilemma's oracle: knowing the person's hidden state adds nothing here.
    """

    def __init__(self, scenario: Scenario, seed: int | None = None):
        self.scenario = scenario

    def __call__(self, obs: np.ndarray, truth: dict) -> int:
        view = decode(obs, self.scenario)
        move = step_towards(
            self.scenario.layout.walkable,
            view.position,
            self.scenario.layout.task_cells,
            avoid=view.human_positions,
        )
        return STAY if move is None else move


SCRIPTED = {"fetch": ScriptedFetch, "comfort": ScriptedComfort, "dilemma": ScriptedDilemma}
ORACLES = {"fetch": OracleFetch, "comfort": OracleComfort, "dilemma": ScriptedDilemma}
BASELINES = ("random", "scripted", "oracle")


def make_baseline(kind: str, scenario: Scenario, seed: int | None = None) -> Policy:
    if kind == "random":
        return RandomAssistant(scenario, seed)
    if kind == "scripted":
        return SCRIPTED[scenario.name](scenario, seed)
    if kind == "oracle":
        return ORACLES[scenario.name](scenario, seed)
    raise ValueError(f"baseline {kind!r} is unknown; use one of {BASELINES}")
