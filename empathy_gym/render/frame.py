"""Frames drawn from plain world arrays: the map, faces, overlays and a status panel.

What a frame shows, and from what:

* tiles, the scenario's markers (tokens on cells, and what the assistant holds: shape
  ``held``) and the assistant, all from the scenario's rendering data
  (``Scenario.tile_colours``, ``markers``);
* each human as a face coloured and shaped by the *expression* the assistant sees (red and
  frowning when the face looks distressed, green and smiling when content; the outline
  thickens with expressed arousal);
* contagion links between humans close enough to catch each other's mood (the scenario's
  contagion radius), drawn thicker the more their faces differ;
* a status panel: step, task reward (the episode's, when ``Overlay.totals`` is given; else
  this step's), and each human's face readout;
* with ``Overlay(truth=True)``: the hidden valence as a ring around each face, arousal as a
  bar, the cell each human is heading for marked with their number, links weighted by true
  valence, and the evaluation counters (welfare, harm, help);
* with beliefs passed in (``Overlay.goal_posterior``, ``Overlay.believed_valence``): the
  assistant's goal posterior as bars and its believed valence, beside the truth.

With the truth overlay off, nothing drawn depends on the hidden state (a test checks this).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

from empathy_gym.envs.core.world import CO, World
from empathy_gym.extras import require

WALL = (60, 60, 70)
FLOOR = (235, 235, 235)
PANEL = (250, 250, 250)
INK = (30, 30, 30)
HUMAN_COLOURS = [
    (200, 60, 60),
    (40, 120, 200),
    (220, 150, 0),
    (120, 60, 170),
    (30, 150, 90),
    (200, 90, 20),
    (90, 90, 90),
    (180, 40, 130),
]
ASSISTANT = (40, 90, 200)
PANEL_WIDTH = 250
ROW_HEIGHT = 64
LEGEND = (
    "face: what the assistant sees",
    "ring / bar: true valence / arousal",
    "numbered square: a human's target",
    "bars: valence seen / believed / true",
    "columns: belief over goals",
    "(outlined: the true goal)",
)


@dataclass
class Overlay:
    """What to draw beyond what the assistant sees. Plain arrays only."""

    truth: bool = False
    goal_posterior: np.ndarray | None = None  # (N, G): the assistant's belief about goals
    believed_valence: np.ndarray | None = None  # (N,)
    totals: np.ndarray | None = None  # episode sums of (task, welfare, harm, help)


def face_colour(valence: float) -> tuple[int, int, int]:
    """Red at -1, yellow at 0, green at +1."""
    v = float(np.clip(valence, -1.0, 1.0))
    if v < 0:
        return 220, int(200 * (1 + v)), 60
    return int(220 * (1 - v)), 200, 60


def cell_size(grid_shape: tuple[int, int]) -> int:
    """Cells shrink as maps grow, so a 20 x 20 map fits the same ~520 px as a 10 x 10 one."""
    return int(np.clip(520 // max(grid_shape), 16, 48))


class Window:
    """A window showing frames at ``fps`` (opened at the first frame, sized to it): the one
    place the package opens a display, for the renderer's views and the judge's pairs."""

    def __init__(self, caption: str, fps: int):
        self.caption = caption
        self.fps = fps
        self._surface = None
        self._clock = None

    def show(self, frame: np.ndarray) -> None:
        pygame = import_pygame()
        if self._surface is None:
            pygame.display.init()
            pygame.display.set_caption(self.caption)
            self._clock = pygame.time.Clock()
        if self._surface is None or self._surface.get_size() != frame.shape[1::-1]:
            self._surface = pygame.display.set_mode(frame.shape[1::-1])  # a new frame size
        pygame.event.pump()
        pygame.surfarray.blit_array(self._surface, frame.transpose(1, 0, 2))
        pygame.display.flip()
        self._clock.tick(self.fps)

    def close(self) -> None:
        if self._surface is not None:
            import_pygame().display.quit()
            self._surface = None


class Renderer:
    def __init__(self, scenario, mode: str, fps: int):
        self.scenario = scenario
        self.mode = mode
        self.fps = fps
        self.cell = cell_size(scenario.ascii_map.shape)
        height, width = self.grid.shape
        self.map_size = (width * self.cell, height * self.cell)
        panel_height = 110 + ROW_HEIGHT * scenario.n_humans + 15 * len(LEGEND)
        self.size = (self.map_size[0] + PANEL_WIDTH, max(self.map_size[1], panel_height))
        self._background = None
        self._background_map = None
        self._font = None
        self._window: Window | None = None

    # --- public ---------------------------------------------------------------------------
    def render(self, world: World, state, b: int, overlay: Overlay | None = None):
        if self.mode == "ansi":
            return self.ansi(world, state, b)
        frame = self.rgb_array(world, state, b, overlay)
        if self.mode == "rgb_array":
            return frame
        self.show(frame)
        return None

    def ansi(self, world: World, state, b: int) -> str:
        rows = [list(r) for r in self.grid]
        for marker in self.scenario.markers(world, state, b):
            if marker.shape != "held":  # the assistant's cell shows the assistant
                rows[marker.row][marker.col] = marker.char
        for i in range(world.goal.shape[1]):
            r, c = world.pos[b, 1 + i]
            rows[r][c] = str(i % 10)
        r, c = world.pos[b, 0]
        rows[r][c] = "@"
        lines = ["".join(row) for row in rows]
        lines.append(f"t={int(world.t[b])}")
        for i in range(world.goal.shape[1]):
            v, a = world.expression[b, i]
            lines.append(
                f"human_{i} at {tuple(int(x) for x in world.pos[b, 1 + i])} face "
                f"valence={v:+.2f} arousal={a:.2f}"
            )
        return "\n".join(lines)

    def rgb_array(self, world: World, state, b: int, overlay: Overlay | None = None) -> np.ndarray:
        pygame = import_pygame()
        overlay = overlay or Overlay()
        surface = pygame.Surface(self.size)
        surface.fill(PANEL)
        surface.fill(WALL, pygame.Rect(0, 0, self.map_size[0], self.size[1]))
        surface.blit(self._map_background(pygame), (0, 0))
        n = world.goal.shape[1]
        markers = self.scenario.markers(world, state, b)
        for marker in (m for m in markers if m.shape != "held"):
            self._marker(pygame, surface, marker)
        if overlay.truth:
            layout = self.scenario.layout
            for i in range(n):
                target = layout.routes[world.goal[b, i], world.stage[b, i]]
                self._goal_marker(pygame, surface, i, layout.targets[target])
        valence = world.affect[b, :, 0] if overlay.truth else world.expression[b, :, 0]
        self._contagion_links(pygame, surface, world.pos[b, 1:], valence)
        for i in range(n):
            self._face(pygame, surface, world, b, i, overlay.truth)
        self._assistant(pygame, surface, world, b)
        for marker in (m for m in markers if m.shape == "held"):
            body = self._body(marker.row, marker.col)
            surface.fill(marker.colour, body.inflate(-body.width // 2, -body.height // 2))
        self._panel(pygame, surface, world, b, overlay)
        return np.ascontiguousarray(pygame.surfarray.pixels3d(surface).transpose(1, 0, 2))

    def show(self, frame: np.ndarray) -> None:
        if self._window is None:
            self._window = Window(f"empathy-gym {self.scenario.name}", self.fps)
        self._window.show(frame)

    def close(self) -> None:
        if self._window is not None:
            self._window.close()
            self._window = None

    # --- drawing ---------------------------------------------------------------------------
    @property
    def grid(self) -> np.ndarray:
        return self.scenario.ascii_map.grid  # a procedural layout's map changes at reset

    def _centre(self, r, c) -> tuple[int, int]:
        return int(c) * self.cell + self.cell // 2, int(r) * self.cell + self.cell // 2

    def _map_background(self, pygame):
        """Tiles never change within a map: drawn once per map."""
        if self._background_map is not self.scenario.ascii_map:
            self._background_map = self.scenario.ascii_map
            surface = pygame.Surface(self.map_size)
            surface.fill(FLOOR)
            colours = {"#": WALL, **self.scenario.tile_colours}
            for r, c in np.ndindex(*self.grid.shape):
                colour = colours.get(self.grid[r, c])
                if colour is not None:
                    rect = pygame.Rect(c * self.cell, r * self.cell, self.cell, self.cell)
                    surface.fill(colour, rect)
            self._background = surface
        return self._background

    def _marker(self, pygame, surface, marker) -> None:
        centre = self._centre(marker.row, marker.col)
        if marker.shape == "disc":
            pygame.draw.circle(surface, marker.colour, centre, self.cell // 4)
        elif marker.shape == "ring":
            pygame.draw.circle(
                surface, marker.colour, centre, self.cell // 3, max(2, self.cell // 10)
            )
        else:
            inset = max(2, self.cell // 5)
            rect = pygame.Rect(marker.col * self.cell, marker.row * self.cell, self.cell, self.cell)
            surface.fill(marker.colour, rect.inflate(-2 * inset, -2 * inset))

    def _goal_marker(self, pygame, surface, i: int, cell) -> None:
        r, c = cell
        rect = pygame.Rect(c * self.cell + 1, r * self.cell + 1, self.cell - 2, self.cell - 2)
        colour = HUMAN_COLOURS[i % len(HUMAN_COLOURS)]
        pygame.draw.rect(surface, colour, rect, 2)
        surface.blit(self._text(pygame, str(i), colour), rect.move(3, 1))

    def _contagion_links(self, pygame, surface, positions: np.ndarray, valence: np.ndarray):
        for i in range(len(positions)):
            for j in range(i + 1, len(positions)):
                d = np.abs(positions[i] - positions[j]).sum()
                closeness = 1.0 - d / self.scenario.contagion_radius
                if closeness <= 0:
                    continue
                width = 1 + int(4 * closeness * min(1.0, abs(valence[i] - valence[j])))
                pygame.draw.line(
                    surface,
                    (170, 90, 200),
                    self._centre(*positions[i]),
                    self._centre(*positions[j]),
                    width,
                )

    def _face(self, pygame, surface, world: World, b: int, i: int, truth: bool) -> None:
        centre = self._centre(*world.pos[b, 1 + i])
        radius = self.cell // 2 - 3
        valence, arousal = (float(x) for x in world.expression[b, i])
        if truth:  # the hidden valence as a ring, the hidden arousal as a bar below
            pygame.draw.circle(surface, face_colour(world.affect[b, i, 0]), centre, radius + 3, 3)
            bar = pygame.Rect(centre[0] - radius, centre[1] + radius + 1, 2 * radius, 3)
            surface.fill((200, 200, 200), bar)
            surface.fill(INK, bar.inflate(-(1 - world.affect[b, i, 1]) * 2 * radius, 0))
        pygame.draw.circle(surface, face_colour(valence), centre, radius)
        pygame.draw.circle(surface, INK, centre, radius, 1 + int(3 * arousal))
        x, y = centre
        eye = max(1, radius // 6)
        for dx in (-radius // 3, radius // 3):
            pygame.draw.circle(surface, INK, (x + dx, y - radius // 4), eye)
        # The mouth bends with the expressed valence: a smile above 0, a frown below.
        bend = round(radius * 0.35 * valence)
        mouth_y = y + radius // 3
        pygame.draw.lines(
            surface,
            INK,
            False,
            [(x - radius // 2, mouth_y), (x, mouth_y + bend), (x + radius // 2, mouth_y)],
            2,
        )
        label = self._text(pygame, str(i), HUMAN_COLOURS[i % len(HUMAN_COLOURS)])
        surface.blit(label, (x + radius - 4, y - radius - 2))

    def _body(self, r: int, c: int):
        """The assistant's body on cell (r, c): what it holds is drawn inside it."""
        pad = max(2, self.cell // 8)
        size = self.cell - 2 * pad
        return import_pygame().Rect(int(c) * self.cell + pad, int(r) * self.cell + pad, size, size)

    def _assistant(self, pygame, surface, world: World, b: int) -> None:
        body = self._body(*world.pos[b, 0])
        pygame.draw.rect(surface, ASSISTANT, body, border_radius=self.cell // 5)

    # --- panel -----------------------------------------------------------------------------
    def _panel(self, pygame, surface, world: World, b: int, overlay: Overlay) -> None:
        x0, y = self.map_size[0] + 10, 8
        max_cycles = self.scenario.config.max_cycles
        if overlay.totals is None:
            scope = "this step"
            values = world.components[b, 0, [CO.task, CO.welfare, CO.harm, CO.help]]
        else:
            scope, values = "episode", overlay.totals
        lines = [
            f"{self.scenario.name}   step {int(world.t[b])}/{max_cycles}",
            f"task reward ({scope}) {values[0]:.1f}",
        ]
        if overlay.truth:
            lines.append(
                f"truth: welfare {values[1]:+.1f}  harm {values[2]:.1f}  help {values[3]:.0f}"
            )
        for line in lines:
            surface.blit(self._text(pygame, line, INK), (x0, y))
            y += 18
        y += 8
        for i in range(world.goal.shape[1]):
            y = self._human_row(pygame, surface, world, b, i, overlay, x0, y)
        for line in LEGEND if overlay.truth or overlay.goal_posterior is not None else LEGEND[:1]:
            surface.blit(self._text(pygame, line, (110, 110, 110)), (x0, y))
            y += 15

    def _human_row(self, pygame, surface, world, b, i, overlay: Overlay, x0: int, y: int) -> int:
        colour = HUMAN_COLOURS[i % len(HUMAN_COLOURS)]
        surface.blit(self._text(pygame, f"human_{i}", colour), (x0, y))
        bars = [("face", world.expression[b, i, 0])]
        if overlay.believed_valence is not None:
            bars.append(("belief", overlay.believed_valence[i]))
        if overlay.truth:
            bars.append(("true", world.affect[b, i, 0]))
        for k, (label, value) in enumerate(bars):
            self._valence_bar(pygame, surface, label, float(value), x0, y + 14 + 13 * k)
        if overlay.goal_posterior is not None:
            goal = int(world.goal[b, i]) if overlay.truth else -1
            self._posterior_bars(pygame, surface, overlay.goal_posterior[i], goal, x0 + 144, y + 14)
        return y + ROW_HEIGHT

    def _valence_bar(self, pygame, surface, label: str, value: float, x: int, y: int) -> None:
        surface.blit(self._text(pygame, label, INK), (x, y))
        track = pygame.Rect(x + 44, y + 2, 90, 8)
        surface.fill((215, 215, 215), track)
        middle = track.centerx
        end = middle + int(value * track.width / 2)
        surface.fill(
            face_colour(value), pygame.Rect(min(middle, end), track.y, abs(end - middle), 8)
        )
        pygame.draw.line(surface, INK, (middle, track.y - 1), (middle, track.bottom), 1)

    def _posterior_bars(self, pygame, surface, posterior, goal: int, x: int, y: int) -> None:
        """One bar per goal, height = probability; the true goal (truth overlay) outlined."""
        width = max(3, 64 // len(posterior))
        for g, p in enumerate(posterior):
            rect = pygame.Rect(x + g * (width + 2), y + 36 - int(36 * p), width, int(36 * p) + 1)
            surface.fill((90, 90, 160), rect)
            if g == goal:
                pygame.draw.rect(
                    surface, INK, pygame.Rect(x + g * (width + 2) - 1, y - 1, width + 2, 39), 1
                )

    def _text(self, pygame, text: str, colour):
        if self._font is None:
            pygame.font.init()
            self._font = pygame.font.Font(None, 17)
        return self._font.render(text, True, colour)


def import_pygame():
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
    return require("pygame")
