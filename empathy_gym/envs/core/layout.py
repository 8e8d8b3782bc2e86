"""ASCII maps, parsed once into the arrays the kernels read.

Maps are text so that a scenario's map is readable in its docstring and a user can pass
their own. Everything the kernels need from a map (walkability, item shelves, goal cells
and the distance field to every goal) is computed here, once per env, so the step kernels
never search the grid.

Characters shared by every scenario:

    #   wall            .   floor
    A   assistant start H   human spawn

Scenarios add their own (shelves, counter, seats, coins, finish); see their docstrings.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from typing import NamedTuple

import numpy as np

UNREACHABLE = 1e6
"""Distance stored where a goal cannot be reached; finite, so differences stay finite."""

MOVES = np.array([[0, 0], [-1, 0], [1, 0], [0, -1], [0, 1]], dtype=np.int64)
"""Row/column offset of the movement actions STAY, UP, DOWN, LEFT, RIGHT (actions 0-4)."""


class Layout(NamedTuple):
    """The map as arrays; a NamedTuple so that numba kernels take it as one argument."""

    walkable: np.ndarray  # (H, W) bool: cells an agent may stand on
    counter: np.ndarray  # (H, W) bool: cells items are handed across (fetch)
    item_at: np.ndarray  # (H, W) int64: item type stocked on the cell, -1 where none
    goal_cells: np.ndarray  # (G, 2) int64: the target cell of each possible hidden goal
    dist: np.ndarray  # (G, H, W) float64: steps from each cell to goal g's cell
    human_spawns: np.ndarray  # (S, 2) int64
    assistant_spawns: np.ndarray  # (1+, 2) int64
    task_cells: np.ndarray  # (T, 2) int64: cells the assistant's task uses (coins, finish)


class AsciiMap:
    """A rectangular character grid with validation that names what is wrong."""

    def __init__(self, text: str, allowed: str, argument: str = "map"):
        if not isinstance(text, str):
            raise TypeError(f"{argument} must be an ASCII string, got {type(text).__name__}")
        rows = [line.strip() for line in text.strip("\n").splitlines() if line.strip()]
        if not rows:
            raise ValueError(f"{argument} is empty; give rows of characters from {allowed!r}")
        widths = {len(r) for r in rows}
        if len(widths) != 1:
            raise ValueError(
                f"{argument} must be rectangular; its rows have widths {sorted(widths)}"
            )
        bad = sorted({ch for r in rows for ch in r} - set(allowed))
        if bad:
            raise ValueError(f"{argument} has unknown characters {bad}; allowed are {allowed!r}")
        self.argument = argument
        self.grid = np.array([list(r) for r in rows])
        border = np.concatenate([self.grid[0], self.grid[-1], self.grid[:, 0], self.grid[:, -1]])
        if not (border == "#").all():
            raise ValueError(f"{argument} must be enclosed by walls '#' on all four sides")

    @property
    def shape(self) -> tuple[int, int]:
        return self.grid.shape

    def cells(self, chars: str, minimum: int = 0, what: str = "") -> np.ndarray:
        """The (row, col) of every cell holding one of ``chars``, in reading order."""
        found = np.argwhere(np.isin(self.grid, list(chars))).astype(np.int64)
        if len(found) < minimum:
            raise ValueError(
                f"{self.argument} needs at least {minimum} {what or 'cell'}"
                f" tile(s) {chars!r}, found {len(found)}"
            )
        return found

    def mask(self, chars: Iterable[str]) -> np.ndarray:
        return np.isin(self.grid, list(chars))


def distance_field(walkable: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Breadth-first steps from every cell to ``target`` over 4-connected walkable cells."""
    dist = np.full(walkable.shape, UNREACHABLE)
    dist[tuple(target)] = 0.0
    frontier = deque([tuple(target)])
    height, width = walkable.shape
    while frontier:
        r, c = frontier.popleft()
        for dr, dc in MOVES[1:]:
            nr, nc = r + dr, c + dc
            inside = 0 <= nr < height and 0 <= nc < width
            if inside and walkable[nr, nc] and dist[nr, nc] == UNREACHABLE:
                dist[nr, nc] = dist[r, c] + 1.0
                frontier.append((nr, nc))
    return dist


def build_layout(
    ascii_map: AsciiMap,
    walkable: np.ndarray,
    goal_cells: np.ndarray,
    *,
    counter: np.ndarray | None = None,
    item_at: np.ndarray | None = None,
    task_cells: np.ndarray | None = None,
) -> Layout:
    """Assemble a Layout and check that every goal can be reached from every human spawn."""
    shape = ascii_map.shape
    human_spawns = ascii_map.cells("H", 1, "human spawn")
    dist = np.stack([distance_field(walkable, g) for g in goal_cells])
    for g, field in enumerate(dist):
        stuck = [tuple(s) for s in human_spawns if field[tuple(s)] >= UNREACHABLE]
        if stuck:
            raise ValueError(
                f"{ascii_map.argument}: goal {g} at {tuple(goal_cells[g])} cannot be reached"
                f" from human spawn(s) {stuck}"
            )
    return Layout(
        walkable=np.ascontiguousarray(walkable, dtype=np.bool_),
        counter=np.zeros(shape, np.bool_) if counter is None else counter.astype(np.bool_),
        item_at=np.full(shape, -1, np.int64) if item_at is None else item_at.astype(np.int64),
        goal_cells=np.ascontiguousarray(goal_cells, dtype=np.int64),
        dist=np.ascontiguousarray(dist),
        human_spawns=human_spawns,
        assistant_spawns=ascii_map.cells("A", 1, "assistant start"),
        task_cells=np.zeros((0, 2), np.int64) if task_cells is None else task_cells,
    )
