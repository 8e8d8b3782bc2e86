"""One module per scenario; this maps scenario names to their config and rules classes."""

from empathy_gym.envs.scenarios.base import Scenario, ScenarioConfig
from empathy_gym.envs.scenarios.comfort import Comfort, ComfortConfig
from empathy_gym.envs.scenarios.dilemma import Dilemma, DilemmaConfig
from empathy_gym.envs.scenarios.fetch import Fetch, FetchConfig

SCENARIOS: dict[str, tuple[type[ScenarioConfig], type[Scenario]]] = {
    "fetch": (FetchConfig, Fetch),
    "comfort": (ComfortConfig, Comfort),
    "dilemma": (DilemmaConfig, Dilemma),
}


def make_scenario(name: str, **kwargs) -> Scenario:
    """Build a scenario by name from keyword arguments, with errors that name the argument."""
    if name not in SCENARIOS:
        raise ValueError(f"scenario {name!r} is unknown; use one of {sorted(SCENARIOS)}")
    config_cls, scenario_cls = SCENARIOS[name]
    return scenario_cls(config_cls.from_kwargs(**kwargs))
