"""Shared test helpers."""

from __future__ import annotations

import importlib
import traceback

import numpy as np
import pytest

import empathy_gym.registry

MODULES = {
    name: importlib.import_module(module)
    for name, module in empathy_gym.registry.VERSION_MODULES.items()
}
"""The PettingZoo version module of every scenario, found the way users import them."""
SCENARIO_NAMES = list(MODULES)
CONTROLS = ["model", "external"]
CASES = [(s, c) for s in SCENARIO_NAMES for c in CONTROLS]


def random_actions(env, rng: np.random.Generator) -> dict:
    return {a: int(rng.integers(env.action_space(a).n)) for a in env.agents}


def assert_clean_error(call, match: str, error=ValueError) -> str:
    """``call`` raises ``error`` matching ``match``, raised from our code, not inside numba."""
    with pytest.raises(error, match=match) as info:
        call()
    frames = traceback.extract_tb(info.value.__traceback__)
    assert not any("numba" in f.filename for f in frames), "error raised from inside numba"
    return str(info.value)
