"""One canonical, hash-stable form of parameters, shared by the result cache and the sweep runner.

Two calls that mean the same thing must hash the same, two that differ must not:

* numpy scalars and arrays become Python numbers and lists;
* an integral float becomes an int (``1.0`` and ``1`` are the same parameter value), other floats
  keep their exact ``repr`` (round-trip) value;
* frozen dataclasses (the model objects) become ``{"__class__": name, field: value, ...}``;
* mappings get string keys, sequences become lists, enums their value;
* anything else is refused by :func:`canonical` (``strict=True``) or kept as its ``repr``.

:func:`dumps` is the JSON text of the canonical form (sorted keys, no spaces); :func:`digest` its
SHA-256.
"""
from __future__ import annotations

import dataclasses
import enum
import hashlib
import json
import math
from collections.abc import Mapping
from typing import Any

import numpy as np

__all__ = ["canonical", "dumps", "digest"]


def canonical(x: Any, *, strict: bool = False) -> Any:
    """The plain, hash-stable form of ``x`` (see the module docstring).

    With ``strict=True`` an object that has no canonical form (a function, an open file...) raises
    ``TypeError`` instead of falling back to its ``repr``.
    """
    if isinstance(x, np.generic):
        x = x.item()
    if isinstance(x, np.ndarray):
        x = x.tolist()
    if x is None or isinstance(x, (bool, str)):
        return x
    if isinstance(x, int):
        return x
    if isinstance(x, float):
        if math.isfinite(x) and x.is_integer() and abs(x) < 2**53:
            return int(x)
        return x
    if isinstance(x, enum.Enum):
        return canonical(x.value, strict=strict)
    if dataclasses.is_dataclass(x) and not isinstance(x, type):
        out = {"__class__": type(x).__name__}
        for f in dataclasses.fields(x):
            out[f.name] = canonical(getattr(x, f.name), strict=strict)
        return out
    if isinstance(x, Mapping):
        return {str(k): canonical(v, strict=strict) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [canonical(v, strict=strict) for v in x]
    if strict:
        raise TypeError(f"{type(x).__name__} object {x!r} has no canonical form")
    return repr(x)


def dumps(x: Any, *, strict: bool = False) -> str:
    """Canonical JSON text (sorted keys, compact separators; NaN and inf allowed)."""
    return json.dumps(canonical(x, strict=strict), sort_keys=True, separators=(",", ":"),
                      allow_nan=True)


def digest(x: Any, *, strict: bool = False) -> str:
    """Hex SHA-256 of :func:`dumps`."""
    return hashlib.sha256(dumps(x, strict=strict).encode()).hexdigest()
