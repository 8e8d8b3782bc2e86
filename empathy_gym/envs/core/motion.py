"""How agents move: Boltzmann-rational humans over distance fields, and the assistant's shove.

Humans choose among STAY/UP/DOWN/LEFT/RIGHT with probability proportional to
``exp(beta * (d(here) - d(next)))`` on the distance field of their route's current target,
so a rational human (large beta) walks a shortest path and an irrational one wanders.
Arousal lowers beta. Humans do not plan around other agents: a move into an occupied cell
is *blocked*, which they appraise negatively.

The assistant may walk into a human's cell: it shoves past (they swap cells) and the human
is harmed. This is the side effect the dilemma scenario is built around, and it exists in
every scenario, so harm is measured the same way everywhere.
"""

from __future__ import annotations

import math

from numba import njit

from empathy_gym.envs.core.layout import MOVES, UNREACHABLE
from empathy_gym.envs.core.population import TRAIT
from empathy_gym.envs.core.world import EV, RIGHT, STAY, UP


@njit(cache=True, inline="always")
def agent_at(pos, b, row, col, skip):
    """Index of the agent standing on (row, col), other than ``skip``; -1 if the cell is free."""
    for k in range(pos.shape[1]):
        if k != skip and pos[b, k, 0] == row and pos[b, k, 1] == col:
            return k
    return -1


@njit(cache=True, inline="always")
def move_assistants(world, maps, actions):
    """Carry out every member's assistant move; walking into a human shoves past them."""
    pos = world.pos
    for b in range(pos.shape[0]):
        m = maps.map_of[b]
        action = actions[b, 0]
        world.last_move[b, 0] = STAY
        if action < UP or action > RIGHT:
            continue
        row = pos[b, 0, 0] + MOVES[action, 0]
        col = pos[b, 0, 1] + MOVES[action, 1]
        if not maps.walkable[m, row, col]:
            continue
        k = agent_at(pos, b, row, col, 0)
        if k > 0:  # shove past the human: they take the assistant's cell and are harmed
            pos[b, k, 0] = pos[b, 0, 0]
            pos[b, k, 1] = pos[b, 0, 1]
            world.events[b, k - 1, EV.harm] += 1.0
        pos[b, 0, 0] = row
        pos[b, 0, 1] = col
        world.last_move[b, 0] = action


@njit(cache=True, inline="always")
def _progress_weight(dist, walkable, m, target, row, col, here, beta, up, down, a):
    """exp(beta * progress) of move ``a``; a step is one cell closer or farther almost
    always, whose weights ``up`` and ``down`` are computed once per human."""
    nr = row + MOVES[a, 0]
    nc = col + MOVES[a, 1]
    progress = here - (dist[m, target, nr, nc] if walkable[m, nr, nc] else here)
    if progress == 0.0:
        return 1.0
    if progress == 1.0:
        return up
    if progress == -1.0:
        return down
    return math.exp(beta * progress)


@njit(cache=True, inline="always")
def boltzmann_move(dist, walkable, m, target, row, col, beta, u):
    """Sample a move on map ``m`` with probability proportional to exp(beta * progress),
    using uniform ``u``."""
    here = dist[m, target, row, col]
    up, down = math.exp(beta), math.exp(-beta)
    w0 = _progress_weight(dist, walkable, m, target, row, col, here, beta, up, down, 0)
    w1 = _progress_weight(dist, walkable, m, target, row, col, here, beta, up, down, 1)
    w2 = _progress_weight(dist, walkable, m, target, row, col, here, beta, up, down, 2)
    w3 = _progress_weight(dist, walkable, m, target, row, col, here, beta, up, down, 3)
    w4 = _progress_weight(dist, walkable, m, target, row, col, here, beta, up, down, 4)
    x = u * (w0 + w1 + w2 + w3 + w4)
    for a, weight in enumerate((w0, w1, w2, w3)):
        x -= weight
        if x < 0.0:
            return a
    return 4


@njit(cache=True, inline="always")
def model_action(world, maps, p, b, i, u):
    """The move human ``i`` of member ``b`` chooses under the built-in model, from uniform ``u``.

    Boltzmann-rational toward the current target of its route, with beta lowered by arousal;
    a human who gave up, or whom the scenario holds withdrawn, stays.
    """
    if world.gave_up[b, i] or world.withdrawn[b, i]:
        return STAY
    m = maps.map_of[b]
    target = maps.routes[m, world.goal[b, i], world.stage[b, i]]
    drop = p.arousal_rationality_drop * world.affect[b, i, 1]
    beta = world.traits[b, i, TRAIT.rationality] * (1.0 - drop)
    k = 1 + i
    return boltzmann_move(
        maps.dist, maps.walkable, m, target, world.pos[b, k, 0], world.pos[b, k, 1], beta, u
    )


@njit(cache=True, inline="always")
def move_humans(world, maps, p, actions, rows, nz, external, waits_at_end):
    """Move every human, by the given actions when external, else by the built-in model.

    Records progress (toward the current target), blocked, waiting and goal events, and
    advances a human along its route on reaching a target. Humans move in index order.
    With ``waits_at_end`` a human at the last target of its route waits there (a ``wait``
    event each step) until the scenario's rules serve it, rather than achieving its goal
    on arrival.
    """
    pos = world.pos
    dist = maps.dist
    for b in range(pos.shape[0]):
        m = maps.map_of[b]
        for i in range(world.goal.shape[1]):
            k = 1 + i
            goal = world.goal[b, i]
            target = maps.routes[m, goal, world.stage[b, i]]
            before = dist[m, target, pos[b, k, 0], pos[b, k, 1]]
            if external:
                action = actions[b, k]
            else:
                action = model_action(world, maps, p, b, i, rows[b, nz.move + i])
            world.last_move[b, k] = STAY
            if action >= UP:
                row = pos[b, k, 0] + MOVES[action, 0]
                col = pos[b, k, 1] + MOVES[action, 1]
                if maps.walkable[m, row, col]:
                    if agent_at(pos, b, row, col, k) >= 0:
                        world.events[b, i, EV.blocked] += 1.0
                    else:
                        pos[b, k, 0] = row
                        pos[b, k, 1] = col
                        world.last_move[b, k] = action
            after = dist[m, target, pos[b, k, 0], pos[b, k, 1]]
            if before < UNREACHABLE and after < UNREACHABLE:
                world.events[b, i, EV.progress] += before - after
            if after == 0.0:
                if world.stage[b, i] < maps.route_len[m, goal] - 1:
                    world.stage[b, i] += 1
                elif waits_at_end:
                    world.events[b, i, EV.wait] += 1.0
                elif not world.achieved[b, i]:
                    world.events[b, i, EV.goal] += 1.0
                    world.achieved[b, i] = True
