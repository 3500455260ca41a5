"""Argument checks shared by the analytic layer and the simulators.

Every public function of thermolib validates its input *before* doing any work and raises a
``ValueError`` that names the offending parameter and the allowed range, e.g.::

    ValueError: T_L must be a finite number >= 0, got -1.0
"""
from __future__ import annotations

import numbers
import math

import numpy as np

__all__ = [
    "real",
    "positive",
    "nonnegative",
    "positive_int",
    "nonnegative_int",
    "temperature",
    "real_array",
    "boolean",
]


def _is_real_scalar(x) -> bool:
    return isinstance(x, numbers.Real) and not isinstance(x, bool)


def real(name: str, x, *, lo=None, hi=None, lo_open=False, hi_open=False) -> float:
    """Return ``float(x)`` after checking it is a finite real number inside [lo, hi].

    ``lo_open``/``hi_open`` make the corresponding bound strict.
    """
    if isinstance(x, np.ndarray) and x.ndim == 0:
        x = x.item()
    if not _is_real_scalar(x):
        raise ValueError(f"{name} must be a real number, got {x!r} ({type(x).__name__})")
    x = float(x)
    if not math.isfinite(x):
        raise ValueError(f"{name} must be finite, got {x!r}")
    if lo is not None and (x < lo or (lo_open and x == lo)):
        rng = _describe(lo, hi, lo_open, hi_open)
        raise ValueError(f"{name} must be {rng}, got {x!r}")
    if hi is not None and (x > hi or (hi_open and x == hi)):
        rng = _describe(lo, hi, lo_open, hi_open)
        raise ValueError(f"{name} must be {rng}, got {x!r}")
    return x


def _describe(lo, hi, lo_open, hi_open) -> str:
    parts = []
    if lo is not None:
        parts.append(("> " if lo_open else ">= ") + repr(lo))
    if hi is not None:
        parts.append(("< " if hi_open else "<= ") + repr(hi))
    return "a finite number " + " and ".join(parts)


def positive(name: str, x) -> float:
    """A finite real number > 0 (masses, frictions, lengths, time steps)."""
    return real(name, x, lo=0.0, lo_open=True)


def nonnegative(name: str, x) -> float:
    """A finite real number >= 0 (temperatures, stiffnesses that may vanish)."""
    return real(name, x, lo=0.0)


def temperature(name: str, x) -> float:
    """A temperature in units of k_B = 1: finite and >= 0."""
    return real(name, x, lo=0.0)


def positive_int(name: str, x) -> int:
    """An integer >= 1 (particle numbers, chain lengths, realizations, steps)."""
    return _integer(name, x, 1)


def nonnegative_int(name: str, x) -> int:
    """An integer >= 0 (seeds, burn-in steps)."""
    return _integer(name, x, 0)


def _integer(name: str, x, lo: int) -> int:
    if isinstance(x, (bool, np.bool_)) or not isinstance(x, (numbers.Integral, np.integer)):
        raise ValueError(f"{name} must be an integer >= {lo}, got {x!r} ({type(x).__name__})")
    x = int(x)
    if x < lo:
        raise ValueError(f"{name} must be an integer >= {lo}, got {x}")
    return x


def real_array(name: str, x, *, lo=None, lo_open=False) -> np.ndarray:
    """A float64 array (scalars become 0-d arrays) of finite values, optionally bounded below."""
    try:
        a = np.asarray(x, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a real number or array of real numbers, got {x!r}") from None
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} must be finite, got {x!r}")
    if lo is not None:
        bad = (a <= lo) if lo_open else (a < lo)
        if np.any(bad):
            op = ">" if lo_open else ">="
            raise ValueError(f"{name} must be {op} {lo} everywhere, got {a[bad].ravel()[0]!r}")
    return a


def boolean(name: str, x) -> bool:
    """A flag: ``True``/``False`` (or a numpy bool) only; ``"no"``, ``0``, ``None`` are refused."""
    if isinstance(x, (bool, np.bool_)):
        return bool(x)
    raise ValueError(f"{name} must be True or False, got {x!r} ({type(x).__name__})")
