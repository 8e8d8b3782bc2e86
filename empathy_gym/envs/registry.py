"""Scenario names -> Gymnasium ids, PettingZoo ids and version modules. Runs on import.

Everything here is derived from the scenario modules (``envs/scenarios``): each scenario
``name`` at ``version`` N is registered as the Gymnasium id ``empathy_gym/Name-vN`` (the
assistant's single-agent view, with the native batch as ``vector_entry_point``) and the
PettingZoo id ``empathy_gym/name_vN``, and gets a PettingZoo-style version module
``empathy_gym.envs.name_vN`` with ``parallel_env``, ``env`` and ``raw_env``, whose
docstring is the scenario module's.
"""

from __future__ import annotations

import sys
import types

import gymnasium
import pettingzoo

import empathy_gym.envs
from empathy_gym.envs.parallel import version_factories
from empathy_gym.envs.scenarios import SCENARIOS


def _versioned(name: str) -> str:
    return f"{name}_v{SCENARIOS[name].version}"


GYM_IDS = {
    name: f"empathy_gym/{name.capitalize()}-v{cls.version}" for name, cls in SCENARIOS.items()
}
PETTINGZOO_IDS = {name: f"empathy_gym/{_versioned(name)}" for name in SCENARIOS}
VERSION_MODULES = {name: f"empathy_gym.envs.{_versioned(name)}" for name in SCENARIOS}


def _version_module(name: str) -> types.ModuleType:
    module = types.ModuleType(
        VERSION_MODULES[name], sys.modules[SCENARIOS[name].__module__].__doc__
    )
    module.parallel_env, module.env, module.raw_env = version_factories(name)
    return module


def register_all() -> None:
    for name, module_name in VERSION_MODULES.items():
        if module_name not in sys.modules:
            sys.modules[module_name] = _version_module(name)
            setattr(empathy_gym.envs, module_name.rsplit(".", 1)[1], sys.modules[module_name])
    for name, gym_id in GYM_IDS.items():
        if gym_id not in gymnasium.registry:
            gymnasium.register(
                gym_id,
                entry_point="empathy_gym.envs.single:AssistantEnv",
                vector_entry_point="empathy_gym.envs.vector:AssistantVectorEnv",
                kwargs={"scenario": name},
            )
    for name, pz_id in PETTINGZOO_IDS.items():
        if pz_id not in pettingzoo.parallel_registry:
            pettingzoo.register("parallel", pz_id, f"{VERSION_MODULES[name]}:parallel_env")
        if pz_id not in pettingzoo.aec_registry:
            pettingzoo.register("aec", pz_id, f"{VERSION_MODULES[name]}:env")
