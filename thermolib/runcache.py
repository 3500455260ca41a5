"""A disk cache for finished simulation results, so a long run is never computed twice.

Chapters are executed more than once (by nbval in ``make test``, then by ``jupyter-book build``),
and a reader re-running a cell should not wait for a simulation that already finished. When the
environment variable ``THERMOLIB_CACHE`` names a directory, :func:`cached` stores each result there;
otherwise it simply calls the function.

A cache that cannot go stale
----------------------------
The key (:func:`cache_key`) is the SHA-256 of the canonical form (:mod:`thermolib._canon`) of

* the function: its qualified name; for a function outside thermolib also its code (bytecode,
  constants, names), default arguments, closure cells, the functions it calls and the immutable
  global values it reads (numbers, strings, tuples, frozen model objects), so two lambdas, or an
  edited notebook function, never share a key; ``functools.partial`` objects and bound methods by
  their parts. Mutable globals (lists, dicts, arrays) enter by name only: pass such data as an
  argument;
* every argument (model objects field by field; ``1.0`` and ``1`` are the same value);
* a digest of every source file of thermolib itself (:func:`source_digest`): any change to the
  library gives new keys, with or without a version bump.

Anything without a canonical form (an open file, a figure, a generator) is refused with
``TypeError`` naming it, rather than keyed by a ``repr`` that may collide or change every run.

A stored entry is a header line (format, key, SHA-256 and length of the payload) followed by the
pickled payload. Before use the header must match the requested key and the payload its digest;
a damaged, truncated or foreign file is deleted and the result recomputed, never returned. A result
that cannot be pickled is returned (with a ``RuntimeWarning``) and simply not stored; writes are
atomic, so no half-written or temporary file is left behind.

The cost ledger records every used result with the CPU seconds its computation took (also when it
comes from the cache), so a page can report the cost of what it shows.
"""
from __future__ import annotations

import dataclasses
import enum
import functools
import hashlib
import inspect
import json
import os
import pickle
import re
import tempfile
import types
import warnings
from pathlib import Path
from typing import Any, Callable

import numpy as np

from . import _canon
from ._validation import ParameterTypeError, boolean, nonnegative

__all__ = ["cached", "cache_dir", "cache_key", "source_digest", "record_cost", "cost_ledger",
           "total_cost", "reset_ledger"]

ENV = "THERMOLIB_CACHE"
_FORMAT = "thermolib-runcache-2"

# Process-wide ledger of the computations whose results this process used: one entry per result,
# with the CPU seconds the computation took when it ran (also when the result now comes from the
# cache), so a page can report the cost of what it shows, cached or not.
_LEDGER: list[dict] = []


def record_cost(name: str, seconds: float, *, cached: bool) -> None:
    """Add one used result to the ledger: ``name`` of the computation, its CPU ``seconds`` (as
    measured when it was computed) and whether it came from a cache (a run cache or a sweep store)."""
    if not isinstance(name, str):
        raise ParameterTypeError(f"name must be a str, got {name!r:.60} ({type(name).__name__})")
    seconds = nonnegative("seconds", seconds)
    _LEDGER.append({"name": name, "seconds": seconds, "cached": boolean("cached", cached)})


def cost_ledger() -> list[dict]:
    """A copy of the ledger: ``[{"name", "seconds", "cached"}, ...]`` in the order used."""
    return [dict(e) for e in _LEDGER]


def total_cost() -> dict:
    """``{"results", "seconds", "computed_now", "seconds_now"}`` summed over the ledger: all results
    used, the CPU time they cost, and the part computed in this process (not from a cache)."""
    now = [e for e in _LEDGER if not e["cached"]]
    return {"results": len(_LEDGER), "seconds": sum(e["seconds"] for e in _LEDGER),
            "computed_now": len(now), "seconds_now": sum(e["seconds"] for e in now)}


def reset_ledger() -> None:
    """Empty the ledger (tests; a page starts with an empty one in a fresh kernel)."""
    _LEDGER.clear()


def cache_dir() -> Path | None:
    """The cache directory from ``$THERMOLIB_CACHE``, or None when caching is off."""
    d = os.environ.get(ENV, "").strip()
    return Path(d) if d else None


# ------------------------------------------------------------------------------- keys
@functools.lru_cache(maxsize=1)
def source_digest() -> str:
    """SHA-256 over the source files of the installed thermolib package (path and content of
    every ``*.py``, in sorted order): changes whenever any line of the library changes."""
    root = Path(__file__).resolve().parent
    h = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        h.update(path.relative_to(root).as_posix().encode() + b"\0")
        h.update(path.read_bytes() + b"\0")
    return h.hexdigest()


def _in_thermolib(module: str | None) -> bool:
    return module is not None and (module == "thermolib" or module.startswith("thermolib."))


