"""Numba kernels of the particle bath, shared by the probe and chain simulators.

``N_b`` overdamped particles per *lane* (a realization, or one probe value of one realization)
move on a ring; positions are stored in units of the ring, ``y = x/L`` in ``[0, 1)``, so that
``cos(2 pi x/L)`` needs no lossy range reduction. One Euler-Maruyama step (constants from
:meth:`thermolib.ParticleBath.kernel_params`):

.. math::  y' = y + a\\,q\\,\\mathcal F(y)\\sin(2\\pi y) + b\\,\\xi \\pmod 1,

with the probe position ``q`` at the start of the step; the free-diffusion part is exact in law.
Particle ``i`` of lane ``l`` draws from its own stream ``l * N_b + i`` (below
:data:`PARTICLE_STREAM_LIMIT`, where the chain's streams start), so results do not depend on the
number of threads. One Box-Muller pair serves two consecutive steps of a particle.

The step's time-step bias on the stationary law is O(dt) (first-order scheme); for a frozen probe it
is computed exactly by :func:`thermolib.sim.particle_bath.euler_maruyama_mean_force`.
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit

from .. import _validation as _v
from .contract import DT_FACTOR, MAX_STEPS, SimulationDiverged
from ._fastmath import exp as _exp, sincos_turns as _sincos_turns, sum_reassoc as _sum
from ._rng import normal_pair_fast, seed_states, uniform

__all__ = ["PARTICLE_STREAM_LIMIT", "MAX_STATE_BYTES", "ESTIMATOR_MAX", "lane_states",
           "check_state_memory", "check_default_steps", "check_estimator_range", "bath_dt_max",
           "interaction_floor", "energy_threshold", "raise_if_diverged", "lane_buffers",
           "init_particles", "sweep"]

#: Particle streams are ``lane * N_b + i < PARTICLE_STREAM_LIMIT``; the chain's noise streams
#: start here (``PARTICLE_STREAM_LIMIT + r``).
PARTICLE_STREAM_LIMIT = 2**40
#: Largest memory (bytes) the per-particle state of one call may take; beyond it the call is
#: refused before anything is allocated.
MAX_STATE_BYTES = 2**33
#: Bytes of state per simulated particle: 4 RNG words, position, drift, force, two spare normals.
_BYTES_PER_PARTICLE = 8 * 9
#: Fraction of the shortest bath time scale that an explicit ``dt`` may not exceed.
DT_MAX_FRACTION = 0.25
#: Largest energy scale per time step, ``E_max / dt``, that a run accepts: the estimators add up to
#: ``E_max / dt`` per step (the heat of an O step) and the standard error squares their time
#: averages, which must stay below the double range (``sqrt(1.8e308) ~ 1e154``, with a margin).
ESTIMATOR_MAX = 1e150


def check_state_memory(count: int, bytes_each: int, what: str, reduce: str = "realizations") -> None:
    """Refuse (``ValueError``) a run whose ``count`` lanes of ``bytes_each`` bytes of state would
    exceed :data:`MAX_STATE_BYTES`, before anything is allocated; the message says what to
    ``reduce``."""
    if count * bytes_each > MAX_STATE_BYTES:
        raise ValueError(f"{count:.3g} {what} would need {count * bytes_each / 2**30:.3g} GiB of "
                         f"state, more than {MAX_STATE_BYTES / 2**30:g} GiB: reduce {reduce}")


def check_default_steps(t, dt, scales, cause: str) -> None:
    """Refuse (``ValueError``), before any work, a default time step so short that ``t`` would need
    more than ``MAX_STEPS`` steps, naming the time scale that sets it and ``cause``: the parameters
    that set that time scale (``"T_L = 2, T_R = 1e+300"``). An explicit ``dt`` is left to
    :func:`~thermolib.sim.contract.run_settings`, whose refusal names ``t`` and ``dt``."""
    if dt is not None:
        return
    t = _v.positive("t", t)
    name = min(scales, key=scales.get)
    default = DT_FACTOR * scales[name]
    steps = t / default if default > 0 else math.inf
    if not steps <= MAX_STEPS:
        raise ValueError(f"t / dt = {steps:.3g} steps per realization exceeds the limit "
                         f"{MAX_STEPS:.0e}: t = {t:g} with the default dt = {default:.3g}, DT_FACTOR "
                         f"x the shortest time scale, {name} = {scales[name]:.3g} at {cause}")


def check_estimator_range(E_max: float, dt: float, cause: str) -> None:
    """Refuse (``ValueError``), before any work, a run whose energy scale per step ``E_max / dt``
    exceeds :data:`ESTIMATOR_MAX` (the estimators' sums and squares would overflow), naming
    ``cause`` (the parameters that set ``E_max``, e.g. the temperatures)."""
    if not E_max / dt <= ESTIMATOR_MAX:
        raise ValueError(f"{cause} is outside the range the simulation represents: its energy bound "
                         f"{E_max:.3g} per time step dt = {dt:.3g} exceeds {ESTIMATOR_MAX:.0e}, so the "
                         f"estimators' time sums and squares would overflow double precision")


def lane_states(seed: int, lanes: int, nb: int) -> np.ndarray:
    """RNG states of ``lanes`` lanes of ``nb`` particles, shape ``(lanes, 4, nb)`` (C order);
    particle ``i`` of lane ``l`` uses stream ``l * nb + i``.

    Raises ``ValueError`` (before allocating) when the streams would reach
    :data:`PARTICLE_STREAM_LIMIT` or the state would exceed :data:`MAX_STATE_BYTES`.
    """
    particles = lanes * nb
    if particles >= PARTICLE_STREAM_LIMIT:
        raise ValueError(f"realizations x N_b = {particles:.3g} particles exceed the "
                         f"{PARTICLE_STREAM_LIMIT:.3g} independent random streams available")
    check_state_memory(particles, _BYTES_PER_PARTICLE, f"particles (lanes x N_b = {lanes} x {nb})")
    s = seed_states(seed, particles)
    return np.ascontiguousarray(s.reshape(4, lanes, nb).transpose(1, 0, 2))


def bath_dt_max(bath, T, q_scale=0.0) -> float:
    """Largest particle time step accepted: :data:`DT_MAX_FRACTION` of the shorter of the bath's
    ``"tau_width"`` and ``"tau_drift"`` at a probe amplitude ``q_scale``
    (:meth:`thermolib.ParticleBath.time_scales`)."""
    scales = bath.time_scales(T, q=q_scale)
    return DT_MAX_FRACTION * min(scales["tau_width"], scales.get("tau_drift", math.inf))


def interaction_floor(bath, compliance: float) -> float:
    """Lowest possible energy of a site of compliance ``(Phi^-1)_11`` under the compensated particle
    force: :math:`-(\\varepsilon N_b\\max|\\mathcal F - \\lambda|)^2 (\\Phi^{-1})_{11}/2`."""
    f = bath.eps * bath.N_b * bath.coupling_range()
    return -0.5 * f * f * compliance


def energy_threshold(E0: float, E_min: float, T_max: float, dof: int) -> float:
    """Energy above which a run has left every physical range (:class:`SimulationDiverged`).

    Start at ``E0`` (lowest possible energy ``E_min``), baths at most at ``T_max``, ``dof``
    quadratic degrees of freedom. In a stationary state dominated by the Gibbs law at ``T_max``,
    :math:`P(E - E_\\mathrm{min} > xT_\\mathrm{max}) \\le 2^{n/2}e^{-x/2}` (Chernoff, with
    :math:`\\langle e^{E/2T}\\rangle = 2^{n/2}`), so :math:`x = n\\ln 2 + 200` leaves a probability
    below :math:`e^{-100}` per check. The initial excess decays, and the energy of the mean
    motion plus the fluctuations is at most twice their sum: the threshold is
    :math:`E_\\mathrm{min} + 2(E_0 - E_\\mathrm{min}) + 2T_\\mathrm{max}(n\\ln 2 + 200)`.
    """
    return E_min + 2.0 * (E0 - E_min) + 2.0 * T_max * (dof * math.log(2.0) + 200.0)


def raise_if_diverged(bad, E_min: float, E_max: float, what: str, why: str, dt: float) -> None:
    """:class:`SimulationDiverged` when any lane flagged a step (``bad >= 0``) at which its energy
    left ``[E_min, E_max]``; ``why`` says what set the range."""
    if np.any(bad >= 0):
        first = int(bad[bad >= 0].min())
        raise SimulationDiverged(
            f"{what} diverged: its energy left [{E_min:.4g}, {E_max:.4g}] ({why}) at step {first} "
            f"in {int(np.sum(bad >= 0))} of {bad.size} realizations (dt = {dt:g}); reduce dt")


@njit(inline="always", cache=True)
def lane_buffers(nb):
    """The work buffers of one lane of ``nb`` particles for :func:`init_particles` and :func:`sweep`:
    ``(y, g, spare, fbuf)``, ``spare`` of length ``2 nb`` and distinct from ``fbuf``."""
    return np.empty(nb), np.empty(nb), np.empty(2 * nb), np.empty(nb)


@njit(inline="always", cache=True)
def init_particles(s, y, g, fbuf, nb, amp, p):
    """Uniform (equilibrium at ``eps q = 0``) positions; returns the force sum ``sum_i F(x_i)``."""
    for i in range(nb):
        yi = uniform(s, i)
        sn, cs = _sincos_turns(yi)
        f = amp * _exp(p * (cs - 1.0))
        y[i] = yi
        g[i] = f * sn
        fbuf[i] = f
    return _sum(fbuf, nb)


@njit(inline="always", cache=True)
def sweep(s, y, g, spare, fbuf, nb, qa, b, amp, p, odd):
    """One Euler-Maruyama step of ``nb`` particles with drift ``qa * F sin`` (``qa = a q``) and
    noise ``b z``; returns the new force sum ``sum_i F(x_i)``. Even steps draw a Box-Muller pair per
    particle into ``spare`` (length ``2 nb``: the first normals in ``spare[:nb]`` for this step, the
    second ones in ``spare[nb:]`` for the following, odd, step).

    Three loops (draws on even steps; positions with sin/cos; then exp and the drift factor
    ``F sin`` kept in ``g`` for the next step), each short enough to vectorise. ``spare`` must not
    alias ``fbuf``: with overlapping buffers the vectoriser's run-time alias check fails and the
    update loop runs scalar."""
    if odd:
        off = nb
    else:
        off = 0
        for i in range(nb):
            z1, z2 = normal_pair_fast(s, i)
            spare[i] = z1
            spare[nb + i] = z2
    for i in range(nb):  # positions, and sin/cos parked in g/fbuf
        yi = y[i] + qa * g[i] + b * spare[off + i]
        yi = yi - np.floor(yi)
        sn, cs = _sincos_turns(yi)
        y[i] = yi
        g[i] = sn
        fbuf[i] = cs
    for i in range(nb):  # force F and drift factor F sin
        f = amp * _exp(p * (fbuf[i] - 1.0))
        g[i] = f * g[i]
        fbuf[i] = f
    return _sum(fbuf, nb)
