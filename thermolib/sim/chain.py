"""Heat current through the harmonic chain of the NDC paper: full particle-bath model, its Markov
reduction, and the plain two-Langevin-bath chain (for validation against the exact steady state).

Full model (NDC paper Eqs. (1)-(2) with ERRATA N4-N6), sites ``j = 1..N``::

    m q1''  = -K q1 - k (q1 - q2) - eps sum_i F(x_i) + Lambda,          Lambda = eps lam N_b
    m qj''  = k (q_{j-1} - 2 q_j + q_{j+1})
    m qN''  = -K qN - k (qN - q_{N-1}) - gamma_R qN' + sqrt(2 gamma_R T_R) eta_R
    zeta xi' = -eps q1 F'(x_i) + sqrt(2 zeta T_L) xi_i

Integrator, one step ``dt``: B (half kick, all forces incl. the particles'), A (half drift), O (exact
Ornstein-Uhlenbeck on the damped site(s), :func:`_ou`), A, particles (Euler-Maruyama with ``q1`` at
the start of the step, :mod:`._bath`), B. The two-bath chain takes the same BAOAB step with an O
step on site 1 too; it is linear, so its stationary law is known exactly *in discrete time*
(:func:`baoab_chain_covariance`, :func:`baoab_chain_observables`) and the simulator can be checked
without any time-step bias. Random streams: particle ``i`` of realization ``r`` uses stream
``r N_b + i``, the chain noise of realization ``r`` stream ``2**40 + r``: results are identical for
any number of threads.

Current estimators (``J > 0`` from the particle bath/left into the chain), time averages per
realization, standard errors across realizations (``realizations - 1`` degrees of freedom):

* ``current`` -- the bond current ``(k/2m) <(p_j + p_{j+1})(q_j - q_{j+1})>`` averaged over the
  ``N - 1`` bonds and time (ERRATA N6). Reported by default: it needs nothing but the chain's state.
* ``current_particles`` -- the power of the particle force on site 1, ``<(-eps sum F + Lambda) p1/m>``
  (``current_left`` for the two-bath chain: heat from its O step on site 1).
* ``current_right`` -- heat into the right bath from the energy change of the O step.

All three have the same mean in the steady state, and along one trajectory their time averages
differ only by boundary terms (changes of stored energy divided by t), so for runs much longer than
the relaxation time their error bars are the same. What sets the error bar is the temperature of
the chain, not the estimator; comparing them checks the integrator and the energy bookkeeping.

Divergence: every 64 steps the mechanical energy (with the particles' interaction energy) is
compared with :func:`._bath.energy_threshold`, set by the temperatures and the initial energy; a
run that leaves it raises :class:`SimulationDiverged` at once, long before any overflow.
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit, prange
from scipy.linalg import solve_discrete_lyapunov

from .. import __version__
from .._validation import positive, temperature
from ..chain import NDCChain
from ..langevin_chain import LangevinChain, chain_size
from ..stats import mean_sem
from ._bath import (PARTICLE_STREAM_LIMIT, bath_dt_max, check_default_steps, check_estimator_range,
                    check_state_memory, energy_threshold, init_particles, interaction_floor,
                    lane_buffers, lane_states, raise_if_diverged, sweep)
from .contract import BURN_IN_RELAXATION_TIMES, DT_FACTOR, require_model, run_settings
from ._result import SimResult, plain
from ._rng import normal_pair_fast, seed_states

__all__ = ["chain_current", "effective_chain_current", "two_bath_chain_current",
           "baoab_chain_matrices", "baoab_chain_covariance", "baoab_chain_observables",
           "default_burn_in", "DT_MAX_OMEGA", "BURN_IN_CHAIN"]

_CHAIN_STREAM = PARTICLE_STREAM_LIMIT  # chain-noise streams start above every particle stream
_N_OBS = 3
_BLOCK = 4096        # steps summed locally before they join a realization's total
_CHECK_EVERY = 64    # steps between energy checks
#: Largest accepted ``dt * omega_max`` (Verlet is stable below 2; 1 keeps BAOAB's O(dt^2) bias small)
DT_MAX_OMEGA = 1.0
#: Default burn-in in slowest relaxation times: the current and the temperatures are second moments,
#: which relax at twice the rate of the means, so this is ``BURN_IN_RELAXATION_TIMES`` of theirs.
BURN_IN_CHAIN = BURN_IN_RELAXATION_TIMES / 2


def _ou(gamma, T, m, dt):
    """Exact Ornstein-Uhlenbeck step ``p <- c1 p + c2 xi``: ``c1 = exp(-gamma dt / m)``,
    ``c2 = sqrt((1 - c1^2) m T)`` (the stationary law of ``p`` is ``N(0, m T)``)."""
    c1 = math.exp(-gamma * dt / m)
    return c1, math.sqrt((1.0 - c1 * c1) * m * T)


@njit(inline="always", cache=True)
def _forces(q, f, n, k, K1, KN, extra1):
    f[0] = -K1 * q[0] - k * (q[0] - q[1]) + extra1
    for j in range(1, n - 1):
        f[j] = k * (q[j - 1] - 2.0 * q[j] + q[j + 1])
    f[n - 1] = -KN * q[n - 1] - k * (q[n - 1] - q[n - 2])


@njit(inline="always", cache=True)
def _bond_current(q, p, n, k, m):
    acc = 0.0
    for j in range(n - 1):
        acc += (p[j] + p[j + 1]) * (q[j] - q[j + 1])
    return acc * k / (2.0 * m * (n - 1))


@njit(inline="always", cache=True)
def _energy(q, p, n, m, k, K1, KN):
    """``sum p^2/2m + q^T Phi q / 2`` of the chain."""
    e = 0.5 * (K1 * q[0] * q[0] + KN * q[n - 1] * q[n - 1])
    for j in range(n):
        e += 0.5 * p[j] * p[j] / m
    for j in range(n - 1):
        d = q[j] - q[j + 1]
        e += 0.5 * k * d * d
    return e


@njit(inline="always", cache=True)
def _chain_state(n):
    """One realization's chain of ``n`` sites at rest, and its sums (what :func:`_check_memory`
    counts): ``(q, p, f, tk, tot, acc)``, forces ``f`` to be set by :func:`_forces`."""
    return (np.zeros(n), np.zeros(n), np.empty(n), np.zeros(n), np.zeros(_N_OBS),
            np.zeros(_N_OBS))


@njit(inline="always", cache=True)
def _kick_drift(q, p, f, n, h, m):
    """B then A of BAOAB in one pass over the sites: ``p += h f``, then ``q += h p / m``."""
    for j in range(n):
        p[j] += h * f[j]
        q[j] += h * p[j] / m


@njit(inline="always", cache=True)
def _drift(q, p, n, h, m):
    """A of BAOAB: ``q += h p / m``."""
    for j in range(n):
        q[j] += h * p[j] / m


@njit(inline="always", cache=True)
def _kick(p, f, n, h):
    """B of BAOAB: ``p += h f``."""
    for j in range(n):
        p[j] += h * f[j]


@njit(inline="always", cache=True)
def _power(p_from, p_to, m, dt):
    """Rate of change of a site's kinetic energy when an O step takes its momentum from ``p_from``
    to ``p_to``: ``(p_to^2 - p_from^2) / (2 m dt)``, the heat current the bath puts in (with the
    arguments swapped: the heat current it takes out)."""
    return (p_to * p_to - p_from * p_from) / (2.0 * m * dt)


@njit(inline="always", cache=True)
def _measure(acc, tot, tk, q, p, n, k, m, left, right, k_meas):
    """Add measured step ``k_meas`` (from 0) to the sums: bond current, the ``left`` and ``right``
    bath currents, ``p_j^2 / m``; every ``_BLOCK`` steps the block sums ``acc`` join ``tot``
    (two-level sums keep the rounding error of long runs small)."""
    acc[0] += _bond_current(q, p, n, k, m)
    acc[1] += left
    acc[2] += right
    for j in range(n):
        tk[j] += p[j] * p[j] / m
    if (k_meas + 1) % _BLOCK == 0:
        for o in range(_N_OBS):
            tot[o] += acc[o]
            acc[o] = 0.0


@njit(inline="always", cache=True)
def _store(out, tkin, r, tot, acc, tk, n):
    """Realization ``r``'s sums into the outputs."""
    for o in range(_N_OBS):
        out[r, o] = tot[o] + acc[o]
    for j in range(n):
        tkin[r, j] = tk[j]


