"""The ``empathy-gym`` command (also ``python -m empathy_gym``).

empathy-gym demo                      the scripted assistants play each scenario
empathy-gym train ppo|cirl|contagion  train one assistant (= python -m empathy_gym.train.X)
empathy-gym compare --preset quick    train and evaluate every arm of a preset; write the report
empathy-gym tune --arm cirl           tune the learner's hyperparameters (Optuna) for --settings
empathy-gym instrument                each scenario's instrument figures (scripted, no training)
empathy-gym probe RUN [RUN ...]       what trained assistants represent; silencing their units
empathy-gym pumps RUN [RUN ...]       the moral profile of trained assistants on intuition pumps
empathy-gym turing RUN [RUN ...]      an empathy Turing test: their choices beside people's
empathy-gym watch --run DIR           watch a trained run (or --policy); --record out.gif
empathy-gym replay FILE               step through a recorded episode
empathy-gym play fetch --as human_0   control one agent from the keyboard (--record FILE)
empathy-gym judge --people F --agents F  which replay of a pair was a person's? which kinder?
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Annotated, Union

import tyro

from empathy_gym.analysis.moral_profile import PumpsArgs, run_pumps
from empathy_gym.analysis.probe import ProbeArgs, run_probe
from empathy_gym.analysis.turing import TuringArgs, run_turing
from empathy_gym.errors import run_script
from empathy_gym.experiment.compare import CompareArgs, run_compare
from empathy_gym.experiment.tune import TuneArgs, run_tune
from empathy_gym.rollout.demo import DemoArgs
from empathy_gym.rollout.demo import main as demo_main
from empathy_gym.rollout.instrument import InstrumentArgs, run_instrument
from empathy_gym.train.runner import ARGS_OF_COMMAND, TrainArgs, run_training
from empathy_gym.ui.judge import JudgeArgs, run_judge
from empathy_gym.ui.play import PlayArgs, run_play
from empathy_gym.ui.replay import ReplayArgs, run_replay
from empathy_gym.ui.watch import WatchArgs, run_watch

TrainChoice = Union[  # noqa: UP007  (tyro reads the Annotated members of a typing.Union)
    tuple(Annotated[cls, tyro.conf.subcommand(name)] for name, cls in ARGS_OF_COMMAND.items())
]


@dataclass
class Train:
    """Train one arm of the experiment with a training command: ppo, cirl or contagion."""

    run: tyro.conf.OmitSubcommandPrefixes[TrainChoice]


HANDLERS = {
    CompareArgs: run_compare,
    DemoArgs: demo_main,
    InstrumentArgs: run_instrument,
    ProbeArgs: run_probe,
    PumpsArgs: run_pumps,
    TuringArgs: run_turing,
    TuneArgs: run_tune,
    WatchArgs: run_watch,
    ReplayArgs: run_replay,
    PlayArgs: run_play,
    JudgeArgs: run_judge,
}


RENAMED_FLAGS = {
    "--cell": "--arm",
    "--variant": "--pump",
    "--lesion-episodes": "--silencing-episodes",
}
"""Flags of earlier versions and their names now (one name per concept: docs/design.md)."""


def check_renamed(argv: list[str]) -> None:
    """A ValueError naming the new flag for any flag spelt the old way."""
    for token in argv:
        flag = token.split("=", 1)[0].replace("_", "-")
        if flag in RENAMED_FLAGS:
            raise ValueError(f"{flag} was renamed {RENAMED_FLAGS[flag]}; use {RENAMED_FLAGS[flag]}")


def main(argv: list[str] | None = None) -> None:
    run_script(lambda: check_renamed(sys.argv[1:] if argv is None else argv))
    commands = {
        "demo": DemoArgs,
        "train": Train,
        "compare": CompareArgs,
        "tune": TuneArgs,
        "instrument": InstrumentArgs,
        "probe": ProbeArgs,
        "pumps": PumpsArgs,
        "turing": TuringArgs,
        "watch": WatchArgs,
        "replay": ReplayArgs,
        "play": PlayArgs,
        "judge": JudgeArgs,
    }
    args = tyro.extras.subcommand_cli_from_dict(commands, args=argv)
    if isinstance(args, Train):
        run: TrainArgs = args.run
        run_script(lambda: run_training(run))
    else:
        run_script(lambda: HANDLERS[type(args)](args))
