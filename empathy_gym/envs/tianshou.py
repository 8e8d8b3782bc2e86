"""Tianshou's route: ``PettingZooEnv`` over the AEC env, in one call.

Tianshou's ``PettingZooEnv`` wants one observation and one action space for every agent,
and its replay buffer stacks the infos of all agents, so they must share keys and shapes.
With ``human_control="external"`` neither holds: the humans observe less than the
assistant, act in Discrete(5) and do not see the ground truth. :func:`tianshou_env` pads
the spaces with SuperSuit (a padded action is STAY) and gives every agent's info the same
keys (:class:`UniformInfos`); with the built-in humans it wraps the raw env unchanged.
Needs ``empathy-gym[tianshou]``.
"""

from __future__ import annotations

import numpy as np
from pettingzoo.utils.conversions import parallel_to_aec
from pettingzoo.utils.wrappers import BaseWrapper

from empathy_gym.envs.info import TRUTH_PREFIX
from empathy_gym.envs.parallel import EmpathyParallelEnv
from empathy_gym.extras import require


class UniformInfos(BaseWrapper):
    """AEC wrapper: every agent's info has the same keys and shapes.

    Action masks are padded to the largest action space and the assistant's latest ground
    truth appears under every agent (it stays evaluation-only: no policy reads infos).
    """

    def __init__(self, env):
        super().__init__(env)
        self._n_actions = max(self.action_space(a).n for a in self.possible_agents)
        self._truth: dict = {}

    def reset(self, seed=None, options=None):
        self._truth = {}  # the new episode's truth comes with the assistant's first info
        super().reset(seed=seed, options=options)

    def last(self, observe: bool = True):
        observation, reward, terminated, truncated, info = super().last(observe)
        return observation, reward, terminated, truncated, self._uniform(info)

    def _uniform(self, info: dict) -> dict:
        truth = {k: v for k, v in info.items() if k.startswith(TRUTH_PREFIX)}
        self._truth = truth or self._truth  # the assistant's info carries it
        mask = np.zeros(self._n_actions, np.int8)
        mask[: len(info["action_mask"])] = info["action_mask"]
        return {**info, **self._truth, "action_mask": mask}


def tianshou_env(scenario: str, **env_kwargs):
    """Tianshou's ``PettingZooEnv`` over ``scenario``'s AEC env (padded when humans act)."""
    pettingzoo_env = require("tianshou.env").PettingZooEnv
    env = parallel_to_aec(EmpathyParallelEnv(scenario, **env_kwargs))
    if env_kwargs.get("human_control", "model") == "external":
        ss = require("supersuit")
        env = UniformInfos(ss.pad_action_space_v0(ss.pad_observations_v0(env)))
    return pettingzoo_env(env)
