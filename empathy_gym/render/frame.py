"""A plain drawing of a world: tiles, items, faces showing the *expression*, the assistant.

Faces are coloured by the expressed valence (red distressed, green content) and their ring
thickens with expressed arousal: exactly what the assistant observes, never the hidden state.
``ansi`` mode prints the map with the agents on it and each face's expression.
"""

from __future__ import annotations

import os

import numpy as np

from empathy_gym.envs.core.world import World

CELL = 32
TILE_COLOURS = {
    "#": (60, 60, 70),
    "C": (150, 105, 60),
    "$": (235, 230, 200),
    "S": (190, 200, 230),
    "W": (200, 190, 230),
    "G": (170, 225, 170),
}
FLOOR = (235, 235, 235)
ITEM_COLOURS = [
    (230, 80, 80),
    (80, 160, 230),
    (240, 200, 60),
    (150, 90, 200),
    (90, 200, 120),
    (240, 140, 60),
    (120, 120, 120),
    (200, 90, 160),
    (60, 200, 200),
    (160, 120, 80),
]
ASSISTANT = (40, 90, 200)
COIN = (230, 180, 20)


def face_colour(valence: float) -> tuple[int, int, int]:
    """Red at -1, yellow at 0, green at +1."""
    v = float(np.clip(valence, -1.0, 1.0))
    if v < 0:
        return 220, int(200 * (1 + v)), 60
    return int(220 * (1 - v)), 200, 60


class Renderer:
    def __init__(self, scenario, mode: str, fps: int):
        self.scenario = scenario
        self.mode = mode
        self.fps = fps
        self.grid = scenario.ascii_map.grid
        self._window = None
        self._clock = None

    def render(self, world: World, b: int):
        if self.mode == "ansi":
            return self.ansi(world, b)
        frame = self.rgb_array(world, b)
        if self.mode == "rgb_array":
            return frame
        self._show(frame)
        return None

    def ansi(self, world: World, b: int) -> str:
        rows = [list(r) for r in self.grid]
        for m in range(world.objects.shape[1]):
            r, c = world.objects[b, m]
            rows[r][c] = "o"
        for i in range(world.goal.shape[1]):
            r, c = world.pos[b, 1 + i]
            rows[r][c] = "h"
        r, c = world.pos[b, 0]
        rows[r][c] = "@"
        lines = ["".join(row) for row in rows]
        lines.append(f"t={int(world.t[b])} carry={int(world.carry[b])}")
        for i in range(world.goal.shape[1]):
            v, a = world.expression[b, i]
            lines.append(
                f"human_{i} at {tuple(world.pos[b, 1 + i])} face valence={v:+.2f} arousal={a:.2f}"
            )
        return "\n".join(lines)

    def rgb_array(self, world: World, b: int) -> np.ndarray:
        pygame = _pygame()
        height, width = self.grid.shape
        surface = pygame.Surface((width * CELL, height * CELL))
        surface.fill(FLOOR)
        item_at = self.scenario.layout.item_at
        for r in range(height):
            for c in range(width):
                rect = pygame.Rect(c * CELL, r * CELL, CELL, CELL)
                colour = TILE_COLOURS.get(self.grid[r, c])
                if colour is not None:
                    surface.fill(colour, rect)
                if item_at[r, c] >= 0:
                    surface.fill(
                        ITEM_COLOURS[item_at[r, c] % len(ITEM_COLOURS)], rect.inflate(-10, -10)
                    )
        for m in range(world.objects.shape[1]):
            r, c = world.objects[b, m]
            pygame.draw.circle(surface, COIN, _centre(r, c), CELL // 4)
        for i in range(world.goal.shape[1]):
            self._face(pygame, surface, world.pos[b, 1 + i], world.expression[b, i])
        r, c = world.pos[b, 0]
        body = pygame.Rect(c * CELL + 4, r * CELL + 4, CELL - 8, CELL - 8)
        pygame.draw.rect(surface, ASSISTANT, body, border_radius=6)
        if world.carry[b] >= 0:
            colour = ITEM_COLOURS[world.carry[b] % len(ITEM_COLOURS)]
            surface.fill(colour, body.inflate(-14, -14))
        return np.ascontiguousarray(pygame.surfarray.pixels3d(surface).transpose(1, 0, 2))

    @staticmethod
    def _face(pygame, surface, pos, expression) -> None:
        centre = _centre(*pos)
        valence, arousal = float(expression[0]), float(expression[1])
        radius = CELL // 2 - 3
        pygame.draw.circle(surface, face_colour(valence), centre, radius)
        pygame.draw.circle(surface, (30, 30, 30), centre, radius, 1 + int(3 * arousal))
        x, y = centre
        for dx in (-5, 5):
            pygame.draw.circle(surface, (30, 30, 30), (x + dx, y - 4), 2)
        # The mouth bends with the expressed valence: a smile above 0, a frown below.
        bend = round(5 * valence)
        pygame.draw.lines(
            surface, (30, 30, 30), False, [(x - 7, y + 6), (x, y + 6 + bend), (x + 7, y + 6)], 2
        )

    def _show(self, frame: np.ndarray) -> None:
        pygame = _pygame()
        if self._window is None:
            pygame.display.init()
            self._window = pygame.display.set_mode(frame.shape[1::-1])
            pygame.display.set_caption(f"empathy-gym {self.scenario.name}")
            self._clock = pygame.time.Clock()
        pygame.event.pump()
        pygame.surfarray.blit_array(self._window, frame.transpose(1, 0, 2))
        pygame.display.flip()
        self._clock.tick(self.fps)

    def close(self) -> None:
        if self._window is not None:
            pygame = _pygame()
            pygame.display.quit()
            self._window = None


def _centre(r, c) -> tuple[int, int]:
    return int(c) * CELL + CELL // 2, int(r) * CELL + CELL // 2


def _pygame():
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
    try:
        import pygame
    except ImportError as err:
        raise ImportError("rendering needs pygame-ce: pip install 'empathy-gym[render]'") from err
    return pygame
