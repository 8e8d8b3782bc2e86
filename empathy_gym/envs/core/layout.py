"""ASCII maps, parsed once into the arrays the kernels read, and stacked for a batch.

Maps are text so that a scenario's map is readable in its docstring and a user can pass
their own. Everything the shared kernels need from a map (walkability, the humans' goal
routes and a distance field to every target) is computed here, once per map, so the step
kernels never search the grid. A scenario keeps its own map features (shelves, coins,
the finish) in its rules.

A batch plays one map (a fixed layout) or one per member (procedural layouts). Kernels
read :class:`Maps`: every array of a :class:`Layout` with a leading axis of maps, and
``map_of[b]``, the map member ``b`` plays; a scenario's rules are stacked the same way
(:func:`stack`). So one kernel call steps every member, whatever map each plays.

Characters shared by every scenario:

    #   wall            .   floor
    A   assistant start H   human spawn

Scenarios add their own (shelves, counter, seats, coins, finish); see their docstrings.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import NamedTuple

import numpy as np
from numba import njit

UNREACHABLE = 1e6
"""Distance stored where a goal cannot be reached; finite, so differences stay finite."""

MOVES = np.array([[0, 0], [-1, 0], [1, 0], [0, -1], [0, 1]], dtype=np.int64)
"""Row/column offset of the movement actions STAY, UP, DOWN, LEFT, RIGHT (actions 0-4)."""


class Layout(NamedTuple):
    """One map as arrays; a NamedTuple so that numba kernels take it as one argument.

    A human's hidden goal is a *route*: a sequence of target cells visited in order (in
    fetch, the display of the wanted item and then its counter window; elsewhere a single
    cell). ``routes[g, s]`` is the target of stage ``s`` of goal ``g``, padded with the last
    target, and every target has a precomputed distance field, so kernels never search.
    """

    walkable: np.ndarray  # (H, W) bool: cells an agent may stand on
    targets: np.ndarray  # (T, 2) int64: every cell some route leads to
    dist: np.ndarray  # (T, H, W) float64: steps from each cell to target t
    routes: np.ndarray  # (G, S) int64: target index of stage s of goal g
    route_len: np.ndarray  # (G,) int64: stages of goal g
    human_spawns: np.ndarray  # (S, 2) int64
    reach: np.ndarray  # (S, G) bool: goals a human spawning on tile s can walk to
    assistant_spawns: np.ndarray  # (1+, 2) int64


Maps = NamedTuple("Maps", [*((f, np.ndarray) for f in Layout._fields), ("map_of", np.ndarray)])
"""The maps of a batch: each field of :class:`Layout` with a leading axis of maps, and
``map_of`` (B,) int64, the map each member plays. Kernels read member ``b``'s walls as
``maps.walkable[maps.map_of[b], row, col]``."""


def stack(items: Sequence[NamedTuple]) -> NamedTuple:
    """NamedTuples of one type as one, each array field stacked along a new first axis (a
    map axis); other fields, the same in every item, kept as they are."""
    first = items[0]
    fields = []
    for name, value in zip(first._fields, first, strict=True):
        if isinstance(value, np.ndarray):
            fields.append(np.stack([getattr(item, name) for item in items]))
        else:
            fields.append(value)
    return type(first)(*fields)


def write_member(stacked: NamedTuple, m: int, item: NamedTuple) -> None:
    """Put ``item``'s arrays in slot ``m`` of ``stacked`` (made by :func:`stack`); a map
    whose arrays have other shapes cannot share the batch, and is named."""
    for name, value in zip(item._fields, item, strict=True):
        if not isinstance(value, np.ndarray):
            continue
        slot = getattr(stacked, name)
        if slot.shape[1:] != value.shape:
            raise RuntimeError(
                f"a new map's {name} has shape {value.shape}, the batch's {slot.shape[1:]}:"
                " procedural maps must keep the shapes of the first"
            )
        slot[m] = value


def batch_maps(layout: Layout, n_maps: int, batch: int) -> Maps:
    """``n_maps`` copies of ``layout`` for a batch of ``batch``: one shared map (``n_maps``
    1, every member on it) or a map per member (``n_maps == batch``)."""
    map_of = np.zeros(batch, np.int64) if n_maps == 1 else np.arange(batch, dtype=np.int64)
    return Maps(*stack([layout] * n_maps), map_of)


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

    @property
    def text(self) -> str:
        return to_text(self.grid)

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


def to_text(grid: np.ndarray) -> str:
    """A character grid as map text, one row per line."""
    return "\n".join("".join(row) for row in grid)


def distance_field(walkable: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Breadth-first steps from every cell to ``target`` over 4-connected walkable cells."""
    return _distance_field(np.ascontiguousarray(walkable, np.bool_), int(target[0]), int(target[1]))


