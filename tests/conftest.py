import os

# Rendering tests open pygame windows on SDL's dummy driver: headless on any machine.
os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
