"""Shortest-path steps on the public map, for the scenarios' scripted assistants."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable

import numpy as np

from empathy_gym.envs.core.layout import MOVES
from empathy_gym.envs.core.world import STAY


def step_towards(
    walkable: np.ndarray,
    start: Iterable[int],
    targets: Iterable[Iterable[int]],
    avoid: Iterable[Iterable[int]] = (),
) -> int | None:
    """The first move of a shortest path from ``start`` to any target, never entering ``avoid``.

    Targets inside ``avoid`` do not count. Returns STAY when already on a target and None
    when no target can be reached.
    """
    start = tuple(int(x) for x in start)
    blocked = {tuple(int(x) for x in a) for a in avoid}
    goals = {tuple(int(x) for x in t) for t in targets} - blocked
    if start in goals:
        return STAY
    first_move = {start: STAY}
    frontier = deque([start])
    while frontier:
        cell = frontier.popleft()
        for action in range(1, 5):
            nxt = (cell[0] + int(MOVES[action, 0]), cell[1] + int(MOVES[action, 1]))
            if nxt in first_move or not walkable[nxt] or nxt in blocked:
                continue
            first_move[nxt] = action if cell == start else first_move[cell]
            if nxt in goals:
                return first_move[nxt]
            frontier.append(nxt)
    return None
