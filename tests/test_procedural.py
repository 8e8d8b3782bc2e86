"""Procedural layouts: maps drawn from the reset seed, in families, that keep each scenario's
invariants and are what the scenario's own build makes of their text."""

import numpy as np
import pytest
from pettingzoo.test import parallel_api_test

from empathy_gym.envs.core.layout import UNREACHABLE, AsciiMap, Maps, distance_field, member
from empathy_gym.envs.core.procedural import FAMILIES, TRAIN
from empathy_gym.envs.parallel import ASSISTANT
from empathy_gym.envs.scenarios import make_scenario, scenario_class
from empathy_gym.envs.single import AssistantEnv
from empathy_gym.envs.vector import AssistantVectorEnv
from helpers import MODULES, SCENARIO_NAMES, assert_clean_error

SEEDS = range(200)
MANY = {"fetch": 8, "comfort": 8, "dilemma": 4}
"""The most people each scenario's procedural maps must hold (others: 2)."""

PROCEDURAL = [name for name in SCENARIO_NAMES if "procedural" in scenario_class(name).layouts()]
FAMILY_CASES = [
    (name, family) for name in PROCEDURAL for family in (TRAIN, *scenario_class(name).families)
]


def _task_cells(layout, rules) -> np.ndarray:
    """Where the assistant must be able to get to earn its task reward (by default, a new
    scenario's: every floor cell, a connected floor)."""
    if hasattr(rules, "shelves"):  # a counter splits kitchen from shop floor
        return np.concatenate([rules.shelves, rules.counters])
    return np.argwhere(layout.walkable)


def _draw(scenario, seed: int):
    """Member 0 of a one-map batch drawn from ``seed``: its layout and rules."""
    layouts, rules = scenario.allocate_maps(1)
    scenario.draw_into(np.random.default_rng(seed), Maps(*layouts, np.zeros(1, np.int64)), rules, 0)
    return member(layouts, 0), member(rules, 0)


def test_the_shipped_scenarios_have_procedural_layouts():
    assert {"fetch", "comfort", "dilemma"} <= set(PROCEDURAL)


