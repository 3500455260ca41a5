"""A disk cache for finished simulation results, so a long run is never computed twice.

Chapters are executed more than once (by nbval in ``make test``, then by ``jupyter-book build``),
and a reader re-running a cell should not wait for a simulation that already finished. When the
environment variable ``THERMOLIB_CACHE`` names a directory, :func:`cached` stores each result there
under a key made of the function, every argument (model objects included, field by field) and the
thermolib version; otherwise it simply calls the function.

A cached result is the very object the simulator returned (pickled), so it carries its own
provenance (seed, dt, realizations, version). Changing any argument, or the library version, gives
a new key: a cache can be stale only if the code changed without a version bump, in which case
``make clean`` (or deleting the directory) recomputes everything.
"""
from __future__ import annotations

import hashlib
import json
import os
import pickle
import tempfile
from pathlib import Path
from typing import Any, Callable

from .sim._result import plain

__all__ = ["cached", "cache_dir", "cache_key"]

ENV = "THERMOLIB_CACHE"


def cache_dir() -> Path | None:
    """The cache directory from ``$THERMOLIB_CACHE``, or None when caching is off."""
    d = os.environ.get(ENV, "").strip()
    return Path(d) if d else None


def cache_key(fn: Callable, args: tuple, kwargs: dict) -> str:
    """A stable hash of the call: function name, plain form of every argument, library version."""
    from . import __version__

    payload = {
        "fn": f"{fn.__module__}.{fn.__qualname__}",
        "args": plain(list(args)),
        "kwargs": plain(dict(sorted(kwargs.items()))),
        "version": __version__,
    }
    text = json.dumps(payload, sort_keys=True, default=repr)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def cached(fn: Callable, *args: Any, **kwargs: Any) -> Any:
    """Call ``fn(*args, **kwargs)``, or return its stored result from ``$THERMOLIB_CACHE``.

    Examples
    --------
    >>> res = cached(thermolib.sim.diode_current, diode, 1.2, 0.8, [0.0, 0.1],
    ...              t=200.0, realizations=512, seed=1)      # doctest: +SKIP
    """
    d = cache_dir()
    if d is None:
        return fn(*args, **kwargs)
    d.mkdir(parents=True, exist_ok=True)
    path = d / f"{fn.__name__}-{cache_key(fn, args, kwargs)}.pkl"
    if path.exists():
        try:
            with path.open("rb") as fh:
                return pickle.load(fh)
        except Exception:  # a truncated file from a killed run: recompute it
            path.unlink(missing_ok=True)
    result = fn(*args, **kwargs)
    # Write atomically, so a run killed mid-write never leaves a half file behind.
    fd, tmp = tempfile.mkstemp(dir=d, suffix=".tmp")
    with os.fdopen(fd, "wb") as fh:
        pickle.dump(result, fh)
    os.replace(tmp, path)
    return result
