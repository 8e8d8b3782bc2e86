"""The part of every observation that all scenarios share, declared once and written once.

A scenario's observation spec is ``assistant_fields(n) + its own fields`` (and likewise for
humans); ``scenarios/base.py`` turns that into a :class:`~empathy_gym.envs.core.spec.FlatSpec`
whose offsets the kernels below and the scenario's own writer read by name. The columns of
each shared field are listed here, next to the code that writes them in that order.

The assistant sees only what a bystander could see: its own cell, the time, and per human
the relative position, last move and face. Never the hidden fields (``world.HIDDEN_FIELDS``;
a counterfactual test checks it). A human also sees its own private state: its affect, its
goal and where its route leads next.
"""

from __future__ import annotations

from numba import njit

from empathy_gym.envs.core.layout import MOVES
from empathy_gym.envs.core.spec import Field
from empathy_gym.envs.core.world import INTERACT

HUMAN_VIEW = ("drow", "dcol", "move_drow", "move_dcol", "expr_valence", "expr_arousal")
"""What the assistant sees of each human, in this order."""


def assistant_fields(n_humans: int) -> list[Field]:
    return [
        Field("self", ("row", "col")),
        Field("time", ("",)),
        Field("humans", HUMAN_VIEW, n_humans, "human"),
    ]


def human_fields(n_humans: int, n_goals: int) -> list[Field]:
    return [
        Field("self", ("row", "col")),
        Field("time", ("",)),
        Field("affect", ("valence", "arousal")),
        Field("goal", tuple(str(g) for g in range(n_goals))),
        Field("target", ("drow", "dcol")),
        Field("assistant", ("drow", "dcol", "move_drow", "move_dcol")),
        Field("others", ("drow", "dcol", "expr_valence", "expr_arousal"), n_humans - 1, "other"),
    ]


@njit(cache=True, inline="always")
def observe_common(world, maps, oa, oh, max_cycles, members):
    """Write the shared fields of every agent's observation, and the action masks.

    ``oa`` and ``oh`` are the offsets of the assistant's and the humans' observation specs.
    Positions are relative and divided by the map's size, so every entry is in [-1, 1].
    """
    height, width = maps.walkable.shape[1:]
    n = world.goal.shape[1]
    pos = world.pos
    for idx in range(members.shape[0]):
        b = members[idx]
        m = maps.map_of[b]
        time = min(1.0, world.t[b] / max_cycles)
        row0 = pos[b, 0, 0]
        col0 = pos[b, 0, 1]
        out = world.obs_assistant[b]
        out[oa.self] = row0 / (height - 1)
        out[oa.self + 1] = col0 / (width - 1)
        out[oa.time] = time
        for i in range(n):
            j = oa.humans + 6 * i
            out[j] = (pos[b, 1 + i, 0] - row0) / height
            out[j + 1] = (pos[b, 1 + i, 1] - col0) / width
            out[j + 2] = MOVES[world.last_move[b, 1 + i], 0]
            out[j + 3] = MOVES[world.last_move[b, 1 + i], 1]
            out[j + 4] = world.expression[b, i, 0]
            out[j + 5] = world.expression[b, i, 1]

        for i in range(n):
            out = world.obs_humans[b, i]
            me_row = pos[b, 1 + i, 0]
            me_col = pos[b, 1 + i, 1]
            out[oh.self] = me_row / (height - 1)
            out[oh.self + 1] = me_col / (width - 1)
            out[oh.time] = time
            out[oh.affect] = world.affect[b, i, 0]
            out[oh.affect + 1] = world.affect[b, i, 1]
            for g in range(maps.routes.shape[1]):
                out[oh.goal + g] = 0.0
            out[oh.goal + world.goal[b, i]] = 1.0
            target = maps.targets[m, maps.routes[m, world.goal[b, i], world.stage[b, i]]]
            out[oh.target] = (target[0] - me_row) / height
            out[oh.target + 1] = (target[1] - me_col) / width
            out[oh.assistant] = (row0 - me_row) / height
            out[oh.assistant + 1] = (col0 - me_col) / width
            out[oh.assistant + 2] = MOVES[world.last_move[b, 0], 0]
            out[oh.assistant + 3] = MOVES[world.last_move[b, 0], 1]
            j = oh.others
            for other in range(n):
                if other == i:
                    continue
                out[j] = (pos[b, 1 + other, 0] - me_row) / height
                out[j + 1] = (pos[b, 1 + other, 1] - me_col) / width
                out[j + 2] = world.expression[b, other, 0]
                out[j + 3] = world.expression[b, other, 1]
                j += 4

        for k in range(pos.shape[1]):
            for a in range(5):
                world.action_mask[b, k, a] = maps.walkable[
                    m, pos[b, k, 0] + MOVES[a, 0], pos[b, k, 1] + MOVES[a, 1]
                ]
        world.action_mask[b, 0, INTERACT] = 1
