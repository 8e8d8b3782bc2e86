"""Keyboard mappings of the interactive commands, as data so tests can drive them."""

from __future__ import annotations

from empathy_gym.envs.core.world import DOWN, INTERACT, LEFT, RIGHT, STAY, UP

# pygame key names (pygame.key.name) -> agent action, for `empathy-gym play`.
PLAY_KEYS = {
    "up": UP,
    "w": UP,
    "down": DOWN,
    "s": DOWN,
    "left": LEFT,
    "a": LEFT,
    "right": RIGHT,
    "d": RIGHT,
    "space": INTERACT,
    "e": INTERACT,
    ".": STAY,
    "x": STAY,
}
# pygame key names -> replay command, for `empathy-gym replay`.
REPLAY_KEYS = {
    "right": "forward",
    "left": "back",
    "space": "toggle_play",
    "home": "first",
    "end": "last",
    "q": "quit",
    "escape": "quit",
}
HELP_PLAY = "arrows/WASD move, space/E interact, ./X stay, Q or Esc quit"
HELP_REPLAY = "left/right step, space play/pause, Home/End jump, Q or Esc quit"


def read_keys(pygame) -> list[str]:
    """Names of the keys pressed since the last call; 'quit' when the window is closed."""
    names = []
    for event in pygame.event.get():
        if event.type == pygame.QUIT:
            names.append("escape")
        elif event.type == pygame.KEYDOWN:
            names.append(pygame.key.name(event.key))
    return names