@njit(parallel=True, cache=True, error_model="numpy")
def _ndc_kernel(pstates, cstates, n, m, k, K, eps, Lam, amp, pp, a, b, c1, c2R, dt,
                nburn, nmeas, E_min, E_max, out, tkin, bad):
    R, _, nb = pstates.shape
    h = 0.5 * dt
    for r in prange(R):
        s = pstates[r]
        y, g, spare, fbuf = lane_buffers(nb)
        q, p, f, tk, tot, acc = _chain_state(n)
        fsum = init_particles(s, y, g, fbuf, nb, amp, pp)
        _forces(q, f, n, k, K, K, -eps * fsum + Lam)
        zspare = 0.0
        for step in range(nburn + nmeas):
            _kick_drift(q, p, f, n, h, m)
            if step & 1:
                zR = zspare
            else:
                zR, zspare = normal_pair_fast(cstates, r)
            pN = p[n - 1]
            pN_new = c1 * pN + c2R * zR
            p[n - 1] = pN_new
            q1_old = q[0]
            _drift(q, p, n, h, m)
            fsum = sweep(s, y, g, spare, fbuf, nb, a * q1_old, b, amp, pp, step & 1)
            fpart = -eps * fsum + Lam
            _forces(q, f, n, k, K, K, fpart)
            _kick(p, f, n, h)
            if step >= nburn:
                _measure(acc, tot, tk, q, p, n, k, m, fpart * p[0] / m, _power(pN_new, pN, m, dt),
                         step - nburn)
            if step % _CHECK_EVERY == 0:
                E = _energy(q, p, n, m, k, K, K) - fpart * q[0]
                if not (E <= E_max and E >= E_min):
                    bad[r] = step
                    break
        _store(out, tkin, r, tot, acc, tk, n)


