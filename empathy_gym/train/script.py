"""How every command reports bad arguments: one line naming the problem, no traceback."""

from __future__ import annotations

import sys
from collections.abc import Callable


def run_script(body: Callable[[], object]) -> None:
    try:
        body()
    except (ValueError, FileNotFoundError) as err:
        print(f"empathy-gym: error: {err}", file=sys.stderr)
        sys.exit(2)
