"""Read the assistant's flat observation back into named parts.

Policies and the empathy module use this instead of hard-coded offsets, so they see exactly
what the assistant sees: positions, last moves, faces, the held item, task objects.
``decode_batch`` reads a batch of observations; ``decode`` one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from empathy_gym.envs.scenarios import Scenario


@dataclass
class AssistantView:
    """The parts of one observation, or of a batch (then every field has a leading axis)."""

    position: np.ndarray  # (2,) int: own cell
    time: np.ndarray  # fraction of the episode gone
    human_positions: np.ndarray  # (N, 2) int
    human_moves: np.ndarray  # (N, 2) int: last move of each human (row, col offset)
    expressions: np.ndarray  # (N, 2) float: facial valence, arousal
    carry: np.ndarray  # held item type, -1 for none
    objects: np.ndarray  # (M, 2) int: task objects (coins)


def decode_batch(obs: np.ndarray, scenario: Scenario) -> AssistantView:
    """Decode observations of shape (B, D)."""
    height, width = scenario.layout.walkable.shape
    n, n_items, n_objects = scenario.n_humans, scenario.n_items, scenario.n_objects
    batch = obs.shape[0]
    position = np.rint(obs[:, :2] * [height - 1, width - 1]).astype(np.int64)
    humans = obs[:, 3 : 3 + 6 * n].reshape(batch, n, 6)
    scale = np.array([height, width])
    j = 3 + 6 * n
    carry = np.full(batch, -1)
    if n_items:
        carry = np.argmax(obs[:, j : j + n_items + 1], axis=1) - 1
        j += n_items + 1
    objects = obs[:, j : j + 2 * n_objects].reshape(batch, n_objects, 2)
    return AssistantView(
        position=position,
        time=obs[:, 2].astype(np.float64),
        human_positions=position[:, None, :] + np.rint(humans[..., :2] * scale).astype(np.int64),
        human_moves=np.rint(humans[..., 2:4]).astype(np.int64),
        expressions=humans[..., 4:6].astype(np.float64),
        carry=carry,
        objects=position[:, None, :] + np.rint(objects * scale).astype(np.int64),
    )


def decode(obs: np.ndarray, scenario: Scenario) -> AssistantView:
    """Decode one observation of shape (D,)."""
    view = decode_batch(obs[None, :], scenario)
    return AssistantView(**{name: value[0] for name, value in vars(view).items()})
