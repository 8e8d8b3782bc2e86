"""Train an assistant with the ``cirl`` command's reward (see ``--help``)."""

import tyro

from empathy_gym.errors import run_script
from empathy_gym.train.runner import CirlArgs, run_training


def main() -> None:
    args = tyro.cli(CirlArgs)
    run_script(lambda: run_training(args))


if __name__ == "__main__":
    main()
