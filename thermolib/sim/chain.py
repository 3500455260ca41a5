"""Heat current through the harmonic chain of the NDC paper: full particle-bath model, its Markov
reduction, and the plain two-Langevin-bath chain (for validation against the Lyapunov solution).

Full model (NDC paper Eqs. (1)-(2) with ERRATA N4-N6), sites ``j = 1..N``::

    m q1''  = -K q1 - k (q1 - q2) - eps sum_i F(x_i) + Lambda,          Lambda = eps lam N_b
    m qj''  = k (q_{j-1} - 2 q_j + q_{j+1})
    m qN''  = -K qN - k (qN - q_{N-1}) - gamma_R qN' + sqrt(2 gamma_R T_R) eta_R
    zeta xi' = -eps q1 F'(x_i) + sqrt(2 zeta T_L) xi_i

Integrator, one step ``dt``: B (half kick, all forces incl. the particles'), A (half drift), O (exact
Ornstein-Uhlenbeck on the damped site(s)), A, particles (Euler-Maruyama with ``q1`` at the start of
the step), B. Random streams: particle ``i`` of realization ``r`` uses stream ``r N_b + i``, the chain
noise of realization ``r`` stream ``2**40 + r``: results are identical for any number of threads.

Current estimators (``J > 0`` from the particle bath/left into the chain):

* ``current`` -- the bond current ``(k/2m) <(p_j + p_{j+1})(q_j - q_{j+1})>`` averaged over the
  ``N - 1`` bonds and time (ERRATA N6). Reported by default: it needs nothing but the chain's state.
* ``current_particles`` -- the power of the particle force on site 1, ``<(-eps sum F + Lambda) p1/m>``.
* ``current_right`` -- heat into the right bath from the energy change of the O step.

All three have the same mean in the steady state, and along one trajectory their time averages
differ only by boundary terms (changes of stored energy divided by t), so for runs much longer than
the relaxation time their error bars are the same (measured within ~10 % at T_R = 0 and T_R > 0;
chapter "Numerical checks"). What sets the error bar is the temperature of the chain, not the
estimator. Comparing them is a consistency check of the integrator and of the energy bookkeeping.
"""
from __future__ import annotations

import math
import warnings

import numpy as np
from numba import njit, prange

from .. import __version__
from .._validation import nonnegative_int, positive, positive_int, real, temperature
from ..stats import batch_means, mean_sem
from ._result import SimResult, plain
from ._rng import normal_pair_fast, seed_states
from .particle_bath import (_init_particles, _lane_states, _sweep, bath_constants, bath_dt_max,
                            bath_time_scales)

__all__ = ["chain_current", "effective_chain_current", "langevin_chain_current"]

_CHAIN_STREAM = 2**40  # chain-noise streams start here (particle streams are r * N_b + i)
_N_OBS = 3
_DEFAULT_REALIZATIONS = 8
_BATCHES = 16


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
def _diverged(q, p, n):
    e = 0.0
    for j in range(n):
        e += q[j] * q[j] + p[j] * p[j]
    return not (e < 1e200)


@njit(parallel=True, cache=True, error_model="numpy")
def _ndc_kernel(pstates, cstates, n, nb, m, k, K, eps, Lam, amp, pp, a, b, c1, c2R, dt,
                nburn, nbatch, batch_len, out, tkin, bad):
    R = pstates.shape[0]
    h = 0.5 * dt
    for r in prange(R):
        s = pstates[r]
        y = np.empty(nb)
        g = np.empty(nb)
        spare = np.empty(2 * nb)
        fbuf = np.empty(nb)
        q = np.zeros(n)
        p = np.zeros(n)
        f = np.empty(n)
        tk = np.zeros(n)
        fsum = _init_particles(s, y, g, fbuf, nb, amp, pp)
        _forces(q, f, n, k, K, K, -eps * fsum + Lam)
        zspare = 0.0
        total = nburn + nbatch * batch_len
        kb = 0  # batch of the current measured step, (step - nburn) // batch_len, by counting
        in_batch = 0
        for step in range(total):
            for j in range(n):  # B, A (one pass)
                p[j] += h * f[j]
                q[j] += h * p[j] / m
            if step & 1:
                zR = zspare
            else:
                zR, zspare = normal_pair_fast(cstates, r)
            pN = p[n - 1]
            pN_new = c1 * pN + c2R * zR
            p[n - 1] = pN_new
            q1_old = q[0]
            for j in range(n):
                q[j] += h * p[j] / m
            fsum = _sweep(s, y, g, spare, fbuf, nb, a * q1_old, b, amp, pp, step & 1)
            fpart = -eps * fsum + Lam
            _forces(q, f, n, k, K, K, fpart)
            for j in range(n):
                p[j] += h * f[j]
            if step >= nburn:
                out[r, kb, 0] += _bond_current(q, p, n, k, m)
                out[r, kb, 1] += fpart * p[0] / m
                out[r, kb, 2] += (pN * pN - pN_new * pN_new) / (2.0 * m * dt)
                for j in range(n):
                    tk[j] += p[j] * p[j] / m
                in_batch += 1
                if in_batch == batch_len:
                    in_batch = 0
                    kb += 1
            if (step & 255) == 0 and _diverged(q, p, n):
                bad[r] = 1
                break
        for j in range(n):
            tkin[r, j] = tk[j]


