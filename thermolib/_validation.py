"""Argument checks shared by the analytic layer and the simulators: one type policy for thermolib.

Every public function of thermolib validates its input *before* doing any work and raises an error
that names the offending parameter and what is allowed, e.g.::

    ValueError: T_L must be a finite number >= 0, got -1.0
    ParameterTypeError: T_L must be a real number (int, float or a numpy real scalar), got '1.5' (str)

The policy:

* **numbers** are ``int``, ``float``, numpy integer/floating scalars and 0-d arrays of those
  dtypes -- never ``bool`` (``True`` is not a temperature) and never ``str`` (``'1.5'`` is refused,
  not parsed); they must be finite unless a function documents otherwise;
* **integers** (counts, seeds) are ``int`` or numpy integers (a float, even ``4.0``, is refused);
* **flags** are real booleans only (``True``/``False``/``numpy.bool_``): ``'no'``, ``0`` and
  ``None`` are refused, because ``bool('no')`` is ``True``;
* **arrays** are accepted only where a function documents them: nested sequences or numpy arrays
  of real numbers (no booleans, strings, complex or ragged input);
* **choices** (``method=``, ``form=``) are one of the documented strings;
* **model objects** (a diode, a particle bath) are checked by kind (:func:`require_kind`).

A value of the wrong *type* raises :class:`ParameterTypeError`, which is both a ``TypeError`` and a
``ValueError``: ``except ValueError`` (and ``pytest.raises(ValueError)``) keep catching every
refusal of bad input, while the type is the one Python uses for a wrong type. A value of the right
type outside the allowed range raises ``ValueError``.
"""
from __future__ import annotations

import math
import numbers

import numpy as np

__all__ = [
    "ParameterTypeError",
    "real",
    "positive",
    "nonnegative",
    "positive_int",
    "nonnegative_int",
    "integer",
    "temperature",
    "real_array",
    "boolean",
    "choice",
    "require_kind",
    "finite_result",
    "finite_formula",
]

_NUMBER = "a real number (int, float or a numpy real scalar)"


class ParameterTypeError(TypeError, ValueError):
    """A parameter of the wrong type (a string, a boolean, ``None``, a complex number...).

    Both a ``TypeError`` and a ``ValueError``: code that catches ``ValueError`` for bad input keeps
    working, and the exception is the one Python raises for a wrong type.
    """


def _show(x) -> str:
    """``repr`` cut to 80 characters, with the type name."""
    r = repr(x)
    if len(r) > 80:
        r = r[:77] + "..."
    return f"{r} ({type(x).__name__})"


def _scalar(name: str, x, what: str = _NUMBER):
    """``x`` as a Python int or float if it is a real, non-boolean scalar; else ParameterTypeError."""
    if isinstance(x, np.ndarray) and x.ndim == 0 and x.dtype.kind in "iuf":
        x = x.item()
    if isinstance(x, (bool, np.bool_)) or not isinstance(x, (numbers.Real, np.integer, np.floating)):
        raise ParameterTypeError(f"{name} must be {what}, got {_show(x)}")
    return x


def real(name: str, x, *, lo=None, hi=None, lo_open=False, hi_open=False) -> float:
    """Return ``float(x)`` after checking it is a finite real number inside [lo, hi].

    ``lo_open``/``hi_open`` make the corresponding bound strict.
    """
    x = _scalar(name, x)
    try:
        x = float(x)
    except OverflowError:  # an int beyond the double range
        raise ValueError(f"{name} must be a finite number, got {x!r:.40}") from None
    if not math.isfinite(x):
        raise ValueError(f"{name} must be finite, got {x!r}")
    if lo is not None and (x < lo or (lo_open and x == lo)):
        raise ValueError(f"{name} must be {_describe(lo, hi, lo_open, hi_open)}, got {x!r}")
    if hi is not None and (x > hi or (hi_open and x == hi)):
        raise ValueError(f"{name} must be {_describe(lo, hi, lo_open, hi_open)}, got {x!r}")
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


def integer(name: str, x, *, lo=None, hi=None) -> int:
    """An integer (``int`` or numpy integer, never bool or float) inside [lo, hi]."""
    what = "an integer" + (f" >= {lo}" if lo is not None else "") + (f" and <= {hi}" if hi is not None else "")
    if isinstance(x, np.ndarray) and x.ndim == 0 and x.dtype.kind in "iu":
        x = x.item()
    if isinstance(x, (bool, np.bool_)) or not isinstance(x, (numbers.Integral, np.integer)):
        raise ParameterTypeError(f"{name} must be {what}, got {_show(x)}")
    x = int(x)
    if (lo is not None and x < lo) or (hi is not None and x > hi):
        raise ValueError(f"{name} must be {what}, got {x}")
    return x


def positive_int(name: str, x) -> int:
    """An integer >= 1 (particle numbers, chain lengths, realizations, steps)."""
    return integer(name, x, lo=1)


