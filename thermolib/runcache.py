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

__all__ = ["cached", "cache_dir", "cache_key", "record_cost", "cost_ledger", "total_cost",
           "reset_ledger"]

ENV = "THERMOLIB_CACHE"

# Process-wide ledger of the computations whose results this process used: one entry per result,
# with the CPU seconds the computation took when it ran (also when the result now comes from the
# cache), so a page can report the cost of what it shows, cached or not.
_LEDGER: list[dict] = []


def record_cost(name: str, seconds: float, *, cached: bool) -> None:
    """Add one used result to the ledger: ``name`` of the computation, its CPU ``seconds`` (as
    measured when it was computed) and whether it came from a cache (a run cache or a sweep store)."""
    _LEDGER.append({"name": str(name), "seconds": float(seconds), "cached": bool(cached)})


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
    name = getattr(fn, "__qualname__", getattr(fn, "__name__", repr(fn)))
    if d is None:
        return _timed(fn, args, kwargs, name)[0]
    d.mkdir(parents=True, exist_ok=True)
    path = d / f"{fn.__name__}-{cache_key(fn, args, kwargs)}.pkl"
    if path.exists():
        try:
            with path.open("rb") as fh:
                stored = pickle.load(fh)
            record_cost(name, stored["seconds"], cached=True)
            return stored["result"]
        except Exception:  # a truncated file from a killed run: recompute it
            path.unlink(missing_ok=True)
    result, seconds = _timed(fn, args, kwargs, name)
    # Write atomically, so a run killed mid-write never leaves a half file behind.
    fd, tmp = tempfile.mkstemp(dir=d, suffix=".tmp")
    with os.fdopen(fd, "wb") as fh:
        pickle.dump({"result": result, "seconds": seconds}, fh)
    os.replace(tmp, path)
    return result


def _timed(fn, args, kwargs, name):
    import time

    start = time.process_time()
    result = fn(*args, **kwargs)
    seconds = time.process_time() - start
    record_cost(name, seconds, cached=False)
    return result, seconds
