"""The parts of a world step that every scenario shares, as numba kernels over member ``b``.

A scenario's step kernel is this skeleton with its own rules in between::

    begin_step -> move_assistant -> (scenario: interact) -> move_humans
               -> (scenario: world events) -> finish_step

``finish_step`` turns the step's events into affect, rewards and observations, so the
scenarios only ever write events and task reward.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from empathy_gym.envs.core.affect import appraise, express, update_affect
from empathy_gym.envs.core.layout import MOVES
from empathy_gym.envs.core.motion import choose_move, move_human
from empathy_gym.envs.core.world import (
    C_HARM,
    C_HELP,
    C_HUMAN_UTILITY,
    C_TASK,
    EV_HARM,
    EV_HELPED,
    INTERACT,
    NOISE_PER_HUMAN,
    NZ_MOVE,
    STAY,
)


@njit(cache=True)
def begin_step(b, world, noise, cursor):
    """Clear the step's outputs and return member ``b``'s next row of pre-drawn noise."""
    world.events[b, :, :] = 0.0
    world.components[b, :, :] = 0.0
    world.t[b] += 1
    row = noise[b, cursor[b]]
    cursor[b] += 1
    return row


@njit(cache=True)
def move_humans(b, world, layout, params, actions, noise_row, external, needs_service):
    """Move every human: by the given actions when external, else by the Boltzmann model."""
    for i in range(world.goal.shape[1]):
        if external:
            action = actions[b, 1 + i]
        elif world.gave_up[b, i]:
            action = STAY
        else:
            action = choose_move(
                b, i, world, layout, params, noise_row[i * NOISE_PER_HUMAN + NZ_MOVE]
            )
        move_human(b, i, action, world, layout, needs_service)


@njit(cache=True)
def finish_step(b, world, layout, params, noise_row, max_cycles):
    """Events -> utility -> affect -> expression; then reward components and observations."""
    n = world.goal.shape[1]
    utility = np.empty(n)
    for i in range(n):
        utility[i] = appraise(world.events[b, i], params)
    update_affect(b, world, params, utility)
    express(b, world, params, noise_row)
    for i in range(n):
        world.components[b, 0, C_HUMAN_UTILITY] += utility[i]
        world.components[b, 0, C_HARM] += world.events[b, i, EV_HARM]
        world.components[b, 0, C_HELP] += world.events[b, i, EV_HELPED]
        world.components[b, 1 + i, C_TASK] = utility[i]
        world.components[b, 1 + i, C_HUMAN_UTILITY] = utility[i]
        world.components[b, 1 + i, C_HARM] = world.events[b, i, EV_HARM]
        world.components[b, 1 + i, C_HELP] = world.events[b, i, EV_HELPED]
    observe(b, world, layout, max_cycles)


@njit(cache=True)
def refresh(batch_index, world, layout, params, noise, max_cycles):
    """After members were (re)spawned: draw their expressions and write their observations."""
    for idx in range(batch_index.shape[0]):
        b = batch_index[idx]
        express(b, world, params, noise[idx])
        observe(b, world, layout, max_cycles)


@njit(cache=True)
def observe(b, world, layout, max_cycles):
    """Write the assistant's observation and each human's (see ``world.observation_sizes``).

    The assistant's reads only what a bystander could see: positions, last moves, faces and
    the carried item. Never the hidden fields (``world.HIDDEN_FIELDS``). A human's includes
    its own private state (affect and goal) and what it sees of the others.
    """
    height, width = layout.walkable.shape
    n = world.goal.shape[1]
    n_goals = layout.goal_cells.shape[0]
    n_items = layout.item_at.max() + 1
    time = min(1.0, world.t[b] / max_cycles)
    row0 = world.pos[b, 0, 0]
    col0 = world.pos[b, 0, 1]

    out = world.obs_assistant[b]
    out[0] = row0 / (height - 1)
    out[1] = col0 / (width - 1)
    out[2] = time
    j = 3
    for i in range(n):
        out[j] = (world.pos[b, 1 + i, 0] - row0) / height
        out[j + 1] = (world.pos[b, 1 + i, 1] - col0) / width
        out[j + 2] = MOVES[world.last_move[b, 1 + i], 0]
        out[j + 3] = MOVES[world.last_move[b, 1 + i], 1]
        out[j + 4] = world.expression[b, i, 0]
        out[j + 5] = world.expression[b, i, 1]
        j += 6
    _write_shared(out, j, b, world, row0, col0, height, width, n_items)

    for i in range(n):
        out = world.obs_humans[b, i]
        me_row = world.pos[b, 1 + i, 0]
        me_col = world.pos[b, 1 + i, 1]
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
            out[j] = (world.pos[b, 1 + other, 0] - me_row) / height
            out[j + 1] = (world.pos[b, 1 + other, 1] - me_col) / width
            out[j + 2] = world.expression[b, other, 0]
            out[j + 3] = world.expression[b, other, 1]
            j += 4
        _write_shared(out, j, b, world, me_row, me_col, height, width, n_items)

    for k in range(world.pos.shape[1]):
        for a in range(5):
            world.action_mask[b, k, a] = layout.walkable[
                world.pos[b, k, 0] + MOVES[a, 0], world.pos[b, k, 1] + MOVES[a, 1]
            ]
    world.action_mask[b, 0, INTERACT] = 1


@njit(cache=True)
def _write_shared(out, j, b, world, row, col, height, width, n_items):
    """The part every agent sees alike: the assistant's carried item and the task objects."""
    if n_items > 0:
        out[j : j + n_items + 1] = 0.0
        out[j + 1 + world.carry[b]] = 1.0
        j += n_items + 1
    for m in range(world.objects.shape[1]):
        out[j] = (world.objects[b, m, 0] - row) / height
        out[j + 1] = (world.objects[b, m, 1] - col) / width
        j += 2
