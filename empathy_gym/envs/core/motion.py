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

from numba import njit

from empathy_gym.envs.core.layout import MOVES, UNREACHABLE
from empathy_gym.envs.core.population import P_AROUSAL_DROP, RATIONALITY
from empathy_gym.envs.core.world import (
    EV_BLOCKED,
    EV_GOAL,
    EV_HARM,
    EV_PROGRESS,
    EV_WAIT,
    NOISE_PER_HUMAN,
    NZ_MOVE,
    RIGHT,
    STAY,
    UP,
)


@njit(cache=True, inline="always")
def agent_at(pos, b, row, col, skip):
    """Index of the agent standing on (row, col), other than ``skip``; -1 if the cell is free."""
    for k in range(pos.shape[1]):
        if k != skip and pos[b, k, 0] == row and pos[b, k, 1] == col:
            return k
    return -1


@njit(cache=True, inline="always")
def move_assistants(world, layout, actions):
    """Carry out every member's assistant move; walking into a human shoves past them."""
    pos = world.pos
    for b in range(pos.shape[0]):
        action = actions[b, 0]
        world.last_move[b, 0] = STAY
        if action < UP or action > RIGHT:
            continue
        row = pos[b, 0, 0] + MOVES[action, 0]
        col = pos[b, 0, 1] + MOVES[action, 1]
        if not layout.walkable[row, col]:
            continue
        k = agent_at(pos, b, row, col, 0)
        if k > 0:  # shove past the human: they take the assistant's cell and are harmed
            pos[b, k, 0] = pos[b, 0, 0]
            pos[b, k, 1] = pos[b, 0, 1]
            world.events[b, k - 1, EV_HARM] += 1.0
        pos[b, 0, 0] = row
        pos[b, 0, 1] = col
        world.last_move[b, 0] = action


@njit(cache=True, inline="always")
def boltzmann_move(dist, walkable, goal, row, col, beta, u):
    """Sample a move with probability proportional to exp(beta * progress), using uniform ``u``."""
    here = dist[goal, row, col]
    total = 0.0
    for a in range(5):
        nr = row + MOVES[a, 0]
        nc = col + MOVES[a, 1]
        there = dist[goal, nr, nc] if walkable[nr, nc] else here
        total += math.exp(beta * (here - there))
    x = u * total
    for a in range(4):
        nr = row + MOVES[a, 0]
        nc = col + MOVES[a, 1]
        there = dist[goal, nr, nc] if walkable[nr, nc] else here
        x -= math.exp(beta * (here - there))
        if x < 0.0:
            return a
    return 4


@njit(cache=True, inline="always")
def move_humans(world, layout, params, actions, rows, external, needs_service):
    """Move every human, by the given actions when external, else by the Boltzmann model.

    Records progress, blocked, waiting and goal events. Humans move in index order.
    """
    pos = world.pos
    dist = layout.dist
    for b in range(pos.shape[0]):
        for i in range(world.goal.shape[1]):
            k = 1 + i
            goal = world.goal[b, i]
            before = dist[goal, pos[b, k, 0], pos[b, k, 1]]
            if external:
                action = actions[b, k]
            elif world.gave_up[b, i]:
                action = STAY
            else:
                drop = params[P_AROUSAL_DROP] * world.affect[b, i, 1]
                beta = world.traits[b, i, RATIONALITY] * (1.0 - drop)
                u = rows[b, i * NOISE_PER_HUMAN + NZ_MOVE]
                action = boltzmann_move(
                    dist, layout.walkable, goal, pos[b, k, 0], pos[b, k, 1], beta, u
                )
            world.last_move[b, k] = STAY
            if action >= UP:
                row = pos[b, k, 0] + MOVES[action, 0]
                col = pos[b, k, 1] + MOVES[action, 1]
                if layout.walkable[row, col]:
                    if agent_at(pos, b, row, col, k) >= 0:
                        world.events[b, i, EV_BLOCKED] += 1.0
                    else:
                        pos[b, k, 0] = row
                        pos[b, k, 1] = col
                        world.last_move[b, k] = action
            after = dist[goal, pos[b, k, 0], pos[b, k, 1]]
            if before < UNREACHABLE and after < UNREACHABLE:
                world.events[b, i, EV_PROGRESS] += before - after
            if after == 0.0:
                if needs_service:
                    world.events[b, i, EV_WAIT] += 1.0
                elif not world.achieved[b, i]:
                    world.events[b, i, EV_GOAL] += 1.0
                    world.achieved[b, i] = True
