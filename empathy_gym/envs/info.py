"""What every view reports beside the observation: reward components and the ground truth.

``index`` is a batch member (an int: arrays per human) or a slice of the batch (arrays with
a leading batch axis), so the single-env views and the vector env build their infos with
the same code.
"""

from __future__ import annotations

import numpy as np

from empathy_gym.envs.core.world import COMPONENT_NAMES, HIDDEN_FIELDS, World

TRUTH_KEY = "eval_truth"
"""The infos key of the hidden ground truth. Evaluation only: a policy must not read it."""

COMPONENTS_KEY = "reward_components"


def reward_components(world: World, index, agent: int) -> dict[str, np.ndarray | float]:
    values = world.components[index, agent]
    if values.ndim == 1:
        return dict(zip(COMPONENT_NAMES, values.tolist(), strict=True))
    return {name: values[..., c].copy() for c, name in enumerate(COMPONENT_NAMES)}


def ground_truth(
    world: World, state, hidden_state: tuple[str, ...], index
) -> dict[str, np.ndarray]:
    """The humans' hidden state (the world's hidden fields and the scenario's), copied.

    Affect is split into ``valence`` and ``arousal``.
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
    return truth
