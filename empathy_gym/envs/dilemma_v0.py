"""PettingZoo version module of dilemma; the scenario module's docstring is its documentation."""

from empathy_gym.envs.parallel import version_factories
from empathy_gym.envs.scenarios.dilemma import __doc__  # noqa: F401

parallel_env, env, raw_env = version_factories("dilemma")
