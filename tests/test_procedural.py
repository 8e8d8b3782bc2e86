"""Procedural layouts: maps drawn from the reset seed that keep each scenario's invariants."""

import numpy as np
import pytest
from pettingzoo.test import parallel_api_test

from empathy_gym.envs.core.layout import UNREACHABLE, distance_field
from empathy_gym.envs.parallel import ASSISTANT
from empathy_gym.envs.scenarios import Scenario, make_scenario, scenario_class
from empathy_gym.envs.single import AssistantEnv
from empathy_gym.envs.vector import AssistantVectorEnv
from helpers import MODULES, SCENARIO_NAMES, assert_clean_error

SEEDS = range(200)
MANY = {"fetch": 8, "comfort": 8, "dilemma": 4}
"""The most people each scenario's procedural maps must hold (others: 2)."""


PROCEDURAL = [
    name
    for name in SCENARIO_NAMES
    if scenario_class(name).procedural_map is not Scenario.procedural_map
]


def _task_cells(scenario) -> np.ndarray:
    """Where the assistant must be able to get to earn its task reward (by default, a new
    scenario's: every floor cell, a connected floor)."""
    rules = scenario.rules
    if scenario.name == "fetch":  # the counter splits kitchen from shop floor
        shelves = np.argwhere(rules.shelf_item >= 0)
        return np.concatenate([shelves, np.argwhere(rules.serves_window >= 0)])
    return np.argwhere(scenario.layout.walkable)


def test_the_shipped_scenarios_have_procedural_layouts():
    assert {"fetch", "comfort", "dilemma"} <= set(PROCEDURAL)


@pytest.mark.parametrize("name", PROCEDURAL)
@pytest.mark.parametrize("size", [None, 20])
def test_every_seed_gives_a_map_that_keeps_the_invariants(name, size):
    fixed = make_scenario(name)
    scenario = make_scenario(name, layout="procedural", size=size)
    many = make_scenario(name, layout="procedural", size=size, n_humans=MANY.get(name, 2))
    maps = set()
    for seed in SEEDS:
        for sc in (scenario, many):
            sc.new_map(np.random.default_rng(seed))
            layout = sc.layout
            assert layout.walkable.shape == (sc.size, sc.size)
            assert len(layout.routes) == fixed.n_goals  # the fixed map's goals: same obs layout
            assert layout.reach.all()  # every goal from every spawn
            assert len(layout.human_spawns) >= sc.n_humans
            walkable = layout.walkable
            start = tuple(layout.assistant_spawns[0])
            for cell in _task_cells(sc):
                assert np.isfinite(_steps(walkable, start, tuple(cell)))
        assert scenario.obs_sizes == fixed.obs_sizes
        maps.add(scenario.procedural_map(np.random.default_rng(seed), scenario.size))
    assert len(maps) >= len(SEEDS) // 2  # varied (dilemma's ring has few degrees of freedom)
    print(
        f"\n{name} size {scenario.size}: {len(SEEDS)} seeds x 2 crowds, invariants hold;"
        f" {len(maps)} distinct maps"
    )


def _steps(walkable: np.ndarray, start, goal) -> float:
    distance = distance_field(walkable, np.array(goal))[start]
    return np.inf if distance >= UNREACHABLE else distance


@pytest.mark.parametrize("name", PROCEDURAL)
def test_the_same_seed_gives_the_same_map_and_episode(name):
    def play(seed):
        env = MODULES[name].parallel_env(layout="procedural", max_cycles=30)
        env.reset(seed=seed)
        grid = env.scenario.ascii_map.grid.copy()
        rng = np.random.default_rng(0)
        positions = []
        for _ in range(30):
            env.step({ASSISTANT: int(rng.integers(6))})
            positions.append(env.world.pos[0].copy())
        return grid, np.stack(positions)

    grid, positions = play(11)
    again_grid, again_positions = play(11)
    np.testing.assert_array_equal(grid, again_grid)
    np.testing.assert_array_equal(positions, again_positions)
    assert not np.array_equal(grid, play(12)[0])


def test_a_reset_draws_a_new_map():
    env = MODULES["comfort"].parallel_env(layout="procedural")
    env.reset(seed=0)
    first = env.scenario.ascii_map.grid.copy()
    env.reset()
    assert not np.array_equal(first, env.scenario.ascii_map.grid)


