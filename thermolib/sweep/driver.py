"""Running a sweep: validate, plan, lock the store, repair it, compute the missing points, write.

Order of a run (:func:`run_sweep`): the spec was validated when the :class:`Sweep` was built; the
models are built and every point is dry-run by its simulator (:mod:`.plan`), and the cost estimate
is checked against the limits, all before the store exists. Then the store is created or opened
(another configuration is refused), locked (a second driver is refused), verified and repaired;
the pending points are computed by the executor and written every ``FLUSH_SECONDS`` as they
finish. Ctrl-C and SIGTERM stop the workers, write what has finished and record the run as
interrupted; a ``kill -9`` loses at most the last ``FLUSH_SECONDS`` of finished points and never
leaves a half-written point marked done (see :mod:`.store`).
"""
from __future__ import annotations

import contextlib
import os
import re
import signal
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from . import executors
from .errors import SweepError, describe_point
from .plan import Plan, check_limits, describe, make_plan
from .progress import Progress
from .report import RunReport
from .results import load
from .store import Store, storage_error, now, scan

if TYPE_CHECKING:
    from .spec import Sweep

__all__ = ["run_sweep", "Terminated", "FLUSH_SECONDS"]

#: How often (seconds) finished points are written to the store; ``THERMOLIB_SWEEP_FLUSH`` overrides.
FLUSH_SECONDS = 1.0
_NUMBER_RE = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


class Terminated(KeyboardInterrupt):
    """SIGTERM received: stop like Ctrl-C (finished points are written, workers stopped)."""


@contextlib.contextmanager
def _sigterm_stops() -> Iterator[None]:
    """Turn SIGTERM into :class:`Terminated` while a sweep runs (main thread, default handler)."""
    if threading.current_thread() is not threading.main_thread() \
            or signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL:
        yield
        return

    def handler(signum, frame):
        raise Terminated()

    signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _say(enabled: bool, message: str) -> None:
    if enabled:
        print(f"thermolib: {message}", file=sys.stderr, flush=True)


def run_sweep(sweep: "Sweep", *, client: Any = None, workers: int | None = None,
              progress: bool = True, store: str | os.PathLike | None = None,
              connect_timeout: float = 5.0, yes: bool = False, wait: bool = False):
    """Compute every missing point of ``sweep`` into its store; returns the dataset (:func:`load`).

    Parameters
    ----------
    client : distributed.Client or str, optional
        A Dask client, or a scheduler address (``"tcp://host:8786"``). Default: local processes.
    workers : int, optional
        Local worker processes (default: the number of CPUs; ``0`` runs in this process).
    progress : bool
        Show the plan, progress (tqdm on a terminal, else a line every few percent) on stderr.
    store : path, optional
        Overrides the spec's store.
    connect_timeout : float
        Seconds to wait for a scheduler given by address.
    yes : bool
        Start even above the limits of :mod:`.plan` (points, estimated CPU-hours).
    wait : bool
        Wait for another driver writing the same store instead of refusing.

    Returns
    -------
    xarray.Dataset
        The whole store; :attr:`Sweep.last_run` (and ``attrs["runs"][-1]``) says what this call did.
    """
    if sweep.fidelity == "quick":
        raise SweepError("the quick subset is never written to a store: use load_or_compute")
    if workers is not None and workers < 0:
        raise SweepError(f"workers must be >= 0, got {workers}")
    path = sweep.store_path(store)
    sweep.check_models()
    plan = make_plan(sweep)
    everything = sweep.grid_spec.points()
    if not path.exists():
        check_limits(sweep.function, len(everything), *plan.estimate(everything), yes=yes)
    own_client = None
    if isinstance(client, str):  # before the store: an unreachable scheduler is an input error
        client = own_client = executors.connect(client, connect_timeout)
    try:
        with _sigterm_stops():
            return _run_locked(sweep, path, plan, client=client, workers=workers,
                               progress=progress, yes=yes, wait=wait)
    finally:
        if own_client is not None:
            own_client.close()