@njit(parallel=True, cache=True, error_model="numpy")
def _langevin_kernel(cstates, n, m, k, K1, KN, c1L, c2L, c1R, c2R, dt, nburn, nbatch, batch_len,
                     out, tkin, bad):
    R = cstates.shape[1]
    h = 0.5 * dt
    for r in prange(R):
        q = np.zeros(n)
        p = np.zeros(n)
        f = np.empty(n)
        tk = np.zeros(n)
        _forces(q, f, n, k, K1, KN, 0.0)
        total = nburn + nbatch * batch_len
        for step in range(total):
            for j in range(n):
                p[j] += h * f[j]
            for j in range(n):
                q[j] += h * p[j] / m
            zL, zR = normal_pair_fast(cstates, r)
            p1 = p[0]
            p1_new = c1L * p1 + c2L * zL
            p[0] = p1_new
            pN = p[n - 1]
            pN_new = c1R * pN + c2R * zR
            p[n - 1] = pN_new
            for j in range(n):
                q[j] += h * p[j] / m
            _forces(q, f, n, k, K1, KN, 0.0)
            for j in range(n):
                p[j] += h * f[j]
            if step >= nburn:
                kb = (step - nburn) // batch_len
                out[r, kb, 0] += _bond_current(q, p, n, k, m)
                out[r, kb, 1] += (p1_new * p1_new - p1 * p1) / (2.0 * m * dt)
                out[r, kb, 2] += (pN * pN - pN_new * pN_new) / (2.0 * m * dt)
                for j in range(n):
                    tk[j] += p[j] * p[j] / m
            if (step & 255) == 0 and _diverged(q, p, n):
                bad[r] = 1
                break
        for j in range(n):
            tkin[r, j] = tk[j]


# ------------------------------------------------------------------------------------------------
# validation helpers

def _friction_estimate(bath, T):
    """N_b gamma_eff(T) (NDC paper Sec. 3), only to size the default burn-in. The bath may be any
    object with the fields of :class:`thermolib.ParticleBath`; the formula is the analytic layer's."""
    from ..particle_bath import ParticleBath

    fields = ("N_b", "zeta", "lam", "p", "L", "eps")
    g = bath.N_b * ParticleBath(**{f: getattr(bath, f) for f in fields}).friction(T)
    return max(g, 1e-300)


def _run_settings(t, dt, burn_in, realizations, seed, default_burn):
    t = positive("t", t)
    seed = nonnegative_int("seed", seed)
    realizations = _DEFAULT_REALIZATIONS if realizations is None else positive_int("realizations",
                                                                                    realizations)
    burn_in = default_burn if burn_in is None else real("burn_in", burn_in, lo=0.0)
    if not t > burn_in:
        raise ValueError(f"t must be larger than burn_in: t = {t:g}, burn_in = {burn_in:g} "
                         f"(t is the total simulated time, burn_in the discarded part)")
    return t, burn_in, realizations, seed


def _check_dt(dt, omega_max, dt_other=math.inf, what=""):
    dt = positive("dt", dt)
    dt_max = min(1.0 / omega_max, dt_other)
    if dt > dt_max:
        raise ValueError(f"dt = {dt:g} is too large: need 0 < dt <= {dt_max:.3g} (dt * omega_max <= 1 "
                         f"with the phonon band edge omega_max = {omega_max:.3g}{what})")
    return dt


