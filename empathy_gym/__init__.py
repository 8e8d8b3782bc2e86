"""empathy-gym: multi-agent gridworlds where simulated humans carry hidden affect.

``import empathy_gym`` registers the Gymnasium ids ``empathy_gym/Fetch-v0``,
``empathy_gym/Comfort-v0`` and ``empathy_gym/Dilemma-v0`` and the matching PettingZoo ids
``empathy_gym/fetch_v0`` etc.
"""

from empathy_gym.envs.core.population import (
    PROFILES,
    TRAIT_NAMES,
    AffectModel,
    PopulationProfile,
)
from empathy_gym.envs.core.world import (
    ACTION_NAMES,
    COMPONENT_NAMES,
    EVENT_NAMES,
    assistant_observation_names,
)
from empathy_gym.envs.scenarios import SCENARIOS
from empathy_gym.registry import GYM_IDS, PETTINGZOO_IDS, register_all

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
    "assistant_observation_names",
]

register_all()
