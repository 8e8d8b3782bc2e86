"""The part of every observation that all scenarios share, declared once and written once.

A scenario's observation spec is ``assistant_fields(n, r) + its own fields`` (and likewise
for humans); ``scenarios/base.py`` turns that into a
:class:`~empathy_gym.envs.core.spec.FlatSpec` whose offsets the kernels below and the
scenario's own writer read by name. The columns of each shared field are listed here,
next to the code that writes them in that order.

An observer sees what a person standing in the room would: its own cell, the room's size,
the time, per person the relative position, last move and face, and an egocentric window
of the cells around it, MiniGrid style: which are walls (or beyond the room) and where
people stand. The scenario adds its task features, each as a position relative to the
observer. Never the hidden fields (``world.HIDDEN_FIELDS``; a counterfactual test checks
it). A human also sees its own private state: its affect, its goal and where its route
leads next.

Every position and size is in cells divided by ``CELL_SCALE``, the same on every map, so
an entry means the same distance on a 10 x 10 map as on a 20 x 20 one: what lets a policy
trained on one size play another.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from empathy_gym.envs.core.layout import MOVES
from empathy_gym.envs.core.spec import Field
from empathy_gym.envs.core.world import INTERACT

CELL_SCALE = 32
"""Cells per unit of a position entry; also the largest map side (entries stay in [-1, 1])."""

HUMAN_VIEW = ("drow", "dcol", "move_drow", "move_dcol", "expr_valence", "expr_arousal")
"""What the assistant sees of each human, in this order."""


UNTRACED_FIELDS = ("walls", "people")
"""Fields the assistant's memory (``agents/memory.py``) does not trace: the window. Its past
says little that the traced fields do not (where people were is in their own traced
positions; walls do not move) but it is three quarters of the observation, so tracing it
more than doubled the policy's input (comfort's cirl arm: 892 entries against 406) and
slowed both training and learning (measured in comfort at lambda 4: 2M steps at 25.5k
instead of 37.0k env-steps/s, earning 127.6 instead of 153.8)."""


def cells(observed: np.ndarray) -> np.ndarray:
    """Observed positions, offsets or sizes back in whole cells."""
    return np.rint(np.asarray(observed) * CELL_SCALE).astype(np.int64)


def window_cells(radius: int) -> tuple[str, ...]:
    """The window's cells in reading order, named by their offset from the observer."""
    span = range(-radius, radius + 1)
    return tuple(f"{dr:+d}{dc:+d}" for dr in span for dc in span)


def assistant_fields(n_humans: int, radius: int) -> list[Field]:
    return [
        Field("self", ("row", "col")),
        Field("room", ("height", "width")),
        Field("time", ("",)),
        Field("humans", HUMAN_VIEW, n_humans, "human"),
        Field("walls", window_cells(radius)),
        Field("people", window_cells(radius)),
    ]


def human_fields(n_humans: int, n_goals: int, radius: int) -> list[Field]:
    return [
        Field("self", ("row", "col")),
        Field("room", ("height", "width")),
        Field("time", ("",)),
        Field("affect", ("valence", "arousal")),
        Field("goal", tuple(str(g) for g in range(n_goals))),
        Field("target", ("drow", "dcol")),
        Field("assistant", ("drow", "dcol", "move_drow", "move_dcol")),
        Field("others", ("drow", "dcol", "expr_valence", "expr_arousal"), n_humans - 1, "other"),
        Field("walls", window_cells(radius)),
        Field("people", window_cells(radius)),
    ]


@njit(cache=True, inline="always")
def _window(out, walls, people, maps, m, pos, b, me, radius):
    """Write the egocentric window of agent ``me``: walls (or outside the room) and the
    other agents standing in it."""
    height, width = maps.walkable.shape[1:]
    row0, col0 = pos[b, me, 0], pos[b, me, 1]
    side = 2 * radius + 1
    for dr in range(-radius, radius + 1):
        for dc in range(-radius, radius + 1):
            k = (dr + radius) * side + dc + radius
            r, c = row0 + dr, col0 + dc
            inside = 0 <= r < height and 0 <= c < width
            out[walls + k] = 0.0 if inside and maps.walkable[m, r, c] else 1.0
            out[people + k] = 0.0
    for other in range(pos.shape[1]):
        dr, dc = pos[b, other, 0] - row0, pos[b, other, 1] - col0
        if other != me and abs(dr) <= radius and abs(dc) <= radius:
            out[people + (dr + radius) * side + dc + radius] = 1.0


