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

from empathy_gym.agents.conditions import CELLS, Condition, cell_named
from empathy_gym.envs.core.population import PROFILES
from empathy_gym.envs.scenarios import scenario_class
from empathy_gym.envs.scenarios.base import LAYOUTS
from empathy_gym.errors import check_positive_int
from empathy_gym.train.runner import ARGS_OF_CONDITION, DEFAULT_HELD_OUT, TrainArgs
from empathy_gym.train.settings import PPOSettings

MIN_SEEDS = 2
"""Predictions need intervals over seeds."""


@dataclass(frozen=True)
class Preset:
    """What a comparison runs. A JSON file with these fields defines a custom one."""

    name: str
    scenarios: tuple[str, ...]
    cells: tuple[str, ...]
    seeds: tuple[int, ...]
    timesteps: int
    lams: tuple[float, ...] = (1.0, 4.0)
    report_lam: float = 1.0
    scenario_timesteps: dict = field(default_factory=dict)
    """per-scenario training budgets overriding ``timesteps`` (the same for every cell)"""
    population: str = "default"
    eval_populations: tuple[str, ...] = ("default", *DEFAULT_HELD_OUT)
    eval_episodes: int = 16
    max_cycles: int = 200
    layout: str = "fixed"
    """maps to train on (every run evaluates on both kinds)"""
    ppo: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in ("scenarios", "cells", "seeds"):
            if not getattr(self, name):
                raise ValueError(f"preset {self.name!r}: {name} is empty")
        for scenario in self.scenarios:
            scenario_class(scenario)
        for cell in self.cells:
            cell_named(cell)
        if any(CELLS[c].cares for c in self.cells) and not self.lams:
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

    def conditions(self) -> list[Condition]:
        """Every trained condition: each cell, at each lambda where it has one."""
        out = []
        for cell in self.cells:
            lams = self.lams if CELLS[cell].cares else (0.0,)
            out += [Condition(cell, lam) for lam in lams]
        return out

    def train_args(self, scenario: str, condition: Condition, seed: int) -> TrainArgs:
        cell = condition.spec
        script = "ppo" if cell.name == "ppo" else "cirl" if cell.term != "mood" else "contagion"
        lesion = (
            "affective"
            if cell.name == "affective"
            else "cognitive"
            if cell.cares and not cell.belief_inputs
            else "none"
        )
        extra = {}
        if script != "ppo":
            extra = {"lesion": lesion, "lam": condition.lam if cell.cares else 1.0}
        if script == "contagion":
            extra["coupling"] = cell.coupling
        return ARGS_OF_CONDITION[script](
            scenario=scenario,
            population=self.population,
            **extra,
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


QUICK_CELLS = ("ppo", "affective", "cirl")

PRESETS = {
    p.name: p
    for p in (
        Preset(
            "micro",
            ("dilemma",),
            ("ppo", "affective", "cirl"),
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
            QUICK_CELLS,
            tuple(range(6)),
            2_000_000,
            lams=(1.0,),
            eval_populations=("default", "masking"),
            scenario_timesteps={"fetch": 3_500_000},
        ),
        Preset(
            "full",
            ("fetch", "comfort", "dilemma"),
            tuple(CELLS),
            tuple(range(10)),
            2_000_000,
            scenario_timesteps={"fetch": 4_000_000},
        ),
    )
}