@njit(parallel=True, cache=True, error_model="numpy")
def _two_bath_kernel(cstates, n, m, k, K1, KN, c1L, c2L, c1R, c2R, dt, nburn, nmeas, E_max,
                     out, tkin, bad):
    R = cstates.shape[1]
    h = 0.5 * dt
    for r in prange(R):
        q, p, f, tk, tot, acc = _chain_state(n)
        _forces(q, f, n, k, K1, KN, 0.0)
        for step in range(nburn + nmeas):
            _kick_drift(q, p, f, n, h, m)
            zL, zR = normal_pair_fast(cstates, r)
            p1 = p[0]
            p1_new = c1L * p1 + c2L * zL
            p[0] = p1_new
            pN = p[n - 1]
            pN_new = c1R * pN + c2R * zR
            p[n - 1] = pN_new
            _drift(q, p, n, h, m)
            _forces(q, f, n, k, K1, KN, 0.0)
            _kick(p, f, n, h)
            if step >= nburn:
                _measure(acc, tot, tk, q, p, n, k, m, _power(p1, p1_new, m, dt),
                         _power(pN_new, pN, m, dt), step - nburn)
            if step % _CHECK_EVERY == 0:
                E = _energy(q, p, n, m, k, K1, KN)
                if not (E <= E_max):
                    bad[r] = step
                    break
        _store(out, tkin, r, tot, acc, tk, n)


# ------------------------------------------------------------------------------------------------
# helpers

def _check_memory(R, N):
    """Chain state per realization: RNG words, accumulators, and q, p, f, temperatures."""
    check_state_memory(R, 8 * (4 + 2 * _N_OBS + 4 * N), f"realizations of the chain of N = {N} sites",
                       reduce="realizations or N")


def _steps(t, burn_in, dt):
    n_burn = int(round(burn_in / dt))
    return n_burn, int(round(t / dt)) - n_burn


def _estimates(out, tkin, names, n_meas):
    """Means and standard errors across realizations of the per-realization time averages."""
    values = {}
    per_realization = out / n_meas
    for o, name in enumerate(names):
        mean, err = mean_sem(per_realization[:, o])
        values[name], values[name + "_err"] = float(mean), float(err)
    values["temperature_profile"], values["temperature_profile_err"] = mean_sem(tkin / n_meas)
    return values


