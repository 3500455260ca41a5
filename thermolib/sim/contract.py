"""The contract every simulator of :mod:`thermolib.sim` follows, in one place.

::

    sim.<name>(model, <physics arguments>, *, t, dt=None, burn_in=None, realizations, seed)

* ``model`` is the analytic layer's parameter object of the right type (:func:`require_model`
  raises ``TypeError`` otherwise, naming the parameter and the expected type);
* ``t`` is the total simulated time per realization, burn-in included (``t > burn_in``);
* every model names its time scales, ``model.time_scales() -> {name: seconds}``, one of them
  ``"relaxation"`` (the slowest relaxation time of its stationary state);
* ``dt=None`` takes :func:`default_dt`, :data:`DT_FACTOR` times the shortest time scale; an
  explicit ``dt`` above the model's stability/accuracy limit raises ``ValueError``, and one whose
  known time-step bias is large warns (:class:`TimeStepBiasWarning`) quoting it;
* ``burn_in=None`` takes :func:`default_burn_in`, :data:`BURN_IN_RELAXATION_TIMES` slowest
  relaxation times;
* ``realizations`` (no default) independent realizations, at least :data:`MIN_REALIZATIONS`: the
  standard error is the one across realizations, with ``realizations - 1`` degrees of freedom;
* ``seed``: an integer in ``[0, 2**63)``; realization ``r`` uses its own random stream.

:func:`run_settings` validates these before any work starts and bounds the total work
(:data:`MAX_STEPS` steps per realization, :data:`MAX_REALIZATIONS` realizations), so that a typo
such as ``t=1e300`` is refused at once instead of running for ever or overflowing.

A run whose state leaves any physical range raises :class:`SimulationDiverged`; a result's
``kind`` is the simulator's public name (``"diode_current"``).
"""
from __future__ import annotations

import contextlib
import contextvars
import math
import sys

from .. import _validation as _v

__all__ = [
    "ValidatedSettings",
    "validate_only",
    "SimulationDiverged",
    "TimeStepBiasWarning",
    "DT_FACTOR",
    "MIN_REALIZATIONS",
    "MAX_STEPS",
    "MAX_REALIZATIONS",
    "BURN_IN_RELAXATION_TIMES",
    "require_model",
    "run_settings",
    "default_dt",
    "default_burn_in",
    "follows_contract",
]

#: default time step = DT_FACTOR x the model's shortest time scale
DT_FACTOR = 0.05
#: default burn-in = this many slowest relaxation times of the model
BURN_IN_RELAXATION_TIMES = 10.0
#: the standard error is computed across realizations: at least two of them
MIN_REALIZATIONS = 2
#: largest number of time steps per realization accepted (t / dt)
MAX_STEPS = 10**12
#: largest number of realizations accepted in one call
MAX_REALIZATIONS = 2**31 - 1


class SimulationDiverged(FloatingPointError):
    """The trajectories left any physical range (NaN, overflow, or an energy far above what the
    bath temperatures allow): the time step is too large for the forces, or a force is not
    confining at this strength. The message says which run, and what to change."""


class TimeStepBiasWarning(UserWarning):
    """The time step is accepted but its known discretisation bias (e.g. the exact stationary
    current of the discrete scheme against the continuum one) exceeds 1 %: the message quotes it."""


def require_model(obj, cls, name: str = "model"):
    """Return ``obj`` if it is an instance of ``cls`` (or of one of a tuple of classes), else raise
    :class:`~thermolib._validation.ParameterTypeError` (a ``TypeError`` that is also a
    ``ValueError``) naming the parameter and the expected type."""
    if isinstance(obj, cls):
        return obj
    classes = cls if isinstance(cls, tuple) else (cls,)
    expected = " or ".join(f"thermolib.{c.__name__}" for c in classes)
    raise _v.ParameterTypeError(f"{name} must be a {expected}, got {type(obj).__name__} ({obj!r:.80})")


def default_dt(time_scales) -> float:
    """:data:`DT_FACTOR` times the shortest of a model's named ``time_scales`` (a mapping)."""
    return DT_FACTOR * min(time_scales.values())


def default_burn_in(time_scales) -> float:
    """:data:`BURN_IN_RELAXATION_TIMES` times ``time_scales["relaxation"]``."""
    return BURN_IN_RELAXATION_TIMES * time_scales["relaxation"]


