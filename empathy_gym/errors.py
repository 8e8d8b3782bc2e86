"""How bad input is reported: checks that name the argument, and one line at the command line.

Every check raises a ValueError that names the argument, what it got and what is allowed;
every command runs under :func:`run_script`, which prints that message on one line instead
of a traceback. A leaf module: it imports nothing of the package, so every layer uses it.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

import numpy as np


def check_positive_int(name: str, value) -> None:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value <= 0:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")


def check_non_negative(name: str, value) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ValueError(f"{name} must be a number >= 0, got {value!r}")


def check_probability(name: str, value) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0.0 <= value <= 1.0:
        raise ValueError(f"{name} must be a probability in [0, 1], got {value!r}")


def run_script(body: Callable[[], object]) -> None:
    """Run a command; a bad argument or a missing file ends it with one line and exit code 2."""
    try:
        body()
    except (ValueError, FileNotFoundError) as err:
        print(f"empathy-gym: error: {err}", file=sys.stderr)
        sys.exit(2)
