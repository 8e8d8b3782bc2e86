"""Scenario names -> Gymnasium and PettingZoo ids. Runs on ``import empathy_gym``."""

from __future__ import annotations

import gymnasium
import pettingzoo

from empathy_gym.envs.scenarios import SCENARIOS

GYM_IDS = {name: f"empathy_gym/{name.capitalize()}-v0" for name in SCENARIOS}
PETTINGZOO_IDS = {name: f"empathy_gym/{name}_v0" for name in SCENARIOS}


def register_all() -> None:
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
            pettingzoo.register("parallel", pz_id, f"empathy_gym.envs.{name}_v0:parallel_env")
        if pz_id not in pettingzoo.aec_registry:
            pettingzoo.register("aec", pz_id, f"empathy_gym.envs.{name}_v0:env")