def _settings(T_L, T_R, N, dt, n_burn, n_meas, R, seed, estimator, integrator):
    return {"T_L": T_L, "T_R": T_R, "N": N, "dt": dt, "burn_in": n_burn * dt,
            "t": (n_burn + n_meas) * dt, "steps": n_burn + n_meas, "realizations": R,
            "seed": seed, "estimator": estimator, "integrator": integrator,
            "streams": "particles r*N_b+i, chain 2**40+r"}


# ------------------------------------------------------------------------------------------------
# the full model

def default_burn_in(chain, T_L, N) -> float:
    """The burn-in :func:`chain_current` uses when none is given: ``BURN_IN_CHAIN`` (= 5) times the
    effective chain's slowest relaxation time :meth:`NDCChain.relaxation_time` at ``T_L`` with ``N``
    sites. A caller that wants ``t_measured`` of measurement passes ``t = default_burn_in(...) +
    t_measured``."""
    chain = require_model(chain, NDCChain, "chain")
    return BURN_IN_CHAIN * chain.relaxation_time(positive("T_L", T_L), chain_size(N))


def chain_current(chain, T_L, T_R, *, N, t, dt=None, burn_in=None, realizations, seed,
                  estimator="bond"):
    """Steady heat current through the chain with the particle bath on site 1 (the full model).

    Parameters
    ----------
    chain : thermolib.NDCChain
        The chain (``m, k, K, gamma_R``) and its bath.
    T_L, T_R : float
        Particle-bath and Langevin-bath temperatures (``T_L > 0``, ``T_R >= 0``).
    N : int
        Number of chain sites, ``N >= 2``.
    t : float
        Total simulated time per realization (including ``burn_in``).
    dt : float, optional
        Default ``DT_FACTOR`` times the shortest of :meth:`NDCChain.time_scales` (chain oscillation,
        right damping, the particles' diffusion across the coupling width and their drift time at
        :meth:`NDCChain.probe_amplitude`). At most ``1 / omega_max`` and a quarter of the
        particles' shortest time scale, else ``ValueError``.
    burn_in : float, optional
        Discarded initial time (the chain starts at rest, the particles uniform); default
        ``BURN_IN_CHAIN`` (= 5) times :meth:`NDCChain.relaxation_time`.
    realizations : int
        Independent realizations (>= 2); the errors are standard errors across them.
    seed : int
    estimator : {"bond", "particles", "right"}
        Which estimator is reported as ``current`` (all three are returned under their own names).

    Returns
    -------
    SimResult
        ``current``/``current_err`` (bond current, ERRATA N6, unless ``estimator`` says otherwise),
        ``current_bond``, ``current_particles``, ``current_right`` (each with ``_err``; see the module
        docstring for which to use), ``temperature_profile`` (``<p_j^2>/m``) with errors.

    Raises
    ------
    TypeError
        ``chain`` is not a :class:`thermolib.NDCChain`.
    ValueError
        Bad input, before any work; this includes temperatures outside the range a run represents:
        a default ``dt`` (set by the particles' time scales, which shrink as ``T_L`` or ``T_R``
        grow) that needs more than ``MAX_STEPS`` steps, or an energy per step beyond
        ``ESTIMATOR_MAX`` (the message names ``T_L`` and ``T_R``).
    SimulationDiverged
        The energy left the range the temperatures allow.

    References
    ----------
    NDC paper Eqs. (1)-(2), Sec. 4, Fig. 3-4; ERRATA N4-N6.
    """
    chain = require_model(chain, NDCChain, "chain")
    bath = chain.bath
    T_L, T_R = positive("T_L", T_L), temperature("T_R", T_R)
    N = chain_size(N)
    if estimator not in ("bond", "particles", "right"):
        raise ValueError(f"estimator must be 'bond', 'particles' or 'right', got {estimator!r}")
    scales = chain.time_scales(T_L, T_R)
    temperatures = f"T_L = {T_L:g}, T_R = {T_R:g}"
    check_default_steps(t, dt, scales, temperatures)
    dt_bath = bath_dt_max(bath, T_L, chain.probe_amplitude(T_L, T_R))
    t, dt, burn_in, R, seed = run_settings(
        t=t, dt=dt, burn_in=burn_in, realizations=realizations, seed=seed,
        default_dt=DT_FACTOR * min(scales.values()),
        default_burn_in=BURN_IN_CHAIN * chain.relaxation_time(T_L, N) if burn_in is None else 0.0,
        dt_max=min(DT_MAX_OMEGA * scales["oscillation"], dt_bath),
        dt_limit_reason=f"dt * omega_max <= {DT_MAX_OMEGA:g} with omega_max = "
                        f"{1 / scales['oscillation']:.3g}, and the particle-bath limit {dt_bath:.3g}")
    n_burn, n_meas = _steps(t, burn_in, dt)
    _check_memory(R, N)
    m, k, K = chain.m, chain.k, chain.K
    Phi = LangevinChain(N, m, k, K, K, 0.0, 0.0).stiffness_matrix()
    compliance = float(np.linalg.solve(Phi, np.eye(N)[:, 0])[0])  # (Phi^-1)_11
    E_min = interaction_floor(bath, compliance)
    T_max = max(T_L, T_R)
    E_max = energy_threshold(0.0, E_min, T_max, dof=2 * N)
    check_estimator_range(E_max, dt, temperatures)
    nb = bath.N_b
    amp, pp, a, b = bath.kernel_params(T_L, dt)
    Lam = float(bath.eps * bath.lam * nb)
    c1, c2 = _ou(chain.gamma_R, T_R, m, dt)
    pstates = lane_states(seed, R, nb)
    cstates = seed_states(seed, R, first_stream=_CHAIN_STREAM)
    out = np.zeros((R, _N_OBS))
    tkin = np.zeros((R, N))
    bad = np.full(R, -1, dtype=np.int64)
    _ndc_kernel(pstates, cstates, N, m, k, K, float(bath.eps), Lam, amp, pp, a, b, c1, c2, dt,
                n_burn, n_meas, E_min, E_max, out, tkin, bad)
    raise_if_diverged(bad, E_min, E_max, "the particle-bath chain",
                      f"the range bath temperatures up to {T_max:g} allow", dt)
    values = _estimates(out, tkin, ("current_bond", "current_particles", "current_right"), n_meas)
    key = {"bond": "current_bond", "particles": "current_particles", "right": "current_right"}[estimator]
    values = {"current": values[key], "current_err": values[key + "_err"], **values}
    settings = _settings(T_L, T_R, N, dt, n_burn, n_meas, R, seed, estimator,
                         "BAOAB (O on site N) + Euler-Maruyama particles (q1 at step start)")
    return SimResult("chain_current", values, plain(chain), settings, __version__)


