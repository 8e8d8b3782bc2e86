"""What a comparison runs: a :class:`Preset` of scenarios, arms, lambdas, seeds and budgets.

Presets are configuration, the one place outside the scenario modules that names scenarios:
``micro`` (a smoke test), ``quick`` and ``full``. A JSON file of ``Preset`` fields defines
a custom one (``compare --config``).
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path

from empathy_gym.agents.arms import ARMS, Arm, command_of, factors_of
from empathy_gym.envs.core.population import PROFILES
from empathy_gym.envs.scenarios import scenario_class
from empathy_gym.envs.scenarios.base import LAYOUTS
from empathy_gym.errors import check_positive_int
from empathy_gym.train.runner import ARGS_OF_COMMAND, DEFAULT_HELD_OUT, TrainArgs
from empathy_gym.train.settings import PPOSettings

MIN_SEEDS = 2
"""Predictions need intervals over seeds."""
RENAMED_PRESET_FIELDS = {"cells": "arms"}
"""Preset fields of earlier versions and their names now."""


@dataclass(frozen=True)
class Preset:
    """What a comparison runs. A JSON file with these fields defines a custom one."""

    name: str
    scenarios: tuple[str, ...]
    arms: tuple[str, ...]
    seeds: tuple[int, ...]
    timesteps: int
    lams: tuple[float, ...] = (1.0, 4.0)
    report_lam: float = 1.0
    scenario_timesteps: dict = field(default_factory=dict)
    """per-scenario training budgets overriding ``timesteps`` (the same for every arm)"""
    population: str = "default"
    eval_populations: tuple[str, ...] = ("default", *DEFAULT_HELD_OUT)
    eval_episodes: int = 16
    max_cycles: int = 200
    layout: str = "fixed"
    """maps to train on (every run is evaluated on the fixed map and every family)"""
    ppo: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in ("scenarios", "arms", "seeds"):
            if not getattr(self, name):
                raise ValueError(f"preset {self.name!r}: {name} is empty")
        for scenario in self.scenarios:
            scenario_class(scenario)
        for name in self.arms:
            factors_of(name)
        if any(ARMS[name].cares for name in self.arms) and not self.lams:
            raise ValueError(f"preset {self.name!r}: lams (the lambda grid) is empty")
        if len(set(self.seeds)) < MIN_SEEDS:
            raise ValueError(
                f"preset {self.name!r}: seeds {list(self.seeds)} are fewer than"
                f" {MIN_SEEDS}; predictions need intervals over seeds"
            )
        if self.report_lam not in self.lams:
            raise ValueError(f"report_lam={self.report_lam} is not in lams {list(self.lams)}")
        if self.population not in PROFILES:
            raise ValueError(f"population {self.population!r} is unknown")
        if self.layout not in LAYOUTS:
            raise ValueError(
                f"preset {self.name!r}: layout must be one of {LAYOUTS}, got {self.layout!r}"
            )
        for scenario in self.scenarios:
            if self.layout not in scenario_class(scenario).layouts():
                raise ValueError(
                    f"preset {self.name!r}: layout {self.layout!r} is not available for"
                    f" {scenario} (it has {list(scenario_class(scenario).layouts())})"
                )
        check_positive_int("timesteps", self.timesteps)
        for scenario, steps in self.scenario_timesteps.items():
            if scenario not in self.scenarios:
                raise ValueError(f"scenario_timesteps names {scenario!r}, not in scenarios")
            check_positive_int(f"scenario_timesteps[{scenario!r}]", steps)
        PPOSettings(**self.ppo).validate()

    @classmethod
    def from_file(cls, path: str) -> Preset:
        try:
            fields = json.loads(Path(path).read_text())
        except (OSError, json.JSONDecodeError) as err:
            raise ValueError(f"config file {path!r} cannot be read as JSON: {err}") from err
        renamed = sorted(set(fields) & set(RENAMED_PRESET_FIELDS))
        if renamed:
            old = renamed[0]
            raise ValueError(
                f"config file {path!r}: field {old!r} was renamed {RENAMED_PRESET_FIELDS[old]!r}"
            )
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(fields) - known)
        if unknown:
            raise ValueError(
                f"config file {path!r} has unknown fields {unknown}; known: {sorted(known)}"
            )
        fields.setdefault("name", Path(path).stem)
        for key, value in fields.items():
            if isinstance(value, list):
                fields[key] = tuple(value)
        return cls(**fields)

    def trained_arms(self) -> list[Arm]:
        """Every arm trained: each named arm at each lambda of the grid where it has one."""
        out = []
        for name in self.arms:
            lams = self.lams if ARMS[name].cares else (0.0,)
            out += [Arm(name, lam) for lam in lams]
        return out

    def train_args(self, scenario: str, arm: Arm, seed: int) -> TrainArgs:
        """The arguments of the training command that trains ``arm`` on ``scenario``."""
        flags = command_of(arm)
        command = flags.pop("command")
        return ARGS_OF_COMMAND[command](
            scenario=scenario,
            population=self.population,
            **flags,
            timesteps=self.scenario_timesteps.get(scenario, self.timesteps),
            seed=seed,
            max_cycles=self.max_cycles,
            layout=self.layout,
            ppo=PPOSettings(**self.ppo),
            eval_episodes=self.eval_episodes,
            eval_populations=self.eval_populations,
            checkpoint_every=max(self.timesteps // 4, 1),
            progress=False,
        )


QUICK_ARMS = ("ppo", "affective", "cirl")
"""P1-P3 need these: the reward maximiser, the affective lesion and an intact arm."""

# Why these budgets (set from the learner's competence, before either comparison ran
# on this learner): with the tuned settings dilemma's arms reach 0.9 of their reference within
# 1M steps and fetch's cirl arm by about 2M, comfort's cirl at lambda 4 is near 0.9 at 2M
# (the tuning study's figures, README "Tuning"), so fetch and comfort get 3M. Seeds: quick
# runs 4, the fewest from which intervals are bootstrap-t (stats.py), so that its training
# fits 15 minutes on 2 cores; full runs 5, so that every arm in three scenarios fits 4 hours.
PRESETS = {
    p.name: p
    for p in (
        Preset(
            "micro",
            ("dilemma",),
            QUICK_ARMS,
            (0, 1),
            8192,
            lams=(1.0,),
            eval_populations=("default", "masking"),
            eval_episodes=2,
            max_cycles=40,
            ppo={"num_envs": 16, "num_steps": 32, "minibatch_size": 256},
        ),
        Preset(
            "quick",
            ("dilemma", "fetch"),
            QUICK_ARMS,
            tuple(range(4)),
            2_000_000,
            lams=(1.0,),
            eval_populations=("default", "masking"),
            scenario_timesteps={"fetch": 3_000_000},
        ),
        Preset(
            "full",
            ("fetch", "comfort", "dilemma"),
            tuple(ARMS),
            tuple(range(5)),
            2_000_000,
            scenario_timesteps={"fetch": 3_000_000, "comfort": 3_000_000},
        ),
    )
}
