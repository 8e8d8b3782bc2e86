"""``empathy-gym play <scenario> --as human_0|assistant_0``: a person controls one agent.

``--pump NAME`` plays one of the scenario's intuition pumps; ``--record FILE`` keeps the
episode as a recording (``empathy-gym replay``, and ``empathy-gym judge``, which sets a
person's episodes beside an agent's on the same pump).

The other agents follow their models: playing a human, the assistant is the scenario's
scripted ``prosocial`` assistant (with its own empathy module) and the other humans move by
the built-in model, the same compiled function ``human_control="model"`` runs; playing the
assistant, every human follows the built-in model.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import numpy as np
import tyro

from empathy_gym.agents.empathy import BeliefTracker
from empathy_gym.envs.core.motion import model_action
from empathy_gym.envs.core.world import STAY
from empathy_gym.envs.parallel import ASSISTANT, EmpathyParallelEnv
from empathy_gym.envs.scenarios import scenario_class
from empathy_gym.render.frame import Overlay, Renderer, import_pygame
from empathy_gym.render.recording import Recording
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
    pump: str | None = None
    """an intuition pump of the scenario to play, e.g. comfort's hurry_high"""
    record: str | None = None
    """keep the episode as a recording file (.npz) for replay and judge; never overwritten"""


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
        if args.record is not None and Path(args.record).exists():
            raise ValueError(f"--record {args.record!r} exists; choose a new file")
        control = "model" if args.as_agent == ASSISTANT else "external"
        pump = {} if args.pump is None else scenario_class(args.scenario).pump(args.pump).kwargs
        self.env = EmpathyParallelEnv(
            args.scenario, human_control=control, **{"population": args.population, **pump}
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
        self.recording = None
        if args.record is not None:
            scenario = self.env.scenario
            self.recording = Recording(
                args.scenario,
                scenario.config.to_dict(),
                scenario.ascii_map.text,
                meta={
                    "player": "person",
                    "as": self.me,
                    "pump": args.pump or "",
                    "truth": args.truth,
                },
            )
            self._capture(STAY)
        self.record_path = args.record

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
        if self.recording is not None:
            self._capture(actions.get(ASSISTANT, STAY))
        return bool(self.env.agents)

    def _capture(self, action: int) -> None:
        observation = self.observations.get(ASSISTANT)
        if observation is None:  # after the last step the agents are gone
            observation = np.zeros(self.env.scenario.assistant_spec.size, np.float32)
        world, state = self.env.world, self.env.scenario_state
        self.recording.capture(world, state, np.array([action]), observation)

    def save(self) -> None:
        """Write the recording, if one was asked for; ``complete`` says whether the episode
        ran to its end (a judge is shown whole episodes only)."""
        if self.recording is not None:
            self.recording.meta["complete"] = not self.env.agents
            print(f"wrote {self.recording.save(self.record_path)} ({len(self.recording)} steps)")

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
        self.save()


def run_play(args: PlayArgs) -> None:
    game = Game(args)
    print(f"playing {game.me} in {args.scenario}. {HELP_PLAY}")
    game.run()