# ------------------------------------------------------------------------------------------------
# the two-Langevin-bath chain and the Markov reduction

def _run_two_bath(chain, T_L, T_R, t, dt, burn_in, realizations, seed, what):
    """Validate the run settings and simulate ``chain`` (a :class:`LangevinChain`); returns
    ``(values, settings)``."""
    scales = chain.time_scales()
    t, dt, burn_in, R, seed = run_settings(
        t=t, dt=dt, burn_in=burn_in, realizations=realizations, seed=seed,
        default_dt=DT_FACTOR * min(scales.values()),
        default_burn_in=BURN_IN_CHAIN * chain.relaxation_time() if burn_in is None else 0.0,
        dt_max=DT_MAX_OMEGA * scales["oscillation"],
        dt_limit_reason=f"dt * omega_max <= {DT_MAX_OMEGA:g} with the bound "
                        f"omega_max = {1 / scales['oscillation']:.3g}")
    n_burn, n_meas = _steps(t, burn_in, dt)
    N, m = chain.N, chain.m
    _check_memory(R, N)
    T_max = max(T_L, T_R)
    E_max = energy_threshold(0.0, 0.0, T_max, dof=2 * N)
    check_estimator_range(E_max, dt, f"T_L = {T_L:g}, T_R = {T_R:g}")
    c1L, c2L = _ou(chain.gamma_L, T_L, m, dt)
    c1R, c2R = _ou(chain.gamma_R, T_R, m, dt)
    cstates = seed_states(seed, R, first_stream=_CHAIN_STREAM)
    out = np.zeros((R, _N_OBS))
    tkin = np.zeros((R, N))
    bad = np.full(R, -1, dtype=np.int64)
    _two_bath_kernel(cstates, N, m, chain.k, chain.K_L, chain.K_R, c1L, c2L, c1R, c2R, dt, n_burn,
                     n_meas, E_max, out, tkin, bad)
    raise_if_diverged(bad, 0.0, E_max, f"the {what}", f"the range bath temperatures up to {T_max:g} allow",
                      dt)
    values = _estimates(out, tkin, ("current", "current_left", "current_right"), n_meas)
    settings = _settings(T_L, T_R, N, dt, n_burn, n_meas, R, seed, "bond", "BAOAB (O on sites 1, N)")
    return values, settings


