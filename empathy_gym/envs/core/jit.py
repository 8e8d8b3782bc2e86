"""Call a compiled kernel without numba's per-call type dispatch.

Numba checks the type of every argument on every call; for a kernel that takes the world
as a NamedTuple of arrays that is ~2.7 us, more than the step itself. The argument types of
an env's kernels never change after construction, so the env compiles once for them and then
calls the compiled entry point directly (~1 us). With ``NUMBA_DISABLE_JIT=1`` the kernel is a
plain Python function and is returned as it is.
"""

from __future__ import annotations

from collections.abc import Callable

import numba


def bind_kernel(kernel: Callable, *example_args) -> Callable:
    """Compile ``kernel`` for the types of ``example_args``; return its direct entry point."""
    if not hasattr(kernel, "compile"):
        return kernel
    signature = tuple(numba.typeof(arg) for arg in example_args)
    kernel.compile(signature)
    return kernel.overloads[signature].entry_point