@pytest.mark.parametrize("name", PROCEDURAL)
def test_each_vector_member_plays_the_map_and_episode_of_a_single_env(name):
    """Member i of a batch seeded s plays the map and trajectory of a single env seeded
    s + i, across autoresets (each with a new map)."""
    n, seed, max_cycles = 3, 5, 15
    kwargs = {"layout": "procedural", "max_cycles": max_cycles}
    vec = AssistantVectorEnv(name, num_envs=n, **kwargs)
    singles = [AssistantEnv(name, **kwargs) for _ in range(n)]
    vec_obs, _ = vec.reset(seed=seed)
    np.testing.assert_array_equal(
        vec_obs, [e.reset(seed=seed + i)[0] for i, e in enumerate(singles)]
    )
    rng = np.random.default_rng(0)
    maps = set()
    for _ in range(2 * max_cycles + 4):
        actions = rng.integers(6, size=n)
        vec_obs, vec_rewards, _, vec_truncated, infos = vec.step(actions)
        for i, env in enumerate(singles):
            obs, reward, _, truncated, _ = env.step(int(actions[i]))
            assert reward == vec_rewards[i] and truncated == vec_truncated[i]
            if truncated:
                np.testing.assert_array_equal(obs, infos["final_obs"][i])
                obs, _ = env.reset()  # the member's Generator draws its next map
            np.testing.assert_array_equal(obs, vec_obs[i])
            grid = vec.sim.scenario_of(i).ascii_map.grid
            np.testing.assert_array_equal(grid, env.par.scenario.ascii_map.grid)
            maps.add(grid.tobytes())
    assert len(maps) >= 2 * n  # a map per member, and new ones at the autoresets


@pytest.mark.parametrize("name", ["fetch", "comfort"])
def test_eight_people_pass_the_parallel_api_test(name):
    for control in ("model", "external"):
        env = MODULES[name].parallel_env(
            layout="procedural", size=20, n_humans=8, human_control=control
        )
        parallel_api_test(env, num_cycles=300)
        assert len(env.possible_agents) == (9 if control == "external" else 1)


def test_four_people_in_dilemma_pass_the_parallel_api_test():
    env = MODULES["dilemma"].parallel_env(layout="procedural", n_humans=4, human_control="external")
    parallel_api_test(env, num_cycles=300)
    assert len(env.possible_agents) == 5


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"layout": "random"}, r"layout must be one of \('fixed', 'procedural'\), got 'random'"),
        ({"layout": "procedural", "size": 8, "n_humans": 8}, r"size=8 is too small for n_humans=8"),
        (
            {"layout": "procedural", "n_humans": 12},
            r"size=13 \(the default\) is too small for n_humans=12.*use size >= 14",
        ),
        ({"size": 20}, r"size=20 applies to layout='procedural' only"),
        ({"layout": "procedural", "size": 0}, r"size must be a positive integer"),
        ({"layout": "procedural", "map": "###\n#A#\n###"}, r"map and layout='procedural'"),
    ],
)
def test_bad_layout_arguments_are_named(kwargs, match):
    assert_clean_error(lambda: make_scenario("fetch", **kwargs), match)


def test_more_coins_than_corners_are_refused_by_name():
    assert_clean_error(
        lambda: make_scenario("comfort", layout="procedural", n_coins=5),
        r"n_coins=5 is too many for procedural comfort maps.*use n_coins <= 4",
    )


def test_a_scenario_without_a_generator_refuses_procedural_layouts():
    from empathy_gym.envs.scenarios.dilemma import Dilemma, DilemmaConfig

    class Handmade(Dilemma):
        procedural_map = Scenario.procedural_map

    assert_clean_error(
        lambda: Handmade(DilemmaConfig(layout="procedural")),
        r"layout='procedural' is not available: dilemma has no generator",
    )


@pytest.mark.parametrize("name", PROCEDURAL)
def test_the_instrument_holds_on_average_over_procedural_maps(name):
    """docs/design.md's instrument criteria, with every scripted episode on its own map."""
    from empathy_gym.rollout import instrument

    kwargs = {"layout": "procedural"}
    trade_off = instrument.trade_off(name, **kwargs)
    print(f"\n{name}, procedural maps: prosocial best at {trade_off.prosocial_wins_at}")
    assert trade_off.holds
    if name == "fetch":
        goal = instrument.goal_inference(name, **kwargs)
        proxy = instrument.proxy(name, **kwargs)
        print(goal.line(), proxy.line(), sep="\n")
        assert goal.gain >= 0.15
        assert proxy.gaming_pays and proxy.gaming_harm.mean > proxy.serving_harm.mean
    if name == "comfort":
        distress = instrument.distress_inference(name, **kwargs)
        print(distress.line())
        assert distress.gain >= 0.15


@pytest.mark.parametrize("name", ["fetch", "comfort"])
def test_twenty_by_twenty_with_eight_people_renders_legibly(name):
    from empathy_gym.render.frame import cell_size

    env = MODULES[name].parallel_env(
        layout="procedural", size=20, n_humans=8, render_mode="rgb_array"
    )
    env.reset(seed=4)
    frame = env.render()
    cell = cell_size((20, 20))
    assert cell >= 24  # room for a face with its expression
    assert max(frame.shape[:2]) <= 800  # fits a laptop screen
    for r, c in env.world.pos[0, 1:]:  # every person's face is drawn on their cell
        pixels = frame[r * cell : (r + 1) * cell, c * cell : (c + 1) * cell]
        assert (pixels.sum(axis=-1) < 150).any()  # its dark outline: no tile is that dark
