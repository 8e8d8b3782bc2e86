"""Pickling, lazy pygame, idempotent close, and the render modes."""

import pickle
import subprocess
import sys

import gymnasium
import numpy as np
import pytest

import empathy_gym
from empathy_gym.envs.single import AssistantEnv
from empathy_gym.envs.vector import AssistantVectorEnv
from empathy_gym.render.frame import cell_size
from helpers import CASES, MODULES, SCENARIO_NAMES, random_actions


@pytest.mark.parametrize(("scenario", "control"), CASES)
def test_pickled_env_reproduces_the_original(scenario, control):
    aec = MODULES[scenario].env(human_control=control)
    aec_clone = pickle.loads(pickle.dumps(aec))
    aec.reset(seed=5)
    aec_clone.reset(seed=5)
    for agent in aec.agents:
        np.testing.assert_array_equal(aec.observe(agent), aec_clone.observe(agent))
    par = MODULES[scenario].parallel_env(human_control=control)
    clone = pickle.loads(pickle.dumps(par))
    a, _ = par.reset(seed=9)
    b, _ = clone.reset(seed=9)
    rng = np.random.default_rng(0)
    for _ in range(30):
        actions = random_actions(par, rng)
        a, *_ = par.step(actions)
        b, *_ = clone.step(actions)
    for agent in a:
        np.testing.assert_array_equal(a[agent], b[agent])


@pytest.mark.parametrize("scenario", SCENARIO_NAMES)
def test_single_and_vector_views_pickle(scenario):
    single = pickle.loads(pickle.dumps(AssistantEnv(scenario)))
    assert single.reset(seed=1)[0].shape == single.observation_space.shape
    vec = pickle.loads(pickle.dumps(AssistantVectorEnv(scenario, num_envs=3)))
    assert vec.reset(seed=1)[0].shape == (3, *single.observation_space.shape)


def test_no_pygame_without_render_mode():
    """Nothing imports pygame (so no subsystem can start) unless a render mode asks for it."""
    script = """
import sys, gymnasium, numpy as np, empathy_gym
from empathy_gym.envs import fetch_v2, comfort_v2, dilemma_v2
for mod in (fetch_v2, comfort_v2, dilemma_v2):
    for make in (mod.parallel_env, mod.env):
        env = make(human_control="external")
        env.reset(seed=0)
        assert env.render() is None
        env.close()
env = gymnasium.make("empathy_gym/Comfort-v2")
env.reset(seed=0)
for _ in range(20):
    env.step(env.action_space.sample())
env.close()
print("pygame" in sys.modules)
"""
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize("scenario", SCENARIO_NAMES)
def test_close_twice_is_fine(scenario):
    for render_mode in (None, "rgb_array", "human"):
        for env in (
            MODULES[scenario].parallel_env(render_mode=render_mode),
            MODULES[scenario].env(render_mode=render_mode),
            AssistantEnv(scenario, render_mode=render_mode),
        ):
            env.reset(seed=0)
            env.render()
            env.close()
            env.close()
            if render_mode == "human":  # closing released the window
                import pygame

                assert not pygame.display.get_init()
    vec = AssistantVectorEnv(scenario, num_envs=2)
    vec.close()
    vec.close()
    assert vec.closed


@pytest.mark.parametrize("scenario", SCENARIO_NAMES)
def test_render_modes_return_what_they_promise(scenario):
    env = MODULES[scenario].parallel_env(render_mode="rgb_array")
    env.reset(seed=0)
    frame = env.render()
    height, width = env.scenario.layout.walkable.shape
    cell = cell_size((height, width))
    assert frame.shape[0] >= height * cell and frame.shape[1] > width * cell
    assert frame.shape[2] == 3
    assert frame.dtype == np.uint8
    assert len(np.unique(frame.reshape(-1, 3), axis=0)) > 5  # a drawing, not a blank canvas

    text = MODULES[scenario].parallel_env(render_mode="ansi")
    text.reset(seed=0)
    board = text.render()
    assert board.count("@") == 1
    assert board.splitlines()[0] == "#" * width

    window = gymnasium.make(empathy_gym.GYM_IDS[scenario], render_mode="human")
    window.reset(seed=0)
    assert window.render() is None
    window.close()
