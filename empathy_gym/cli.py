"""The ``empathy-gym`` command (also ``python -m empathy_gym``)."""

from __future__ import annotations

import sys

import tyro

from empathy_gym.train.demo import DemoArgs
from empathy_gym.train.demo import main as demo_main

COMMANDS = {"demo": (DemoArgs, demo_main)}


def main(argv: list[str] | None = None) -> None:
    args = tyro.extras.subcommand_cli_from_dict(
        {name: spec for name, (spec, _) in COMMANDS.items()}, args=argv
    )
    run = next(run for spec, run in COMMANDS.values() if isinstance(args, spec))
    try:
        run(args)
    except ValueError as err:  # bad arguments: say which and why, without a traceback
        print(f"empathy-gym: error: {err}", file=sys.stderr)
        sys.exit(2)
