"""Procedural maps: layout families, and compiled building blocks for drawing a map.

**Families** (Procgen's protocol). A scenario's generator draws maps of a *family*: the
``train`` family is what agents train on; the held-out families vary the structure beyond
new seeds (another size, twice the obstacles, the task's features arranged another way),
and a run is evaluated on each, never trained on them. A scenario declares which held-out
families its generator makes different (``Scenario.families``).

**Drawing** is compiled, because every member of a batch draws a new map at each of its
resets. The blocks below work on a grid of ASCII codes (``layout.Layout.grid``) and take
the member's own Generator (numba supports ``integers``, ``random`` and ``permutation``,
with NumPy's streams), so the same seed gives the same map compiled or not.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit

from empathy_gym.envs.core.layout import FLOOR, MOVES, WALL


class LayoutFamily(NamedTuple):
    """A family of procedural maps, as a scenario's generator reads it."""

    name: str
    size: int  # side of the map; 0: the scenario's own ``procedural_size``
    density: float  # multiplies the scenario's density of obstacles
    arrangement: int  # 0: the scenario's standard placement of its features; 1: its other
    description: str


FAMILIES = {
    family.name: family
    for family in (
        LayoutFamily("train", 0, 1.0, 0, "the scenario's size, obstacles and arrangement"),
        LayoutFamily("small", 10, 1.0, 0, "smaller rooms, 10 x 10"),
        LayoutFamily("large", 17, 1.0, 0, "larger rooms, 17 x 17"),
        LayoutFamily("dense", 0, 2.0, 0, "twice the obstacles"),
        LayoutFamily("rearranged", 0, 1.0, 1, "the task's features arranged another way"),
    )
}
"""Every family; ``train`` is the one agents train on, the others are held out."""
TRAIN = "train"
HELD_OUT = tuple(name for name in FAMILIES if name != TRAIN)


@njit(cache=True)
def room(grid):
    """Floor enclosed by walls."""
    grid[:] = FLOOR
    grid[0, :] = WALL
    grid[-1, :] = WALL
    grid[:, 0] = WALL
    grid[:, -1] = WALL


@njit(cache=True)
def place(rng, grid, tile, region):
    """Put ``tile`` on a random floor cell inside the boolean ``region``; False if none is."""
    free = 0
    for r in range(grid.shape[0]):
        for c in range(grid.shape[1]):
            free += region[r, c] and grid[r, c] == FLOOR
    if free == 0:
        return False
    k = rng.integers(0, free)
    for r in range(grid.shape[0]):
        for c in range(grid.shape[1]):
            if region[r, c] and grid[r, c] == FLOOR:
                if k == 0:
                    grid[r, c] = tile
                    return True
                k -= 1
    return False


@njit(cache=True)
def choose(rng, n, k):
    """``k`` distinct integers of ``range(n)``, at random (the first ``k`` of a permutation)."""
    return rng.permutation(n)[:k]


@njit(cache=True, inline="always")
def _passable(grid, area, blocked, r, c):
    if not (0 <= r < grid.shape[0] and 0 <= c < grid.shape[1]) or not area[r, c]:
        return False
    for tile in blocked:  # noqa: SIM110  (numba compiles loops, not generator expressions)
        if grid[r, c] == tile:
            return False
    return True


@njit(cache=True)
def still_connected(grid, area, blocked, row, col):
    """Whether the passable cells of ``area`` (tiles not ``blocked``), connected before
    (row, col) was blocked, still are: whether the cell's passable neighbours still reach
    each other. A search from one of them stops as soon as it has met the others, so a
    wall that cuts nothing off costs a few steps, not a search of the whole map."""
    height, width = grid.shape
    targets = np.zeros((4, 2), np.int64)
    n = 0
    for k in range(1, 5):
        r, c = row + MOVES[k, 0], col + MOVES[k, 1]
        if _passable(grid, area, blocked, r, c):
            targets[n, 0], targets[n, 1] = r, c
            n += 1
    if n <= 1:
        return True
    seen = np.zeros((height, width), np.bool_)
    queue = np.empty((height * width, 2), np.int64)
    queue[0] = targets[0]
    seen[targets[0, 0], targets[0, 1]] = True
    head, tail, met = 0, 1, 1
    while head < tail:
        r, c = queue[head, 0], queue[head, 1]
        head += 1
        for k in range(1, 5):
            nr, nc = r + MOVES[k, 0], c + MOVES[k, 1]
            if _passable(grid, area, blocked, nr, nc) and not seen[nr, nc]:
                seen[nr, nc] = True
                queue[tail, 0], queue[tail, 1] = nr, nc
                tail += 1
                for t in range(1, n):
                    met += targets[t, 0] == nr and targets[t, 1] == nc
                if met == n:
                    return True
    return False


@njit(cache=True)
def scatter_walls(rng, grid, density, region, area, blocked):
    """Turn about ``density`` of the floor cells in ``region`` into walls, one at a time,
    skipping any wall that would cut apart the cells of ``area`` not ``blocked`` (which
    must be connected to begin with: a room is)."""
    cells = np.argwhere(region & (grid == FLOOR))
    for k in rng.permutation(len(cells))[: int(density * len(cells))]:
        r, c = cells[k, 0], cells[k, 1]
        grid[r, c] = WALL
        if not still_connected(grid, area, blocked, r, c):
            grid[r, c] = FLOOR


@njit(cache=True)
def rows(shape, first, last):
    """The cells of rows ``first``..``last`` (inclusive), as a mask."""
    mask = np.zeros(shape, np.bool_)
    mask[first : last + 1, :] = True
    return mask
