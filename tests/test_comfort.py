"""Comfort's rules, set up directly, and comfort as an instrument (docs/design.md)."""

import numpy as np
import pytest

from empathy_gym.agents.arms import Arm
from empathy_gym.envs.core.population import PROFILES, TRAIT, TRAIT_NAMES
from empathy_gym.envs.core.world import CO, EV, INTERACT, STAY
from empathy_gym.envs.parallel import ASSISTANT
from empathy_gym.envs.scenarios import make_scenario
from empathy_gym.envs.scenarios.comfort import Comfort
from empathy_gym.rollout import instrument
from empathy_gym.rollout.evaluate import evaluate, scripted
from empathy_gym.rollout.record import record_episode
from helpers import MODULES, assert_clean_error, chooses_as_declared, play_pump

QUIET = {"stress_prob": 0.0, "wander_prob": 0.0, "relief_prob": 0.0}


def _lounge(**kwargs):
    env = MODULES["comfort"].parallel_env(human_control="external", **(QUIET | kwargs))
    env.reset(seed=0)
    return env


def _still(env, assistant: int):
    return env.step({ASSISTANT: assistant, **dict.fromkeys(env.agents[1:], STAY)})


def test_a_coin_pays_out_and_reappears_on_another_coin_cell():
    env = _lounge()
    coin = env.scenario_state.coins[0, 0].copy()
    env.world.pos[0, 0] = [*coin[:1], coin[1] + 1]  # beside the coin
    _, rewards, _, _, _ = _still(env, 3)  # left: onto it
    assert rewards[ASSISTANT] == 1.0
    moved = env.scenario_state.coins[0, 0]
    assert tuple(moved) != tuple(coin)
    assert tuple(moved) in {tuple(c) for c in env.scenario.rules.coin_cells}


def test_comforting_lifts_a_distressed_person_and_ends_their_worry():
    env = _lounge()
    world, state = env.world, env.scenario_state
    state.worried[0, 0], world.affect[0, 0, 0] = True, -0.7
    world.pos[0, 0] = world.pos[0, 1] + [0, 1]
    assert world.pos[0, 0].tolist() not in world.pos[0, 2:].tolist()
    _, _, _, _, infos = _still(env, INTERACT)
    assert world.events[0, 0, EV.solace] == 0.7  # in proportion to the need
    assert infos[ASSISTANT]["reward_help"] == 1.0
    assert not state.worried[0, 0]
    assert world.affect[0, 0, 0] > -0.7 + 0.1


def test_a_worried_person_ruminates_and_stays_put_until_comforted():
    env = MODULES["comfort"].parallel_env(**QUIET)  # the built-in model moves the humans
    env.reset(seed=0)
    world, state = env.world, env.scenario_state
    state.worried[0, 1] = True
    typical = [getattr(PROFILES["default"], trait)[0] for trait in TRAIT_NAMES]
    world.traits[0, 1] = typical  # the population's mean person, whatever the seed drew,
    world.traits[0, 1, TRAIT.susceptibility] = 0.0  # whom no neighbour's mood lifts
    where, valence = world.pos[0, 2].copy(), world.affect[0, 1, 0]
    for _ in range(20):
        env.step({ASSISTANT: STAY})
        assert world.events[0, 1, EV.stress] == env.scenario.config.rumination
    assert tuple(world.pos[0, 2]) == tuple(where)
    assert world.affect[0, 1, 0] < valence - 0.3


def test_a_stressor_worries_someone():
    env = _lounge(stress_prob=1.0)
    _still(env, STAY)
    assert env.scenario_state.worried[0].sum() == 1
    assert env.world.events[0, :, EV.stress].max() >= env.scenario.config.stress_magnitude


def test_a_person_on_a_d_tile_starts_worried():
    env = MODULES["comfort"].parallel_env(**Comfort.pump("escape_hard").kwargs)
    env.reset(seed=0)
    grid = env.scenario.ascii_map.grid
    on_d = [grid[tuple(p)] == "D" for p in env.world.pos[0, 1:]]
    assert sum(on_d) == 1
    np.testing.assert_array_equal(env.scenario_state.worried[0], on_d)


