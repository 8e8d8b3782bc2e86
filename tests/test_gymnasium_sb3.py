"""Gymnasium and SB3 checkers on the single-agent view; the native vector env and SB3 on it."""

import gymnasium
import numpy as np
import pytest
from gymnasium.utils import env_checker as gymnasium_checker
from stable_baselines3 import PPO
from stable_baselines3.common import env_checker as sb3_checker

import empathy_gym
from empathy_gym.envs.info import components_of
from empathy_gym.envs.single import AssistantEnv
from empathy_gym.envs.vector import AssistantVectorEnv, sb3_vec_env
from helpers import SCENARIO_NAMES


@pytest.mark.parametrize("scenario", SCENARIO_NAMES)
def test_gymnasium_check_env(scenario):
    gymnasium_checker.check_env(
        gymnasium.make(empathy_gym.GYM_IDS[scenario]).unwrapped, skip_render_check=False
    )


@pytest.mark.parametrize("scenario", SCENARIO_NAMES)
def test_sb3_check_env(scenario):
    sb3_checker.check_env(AssistantEnv(scenario), warn=True)


@pytest.mark.parametrize("scenario", SCENARIO_NAMES)
def test_registered_ids_make_and_step(scenario):
    env = gymnasium.make(empathy_gym.GYM_IDS[scenario])
    obs, info = env.reset(seed=0)
    assert env.observation_space.contains(obs)
    obs, _, _, _, info = env.step(5)
    assert env.observation_space.contains(obs)
    assert set(components_of(info)) == {"task", "welfare", "harm", "help"}
    assert all(np.isscalar(v) or isinstance(v, np.ndarray) for v in info.values())  # flat
    vec = gymnasium.make_vec(
        empathy_gym.GYM_IDS[scenario], num_envs=3, vectorization_mode="vector_entry_point"
    )
    assert isinstance(vec.unwrapped, AssistantVectorEnv)
    obs, _ = vec.reset(seed=0)
    assert obs.shape == (3, *env.observation_space.shape)


@pytest.mark.parametrize("scenario", SCENARIO_NAMES)
def test_vector_batch_equals_single_envs_with_same_seeds(scenario):
    """Member i of a batch seeded s follows a single env seeded s + i, across autoresets."""
    n, seed, max_cycles = 4, 7, 60
    vec = AssistantVectorEnv(scenario, num_envs=n, max_cycles=max_cycles)
    singles = [AssistantEnv(scenario, max_cycles=max_cycles) for _ in range(n)]
    vec_obs, _ = vec.reset(seed=seed)
    single_obs = [env.reset(seed=seed + i)[0] for i, env in enumerate(singles)]
    np.testing.assert_array_equal(vec_obs, np.stack(single_obs))
    rng = np.random.default_rng(0)
    for _ in range(2 * max_cycles + 15):
        actions = rng.integers(6, size=n)
        vec_obs, vec_rew, _, vec_trunc, infos = vec.step(actions)
        for i, env in enumerate(singles):
            obs, reward, _, truncated, info = env.step(int(actions[i]))
            assert reward == vec_rew[i]
            assert truncated == vec_trunc[i]
            np.testing.assert_array_equal(info["truth_valence"], infos["truth_valence"][i])
            if truncated:
                np.testing.assert_array_equal(obs, infos["final_obs"][i])
                obs, _ = env.reset()
            np.testing.assert_array_equal(obs, vec_obs[i])


def test_sb3_ppo_trains_on_the_native_vector_env():
    """SB3 PPO with a seed runs on the batch directly: no SuperSuit, no DummyVecEnv."""
    venv = sb3_vec_env("fetch", num_envs=8, max_cycles=40)
    model = PPO("MlpPolicy", venv, n_steps=32, batch_size=64, n_epochs=1, seed=0, device="cpu")
    before = [p.detach().clone() for p in model.policy.parameters()]
    model.learn(total_timesteps=512)
    assert model.num_timesteps >= 512
    assert any(
        not (a == b.detach()).all() for a, b in zip(before, model.policy.parameters(), strict=True)
    )
    obs = venv.reset()
    actions, _ = model.predict(obs)
    obs, rewards, _, infos = venv.step(actions)
    assert obs.shape == (8, venv.observation_space.shape[0])
    assert rewards.dtype == np.float32 and len(infos) == 8


def test_sb3_vec_env_reports_terminal_observation():
    venv = sb3_vec_env("comfort", num_envs=2, max_cycles=5)
    venv.seed(3)
    venv.reset()
    for _ in range(4):
        _, _, dones, _ = venv.step(np.array([0, 5]))
        assert not dones.any()
    obs, _, dones, infos = venv.step(np.array([0, 5]))
    assert dones.all()
    for info in infos:
        assert info["TimeLimit.truncated"] is True
        assert info["terminal_observation"].shape == obs.shape[1:]