def _code_form(code: types.CodeType) -> dict:
    """What a code object computes (not where it sits in a file: no line numbers, no file name)."""
    consts = [_code_form(c) if isinstance(c, types.CodeType)
              else sorted(map(repr, c)) if isinstance(c, frozenset)  # repr order varies per run
              else _canon.canonical(c) for c in code.co_consts]
    return {"code": code.co_code.hex(), "consts": consts, "names": list(code.co_names)}


def _global_names(code: types.CodeType) -> set[str]:
    names = set(code.co_names)
    for c in code.co_consts:
        if isinstance(c, types.CodeType):
            names |= _global_names(c)
    return names


def _value_form(value, what: str, seen: set):
    """Canonical form of a value a function depends on (a global, a closure cell, a default)."""
    if isinstance(value, types.ModuleType):
        return {"module": value.__name__}
    if isinstance(value, type):
        return {"class": f"{value.__module__}.{value.__qualname__}"}
    if callable(value) and not _canon_ok(value):
        return _callable_form(value, seen)
    try:
        return _canon.canonical(value, strict=True)
    except TypeError:
        raise ParameterTypeError(
            f"cached: {what} is a {type(value).__name__}, which has no canonical form, so the result "
            f"cannot be keyed safely; pass plain numbers, arrays or thermolib model objects") from None