@pytest.mark.parametrize(("name", "family"), FAMILY_CASES)
def test_every_seed_gives_a_map_that_keeps_the_invariants(name, family):
    fixed = make_scenario(name)
    sizes = set()
    for crowd in (2, MANY.get(name, 2)):
        scenario = make_scenario(name, layout="procedural", family=family, n_humans=crowd)
        sizes.add(scenario.size)
        maps = set()
        for seed in SEEDS:
            layout, rules = _draw(scenario, seed)
            assert layout.walkable.shape == (scenario.size, scenario.size)
            assert len(layout.routes) == fixed.n_goals  # the fixed map's goals: same obs layout
            assert layout.reach.all()  # every goal from every spawn
            assert len(layout.human_spawns) >= scenario.n_humans
            start = tuple(layout.assistant_spawns[0])
            for cell in _task_cells(layout, rules):
                assert np.isfinite(_steps(layout.walkable, start, tuple(cell)))
            maps.add(layout.grid.tobytes())
        reference = make_scenario(name, layout="procedural", n_humans=crowd)  # train family
        assert scenario.obs_sizes == reference.obs_sizes  # every family: one observation layout
        if crowd == fixed.n_humans:
            assert scenario.obs_sizes == fixed.obs_sizes  # and the fixed map's
        assert len(maps) >= min(len(SEEDS) // 2, 40)  # varied (a small ring has few ways)
    wanted = FAMILIES[family].size or scenario.procedural_size
    assert sizes == {wanted}
    print(
        f"\n{name} {family} ({wanted} x {wanted}): {len(SEEDS)} seeds x 2 crowds, invariants hold"
    )


def _steps(walkable: np.ndarray, start, goal) -> float:
    distance = distance_field(walkable, np.array(goal))[start]
    return np.inf if distance >= UNREACHABLE else distance


@pytest.mark.parametrize(("name", "family"), FAMILY_CASES)
def test_a_drawn_map_is_what_build_makes_of_its_text(name, family):
    """One meaning of a map: the compiled generator's layout and rules equal those the
    scenario's build derives from the drawn map's text (what a recording replays)."""
    scenario = make_scenario(name, layout="procedural", family=family)
    for seed in range(40):
        layout, rules = _draw(scenario, seed)
        text = AsciiMap(scenario.show(layout, rules) or scenario.ascii_map.text, scenario.map_chars)
        built_layout, built_rules = scenario.build(text)
        for drawn, built in ((layout, built_layout), (rules, built_rules)):
            for field, a, b in zip(drawn._fields, drawn, built, strict=True):
                assert np.array_equal(a, b), f"{name} {family} seed {seed}: {field} differs"


@pytest.mark.parametrize("name", PROCEDURAL)
def test_held_out_families_differ_from_the_training_one(name):
    train = make_scenario(name, layout="procedural")
    grids = {TRAIN: [_draw(train, seed)[0].grid for seed in range(20)]}
    for family in scenario_class(name).families:
        held_out = make_scenario(name, layout="procedural", family=family)
        grids[family] = [_draw(held_out, seed)[0].grid for seed in range(20)]
        same = [
            a.shape == b.shape and np.array_equal(a, b)
            for a, b in zip(grids[TRAIN], grids[family], strict=True)
        ]
        assert not any(same), f"{family} draws the training family's maps"
    if "dense" in grids:
        walls = {f: np.mean([(g == ord("#")).mean() for g in grids[f]]) for f in (TRAIN, "dense")}
        assert walls["dense"] > walls[TRAIN]


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
        (
            {"layout": "procedural", "size": 8, "n_humans": 8},
            r"size=8 does not fit n_humans=8.*use size 10 to 32",
        ),
        (
            {"layout": "procedural", "n_humans": 12},
            r"size=13 \(family 'train'\) does not fit n_humans=12.*use size 14 to 32",
        ),
        ({"layout": "procedural", "size": 40}, r"size=40 does not fit.*use size 9 to 32"),
        ({"layout": "procedural", "family": "huge"}, r"family must be one of \['train', 'small'"),
        ({"family": "large"}, r"family='large' applies to layout='procedural' only"),
        ({"view_radius": 0}, r"view_radius must be a positive integer"),
        ({"view_radius": 9}, r"view_radius=9 is too large; use 1 to 8"),
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
        draw = None

    assert_clean_error(
        lambda: Handmade(DilemmaConfig(layout="procedural")),
        r"layout='procedural' is not available: dilemma has no generator",
    )
    assert_clean_error(
        lambda: make_scenario("dilemma", layout="procedural", family="dense"),
        r"family='dense' is not one dilemma's generator varies",
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


@pytest.mark.parametrize("name", PROCEDURAL)
def test_scripts_play_from_what_they_observe_not_from_the_map(name):
    """A script fed only what its observation carries plays the same episode: handed a
    scenario that shows another map (a decoy), every truth-free script takes, step by step,
    the actions it takes when handed the real one, on procedural maps."""
    from empathy_gym.agents.arms import Arm
    from empathy_gym.rollout.evaluate import rollout, scripted

    real = make_scenario(name, layout="procedural", max_cycles=60)
    decoy = make_scenario(name, layout="procedural", max_cycles=60)
    decoy.show(*_draw(decoy, 999))
    assert not np.array_equal(decoy.layout.grid, real.layout.grid)
    seeds = range(300, 304)
    for kind in set(real.truth_free_policies()) - {"random", "nothing"}:
        played = {
            which: rollout(
                scripted(kind, scenario, seeds),
                name,
                Arm(),
                4,
                300,
                layout="procedural",
                max_cycles=60,
            ).actions
            for which, scenario in (("real", real), ("decoy", decoy))
        }
        np.testing.assert_array_equal(played["real"], played["decoy"])
        assert (played["real"] != 0).mean() > 0.2, f"{kind} hardly acts"