def _steps(t, burn_in, dt, batches):
    nburn = int(round(burn_in / dt))
    batch_len = max(1, int(round((t - burn_in) / dt / batches)))
    return nburn, batch_len


def _ou(gamma, T, m, dt):
    c1 = math.exp(-gamma * dt / m)
    return c1, math.sqrt((1.0 - c1 * c1) * m * T)


def _estimates(out, tkin, bad, names, steps_measured, kernel_desc):
    if bad.any() or not np.all(np.isfinite(out)):
        raise FloatingPointError(f"the {kernel_desc} simulation diverged (non-finite or overflowing "
                                 f"state in {int(bad.sum())} of {bad.size} realizations); reduce dt")
    R = out.shape[0]
    per_batch = out / (steps_measured / out.shape[1])
    values = {}
    for o, name in enumerate(names):
        if R >= 2:
            mean, err = mean_sem(per_batch[:, :, o].mean(axis=1))
        else:
            mean, err = batch_means(per_batch[0, :, o], n_batches=per_batch.shape[1])
        values[name], values[name + "_err"] = float(mean), float(err)
    tk = tkin / steps_measured
    if R >= 2:
        values["temperature_profile"], values["temperature_profile_err"] = mean_sem(tk)
    else:
        values["temperature_profile"] = tk[0]
    return values


# ------------------------------------------------------------------------------------------------
# public simulators

def chain_current(chain, T_L, T_R, *, N, t, dt=None, burn_in=None, realizations=None, seed,
                  estimator="bond", _check=True):
    """Steady heat current through the chain with the particle bath on site 1 (the full model).

    Parameters
    ----------
    chain : thermolib.NDCChain
        Reads ``chain.bath`` (fields ``N_b, zeta, lam, p, L, eps``) and ``m, k, K, gamma_R``.
    T_L, T_R : float
        Particle-bath and Langevin-bath temperatures (``T_L > 0``, ``T_R >= 0``).
    N : int
        Number of chain sites, ``N >= 2``.
    t : float
        Total simulated time per realization (including ``burn_in``).
    dt : float, optional
        Default: the smallest of ``0.05 / omega_max`` (``omega_max = sqrt((K + 4k)/m)``), ``tau_w/25``
        (``tau_w = tau_1/max(p,1)``, ``tau_1 = zeta L^2/(4 pi^2 T_L)``) and ``0.04 zeta/(eps q max|F''|)``
        with ``q = 3 sqrt(T/K)`` (the particle drift's stiffness).
        ``dt * omega_max > 1`` or a ``dt`` that does not resolve the particles raises ``ValueError``.
    burn_in : float, optional
        Discarded initial time; default ``min(t/5, 10 m/min(gamma_R, N_b gamma_eff) + 20 tau_1
        + 10 N sqrt(m/k))`` (the chain relaxes on the slower of the two bath couplings).
    realizations : int, optional
        Independent realizations (default 8); errors are standard errors across realizations (or
        batch means over time when ``realizations == 1``).
    seed : int
    estimator : {"bond", "particles", "right"}
        Which estimator is reported as ``current`` (all three are returned under their own names).

    Returns
    -------
    SimResult
        ``current``/``current_err`` (bond current, ERRATA N6, unless ``estimator`` says otherwise),
        ``current_bond``, ``current_particles``, ``current_right`` (each with ``_err``; see the module
        docstring for which to use), ``temperature_profile`` (``<p_j^2>/m``) with errors.

    References
    ----------
    NDC paper Eqs. (1)-(2), Sec. 4, Fig. 3-4; ERRATA N4-N6.
    """
    bath = chain.bath
    T_L = temperature("T_L", T_L)
    T_R = temperature("T_R", T_R)
    if T_L <= 0:
        raise ValueError(f"T_L must be > 0 for the particle bath, got {T_L!r}")
    N = positive_int("N", N)
    if N < 2:
        raise ValueError(f"N must be an integer >= 2, got {N}")
    if estimator not in ("bond", "particles", "right"):
        raise ValueError(f"estimator must be 'bond', 'particles' or 'right', got {estimator!r}")
    m, k, K, gamma_R = float(chain.m), float(chain.k), float(chain.K), float(chain.gamma_R)
    omega_max = math.sqrt((K + 4 * k) / m)
    tau1, _ = bath_time_scales(bath, T_L)
    q_scale = 3.0 * math.sqrt(max(T_L, T_R) / (K if K > 0 else k))  # typical |q1| excursion
    dt_bath = bath_dt_max(bath, T_L, q_scale)
    if dt is None:
        dt = min(0.05 / omega_max, bath_dt_max(bath, T_L, q_scale, coarse=0.04))
    if _check:
        dt = _check_dt(dt, omega_max, dt_bath, f" and the particle-bath limit {dt_bath:.3g}")
    t = positive("t", t)
    default_burn = (10 * m / min(gamma_R, _friction_estimate(bath, T_L)) + 20 * tau1
                    + 10 * N * math.sqrt(m / k))
    t, burn_in, R, seed = _run_settings(t, dt, burn_in, realizations, seed, min(t / 5, default_burn))
    nburn, batch_len = _steps(t, burn_in, dt, _BATCHES)

    nb = int(bath.N_b)
    amp, pp, a, b = bath_constants(bath, T_L, dt)
    Lam = float(bath.eps * bath.lam * nb)
    c1, c2 = _ou(gamma_R, T_R, m, dt)
    pstates = _lane_states(seed, R, nb)
    cstates = seed_states(seed, R, first_stream=_CHAIN_STREAM)
    out = np.zeros((R, _BATCHES, _N_OBS))
    tkin = np.zeros((R, N))
    bad = np.zeros(R, dtype=np.int64)
    _ndc_kernel(pstates, cstates, N, nb, m, k, K, float(bath.eps), Lam, amp, pp, a, b, c1, c2, dt,
                nburn, _BATCHES, batch_len, out, tkin, bad)
    values = _estimates(out, tkin, bad, ("current_bond", "current_particles", "current_right"),
                        _BATCHES * batch_len, "particle-bath chain")
    key = {"bond": "current_bond", "particles": "current_particles", "right": "current_right"}[estimator]
    values = {"current": values[key], "current_err": values[key + "_err"], **values}
    settings = _settings(T_L, T_R, N, dt, nburn, batch_len, R, seed, estimator,
                         "BAOAB (O on site N) + Euler-Maruyama particles (q1 at step start)")
    return SimResult("ndc_chain_current", values, plain(chain), settings, __version__)


