"""The on-disk store of one sweep: a zarr (v3) group that is locked, verified and repaired.

Layout (``attrs["thermolib_sweep"] == LAYOUT``): one coordinate array per grid axis (strings as
integer codes with ``labels``) and per vector argument; per output a float64 array over the grid
(plus vector) dimensions; per point ``done``, ``failed``, ``cpu_seconds`` (CPU seconds of its
computation), ``realizations`` (when the function has them), ``checksum`` and the static
``in_grid`` mask. The attributes hold the configuration, its hash, the spec text and the run history.

Integrity: a finished point is written outputs first, then its checksum (over its flat index and
every stored value), then ``done``; each chunk file is replaced atomically. :func:`scan` reads every
chunk, and a point counts as done only if its checksum matches what is stored now. A lost or
truncated chunk, a lost array, a killed write: the affected points are reported as damaged and are
pending again, and :meth:`Store.repair` (called by every ``sweep`` run) removes what cannot be
read so that the next run recomputes exactly those points.

Only one driver writes a store at a time: :meth:`Store.lock` holds an exclusive ``flock`` on the
store directory for the whole run (released by the kernel if the driver is killed).
"""
from __future__ import annotations

import contextlib
import dataclasses
import datetime as _dt
import errno
import itertools
import os
import shutil
import socket
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import _canon
from .errors import SweepError, describe_point
from .grid import SEED_RULE, Grid

if TYPE_CHECKING:
    from .executors import PointResult
    from .report import RunReport
    from .spec import Sweep

__all__ = ["LAYOUT", "Store", "Scan", "create", "scan", "read_attrs", "checksums", "now"]

#: Version of the store layout (bumped when the on-disk format changes).
LAYOUT = 2
#: Largest number of grid points per chunk.
CHUNK_POINTS = 1 << 16
_FNV_OFFSET, _FNV_PRIME = np.uint64(0xCBF29CE484222325), np.uint64(0x100000001B3)
_LOCK_RETRY_SECONDS = 2.0


def now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")


def checksums(flat: np.ndarray, columns: Sequence[np.ndarray]) -> np.ndarray:
    """Per-point uint64 checksum of the point's flat index and stored values (never 0).

    ``columns`` are arrays with the points along axis 0; every value enters as its 64-bit word
    (NaNs made canonical), FNV-1a over the words, then a splitmix64 finaliser. It detects lost,
    truncated, swapped or stale chunks, not deliberate tampering.
    """
    h = np.full(len(flat), _FNV_OFFSET, dtype=np.uint64)
    words = [np.asarray(flat, dtype=np.int64).reshape(-1, 1).view(np.uint64)]
    for col in columns:
        a = np.asarray(col)
        a = a.reshape(len(flat), int(np.prod(a.shape[1:], dtype=np.int64)))
        if a.dtype.kind == "f":
            a = np.where(np.isnan(a), np.nan, a).astype(np.float64).view(np.uint64)
        else:
            a = a.astype(np.int64).view(np.uint64)
        words.append(a)
    for w in words:
        for j in range(w.shape[1]):
            h ^= w[:, j]
            h *= _FNV_PRIME
    h ^= h >> np.uint64(30)
    h *= np.uint64(0xBF58476D1CE4E5B9)
    h ^= h >> np.uint64(27)
    h *= np.uint64(0x94D049BB133111EB)
    h ^= h >> np.uint64(31)
    h[h == 0] = 1
    return h


