"""The envs are found through Gymnasium's and PettingZoo's registries and roll out."""

import subprocess
import sys

import gymnasium
import numpy as np
import pettingzoo
import pytest
from gymnasium.envs.registration import EnvSpec
from stable_baselines3 import PPO

import empathy_gym
from empathy_gym.envs.parallel import EmpathyParallelEnv
from empathy_gym.envs.vector import AssistantVectorEnv
from helpers import SCENARIO_NAMES


def test_gymnasium_make_with_module_prefix_needs_no_import():
    script = (
        "import gymnasium, sys\n"
        "assert 'empathy_gym' not in sys.modules\n"
        "env = gymnasium.make('empathy_gym:empathy_gym/Dilemma-v1')\n"
        "obs, _ = env.reset(seed=0)\n"
        "obs, *_ = env.step(1)\n"
        "print(obs.shape)\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "(9,)"


@pytest.mark.parametrize("scenario", SCENARIO_NAMES)
def test_env_spec_survives_a_json_round_trip(scenario):
    env = gymnasium.make(empathy_gym.GYM_IDS[scenario], max_cycles=30, population="stoic")
    spec = EnvSpec.from_json(env.spec.to_json())
    assert spec == env.spec
    clone = gymnasium.make(spec)
    a, _ = env.reset(seed=3)
    b, _ = clone.reset(seed=3)
    np.testing.assert_array_equal(a, b)
    assert clone.unwrapped.par.scenario.population.name == "stoic"


@pytest.mark.parametrize("scenario", SCENARIO_NAMES)
def test_make_vec_returns_the_native_batch_and_rolls_out(scenario):
    vec = gymnasium.make_vec(
        empathy_gym.GYM_IDS[scenario],
        num_envs=5,
        vectorization_mode="vector_entry_point",
        max_cycles=20,
    )
    assert isinstance(vec.unwrapped, AssistantVectorEnv)
    obs, _ = vec.reset(seed=0)
    total = 0.0
    for _ in range(25):  # crosses an autoreset
        obs, reward, _, _, _ = vec.step(vec.action_space.sample())
        total += reward.sum()
    assert obs.shape == (5, *vec.single_observation_space.shape)
    assert np.isfinite(total)


@pytest.mark.parametrize("scenario", SCENARIO_NAMES)
def test_pettingzoo_registry_makes_both_forms(scenario):
    par = pettingzoo.make(
        "parallel", empathy_gym.PETTINGZOO_IDS[scenario], human_control="external"
    )
    assert isinstance(par, EmpathyParallelEnv)
    observations, _ = par.reset(seed=0)
    assert set(observations) == set(par.possible_agents)
    aec = pettingzoo.make("aec", empathy_gym.PETTINGZOO_IDS[scenario], max_cycles=5)
    aec.reset(seed=0)
    steps = 0
    for agent in aec.agent_iter():
        _, _, terminated, truncated, _ = aec.last()
        aec.step(None if terminated or truncated else aec.action_space(agent).sample())
        steps += 1
    assert steps == 5 + 1


def test_sb3_trains_on_the_registered_single_agent_view():
    env = gymnasium.make(empathy_gym.GYM_IDS["dilemma"], max_cycles=32)
    model = PPO("MlpPolicy", env, n_steps=64, batch_size=32, n_epochs=1, seed=0, device="cpu")
    model.learn(128)
    assert model.num_timesteps >= 128


def _ppo_on_shared_policy_env(seed: int):
    from empathy_gym.envs.supersuit import shared_policy_vec_env

    venv = shared_policy_vec_env("comfort", n_copies=2, max_cycles=20)
    model = PPO("MlpPolicy", venv, n_steps=16, batch_size=40, n_epochs=1, seed=seed, device="cpu")
    model.learn(160)
    return venv, model


def test_supersuit_parameter_sharing_trains_with_a_seed():
    venv, model = _ppo_on_shared_policy_env(seed=3)
    assert venv.num_envs == 2 * 5  # two copies of comfort's assistant and 4 humans
    assert model.num_timesteps >= 160
    again = _ppo_on_shared_policy_env(seed=3)[1]
    weights = [p.detach().numpy() for p in model.policy.parameters()]
    weights_again = [p.detach().numpy() for p in again.policy.parameters()]
    for a, b in zip(weights, weights_again, strict=True):
        np.testing.assert_array_equal(a, b)  # the same seed trains the same weights


def test_torchrl_pettingzoo_wrapper_rolls_out_with_flat_infos():
    from torchrl.envs.libs.pettingzoo import PettingZooWrapper

    from empathy_gym.envs.wrappers import FlatInfos

    par = EmpathyParallelEnv("comfort", human_control="external", max_cycles=20)
    env = PettingZooWrapper(env=FlatInfos(par), use_mask=True, categorical_actions=True, seed=0)
    assert env.group_map == {
        "assistant": ["assistant_0"],
        "human": ["human_0", "human_1", "human_2", "human_3"],
    }
    rollout = env.rollout(25, break_when_any_done=False)  # crosses a reset
    assert rollout.batch_size == (25,)
    assert rollout["human", "observation"].shape == (
        25,
        4,
        par.observation_space("human_0").shape[0],
    )
    assert rollout["next", "assistant", "info", "eval_truth/valence"].shape == (25, 1, 4)
    assert rollout["next", "human", "info", "reward_components/task"].abs().sum() > 0


def test_tianshou_collects_episodes_from_the_aec_env():
    import supersuit as ss
    from tianshou.algorithm.multiagent.marl import MultiAgentOffPolicyAlgorithm
    from tianshou.algorithm.random import MARLRandomDiscreteMaskedOffPolicyAlgorithm
    from tianshou.data import Collector
    from tianshou.env import DummyVectorEnv, PettingZooEnv

    from empathy_gym.envs import fetch_v1
    from empathy_gym.envs.wrappers import UniformInfos

    def make():
        aec = fetch_v1.env(human_control="external", max_cycles=20)
        return PettingZooEnv(UniformInfos(ss.pad_action_space_v0(ss.pad_observations_v0(aec))))

    env = make()
    algorithm = MultiAgentOffPolicyAlgorithm(
        algorithms=[
            MARLRandomDiscreteMaskedOffPolicyAlgorithm(action_space=env.action_space)
            for _ in env.agents
        ],
        env=env,
    )
    collector = Collector(algorithm, DummyVectorEnv([make, make]))
    result = collector.collect(n_step=150, reset_before_collect=True)
    assert result.n_collected_steps == 150 and result.n_collected_episodes == 2
    valence = collector.buffer.info.eval_truth.valence[: len(collector.buffer)]
    assert valence.shape[1] == 2 and np.abs(valence).max() <= 1
