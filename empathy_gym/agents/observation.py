"""Read the assistant's flat observation back into named parts.

Policies and the empathy module use this instead of hard-coded offsets, so they see exactly
what the assistant sees: positions, last moves, faces, the held item, task objects.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from empathy_gym.envs.scenarios import Scenario


@dataclass
class AssistantView:
    position: np.ndarray  # (2,) int: own cell
    time: float  # fraction of the episode gone
    human_positions: np.ndarray  # (N, 2) int
    human_moves: np.ndarray  # (N, 2) int: last move of each human (row, col offset)
    expressions: np.ndarray  # (N, 2) float: facial valence, arousal
    carry: int  # held item type, -1 for none
    objects: np.ndarray  # (M, 2) int: task objects (coins)


def decode(obs: np.ndarray, scenario: Scenario) -> AssistantView:
    height, width = scenario.layout.walkable.shape
    n, n_items, n_objects = scenario.n_humans, scenario.n_items, scenario.n_objects
    position = np.rint(obs[:2] * [height - 1, width - 1]).astype(int)
    humans = obs[3 : 3 + 6 * n].reshape(n, 6)
    rel = np.rint(humans[:, :2] * [height, width]).astype(int)
    j = 3 + 6 * n
    carry = -1
    if n_items:
        carry = int(np.argmax(obs[j : j + n_items + 1])) - 1
        j += n_items + 1
    objects = np.rint(obs[j : j + 2 * n_objects].reshape(n_objects, 2) * [height, width])
    return AssistantView(
        position=position,
        time=float(obs[2]),
        human_positions=position + rel,
        human_moves=np.rint(humans[:, 2:4]).astype(int),
        expressions=humans[:, 4:6].astype(float),
        carry=carry,
        objects=position + objects.astype(int),
    )
