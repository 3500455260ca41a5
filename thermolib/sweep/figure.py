"""One definition per figure: :func:`load_or_compute` gives a chapter the data of a spec.

The spec is the figure's single source of truth (grid, parameters, run lengths, per-point seeds).
The chapter asks for it with one call::

    ds = sweep.load_or_compute("sweeps/ndc_fig3.toml")

and gets, in this order:

1. the spec's finished store (``data/<name>.zarr``, relative to the project root), when it exists,
   verifies, and was made with this very configuration: at any fidelity;
2. at paper fidelity (``THERMOBOOK_FIDELITY=paper``): the missing points computed into that store
   by the sweep runner's local processes (resumable: a killed build resumes), then the store;
3. at quick fidelity: the spec's ``[quick]`` subset (the same grid's points, shorter runs, the same
   per-point seeds) computed in this process through the run cache (``THERMOLIB_CACHE``). Quick
   runs never write into ``data/``.

With ``THERMOBOOK_SEED=k`` every seed is shifted by ``k * SEED_STRIDE`` and the store is
``data/<name>.seed<k>.zarr``: shifted runs never read or write the unshifted stores (and the run
cache keys contain the shifted seeds).

The dataset carries what honest statistics need: ``realizations`` per point (degrees of freedom
``realizations - 1``), ``cpu_seconds`` per point, and in ``attrs`` the ``fidelity``, ``spec_path``,
``seed``, ``seed_offset``, ``config_hash`` and ``source``. Every point used is entered in the cost
ledger of :mod:`thermolib.runcache` with the CPU seconds of its computation, cached or not.
"""
from __future__ import annotations

import os
import re
import warnings
from pathlib import Path
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import fidelity as _fidelity
from .. import runcache
from .errors import SweepError, describe_point
from .executors import PointResult, evaluate_point
from .paths import find_store, project_root, resolve_spec
from .plan import make_plan
from .progress import Progress
from .results import build_dataset
from .spec import Sweep
from .store import layout_attrs, check_attrs, damage_summary, read_attrs, scan

if TYPE_CHECKING:
    import xarray as xr

__all__ = ["load_or_compute"]

_POINT_FUNCTIONS: dict[str, Any] = {}


def _point_function(function: str):
    """The run-cache callable of one registry function: stable name (cache key and ledger entry),
    and errors other than physics failures are raised, never cached."""
    if function not in _POINT_FUNCTIONS:
        def point(model_kind, model_kw, kwargs, seed):
            r = evaluate_point(function, model_kind, model_kw, kwargs, seed, provenance=True)
            if r.error is not None and r.error[0] != "failed":
                raise SweepError(r.error[1]) if r.error[0] == "input" else RuntimeError(r.error[2])
            return r

        point.__module__ = __name__
        point.__qualname__ = function
        point.__name__ = "sweep_" + re.sub(r"[^A-Za-z0-9_.-]", "_", function)
        _POINT_FUNCTIONS[function] = point
    return _POINT_FUNCTIONS[function]


def _annotate(ds, sweep: Sweep, fid: str, source: str, spec_path: Path):
    """What the data are, first in ``attrs``: fidelity, source, spec, seeds, total CPU seconds."""
    path = spec_path.resolve()
    root = project_root(path.parent)
    shown = path.relative_to(root) if root is not None and path.is_relative_to(root) else path
    head = {"fidelity": fid, "source": source, "spec_path": str(shown), "function": sweep.function,
            "description": sweep.description, "seed": sweep.seed, "spec_seed": sweep.spec_seed,
            "seed_offset": sweep.seed_offset, "config_hash": sweep.config_hash,
            "cpu_seconds": float(np.nansum(ds["cpu_seconds"].values))}
    ds.attrs = {**head, **{k: v for k, v in ds.attrs.items() if k not in head}}
    return ds


def _record(ds, function: str, fresh: np.ndarray | None = None) -> None:
    """Enter every done point in the cost ledger (``fresh``: computed by this call)."""
    done = ds["done"].values.ravel()
    cpu = ds["cpu_seconds"].values.ravel()
    new = np.zeros_like(done) if fresh is None else fresh.ravel()
    for i in np.flatnonzero(done):
        runcache.record_cost(function, float(cpu[i]), cached=not bool(new[i]))


def _finished_store(sweep: Sweep, path: Path):
    """The store's verified dataset if it is complete and of this configuration, else None."""
    attrs = read_attrs(path)
    if attrs is None:
        return None, None
    try:
        check_attrs(path, attrs)
        s = scan(path, attrs)
    except (SweepError, OSError) as exc:
        warnings.warn(f"sweep store {str(path)!r} cannot be used: {exc}", stacklevel=3)
        return None, None
    if attrs.get("config_hash") != sweep.config_hash:
        warnings.warn(f"sweep store {str(path)!r} was made with another configuration than "
                      f"{sweep.source}; it is not used", stacklevel=3)
        return None, s
    if not s.ok:
        warnings.warn(f"sweep store {str(path)!r} is damaged: {damage_summary(s)}", stacklevel=3)
    if s.ok and bool(s.done[s.in_grid].all()):
        ds = build_dataset(s.attrs, s.data, s.done, s.in_grid)
        ds.attrs["path"] = str(path)
        return ds, s
    return None, s