@njit(cache=True, inline="always")
def observe_common(world, s, members):
    """Write the shared fields of every agent's observation, and the action masks.

    ``s`` is the scenario's statics: the maps, the offsets of the assistant's and the
    humans' observation specs (``oa``, ``oh``), the window's radius. Humans' observations
    are written only when they are agents (``s.external``): no one reads them otherwise.
    """
    maps, oa, oh, radius = s.layout, s.oa, s.oh, s.radius
    height, width = maps.walkable.shape[1:]
    n = world.goal.shape[1]
    pos = world.pos
    for idx in range(members.shape[0]):
        b = members[idx]
        m = maps.map_of[b]
        time = min(1.0, world.t[b] / s.max_cycles)
        row0 = pos[b, 0, 0]
        col0 = pos[b, 0, 1]
        out = world.obs_assistant[b]
        out[oa.self] = row0 / CELL_SCALE
        out[oa.self + 1] = col0 / CELL_SCALE
        out[oa.room] = height / CELL_SCALE
        out[oa.room + 1] = width / CELL_SCALE
        out[oa.time] = time
        for i in range(n):
            j = oa.humans + 6 * i
            out[j] = (pos[b, 1 + i, 0] - row0) / CELL_SCALE
            out[j + 1] = (pos[b, 1 + i, 1] - col0) / CELL_SCALE
            out[j + 2] = MOVES[world.last_move[b, 1 + i], 0]
            out[j + 3] = MOVES[world.last_move[b, 1 + i], 1]
            out[j + 4] = world.expression[b, i, 0]
            out[j + 5] = world.expression[b, i, 1]
        _window(out, oa.walls, oa.people, maps, m, pos, b, 0, radius)

        for i in range(n if s.external else 0):
            out = world.obs_humans[b, i]
            me_row = pos[b, 1 + i, 0]
            me_col = pos[b, 1 + i, 1]
            out[oh.self] = me_row / CELL_SCALE
            out[oh.self + 1] = me_col / CELL_SCALE
            out[oh.room] = height / CELL_SCALE
            out[oh.room + 1] = width / CELL_SCALE
            out[oh.time] = time
            out[oh.affect] = world.affect[b, i, 0]
            out[oh.affect + 1] = world.affect[b, i, 1]
            for g in range(maps.routes.shape[1]):
                out[oh.goal + g] = 0.0
            out[oh.goal + world.goal[b, i]] = 1.0
            target = maps.targets[m, maps.routes[m, world.goal[b, i], world.stage[b, i]]]
            out[oh.target] = (target[0] - me_row) / CELL_SCALE
            out[oh.target + 1] = (target[1] - me_col) / CELL_SCALE
            out[oh.assistant] = (row0 - me_row) / CELL_SCALE
            out[oh.assistant + 1] = (col0 - me_col) / CELL_SCALE
            out[oh.assistant + 2] = MOVES[world.last_move[b, 0], 0]
            out[oh.assistant + 3] = MOVES[world.last_move[b, 0], 1]
            j = oh.others
            for other in range(n):
                if other == i:
                    continue
                out[j] = (pos[b, 1 + other, 0] - me_row) / CELL_SCALE
                out[j + 1] = (pos[b, 1 + other, 1] - me_col) / CELL_SCALE
                out[j + 2] = world.expression[b, other, 0]
                out[j + 3] = world.expression[b, other, 1]
                j += 4
            _window(out, oh.walls, oh.people, maps, m, pos, b, 1 + i, radius)

        for k in range(pos.shape[1]):
            for a in range(5):
                world.action_mask[b, k, a] = maps.walkable[
                    m, pos[b, k, 0] + MOVES[a, 0], pos[b, k, 1] + MOVES[a, 1]
                ]
        world.action_mask[b, 0, INTERACT] = 1


@njit(cache=True, inline="always")
def relative(out, j, row, col, row0, col0):
    """Write the cell (row, col) at ``out[j:j + 2]`` as seen from (row0, col0)."""
    out[j] = (row - row0) / CELL_SCALE
    out[j + 1] = (col - col0) / CELL_SCALE
