"""The parts of a world step that every scenario shares, as numba kernels.

A scenario's kernel (see ``scenarios/base.py`` and any scenario module) is this skeleton
with its own rules in between::

    rows = begin_step -> move_assistants -> (scenario: interact) -> move_humans
         -> (scenario: world events) -> finish_step -> observe_common + (scenario: observe)

``finish_step`` turns the step's events into affect and reward components, so scenarios
only ever write events and the task reward.

Performance layout (measured, see benchmarks/throughput.py). Numba reference-counts each
array of a tuple argument when a function is called with it, so a per-member call taking
the World and Layout cost ~250 ns, more than the step's own work. Hence functions that take
the tuples are batch-level (they loop over members inside) and are inlined into each
scenario's one compiled kernel (``inline="always"``); per-member helpers take plain arrays.
Each scenario kernel is the only entry point.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from empathy_gym.envs.core.affect import appraise, express, update_affect
from empathy_gym.envs.core.world import CO, EV


@njit(cache=True, inline="always")
def begin_step(world, noise, cursor):
    """Clear the step's outputs; return each member's next row of pre-drawn noise, (B, D)."""
    batch = world.t.shape[0]
    rows = np.empty((batch, noise.shape[2]))
    for b in range(batch):
        world.events[b] = 0.0
        world.components[b] = 0.0
        world.t[b] += 1
        rows[b] = noise[b, cursor[b]]
        cursor[b] += 1
    return rows


@njit(cache=True, inline="always")
def finish_step(world, p, rows, nz):
    """Events -> utility -> affect -> expression; then every agent's reward components.

    The assistant's ``welfare`` is the humans' mean true valence after the step: the
    quantity the report calls welfare, and the term the ``cirl`` arms add.
    """
    batch, n = world.goal.shape
    utility = np.empty((batch, n))
    for b in range(batch):
        for i in range(n):
            utility[b, i] = appraise(world.events, b, i, p)
    update_affect(world, p, utility)
    express(world, p, rows, np.arange(batch), nz)
    for b in range(batch):
        for i in range(n):
            harm = world.events[b, i, EV.harm]
            helped = world.events[b, i, EV.helped]
            valence = world.affect[b, i, 0]
            world.components[b, 0, CO.welfare] += valence / n
            world.components[b, 0, CO.harm] += harm
            world.components[b, 0, CO.help] += helped
            world.components[b, 1 + i, CO.task] = utility[b, i]
            world.components[b, 1 + i, CO.welfare] = valence
            world.components[b, 1 + i, CO.harm] = harm
            world.components[b, 1 + i, CO.help] = helped
