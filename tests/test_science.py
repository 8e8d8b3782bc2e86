"""The humans' model does what docs/design.md says, and the hidden truth stays hidden."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from empathy_gym.envs.core.affect import appraise, express, update_affect
from empathy_gym.envs.core.population import (
    HELD_OUT_AXES,
    N_TRAITS,
    PROFILES,
    TRAIT,
    TRAIT_BOUNDS,
    TRAIT_NAMES,
    AffectModel,
)
from empathy_gym.envs.core.spec import FlatSpec
from empathy_gym.envs.core.world import HIDDEN_FIELDS, N_EVENTS, World, allocate_world
from empathy_gym.envs.info import TRUTH_PREFIX, truth_of
from empathy_gym.envs.parallel import ASSISTANT
from empathy_gym.envs.scenarios.base import noise_fields
from helpers import CASES, MODULES, SCENARIO_NAMES, random_actions

PARAMS = AffectModel().params()
BOUNDS = np.array(list(TRAIT_BOUNDS.values()))
MEMBER_0 = np.array([0])


def _noise(n_humans: int) -> FlatSpec:
    return FlatSpec("ScienceTestNoise", noise_fields(n_humans))


def _world(n_humans: int, traits: np.ndarray, valence, positions) -> World:
    world = allocate_world(1, n_humans, (1, 1))
    world.traits[0] = traits
    world.affect[0, :, 0] = valence
    world.affect[0, :, 1] = 0.2
    world.pos[0, 1:] = positions
    return world


def _step_affect(world: World, utility: np.ndarray, noise_row: np.ndarray) -> None:
    n = world.goal.shape[1]
    update_affect(world, PARAMS, utility[None, :])
    express(world, PARAMS, noise_row[None, : _noise(n).size], MEMBER_0, _noise(n).offsets)


@settings(max_examples=150, deadline=None)
@given(
    events=arrays(np.float64, (25, 3, N_EVENTS), elements=st.floats(-100, 100)),
    unit_traits=arrays(np.float64, (3, N_TRAITS), elements=st.floats(0, 1)),
    start=arrays(np.float64, 3, elements=st.floats(-1, 1)),
    cells=arrays(np.int64, (3, 2), elements=st.integers(1, 6)),
    noise=arrays(np.float64, (25, 9), elements=st.floats(0, 0.999999)),
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


def test_customers_walk_their_route_toward_the_item_they_want():
    """Moves go toward the current target of the goal's route, far more often than not."""
    env = MODULES["fetch"].parallel_env(n_humans=1, max_cycles=40)
    layout = env.scenario.layout
    toward, moves, reached = 0, 0, 0
    for seed in range(40):
        env.reset(seed=seed)
        goal = int(env.world.goal[0, 0])
        while env.agents:
            target = layout.routes[goal, env.world.stage[0, 0]]
            before = tuple(env.world.pos[0, 1])
            env.step({ASSISTANT: 0})
            after = tuple(env.world.pos[0, 1])
            if after != before:
                moves += 1
                toward += layout.dist[target][after] < layout.dist[target][before]
        reached += tuple(env.world.pos[0, 1]) == tuple(layout.targets[layout.routes[goal, -1]])
    assert toward / moves > 0.85, f"only {toward}/{moves} moves went toward the target"
    assert reached / 40 > 0.85  # at the window of the wanted item by the end


def _contagion_run(partner_valence: float, partner_cell) -> float:
    """A calm human (valence at baseline 0.3) next to a partner; the calm one's valence after."""
    traits = np.tile(PROFILES["default"].sample(np.random.default_rng(0), 1), (2, 1))
    traits[:, TRAIT.baseline_valence] = 0.3
    traits[:, TRAIT.susceptibility] = 0.3
    traits[0, TRAIT.decay] = 0.0  # the partner stays as they are
    world = _world(2, traits, [partner_valence, 0.3], [partner_cell, (1, 1)])
    for _ in range(10):
        _step_affect(world, np.zeros(2), np.full(6, 0.5))
    return float(world.affect[0, 1, 0])


def test_contagion_spreads_distress_only_from_a_distressed_human_nearby():
    near, far = (1, 2), (1, 9)
    assert _contagion_run(-0.9, near) < 0.3 - 0.15  # distressed and near: distress spreads
    assert _contagion_run(-0.9, far) == pytest.approx(0.3, abs=1e-12)  # beyond the radius
    assert _contagion_run(0.3, near) == pytest.approx(0.3, abs=1e-12)  # near but calm


def _expression_valence_correlation(profile: str, n: int = 4000) -> float:
    rng = np.random.default_rng(1)
    valence = rng.uniform(-1, 1, n)
    world = allocate_world(1, n, (1, 1))
    world.traits[0] = PROFILES[profile].sample(rng, n)
    world.affect[0, :, 0] = valence
    world.affect[0, :, 1] = rng.uniform(0, 1, n)
    noise = _noise(n)
    express(world, PARAMS, rng.random((1, noise.size)), MEMBER_0, noise.offsets)
    return float(np.corrcoef(world.expression[0, :, 0], valence)[0, 1])


def test_masking_faces_say_nothing_while_default_faces_say_much():
    default = _expression_valence_correlation("default")
    assert default > 0.5  # one face is a cue, a noisy one: the filter is worth having
    assert abs(_expression_valence_correlation("masking")) < 0.05
    assert _expression_valence_correlation("stoic") < default
    assert _expression_valence_correlation("pedagogic") > default + 0.1


