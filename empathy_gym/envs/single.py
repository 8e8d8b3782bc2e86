"""The Gymnasium single-agent view: the assistant alone, the humans driven by their model.

A thin adapter over :class:`EmpathyParallelEnv`, so it can never drift from the
multi-agent env. ``info`` carries the reward components (``reward_task``...), the action
mask and the hidden ground truth (``truth_valence``...: evaluation only).
"""

from __future__ import annotations

from typing import ClassVar

import gymnasium as gym

from empathy_gym.envs.parallel import ASSISTANT, RENDER_MODES, EmpathyParallelEnv


class AssistantEnv(gym.Env):
    metadata: ClassVar[dict] = {"render_modes": RENDER_MODES, "render_fps": 8}

    def __init__(self, scenario: str, render_mode: str | None = None, **kwargs):
        if kwargs.get("human_control", "model") != "model":
            raise ValueError(
                "human_control must be 'model' in the single-agent assistant view; use the"
                " PettingZoo env (parallel_env/env) to control the humans externally"
            )
        self.par = EmpathyParallelEnv(scenario, render_mode, **kwargs)
        self.metadata = {**self.par.metadata}
        self.render_mode = render_mode
        self.observation_space = self.par.observation_space(ASSISTANT)
        self.action_space = self.par.action_space(ASSISTANT)

    def reset(self, *, seed: int | None = None, options: dict | None = None):
        observations, infos = self.par.reset(seed=seed, options=options)
        self._np_random = self.par.sim.rngs[0]  # the env's one Generator, exposed as np_random
        return observations[ASSISTANT], infos[ASSISTANT]

    def step(self, action):
        obs, rewards, terminations, truncations, infos = self.par.step({ASSISTANT: action})
        return (
            obs[ASSISTANT],
            rewards[ASSISTANT],
            terminations[ASSISTANT],
            truncations[ASSISTANT],
            infos[ASSISTANT],
        )

    def render(self):
        return self.par.render()

    def close(self) -> None:
        self.par.close()
