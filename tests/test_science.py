"""The humans' model does what DESIGN.md says, and the hidden truth stays hidden."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from empathy_gym.envs.core.affect import appraise, express, update_affect
from empathy_gym.envs.core.population import (
    BASELINE_VALENCE,
    DECAY,
    EXPRESSIVITY,
    N_TRAITS,
    PROFILES,
    SUSCEPTIBILITY,
    TRAIT_BOUNDS,
    AffectModel,
)
from empathy_gym.envs.core.step import observe
from empathy_gym.envs.core.world import (
    HIDDEN_FIELDS,
    N_EVENTS,
    NOISE_PER_HUMAN,
    World,
    allocate_world,
    assistant_observation_names,
)
from empathy_gym.envs.parallel import ASSISTANT
from helpers import CASES, MODULES, random_actions

PARAMS = AffectModel().as_array()
BOUNDS = np.array(list(TRAIT_BOUNDS.values()))
MEMBER_0 = np.array([0])


def _world(n_humans: int, traits: np.ndarray, valence, positions) -> World:
    world = allocate_world(1, n_humans, 0, (1, 1))
    world.traits[0] = traits
    world.affect[0, :, 0] = valence
    world.affect[0, :, 1] = 0.2
    world.pos[0, 1:] = positions
    return world


def _step_affect(world: World, utility: np.ndarray, noise_row: np.ndarray) -> None:
    update_affect(world, PARAMS, utility[None, :])
    express(world, PARAMS, noise_row[None, :], MEMBER_0)


@settings(max_examples=150, deadline=None)
@given(
    events=arrays(np.float64, (25, 3, N_EVENTS), elements=st.floats(-100, 100)),
    unit_traits=arrays(np.float64, (3, N_TRAITS), elements=st.floats(0, 1)),
    start=arrays(np.float64, 3, elements=st.floats(-1, 1)),
    cells=arrays(np.int64, (3, 2), elements=st.integers(1, 6)),
    noise=arrays(np.float64, (25, 3 * NOISE_PER_HUMAN), elements=st.floats(0, 0.999999)),
)
def test_affect_stays_finite_and_in_bounds(events, unit_traits, start, cells, noise):
    traits = BOUNDS[:, 0] + unit_traits * (BOUNDS[:, 1] - BOUNDS[:, 0])
    world = _world(3, traits, start, cells)
    for step in range(len(events)):
        world.events[0] = events[step]
        utility = np.array([appraise(world.events, 0, i, PARAMS) for i in range(3)])
        _step_affect(world, utility, noise[step])
        assert np.isfinite(world.affect).all() and np.isfinite(world.expression).all()
        assert (np.abs(world.affect[0, :, 0]) <= 1).all()
        assert ((world.affect[0, :, 1] >= 0) & (world.affect[0, :, 1] <= 1)).all()
        assert (np.abs(world.expression[0, :, 0]) <= 1).all()
        assert ((world.expression[0, :, 1] >= 0) & (world.expression[0, :, 1] <= 1)).all()


def test_human_walks_toward_the_item_they_want_far_more_than_chance():
    env = MODULES["fetch"].parallel_env(n_humans=1, max_cycles=14)
    layout = env.scenario.layout
    toward, moves, nearest_is_goal, episodes = 0, 0, 0, 60
    for seed in range(episodes):
        _, infos = env.reset(seed=seed)
        goal = int(infos[ASSISTANT]["eval_truth"]["goal"][0])
        while env.agents:
            before = tuple(env.world.pos[0, 1])
            env.step({ASSISTANT: 0})
            after = tuple(env.world.pos[0, 1])
            if after != before and layout.dist[goal][before] > 0:
                moves += 1
                toward += layout.dist[goal][after] < layout.dist[goal][before]
        nearest_is_goal += int(np.argmin(layout.dist[:, after[0], after[1]]) == goal)
    chance = 1 / env.scenario.n_goals
    assert toward / moves > 0.85, f"only {toward}/{moves} moves went toward the wanted item"
    assert nearest_is_goal / episodes > 0.85 > 3 * chance


def _contagion_run(partner_valence: float, partner_cell) -> float:
    """A calm human (valence at baseline 0.3) next to a partner; the calm one's valence after."""
    traits = np.tile(PROFILES["default"].sample(np.random.default_rng(0), 1), (2, 1))
    traits[:, BASELINE_VALENCE] = 0.3
    traits[:, SUSCEPTIBILITY] = 0.3
    traits[:, EXPRESSIVITY] = 0.9
    traits[0, DECAY] = 0.0  # the partner stays as they are
    world = _world(2, traits, [partner_valence, 0.3], [partner_cell, (1, 1)])
    for _ in range(10):
        _step_affect(world, np.zeros(2), np.full(2 * NOISE_PER_HUMAN, 0.5))
    return float(world.affect[0, 1, 0])