def _immutable(value) -> bool:
    """Numbers, strings, None, enums, frozen dataclasses and tuples of those."""
    if value is None or isinstance(value, (bool, int, float, complex, str, bytes, np.generic,
                                           enum.Enum)):
        return True
    if isinstance(value, (tuple, frozenset)):
        return all(_immutable(v) for v in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return value.__dataclass_params__.frozen
    return False


def _global_form(value, what: str, seen: set):
    """A global read by a function: modules, classes and functions by identity, immutable data by
    value; mutable data (lists, dicts, arrays, other objects) only by name -- a function that reads
    mutable state (an accumulator, a figure) must not get a new key each time that state changes."""
    if isinstance(value, (types.ModuleType, type)) or (callable(value) and not _canon_ok(value)):
        return _value_form(value, what, seen)
    if _immutable(value) and _canon_ok(value):
        return _canon.canonical(value, strict=True)
    return {"mutable": type(value).__name__}


def _canon_ok(value) -> bool:
    try:
        _canon.canonical(value, strict=True)
        return True
    except TypeError:
        return False


def _callable_form(fn, seen: set | None = None):
    """Canonical identity of a callable (see the module docstring)."""
    seen = set() if seen is None else seen
    if isinstance(fn, functools.partial):
        return {"partial": _callable_form(fn.func, seen),
                "args": [_value_form(a, "a partial argument", seen) for a in fn.args],
                "keywords": {k: _value_form(v, f"partial keyword {k!r}", seen)
                             for k, v in sorted(fn.keywords.items())}}
    if inspect.ismethod(fn):
        return {"method": _callable_form(fn.__func__, seen),
                "self": _value_form(fn.__self__, "the bound object of a method", seen)}
    fn = getattr(fn, "py_func", fn)  # a numba dispatcher: its Python function
    if isinstance(fn, types.BuiltinFunctionType) or isinstance(fn, type):
        return {"function": f"{getattr(fn, '__module__', None)}.{fn.__qualname__}"}
    if not isinstance(fn, types.FunctionType):
        if _canon_ok(fn):  # a callable parameter object (a frozen dataclass with __call__)
            return {"object": _canon.canonical(fn, strict=True),
                    "class": f"{type(fn).__module__}.{type(fn).__qualname__}"}
        raise ParameterTypeError(f"cached: fn must be a function, a functools.partial or a bound "
                                 f"method, got {type(fn).__name__} ({fn!r:.60})")
    name = f"{fn.__module__}.{fn.__qualname__}"
    if _in_thermolib(fn.__module__):
        return {"function": name}  # its source is in source_digest()
    if id(fn) in seen:
        return {"function": name, "recursive": True}
    seen.add(id(fn))
    code = fn.__code__
    cells = fn.__closure__ or ()
    glob = fn.__globals__
    return {
        "function": name,
        "body": _code_form(code),
        "defaults": [_value_form(v, f"a default argument of {name}", seen) for v in fn.__defaults__ or ()],
        "kwdefaults": {k: _value_form(v, f"default {k!r} of {name}", seen)
                       for k, v in sorted((fn.__kwdefaults__ or {}).items())},
        "closure": {v: _value_form(c.cell_contents, f"the closure variable {v!r} of {name}", seen)
                    for v, c in zip(code.co_freevars, cells)},
        "globals": {g: _global_form(glob[g], f"the global {g!r} read by {name}", seen)
                    for g in sorted(_global_names(code)) if g in glob},
    }


def _arguments_form(args: tuple, kwargs: dict) -> dict:
    out_args = []
    for i, a in enumerate(args):
        out_args.append(_value_form(a, f"argument {i} ({type(a).__name__})", set()))
    out_kw = {k: _value_form(v, f"argument {k}=", set()) for k, v in sorted(kwargs.items())}
    return {"args": out_args, "kwargs": out_kw}


def cache_key(fn: Callable, args: tuple, kwargs: dict) -> str:
    """A stable hash of the call: the function, every argument and thermolib's own source.

    Raises ``TypeError`` (:class:`~thermolib._validation.ParameterTypeError`) for an argument, or
    something the function reads, that has no canonical form.
    """
    from . import __version__

    if not callable(fn):
        raise ParameterTypeError(f"fn must be callable, got {type(fn).__name__} ({fn!r:.60})")
    if not isinstance(args, (tuple, list)):
        raise ParameterTypeError(f"args must be a tuple of positional arguments, got {args!r:.60}")
    if not isinstance(kwargs, dict) or not all(isinstance(k, str) for k in kwargs):
        raise ParameterTypeError(f"kwargs must be a dict of keyword arguments, got {kwargs!r:.60}")
    payload = {"fn": _callable_form(fn), **_arguments_form(tuple(args), dict(kwargs)),
               "thermolib": source_digest(), "version": __version__}
    return _canon.digest(payload)[:32]


# ------------------------------------------------------------------------------- storage
def _file_name(fn) -> str:
    base = getattr(fn, "__name__", None) or getattr(getattr(fn, "func", None), "__name__", None)
    return re.sub(r"[^A-Za-z0-9_]+", "_", base or type(fn).__name__).strip("_") or "call"


def _load(path: Path, key: str):
    """The stored ``{"result", "seconds"}`` if the file is intact and belongs to ``key``, else None."""
    try:
        raw = path.read_bytes()
        head, _, payload = raw.partition(b"\n")
        header = json.loads(head.decode())
        if (header.get("format") != _FORMAT or header.get("key") != key
                or header.get("length") != len(payload)
                or header.get("sha256") != hashlib.sha256(payload).hexdigest()):
            return None
        stored = pickle.loads(payload)
        if not isinstance(stored, dict) or set(stored) != {"result", "seconds"}:
            return None
        return stored
    except Exception:  # unreadable, not ours, truncated: never returned
        return None


def _store(d: Path, path: Path, key: str, result, seconds: float) -> None:
    try:
        payload = pickle.dumps({"result": result, "seconds": seconds}, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception as exc:  # noqa: BLE001 - any pickling failure: keep the result, skip the cache
        warnings.warn(f"cached: the result of {path.name.split('-')[0]} cannot be stored "
                      f"({type(exc).__name__}: {exc}); it is returned but will be recomputed next time",
                      RuntimeWarning, stacklevel=3)
        return
    header = json.dumps({"format": _FORMAT, "key": key, "length": len(payload),
                         "sha256": hashlib.sha256(payload).hexdigest()}).encode()
    fd, tmp = tempfile.mkstemp(dir=d, prefix=".", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:  # atomic: a killed run never leaves a half file behind
            fh.write(header + b"\n" + payload)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def cached(fn: Callable, *args: Any, **kwargs: Any) -> Any:
    """Call ``fn(*args, **kwargs)``, or return its stored result from ``$THERMOLIB_CACHE``.

    Examples
    --------
    >>> res = cached(thermolib.sim.diode_current, diode, 1.2, 0.8, [0.0, 0.1],
    ...              t=200.0, realizations=512, seed=1)      # doctest: +SKIP
    """
    if not callable(fn):
        raise ParameterTypeError(f"fn must be callable, got {type(fn).__name__} ({fn!r:.60})")
    d = cache_dir()
    name = getattr(fn, "__qualname__", None) or _file_name(fn)
    if d is None:
        return _timed(fn, args, kwargs, name)[0]
    key = cache_key(fn, args, kwargs)
    d.mkdir(parents=True, exist_ok=True)
    path = d / f"{_file_name(fn)}-{key}.pkl"
    if path.exists():
        stored = _load(path, key)
        if stored is not None:
            record_cost(name, stored["seconds"], cached=True)
            return stored["result"]
        path.unlink(missing_ok=True)  # damaged or foreign: recompute
    result, seconds = _timed(fn, args, kwargs, name)
    _store(d, path, key, result, seconds)
    return result


def _timed(fn, args, kwargs, name):
    import time

    start = time.process_time()
    result = fn(*args, **kwargs)
    seconds = time.process_time() - start
    record_cost(name, seconds, cached=False)
    return result, seconds