def _run_locked(sweep: "Sweep", path: Path, plan: Plan, *, client: Any, workers: int | None,
                progress: bool, yes: bool, wait: bool):
    """Open (or create) the store, lock, verify and repair it, then compute what is missing."""

    writer = Store.open_or_create(path, sweep)
    with writer.lock(wait=wait):
        try:
            s = scan(path, writer.attrs)
            repairs = writer.repair(s)
        except OSError as exc:
            raise storage_error(path, exc, "repair the store") from None
        for line in repairs:
            _say(True, f"{path}: {line}")
        done_flat = np.flatnonzero(s.done.ravel())
        pending = np.flatnonzero((s.in_grid & ~s.done).ravel())
        seconds, basis = plan.estimate(pending, done_flat, s.data["cpu_seconds"].ravel()[done_flat])
        check_limits(sweep.function, len(pending), seconds, basis, yes=yes)
        report = RunReport(total=sweep.size, already_done=len(done_flat),
                           repaired=int(s.damaged.sum()))
        sweep.last_run = report
        import thermolib

        made_with = writer.attrs.get("thermolib_version")
        if len(pending) and made_with != thermolib.__version__:
            report.warnings[f"the store was started with thermolib {made_with}; this is "
                            f"{thermolib.__version__}"] = 1
        started = now()
        if len(pending):
            checked = f"; {plan.checked}" if plan.checked else ""
            _say(progress, f"{describe(sweep.function, len(pending), seconds, basis)}{checked}; "
                           f"store {path}")
            _compute(sweep, writer, pending, report, client=client, workers=workers,
                     progress=progress)
        else:
            _record(writer, report, started)
    return load(path)


def _tasks(sweep: "Sweep", pending: np.ndarray, chunk: int) -> Iterator[tuple]:
    kind = sweep.entry.model if sweep.entry else None
    for i in range(0, len(pending), chunk):
        yield sweep.function, kind, [sweep.task_point(int(f)) for f in pending[i:i + chunk]]


def _record(writer: Store, report: "RunReport", started: str) -> None:
    with contextlib.suppress(OSError):  # a full or read-only disk: the points are what matters
        writer.record_run(report, started)


def _compute(sweep: "Sweep", writer: Store, pending: np.ndarray, report: "RunReport", *,
             client: Any, workers: int | None, progress: bool) -> None:
    if client is not None:
        n_exec = max(1, len(getattr(client, "nthreads", lambda: {1: 1})() or {1: 1}))
    else:
        n_exec = executors.cpu_count() if workers is None else int(workers)
    cheap = sweep.entry is not None and sweep.entry.cheap
    chunk = max(1, min(256, -(-len(pending) // (4 * max(n_exec, 1))))) if cheap else 1
    tasks = _tasks(sweep, pending, chunk)
    if client is not None:
        report.executor = f"dask {getattr(client.scheduler, 'address', '?')}"
        results = executors.dask_results(tasks, client, n_exec)
    elif n_exec == 0:
        report.executor = "in-process"
        results = executors.in_process_results(tasks)
    else:
        n_exec = min(n_exec, -(-len(pending) // chunk))
        report.executor = f"local processes x{n_exec}"
        results = executors.local_results(tasks, n_exec, max(1, executors.cpu_count() // n_exec))
    bar = Progress(sweep.size, report.already_done, sweep.function, enabled=progress)
    flush_every = float(os.environ.get("THERMOLIB_SWEEP_FLUSH", FLUSH_SECONDS))
    t0, started = time.perf_counter(), now()
    buffer: list = []
    last = time.monotonic()
    problem: str | None = None
    warn_keys: dict[str, str] = {}

    def flush():
        nonlocal buffer, last
        try:
            writer.write(buffer)
        except OSError as exc:
            raise storage_error(writer.path, exc, "write to the store") from None
        buffer, last = [], time.monotonic()

    completed = False
    try:
        for batch in results:
            for r in batch:
                if r.provenance is not None and not writer.has_provenance:
                    with contextlib.suppress(OSError):
                        writer.set_provenance(r.provenance)
                for w in r.warnings:  # group messages that differ only in their numbers
                    key = warn_keys.setdefault(_NUMBER_RE.sub("#", w), w)
                    report.warnings[key] = report.warnings.get(key, 0) + 1
                if r.error is not None and r.error[0] != "failed":
                    problem = problem or (f"point {describe_point(sweep.point(r.flat))}: {r.error[1]}"
                                          + ("" if r.error[0] == "input" else f"\n{r.error[2]}"))
                    continue
                buffer.append(r)
                report.computed += 1
                report.failed += r.error is not None
                report.cpu_seconds += r.cpu_seconds
            bar.update(len(batch))
            if problem:
                break
            if time.monotonic() - last >= flush_every:
                flush()
        completed = True
    except KeyboardInterrupt:
        report.interrupted = True
        raise
    finally:
        close = getattr(results, "close", None)
        if close:
            close()
        bar.close()
        write_error = None
        try:
            flush()
        except SweepError as exc:
            report.computed -= len(buffer)  # not stored: the next run computes them again
            write_error = exc
        report.seconds = time.perf_counter() - t0
        _record(writer, report, started)
        if write_error is not None and completed:
            raise write_error
    if problem:
        first, _, rest = problem.partition("\n")
        if rest:
            raise RuntimeError(problem)
        raise SweepError(f"{first} ({report.computed + report.already_done} points of this "
                         f"configuration are stored in {str(writer.path)!r}; fix the spec and use a "
                         f"new store)")

