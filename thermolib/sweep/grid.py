"""The points of a sweep: one Cartesian product, or a union of products (sub-grids), and their seeds.

A ``[grid]`` table is one product over its axes. An array of tables ``[[grid]]`` is a union of
sub-grids over the same axes; each may carry ``run = {...}``, overrides of ``[run]`` for its points.
The union is stored densely: the axes are the union of each axis's values (numbers sorted), and
``in_grid`` marks the points that belong to the sweep. A point named by several sub-grids is one
point (same seed, computed once); they must then agree on its run settings.

Every point's seed comes from the spec's seed and the point's own parameters only
(:func:`point_seed`), so a point gets the same random numbers in any grid that contains it: in a
larger or smaller grid, in the quick subset, in any order, chunking or executor.
"""
from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping
from typing import Any, NamedTuple

import numpy as np

from .. import _canon
from .errors import SweepError, describe_point

__all__ = ["SubGrid", "Grid", "axis_values", "point_seed", "SEED_RULE", "value_key"]

SEED_RULE = ("point seed = SeedSequence([spec seed, *uint32 words of sha256(canonical JSON of the "
             "point's grid parameters)]).generate_state(1, uint64) >> 1  (63-bit)")


def point_seed(seed: int, params: Mapping[str, Any]) -> int:
    """The 63-bit seed of one grid point: from the spec's ``seed`` and the point's grid parameters.

    Independent of the grid's size, order and chunking, and of the executor: the same point of any
    sweep with the same seed gets the same seed.
    """
    digest = hashlib.sha256(_canon.dumps(dict(params)).encode()).digest()
    words = np.frombuffer(digest[:16], dtype="<u4").tolist()
    state = np.random.SeedSequence([int(seed), *words]).generate_state(1, dtype=np.uint64)[0]
    return int(state >> np.uint64(1))


def value_key(v: Any) -> str:
    """Identity of an axis value (``1`` and ``1.0`` are the same value)."""
    return _canon.dumps(v)


def axis_values(name: str, spec: Any) -> list:
    """The values of one grid axis: a list, or ``{start, stop, num, log = false}``."""
    if isinstance(spec, Mapping):
        unknown = set(spec) - {"start", "stop", "num", "log"}
        if unknown or not {"start", "stop", "num"} <= set(spec):
            raise SweepError(f"{name} must be a list or {{start, stop, num, log = false}}, "
                             f"got {dict(spec)!r}")
        start, stop, num = spec["start"], spec["stop"], spec["num"]
        if not isinstance(num, int) or isinstance(num, bool) or num < 0:
            raise SweepError(f"{name}.num must be an integer >= 0, got {num!r}")
        if num > 10**7:
            raise SweepError(f"{name}.num = {num} values on one axis is more than any figure needs")
        try:
            if spec.get("log", False):
                if not (start > 0 and stop > 0):
                    raise SweepError(f"{name}: log spacing needs start, stop > 0")
                values = np.geomspace(float(start), float(stop), num)
            else:
                values = np.linspace(float(start), float(stop), num)
        except TypeError:
            raise SweepError(f"{name}: start and stop must be numbers") from None
        values = values.tolist()
    elif isinstance(spec, (list, tuple)):
        values = list(spec)
    else:
        raise SweepError(f"{name} must be a list or {{start, stop, num}}, got {spec!r}")
    if not values:
        raise SweepError(f"{name} is empty: give at least one value")
    kinds = set()
    for v in values:
        if isinstance(v, bool):
            kinds.add("bool")
        elif isinstance(v, (int, float)):
            if not math.isfinite(v):
                raise SweepError(f"{name} holds a non-finite value {v!r}")
            if isinstance(v, int) and abs(v) >= 2**63:
                raise SweepError(f"{name} holds {v}, beyond 64-bit integers")
            kinds.add("number")
        elif isinstance(v, str):
            kinds.add("str")
        else:
            raise SweepError(f"{name} values must be numbers, booleans or strings, got {v!r}")
    if len(kinds) > 1:
        raise SweepError(f"{name} mixes {' and '.join(sorted(kinds))} values")
    if len({value_key(v) for v in values}) != len(values):
        raise SweepError(f"{name} holds repeated values: {values!r}")
    return values


class SubGrid(NamedTuple):
    """One Cartesian product of axis values, with its run-setting overrides."""

    axes: dict[str, list]
    run: dict


