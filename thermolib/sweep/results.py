"""Reading sweep results: :func:`load`, :func:`load_if_present`, :func:`status`.

Every read verifies the store (:func:`~thermolib.sweep.store.scan`): a point counts as done only if
its stored values still match their checksum, so a lost or truncated chunk never shows up as
finished data. The returned ``xarray.Dataset`` has the grid axes as coordinates, the outputs (NaN
where a point is not done or failed), ``done``, ``failed``, ``cpu_seconds`` (CPU seconds of each
point's computation), ``realizations`` (when the function has them: standard errors have
``realizations - 1`` degrees of freedom) and ``in_grid`` (which points belong to the sweep: all of
them unless the grid is a union of sub-grids).
"""
from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import numpy as np

from .errors import SweepError
from .paths import find_store
from .store import check_attrs, damage_summary, is_locked, read_attrs, scan, writer_info

__all__ = ["load", "status", "build_dataset"]


def build_dataset(attrs: Mapping[str, Any], data: Mapping[str, np.ndarray], done: np.ndarray,
                  in_grid: np.ndarray):
    """The dataset of a sweep from its layout attributes and per-array values."""
    import xarray as xr

    axes = dict((k, v) for k, v in attrs["axes"])
    dims = list(attrs["grid_dims"])
    coords: dict[str, Any] = {}
    for name, values in axes.items():
        if isinstance(values[0], str):
            coords[name] = (name, np.asarray(values, dtype=object))
        else:
            coords[name] = (name, np.asarray(data.get(name, values)))
    for name, values in attrs["vector_dims"].items():
        coords[name] = (name, np.asarray(values, dtype=float))
    failed = np.asarray(data["failed"], dtype=bool) & done
    valid = xr.DataArray(done & ~failed, dims=dims)
    out = {}
    for name in attrs["outputs"]:
        out[name] = xr.DataArray(data[name], dims=attrs["output_dims"][name]).where(valid)
    out["done"] = (dims, done)
    out["failed"] = (dims, failed)
    out["cpu_seconds"] = (dims, np.where(done, data["cpu_seconds"], np.nan),
                          {"units": "s", "description": "CPU seconds of the point's computation "
                                                        "(all threads), measured when it ran"})
    if "realizations" in attrs["per_point"]:
        out["realizations"] = (dims, np.where(done, data["realizations"], 0),
                               {"description": "independent realizations of the point (0: not "
                                               "done); standard errors have realizations - 1 "
                                               "degrees of freedom"})
    out["in_grid"] = (dims, in_grid, {"description": "the point belongs to the sweep"})
    return xr.Dataset(out, coords=coords, attrs=dict(attrs))


def load(store: str | os.PathLike):
    """The sweep's verified dataset (see the module docstring); ``attrs`` carry the run metadata,
    ``attrs["damaged"]`` the number of finished points that no longer verify.

    Raises
    ------
    FileNotFoundError
        No store at ``store``.
    SweepError
        ``store`` is not a thermolib sweep store of this layout.
    """
    path = find_store(store)
    if path is None:
        raise FileNotFoundError(f"no sweep store at {str(store)!r}")
    s = scan(path)
    ds = build_dataset(s.attrs, s.data, s.done, s.in_grid)
    ds.attrs.update(path=str(path), source=f"store {path}", damaged=int(s.damaged.sum()),
                    problems=list(s.problems))
    return ds


def _short(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.6g}"
    if isinstance(v, Mapping):
        return "{" + ", ".join(f"{k} = {_short(x)}" for k, x in v.items()) + "}"
    if isinstance(v, list):
        return "[" + ", ".join(_short(x) for x in v) + "]"
    return str(v)


def _values(v: list) -> str:
    if len(v) <= 6:
        return ", ".join(_short(x) for x in v)
    return f"{_short(v[0])}, {_short(v[1])}, ..., {_short(v[-1])}"


