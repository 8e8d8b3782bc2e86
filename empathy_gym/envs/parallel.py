"""The PettingZoo ParallelEnv: a batch of one over the shared simulation.

``assistant_0`` always acts. With ``human_control="external"`` the humans ``human_0``...
are agents too and observe their own private state; with ``"model"`` (the default) they
follow the built-in Boltzmann/affect model and only the assistant is an agent.

Every step's ``infos[agent]`` holds the reward components (``reward_task``,
``reward_welfare``, ``reward_harm``, ``reward_help``) and ``action_mask``; the assistant's
also holds the hidden ground truth (``truth_valence``, ``truth_goal``...): for evaluation
only, never for the policy. Every value is a number or an array (``envs/info.py``).
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
from gymnasium import spaces
from gymnasium.utils import EzPickle
from pettingzoo import ParallelEnv
from pettingzoo.utils.conversions import parallel_to_aec, parallel_to_aec_wrapper

from empathy_gym.envs.checks import check_action, check_agents
from empathy_gym.envs.core.layout import MOVES
from empathy_gym.envs.core.world import CO, N_ASSISTANT_ACTIONS, N_HUMAN_ACTIONS, World
from empathy_gym.envs.info import ground_truth, reward_components
from empathy_gym.envs.scenarios import Scenario, make_scenario
from empathy_gym.envs.simulation import Simulation

ASSISTANT = "assistant_0"
RENDER_MODES = ["human", "rgb_array", "ansi"]


def check_render_mode(render_mode) -> None:
    if render_mode is not None and render_mode not in RENDER_MODES:
        raise ValueError(f"render_mode must be None or one of {RENDER_MODES}, got {render_mode!r}")


class EmpathyParallelEnv(ParallelEnv, EzPickle):
    metadata: ClassVar[dict] = {
        "render_modes": RENDER_MODES,
        "render_fps": 8,
        "is_parallelizable": True,
    }

    def __init__(self, scenario: str, render_mode: str | None = None, **kwargs):
        EzPickle.__init__(self, scenario, render_mode, **kwargs)
        check_render_mode(render_mode)
        self.scenario: Scenario = make_scenario(scenario, **kwargs)
        self.metadata = {**type(self).metadata, "name": version_name(self.scenario)}
        self.render_mode = render_mode
        self.sim = Simulation(self.scenario, 1)
        self.world: World = self.sim.world
        self.scenario_state = self.sim.state
        self.max_cycles = self.scenario.config.max_cycles
        n = self.scenario.n_humans
        humans = [f"human_{i}" for i in range(n)]
        self.possible_agents = [ASSISTANT] + (humans if self.scenario.external else [])
        self.agents: list[str] = []
        self._slot = {agent: k for k, agent in enumerate([ASSISTANT, *humans])}
        d_assistant, d_human = self.scenario.obs_sizes
        self._obs_spaces = {
            agent: spaces.Box(
                -1.0, 1.0, (d_assistant if agent == ASSISTANT else d_human,), np.float32
            )
            for agent in self.possible_agents
        }
        self._act_spaces = {
            agent: spaces.Discrete(N_ASSISTANT_ACTIONS if agent == ASSISTANT else N_HUMAN_ACTIONS)
            for agent in self.possible_agents
        }
        self.state_space = spaces.Box(-1.0, 1.0, (len(self.state()),), np.float32)
        self._renderer = None

    def observation_space(self, agent: str) -> spaces.Box:
        return self._obs_spaces[agent]

    def action_space(self, agent: str) -> spaces.Discrete:
        return self._act_spaces[agent]

    def reset(self, seed: int | None = None, options: dict | None = None):
        self.sim.reset([0], [seed])
        self.agents = self.possible_agents[:]
        if self.render_mode == "human":
            self.render()
        return self._observations(), self._infos()

    def step(self, actions: dict):
        if not self.agents:
            raise RuntimeError("the episode is over (all agents are done); call reset() first")
        check_agents(actions, self.agents)
        for agent, action in actions.items():
            self.sim.actions[0, self._slot[agent]] = check_action(
                agent, action, self._act_spaces[agent].n
            )
        self.sim.step()
        done = bool(self.world.t[0] >= self.max_cycles)
        components = self.world.components[0]
        rewards = {agent: float(components[self._slot[agent], CO.task]) for agent in self.agents}
        terminations = dict.fromkeys(self.agents, False)
        truncations = dict.fromkeys(self.agents, done)
        observations, infos = self._observations(), self._infos()
        if done:
            self.agents = []
        if self.render_mode == "human":
            self.render()
        return observations, rewards, terminations, truncations, infos

    def _observations(self) -> dict[str, np.ndarray]:
        obs = {ASSISTANT: self.world.obs_assistant[0].copy()}
        for agent in self.agents[1:]:
            obs[agent] = self.world.obs_humans[0, self._slot[agent] - 1].copy()
        return obs

    def _infos(self) -> dict[str, dict]:
        infos = {}
        for agent in self.agents:
            k = self._slot[agent]
            infos[agent] = {
                **reward_components(self.world, 0, k),
                "action_mask": self.world.action_mask[0, k, : self._act_spaces[agent].n].copy(),
            }
        infos[ASSISTANT].update(
            ground_truth(self.world, self.scenario_state, self.scenario.hidden_state, 0)
        )
        return infos

    def state(self) -> np.ndarray:
        """The full world, hidden truth included: for centralised critics and evaluation."""
        return global_state(self.world, self.scenario_state, 0, self.scenario)

    def render(self):
        if self.render_mode is None:
            return None
        if self._renderer is None:
            from empathy_gym.render import Renderer  # lazy: no pygame unless rendering

            self._renderer = Renderer(self.scenario, self.render_mode, self.metadata["render_fps"])
        return self._renderer.render(self.world, self.scenario_state, 0)

    def close(self) -> None:
        if self._renderer is not None:
            self._renderer.close()
            self._renderer = None


def global_state(world: World, state, b: int, scenario: Scenario) -> np.ndarray:
    """Every world array of member ``b`` and the scenario's own state, as one float vector."""
    height, width = scenario.layout.walkable.shape
    scale = np.array([height - 1, width - 1])
    goals = np.zeros((scenario.n_humans, scenario.n_goals), np.float32)
    goals[np.arange(scenario.n_humans), world.goal[b]] = 1.0
    stages = max(1, scenario.layout.routes.shape[1] - 1)
    parts = [
        (world.pos[b] / scale).ravel(),
        MOVES[world.last_move[b]].ravel(),
        world.affect[b].ravel(),
        world.expression[b].ravel(),
        goals.ravel(),
        world.stage[b] / stages,
        world.achieved[b],
        world.gave_up[b],
        world.withdrawn[b],
        [min(1.0, world.t[b] / scenario.config.max_cycles)],
        scenario.state_vector(state, b),
    ]
    return np.concatenate([np.asarray(p, np.float32).ravel() for p in parts])


def version_name(scenario: Scenario) -> str:
    """The PettingZoo-style name of a scenario's version: ``fetch_v2``."""
    return f"{scenario.name}_v{scenario.version}"


def version_factories(scenario: str):
    """``parallel_env``, ``env`` and ``raw_env`` for a scenario's PettingZoo version module."""

    def parallel_env(**kwargs) -> EmpathyParallelEnv:
        return EmpathyParallelEnv(scenario, **kwargs)

    def env(**kwargs):
        """The AEC form (with PettingZoo's order enforcing), via ``parallel_to_aec``."""
        return parallel_to_aec(parallel_env(**kwargs))

    def raw_env(**kwargs):
        """The AEC form without wrappers."""
        return parallel_to_aec_wrapper(parallel_env(**kwargs))

    return parallel_env, env, raw_env
