"""What every view reports beside the observation: reward components and the ground truth.

Infos are flat: every value is a number or a numpy array under its own key
(``reward_task``, ``truth_valence``...), so consumers that turn each info value into a
tensor or stack them (TorchRL's ``PettingZooWrapper``, Tianshou's buffer, Gymnasium's
vector infos) take them unmodified. ``components_of`` and ``truth_of`` read a group back
by its plain names.

``index`` is a batch member (an int: arrays per human) or a slice of the batch (arrays with
a leading batch axis), so the single-env views and the vector env build their infos with
the same code.
"""

from __future__ import annotations

import numpy as np

from empathy_gym.envs.core.world import COMPONENT_NAMES, HIDDEN_FIELDS, World

TRUTH_PREFIX = "truth_"
"""Keys of the hidden ground truth. Evaluation only: a policy must not read them."""

COMPONENT_PREFIX = "reward_"
"""Keys of this step's reward components (task, welfare, harm, help)."""


def reward_components(world: World, index, agent: int) -> dict[str, np.ndarray | float]:
    values = world.components[index, agent]
    if values.ndim == 1:  # one member: plain floats
        values = values.tolist()
        return {COMPONENT_PREFIX + n: values[c] for c, n in enumerate(COMPONENT_NAMES)}
    return {COMPONENT_PREFIX + n: values[..., c].copy() for c, n in enumerate(COMPONENT_NAMES)}


def ground_truth(
    world: World, state, hidden_state: tuple[str, ...], index
) -> dict[str, np.ndarray]:
    """The humans' hidden state (the world's hidden fields and the scenario's), copied.

    Affect is split into ``truth_valence`` and ``truth_arousal``.
    """
    truth = {
        "valence": world.affect[index, :, 0].copy(),
        "arousal": world.affect[index, :, 1].copy(),
    }
    for name in HIDDEN_FIELDS:
        if name != "affect":
            truth[name] = getattr(world, name)[index].copy()
    for name in hidden_state:
        truth[name] = getattr(state, name)[index].copy()
    return {TRUTH_PREFIX + name: value for name, value in truth.items()}


def _group(info: dict, prefix: str) -> dict:
    return {k[len(prefix) :]: v for k, v in info.items() if k.startswith(prefix)}


def components_of(info: dict) -> dict:
    """The reward components in one agent's (or the vector env's) info, by plain name."""
    return _group(info, COMPONENT_PREFIX)


def truth_of(info: dict) -> dict:
    """The ground truth in the assistant's (or the vector env's) info, by plain name."""
    return _group(info, TRUTH_PREFIX)