@pytest.mark.parametrize("pull", [False, True], ids=["lever left", "lever pulled"])
def test_the_trolley_strikes_its_track_and_harm_is_counted_only_when_pulled(pull):
    kwargs = Comfort.pump("trolley").kwargs | {"relief_prob": 0.0}
    env = MODULES["comfort"].parallel_env(human_control="external", **kwargs)
    env.reset(seed=0)
    rules, state, world = env.scenario.rules, env.scenario_state, env.world
    if pull:
        world.pos[0, 0] = rules.levers[0]
    harm = 0.0
    for step in range(1, rules.trolley_step + 1):
        _, _, _, _, infos = _still(env, INTERACT if pull and step == 1 else STAY)
        harm += infos[ASSISTANT]["reward_harm"]
        assert state.worried[0].any() == (step == rules.trolley_step)
    track = rules.branch_track if pull else rules.main_track
    on_track = [tuple(p) in {tuple(c) for c in track} for p in world.pos[0, 1:]]
    assert sum(on_track) == (1 if pull else 3)
    np.testing.assert_array_equal(state.worried[0], on_track)
    assert harm == (1.0 if pull else 0.0)  # doing, not allowing


def test_the_prosocial_script_pulls_the_lever_in_every_episode_it_plays():
    """One script for several episodes (as ``watch`` plays them) forgets the last pull."""
    pump = Comfort.pump("trolley")
    act = scripted("prosocial", make_scenario("comfort", **pump.kwargs), [pump.seed])
    for k in range(2):
        _, recording = record_episode(act, "comfort", Arm(), pump.seed + k, **pump.kwargs)
        assert np.sum(recording.steps["components"], axis=0)[0, CO.harm] == 1.0


def test_the_lever_is_observed_where_there_is_one_and_its_pull_is_in_the_state():
    plain = MODULES["comfort"].parallel_env()
    trolley = MODULES["comfort"].parallel_env(**Comfort.pump("trolley").kwargs)
    plain.reset(seed=0)
    obs, _ = trolley.reset(seed=0)
    assert len(trolley.state()) == len(plain.state())  # one state layout on every map
    view = trolley.scenario.view(obs[ASSISTANT])
    assert view.extras["lever"] and not view.extras["pulled"]
    assert tuple(view.extras["lever_cell"]) == tuple(trolley.scenario.rules.levers[0])
    assert view.extras["on_main"].sum() == 3 and view.extras["on_branch"].sum() == 1
    assert not plain.scenario.view(plain.reset(seed=0)[0][ASSISTANT]).extras["lever"]


def test_trade_off():
    result = instrument.trade_off("comfort")
    print("\ncomfort trade-off (mean ± se over 64 episodes):\n" + "\n".join(result.lines()))
    assert result.selfish_wins_task
    assert all(result.prosocial_wins_at[r] for r in instrument.REWARDS), result.prosocial_wins_at


def test_inference_over_time_is_needed_to_see_distress():
    result = instrument.distress_inference("comfort")
    print(f"\ncomfort {result.line()}")
    assert result.gain >= 0.15


def test_escape_probe():
    """Batson's escape: with proximity coupling an easy exit makes avoiding feel better than
    comforting; shut in, comforting does. Global coupling is reported as it comes out."""
    result = instrument.escape("comfort")
    print("\ncomfort escape probe (summed mood):\n" + "\n".join(result.lines()))
    assert result.winner("escape_easy", "proximity") == "avoider"
    assert result.winner("escape_hard", "proximity") == "prosocial"
    easy = result.moods["escape_easy"]["proximity"]
    assert easy["avoider"].mean - easy["prosocial"].mean > 2 * np.hypot(
        easy["avoider"].se, easy["prosocial"].se
    )


@pytest.mark.parametrize("pump", Comfort.pumps, ids=lambda p: p.name)
def test_each_pump_keeps_the_layout_and_its_scripts_choose_oppositely(pump):
    keeps_layout, rates = play_pump("comfort", pump)
    assert keeps_layout
    assert chooses_as_declared(pump, rates), rates


def test_hurry_raises_what_helping_costs_the_task():
    """Darley & Batson's hurry as coins at stake: the selfish script, which never stops to
    help, earns more at each level (what a stop forgoes), and the prosocial one, which stops,
    less than a coin."""
    coins = {}
    for level in ("low", "moderate", "high"):
        pump = Comfort.pump(f"hurry_{level}")
        rules = make_scenario("comfort", **pump.kwargs)
        seeds = range(pump.seed, pump.seed + 4)
        for kind in ("selfish", "prosocial"):
            episodes = evaluate(
                scripted(kind, rules, seeds), "comfort", Arm(), 4, pump.seed, **pump.kwargs
            )
            coins[level, kind] = np.mean([e.task_return for e in episodes])
    assert coins["low", "selfish"] < coins["moderate", "selfish"] < coins["high", "selfish"]
    assert coins["moderate", "selfish"] > 2 * coins["low", "selfish"] > 0
    assert all(coins[level, "prosocial"] < 1 for level in ("low", "moderate", "high"))


def test_an_unknown_pump_is_named_with_the_choices():
    assert_clean_error(
        lambda: Comfort.pump("runaway_tram"),
        r"comfort has no intuition pump 'runaway_tram'; use one of \['escape_easy'",
    )