def nonnegative_int(name: str, x) -> int:
    """An integer >= 0 (seeds, burn-in steps)."""
    return integer(name, x, lo=0)


def _has_bool(x) -> bool:
    """True if a (nested) list/tuple holds a boolean anywhere."""
    if isinstance(x, (bool, np.bool_)):
        return True
    if isinstance(x, (list, tuple)):
        return any(_has_bool(v) for v in x)
    return False


def real_array(name: str, x, *, lo=None, lo_open=False) -> np.ndarray:
    """A float64 array (scalars become 0-d arrays) of finite values, optionally bounded below.

    Accepts real scalars, numpy arrays of integer or floating dtype, and (nested) lists/tuples of
    real numbers; refuses booleans, strings, complex numbers and ragged or object input with
    :class:`ParameterTypeError`.
    """
    what = "a real number or an array of real numbers"
    if isinstance(x, (str, bytes, bool, np.bool_)) or x is None or _has_bool(x):
        raise ParameterTypeError(f"{name} must be {what}, got {_show(x)}")
    try:
        a = np.asarray(x)
    except (TypeError, ValueError):  # ragged nesting
        raise ParameterTypeError(f"{name} must be {what}, got {_show(x)}") from None
    if a.dtype.kind == "O":
        flat = a.ravel().tolist()
        if not all(isinstance(v, (numbers.Real, np.integer, np.floating))
                   and not isinstance(v, (bool, np.bool_)) for v in flat):
            raise ParameterTypeError(f"{name} must be {what}, got {_show(x)}")
    elif a.dtype.kind not in "iuf":
        raise ParameterTypeError(f"{name} must be {what}, got {_show(x)} of dtype {a.dtype}")
    try:
        a = a.astype(float)
    except OverflowError:
        raise ValueError(f"{name} must be finite, got {x!r:.80}") from None
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} must be finite, got {x!r:.80}")
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
    raise ParameterTypeError(f"{name} must be True or False, got {_show(x)}")


def choice(name: str, x, options) -> str:
    """One of the strings ``options`` (``method=``, ``form=``...)."""
    listed = ", ".join(repr(o) for o in options)
    if not isinstance(x, str):
        raise ParameterTypeError(f"{name} must be one of {listed}, got {_show(x)}")
    if x not in options:
        raise ValueError(f"{name} must be one of {listed}, got {x!r}")
    return x


def require_kind(obj, kind: str, expected: str, *, name: str):
    """``obj`` if it is a thermolib model of the given kind, else :class:`ParameterTypeError`.

    A model class carries its kind as the class attribute ``_thermolib_model`` (``"diode"``,
    ``"particle_bath"``), inherited by subclasses, so a module that takes a model checks it without
    importing the model's module. This keeps the modules the model's methods delegate to (the
    Gaussian closure, the exact solver, the probe) leaves of the import graph.

    Parameters
    ----------
    obj : object
        The argument to check.
    kind : str
        The required value of ``type(obj)._thermolib_model``.
    expected : str
        The public name of the model class, for the message (``"thermolib.Diode"``).
    name : str
        The parameter's name, for the message.

    Raises
    ------
    ParameterTypeError
        ``"diode must be a thermolib.Diode, got 1.0 (float)"``.
    """
    if getattr(type(obj), "_thermolib_model", None) != kind:
        raise ParameterTypeError(f"{name} must be a {expected}, got {_show(obj)}")
    return obj


def finite_result(what: str, value, inputs: str = ""):
    """Return ``value`` if every entry is finite; else ``ValueError`` saying that ``what`` is not
    representable in double precision at these inputs (described by ``inputs``)."""
    parts = value if isinstance(value, (tuple, list)) else (value,)
    if not all(np.all(np.isfinite(np.asarray(v, dtype=float))) for v in parts):
        at = f" at {inputs}" if inputs else ""
        raise ValueError(f"{what} is not representable in double precision{at} (overflow or an "
                         f"undefined value): these inputs are outside the range thermolib computes")
    return value


def finite_formula(name: str, value, x, formula: str, label: str = "T") -> float:
    """``value()`` if it is finite, else ``ValueError``: the input ``label = x`` is outside the
    representable range because ``name = formula`` overflows double precision.

    Parameters
    ----------
    name : str
        The quantity computed (``"tau_1"``).
    value : callable
        Computes it without arguments; a ``ZeroDivisionError`` or ``OverflowError`` it raises (a
        denominator that underflows to zero) counts as an overflow.
    x : float
        The value of the input that drives the overflow (a temperature).
    formula : str
        The formula of ``name``, for the message.
    label : str
        The input's parameter name.
    """
    try:
        value = value()
    except (ZeroDivisionError, OverflowError):
        value = math.inf
    if not math.isfinite(value):
        raise ValueError(f"{label} = {x!r} is outside the representable range: {name} = {formula} "
                         f"overflows double precision")
    return value
