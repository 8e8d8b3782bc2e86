"""RLlib: multi-agent PPO on the new API stack, one policy for the assistant, one for humans.

The PettingZoo ParallelEnv (humans as external agents) runs through RLlib's own
``ParallelPettingZooEnv``; no adapter of ours is needed. Needs ``empathy-gym[rllib]``
(ray[rllib] 2.60, which pins gymnasium 1.2.2; the suite supports gymnasium >= 1.2.2).

    from empathy_gym.envs.rllib import multi_agent_ppo_config
    algo = multi_agent_ppo_config("fetch", max_cycles=100).build_algo()
    algo.train()
"""

from __future__ import annotations

from empathy_gym.envs.parallel import EmpathyParallelEnv
from empathy_gym.envs.registry import PETTINGZOO_IDS
from empathy_gym.envs.scenarios import SCENARIOS
from empathy_gym.extras import require

POLICIES = ("assistant", "human")


def rllib_env_name(scenario: str) -> str:
    return PETTINGZOO_IDS[scenario]


def register_rllib_envs() -> None:
    """Register every scenario with RLlib, humans external, under its PettingZoo id."""
    register_env = require("ray.tune.registry").register_env
    wrapper = require("ray.rllib.env.wrappers.pettingzoo_env").ParallelPettingZooEnv
    for name in SCENARIOS:
        register_env(
            rllib_env_name(name),
            lambda config, name=name: wrapper(
                EmpathyParallelEnv(name, human_control="external", **config)
            ),
        )


def policy_of(agent_id: str, episode=None, **kwargs) -> str:
    """The assistant has its own policy; the humans share one."""
    return "assistant" if agent_id.startswith("assistant") else "human"


def multi_agent_ppo_config(scenario: str, **env_config):
    """A PPOConfig with separate assistant and human modules; adjust it as any PPOConfig."""
    ppo = require("ray.rllib.algorithms.ppo")
    modules = require("ray.rllib.core.rl_module.multi_rl_module")
    single = require("ray.rllib.core.rl_module.rl_module")
    register_rllib_envs()
    specs = {policy: single.RLModuleSpec() for policy in POLICIES}
    return (
        ppo.PPOConfig()
        .environment(rllib_env_name(scenario), env_config=env_config)
        .multi_agent(policies=set(POLICIES), policy_mapping_fn=policy_of)
        .rl_module(rl_module_spec=modules.MultiRLModuleSpec(rl_module_specs=specs))
    )