def test_contagion_spreads_distress_only_from_a_distressed_human_nearby():
    near, far = (1, 2), (1, 9)
    assert _contagion_run(-0.9, near) < 0.3 - 0.15  # distressed and near: distress spreads
    assert _contagion_run(-0.9, far) == pytest.approx(0.3, abs=1e-12)  # beyond the radius
    assert _contagion_run(0.3, near) == pytest.approx(0.3, abs=1e-12)  # near but calm


def _expression_valence_correlation(profile: str, n: int = 4000) -> float:
    rng = np.random.default_rng(1)
    valence = rng.uniform(-1, 1, n)
    world = allocate_world(1, n, 0, (1, 1))
    world.traits[0] = PROFILES[profile].sample(rng, n)
    world.affect[0, :, 0] = valence
    world.affect[0, :, 1] = rng.uniform(0, 1, n)
    express(world, PARAMS, rng.random((1, n * NOISE_PER_HUMAN)), MEMBER_0)
    return float(np.corrcoef(world.expression[0, :, 0], valence)[0, 1])


def test_masking_faces_say_nothing_while_default_faces_say_much():
    assert _expression_valence_correlation("default") > 0.8
    assert abs(_expression_valence_correlation("masking")) < 0.05
    assert _expression_valence_correlation("stoic") < _expression_valence_correlation("default")


def _perturb_hidden(world: World, rng, humans) -> World:
    """A copy of the world with the hidden fields of ``humans`` replaced by random values."""
    copy = World(*[a.copy() for a in world])
    for name in HIDDEN_FIELDS:
        field = getattr(copy, name)
        values = field[0, humans]
        if field.dtype == np.bool_:
            values = rng.random(values.shape) < 0.5
        elif field.dtype == np.int64:
            values = rng.integers(0, world.goal.max() + 2, values.shape)
        else:
            values = rng.uniform(-1, 1, values.shape)
        field[0, humans] = values
    return copy


@pytest.mark.parametrize(("scenario", "control"), CASES)
def test_ground_truth_never_enters_an_observation(scenario, control):
    """Counterfactual: change the hidden state, keep what is visible; observations must not move.

    The assistant's observation must not change when any human's hidden state changes, and
    a human's must not change when another human's hidden state changes.
    """
    env = MODULES[scenario].parallel_env(human_control=control)
    env.reset(seed=3)
    rng = np.random.default_rng(0)
    layout, max_cycles, n = env.scenario.layout, env.max_cycles, env.scenario.n_humans
    for _ in range(40):
        env.step(random_actions(env, rng))
        base = World(*[a.copy() for a in env.world])
        observe(base, layout, max_cycles, MEMBER_0)
        everyone = _perturb_hidden(base, rng, slice(None))
        observe(everyone, layout, max_cycles, MEMBER_0)
        np.testing.assert_array_equal(base.obs_assistant, everyone.obs_assistant)
        assert not np.array_equal(base.affect, everyone.affect)
        for j in range(n):
            one = _perturb_hidden(base, rng, [j])
            observe(one, layout, max_cycles, MEMBER_0)
            others = [i for i in range(n) if i != j]
            np.testing.assert_array_equal(base.obs_humans[0, others], one.obs_humans[0, others])
    _, infos = env.reset(seed=3)
    assert set(infos[ASSISTANT]["eval_truth"]) >= {"valence", "arousal", "goal"}


@pytest.mark.parametrize("scenario", ["fetch", "comfort", "dilemma"])
def test_observation_names_match_the_observation(scenario):
    env = MODULES[scenario].parallel_env()
    sc = env.scenario
    names = assistant_observation_names(sc.n_humans, sc.n_items, sc.n_objects)
    assert len(names) == env.observation_space(ASSISTANT).shape[0] == len(set(names))
    obs, _ = env.reset(seed=0)
    expression = obs[ASSISTANT][names.index("human_0_expr_valence")]
    assert expression == np.float32(env.world.expression[0, 0, 0])
