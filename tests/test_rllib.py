"""RLlib multi-agent PPO trains on the env. Runs where empathy-gym[rllib] is installed.

ray[rllib] 2.60 pins gymnasium 1.2.2, so it lives in the oldest-gymnasium environment
(`make test-oldest`), which sets EMPATHY_GYM_REQUIRE_RLLIB=1: there a missing RLlib is a
failure, not a skip.
"""

import os

import numpy as np
import pytest

if os.environ.get("EMPATHY_GYM_REQUIRE_RLLIB") == "1":
    import ray.rllib
else:
    pytest.importorskip("ray.rllib", reason="RLlib runs in `make test-oldest` (gymnasium 1.2.2)")

import ray

from empathy_gym.envs.rllib import multi_agent_ppo_config, policy_of


def test_multi_agent_ppo_trains_separate_assistant_and_human_policies():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        config = (
            multi_agent_ppo_config("comfort", max_cycles=25)
            .env_runners(num_env_runners=0)
            .training(train_batch_size_per_learner=200, minibatch_size=50, num_epochs=1)
            .debugging(seed=0)
        )
        algo = config.build_algo()
        before = {p: algo.get_module(p).get_state() for p in ("assistant", "human")}
        result = algo.train()
        assert result["env_runners"]["num_env_steps_sampled_lifetime"] >= 200
        for policy in ("assistant", "human"):
            after = algo.get_module(policy).get_state()
            changed = [not np.allclose(before[policy][k], after[k]) for k in after]
            assert any(changed), f"{policy} module did not learn"
        assistant_in = algo.get_module("assistant").observation_space.shape
        human_in = algo.get_module("human").observation_space.shape
        assert assistant_in != human_in  # really two policies with their own inputs
        algo.stop()
    finally:
        ray.shutdown()
    assert policy_of("assistant_0") == "assistant" and policy_of("human_3") == "human"