class Grid:
    """The points of a sweep: the union of its sub-grids, stored over the union of their axes.

    Attributes
    ----------
    axes : dict of str to list
        Values of each axis (dimension order of the first sub-grid).
    mask : ndarray of bool
        ``in_grid``: which points of the product of ``axes`` belong to the sweep.
    variant : ndarray of int
        Index into ``overrides`` of each point's run overrides (-1 outside the sweep).
    overrides : list of dict
        Distinct run-setting overrides; ``overrides[0] == {}``.
    """

    def __init__(self, subgrids: list[SubGrid], *, order: Mapping[str, list] | None = None,
                 where: str = "grid"):
        if not subgrids:
            raise SweepError(f"the {where} is empty: give at least one parameter under [{where}]")
        dims = list(subgrids[0].axes)
        if not dims:
            raise SweepError(f"the {where} is empty: give at least one parameter under [{where}]")
        for i, sg in enumerate(subgrids[1:], 2):
            if set(sg.axes) != set(dims):
                raise SweepError(f"{where} sub-grid {i} has the axes {', '.join(sg.axes)}; every "
                                 f"sub-grid must name the same axes ({', '.join(dims)})")
        self.subgrids = subgrids
        self.union = len(subgrids) > 1 or any(sg.run for sg in subgrids)
        self.axes: dict[str, list] = {}
        for d in dims:
            if order is not None:
                keys = {value_key(v) for sg in subgrids for v in sg.axes[d]}
                self.axes[d] = [v for v in order[d] if value_key(v) in keys]
            elif len(subgrids) == 1:
                self.axes[d] = list(subgrids[0].axes[d])
            else:
                seen: dict[str, Any] = {}
                for sg in subgrids:
                    for v in sg.axes[d]:
                        seen.setdefault(value_key(v), v)
                vals = list(seen.values())
                if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in vals):
                    vals.sort()
                self.axes[d] = vals
        self.shape = tuple(len(v) for v in self.axes.values())
        index = {d: {value_key(v): i for i, v in enumerate(vals)} for d, vals in self.axes.items()}
        self.mask = np.zeros(self.shape, dtype=bool)
        self.variant = np.full(self.shape, -1, dtype=np.int32)
        self.overrides: list[dict] = [{}]
        ids = {value_key({}): 0}
        for i, sg in enumerate(subgrids, 1):
            vid = ids.setdefault(value_key(sg.run), len(ids))
            if vid == len(self.overrides):
                self.overrides.append(dict(sg.run))
            ix = np.ix_(*[np.array([index[d][value_key(v)] for v in sg.axes[d]], dtype=np.intp)
                          for d in dims])
            current = self.variant[ix]
            clash = (current >= 0) & (current != vid)
            if clash.any():
                at = np.unravel_index(int(np.flatnonzero(clash.ravel())[0]), current.shape)
                point = {d: sg.axes[d][j] for d, j in zip(dims, at)}
                raise SweepError(f"the point {describe_point(point)} is in two sub-grids of [{where}] "
                                 f"with different run settings; a point has one setting")
            self.variant[ix] = vid
            self.mask[ix] = True

    @property
    def dims(self) -> tuple[str, ...]:
        return tuple(self.axes)

    @property
    def size(self) -> int:
        """Number of points in the sweep (not of the product of the axes)."""
        return int(self.mask.sum())

    def points(self) -> np.ndarray:
        """Flat (C-order) indices of the sweep's points."""
        return np.flatnonzero(self.mask.ravel())

    def point(self, flat: int) -> dict[str, Any]:
        """Grid parameters of the point with flat index ``flat``."""
        idx = np.unravel_index(int(flat), self.shape)
        return {k: v[i] for (k, v), i in zip(self.axes.items(), idx)}

    def flat_index(self, params: Mapping[str, Any]) -> int | None:
        """Flat index of a point given by its parameters, None if it is not in the sweep."""
        try:
            idx = tuple(next(i for i, v in enumerate(self.axes[d]) if value_key(v) ==
                             value_key(params[d])) for d in self.dims)
        except StopIteration:
            return None
        return int(np.ravel_multi_index(idx, self.shape)) if self.mask[idx] else None

    def overrides_at(self, flat: int) -> dict:
        return self.overrides[int(self.variant.ravel()[flat])]

    def config(self) -> Any:
        """Hash-stable description: ``[[axis, values], ...]`` for one product (as in every spec
        before unions existed), ``{"union": [{"grid": ..., "run": ...}, ...]}`` otherwise."""
        if not self.union:
            return [[k, v] for k, v in self.axes.items()]
        return {"union": [{"grid": [[k, v] for k, v in sg.axes.items()], "run": sg.run}
                          for sg in self.subgrids]}

    @classmethod
    def from_config(cls, config: Any) -> "Grid":
        """The grid back from :meth:`config` (a store's attributes)."""
        if isinstance(config, Mapping):
            return cls([SubGrid(dict((k, list(v)) for k, v in sg["grid"]), dict(sg.get("run") or {}))
                        for sg in config["union"]])
        return cls([SubGrid({k: list(v) for k, v in config}, {})])
