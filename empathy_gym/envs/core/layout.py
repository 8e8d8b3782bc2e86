"""Maps: ASCII text for people, arrays for kernels, stacked with a leading axis of maps.

Maps are text so that a scenario's map is readable in its docstring and a user can pass
their own. Everything the shared kernels need from a map (walkability, the humans' goal
routes and a distance field to every target) is computed once per map, so the step
kernels never search the grid. A scenario keeps its own map features (shelves, coins,
the finish) in its rules.

A batch plays one map (a fixed layout) or one per member (procedural layouts). Every array
of a :class:`Layout`, and of a scenario's rules, has a leading axis of maps; kernels read
:class:`Maps`, which adds ``map_of[b]``, the map member ``b`` plays, so one kernel call
steps every member whatever map each plays. The grid itself is kept as ASCII codes
(``grid``), so a map drawn into a batch can be turned back into text.

Building a map is compiled (``complete``: distance fields, spawns, reach), because a
procedural layout builds one at every reset of every member. A scenario's own part
(``Scenario.assemble``) is compiled too, and the same code builds a hand-written map and
a drawn one.

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
DISTANCE = np.float32
"""The distance fields' type: steps and UNREACHABLE are exact in it, and a batch of maps'
fields (batch x targets x cells) is half float64's size, which the kernels' lookups feel."""

MOVES = np.array([[0, 0], [-1, 0], [1, 0], [0, -1], [0, 1]], dtype=np.int64)
"""Row/column offset of the movement actions STAY, UP, DOWN, LEFT, RIGHT (actions 0-4)."""

WALL, FLOOR, START, SPAWN = (ord(ch) for ch in "#.AH")
"""ASCII codes of the tiles every scenario shares."""


class Layout(NamedTuple):
    """A map as arrays; a NamedTuple so that numba kernels take it as one argument.

    A human's hidden goal is a *route*: a sequence of target cells visited in order (in
    fetch, the display of the wanted item and then its counter window; elsewhere a single
    cell). ``routes[g, s]`` is the target of stage ``s`` of goal ``g``, padded with the last
    target, and every target has a precomputed distance field, so kernels never search.
    Stacked (:func:`stack`, :func:`allocate`), every field gains a leading axis of maps.
    """

    grid: np.ndarray  # (H, W) uint8: the map's characters, as ASCII codes
    walkable: np.ndarray  # (H, W) bool: cells an agent may stand on
    targets: np.ndarray  # (T, 2) int64: every cell some route leads to
    dist: np.ndarray  # (T, H, W) DISTANCE: steps from each cell to target t
    routes: np.ndarray  # (G, S) int64: target index of stage s of goal g
    route_len: np.ndarray  # (G,) int64: stages of goal g
    human_spawns: np.ndarray  # (S, 2) int64
    reach: np.ndarray  # (S, G) bool: goals a human spawning on tile s can walk to
    assistant_spawns: np.ndarray  # (1+, 2) int64


Maps = NamedTuple("Maps", [*((f, np.ndarray) for f in Layout._fields), ("map_of", np.ndarray)])
"""The maps of a batch: each field of :class:`Layout` with a leading axis of maps, and
``map_of`` (B,) int64, the map each member plays. Kernels read member ``b``'s walls as
``maps.walkable[maps.map_of[b], row, col]``."""


def allocate(
    n_maps: int,
    shape: tuple[int, int],
    targets: int,
    goals: int,
    stages: int,
    spawns: int,
    starts: int = 1,
) -> Layout:
    """Empty arrays for ``n_maps`` maps of ``shape`` with these counts, to build into."""
    height, width = shape
    return Layout(
        grid=np.full((n_maps, height, width), WALL, np.uint8),
        walkable=np.zeros((n_maps, height, width), np.bool_),
        targets=np.zeros((n_maps, targets, 2), np.int64),
        dist=np.full((n_maps, targets, height, width), UNREACHABLE, DISTANCE),
        routes=np.zeros((n_maps, goals, stages), np.int64),
        route_len=np.ones((n_maps, goals), np.int64),
        human_spawns=np.zeros((n_maps, spawns, 2), np.int64),
        reach=np.zeros((n_maps, spawns, goals), np.bool_),
        assistant_spawns=np.zeros((n_maps, starts, 2), np.int64),
    )


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


def member(stacked: NamedTuple, m: int) -> NamedTuple:
    """Map ``m`` of a stacked NamedTuple: each array field's slot ``m`` (a view)."""
    return type(stacked)(
        *(value[m] if isinstance(value, np.ndarray) else value for value in stacked)
    )


