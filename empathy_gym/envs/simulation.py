"""A batch of worlds of one scenario: the one simulation every view adapts.

Each batch member has its own Generator (``gymnasium.utils.seeding.np_random``), seeded in
``reset``, so member ``b`` of a batch seeded ``s + b`` follows exactly the trajectory of a
single env seeded ``s + b``. Step noise is drawn from each member's Generator in blocks of
``NOISE_BLOCK`` steps and handed to the kernel: one Generator call per member every
``NOISE_BLOCK`` steps instead of every step, which is what lets a batch of 1024 run at
millions of steps per second. A batch of 1 uses the same code, so the streams agree.

The kernel reads the batch's maps (``core/layout.Maps``): one map shared by every member
for a fixed layout, or a map per member for a procedural one, drawn from the member's
Generator at each of its resets straight into its slot (``Scenario.draw``, compiled).
Either way one kernel call steps the whole batch.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
from gymnasium.utils import seeding

from empathy_gym.envs.core.jit import bind_kernel
from empathy_gym.envs.core.layout import Layout, Maps, batch_maps, member, stack
from empathy_gym.envs.core.world import PUBLIC_FIELDS
from empathy_gym.envs.scenarios import Scenario
from empathy_gym.envs.scenarios.base import OBSERVE, RESPAWN, STEP

NOISE_BLOCK = 32


class Public(NamedTuple):
    """What anyone in the room could know of a batch: the public world fields (copies), the
    scenario's state but for its hidden fields, and the batch's maps and rules (read-only
    views). The planner (``agents/planner.py``) plans on this; it holds no truth."""

    world: NamedTuple
    state: NamedTuple
    maps: Maps
    rules: NamedTuple


class Simulation:
    def __init__(self, scenario: Scenario, batch: int):
        self.scenario = scenario
        self.batch = batch
        self.world, self.state = scenario.allocate(batch)
        self.actions = np.zeros((batch, 1 + scenario.n_humans), np.int64)
        self.rngs: list[np.random.Generator | None] = [None] * batch
        width = scenario.noise_spec.size
        self._noise = np.zeros((batch, NOISE_BLOCK, width))
        self._cursor = np.full(batch, NOISE_BLOCK, np.int64)
        self._steps_to_refill = 0
        self._everyone = np.arange(batch, dtype=np.int64)
        self._no_rows = np.zeros((0, width))
        if scenario.procedural:
            layouts, self.rules = scenario.allocate_maps(batch)
        else:
            layouts, self.rules = stack([scenario.layout]), stack([scenario.rules])
        self.maps = batch_maps(layouts, batch)
        self.statics = scenario.statics(self.maps, self.rules)
        self._step_arguments = self._arguments(self._no_rows, self._everyone, STEP)
        self._kernel = bind_kernel(scenario.kernel, *self._step_arguments)
        self._views: dict[int, Scenario] = {}
        shown = [f for f in self.state._fields if f not in scenario.hidden_state]
        self._public_types = (
            NamedTuple("PublicWorld", [(f, np.ndarray) for f in PUBLIC_FIELDS]),
            NamedTuple("PublicState", [(f, np.ndarray) for f in shown]),
        )

    def map_of(self, b: int) -> tuple[Layout, tuple]:
        """Member ``b``'s map: its layout and rules (views into the batch's arrays)."""
        m = int(self.maps.map_of[b])
        return Layout(*(getattr(self.maps, f)[m] for f in Layout._fields)), member(self.rules, m)

    def scenario_of(self, b: int) -> Scenario:
        """The scenario as member ``b`` plays it: showing that member's map. Member 0's is
        ``scenario`` itself (an env renders it)."""
        if not self.scenario.procedural:
            return self.scenario
        if b not in self._views:
            self._views[b] = self.scenario if b == 0 else copy.copy(self.scenario)
            self._views[b].show(*self.map_of(b))
        return self._views[b]

    def _arguments(self, rows: np.ndarray, members: np.ndarray, mode: int) -> tuple:
        return (
            self.world,
            self.state,
            self.statics,
            self.actions,
            self._noise,
            self._cursor,
            rows,
            members,
            mode,
        )

    def reset(self, members: Sequence[int], seeds: Sequence[int | None]) -> None:
        """Start new episodes in ``members``; a seed re-seeds that member's Generator."""
        fresh = np.empty((len(members), self.scenario.noise_spec.size))
        for k, (b, seed) in enumerate(zip(members, seeds, strict=True)):
            if seed is not None or self.rngs[b] is None:
                self.rngs[b], _ = seeding.np_random(seed)
                self._cursor[b] = NOISE_BLOCK  # the old Generator's noise must not be used
                self._steps_to_refill = 0
            rng = self.rngs[b]
            if self.scenario.procedural:
                self.scenario.draw_into(rng, self.maps, self.rules, b)
                self._views.pop(b, None)  # its old map's view
                if b == 0:
                    self.scenario.show(*self.map_of(0))
            self.scenario.spawn(rng, self.world, self.state, b, *self.map_of(b))
            rng.random(out=fresh[k])
        self._kernel(*self._arguments(fresh, np.asarray(members, np.int64), RESPAWN))

    def public(self) -> Public:
        """A copy of what is public in every member (see :class:`Public`)."""
        world, state = self._public_types
        return Public(
            world=world(*(getattr(self.world, f).copy() for f in PUBLIC_FIELDS)),
            state=state(*(getattr(self.state, f).copy() for f in state._fields)),
            maps=self.maps,
            rules=self.rules,
        )

    def observe(self, members: Sequence[int]) -> None:
        """Rewrite the observations of ``members`` from the world as it is now."""
        self._kernel(*self._arguments(self._no_rows, np.asarray(members, np.int64), OBSERVE))

    def step(self) -> None:
        """Advance every member by one step with the actions in ``self.actions``."""
        if self._steps_to_refill <= 0:
            self._refill()
        self._steps_to_refill -= 1
        self._kernel(*self._step_arguments)

    def _refill(self) -> None:
        for b in np.flatnonzero(self._cursor >= NOISE_BLOCK):
            self.rngs[b].random(out=self._noise[b])
            self._cursor[b] = 0
        self._steps_to_refill = NOISE_BLOCK - int(self._cursor.max())