def status_report(store: str | os.PathLike, *, verify: bool = True) -> tuple[str, bool]:
    """(summary text, the store verifies): :func:`status` and whether the store is intact."""
    path = find_store(store)
    if path is None:
        raise SweepError(f"no sweep store at {str(store)!r}")
    attrs = check_attrs(path, read_attrs(path))
    if verify:
        s = scan(path, attrs)
        done, in_grid, ok = s.done, s.in_grid, s.ok
        failed = s.data["failed"] & done
        cpu = float(np.nansum(np.where(done, s.data["cpu_seconds"], 0.0)))
    else:  # only the done mask, as written: no checksums
        import zarr

        try:
            g = zarr.open_group(str(path), mode="r", zarr_format=3)
            in_grid = np.asarray(g["in_grid"][...], dtype=bool)
            done = np.asarray(g["done"][...], dtype=bool) & in_grid
            failed = np.asarray(g["failed"][...], dtype=bool) & done
        except Exception as exc:  # noqa: BLE001 - a damaged store: the verifying status says what
            raise SweepError(f"cannot read {str(path)!r} without verification ({type(exc).__name__}); "
                             f"run status without --no-verify") from None
        ok, cpu = True, float("nan")
    cfg = attrs.get("config", {})
    n = int(in_grid.sum())
    grid = "; ".join(f"{k} ({len(v)}): {_values(v)}" for k, v in attrs["axes"])
    union = "" if in_grid.all() else f" (union of sub-grids: {n} of {in_grid.size})"
    lines = [f"store:      {path}", f"function:   {attrs.get('function')}"]
    if attrs.get("description"):
        lines.append(f"            {attrs['description']}")

    def fmt_map(m):
        return ", ".join(f"{k} = {_short(v)}" for k, v in (m or {}).items()) or "-"

    vector = list(attrs.get("vector_dims", {}))
    lines += [f"grid:       {grid}  -> {n} points{union}",
              f"fixed:      {fmt_map(cfg.get('fixed'))}"
              + (f"  (vector: {', '.join(vector)})" if vector else ""),
              f"model:      {fmt_map(cfg.get('model'))}",
              f"run:        {fmt_map(cfg.get('run'))}",
              f"outputs:    {', '.join(attrs.get('outputs', []))}",
              f"done:       {int(done.sum())}/{n} ({100.0 * done.sum() / max(n, 1):.1f} %)"
              + (f", failed {int(failed.sum())}" if failed.any() else "")
              + ("" if verify else "  (not verified)")]
    if verify:
        lines.append(f"verified:   {'yes' if ok else 'NO: ' + damage_summary(s)}"
                     + ("" if ok else "; rerun the sweep to repair it"))
        lines.append(f"cpu:        {cpu:.1f} s for the finished points")
    if is_locked(path):
        lines.append(f"running:    a sweep is writing this store ({writer_info(path)})")
    lines += [f"seed:       {attrs.get('seed')}"
              + (f" (spec seed {attrs.get('spec_seed')} + THERMOBOOK_SEED = {attrs['seed_offset']})"
                 if attrs.get("seed_offset") else ""),
              f"config:     {attrs.get('config_hash')}",
              f"thermolib:  {attrs.get('thermolib_version')} (created {attrs.get('created')})"]
    if attrs.get("spec_path"):
        lines.append(f"spec:       {attrs['spec_path']}")
    for r in attrs.get("runs", [])[-5:]:
        lines.append(f"history:    {r.get('started')}  computed {r.get('computed')} "
                     f"({r.get('failed')} failed) in {float(r.get('seconds') or 0):.1f} s, "
                     f"{r.get('executor') or '-'}" + ("  [interrupted]" if r.get("interrupted") else "")
                     + (f", repaired {r['repaired']}" if r.get("repaired") else ""))
    for f in attrs.get("failures", [])[:3]:
        lines.append(f"failure:    {f}")
    return "\n".join(lines), ok


def status(store: str | os.PathLike, *, verify: bool = True) -> str:
    """A short human-readable summary of a store: function, grid, done/total (verified point by
    point unless ``verify=False``), damage, whether a sweep is writing it, run history."""
    return status_report(store, verify=verify)[0]

