"""How agents move: Boltzmann-rational humans over distance fields, and the assistant's shove.

Humans choose among STAY/UP/DOWN/LEFT/RIGHT with probability proportional to
``exp(beta * (d(here) - d(next)))`` on their goal's distance field, so a rational human
(large beta) walks a shortest path and an irrational one wanders. Arousal lowers beta.
Humans do not plan around other agents: a move into an occupied cell is *blocked*, which
they appraise negatively.

The assistant may walk into a human's cell: it shoves past (they swap cells) and the human
is harmed. This is the side effect the dilemma scenario is built around, and it exists in
every scenario, so harm is measured the same way everywhere.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from empathy_gym.envs.core.layout import MOVES, UNREACHABLE
from empathy_gym.envs.core.population import P_AROUSAL_DROP, RATIONALITY
from empathy_gym.envs.core.world import (
    EV_BLOCKED,
    EV_GOAL,
    EV_HARM,
    EV_PROGRESS,
    EV_WAIT,
    RIGHT,
    STAY,
    UP,
)


@njit(cache=True)
def agent_at(b, world, row, col, skip):
    """Index of the agent standing on (row, col), other than ``skip``; -1 if the cell is free."""
    for k in range(world.pos.shape[1]):
        if k != skip and world.pos[b, k, 0] == row and world.pos[b, k, 1] == col:
            return k
    return -1


@njit(cache=True)
def move_assistant(b, action, world, layout):
    world.last_move[b, 0] = STAY
    if action < UP or action > RIGHT:
        return
    row = world.pos[b, 0, 0] + MOVES[action, 0]
    col = world.pos[b, 0, 1] + MOVES[action, 1]
    if not layout.walkable[row, col]:
        return
    k = agent_at(b, world, row, col, 0)
    if k > 0:  # shove past the human: they take the assistant's cell and are harmed
        world.pos[b, k, 0] = world.pos[b, 0, 0]
        world.pos[b, k, 1] = world.pos[b, 0, 1]
        world.events[b, k - 1, EV_HARM] += 1.0
    world.pos[b, 0, 0] = row
    world.pos[b, 0, 1] = col
    world.last_move[b, 0] = action


@njit(cache=True)
def choose_move(b, i, world, layout, params, u):
    """Sample human ``i``'s move with the uniform number ``u``."""
    goal = world.goal[b, i]
    row = world.pos[b, 1 + i, 0]
    col = world.pos[b, 1 + i, 1]
    here = layout.dist[goal, row, col]
    beta = world.traits[b, i, RATIONALITY] * (1.0 - params[P_AROUSAL_DROP] * world.affect[b, i, 1])
    weights = np.empty(5)
    for a in range(5):
        nr = row + MOVES[a, 0]
        nc = col + MOVES[a, 1]
        there = layout.dist[goal, nr, nc] if layout.walkable[nr, nc] else here
        weights[a] = math.exp(beta * (here - there))
    total = weights.sum()
    x = u * total
    for a in range(4):
        x -= weights[a]
        if x < 0.0:
            return a
    return 4


@njit(cache=True)
def move_human(b, i, action, world, layout, needs_service):
    """Carry out human ``i``'s move and record progress, blocking, waiting and goal events."""
    k = 1 + i
    goal = world.goal[b, i]
    before = layout.dist[goal, world.pos[b, k, 0], world.pos[b, k, 1]]
    world.last_move[b, k] = STAY
    if action >= UP:
        row = world.pos[b, k, 0] + MOVES[action, 0]
        col = world.pos[b, k, 1] + MOVES[action, 1]
        if layout.walkable[row, col]:
            if agent_at(b, world, row, col, k) >= 0:
                world.events[b, i, EV_BLOCKED] += 1.0
            else:
                world.pos[b, k, 0] = row
                world.pos[b, k, 1] = col
                world.last_move[b, k] = action
    after = layout.dist[goal, world.pos[b, k, 0], world.pos[b, k, 1]]
    if before < UNREACHABLE and after < UNREACHABLE:
        world.events[b, i, EV_PROGRESS] += before - after
    if after == 0.0:
        if needs_service:
            world.events[b, i, EV_WAIT] += 1.0
        elif not world.achieved[b, i]:
            world.events[b, i, EV_GOAL] += 1.0
            world.achieved[b, i] = True
