"""Before a sweep starts: every point validated by its simulator, and what the sweep will cost.

The simulator contract (:mod:`thermolib.sim.contract`) requires every simulator to pass its run
settings through ``run_settings`` before any work. :func:`make_plan` calls the simulator at each
point inside ``contract.validate_only()``, where ``run_settings`` validates (the model's own
``dt`` limit, ``t / dt <= MAX_STEPS``, ``realizations``, ...) and then stops the call. So a bad
``dt`` or ``t = 1e300`` is refused before the store exists, and the validated settings give each
point's number of steps for the cost estimate. A function that does not go through
``run_settings`` is not dry-run: its points are validated when computed.

The estimate is points x steps x realizations x a rough per-step cost from the benchmark table;
once a store holds finished points, their measured CPU seconds calibrate it. Above
:data:`LIMIT_POINTS` points or :data:`LIMIT_CPU_HOURS` CPU-hours a sweep starts only when
confirmed (``--yes``).
"""
from __future__ import annotations

import dataclasses
import warnings
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import _canon
from ..sim import contract
from ..sim.contract import follows_contract as _uses_contract
from .errors import SweepError, describe_point
from .registry import build_model, temperature_kwargs

if TYPE_CHECKING:
    from .spec import Sweep

__all__ = ["Plan", "make_plan", "check_limits", "LIMIT_POINTS", "LIMIT_CPU_HOURS"]

#: A sweep with more points than this needs ``--yes``.
LIMIT_POINTS = 100_000
#: A sweep estimated to cost more CPU-hours than this needs ``--yes``.
LIMIT_CPU_HOURS = 24.0
#: Points dry-run one by one; larger sweeps are validated on an even sample of this size.
DRY_RUN_POINTS = 2000
_CHEAP_SECONDS = 0.01  # nominal cost of an analytic point


@dataclasses.dataclass
class Plan:
    """The validated sweep and the estimated cost of its points.

    ``sample`` are flat indices of dry-run points and ``seconds`` their estimated CPU seconds
    (NaN: unknown); ``checked`` says how the points were validated (empty: when computed).
    """

    function: str
    total: int
    sample: np.ndarray
    seconds: np.ndarray
    checked: str
    basis: str = "rough per-step cost from the benchmark table"

    def estimate(self, pending: np.ndarray, done: np.ndarray | None = None,
                 measured: np.ndarray | None = None) -> tuple[float, str]:
        """(estimated CPU seconds of ``pending``, basis); calibrated by finished points when the
        store holds some (``done`` flat indices with their ``measured`` CPU seconds)."""
        rough = dict(zip(self.sample.tolist(), self.seconds.tolist()))
        factor, basis = 1.0, self.basis
        if done is not None and len(done) and measured is not None:
            pairs = [(rough[f], m) for f, m in zip(done.tolist(), measured.tolist())
                     if f in rough and np.isfinite(rough[f]) and np.isfinite(m)]
            if pairs:
                est, meas = map(np.array, zip(*pairs))
                if est.sum() > 0:
                    factor = float(meas.sum() / est.sum())
                    basis = f"calibrated on {len(pairs)} finished points"
            elif np.isfinite(measured).any():
                return float(np.nanmean(measured)) * len(pending), \
                    f"mean of {int(np.isfinite(measured).sum())} finished points"
        if not len(pending):
            return 0.0, basis
        mine = [rough[f] for f in pending.tolist() if f in rough]
        values = np.array(mine if mine else list(rough.values()), dtype=float)
        if not values.size or not np.isfinite(values).all():
            return float("nan"), "no dry run: points are validated when computed"
        return float(values.mean()) * len(pending) * factor, basis


def make_plan(sweep: "Sweep", points: np.ndarray | None = None) -> Plan:
    """Validate ``points`` (default: every point of the sweep) and estimate their cost."""
    points = sweep.grid_spec.points() if points is None else np.asarray(points)
    if len(points) > DRY_RUN_POINTS:
        sample = np.unique(points[np.linspace(0, len(points) - 1, DRY_RUN_POINTS).astype(np.intp)])
    else:
        sample = points
    entry = sweep.entry
    target = sweep.target
    if entry is not None and entry.cheap:
        return Plan(sweep.function, len(points), sample, np.full(len(sample), _CHEAP_SECONDS),
                    "", f"nominal {_CHEAP_SECONDS * 1e3:g} ms per analytic point")
    if not _uses_contract(target):
        return Plan(sweep.function, len(points), sample, np.full(len(sample), np.nan), "")
    models: dict[str, Any] = {}
    seconds = np.full(len(sample), np.nan)
    with contract.validate_only(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for i, flat in enumerate(sample.tolist()):
            _, model_kw, kwargs, seed = sweep.task_point(flat)
            kwargs = dict(kwargs, **({} if seed is None else {"seed": seed}))
            try:
                if entry is None:
                    target(**kwargs)
                    continue  # returned without validating: nothing to estimate
                key = _canon.dumps(model_kw)
                if key not in models:
                    models[key] = build_model(entry.model, model_kw)
                if entry.temperatures:
                    kwargs = temperature_kwargs(entry.temperatures, kwargs)
                entry.evaluate(models[key], **kwargs)
            except contract.ValidatedSettings as ok:
                t, dt, _, realizations, _ = ok.settings
                if entry is not None and entry.step_ns is not None:
                    seconds[i] = t / dt * realizations * entry.step_ns(models[key], kwargs) * 1e-9
            except SweepError:
                raise
            except (ValueError, TypeError) as exc:
                raise SweepError(f"point {describe_point(sweep.point(flat))}: "
                                 f"{type(exc).__name__}: {exc}") from None
    how = ("every point validated by a dry run" if len(sample) == len(points)
           else f"{len(sample)} of {len(points)} points validated by a dry run")
    return Plan(sweep.function, len(points), sample, seconds, how)


def describe(function: str, n: int, seconds: float, basis: str) -> str:
    """``"46 points to compute, ~1.2 CPU-hours (basis)"``."""
    if not np.isfinite(seconds):
        cost = "cost unknown"
    elif seconds >= 3600:
        cost = f"~{seconds / 3600:.3g} CPU-hours"
    elif seconds >= 60:
        cost = f"~{seconds / 60:.3g} CPU-minutes"
    else:
        cost = f"~{seconds:.2g} CPU-seconds"
    return f"{function}: {n} point{'s' if n != 1 else ''} to compute, {cost} ({basis})"


def check_limits(function: str, n: int, seconds: float, basis: str, *, yes: bool) -> None:
    """Refuse a sweep above :data:`LIMIT_POINTS` or :data:`LIMIT_CPU_HOURS` unless ``yes``."""
    if yes:
        return
    too_many = n > LIMIT_POINTS
    too_long = np.isfinite(seconds) and seconds > LIMIT_CPU_HOURS * 3600
    if too_many or too_long:
        limit = (f"{LIMIT_POINTS} points" if too_many else f"{LIMIT_CPU_HOURS:g} CPU-hours")
        raise SweepError(f"{describe(function, n, seconds, basis)}: above the limit of {limit} for "
                         f"an unconfirmed sweep; check the grid and run settings, then rerun with "
                         f"--yes (yes=True) to start it")
