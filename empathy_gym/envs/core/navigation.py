"""Finding the way: shortest-path steps on a grid, and a script's mental map of the room.

Scripted assistants know the room only as a person in it would (docs/design.md "The
assistant sees the room"): what their egocentric window has shown them this episode. A
:class:`MentalMap` keeps that, and plans on it optimistically: a cell never seen is
assumed open, and the plan is remade every step as the window reveals more.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable

import numpy as np

from empathy_gym.envs.core.layout import MOVES
from empathy_gym.envs.core.world import STAY

UNKNOWN, OPEN, BLOCKED = -1, 0, 1


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


def distances(walkable: np.ndarray, start: Iterable[int]) -> np.ndarray:
    """Steps from ``start`` to every cell over 4-connected walkable cells (inf: no way)."""
    out = np.full(walkable.shape, np.inf)
    start = tuple(int(x) for x in start)
    out[start] = 0.0
    frontier = deque([start])
    while frontier:
        cell = frontier.popleft()
        for action in range(1, 5):
            nxt = (cell[0] + int(MOVES[action, 0]), cell[1] + int(MOVES[action, 1]))
            if walkable[nxt] and out[nxt] == np.inf:
                out[nxt] = out[cell] + 1.0
                frontier.append(nxt)
    return out


def nearest_everyone(cells: np.ndarray, people: np.ndarray) -> np.ndarray:
    """Of ``cells`` (K, 2), the free ones with the least summed grid distance to ``people``
    (N, 2), ties kept in order: where to wait at hand for whoever comes to need it."""
    total = np.abs(cells[:, None, :] - people[None]).sum(axis=2).sum(axis=1)
    free = ~(cells[:, None, :] == people[None]).all(axis=2).any(axis=1)
    return cells[free][total[free] == total[free].min()]


class MentalMap:
    """The room as one observer has seen it this episode: open, blocked, or unknown cells.

    ``see`` folds in the egocentric window of a decoded observation (``View``: its
    position, the room's size and the window of walls); the room's border is known from its
    size. ``passable`` treats unknown cells as open, so paths lead through the unseen and are
    replanned as it comes into view.
    """

    def __init__(self):
        self.cells: np.ndarray | None = None

    def see(self, view) -> None:
        height, width = (int(x) for x in view.room)
        if self.cells is None or self.cells.shape != (height, width):
            self.cells = np.full((height, width), UNKNOWN, np.int8)
            self.cells[[0, -1], :] = BLOCKED
            self.cells[:, [0, -1]] = BLOCKED
        radius = view.walls.shape[0] // 2
        row, col = (int(x) for x in view.position)
        top, left = row - radius, col - radius
        rows = slice(max(0, top), min(height, top + view.walls.shape[0]))
        cols = slice(max(0, left), min(width, left + view.walls.shape[1]))
        seen = view.walls[rows.start - top : rows.stop - top, cols.start - left : cols.stop - left]
        self.cells[rows, cols] = np.where(seen, BLOCKED, OPEN)

    @property
    def passable(self) -> np.ndarray:
        return self.cells != BLOCKED

    @property
    def open_cells(self) -> np.ndarray:
        """(K, 2) the cells seen to be open."""
        return np.argwhere(self.cells == OPEN)

    def step_towards(self, start, targets, avoid=()) -> int | None:
        return step_towards(self.passable, start, targets, avoid)

    def distances(self, start) -> np.ndarray:
        return distances(self.passable, start)
