"""The native batched assistant env: one simulation of N worlds, stepped by one kernel call.

A Gymnasium ``VectorEnv`` with same-step autoreset: when member ``i``'s episode ends, its
last observation is in ``infos["final_obs"][i]`` and the returned observation already
starts the next episode. With ``autoreset=False`` (Gymnasium's DISABLED mode) finished
members stay as they ended until ``reset()``: for evaluation and recording, where the
last state matters. Member ``i`` of ``reset(seed=s)`` follows exactly the trajectory of
a single env reset with ``seed=s + i``. ``sb3_vec_env`` adapts it to Stable-Baselines3.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

import numpy as np
from gymnasium import spaces
from gymnasium.utils import EzPickle
from gymnasium.vector import AutoresetMode, VectorEnv
from gymnasium.vector.utils import batch_space

from empathy_gym.envs.core.world import CO, N_ASSISTANT_ACTIONS
from empathy_gym.envs.info import ground_truth, reward_components
from empathy_gym.envs.parallel import version_name
from empathy_gym.envs.scenarios import make_scenario
from empathy_gym.envs.simulation import Simulation
from empathy_gym.errors import check_positive_int


class AssistantVectorEnv(VectorEnv, EzPickle):
    metadata: ClassVar[dict] = {"autoreset_mode": AutoresetMode.SAME_STEP, "render_modes": []}

    def __init__(self, scenario: str, num_envs: int = 8, autoreset: bool = True, **kwargs):
        EzPickle.__init__(self, scenario, num_envs, autoreset, **kwargs)
        check_positive_int("num_envs", num_envs)
        if kwargs.get("human_control", "model") != "model":
            raise ValueError("human_control must be 'model' in the assistant vector env")
        kwargs.pop("render_mode", None)  # gymnasium.make_vec passes it; frames are per-env
        self.scenario = make_scenario(scenario, **kwargs)
        self.num_envs = num_envs
        self.sim = Simulation(self.scenario, num_envs)
        self.world = self.sim.world
        self.scenario_state = self.sim.state
        self.max_cycles = self.scenario.config.max_cycles
        self.autoreset = autoreset
        mode = AutoresetMode.SAME_STEP if autoreset else AutoresetMode.DISABLED
        self.metadata = {
            **type(self).metadata,
            "name": version_name(self.scenario),
            "autoreset_mode": mode,
        }
        self.single_observation_space = spaces.Box(
            -1.0, 1.0, (self.scenario.obs_sizes[0],), np.float32
        )
        self.single_action_space = spaces.Discrete(N_ASSISTANT_ACTIONS)
        self.observation_space = batch_space(self.single_observation_space, num_envs)
        self.action_space = batch_space(self.single_action_space, num_envs)

    def reset(self, *, seed: int | Sequence[int | None] | None = None, options: dict | None = None):
        self.sim.reset(range(self.num_envs), self._member_seeds(seed))
        return self.world.obs_assistant.copy(), self._truth()

    def step(self, actions):
        if not self.autoreset and (self.world.t >= self.max_cycles).any():
            over = np.flatnonzero(self.world.t >= self.max_cycles).tolist()
            raise RuntimeError(f"the episodes of envs {over} are over; call reset() first")
        self.sim.actions[:, 0] = self._check_actions(actions)
        self.sim.step()
        rewards = self.world.components[:, 0, CO.task].copy()
        truncated = self.world.t >= self.max_cycles
        terminated = np.zeros(self.num_envs, np.bool_)
        infos = {**reward_components(self.world, slice(None), 0), **self._truth()}
        if self.autoreset and truncated.any():
            done = np.flatnonzero(truncated)
            final_obs = np.full(self.num_envs, None, dtype=object)
            for i in done:
                final_obs[i] = self.world.obs_assistant[i].copy()
            infos["final_obs"], infos["_final_obs"] = final_obs, truncated.copy()
            self.sim.reset(done, [None] * len(done))
        return self.world.obs_assistant.copy(), rewards, terminated, truncated, infos

    def _truth(self) -> dict[str, np.ndarray]:
        return ground_truth(
            self.world, self.scenario_state, self.scenario.hidden_state, slice(None)
        )

    def _member_seeds(self, seed) -> list[int | None]:
        if seed is None:
            return [None] * self.num_envs
        if isinstance(seed, int | np.integer):
            return [int(seed) + i for i in range(self.num_envs)]
        seeds = list(seed)
        if len(seeds) != self.num_envs:
            raise ValueError(f"seed must be an int or {self.num_envs} seeds, got {len(seeds)}")
        return seeds

    def _check_actions(self, actions) -> np.ndarray:
        actions = np.asarray(actions)
        if actions.shape != (self.num_envs,) or not np.issubdtype(actions.dtype, np.integer):
            raise ValueError(
                f"actions must be {self.num_envs} integers in [0, {N_ASSISTANT_ACTIONS - 1}],"
                f" got shape {actions.shape} of dtype {actions.dtype}"
            )
        if actions.min() < 0 or actions.max() >= N_ASSISTANT_ACTIONS:
            bad = np.flatnonzero((actions < 0) | (actions >= N_ASSISTANT_ACTIONS))
            raise ValueError(
                f"action for assistant_0 of env {bad[0]} is {actions[bad[0]]}, outside the"
                f" allowed range [0, {N_ASSISTANT_ACTIONS - 1}]"
            )
        return actions


def sb3_vec_env(scenario: str, num_envs: int = 8, **kwargs):
    """The same batch as a Stable-Baselines3 VecEnv (no SuperSuit, no DummyVecEnv)."""
    from empathy_gym.envs.sb3 import SB3VecEnv

    return SB3VecEnv(AssistantVectorEnv(scenario, num_envs, **kwargs))
