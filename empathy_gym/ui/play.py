"""``empathy-gym play <scenario> --as human_0|assistant_0``: a person controls one agent.

The other agents follow their models: playing a human, the assistant is the scripted
baseline and the other humans move Boltzmann-rationally toward their goals (the model
behind ``human_control="model"``, read from their own observations); playing the
assistant, every human follows the built-in model.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

import numpy as np
import tyro

from empathy_gym.agents.baselines import make_baseline
from empathy_gym.agents.empathy import move_log_likelihoods
from empathy_gym.envs.core.world import STAY
from empathy_gym.envs.parallel import ASSISTANT, EmpathyParallelEnv
from empathy_gym.render.frame import Overlay, Renderer, import_pygame
from empathy_gym.ui.keys import HELP_PLAY, PLAY_KEYS, read_keys


@dataclass
class PlayArgs:
    """Control one agent from the keyboard; the others follow their models."""

    scenario: tyro.conf.Positional[str]
    """fetch, comfort or dilemma"""
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
    """A human agent moved by the built-in Boltzmann model, from its own private observation."""

    def __init__(self, env: EmpathyParallelEnv, beta: float = 3.0, seed: int = 0):
        self.scenario = env.scenario
        self.table = move_log_likelihoods(env.scenario, beta)  # log P(move | goal, cell)
        self.rng = np.random.default_rng(seed)

    def __call__(self, obs: np.ndarray) -> int:
        height, width = self.scenario.layout.walkable.shape
        row, col = np.rint(obs[:2] * [height - 1, width - 1]).astype(int)
        goal = int(np.argmax(obs[5 : 5 + self.scenario.n_goals]))
        return int(self.rng.choice(5, p=np.exp(self.table[goal, row, col])))


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
        self.assistant = make_baseline("scripted", self.env.scenario, args.seed)
        self.humans = ModelHuman(self.env, seed=args.seed)
        self.observations, _ = self.env.reset(seed=args.seed)

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
                actions[agent] = self.assistant(self.observations[agent], {})
            else:
                actions[agent] = self.humans(self.observations[agent])
        self.observations, *_ = self.env.step(actions)
        return bool(self.env.agents)

    def frame(self) -> np.ndarray:
        return self.renderer.rgb_array(self.env.world, 0, self.overlay)

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
