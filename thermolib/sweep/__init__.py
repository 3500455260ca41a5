"""Parameter sweeps: a thermolib simulator (or analytic function) over a grid, stored on disk, resumable.

A *sweep* is a function from the registry (``"sim.diode_current"``, ``"analytic.ndc_current"``, ...),
a parameter grid and run settings, written in a TOML (or YAML) spec (``sweeps/README.md`` documents
every key)::

    function = "sim.diode_current"
    store = "data/diode_fig2.zarr"      # relative to the project root
    seed = 2021
    [model]                             # constructor parameters of the model object
    k_I = 0.5
    f_A = {kind = "power", n = 2}
    [grid]                              # a list, or {start, stop, num, log = false}, per parameter
    Delta_T = {start = -1.0, stop = 1.0, num = 9}
    [fixed]                             # call parameters that do not vary
    T_m = 1.0
    eps = [0.1, 0.5, 1.0]               # a vector-valued argument becomes an extra dimension
    [run]                               # simulator settings
    t = 220.0
    realizations = 100000
    [quick]                             # the quick-fidelity subset: same points, shorter runs
    run = {realizations = 16384}

Every grid point is an independent task with its own seed, derived from the spec's ``seed`` and the
point's grid parameters only (:func:`point_seed`), so a point gives the same numbers whatever the
order, the chunking, the executor (local processes or a Dask cluster) or the number of workers.

Modules, one job each:

* :mod:`.spec` (with :mod:`.grid`, :mod:`.subset`): reading and validating a spec: :class:`Sweep`;
* :mod:`.registry`: what a spec may call: :data:`REGISTRY`, :class:`Entry`;
* :mod:`.plan`: every point dry-run by its simulator, cost estimate and limits, before the store;
* :mod:`.executors`: in-process, local processes (which die with the driver), Dask;
* :mod:`.store`: the zarr store: creation, writer lock, per-point checksums, verification, repair;
* :mod:`.driver`: one run, from validation to the last written point (signals, progress, flushes);
* :mod:`.results`: :func:`load`, :func:`load_if_present`, :func:`status`;
* :mod:`.figure`: :func:`load_or_compute`, a figure's data at the current fidelity;
* :mod:`.point`: :func:`point_result`, one point's full simulator result (e.g. a trace).

Command line (``python -m thermolib``)::

    python -m thermolib sweep sweeps/diode_fig2.toml [--store PATH] [--workers N] [--yes] [--wait]
                                                     [--scheduler tcp://host:8786] [--quiet]
    python -m thermolib status data/diode_fig2.zarr
    python -m thermolib functions
"""
from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from .errors import SweepError
from .figure import load_if_present, load_or_compute
from .grid import point_seed
from .paths import project_root
from .point import point_result
from .registry import REGISTRY, Entry, describe_functions
from .results import load, status
from .spec import RunReport, Sweep, config_hash

__all__ = [
    "Sweep",
    "SweepError",
    "Entry",
    "REGISTRY",
    "RunReport",
    "run",
    "load",
    "load_if_present",
    "load_or_compute",
    "point_result",
    "status",
    "point_seed",
    "config_hash",
    "describe_functions",
    "project_root",
]


def run(spec: str | os.PathLike | Mapping[str, Any] | Sweep, *, store: str | os.PathLike | None = None,
        client: Any = None, workers: int | None = None, progress: bool = True, yes: bool = False,
        wait: bool = False):
    """Build the sweep from ``spec`` and :meth:`Sweep.run` it; returns the dataset."""
    sweep = spec if isinstance(spec, Sweep) else Sweep.from_spec(spec)
    return sweep.run(client=client, workers=workers, progress=progress, store=store, yes=yes,
                     wait=wait)