def write_member(stacked: NamedTuple, m: int, item: NamedTuple) -> None:
    """Put ``item``'s arrays in slot ``m`` of ``stacked``; a map whose arrays have other
    shapes cannot share the batch, and is named."""
    for name, value in zip(item._fields, item, strict=True):
        if not isinstance(value, np.ndarray):
            continue
        slot = getattr(stacked, name)
        if slot.shape[1:] != value.shape:
            raise ValueError(
                f"a map's {name} has shape {value.shape}, the batch's {slot.shape[1:]}: every"
                " map of a batch needs the same size and numbers of features"
            )
        slot[m] = value


def batch_maps(layouts: Layout, batch: int) -> Maps:
    """Stacked ``layouts`` for a batch of ``batch``: one shared map (every member on it) or
    one map per member."""
    n_maps = len(layouts.grid)
    map_of = np.zeros(batch, np.int64) if n_maps == 1 else np.arange(batch, dtype=np.int64)
    return Maps(*layouts, map_of)


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

    @property
    def codes(self) -> np.ndarray:
        """The grid as ASCII codes, as a Layout keeps it."""
        return np.vectorize(ord, otypes=[np.uint8])(self.grid)

    def cells(self, chars: str, minimum: int = 0, what: str = "") -> np.ndarray:
        """The (row, col) of every cell holding one of ``chars``, in reading order."""
        found = np.argwhere(np.isin(self.grid, list(chars))).astype(np.int64)
        if len(found) < minimum:
            raise ValueError(
                f"{self.argument} needs at least {minimum} {what or 'cell'}"
                f" tile(s) {chars!r}, found {len(found)}"
            )
        return found

    def count(self, chars: str) -> int:
        return int(np.isin(self.grid, list(chars)).sum())

    def mask(self, chars: Iterable[str]) -> np.ndarray:
        return np.isin(self.grid, list(chars))


def to_text(grid: np.ndarray) -> str:
    """A character grid (characters, or ASCII codes as a Layout keeps them) as map text."""
    grid = np.asarray(grid)
    if grid.dtype.kind in "ui":
        return "\n".join(row.tobytes().decode("ascii") for row in grid.astype(np.uint8))
    return "\n".join("".join(row) for row in grid)


def codes(chars: str) -> np.ndarray:
    """ASCII codes of ``chars``, for compiled code that looks tiles up."""
    return np.array([ord(ch) for ch in chars], np.uint8)