@njit(cache=True)
def _distance_field(walkable, row, col):
    """Compiled, because a procedural layout builds every target's field at each reset."""
    height, width = walkable.shape
    dist = np.full((height, width), UNREACHABLE)
    queue = np.empty((height * width, 2), np.int64)
    dist[row, col] = 0.0
    queue[0, 0], queue[0, 1] = row, col
    head, tail = 0, 1
    while head < tail:
        r, c = queue[head, 0], queue[head, 1]
        head += 1
        for k in range(1, 5):
            nr, nc = r + MOVES[k, 0], c + MOVES[k, 1]
            inside = 0 <= nr < height and 0 <= nc < width
            if inside and walkable[nr, nc] and dist[nr, nc] == UNREACHABLE:
                dist[nr, nc] = dist[r, c] + 1.0
                queue[tail, 0], queue[tail, 1] = nr, nc
                tail += 1
    return dist


def build_layout(
    ascii_map: AsciiMap,
    walkable: np.ndarray,
    routes: list[list[tuple[int, int]]],
    spawn_chars: str = "H",
    candidates: Sequence[tuple[int, int]] = (),
) -> Layout:
    """Assemble a Layout from each goal's route of cells, and check what humans can reach.

    A human spawning on a tile may be given any goal whose route it can walk, stage after
    stage (``reach``). A goal no spawn can reach, or a spawn that reaches no goal, is
    refused with the cells named. The targets are the routes' cells and ``candidates``
    (cells a route of another map of the scenario could lead to), so that every map of a
    procedural scenario has as many targets and can share a batch.
    """
    human_spawns = ascii_map.cells(spawn_chars, 1, "human spawn")
    targets: list[tuple[int, int]] = []
    for cell in [*(cell for route in routes for cell in route), *candidates]:
        if tuple(int(x) for x in cell) not in targets:
            targets.append(tuple(int(x) for x in cell))
    dist = np.stack([distance_field(walkable, np.array(t)) for t in targets])
    reach = np.ones((len(human_spawns), len(routes)), np.bool_)
    for g, route in enumerate(routes):
        for s, spawn in enumerate(human_spawns):
            here = tuple(int(x) for x in spawn)
            for cell in route:
                reach[s, g] &= dist[targets.index(tuple(cell))][here] < UNREACHABLE
                here = tuple(int(x) for x in cell)
        if not reach[:, g].any():
            raise ValueError(
                f"{ascii_map.argument}: goal {g} (route {[tuple(map(int, c)) for c in route]})"
                " cannot be reached from any human spawn"
            )
    stuck = [tuple(int(x) for x in human_spawns[s]) for s in np.flatnonzero(~reach.any(axis=1))]
    if stuck:
        raise ValueError(f"{ascii_map.argument}: human spawn(s) {stuck} can reach no goal")
    stages = max(len(r) for r in routes)
    table = np.array(
        [[targets.index(tuple(r[min(s, len(r) - 1)])) for s in range(stages)] for r in routes],
        np.int64,
    )
    return Layout(
        walkable=np.ascontiguousarray(walkable, dtype=np.bool_),
        targets=np.array(targets, np.int64),
        dist=np.ascontiguousarray(dist),
        routes=table,
        route_len=np.array([len(r) for r in routes], np.int64),
        human_spawns=human_spawns,
        reach=reach,
        assistant_spawns=ascii_map.cells("A", 1, "assistant start"),
    )