def load_or_compute(spec: str | os.PathLike, *, workers: int | None = None,
                    progress: bool | None = None) -> "xr.Dataset":
    """The data of a figure's spec at the current fidelity (see the module docstring).

    Parameters
    ----------
    spec : path
        The spec file; a relative path is looked up from the working directory, then from the
        project root (``sweeps/ndc_fig3.toml`` works from any chapter folder).
    workers : int, optional
        Local worker processes for a paper-fidelity computation (default: the number of CPUs).
    progress : bool, optional
        Progress lines on stderr; default: only while computing into a store (paper fidelity).

    Returns
    -------
    xarray.Dataset
        Outputs over the grid axes, ``done``, ``failed``, ``cpu_seconds``, ``realizations`` (when
        the function has them), ``in_grid``; ``attrs["fidelity"]`` says which data it is.
    """
    spec_path = resolve_spec(spec)
    sweep = Sweep.from_spec(spec_path)
    fid = _fidelity.fidelity()
    if sweep.store is not None:
        path = sweep.store_path()
        if path.exists():
            ds, _ = _finished_store(sweep, path)
            if ds is not None:
                _record(ds, sweep.function)
                return _annotate(ds, sweep, "paper", f"store {path}", spec_path)
    if fid == "paper":
        if sweep.store is None:
            raise SweepError(f"{spec_path}: paper fidelity computes into the spec's store; give "
                             f"store = \"data/<name>.zarr\"")
        path = sweep.store_path()
        before = None
        if path.exists():
            _, s = _finished_store(sweep, path)
            before = None if s is None else s.done
        ds = sweep.run(workers=workers, progress=True if progress is None else progress, yes=True)
        fresh = ds["done"].values & (True if before is None else ~before)
        _record(ds, sweep.function, fresh)
        return _annotate(ds, sweep, "paper", f"computed into store {path}", spec_path)
    return _compute_quick(sweep.quick(), spec_path, progress=bool(progress))


def _compute_quick(q: Sweep, spec_path: Path, *, progress: bool):
    """Every point of the quick subset, in this process, through the run cache."""
    q.check_models()
    make_plan(q)  # every point validated before the first one runs
    fn = _point_function(q.function)
    kind = q.entry.model if q.entry else None
    points = q.grid_spec.points()
    bar = Progress(len(points), 0, f"{q.function} (quick)", enabled=progress)
    results: list[PointResult] = []
    try:
        for flat in points.tolist():
            _, model_kw, kwargs, seed = q.task_point(flat)
            try:
                r = runcache.cached(fn, kind, model_kw, kwargs, seed)
            except SweepError as exc:
                raise SweepError(f"{spec_path} (quick): point {describe_point(q.point(flat))}: "
                                 f"{exc}") from None
            results.append(r._replace(flat=flat))
            bar.update(1)
    finally:
        bar.close()
    layout = layout_attrs(q)
    shape = q.shape
    data: dict[str, np.ndarray] = {}
    vec = q.vector_dims()
    for name in q.outputs:
        extra = tuple(len(vec[d]) for d in q.output_dims(name)[len(q.dims):])
        arr = np.full((int(np.prod(shape)),) + extra, np.nan)
        for r in results:
            if r.values is not None:
                arr[r.flat] = r.values[name]
        data[name] = arr.reshape(shape + extra)
    flat = np.array([r.flat for r in results], dtype=np.intp)
    for name, dtype, fill, get in (("failed", bool, False, lambda r: r.error is not None),
                                   ("cpu_seconds", float, np.nan, lambda r: r.cpu_seconds),
                                   ("realizations", np.int64, 0, lambda r: r.realizations)):
        arr = np.full(int(np.prod(shape)), fill, dtype=dtype)
        arr[flat] = [get(r) for r in results]
        data[name] = arr.reshape(shape)
    prov = next((r.provenance for r in results if r.provenance), None)
    attrs = {**layout, "description": q.description, "config": q.config,
             "spec": q.text, **({"example_point": prov} if prov else {})}
    ds = build_dataset(attrs, data, q.in_grid.copy(), q.in_grid)
    return _annotate(ds, q, "quick", "computed (run cache)" if runcache.cache_dir() else "computed",
                     spec_path)


def load_if_present(path: str | os.PathLike, *, spec: str | os.PathLike | Mapping | None = None,
                    complete: bool = True):
    """:func:`load` the store if it exists, verifies and every point is done; else ``None``.

    Parameters
    ----------
    spec : path or dict, optional
        Also require that the store was made with this spec (same configuration hash).
    complete : bool
        Require every point to be done (default); ``False`` accepts a partial store.

    Notes
    -----
    A store made with another ``THERMOBOOK_SEED`` offset than the current one is never returned,
    and a damaged store gives ``None`` with a warning that says how to repair it.
    """
    from .. import fidelity

    p = find_store(path)
    if p is None:
        return None
    attrs = read_attrs(p)
    if attrs is None or "thermolib_sweep" not in attrs:
        return None
    try:
        check_attrs(p, attrs)
        if attrs.get("seed_offset", 0) != fidelity.seed_offset():
            return None
        if spec is not None:
            if Sweep.from_spec(spec).config_hash != attrs.get("config_hash"):
                return None
        s = scan(p, attrs)
    except (OSError, SweepError, ValueError) as exc:
        warnings.warn(f"sweep store {str(p)!r} cannot be used: {exc}", stacklevel=2)
        return None
    if not s.ok:
        warnings.warn(f"sweep store {str(p)!r} is damaged: {damage_summary(s)}; rerun "
                      f"`python -m thermolib sweep {attrs.get('spec_path') or '<spec>'}` to "
                      f"repair it", stacklevel=2)
        return None
    if complete and not bool(s.done[s.in_grid].all()):
        return None
    ds = build_dataset(s.attrs, s.data, s.done, s.in_grid)
    ds.attrs.update(path=str(p), source=f"store {p}", damaged=0, problems=[])
    return ds