def test_each_held_out_profile_differs_from_default_in_exactly_the_trait_it_names():
    default = PROFILES["default"]
    assert set(PROFILES) == {"default", *HELD_OUT_AXES}
    for name, change in HELD_OUT_AXES.items():
        profile = PROFILES[name]
        differs = {t for t in TRAIT_NAMES if getattr(profile, t) != getattr(default, t)}
        assert differs == set(change), f"{name} changes {differs}, not just {set(change)}"
    assert PROFILES["gloomy"].baseline_valence[0] < default.baseline_valence[0]
    assert PROFILES["pedagogic"].expressivity[0] > default.expressivity[0]


@pytest.mark.parametrize("profile", ["masking", "stoic", "pedagogic"])
def test_a_face_profile_changes_the_faces_and_nothing_else(profile):
    """Masking (or showing more or less) changes what is seen, not what people feel or do:
    with the same seed, the hidden affect and every move are those of the default population."""
    runs = {}
    for population in ("default", profile):
        env = MODULES["comfort"].parallel_env(population=population, max_cycles=150)
        env.reset(seed=5)
        record = []
        while env.agents:
            env.step({ASSISTANT: 0})
            record.append(
                (env.world.affect.copy(), env.world.pos.copy(), env.world.expression.copy())
            )
        runs[population] = record
    faces_differ = False
    for (affect, pos, face), (affect2, pos2, face2) in zip(*runs.values(), strict=True):
        np.testing.assert_array_equal(affect, affect2)
        np.testing.assert_array_equal(pos, pos2)
        faces_differ |= not np.array_equal(face, face2)
    assert faces_differ


def _hidden_arrays(env) -> dict:
    """Every hidden per-human array of the env: the world's and the scenario's own."""
    arrays = {name: getattr(env.world, name) for name in HIDDEN_FIELDS}
    arrays |= {name: getattr(env.scenario_state, name) for name in env.scenario.hidden_state}
    return arrays


def _observe_perturbed(env, rng, humans) -> tuple[np.ndarray, np.ndarray]:
    """Observations after replacing the hidden state of ``humans`` by other valid values.

    The env's arrays are restored afterwards.
    """
    saved = [a.copy() for a in (*env.world, *env.scenario_state)]
    sc = env.scenario
    for name, field in _hidden_arrays(env).items():
        shape = field[0, humans].shape
        if field.dtype == np.bool_:
            field[0, humans] = rng.random(shape) < 0.5
        elif name == "goal":
            field[0, humans] = rng.integers(sc.n_goals, size=shape)
        elif name == "stage":
            field[0, humans] = rng.integers(sc.layout.routes.shape[1], size=shape)
        else:
            field[0, humans] = rng.uniform(-1, 1, shape)
    env.sim.observe([0])
    observed = env.world.obs_assistant.copy(), env.world.obs_humans.copy()
    for array, value in zip((*env.world, *env.scenario_state), saved, strict=True):
        array[...] = value
    return observed


@pytest.mark.parametrize(("scenario", "control"), CASES)
def test_ground_truth_never_enters_an_observation(scenario, control):
    """Counterfactual: change the hidden state, keep what is visible; observations must not move.

    The assistant's observation must not change when any human's hidden state changes
    (the world's hidden fields and the scenario's own, such as comfort's worries), and a
    human's must not change when another human's hidden state changes.
    """
    env = MODULES[scenario].parallel_env(human_control=control)
    env.reset(seed=3)
    rng = np.random.default_rng(0)
    n = env.scenario.n_humans
    for _ in range(40):
        env.step(random_actions(env, rng))
        assistant, humans = _observe_perturbed(env, rng, [])
        np.testing.assert_array_equal(assistant, env.world.obs_assistant)
        np.testing.assert_array_equal(humans, env.world.obs_humans)  # observe() is faithful
        everyone, _ = _observe_perturbed(env, rng, slice(None))
        np.testing.assert_array_equal(everyone, env.world.obs_assistant)
        for j in range(n):
            _, one = _observe_perturbed(env, rng, [j])
            others = [i for i in range(n) if i != j]
            np.testing.assert_array_equal(one[0, others], env.world.obs_humans[0, others])
    own_changed = _observe_perturbed(env, rng, [0])[1][0, 0]
    if control == "external":  # a human sees its own (humans observe only when agents)
        assert not np.array_equal(own_changed, env.world.obs_humans[0, 0])
    else:
        assert not env.world.obs_humans.any()
    _, infos = env.reset(seed=3)
    truth = truth_of(infos[ASSISTANT])
    assert set(truth) >= {"valence", "arousal", "goal", "stage"}
    assert set(env.scenario.hidden_state) <= set(truth)
    assert not any(k.startswith(TRUTH_PREFIX) for a in env.agents[1:] for k in infos[a])


@pytest.mark.parametrize("scenario", SCENARIO_NAMES)
def test_observation_names_match_the_observation(scenario):
    env = MODULES[scenario].parallel_env(human_control="external")
    sc = env.scenario
    obs, _ = env.reset(seed=0)
    for agent, spec in ((ASSISTANT, sc.assistant_spec), ("human_0", sc.human_spec)):
        names = spec.names()
        assert len(names) == env.observation_space(agent).shape[0] == len(set(names))
    names = sc.assistant_spec.names()
    expression = obs[ASSISTANT][names.index("human_0_expr_valence")]
    assert expression == np.float32(env.world.expression[0, 0, 0])
    human = sc.human_spec.names()
    assert obs["human_0"][human.index("affect_valence")] == np.float32(env.world.affect[0, 0, 0])
    assert obs["human_0"][human.index(f"goal_{env.world.goal[0, 0]}")] == 1.0
