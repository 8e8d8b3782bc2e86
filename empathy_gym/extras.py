"""Optional dependencies: import them with an error that names the extra to install."""

from __future__ import annotations

import importlib
from types import ModuleType

EXTRA_OF = {
    "pygame": "render",
    "imageio": "render",
    "moviepy": "render",
    "torch": "train",
    "stable_baselines3": "train",
    "supersuit": "train",
    "matplotlib": "train",
    "sklearn": "train",
    "rsatoolbox": "train",
    "tensorboard": "train",
    "optuna": "train",
    "ray": "rllib",
    "torchrl": "torchrl",
    "tianshou": "tianshou",
}


def require(module: str) -> ModuleType:
    """Import ``module`` or raise an ImportError saying which extra provides it."""
    try:
        return importlib.import_module(module)
    except ImportError as err:
        top = module.split(".")[0]
        extra = EXTRA_OF.get(top, "dev")
        raise ImportError(
            f"{module} is not installed; it comes with the optional extra:"
            f" pip install 'empathy-gym[{extra}]'"
        ) from err
