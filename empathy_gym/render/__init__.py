"""Frames drawn from plain world arrays. Imported lazily by the envs, only inside render()."""

from empathy_gym.render.frame import Renderer

__all__ = ["Renderer"]
