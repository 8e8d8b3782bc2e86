"""``empathy-gym play <scenario> --as human_0|assistant_0``: a person controls one agent.

The other agents follow their models: playing a human, the assistant is the scenario's
scripted ``prosocial`` assistant (with its own empathy module) and the other humans move by
the built-in model, the same compiled function ``human_control="model"`` runs; playing the
assistant, every human follows the built-in model.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

import numpy as np
import tyro

from empathy_gym.agents.empathy import BeliefTracker
from empathy_gym.envs.core.motion import model_action
from empathy_gym.envs.core.world import STAY
from empathy_gym.envs.parallel import ASSISTANT, EmpathyParallelEnv
from empathy_gym.render.frame import Overlay, Renderer, import_pygame
from empathy_gym.ui.keys import HELP_PLAY, PLAY_KEYS, read_keys


@dataclass
class PlayArgs:
    """Control one agent from the keyboard; the others follow their models."""

    scenario: tyro.conf.Positional[str]
    """the scenario to play (empathy_gym.SCENARIOS)"""
    as_agent: Annotated[str, tyro.conf.arg(name="as")] = ASSISTANT
    """the agent to control: assistant_0 or human_<i>"""
    seed: int = 0
    """episode seed"""
    truth: bool = False
    """overlay the hidden state"""
    population: str = "default"
    """population of the humans"""
    fps: int = 8
    """frames per second"""


class ModelHuman:
    """Moves human ``i`` by the built-in model: the kernel's own ``model_action``."""

    def __init__(self, env: EmpathyParallelEnv, seed: int = 0):
        self.env = env
        self.rng = np.random.default_rng(seed)

    def __call__(self, agent: str) -> int:
        i = int(agent.split("_")[1])
        statics = self.env.sim.statics
        return int(
            model_action(self.env.world, statics.layout, statics.affect, 0, i, self.rng.random())
        )


class Game:
    """One person-controlled episode: turns key names into actions for the chosen agent."""

    def __init__(self, args: PlayArgs):
        control = "model" if args.as_agent == ASSISTANT else "external"
        self.env = EmpathyParallelEnv(
            args.scenario, human_control=control, population=args.population
        )
        if args.as_agent not in self.env.possible_agents:
            valid = [ASSISTANT] + [f"human_{i}" for i in range(self.env.scenario.n_humans)]
            raise ValueError(
                f"--as {args.as_agent!r} is not an agent of {args.scenario}; choose one of {valid}"
            )
        self.me = args.as_agent
        self.overlay = Overlay(truth=args.truth)
        self.renderer = Renderer(self.env.scenario, "human", args.fps)
        self.assistant = self.env.scenario.make_policy("prosocial", args.seed)
        self.humans = ModelHuman(self.env, seed=args.seed)
        self.observations, _ = self.env.reset(seed=args.seed)
        self.beliefs = BeliefTracker(self.env.scenario, 1, maps=self.env.sim.maps)
        self.beliefs.reset(np.array([0]), self._view())

    def act(self, key: str) -> bool:
        """Step with the action bound to ``key``; False once the episode is over."""
        if key not in PLAY_KEYS or not self.env.agents:
            return bool(self.env.agents)
        actions = {}
        for agent in self.env.agents:
            if agent == self.me:
                mine = PLAY_KEYS[key]  # a human has no INTERACT: it stays instead
                actions[agent] = mine if mine < self.env.action_space(agent).n else STAY
            elif agent == ASSISTANT:
                actions[agent] = self.assistant(
                    self._view().member(0), self.beliefs.belief(0), None
                )
            else:
                actions[agent] = self.humans(agent)
        self.observations, *_ = self.env.step(actions)
        self.beliefs.update(self._view())
        return bool(self.env.agents)

    def _view(self):
        return self.env.scenario.view(self.observations[ASSISTANT][None])

    def frame(self) -> np.ndarray:
        return self.renderer.rgb_array(self.env.world, self.env.scenario_state, 0, self.overlay)

    def run(self, max_frames: int | None = None) -> None:
        """The interactive loop; ``max_frames`` bounds it (for tests and headless use)."""
        pygame = import_pygame()
        shown = 0
        while max_frames is None or shown < max_frames:
            self.renderer.show(self.frame())
            shown += 1
            keys = read_keys(pygame)
            if "escape" in keys or "q" in keys or not all(self.act(k) for k in keys):
                break
        self.renderer.close()
        self.env.close()


def run_play(args: PlayArgs) -> None:
    game = Game(args)
    print(f"playing {game.me} in {args.scenario}. {HELP_PLAY}")
    game.run()
