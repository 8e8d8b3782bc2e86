"""The ``empathy-gym`` command (also ``python -m empathy_gym``)."""

from __future__ import annotations

import tyro

from empathy_gym.train.demo import DemoArgs
from empathy_gym.train.demo import main as demo_main

COMMANDS = {"demo": (DemoArgs, demo_main)}


def main(argv: list[str] | None = None) -> None:
    args = tyro.extras.subcommand_cli_from_dict(
        {name: spec for name, (spec, _) in COMMANDS.items()}, args=argv
    )
    for spec, run in COMMANDS.values():
        if isinstance(args, spec):
            run(args)
            return
