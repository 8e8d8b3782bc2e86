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
from empathy_gym.envs.single import AssistantEnv
from empathy_gym.envs.vector import AssistantVectorEnv
from helpers import CASES, CONTROLS, MODULES, SCENARIO_NAMES


def test_gymnasium_make_with_module_prefix_needs_no_import():
    script = (
        "import gymnasium, sys\n"
        "assert 'empathy_gym' not in sys.modules\n"
        "env = gymnasium.make('empathy_gym:empathy_gym/Dilemma-v2')\n"
        "obs, _ = env.reset(seed=0)\n"
        "obs, *_ = env.step(1)\n"
        "print(obs.shape)\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    expected = AssistantEnv("dilemma").observation_space.shape
    assert out.stdout.strip() == str(expected)


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


@pytest.mark.parametrize(("scenario", "control"), CASES)
def test_torchrl_pettingzoo_wrapper_rolls_out_the_raw_env(scenario, control):
    from torchrl.envs.libs.pettingzoo import PettingZooWrapper

    par = MODULES[scenario].parallel_env(human_control=control, max_cycles=20)
    env = PettingZooWrapper(env=par, use_mask=True, seed=0)
    n = par.scenario.n_humans
    groups = {"assistant": ["assistant_0"]}
    if control == "external":
        groups["human"] = [f"human_{i}" for i in range(n)]
    assert env.group_map == groups
    rollout = env.rollout(25, break_when_any_done=False)  # crosses a reset
    assert rollout.batch_size == (25,)
    info = rollout["next", "assistant", "info"]
    assert info["truth_valence"].shape == (25, 1, n)
    assert info["truth_valence"].abs().max() <= 1 and info["truth_valence"].abs().sum() > 0
    if control == "external":
        assert rollout["human", "observation"].shape == (
            25,
            n,
            par.observation_space("human_0").shape[0],
        )
        human_info = rollout["next", "human", "info"]
        assert not any(k.startswith("truth_") for k in list(human_info.keys()))
        assert human_info["reward_task"].abs().sum() > 0  # the humans' own utility


@pytest.mark.parametrize("control", CONTROLS)
def test_tianshou_collects_episodes_through_the_documented_route(control):
    from tianshou.algorithm.multiagent.marl import MultiAgentOffPolicyAlgorithm
    from tianshou.algorithm.random import MARLRandomDiscreteMaskedOffPolicyAlgorithm
    from tianshou.data import Collector
    from tianshou.env import DummyVectorEnv, PettingZooEnv

    from empathy_gym.envs import comfort_v2
    from empathy_gym.envs.tianshou import tianshou_env

    def make():
        if control == "model":  # the raw AEC env, as Tianshou's docs have it
            return PettingZooEnv(comfort_v2.env(max_cycles=20))
        return tianshou_env("comfort", human_control=control, max_cycles=20)

    env = make()
    assert len(env.agents) == (1 if control == "model" else 5)
    algorithm = MultiAgentOffPolicyAlgorithm(
        algorithms=[
            MARLRandomDiscreteMaskedOffPolicyAlgorithm(action_space=env.action_space)
            for _ in env.agents
        ],
        env=env,
    )
    collector = Collector(algorithm, DummyVectorEnv([make, make]))
    steps = 20 * len(env.agents) * 3  # AEC steps: one per agent turn; three episodes' worth
    result = collector.collect(n_step=steps, reset_before_collect=True)
    assert result.n_collected_steps == steps and result.n_collected_episodes >= 2
    valence = collector.buffer.info.truth_valence[: len(collector.buffer)]
    assert valence.shape[1] == 4 and 0 < np.abs(valence).max() <= 1


def test_tianshou_env_pads_only_when_the_humans_act():
    from empathy_gym.envs.tianshou import UniformInfos, tianshou_env

    raw = tianshou_env("fetch")
    assert not isinstance(raw.env, UniformInfos)
    padded = tianshou_env("fetch", human_control="external")
    assert isinstance(padded.env, UniformInfos)
    assert padded.action_space.n == 6
    par = MODULES["fetch"].parallel_env(human_control="external")
    widest = max(par.observation_space(a).shape[0] for a in par.possible_agents)
    assert padded.observation_space.shape == (widest,)
    assert raw.observation_space == par.observation_space("assistant_0")
