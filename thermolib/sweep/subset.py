"""The quick subset of a spec: ``[quick]``, a documented part of the same grid with shorter runs.

::

    [quick]
    run = {t = 600.0, realizations = 8}      # overrides of [run] for every quick point
    [quick.grid]                             # a subset of each axis; an omitted axis keeps all
    T_L = [0.5, 1.0, 2.0, 4.0, 8.0]          # its values

or, with a different subset (and run length) per part of the grid, an array of tables::

    [[quick.grid]]
    zeta = [0.1]
    T_L = [0.3, 0.5, 1.0]
    run = {t = 1500.0}

Every quick value must be a value of the grid's axis (numbers match to a relative 1e-9, so
``1.4142135623731`` names the grid's ``2**0.5``), and every quick point a point of the sweep.
Quick points keep the seeds of the full sweep: a point's seed depends only on the spec's seed and
the point. ``quick.run`` may change run settings only, never the physics (model, fixed, grid).
The run settings of a quick point are ``[run]``, then its full sub-grid's ``run``, then
``quick.run``, then its quick sub-grid's ``run``.
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import _canon
from .errors import SweepError, describe_point
from .grid import Grid, SubGrid, axis_values, value_key

if TYPE_CHECKING:
    from .spec import Sweep

__all__ = ["quick_grid"]

_QUICK_KEYS = ("grid", "run")


def _snap(where: str, value: Any, axis: list) -> Any:
    """The grid's own value equal to ``value`` (numbers: to a relative 1e-9)."""
    key = value_key(value)
    for v in axis:
        if value_key(v) == key:
            return v
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        for v in axis:
            if (isinstance(v, (int, float)) and not isinstance(v, bool)
                    and math.isclose(v, value, rel_tol=1e-9, abs_tol=1e-12)):
                return v
    shown = ", ".join(repr(v) for v in axis[:12]) + (", ..." if len(axis) > 12 else "")
    raise SweepError(f"{where} = {value!r} is not a value of the grid's axis (values: {shown}); "
                     f"the quick subset must lie inside the grid")


def _subgrids(sweep: "Sweep", raw: Any) -> list[SubGrid]:
    full = sweep.grid
    tables = raw if isinstance(raw, list) else [raw if raw is not None else {}]
    subs = []
    for i, table in enumerate(tables, 1):
        label = "quick.grid" if not isinstance(raw, list) else f"quick.grid[{i}]"
        if not isinstance(table, Mapping):
            raise SweepError(f"[{label}] must be a table of axis = values, got {table!r}")
        table = dict(table)
        run = table.pop("run", None) or {}
        if run and not isinstance(raw, list):
            raise SweepError("[quick.grid] is one subset: put its run settings under [quick] run = "
                             "{...} (per-part run settings need [[quick.grid]] tables)")
        if not isinstance(run, Mapping):
            raise SweepError(f"{label}.run must be a table of run settings, got {run!r}")
        axes = {}
        for name in table:
            if name not in full:
                raise SweepError(f"{label}.{name} is not an axis of the grid (axes: "
                                 f"{', '.join(full)}); the quick subset may only narrow the grid")
        for name, values in full.items():
            if name in table:
                axes[name] = [_snap(f"{label}.{name}", v, values)
                              for v in axis_values(f"{label}.{name}", table[name])]
            else:
                axes[name] = list(values)
        subs.append(SubGrid(axes, dict(run)))
    return subs


def _check_run_names(sweep: "Sweep", where: str, run: Mapping) -> None:
    allowed = sweep.run_names
    for name, value in run.items():
        if name not in allowed:
            what = ("a grid axis" if name in sweep.grid else "a model parameter"
                    if name in sweep.model_params else "a fixed parameter" if name in sweep.fixed
                    else "not a run setting")
            raise SweepError(f"{where}.{name}: {name} is {what} of {sweep.function}; the quick "
                             f"subset may only shorten runs (run settings: "
                             f"{', '.join(sorted(allowed)) or '-'})")
        if isinstance(value, (list, tuple, Mapping)):
            raise SweepError(f"{where}.{name} must be a single value")


def quick_grid(sweep: "Sweep", quick: Any) -> tuple[Grid, Any]:
    """The quick subset's grid (run overrides merged per point) and its canonical description."""
    if not isinstance(quick, Mapping):
        raise SweepError(f"[quick] must be a table (grid, run), got {quick!r}")
    unknown = [k for k in quick if k not in _QUICK_KEYS]
    if unknown:
        raise SweepError(f"unknown key quick.{unknown[0]} (allowed: {', '.join(_QUICK_KEYS)})")
    qrun = quick.get("run", {}) or {}
    if not isinstance(qrun, Mapping):
        raise SweepError(f"quick.run must be a table of run settings, got {qrun!r}")
    _check_run_names(sweep, "quick.run", qrun)
    subs = _subgrids(sweep, quick.get("grid"))
    for i, sg in enumerate(subs, 1):
        _check_run_names(sweep, f"quick.grid[{i}].run", sg.run)
    full = sweep.grid_spec
    grid = Grid(subs, order=full.axes, where="quick.grid")

    # Every quick point must be a point of the sweep.
    index = {d: {value_key(v): i for i, v in enumerate(vals)} for d, vals in full.axes.items()}
    maps = [np.array([index[d][value_key(v)] for v in grid.axes[d]], dtype=np.intp) for d in grid.dims]
    qflat = grid.points()
    qidx = np.unravel_index(qflat, grid.shape)
    fflat = np.ravel_multi_index(tuple(m[i] for m, i in zip(maps, qidx)), full.shape)
    inside = full.mask.ravel()[fflat]
    if not inside.all():
        bad = grid.point(int(qflat[np.flatnonzero(~inside)[0]]))
        raise SweepError(f"the quick point {describe_point(bad)} is not a point of the grid; the "
                         f"quick subset must lie inside the grid")

    # Run settings per quick point: full sub-grid, then quick.run, then the quick sub-grid.
    pairs = np.stack([full.variant.ravel()[fflat], grid.variant.ravel()[qflat]], axis=1)
    overrides, ids = [{}], {value_key({}): 0}
    variant = np.full(grid.shape, -1, dtype=np.int32).ravel()
    for pv, qv in np.unique(pairs, axis=0):
        merged = {**full.overrides[pv], **qrun, **grid.overrides[qv]}
        vid = ids.setdefault(value_key(merged), len(ids))
        if vid == len(overrides):
            overrides.append(merged)
        sel = (pairs[:, 0] == pv) & (pairs[:, 1] == qv)
        variant[qflat[sel]] = vid
    grid.variant = variant.reshape(grid.shape)
    grid.overrides = overrides
    config = _canon.canonical({"grid": [sg.axes for sg in subs], "subgrid_run": [sg.run for sg in subs],
                               "run": dict(qrun)})
    return grid, config