def two_bath_chain_current(chain, T_L, T_R, *, t, dt=None, burn_in=None, realizations, seed):
    """Harmonic chain between two Langevin baths (Rieder-Lebowitz-Lieb), simulated with BAOAB.

    .. math::  m\\ddot q_1 = -K_L q_1 - k(q_1 - q_2) - \\gamma_L \\dot q_1 + \\sqrt{2\\gamma_L T_L}\\,\\eta_L,
               \\quad \\dots, \\quad
               m\\ddot q_N = -K_R q_N - k(q_N - q_{N-1}) - \\gamma_R \\dot q_N + \\sqrt{2\\gamma_R T_R}\\,\\eta_R

    Parameters
    ----------
    chain : thermolib.LangevinChain
        ``N, m, k, K_L, K_R, gamma_L, gamma_R`` (a chain with a steady state).
    T_L, T_R : float
        Bath temperatures, >= 0.
    t, dt, burn_in, realizations, seed
        As :func:`chain_current`; default ``dt`` is ``DT_FACTOR`` times the shortest of
        :meth:`LangevinChain.time_scales`, default ``burn_in`` five slowest relaxation times
        (:meth:`LangevinChain.relaxation_time`, which grows like ``N**3``). The chain noise of
        realization ``r`` is stream ``2**40 + r``.

    Returns
    -------
    SimResult
        ``current`` (bond estimator), ``current_left`` (heat from the left bath in its O step),
        ``current_right`` (into the right bath), each with ``_err``, and ``temperature_profile``.
        Compare with :meth:`LangevinChain.steady_state` (continuous time) or, without time-step
        bias, :func:`baoab_chain_observables`.

    Raises
    ------
    ValueError
        Bad input, before any work; this includes temperatures so high that the estimators' sums
        and squares would overflow (an energy per step beyond ``ESTIMATOR_MAX``).
    """
    chain = require_model(chain, LangevinChain, "chain")
    T_L, T_R = temperature("T_L", T_L), temperature("T_R", T_R)
    values, settings = _run_two_bath(chain, T_L, T_R, t, dt, burn_in, realizations, seed,
                                     "two-bath chain")
    return SimResult("two_bath_chain_current", values, plain(chain), settings, __version__)


def effective_chain_current(chain, T_L, T_R, *, N, t, dt=None, burn_in=None, realizations, seed):
    """Current of the Markov reduction: the particle bath replaced by a Langevin bath on site 1 with
    friction ``gamma_L(T_L)``, temperature ``T_L`` and on-site stiffness ``k_eff(T_L)``
    (:meth:`NDCChain.effective_chain`; NDC paper Sec. 4, ERRATA N3, N5). Raises the analytic
    layer's ``MarkovReductionError`` for ``T_L <= T*_N``, where the reduced chain has no steady
    state. Other parameters and the result as :func:`two_bath_chain_current`."""
    chain = require_model(chain, NDCChain, "chain")
    T_L, T_R = positive("T_L", T_L), temperature("T_R", T_R)
    effective = chain.effective_chain(T_L, N)
    values, settings = _run_two_bath(effective, T_L, T_R, t, dt, burn_in, realizations, seed,
                                     "effective chain")
    settings.update(k_eff=effective.K_L, gamma_L=effective.gamma_L)
    return SimResult("effective_chain_current", values, plain(chain), settings, __version__)