def distance_field(walkable: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Breadth-first steps from every cell to ``target`` over 4-connected walkable cells."""
    out = np.empty(walkable.shape, DISTANCE)
    walkable = np.ascontiguousarray(walkable, np.bool_)
    breadth_first(walkable, int(target[0]), int(target[1]), out)
    return out


@njit(cache=True)
def breadth_first(walkable, row, col, out):
    """Steps from every cell to (row, col) over 4-connected walkable cells, into ``out``;
    returns how many cells are reachable."""
    height, width = walkable.shape
    out[:] = UNREACHABLE
    queue = np.empty((height * width, 2), np.int64)
    out[row, col] = 0.0
    queue[0, 0], queue[0, 1] = row, col
    head, tail = 0, 1
    while head < tail:
        r, c = queue[head, 0], queue[head, 1]
        head += 1
        for k in range(1, 5):
            nr, nc = r + MOVES[k, 0], c + MOVES[k, 1]
            inside = 0 <= nr < height and 0 <= nc < width
            if inside and walkable[nr, nc] and out[nr, nc] == UNREACHABLE:
                out[nr, nc] = out[r, c] + 1.0
                queue[tail, 0], queue[tail, 1] = nr, nc
                tail += 1
    return tail


@njit(cache=True, inline="always")
def cells_of(grid, tiles, out):
    """Write the (row, col) of every cell holding one of the ``tiles`` codes, in reading
    order, into ``out`` (as many as fit); return how many there are."""
    found = 0
    for r in range(grid.shape[0]):
        for c in range(grid.shape[1]):
            for tile in tiles:
                if grid[r, c] == tile:
                    if found < out.shape[0]:
                        out[found, 0], out[found, 1] = r, c
                    found += 1
    return found


@njit(cache=True)
def complete(layouts, m, spawn_tiles):
    """Finish map ``m`` of stacked ``layouts`` from its grid, walkability, targets and
    routes: every target's distance field, the human spawns (``spawn_tiles``) and the
    assistant's starts, and which goals each spawn reaches. Returns the numbers of spawn
    and start tiles found, for the caller to check against the arrays' sizes."""
    walkable = layouts.walkable[m]
    for t in range(layouts.targets.shape[1]):
        breadth_first(
            walkable, layouts.targets[m, t, 0], layouts.targets[m, t, 1], layouts.dist[m, t]
        )
    spawns = cells_of(layouts.grid[m], spawn_tiles, layouts.human_spawns[m])
    starts = cells_of(layouts.grid[m], np.array([START], np.uint8), layouts.assistant_spawns[m])
    for s in range(min(spawns, layouts.human_spawns.shape[1])):
        for g in range(layouts.routes.shape[1]):
            row, col = layouts.human_spawns[m, s, 0], layouts.human_spawns[m, s, 1]
            ok = True
            for stage in range(layouts.route_len[m, g]):
                target = layouts.routes[m, g, stage]
                ok = ok and layouts.dist[m, target, row, col] < UNREACHABLE
                row, col = layouts.targets[m, target, 0], layouts.targets[m, target, 1]
            layouts.reach[m, s, g] = ok
    return spawns, starts


def check_built(ascii_map: AsciiMap, layout: Layout) -> None:
    """Refuse a built map whose goals or spawns are cut off, naming the cells: a goal no
    spawn can reach, or a spawn that reaches no goal."""
    for g in np.flatnonzero(~layout.reach.any(axis=0)):
        route = layout.routes[g, : layout.route_len[g]]
        cells = [tuple(int(x) for x in layout.targets[t]) for t in route]
        raise ValueError(
            f"{ascii_map.argument}: goal {g} (route {cells}) cannot be reached from any human spawn"
        )
    stuck = [tuple(int(x) for x in c) for c in layout.human_spawns[~layout.reach.any(axis=1)]]
    if stuck:
        raise ValueError(f"{ascii_map.argument}: human spawn(s) {stuck} can reach no goal")


def build_layout(
    ascii_map: AsciiMap,
    walkable: np.ndarray,
    routes: Sequence[Sequence[tuple[int, int]]],
    spawn_chars: str = "H",
    candidates: Sequence[tuple[int, int]] = (),
) -> Layout:
    """A hand-written map's Layout, from each goal's route of cells; what humans can reach
    is checked (``check_built``).

    The targets are the routes' cells and ``candidates`` (cells a route of another map of
    the scenario could lead to), so that every map of a procedural scenario has as many
    targets and can share a batch.
    """
    ascii_map.cells(spawn_chars, 1, "human spawn")
    ascii_map.cells("A", 1, "assistant start")
    targets: list[tuple[int, int]] = []
    for cell in [*(cell for route in routes for cell in route), *candidates]:
        if tuple(int(x) for x in cell) not in targets:
            targets.append(tuple(int(x) for x in cell))
    layouts = allocate(
        1,
        ascii_map.shape,
        len(targets),
        len(routes),
        max(len(r) for r in routes),
        ascii_map.count(spawn_chars),
        ascii_map.count("A"),
    )
    layouts.grid[0] = ascii_map.codes
    layouts.walkable[0] = walkable
    layouts.targets[0] = targets
    for g, route in enumerate(routes):
        stages = [targets.index(tuple(int(x) for x in cell)) for cell in route]
        layouts.routes[0, g] = stages + stages[-1:] * (layouts.routes.shape[2] - len(stages))
        layouts.route_len[0, g] = len(stages)
    complete(layouts, 0, codes(spawn_chars))
    layout = member(layouts, 0)
    check_built(ascii_map, layout)
    return layout
