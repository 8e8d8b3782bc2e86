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


COMPONENT_KEYS = tuple(COMPONENT_PREFIX + name for name in COMPONENT_NAMES)
_WORLD_TRUTH = tuple((TRUTH_PREFIX + f, f) for f in HIDDEN_FIELDS if f != "affect")
"""(infos key, World field) of the world's hidden fields: built once, read every step."""


def reward_components(world: World, index, agent: int) -> dict[str, np.ndarray | float]:
    values = world.components[index, agent]
    if values.ndim == 1:  # one member: plain floats
        return dict(zip(COMPONENT_KEYS, values.tolist(), strict=True))
    return {key: values[..., c].copy() for c, key in enumerate(COMPONENT_KEYS)}


def ground_truth(
    world: World, state, hidden_state: tuple[str, ...], index
) -> dict[str, np.ndarray]:
    """The humans' hidden state (the world's hidden fields and the scenario's), copied.

    Affect is split into ``truth_valence`` and ``truth_arousal``.
    """
    affect = world.affect[index]
    truth = {
        TRUTH_PREFIX + "valence": affect[..., 0].copy(),
        TRUTH_PREFIX + "arousal": affect[..., 1].copy(),
    }
    for key, name in _WORLD_TRUTH:
        truth[key] = getattr(world, name)[index].copy()
    for name in hidden_state:
        truth[TRUTH_PREFIX + name] = getattr(state, name)[index].copy()
    return truth


def _group(info: dict, prefix: str) -> dict:
    return {k[len(prefix) :]: v for k, v in info.items() if k.startswith(prefix)}


def components_of(info: dict) -> dict:
    """The reward components in one agent's (or the vector env's) info, by plain name."""
    return _group(info, COMPONENT_PREFIX)


def truth_of(info: dict) -> dict:
    """The ground truth in the assistant's (or the vector env's) info, by plain name."""
    return _group(info, TRUTH_PREFIX)