def _chunks(shape: tuple[int, ...]) -> tuple[int, ...]:
    chunks = list(shape)
    for i in range(len(chunks)):
        rest = int(np.prod(chunks[i + 1:])) if i + 1 < len(chunks) else 1
        if int(np.prod(chunks)) <= CHUNK_POINTS:
            break
        chunks[i] = max(1, CHUNK_POINTS // max(rest, 1))
    return tuple(chunks)


def storage_error(path: Path, exc: OSError, doing: str) -> SweepError:
    why = exc.strerror or str(exc)
    hint = {errno.ENOSPC: "free some space and rerun: finished points are kept",
            errno.EDQUOT: "free some space and rerun: finished points are kept",
            errno.EACCES: "choose a writable location with --store",
            errno.EPERM: "choose a writable location with --store",
            errno.EROFS: "choose a writable location with --store",
            errno.ENOTDIR: "a path component is a file, not a directory; choose another --store",
            errno.EEXIST: "a path component is a file, not a directory; choose another --store"}
    return SweepError(f"cannot {doing} {str(path)!r}: {why}"
                      + (f" ({hint[exc.errno]})" if exc.errno in hint else ""))


# ------------------------------------------------------------------------------------------------
# creation


def layout_attrs(sweep: "Sweep") -> dict:
    """What a reader needs to interpret the arrays without the spec."""
    per_point = ["failed", "cpu_seconds"] + (["realizations"] if sweep.has_realizations else [])
    return {"grid_dims": list(sweep.dims), "axes": [[k, v] for k, v in sweep.grid.items()],
            "chunks": list(_chunks(sweep.shape)),
            "vector_dims": sweep.vector_dims(), "outputs": list(sweep.outputs),
            "output_dims": {n: list(sweep.output_dims(n)) for n in sweep.outputs},
            "per_point": per_point}


_PER_POINT = {"done": ("bool", False), "failed": ("bool", False), "cpu_seconds": ("float64", np.nan),
              "realizations": ("int64", 0), "checksum": ("uint64", 0), "in_grid": ("bool", False)}


def _array_spec(attrs: Mapping, name: str) -> tuple[tuple, tuple, str, Any, list]:
    """(shape, chunks, dtype, fill value, dimension names) of a store array."""
    axes = dict((k, v) for k, v in attrs["axes"])
    vec = attrs["vector_dims"]
    shape = tuple(len(v) for v in axes.values())
    if name in axes:
        values = axes[name]
        dtype = ("int64" if isinstance(values[0], str) or all(isinstance(v, int) and not isinstance(
            v, bool) for v in values) else "bool" if isinstance(values[0], bool) else "float64")
        return (len(values),), (len(values),), dtype, 0 if dtype != "float64" else np.nan, [name]
    if name in vec:
        return (len(vec[name]),), (len(vec[name]),), "float64", np.nan, [name]
    chunks = tuple(attrs["chunks"])
    if name in _PER_POINT:
        dtype, fill = _PER_POINT[name]
        return shape, chunks, dtype, fill, list(attrs["grid_dims"])
    dims = attrs["output_dims"][name]
    extra = tuple(len(vec[d]) for d in dims[len(shape):])
    return shape + extra, chunks + extra, "float64", np.nan, list(dims)


def _static_values(attrs: Mapping, name: str) -> np.ndarray:
    """The content of a coordinate array or of ``in_grid`` (known from the attributes)."""
    axes = dict((k, v) for k, v in attrs["axes"])
    if name == "in_grid":
        return Grid.from_config(attrs["config"]["grid"]).mask
    values = axes.get(name, attrs["vector_dims"].get(name))
    if isinstance(values[0], str):
        return np.arange(len(values))
    return np.asarray(values, dtype=_array_spec(attrs, name)[2])


def _make_array(group, attrs: Mapping, name: str) -> None:
    shape, chunks, dtype, fill, dims = _array_spec(attrs, name)
    axes = dict((k, v) for k, v in attrs["axes"])
    extra = {"labels": list(axes[name])} if name in axes and isinstance(axes[name][0], str) else {}
    arr = group.create_array(name, shape=shape, chunks=chunks, dtype=dtype, fill_value=fill,
                             dimension_names=dims, attributes=extra, overwrite=True)
    if name in axes or name in attrs["vector_dims"] or name == "in_grid":
        arr[...] = _static_values(attrs, name)


def _array_names(attrs: Mapping) -> list[str]:
    names = [k for k, _ in attrs["axes"]] + list(attrs["vector_dims"]) + ["in_grid"]
    return names + list(attrs["outputs"]) + list(attrs["per_point"]) + ["checksum", "done"]


def create(path: Path, sweep: "Sweep") -> None:
    """Write the empty store (nothing done) under a temporary name, then rename it into place."""
    import zarr

    import thermolib

    attrs = {
        "thermolib_sweep": LAYOUT, "function": sweep.function,
        "description": sweep.description or (sweep.entry.doc if sweep.entry else ""),
        "fidelity": sweep.fidelity, "seed": sweep.seed, "spec_seed": sweep.spec_seed,
        "seed_offset": sweep.seed_offset, "seed_rule": SEED_RULE if sweep.seeded else "not seeded",
        "config_hash": sweep.config_hash, "config": _canon.canonical(sweep.config),
        "spec": sweep.text, "spec_path": sweep.source or "",
        "thermolib_version": thermolib.__version__, "created": now(), "runs": [],
        **layout_attrs(sweep),  # axis values as written (1.0 stays a float coordinate)
    }
    tmp = path.parent / f".{path.name}.{uuid.uuid4().hex[:8]}.tmp"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        group = zarr.open_group(str(tmp), mode="w-", zarr_format=3, attributes=attrs)
        for name in _array_names(attrs):
            _make_array(group, attrs, name)
        try:
            os.rename(tmp, path)
        except OSError:
            if not path.exists():
                raise
            # another driver created it first: its config is checked by the caller
    except OSError as exc:
        raise storage_error(path, exc, "create the store") from None
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def read_attrs(path: Path) -> dict | None:
    """The group attributes of a store, or None if ``path`` is not a zarr group."""
    import json

    try:
        data = json.loads((path / "zarr.json").read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("node_type") != "group":
        return None
    return data.get("attributes", {})


def check_attrs(path: Path, attrs: dict | None) -> dict:
    """The attributes of a sweep store of the current layout (one-line error otherwise)."""
    if attrs is None or "thermolib_sweep" not in attrs:
        raise SweepError(f"{str(path)!r} is not a thermolib sweep store"
                         + ("" if (path / "zarr.json").exists() else " (no readable zarr.json)"))
    if attrs["thermolib_sweep"] != LAYOUT:
        raise SweepError(f"store {str(path)!r} has layout {attrs['thermolib_sweep']}, this thermolib "
                         f"reads layout {LAYOUT} (it cannot verify older stores): move it away and "
                         f"rerun the sweep")
    return attrs


# ------------------------------------------------------------------------------------------------
# reading and verifying


@dataclasses.dataclass
class Scan:
    """What a store holds now, verified point by point.

    ``data`` has every array (fill values where a chunk or array could not be read); ``done`` the
    points whose checksum matches their values; ``damaged`` those marked done whose data no longer
    match; ``problems`` one line per unreadable chunk, lost array or mark that disagrees.
    """

    path: Path
    attrs: dict
    data: dict
    in_grid: np.ndarray
    done: np.ndarray
    damaged: np.ndarray
    problems: list
    bad_chunks: list
    lost_arrays: list
    static_wrong: list

    @property
    def ok(self) -> bool:
        return not (self.problems or self.damaged.any())


def _read_array(group, attrs, name: str, problems: list, bad: list, lost: list) -> np.ndarray:
    shape, chunks, dtype, fill, _ = _array_spec(attrs, name)
    out = np.full(shape, fill, dtype=dtype)
    try:
        arr = group[name]
    except Exception as exc:  # noqa: BLE001 - lost or unreadable metadata
        lost.append(name)
        problems.append(f"array {name!r} is lost ({type(exc).__name__}: {exc})")
        return out
    if tuple(arr.shape) != shape or tuple(arr.chunks) != chunks:
        lost.append(name)
        problems.append(f"array {name!r} has shape {arr.shape}, expected {shape}")
        return out
    ranges = [range(-(-s // c)) for s, c in zip(shape, chunks)]
    for coords in itertools.product(*ranges):
        sl = tuple(slice(i * c, min((i + 1) * c, s)) for i, c, s in zip(coords, chunks, shape))
        try:
            out[sl] = arr[sl]
        except Exception as exc:  # noqa: BLE001 - a chunk that cannot be decoded
            key = arr.metadata.encode_chunk_key(coords)
            bad.append((name, key))
            problems.append(f"chunk {name}/{key} cannot be read ({' '.join(str(exc).split())[:80]})")
    return out


def scan(path: Path, attrs: dict | None = None) -> Scan:
    """Read every array of the store chunk by chunk and verify each point marked done."""
    import zarr

    attrs = check_attrs(path, read_attrs(path) if attrs is None else attrs)
    try:
        group = zarr.open_group(str(path), mode="r", zarr_format=3)
    except Exception as exc:  # noqa: BLE001
        raise SweepError(f"cannot open store {str(path)!r}: {exc}") from None
    problems: list = []
    bad: list = []
    lost: list = []
    data = {"done": _read_array(group, attrs, "done", problems, bad, lost)}  # first: see the write order
    for name in _array_names(attrs):
        if name != "done":
            data[name] = _read_array(group, attrs, name, problems, bad, lost)
    static_wrong = [name for name in [k for k, _ in attrs["axes"]] + list(attrs["vector_dims"])
                    + ["in_grid"] if name not in lost and not np.array_equal(
                        data[name], _static_values(attrs, name), equal_nan=data[name].dtype.kind == "f")]
    for name in static_wrong:
        problems.append(f"array {name!r} does not hold the values the configuration says")
    in_grid = _static_values(attrs, "in_grid")
    # The checksum decides: a point is done if its stored values match it (the checksum is written
    # after the values); ``done`` is the mark that readers without this library see.
    flat = np.flatnonzero((in_grid & (data["checksum"] != 0)).ravel())
    cols = [data[n].reshape(in_grid.size, -1)[flat]
            for n in list(attrs["outputs"]) + list(attrs["per_point"])]
    ok = checksums(flat, cols) == data["checksum"].ravel()[flat]
    done = np.zeros(in_grid.size, dtype=bool)
    done[flat[ok]] = True
    done = done.reshape(in_grid.shape)
    marked = data["done"] & in_grid
    unmarked = done & ~marked
    if unmarked.any() and not is_locked(path):  # (while a sweep writes: marks still to come)
        n = int(unmarked.sum())
        problems.append(f"{n} point{'s' if n != 1 else ''} verif{'y' if n != 1 else 'ies'} but "
                        f"{'are' if n != 1 else 'is'} not marked done (a lost 'done' chunk or a "
                        f"write cut short); the next sweep marks {'them' if n != 1 else 'it'}")
    return Scan(path, attrs, data, in_grid, done, marked & ~done, problems, bad, lost, static_wrong)


def damage_summary(s: Scan) -> str:
    """One line: how many points are damaged and which arrays."""
    n = int(s.damaged.sum())
    where = "; ".join(s.problems[:3]) + ("; ..." if len(s.problems) > 3 else "")
    pts = f"{n} finished point{'s' if n != 1 else ''} no longer verif{'y' if n != 1 else 'ies'}"
    return (pts + (f" ({where})" if where else "") if n else where)


# ------------------------------------------------------------------------------------------------
# writing


class Store:
    """The store of one sweep, opened for writing by its (single) driver."""

    def __init__(self, path: Path, sweep: "Sweep"):
        self.path = path
        self.sweep = sweep
        self.attrs: dict = {}
        self.group = None
        self._lock_fd: int | None = None

    @classmethod
    def open_or_create(cls, path: Path, sweep: "Sweep") -> "Store":
        """Create the store if missing; refuse a store of another configuration or layout."""
        if not path.exists():
            create(path, sweep)
        elif not path.is_dir():
            raise SweepError(f"{str(path)!r} is a file, not a sweep store; choose another --store")
        attrs = check_attrs(path, read_attrs(path))
        if attrs.get("config_hash") != sweep.config_hash:
            diff = _config_diff(attrs.get("config", {}), _canon.canonical(sweep.config))
            raise SweepError(
                f"store {str(path)!r} holds results of a different configuration (config hash "
                f"{attrs.get('config_hash')} != {sweep.config_hash}; differs in {diff}); refusing to "
                f"overwrite it: use another --store, or delete the store to start afresh")
        return cls(path, sweep)

    @contextlib.contextmanager
    def lock(self, *, wait: bool = False) -> Iterator[None]:
        """Hold the store's writer lock; a second driver is refused (or waits, ``wait=True``)."""
        import fcntl

        import zarr

        fd = os.open(self.path, os.O_RDONLY)
        try:
            deadline = time.monotonic() + _LOCK_RETRY_SECONDS
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
                    break
                except BlockingIOError:
                    if time.monotonic() < deadline:  # a status probe holds it for a moment
                        time.sleep(0.1)
                        continue
                    raise SweepError(f"store {str(self.path)!r} is being computed by another sweep "
                                     f"({writer_info(self.path)}); wait for it to finish (or use "
                                     f"--wait), or stop it") from None
            try:
                self.group = zarr.open_group(str(self.path), mode="r+", zarr_format=3)
                self.attrs = dict(self.group.attrs)
                self.group.attrs["writer"] = {"pid": os.getpid(), "host": socket.gethostname(),
                                              "since": now()}
            except OSError as exc:
                raise storage_error(self.path, exc, "write to the store") from None
            yield
        finally:
            if self.group is not None:
                with contextlib.suppress(OSError):
                    self.group.attrs["writer"] = None
            os.close(fd)  # releases the lock

    def repair(self, s: Scan) -> list[str]:
        """Make a damaged store consistent: remove unreadable chunks, recreate lost arrays, restore
        coordinates, and mark the damaged points not done. Returns what was done, one line each."""
        out = []
        for name, key in s.bad_chunks:
            (self.path / name / key).unlink(missing_ok=True)
            out.append(f"removed unreadable chunk {name}/{key}")
        for name in s.lost_arrays:
            _make_array(self.group, s.attrs, name)
            out.append(f"recreated lost array {name!r}")
        for name in s.static_wrong:
            self.group[name][...] = _static_values(s.attrs, name)
            out.append(f"restored array {name!r}")
        n = int(s.damaged.sum())
        unmarked = int((s.done & ~(s.data["done"] & s.in_grid)).sum())
        if n or unmarked or s.lost_arrays or s.bad_chunks:
            self.group["done"][...] = s.done  # exactly the verified points are marked done
        if unmarked:
            out.append(f"marked {unmarked} point{'s' if unmarked != 1 else ''} done whose data "
                       f"verify (nothing to recompute for {'them' if unmarked != 1 else 'it'})")
        if n:
            out.append(f"{n} damaged point{'s' if n != 1 else ''} will be recomputed")
        return out

    def write(self, results: list["PointResult"]) -> None:
        """Write finished points: values, then their checksums, then ``done`` (a kill between two
        writes leaves the points not done, or not verifiable: they are computed again)."""
        if not results:
            return
        sw = self.sweep
        g = self.group
        flat = np.array([r.flat for r in results], dtype=np.int64)
        idx = np.unravel_index(flat, sw.shape)
        vec = sw.vector_dims()
        columns = []
        for name in sw.outputs:
            dims = sw.output_dims(name)
            extra = [len(vec[d]) for d in dims[len(sw.dims):]]
            shape = (len(results), *extra)
            vals = np.full(shape, np.nan)
            for i, r in enumerate(results):
                if r.values is not None:
                    v = r.values[name]
                    if v.shape != shape[1:]:
                        raise RuntimeError(f"{sw.function} returned {name} with shape {v.shape}, "
                                           f"expected {shape[1:]}")
                    vals[i] = v
            if extra:
                grids = [np.broadcast_to(ix.reshape(-1, 1), shape) for ix in idx]
                grids.append(np.broadcast_to(np.arange(extra[0]).reshape(1, -1), shape))
                g[name].vindex[tuple(grids)] = vals
            else:
                g[name].vindex[idx] = vals
            columns.append(vals)
        per_point = {"failed": np.array([r.error is not None for r in results]),
                     "cpu_seconds": np.array([r.cpu_seconds for r in results], dtype=np.float64),
                     "realizations": np.array([r.realizations for r in results], dtype=np.int64)}
        for name in self.attrs["per_point"]:
            g[name].vindex[idx] = per_point[name]
            columns.append(per_point[name])
        g["checksum"].vindex[idx] = checksums(flat, columns)
        g["done"].vindex[idx] = np.ones(len(results), dtype=bool)
        errs = [f"{describe_point(sw.point(r.flat))}: {r.error[1]}" for r in results if r.error]
        if errs:
            old = list(g.attrs.get("failures", []))
            g.attrs["failures"] = (old + errs)[:200]

    @property
    def has_provenance(self) -> bool:
        return "example_point" in self.group.attrs

    def set_provenance(self, provenance: Mapping) -> None:
        """Keep one point's simulator settings (defaults actually used: dt, burn-in, estimator...)."""
        self.group.attrs["example_point"] = _canon.canonical(provenance)

    def record_run(self, report: "RunReport", started: str) -> None:
        import thermolib

        entry = {"started": started, "finished": now(), "thermolib_version": thermolib.__version__,
                 **report.as_dict()}
        entry["warnings"] = dict(list(report.warnings.items())[:20])
        runs = list(self.group.attrs.get("runs", []))
        self.group.attrs["runs"] = runs + [_canon.canonical(entry)]


def writer_info(path: Path) -> str:
    """Who holds the writer lock of a store (from its attributes), for messages."""
    w = (read_attrs(path) or {}).get("writer") or {}
    if not w:
        return "pid unknown"
    return f"pid {w.get('pid')} on {w.get('host')}, since {w.get('since')}"


def is_locked(path: Path) -> bool:
    """Whether a driver holds the writer lock of the store now."""
    import fcntl

    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        return False
    except BlockingIOError:
        return True
    except OSError:
        return False
    finally:
        os.close(fd)


def _config_diff(old: Mapping, new: Mapping) -> str:
    keys = [k for k in sorted(set(old) | set(new)) if _canon.dumps(old.get(k)) != _canon.dumps(new.get(k))]
    out = []
    for k in keys:
        a, b = old.get(k), new.get(k)
        if isinstance(a, Mapping) and isinstance(b, Mapping):
            sub = [s for s in sorted(set(a) | set(b)) if _canon.dumps(a.get(s)) != _canon.dumps(b.get(s))]
            out += [f"{k}.{s}" for s in sub]
        else:
            out.append(k)
    return ", ".join(out) or "format"
