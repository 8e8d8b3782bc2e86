"""Train an assistant under the ``cirl`` condition (see ``--help``)."""

import tyro

from empathy_gym.train.runner import CirlArgs, run_training
from empathy_gym.train.script import run_script


def main() -> None:
    args = tyro.cli(CirlArgs)
    run_script(lambda: run_training(args))


if __name__ == "__main__":
    main()
