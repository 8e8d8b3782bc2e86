"""``empathy-gym replay FILE``: step forward and backward through a recorded episode."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import tyro

from empathy_gym.envs.scenarios import make_scenario
from empathy_gym.render.frame import Overlay, Renderer, import_pygame
from empathy_gym.render.recording import Recording
from empathy_gym.ui.keys import HELP_REPLAY, REPLAY_KEYS, read_keys


@dataclass
class ReplayArgs:
    """Step through a recording (left/right, space to play, Home/End, Q to quit)."""

    file: tyro.conf.Positional[str]
    """a recording written by `empathy-gym watch --save-recording`"""
    truth: bool = False
    """overlay the hidden state"""
    fps: int = 8
    """frames per second when playing"""


class Replay:
    """The viewer's state: which step is shown and whether it plays; frames from the file."""

    def __init__(self, recording: Recording, truth: bool, fps: int):
        self.recording = recording
        self.scenario = make_scenario(recording.scenario, **recording.config)
        self.scenario.use_map(recording.map)  # the map played on (procedural: not the config's)
        self.renderer = Renderer(self.scenario, "human", fps)
        self.truth = truth
        self.step = 0
        self.playing = False

    def frame(self, k: int):
        posterior, valence = self.recording.belief_at(k)
        totals = np.sum(self.recording.steps["components"][: k + 1], axis=0)[0]  # step 0: zeros
        overlay = Overlay(
            truth=self.truth, goal_posterior=posterior, believed_valence=valence, totals=totals
        )
        world, state = self.recording.world_at(k, self.scenario)
        return self.renderer.rgb_array(world, state, 0, overlay)

    def handle(self, command: str) -> bool:
        """Apply one command; return False to quit."""
        last = len(self.recording) - 1
        if command == "quit":
            return False
        if command == "forward":
            self.step = min(last, self.step + 1)
        elif command == "back":
            self.step = max(0, self.step - 1)
        elif command == "first":
            self.step = 0
        elif command == "last":
            self.step = last
        elif command == "toggle_play":
            self.playing = not self.playing
        return True

    def run(self, max_frames: int | None = None) -> None:
        """The interactive loop; ``max_frames`` bounds it (for tests and headless use)."""
        pygame = import_pygame()
        shown = 0
        while max_frames is None or shown < max_frames:
            self.renderer.show(self.frame(self.step))
            shown += 1
            commands = [REPLAY_KEYS[k] for k in read_keys(pygame) if k in REPLAY_KEYS]
            if not all(self.handle(c) for c in commands):
                break
            if self.playing and not commands:
                self.handle("forward")
        self.renderer.close()


def run_replay(args: ReplayArgs) -> None:
    replay = Replay(Recording.load(args.file), args.truth, args.fps)
    print(f"{args.file}: {len(replay.recording)} steps of {replay.scenario.name}. {HELP_REPLAY}")
    replay.run()
