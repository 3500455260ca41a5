"""Where points are computed: in this process, in local worker processes, or on a Dask cluster.

A *task* is a batch of points ``(function, model kind, [(flat, model params, kwargs, seed), ...])``;
:func:`run_task` evaluates it anywhere and returns one :class:`PointResult` per point. The
executors yield finished batches in completion order, keeping only a few tasks in flight, so that
a grid of any size costs memory in proportion to the workers, not to the grid.

Local workers never outlive the driver: each asks the kernel to kill it when its parent dies
(``PR_SET_PDEATHSIG`` on Linux) and also watches its parent's pid, so a ``kill -9`` of the driver
leaves no worker (and hence no multiprocessing resource tracker) behind.
"""
from __future__ import annotations

import os
import sys
import threading
import time
import warnings
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, NamedTuple

import numpy as np

from .. import _canon
from .errors import SweepError
from .registry import build_model, resolve_function, temperature_kwargs

__all__ = ["PointResult", "evaluate_point", "run_task", "local_results", "dask_results",
           "connect", "cpu_count"]

# Exceptions a point may legitimately end with (physics, not input): stored as failed points.
_POINT_FAILURES = ("MarkovReductionError", "SimulationDiverged")
#: Tasks kept in flight per worker (the rest are generated lazily).
IN_FLIGHT_PER_WORKER = 4


class PointResult(NamedTuple):
    """One evaluated point.

    ``values`` maps output names to float arrays (None if the point did not finish); ``error`` is
    None, ``("failed", msg)`` for a physics failure (stored as a failed point), ``("input", msg)``
    for invalid input or ``("bug", msg, traceback)``; ``cpu_seconds`` is the process CPU time of
    the evaluation (all threads of the worker); ``realizations`` the count actually used (0 if the
    function has none); ``provenance`` the simulator's settings and model (first point of a batch).
    """

    flat: int
    values: dict | None
    error: tuple | None
    warnings: list
    cpu_seconds: float
    realizations: int
    provenance: dict | None


def evaluate_point(function: str, model_kind: str | None, model_kw: Mapping, kwargs: Mapping,
                   seed: int | None, *, flat: int = -1, models: dict | None = None,
                   provenance: bool = False) -> PointResult:
    """Evaluate one point of ``function`` (a registry name or ``"module:function"``)."""

    entry, custom = resolve_function(function)
    models = {} if models is None else models
    values = prov = None
    error = None
    realizations = 0
    t0 = time.process_time()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            kwargs = dict(kwargs)
            if seed is not None:
                kwargs["seed"] = seed
            if entry is None:
                res = custom(**kwargs)
            else:
                key = _canon.dumps(model_kw)
                if key not in models:
                    models[key] = build_model(model_kind, model_kw)
                if entry.temperatures:
                    kwargs = temperature_kwargs(entry.temperatures, kwargs)
                res = entry.evaluate(models[key], **kwargs)
            settings = getattr(res, "settings", None)
            if not isinstance(res, Mapping) and isinstance(getattr(res, "values", None), Mapping):
                if provenance:  # a SimResult's own plain (JSON) form
                    d = res.to_dict()
                    prov = {"kind": d.get("kind"), "settings": d.get("settings") or {},
                            "model": d.get("model", {}), "version": d.get("version")}
                res = res.values  # a SimResult
            if not isinstance(res, Mapping):
                raise TypeError(f"{function} returned {type(res).__name__}, not a mapping of outputs")
            realizations = int((settings or {}).get("realizations") or kwargs.get("realizations") or 0)
            values = {}
            for name in (entry.outputs if entry else res.keys()):
                if name not in res:
                    raise KeyError(f"{function} returned no output {name!r}")
                values[name] = np.asarray(res[name], dtype=np.float64)
        except Exception as exc:  # noqa: BLE001 - classified here, reported by the driver
            error = classify(exc)
    seconds = time.process_time() - t0
    warns = sorted({f"{w.category.__name__}: {w.message}" for w in caught})
    return PointResult(flat, values, error, warns, seconds, realizations, prov)


def run_task(task: tuple) -> list[PointResult]:
    """Evaluate a batch of points (in a worker process, a Dask worker or in-process)."""
    function, model_kind, points = task
    models: dict = {}
    return [evaluate_point(function, model_kind, model_kw, kwargs, seed, flat=flat, models=models,
                           provenance=(i == 0))
            for i, (flat, model_kw, kwargs, seed) in enumerate(points)]


