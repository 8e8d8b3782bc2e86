"""The parts of a world step that every scenario shares, as numba kernels.

A scenario's step kernel is this skeleton with its own rules in between::

    rows = begin_step -> move_assistants -> (scenario: interact) -> move_humans
         -> (scenario: world events) -> finish_step

``finish_step`` turns the step's events into affect, rewards and observations, so the
scenarios only ever write events and task reward.

Performance layout (measured, see benchmarks/throughput.py). Numba reference-counts each
array of a tuple argument when a function is called with it, so a per-member call taking
the World and Layout (24 arrays) cost ~250 ns, more than the step's own work. Hence:
functions that take the tuples are batch-level (they loop over members inside) and are
inlined into each scenario's one compiled kernel (``inline="always"``); per-member helpers
(``agent_at``, ``boltzmann_move``, ``appraise``) take plain arrays. Only the scenario
kernels and ``refresh`` are entry points.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from empathy_gym.envs.core.affect import appraise, express, update_affect
from empathy_gym.envs.core.layout import MOVES
from empathy_gym.envs.core.world import (
    C_HARM,
    C_HELP,
    C_HUMAN_UTILITY,
    C_TASK,
    EV_HARM,
    EV_HELPED,
    INTERACT,
)


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
def finish_step(world, layout, params, rows, max_cycles):
    """Events -> utility -> affect -> expression; then reward components and observations."""
    batch, n = world.goal.shape
    utility = np.empty((batch, n))
    for b in range(batch):
        for i in range(n):
            utility[b, i] = appraise(world.events, b, i, params)
    update_affect(world, params, utility)
    members = np.arange(batch)
    express(world, params, rows, members)
    for b in range(batch):
        for i in range(n):
            harm = world.events[b, i, EV_HARM]
            helped = world.events[b, i, EV_HELPED]
            world.components[b, 0, C_HUMAN_UTILITY] += utility[b, i]
            world.components[b, 0, C_HARM] += harm
            world.components[b, 0, C_HELP] += helped
            world.components[b, 1 + i, C_TASK] = utility[b, i]
            world.components[b, 1 + i, C_HUMAN_UTILITY] = utility[b, i]
            world.components[b, 1 + i, C_HARM] = harm
            world.components[b, 1 + i, C_HELP] = helped
    observe(world, layout, max_cycles, members)


@njit(cache=True)
def refresh(members, world, layout, params, rows, max_cycles):
    """After ``members`` were (re)spawned: draw their expressions, write their observations."""
    express(world, params, rows, members)
    observe(world, layout, max_cycles, members)


@njit(cache=True, inline="always")
def observe(world, layout, max_cycles, members):
    """Write the assistant's and each human's observation (see ``world.observation_sizes``).

    The assistant's reads only what a bystander could see: positions, last moves, faces and
    the carried item. Never the hidden fields (``world.HIDDEN_FIELDS``). A human's includes
    its own private state (affect and goal) and what it sees of the others.
    """
    height, width = layout.walkable.shape
    n = world.goal.shape[1]
    n_goals = layout.goal_cells.shape[0]
    n_items = layout.item_at.max() + 1
    pos = world.pos
    for idx in range(members.shape[0]):
        b = members[idx]
        time = min(1.0, world.t[b] / max_cycles)
        row0 = pos[b, 0, 0]
        col0 = pos[b, 0, 1]

        out = world.obs_assistant[b]
        out[0] = row0 / (height - 1)
        out[1] = col0 / (width - 1)
        out[2] = time
        j = 3
        for i in range(n):
            out[j] = (pos[b, 1 + i, 0] - row0) / height
            out[j + 1] = (pos[b, 1 + i, 1] - col0) / width
            out[j + 2] = MOVES[world.last_move[b, 1 + i], 0]
            out[j + 3] = MOVES[world.last_move[b, 1 + i], 1]
            out[j + 4] = world.expression[b, i, 0]
            out[j + 5] = world.expression[b, i, 1]
            j += 6
        _write_shared(out, j, world.carry[b], world.objects, b, row0, col0, height, width, n_items)

        for i in range(n):
            out = world.obs_humans[b, i]
            me_row = pos[b, 1 + i, 0]
            me_col = pos[b, 1 + i, 1]
            out[:] = 0.0
            out[0] = me_row / (height - 1)
            out[1] = me_col / (width - 1)
            out[2] = time
            out[3] = world.affect[b, i, 0]
            out[4] = world.affect[b, i, 1]
            out[5 + world.goal[b, i]] = 1.0
            j = 5 + n_goals
            out[j] = (row0 - me_row) / height
            out[j + 1] = (col0 - me_col) / width
            out[j + 2] = MOVES[world.last_move[b, 0], 0]
            out[j + 3] = MOVES[world.last_move[b, 0], 1]
            j += 4
            for other in range(n):
                if other == i:
                    continue
                out[j] = (pos[b, 1 + other, 0] - me_row) / height
                out[j + 1] = (pos[b, 1 + other, 1] - me_col) / width
                out[j + 2] = world.expression[b, other, 0]
                out[j + 3] = world.expression[b, other, 1]
                j += 4
            _write_shared(
                out, j, world.carry[b], world.objects, b, me_row, me_col, height, width, n_items
            )

        for k in range(pos.shape[1]):
            for a in range(5):
                world.action_mask[b, k, a] = layout.walkable[
                    pos[b, k, 0] + MOVES[a, 0], pos[b, k, 1] + MOVES[a, 1]
                ]
        world.action_mask[b, 0, INTERACT] = 1


@njit(cache=True, inline="always")
def _write_shared(out, j, carry, objects, b, row, col, height, width, n_items):
    """The part every agent sees alike: the assistant's carried item and the task objects."""
    if n_items > 0:
        out[j : j + n_items + 1] = 0.0
        out[j + 1 + carry] = 1.0
        j += n_items + 1
    for m in range(objects.shape[1]):
        out[j] = (objects[b, m, 0] - row) / height
        out[j + 1] = (objects[b, m, 1] - col) / width
        j += 2
