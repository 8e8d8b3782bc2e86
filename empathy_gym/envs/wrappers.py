"""Small adapters for libraries with stricter expectations than PettingZoo's own."""

from __future__ import annotations

import numpy as np
from pettingzoo.utils.wrappers import BaseParallelWrapper, BaseWrapper

from empathy_gym.envs.info import COMPONENTS_KEY, TRUTH_KEY


def flatten_info(info: dict, prefix: str = "") -> dict:
    """``{"a": {"b": x}}`` -> ``{"a/b": x}``: every value an array or a number."""
    flat = {}
    for key, value in info.items():
        if isinstance(value, dict):
            flat.update(flatten_info(value, f"{prefix}{key}/"))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


class FlatInfos(BaseParallelWrapper):
    """Flattens each agent's nested infos (``reward_components/task``, ``eval_truth/goal``...).

    For TorchRL's ``PettingZooWrapper``, which turns every info value into a tensor.
    """

    def reset(self, seed=None, options=None):
        observations, infos = super().reset(seed=seed, options=options)
        return observations, {agent: flatten_info(info) for agent, info in infos.items()}

    def step(self, actions):
        *rest, infos = super().step(actions)
        return (*rest, {agent: flatten_info(info) for agent, info in infos.items()})


class UniformInfos(BaseWrapper):
    """AEC wrapper: every agent's info has the same keys and shapes.

    Action masks are padded to the largest action space and the ground truth appears under
    every agent. For Tianshou's replay buffer, which stacks the infos of all agents.
    """

    def __init__(self, env):
        super().__init__(env)
        self._n_actions = max(self.action_space(a).n for a in self.possible_agents)
        self._truth = None

    def last(self, observe: bool = True):
        observation, reward, terminated, truncated, info = super().last(observe)
        return observation, reward, terminated, truncated, self._uniform(info)

    def _uniform(self, info: dict) -> dict:
        self._truth = info.get(TRUTH_KEY, self._truth)  # the assistant's info carries it
        mask = np.zeros(self._n_actions, np.int8)
        mask[: len(info["action_mask"])] = info["action_mask"]
        return {"action_mask": mask, COMPONENTS_KEY: info[COMPONENTS_KEY], TRUTH_KEY: self._truth}
