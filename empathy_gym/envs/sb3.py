"""A Stable-Baselines3 ``VecEnv`` over a batched env. Needs ``empathy-gym[train]``.

Works on any Gymnasium VectorEnv with same-step autoreset that puts finished members' last
observations in ``infos["final_obs"]``: the native vector env and its wrappers.
"""

from __future__ import annotations

import numpy as np
from gymnasium.vector import VectorEnv

from empathy_gym.extras import require

VecEnv = require("stable_baselines3.common.vec_env").VecEnv


class SB3VecEnv(VecEnv):
    def __init__(self, venv: VectorEnv):
        self.venv = venv
        super().__init__(venv.num_envs, venv.single_observation_space, venv.single_action_space)
        self._actions = np.zeros(venv.num_envs, np.int64)

    def reset(self) -> np.ndarray:
        seeds = None if all(s is None for s in self._seeds) else self._seeds
        obs, _ = self.venv.reset(seed=seeds)
        self._reset_seeds()
        return obs

    def step_async(self, actions: np.ndarray) -> None:
        self._actions = np.asarray(actions).reshape(self.num_envs)

    def step_wait(self):
        obs, rewards, terminated, truncated, infos = self.venv.step(self._actions)
        dones = terminated | truncated
        env_infos: list[dict] = [{} for _ in range(self.num_envs)]
        for i in np.flatnonzero(dones):
            env_infos[i]["terminal_observation"] = infos["final_obs"][i]
            env_infos[i]["TimeLimit.truncated"] = bool(truncated[i] and not terminated[i])
        if "episode_stats" in infos:  # per-episode summaries, for learning-curve callbacks
            stats = infos["episode_stats"]
            for k, i in enumerate(stats["members"]):
                env_infos[i]["episode_stats"] = {
                    key: float(values[k]) for key, values in stats.items() if key != "members"
                }
        return obs, rewards.astype(np.float32), dones, env_infos

    def close(self) -> None:
        self.venv.close()

    def get_attr(self, attr_name, indices=None):
        return [getattr(self.venv, attr_name) for _ in self._get_indices(indices)]

    def set_attr(self, attr_name, value, indices=None) -> None:
        raise AttributeError(f"cannot set {attr_name!r}: the batch shares one simulation")

    def env_method(self, method_name, *method_args, indices=None, **method_kwargs):
        raise AttributeError(
            f"env_method({method_name!r}) is not supported: the batch has no sub-envs"
        )

    def env_is_wrapped(self, wrapper_class, indices=None):
        return [False for _ in self._get_indices(indices)]
