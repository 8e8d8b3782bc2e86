"""Named layouts of flat vectors: one spec from which offsets, names, sizes and decoding derive.

Observations, the per-step noise row, traits, events and reward components are flat arrays
that numba kernels index. Writing their offsets by hand in several places (the kernel, the
names, the size, the decoder) is how layouts drift apart, so each is declared once as a
:class:`FlatSpec` and everything else is computed from it:

* ``spec.offsets``: a NamedTuple of start indices, passed to kernels so that they write
  ``out[off.carry + k]`` by name (numba compiles NamedTuple attribute access to a constant
  load; a module-level ``offsets`` is frozen into the kernel as a compile-time constant);
* ``spec.size`` and ``spec.names()``: the length of the vector and a name for every entry;
* ``spec.decode(flat)``: the vector (or a batch of them) split back into named arrays.

The offset NamedTuple types are created once per ``type_name`` and registered in this
module, so they pickle by reference and numba's on-disk cache can find them again.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np


class Field(NamedTuple):
    """A block of a flat vector: ``rows`` rows of ``columns`` entries each.

    Entries are named ``{name}_{column}`` (``name`` alone for an unnamed column); with a
    ``row_label`` the block repeats per row (per human, per coin) and entries are named
    ``{row_label}_{r}_{column}``.
    """

    name: str
    columns: tuple[str, ...]
    rows: int = 1
    row_label: str = ""

    @property
    def width(self) -> int:
        return self.rows * len(self.columns)

    def entry_names(self) -> list[str]:
        if self.row_label:
            return [f"{self.row_label}_{r}_{c}" for r in range(self.rows) for c in self.columns]
        return [f"{self.name}_{c}" if c else self.name for c in self.columns]


_OFFSET_TYPES: dict[str, type] = {}


def offset_type(type_name: str, names: Sequence[str]) -> type:
    """The NamedTuple class ``type_name`` with fields ``names``, created once and registered."""
    names = tuple(names)
    known = _OFFSET_TYPES.get(type_name)
    if known is None:
        known = NamedTuple(type_name, [(n, int) for n in names])
        known.__module__ = __name__
        globals()[type_name] = known
        _OFFSET_TYPES[type_name] = known
    elif known._fields != names:
        raise ValueError(
            f"spec {type_name!r} already exists with fields {known._fields}; got {names}"
        )
    return known


class FlatSpec:
    """The layout of a flat vector as an ordered list of :class:`Field`."""

    def __init__(self, type_name: str, fields: Sequence[Field]):
        if not type_name.isidentifier():
            raise ValueError(f"spec name must be an identifier, got {type_name!r}")
        fields = list(fields)
        if not fields:
            raise ValueError(f"spec {type_name!r} needs at least one field")
        seen: set[str] = set()
        for f in fields:
            if not isinstance(f, Field):
                raise ValueError(f"spec {type_name!r}: {f!r} is not a Field")
            if not f.name.isidentifier() or f.name in seen:
                raise ValueError(
                    f"spec {type_name!r}: field name {f.name!r} must be a unique identifier"
                )
            if isinstance(f.rows, bool) or not isinstance(f.rows, int) or f.rows < 0:
                raise ValueError(
                    f"spec {type_name!r}: field {f.name!r} has rows={f.rows!r}; allowed are"
                    " integers >= 0"
                )
            if not f.columns or len(set(f.columns)) != len(f.columns):
                raise ValueError(
                    f"spec {type_name!r}: field {f.name!r} needs one or more distinct columns,"
                    f" got {f.columns!r}"
                )
            seen.add(f.name)
        self.type_name = type_name
        self.fields = fields
        described = json.dumps([[f.name, list(f.columns), f.rows, f.row_label] for f in fields])
        self.signature = hashlib.sha1(described.encode()).hexdigest()[:12]
        """Names this layout: the same fields in the same order give the same signature."""
        starts = np.concatenate([[0], np.cumsum([f.width for f in fields])]).astype(int)
        self.size = int(starts[-1])
        self.offsets = offset_type(type_name, [f.name for f in fields])(*starts[:-1].tolist())

    def __repr__(self) -> str:
        return f"FlatSpec({self.type_name!r}, size={self.size})"

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(f"spec {self.type_name!r} has no field {name!r}")

    def slice(self, name: str) -> slice:
        start = getattr(self.offsets, name)
        return slice(start, start + self.field(name).width)

    def names(self) -> list[str]:
        return [n for f in self.fields for n in f.entry_names()]

    def decode(self, flat: np.ndarray) -> dict[str, np.ndarray]:
        """Split ``flat`` (shape (..., size)) into views: (..., rows, columns) per repeated
        field (one with a ``row_label``), (..., columns) otherwise."""
        flat = np.asarray(flat)
        if flat.shape[-1:] != (self.size,):
            raise ValueError(
                f"{self.type_name}: expected vectors of length {self.size}, got shape {flat.shape}"
            )
        lead = flat.shape[:-1]
        parts = {}
        for f in self.fields:
            block = flat[..., self.slice(f.name)]
            shape = (f.rows, len(f.columns)) if f.row_label else (len(f.columns),)
            parts[f.name] = block.reshape(*lead, *shape)
        return parts


def index_of(type_name: str, names: Sequence[str]):
    """A NamedTuple mapping each of ``names`` to its column: for arrays of named columns."""
    return FlatSpec(type_name, [Field(n, ("",)) for n in names]).offsets
