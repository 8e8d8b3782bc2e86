"""What every scenario shares: its configuration fields, spawning, and the kernel call.

A scenario subclass supplies its map, how the map becomes a Layout, where task objects
appear, and a numba ``step_batch`` kernel built from ``core.step``'s skeleton.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np

from empathy_gym.envs.core.layout import AsciiMap, Layout
from empathy_gym.envs.core.population import (
    BASELINE_VALENCE,
    AffectModel,
    PopulationProfile,
    resolve_population,
)
from empathy_gym.envs.core.world import NOISE_PER_HUMAN, World, observation_sizes

HUMAN_CONTROL = ("model", "external")


@dataclass
class ScenarioConfig:
    """Arguments every scenario takes. Plain data: ``to_dict`` gives JSON for a run's record."""

    n_humans: int | None = None  # None: the scenario's default
    population: str | PopulationProfile = "default"
    max_cycles: int = 200
    human_control: str = "model"  # "model": built-in humans; "external": human_i are agents
    map: str | None = None  # ASCII map; None: the scenario's default map
    affect_model: AffectModel = field(default_factory=AffectModel)

    @classmethod
    def from_kwargs(cls, **kwargs) -> ScenarioConfig:
        """Build from keyword arguments; an unknown one gets a ValueError listing the known."""
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(kwargs) - known)
        if unknown:
            raise ValueError(f"unknown argument(s) {unknown}; this scenario takes {sorted(known)}")
        if isinstance(kwargs.get("affect_model"), dict):
            kwargs["affect_model"] = AffectModel(**kwargs["affect_model"])
        if isinstance(kwargs.get("population"), dict):
            kwargs["population"] = PopulationProfile(**kwargs["population"])
        return cls(**kwargs)

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


def check_positive_int(name: str, value) -> None:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value <= 0:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")


def check_non_negative(name: str, value) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ValueError(f"{name} must be a number >= 0, got {value!r}")


def check_probability(name: str, value) -> None:
    if not isinstance(value, int | float) or not 0.0 <= value <= 1.0:
        raise ValueError(f"{name} must be a probability in [0, 1], got {value!r}")


class Scenario:
    """A scenario's rules over a Layout; built once per env from its config."""

    name: ClassVar[str]
    default_map: ClassVar[str]
    map_chars: ClassVar[str]
    default_humans: ClassVar[int]
    n_global_noise: ClassVar[int] = 0
    n_objects: int = 0

    def __init__(self, config: ScenarioConfig):
        self.config = config
        check_positive_int("max_cycles", config.max_cycles)
        if config.human_control not in HUMAN_CONTROL:
            raise ValueError(
                f"human_control must be one of {HUMAN_CONTROL}, got {config.human_control!r}"
            )
        if not isinstance(config.affect_model, AffectModel):
            raise ValueError("affect_model must be an AffectModel (or a dict of its fields)")
        self.population = resolve_population(config.population)
        self.ascii_map = AsciiMap(
            self.default_map if config.map is None else config.map, self.map_chars
        )
        self.layout: Layout = self.build_layout(self.ascii_map)
        self.n_humans = self.default_humans if config.n_humans is None else config.n_humans
        check_positive_int("n_humans", self.n_humans)
        spawns = len(self.layout.human_spawns)
        if self.n_humans > spawns:
            raise ValueError(
                f"n_humans={self.n_humans} but the {self.name} map has only {spawns}"
                " human spawn tile(s) 'H'"
            )
        self.params = config.affect_model.as_array()
        self.external = config.human_control == "external"
        self.n_goals = len(self.layout.goal_cells)
        self.n_items = int(self.layout.item_at.max()) + 1
        self.obs_sizes = observation_sizes(
            self.n_humans, self.n_goals, self.n_items, self.n_objects
        )
        self.noise_width = self.n_humans * NOISE_PER_HUMAN + self.n_global_noise

    # --- supplied by each scenario -------------------------------------------------------
    def build_layout(self, ascii_map: AsciiMap) -> Layout:
        raise NotImplementedError

    def rules(self) -> np.ndarray:
        """The scenario's own constants, in the order its kernel reads them."""
        return np.zeros(0)

    # The scenario's numba step kernel, called as
    # kernel(layout, world, actions, noise, cursor, params, rules, external, max_cycles).
    kernel: ClassVar[Callable]

    # --- shared --------------------------------------------------------------------------
    def spawn(self, rng: np.random.Generator, world: World, b: int) -> None:
        """Start a new episode in batch member ``b``; all randomness from ``rng``."""
        layout = self.layout
        n = self.n_humans
        world.pos[b, 0] = layout.assistant_spawns[rng.integers(len(layout.assistant_spawns))]
        world.pos[b, 1:] = layout.human_spawns[
            rng.choice(len(layout.human_spawns), n, replace=False)
        ]
        world.goal[b] = rng.integers(self.n_goals, size=n)
        world.traits[b] = self.population.sample(rng, n)
        world.affect[b, :, 0] = world.traits[b, :, BASELINE_VALENCE]
        world.affect[b, :, 1] = self.config.affect_model.baseline_arousal
        world.achieved[b] = False
        world.gave_up[b] = False
        world.carry[b] = -1
        world.last_move[b] = 0
        world.t[b] = 0
        world.events[b] = 0.0
        world.components[b] = 0.0
        if self.n_objects:
            cells = layout.task_cells
            world.objects[b] = cells[rng.choice(len(cells), self.n_objects, replace=False)]
