"""Shared test helpers."""

from __future__ import annotations

import importlib
import traceback

import numpy as np
import pytest

import empathy_gym.envs.registry

MODULES = {
    name: importlib.import_module(module)
    for name, module in empathy_gym.envs.registry.VERSION_MODULES.items()
}
"""The PettingZoo version module of every scenario, found the way users import them."""
SCENARIO_NAMES = list(MODULES)
CONTROLS = ["model", "external"]
CASES = [(s, c) for s in SCENARIO_NAMES for c in CONTROLS]


def random_actions(env, rng: np.random.Generator) -> dict:
    return {a: int(rng.integers(env.action_space(a).n)) for a in env.agents}


def assert_clean_error(call, match: str, error=ValueError) -> str:
    """``call`` raises ``error`` matching ``match``, raised from our code, not inside numba."""
    with pytest.raises(error, match=match) as info:
        call()
    frames = traceback.extract_tb(info.value.__traceback__)
    assert not any("numba" in f.filename for f in frames), "error raised from inside numba"
    return str(info.value)


def play_pump(scenario: str, pump) -> tuple[bool, dict[str, float]]:
    """Whether a pump keeps its scenario's observation layout (so trained assistants run on
    it), and how often the scenario's prosocial and selfish scripts make its choice."""
    import dataclasses

    from empathy_gym.agents.arms import Arm
    from empathy_gym.envs.scenarios import make_scenario
    from empathy_gym.rollout.evaluate import evaluate, scripted
    from empathy_gym.rollout.pumps import chose

    base, variant = make_scenario(scenario), make_scenario(scenario, **pump.kwargs)
    keeps_layout = variant.obs_sizes == base.obs_sizes and variant.n_goals == base.n_goals
    seeds = range(pump.seed, pump.seed + pump.episodes)
    rates = {}
    for kind in ("prosocial", "selfish"):
        episodes = evaluate(
            scripted(kind, variant, seeds),
            scenario,
            Arm(),
            pump.episodes,
            pump.seed,
            **pump.kwargs,
        )
        rates[kind] = float(np.mean([chose(dataclasses.asdict(e), pump) for e in episodes]))
    print(
        f"\n{scenario} {pump.name}: '{pump.choice}' prosocial {rates['prosocial']:.2f},"
        f" selfish {rates['selfish']:.2f}"
    )
    return keeps_layout, rates


def chooses_as_declared(pump, rates: dict[str, float]) -> bool:
    """The prosocial script makes the pump's choice (>= 0.75 of episodes) and the selfish
    one does not (<= 0.25), or the other way round, as the pump declares."""
    chooser, other = (
        ("prosocial", "selfish") if pump.prosocial_chooses else ("selfish", "prosocial")
    )
    return rates[chooser] >= 0.75 and rates[other] <= 0.25


def tiny_run(args_class, scenario: str, output_dir) -> str:
    """A finished run of a few hundred steps (short episodes, two evaluation episodes): a
    run directory for the commands that read runs."""
    from empathy_gym.train.runner import run_training
    from empathy_gym.train.settings import PPOSettings

    args = args_class(
        scenario=scenario,
        timesteps=256,
        max_cycles=20,
        eval_episodes=2,
        eval_populations=("default",),
        belief_doses=(1.0,),
        ppo=PPOSettings(num_envs=4, num_steps=32, minibatch_size=64),
        output_dir=str(output_dir),
        progress=False,
    )
    return str(run_training(args))