def effective_chain_current(chain, T_L, T_R, *, N, t, dt=None, burn_in=None, realizations=None,
                            seed):
    """Current of the Markov reduction: the particle bath replaced by a Langevin bath on site 1 with
    friction ``gamma_L(T_L)``, temperature ``T_L`` and on-site stiffness ``k_eff(T_L)`` (NDC paper
    Sec. 4, ERRATA N3, N5). Raises the analytic layer's ``MarkovReductionError`` when ``k_eff <= 0``
    (the reduced chain has no steady state there). Other parameters as :func:`chain_current`."""
    T_L = temperature("T_L", T_L)
    if T_L <= 0:
        raise ValueError(f"T_L must be > 0, got {T_L!r}")
    k_eff = float(chain.k_eff(T_L))
    if k_eff <= 0:
        from ..chain import MarkovReductionError

        raise MarkovReductionError(f"k_eff(T_L = {T_L:g}) = {k_eff:.4g} <= 0: the Markov-reduced chain "
                                   f"has no steady state (ERRATA N3); simulate the full model instead")
    gamma_L = float(chain.gamma_L(T_L))
    res = langevin_chain_current(N, chain.m, chain.k, k_eff, chain.K, gamma_L, chain.gamma_R, T_L,
                                 T_R, t=t, dt=dt, burn_in=burn_in, realizations=realizations,
                                 seed=seed)
    settings = dict(res.settings, k_eff=k_eff, gamma_L=gamma_L)
    return SimResult("ndc_effective_chain_current", res.values, plain(chain), settings, __version__)


