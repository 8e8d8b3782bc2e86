"""empathy-gym: multi-agent gridworlds where simulated humans carry hidden affect.

``import empathy_gym`` registers the Gymnasium ids ``empathy_gym/Fetch-v2``,
``empathy_gym/Comfort-v2`` and ``empathy_gym/Dilemma-v2``, the matching PettingZoo ids
``empathy_gym/fetch_v2`` etc., and the version modules ``empathy_gym.envs.fetch_v2`` etc.
(all derived from the scenario modules in ``empathy_gym/envs/scenarios``).
"""

from empathy_gym.envs.core.population import (
    PROFILES,
    TRAIT_NAMES,
    AffectModel,
    PopulationProfile,
)
from empathy_gym.envs.core.world import ACTION_NAMES, COMPONENT_NAMES, EVENT_NAMES
from empathy_gym.envs.registry import GYM_IDS, PETTINGZOO_IDS, register_all
from empathy_gym.envs.scenarios import SCENARIOS

__version__ = "0.1.0"
__all__ = [
    "ACTION_NAMES",
    "COMPONENT_NAMES",
    "EVENT_NAMES",
    "GYM_IDS",
    "PETTINGZOO_IDS",
    "PROFILES",
    "SCENARIOS",
    "TRAIT_NAMES",
    "AffectModel",
    "PopulationProfile",
]

register_all()
