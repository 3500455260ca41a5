"""One point of a spec in full: the simulator's whole result, not only the outputs a store keeps.

A store holds each point's scalar outputs (a fitted friction, a mean force). A figure that shows
how one of them was obtained (the relaxation trace behind a fitted friction) needs the simulator's
full :class:`~thermolib.sim._result.SimResult` for that very point: the same model, run settings
and seed as the spec's point at the current fidelity. :func:`point_result` runs it through the run
cache, so the figure needs no run settings of its own and its cost enters the cost ledger.
"""
from __future__ import annotations

import math
import os
from typing import Any

from .. import fidelity as _fidelity
from .. import runcache
from .errors import SweepError, describe_point
from .paths import resolve_spec
from .registry import build_model, temperature_kwargs
from .spec import Sweep

__all__ = ["point_result"]


def _same(a: Any, b: Any) -> bool:
    """Grid values agree: numbers to a relative 1e-9 (as the quick subsets), others exactly."""
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=0.0)
    return a == b


def point_result(spec: str | os.PathLike, **point: Any):
    """The simulator's full result at one grid point of ``spec``, at the current fidelity.

    Parameters
    ----------
    spec : path
        A spec of a registered simulator (``function = "sim.<name>"``), looked up as in
        :func:`thermolib.sweep.load_or_compute`.
    **point
        The point's value on every grid axis (numbers match to a relative 1e-9).

    Returns
    -------
    SimResult
        What ``sim.<name>(model, **call, **run, seed=...)`` returns for the point: the run settings
        of the quick subset at quick fidelity, the full ones at paper fidelity, the point's own
        seed (shifted by ``THERMOBOOK_SEED``), so its outputs are the ones
        :func:`~thermolib.sweep.load_or_compute` reports there.

    Raises
    ------
    SweepError
        The spec's function is not a registered simulator, an axis is missing or unknown, or the
        point is not in the grid at this fidelity.
    """
    path = resolve_spec(spec)
    sweep = Sweep.from_spec(path)
    if _fidelity.fidelity() == "quick":
        sweep = sweep.quick()
    entry = sweep.entry
    if entry is None or entry.simulator is None:
        raise SweepError(f"{path}: point_result needs a registered simulator (sim.<name>), not "
                         f"{sweep.function!r}")
    missing = [d for d in sweep.dims if d not in point]
    unknown = [k for k in point if k not in sweep.dims]
    if missing or unknown:
        raise SweepError(f"{path}: give a value for every grid axis {list(sweep.dims)}"
                         + (f"; missing {missing}" if missing else "")
                         + (f"; not an axis: {unknown}" if unknown else ""))
    mask = sweep.in_grid.ravel()
    for flat in range(mask.size):
        if mask[flat] and all(_same(v, point[k]) for k, v in sweep.point(flat).items()):
            break
    else:
        raise SweepError(f"{path}: the point {describe_point(point)} is not in the "
                         f"{sweep.fidelity} grid")
    _, model_kw, kwargs, seed = sweep.task_point(flat)
    model = build_model(entry.model, model_kw)
    if entry.temperatures:
        kwargs = temperature_kwargs(entry.temperatures, dict(kwargs))
    return runcache.cached(entry.simulator, model, **kwargs, seed=seed)
