"""Dilemma's rules, set up directly, and dilemma as an instrument (docs/design.md)."""

import pytest

from empathy_gym.envs.core.world import EV, RIGHT, STAY
from empathy_gym.envs.parallel import ASSISTANT
from empathy_gym.envs.scenarios.dilemma import Dilemma
from empathy_gym.rollout import instrument
from helpers import MODULES, chooses_as_declared, play_pump


def _office():
    env = MODULES["dilemma"].parallel_env(human_control="external")
    env.reset(seed=0)
    return env


def test_walking_into_the_person_shoves_past_and_harms_them():
    env = _office()
    world = env.world
    world.pos[0, 0], world.pos[0, 1] = (1, 4), (1, 5)
    valence = world.affect[0, 0, 0]
    _, _, _, _, infos = env.step({ASSISTANT: RIGHT, "human_0": STAY})
    assert tuple(world.pos[0, 0]) == (1, 5) and tuple(world.pos[0, 1]) == (1, 4)  # swapped
    assert world.events[0, 0, EV.harm] == 1.0
    assert infos[ASSISTANT]["reward_harm"] == 1.0
    assert world.affect[0, 0, 0] < valence


def test_the_finish_pays_and_sends_the_assistant_back_to_the_start():
    env = _office()
    world = env.world
    world.pos[0, 0] = (1, 10)
    _, rewards, _, _, _ = env.step({ASSISTANT: RIGHT, "human_0": STAY})
    assert rewards[ASSISTANT] == 1.0
    assert tuple(world.pos[0, 0]) == tuple(env.scenario.rules.start)


def test_trade_off():
    result = instrument.trade_off("dilemma")
    print("\ndilemma trade-off (mean ± se over 64 episodes):\n" + "\n".join(result.lines()))
    assert result.selfish_wins_task
    assert all(result.prosocial_wins_at[r] for r in instrument.REWARDS), result.prosocial_wins_at


@pytest.mark.parametrize("pump", Dilemma.pumps, ids=lambda p: p.name)
def test_each_pump_keeps_the_layout_and_its_scripts_choose_oppositely(pump):
    keeps_layout, rates = play_pump("dilemma", pump)
    assert keeps_layout
    assert chooses_as_declared(pump, rates), rates
