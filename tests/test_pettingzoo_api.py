"""PettingZoo's own checkers on every scenario x human control, plus a long determinism test."""

import functools
import types

import numpy as np
import pytest
from pettingzoo.test import (
    api_test,
    max_cycles_test,
    parallel_api_test,
    render_test,
    seed_test,
    state_test,
)

from helpers import CASES, MODULES, random_actions


@pytest.mark.parametrize(("scenario", "control"), CASES)
def test_aec_api(scenario, control):
    api_test(MODULES[scenario].env(human_control=control), num_cycles=300)


@pytest.mark.parametrize(("scenario", "control"), CASES)
def test_parallel_api(scenario, control):
    parallel_api_test(MODULES[scenario].parallel_env(human_control=control), num_cycles=300)


@pytest.mark.parametrize(("scenario", "control"), CASES)
def test_seed(scenario, control):
    seed_test(functools.partial(MODULES[scenario].env, human_control=control), num_cycles=300)


@pytest.mark.parametrize(("scenario", "control"), CASES)
def test_max_cycles(scenario, control):
    mod = MODULES[scenario]
    max_cycles_test(
        types.SimpleNamespace(
            parallel_env=functools.partial(mod.parallel_env, human_control=control),
            env=functools.partial(mod.env, human_control=control),
        )
    )


@pytest.mark.parametrize(("scenario", "control"), CASES)
def test_render(scenario, control):
    render_test(functools.partial(MODULES[scenario].env, human_control=control))


@pytest.mark.parametrize(("scenario", "control"), CASES)
def test_state(scenario, control):
    mod = MODULES[scenario]
    state_test(mod.env(human_control=control), mod.parallel_env(human_control=control))


def _trajectory(scenario, control, seed, steps=250):
    """Everything a step returns, over ``steps`` steps that cross an episode boundary."""
    env = MODULES[scenario].parallel_env(human_control=control, max_cycles=120)
    action_rng = np.random.default_rng(1234)
    observations, infos = env.reset(seed=seed)
    record = [observations, infos]
    for _ in range(steps):
        if not env.agents:
            record.append(env.reset())  # unseeded: the env's Generator continues
        step = env.step(random_actions(env, action_rng))
        record.append(step)
        record.append(env.state())
    return record


def _flatten(record) -> list[np.ndarray]:
    out = []
    if isinstance(record, dict):
        for key in sorted(record):
            out += _flatten(record[key])
    elif isinstance(record, list | tuple):
        for item in record:
            out += _flatten(item)
    else:
        out.append(np.asarray(record))
    return out


@pytest.mark.parametrize(("scenario", "control"), CASES)
def test_same_seed_same_trajectory_over_250_steps(scenario, control):
    """pettingzoo 1.27's parallel_seed_test compares one step only; this compares 250."""
    a = _flatten(_trajectory(scenario, control, seed=42))
    b = _flatten(_trajectory(scenario, control, seed=42))
    c = _flatten(_trajectory(scenario, control, seed=43))
    assert len(a) == len(b)
    for x, y in zip(a, b, strict=True):
        np.testing.assert_array_equal(x, y)
    assert len(a) != len(c) or any(
        x.shape != y.shape or not np.array_equal(x, y) for x, y in zip(a, c, strict=True)
    ), "a different seed gave the same trajectory"
