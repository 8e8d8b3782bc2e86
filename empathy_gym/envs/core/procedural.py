"""Building blocks for procedural maps: a walled room, features on random free cells, and
obstacles that never cut the floor in two.

A scenario's ``procedural_map`` composes these into an ASCII map, which then goes through
the same parsing and checks as a hand-written one (``layout.py``), so a generated map can
never hold what a written one could not.
"""

from __future__ import annotations

import numpy as np

from empathy_gym.envs.core.layout import UNREACHABLE, distance_field


def room(height: int, width: int) -> np.ndarray:
    """A grid of floor ``.`` enclosed by walls ``#``."""
    grid = np.full((height, width), ".", dtype="<U1")
    grid[[0, -1], :] = "#"
    grid[:, [0, -1]] = "#"
    return grid


def place(rng: np.random.Generator, grid: np.ndarray, chars: str, region: np.ndarray) -> None:
    """Put each of ``chars`` on its own random floor cell inside the boolean ``region``."""
    cells = np.argwhere(region & (grid == "."))
    if len(cells) < len(chars):
        raise ValueError(f"no room for {len(chars)} tiles {chars!r} in a {grid.shape} map")
    for ch, k in zip(chars, rng.choice(len(cells), len(chars), replace=False), strict=True):
        grid[tuple(cells[k])] = ch


def connected(passable: np.ndarray) -> bool:
    """Whether every passable cell can reach every other (4-connected)."""
    cells = np.argwhere(passable)
    if len(cells) == 0:
        return True
    reached = distance_field(passable, cells[0]) < UNREACHABLE
    return bool(reached[passable].all())


def scatter_walls(
    rng: np.random.Generator,
    grid: np.ndarray,
    density: float,
    region: np.ndarray,
    area: np.ndarray | None = None,
    blocked: str = "#",
) -> None:
    """Turn about ``density`` of the floor cells in ``region`` into walls, one at a time,
    skipping any wall that would cut apart the cells of ``area`` (default: the whole map)
    that are not ``blocked``."""
    area = np.ones(grid.shape, np.bool_) if area is None else area
    candidates = np.argwhere(region & (grid == "."))
    for k in rng.permutation(len(candidates))[: int(density * len(candidates))]:
        cell = tuple(candidates[k])
        grid[cell] = "#"
        if not connected(area & ~np.isin(grid, list(blocked))):
            grid[cell] = "."
