"""Every scenario module in this package, found by name: adding a scenario is adding a module.

Each module (other than ``base``) defines one :class:`Scenario` subclass and names it
``SCENARIO``; everything else (Gymnasium and PettingZoo ids, version modules, policies)
is derived from these. Each is checked against the contract (``base.check_contract``)
as it is found, so a module that breaks it fails on import, naming what it lacks.
"""

from __future__ import annotations

import importlib
import pkgutil

from empathy_gym.envs.scenarios.base import Scenario, ScenarioConfig, check_contract


def _discover() -> dict[str, type[Scenario]]:
    found = {}
    for module in sorted(m.name for m in pkgutil.iter_modules(__path__)):
        if module == "base" or module.startswith("_"):
            continue
        cls = getattr(importlib.import_module(f"{__name__}.{module}"), "SCENARIO", None)
        if cls is None:
            raise ValueError(f"{__name__}.{module} defines no SCENARIO (its Scenario subclass)")
        check_contract(cls)
        found[cls.name] = cls
    return found


SCENARIOS: dict[str, type[Scenario]] = _discover()


def scenario_class(name: str) -> type[Scenario]:
    if name not in SCENARIOS:
        raise ValueError(f"scenario {name!r} is unknown; use one of {sorted(SCENARIOS)}")
    return SCENARIOS[name]


def make_scenario(name: str, **kwargs) -> Scenario:
    """Build a scenario by name from keyword arguments, with errors that name the argument."""
    cls = scenario_class(name)
    return cls(cls.config_class.from_kwargs(**kwargs))


__all__ = ["SCENARIOS", "Scenario", "ScenarioConfig", "make_scenario", "scenario_class"]