# ------------------------------------------------------------------------------------------------
# the BAOAB chain in discrete time, exactly

def baoab_chain_matrices(chain, dt):
    """One BAOAB step of the two-bath chain as a linear map of ``s = (q_1..q_N, p_1..p_N)``.

    Returns ``(M, G)`` with ``s' = M s + G diag(sqrt(T_L), sqrt(T_R)) xi``, ``xi ~ N(0, I_2)``:
    ``M = B A O A B`` (B: ``p -= dt/2 Phi q``; A: ``q += dt/2 p/m``; O: ``p_{1,N} *= c_{L,R}``,
    ``c = exp(-gamma dt / m)``) and ``G = (B A)[:, p_{1,N}] diag(sqrt((1 - c^2) m))``. Built from the
    model alone, independently of the simulator's constants, so that it checks them.
    """
    chain = require_model(chain, LangevinChain, "chain")
    dt = positive("dt", dt)
    N, m, h = chain.N, chain.m, 0.5 * dt
    I, Z = np.eye(N), np.zeros((N, N))
    B = np.block([[I, Z], [-h * chain.stiffness_matrix(), I]])
    A = np.block([[I, h / m * I], [Z, I]])
    c = np.ones(N)  # written out here, independently of the kernel's constants (_ou)
    c[0], c[-1] = np.exp(-np.array([chain.gamma_L, chain.gamma_R]) * dt / m)
    O = np.block([[I, Z], [Z, np.diag(c)]])
    M = B @ A @ O @ A @ B
    G = (B @ A)[:, [N, 2 * N - 1]] * np.sqrt((1.0 - c[[0, -1]] ** 2) * m)
    return M, G


def baoab_chain_covariance(chain, T_L, T_R, dt) -> np.ndarray:
    """Exact stationary covariance of ``(q, p)`` of the BAOAB chain, sampled after full steps:
    :math:`C = MCM^\\top + G\\,\\mathrm{diag}(T_L, T_R)\\,G^\\top` (discrete Lyapunov equation)."""
    T_L, T_R = temperature("T_L", T_L), temperature("T_R", T_R)
    M, G = baoab_chain_matrices(chain, dt)
    C = solve_discrete_lyapunov(M, G @ np.diag([T_L, T_R]) @ G.T)
    return 0.5 * (C + C.T)


def baoab_chain_observables(chain, T_L, T_R, dt) -> dict:
    """Exact stationary means of what :func:`two_bath_chain_current` measures, at this ``dt``.

    Returns ``{"current", "current_left", "current_right", "temperature_profile"}``: the bond
    current averaged over the bonds and ``<p_j^2>/m`` after full steps, and the O steps' heat flows
    :math:`(1 - c^2)(mT - \\langle p^2\\rangle_{1/2})/(2m\\,dt)` with :math:`\\langle p^2\\rangle_{1/2}`
    taken before the O step (after B and A).
    """
    chain = require_model(chain, LangevinChain, "chain")
    C = baoab_chain_covariance(chain, T_L, T_R, dt)
    N, m, k = chain.N, chain.m, chain.k
    j = np.arange(N - 1)
    Cqp = C[:N, N:]
    bond = k / (2 * m) * (Cqp[j, j] - Cqp[j + 1, j] + Cqp[j, j + 1] - Cqp[j + 1, j + 1])
    h = 0.5 * dt
    I, Z = np.eye(N), np.zeros((N, N))
    AB = np.block([[I, h / m * I], [Z, I]]) @ np.block([[I, Z], [-h * chain.stiffness_matrix(), I]])
    C_half = AB @ C @ AB.T
    heat = []
    for site, gamma, T in ((0, chain.gamma_L, T_L), (N - 1, chain.gamma_R, T_R)):
        c2 = math.exp(-2.0 * gamma * dt / m)
        heat.append((1 - c2) * (m * T - C_half[N + site, N + site]) / (2 * m * dt))
    return {"current": float(np.mean(bond)), "current_left": float(heat[0]),
            "current_right": float(-heat[1]), "temperature_profile": np.diag(C)[N:] / m}