def run_settings(*, t, dt, burn_in, realizations, seed, default_dt, default_burn_in,
                 dt_max=None, dt_limit_reason=""):
    """Validate the run settings of the contract; returns ``(t, dt, burn_in, realizations, seed)``.

    Parameters
    ----------
    t, dt, burn_in, realizations, seed
        As passed by the caller (``dt`` and ``burn_in`` may be None).
    default_dt : float
        The model's default time step (used when ``dt`` is None).
    default_burn_in : float
        The model's default burn-in (used when ``burn_in`` is None); when it does not fit into
        ``t`` the call is refused with a message that gives it.
    dt_max : float, optional
        Largest accepted ``dt``; ``dt_limit_reason`` says why (put in the message).
    """
    t = _v.positive("t", t)
    if dt is None:
        dt = float(default_dt)
    dt = _v.positive("dt", dt)
    if dt_max is not None and dt > dt_max:
        why = f" ({dt_limit_reason})" if dt_limit_reason else ""
        raise ValueError(f"dt = {dt:g} is too large: need 0 < dt <= {dt_max:.4g}{why}")
    if burn_in is None:
        burn_in = float(default_burn_in)
        if not t > burn_in:
            raise ValueError(f"t must be > burn_in; the default burn_in is {burn_in:.4g} (from the "
                             f"model's slowest relaxation time), got t = {t:g}: pass a longer t or "
                             f"an explicit burn_in")
    burn_in = _v.nonnegative("burn_in", burn_in)
    if not t > burn_in:
        raise ValueError(f"t must be > burn_in, got t = {t:g}, burn_in = {burn_in:g} (t is the total "
                         f"simulated time, burn_in the discarded part)")
    steps = t / dt
    if not steps <= MAX_STEPS:
        raise ValueError(f"t / dt = {steps:.3g} steps per realization exceeds the limit "
                         f"{MAX_STEPS:.0e}: t = {t:g} is far too long for dt = {dt:g}")
    if math.floor((t - burn_in) / dt + 0.5) < 1:
        raise ValueError(f"t - burn_in must hold at least one step of dt = {dt:g}, got t = {t:g}, "
                         f"burn_in = {burn_in:g}")
    realizations = _v.positive_int("realizations", realizations)
    if realizations < MIN_REALIZATIONS:
        raise ValueError(f"realizations must be an integer >= {MIN_REALIZATIONS} (the standard error "
                         f"is taken across independent realizations), got {realizations}")
    if realizations > MAX_REALIZATIONS:
        raise ValueError(f"realizations must be <= {MAX_REALIZATIONS}, got {realizations}")
    seed = _v.nonnegative_int("seed", seed)
    if seed >= 2**63:
        raise ValueError(f"seed must be an integer in [0, 2**63), got {seed}")
    settings = (t, dt, burn_in, realizations, seed)
    if _VALIDATE_ONLY.get():
        raise ValidatedSettings(settings)
    return settings


# A dry run (the sweep runner validates every point of a spec before its store exists): inside
# ``validate_only()`` a simulator stops right after its settings passed validation. A context
# variable, so a dry run in one thread never stops a real run in another.
_VALIDATE_ONLY = contextvars.ContextVar("thermolib_validate_only", default=False)


class ValidatedSettings(BaseException):
    """Raised by :func:`run_settings` inside :func:`validate_only` once the settings passed
    validation; ``settings`` is ``(t, dt, burn_in, realizations, seed)``. A BaseException, so no
    ``except Exception`` inside a simulator swallows it."""

    def __init__(self, settings: tuple):
        super().__init__()
        self.settings = settings


def follows_contract(fn) -> bool:
    """Whether ``fn``'s module reaches :func:`run_settings` (it imports it or this module), so that
    a call of ``fn`` inside :func:`validate_only` stops once its settings are validated.

    Decided from the names the function's module holds: a function that reaches ``run_settings``
    by another route is reported False and is simply not dry-run (its input is then validated when
    it is computed)."""
    module = sys.modules[__name__]
    return any(v is run_settings or v is module for v in getattr(fn, "__globals__", {}).values())


@contextlib.contextmanager
def validate_only():
    """Within this block a simulator validates its input and stops with
    :class:`ValidatedSettings` before any work (the dry run of a sweep)."""
    token = _VALIDATE_ONLY.set(True)
    try:
        yield
    finally:
        _VALIDATE_ONLY.reset(token)
