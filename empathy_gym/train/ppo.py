"""Train an assistant with the ``ppo`` command's reward (see ``--help``)."""

import tyro

from empathy_gym.errors import run_script
from empathy_gym.train.runner import PpoArgs, run_training


def main() -> None:
    args = tyro.cli(PpoArgs)
    run_script(lambda: run_training(args))


if __name__ == "__main__":
    main()