def classify(exc: BaseException) -> tuple:
    msg = " ".join(f"{type(exc).__name__}: {exc}".split())
    if type(exc).__name__ in _POINT_FAILURES or isinstance(exc, (ArithmeticError, np.linalg.LinAlgError)):
        return ("failed", msg)
    if isinstance(exc, (ValueError, TypeError, SweepError)):
        return ("input", msg)
    import traceback

    return ("bug", msg, "".join(traceback.format_exception(exc)))


# ------------------------------------------------------------------------------------------------
# local worker processes


def _die_with_parent(parent: int) -> None:
    """Make this worker exit when the driver process ``parent`` dies, however it dies."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes
            import signal

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, int(signal.SIGKILL), 0, 0, 0)  # PR_SET_PDEATHSIG: killed with the parent
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:  # the driver died before the line above took effect
        os._exit(1)

    def watch():  # elsewhere (and as a second line of defence): poll the parent's pid
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=watch, name="thermolib-parent-watch", daemon=True).start()


def _init_worker(threads: int, parent: int) -> None:
    # Runs first in a fresh (spawned) process: numba reads NUMBA_NUM_THREADS at import.
    _die_with_parent(parent)
    os.environ["NUMBA_NUM_THREADS"] = str(threads)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = "1"
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the driver handles Ctrl-C and SIGTERM
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def local_results(tasks: Iterable[tuple], workers: int, threads: int) -> Iterator[list[PointResult]]:
    """Run tasks in ``workers`` spawned processes; yield finished batches as they complete.

    Closing the generator early (an error, Ctrl-C, SIGTERM) terminates the workers at once:
    points still running are lost and computed again by the next run.
    """
    import multiprocessing
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    ctx = multiprocessing.get_context("spawn")  # no fork after threads; same as a fresh worker
    ex = ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_init_worker,
                             initargs=(threads, os.getpid()))
    it = iter(tasks)
    running: set = set()
    finished = False
    try:
        for task in it:
            running.add(ex.submit(run_task, task))
            if len(running) >= IN_FLIGHT_PER_WORKER * workers:
                break
        while running:
            done, running = wait(running, return_when=FIRST_COMPLETED)
            for f in done:
                yield f.result()
                nxt = next(it, None)
                if nxt is not None:
                    running.add(ex.submit(run_task, nxt))
        finished = True
    finally:
        if not finished:  # interrupted or aborted: do not wait for running points
            for p in list((getattr(ex, "_processes", None) or {}).values()):
                p.terminate()
        ex.shutdown(wait=True, cancel_futures=True)


def in_process_results(tasks: Iterable[tuple]) -> Iterator[list[PointResult]]:
    """Run tasks one after the other in this process (``workers=0``)."""
    for task in tasks:
        yield run_task(task)


# ------------------------------------------------------------------------------------------------
# Dask


def dask_results(tasks: Iterable[tuple], client: Any, slots: int) -> Iterator[list[PointResult]]:
    """Run tasks on a Dask cluster, at most ``IN_FLIGHT_PER_WORKER * slots`` at a time."""
    from itertools import islice

    from distributed import as_completed

    it = iter(tasks)
    live = {client.submit(run_task, t, pure=False)
            for t in islice(it, IN_FLIGHT_PER_WORKER * max(slots, 1))}
    queue = as_completed(list(live))
    try:
        for f in queue:
            live.discard(f)
            yield f.result()
            f.release()  # the cluster may forget the result now
            nxt = next(it, None)
            if nxt is not None:
                new = client.submit(run_task, nxt, pure=False)
                live.add(new)
                queue.add(new)
    finally:
        client.cancel(list(live))


def connect(address: str, timeout: float):
    """A Dask client for the scheduler at ``address`` (one-line error if it is not reachable)."""
    try:
        from distributed import Client
    except ImportError:
        raise SweepError("--scheduler needs dask.distributed (pip install 'dask[distributed]')") from None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return Client(address, timeout=f"{timeout}s")
    except (OSError, TimeoutError, ValueError) as exc:
        raise SweepError(f"cannot reach the Dask scheduler at {address!r} within {timeout:g} s "
                         f"({type(exc).__name__})") from None


def cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1
