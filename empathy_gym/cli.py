"""The ``empathy-gym`` command (also ``python -m empathy_gym``).

empathy-gym demo                      baseline assistants play each scenario
empathy-gym train ppo|cirl|contagion  train one assistant (= python -m empathy_gym.train.X)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Union

import tyro

from empathy_gym.train.compare import CompareArgs, run_compare
from empathy_gym.train.demo import DemoArgs
from empathy_gym.train.demo import main as demo_main
from empathy_gym.train.runner import ARGS_OF_CONDITION, TrainArgs, run_training
from empathy_gym.train.script import run_script

TrainChoice = Union[  # noqa: UP007  (tyro reads the Annotated members of a typing.Union)
    tuple(Annotated[cls, tyro.conf.subcommand(name)] for name, cls in ARGS_OF_CONDITION.items())
]


@dataclass
class Train:
    """Train one assistant under a condition: ppo, cirl or contagion."""

    run: tyro.conf.OmitSubcommandPrefixes[TrainChoice]


def main(argv: list[str] | None = None) -> None:
    commands = {
        "demo": DemoArgs,
        "train": tyro.conf.OmitArgPrefixes[Train],
        "compare": CompareArgs,
    }
    args = tyro.extras.subcommand_cli_from_dict(commands, args=argv)
    if isinstance(args, Train):
        run: TrainArgs = args.run
        run_script(lambda: run_training(run))
    elif isinstance(args, CompareArgs):
        run_script(lambda: run_compare(args))
    else:
        run_script(lambda: demo_main(args))