def langevin_chain_current(N, m, k, K_L, K_R, gamma_L, gamma_R, T_L, T_R, *, t, dt=None,
                           burn_in=None, realizations=None, seed, _check=True):
    """Harmonic chain between two Langevin baths (Rieder-Lebowitz-Lieb), simulated with BAOAB.

    .. math::  m\\ddot q_1 = -K_L q_1 - k(q_1 - q_2) - \\gamma_L \\dot q_1 + \\sqrt{2\\gamma_L T_L}\\,\\eta_L,
               \\quad \\dots, \\quad
               m\\ddot q_N = -K_R q_N - k(q_N - q_{N-1}) - \\gamma_R \\dot q_N + \\sqrt{2\\gamma_R T_R}\\,\\eta_R

    Returns ``current`` (bond estimator), ``current_left`` (heat from the left bath in its O step),
    ``current_right`` (into the right bath), each with ``_err``, and ``temperature_profile``.
    Compare with the exact steady state of the Lyapunov equation (``thermolib.chain``).
    Default ``dt = 0.05 / omega_max``, ``omega_max = sqrt((max(K_L, K_R) + 4k)/m)``; stream of
    realization ``r`` is ``2**40 + r``. Default ``burn_in``: five slowest relaxation times of the
    chain (:func:`thermolib.chain.langevin_chain_relaxation_time`, which grows like ``N**3``); when
    that exceeds ``t/2``, ``t/2`` is used with a ``RuntimeWarning``.
    """
    N = positive_int("N", N)
    if N < 2:
        raise ValueError(f"N must be an integer >= 2, got {N}")
    m, k = positive("m", m), positive("k", k)
    K_L, K_R = real("K_L", K_L, lo=0.0), real("K_R", K_R, lo=0.0)
    gamma_L, gamma_R = positive("gamma_L", gamma_L), positive("gamma_R", gamma_R)
    T_L, T_R = temperature("T_L", T_L), temperature("T_R", T_R)
    omega_max = math.sqrt((max(K_L, K_R) + 4 * k) / m)
    if dt is None:
        dt = 0.05 / omega_max
    if _check:
        dt = _check_dt(dt, omega_max)
    t = positive("t", t)
    # The chain is damped only at its ends: its slowest relaxation time grows like N^3 (7.8e3 at
    # N = 32), so the default burn-in is five relaxation times of the exact drift matrix. Where t
    # cannot hold that, half of t is used and the bias is announced instead of hidden.
    from ..chain import langevin_chain_relaxation_time

    tau = langevin_chain_relaxation_time(N, m, k, K_L, K_R, gamma_L, gamma_R)
    default_burn = 5.0 * tau
    if burn_in is None and default_burn > 0.5 * t:
        warnings.warn(f"t = {t:g} is too short for the default burn-in of five relaxation times "
                      f"(5 tau = {default_burn:.4g}); using burn_in = t/2 = {0.5 * t:.4g}, so the "
                      f"chain may not have reached its steady state: pass a longer t or burn_in",
                      RuntimeWarning, stacklevel=2)
        default_burn = 0.5 * t
    t, burn_in, R, seed = _run_settings(t, dt, burn_in, realizations, seed, default_burn)
    nburn, batch_len = _steps(t, burn_in, dt, _BATCHES)
    c1L, c2L = _ou(gamma_L, T_L, m, dt)
    c1R, c2R = _ou(gamma_R, T_R, m, dt)
    cstates = seed_states(seed, R, first_stream=_CHAIN_STREAM)
    out = np.zeros((R, _BATCHES, _N_OBS))
    tkin = np.zeros((R, N))
    bad = np.zeros(R, dtype=np.int64)
    _langevin_kernel(cstates, N, m, k, K_L, K_R, c1L, c2L, c1R, c2R, dt, nburn, _BATCHES, batch_len,
                     out, tkin, bad)
    values = _estimates(out, tkin, bad, ("current", "current_left", "current_right"),
                        _BATCHES * batch_len, "Langevin chain")
    model = {"N": N, "m": m, "k": k, "K_L": K_L, "K_R": K_R, "gamma_L": gamma_L, "gamma_R": gamma_R}
    settings = _settings(T_L, T_R, N, dt, nburn, batch_len, R, seed, "bond", "BAOAB (O on sites 1, N)")
    return SimResult("langevin_chain_current", values, model, settings, __version__)


def _settings(T_L, T_R, N, dt, nburn, batch_len, R, seed, estimator, integrator):
    return {"T_L": T_L, "T_R": T_R, "N": N, "dt": dt, "burn_in": nburn * dt,
            "t": (nburn + _BATCHES * batch_len) * dt, "steps": nburn + _BATCHES * batch_len,
            "realizations": R, "seed": seed, "estimator": estimator, "integrator": integrator,
            "streams": "particles r*N_b+i, chain 2**40+r"}
