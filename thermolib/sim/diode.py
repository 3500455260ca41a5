"""Simulator of the two-particle thermal diode (Defaveri & Anteneodo 2021, Eqs. (2)-(3)).

.. math::

    m_j \\ddot z_j + \\gamma_j \\dot z_j + k_j z_j + k_I (z_j - z_{\\bar j})
        = \\varepsilon f_j(z_j) + \\eta_j(t), \\qquad
    \\langle \\eta_j(t)\\eta_j(t')\\rangle = 2\\gamma_j T_j\\,\\delta(t - t').

Integrator (ERRATA D10): BAOAB splitting with the *exact* Ornstein-Uhlenbeck step,

.. math::

    B: p \\mathrel{+}= \\tfrac{\\Delta t}{2} F(x), \\quad
    A: x \\mathrel{+}= \\tfrac{\\Delta t}{2} p/m, \\quad
    O: p \\leftarrow c\\,p + \\sqrt{(1 - c^2)\\, m T}\\,\\xi, \\ c = e^{-\\gamma\\Delta t/m},

with :math:`F_j = -k_j z_j - k_I (z_j - z_{\\bar j}) + \\varepsilon f_j(z_j)` (one force evaluation per
step). It is weak order 2; at ``eps = 0`` the scheme is a linear map :math:`s' = M s + G\\xi`, whose
stationary covariance and current are computed exactly by :func:`baoab_stationary_covariance` and
:func:`baoab_current` (so the time-step bias is known, not estimated: :func:`baoab_current_bias`;
a ``dt`` whose bias exceeds 1 % is accepted with a warning that quotes it).

Heat-current estimator: the symmetric bond current (paper Eq. (14) and the line after it),

.. math:: J = \\frac{k_I}{2}\\, \\big\\langle (x_A - x_B)\\,(p_A/m_A + p_B/m_B) \\big\\rangle,

positive when heat flows from A to B (``J0 = kappa0 (T_A - T_B)``), time-averaged over each
realization after a burn-in, then averaged over independent realizations (the standard error is
over realizations). Choice of estimator: the stationary identity behind Eq. (14) makes the bond
currents on either side, :math:`k_I(x_A-x_B)\\dot x_A` and :math:`k_I(x_A-x_B)\\dot x_B`, and the heat
injected by bath A equal in mean; pathwise their time averages differ only by boundary terms
(:math:`\\Delta V_I/t`, :math:`\\Delta E_A/t`), so for long runs they have the same variance, and
none is lower-variance in a way that matters. The bath estimator needs the noise increments (an
extra martingale term in discrete time), so we use the symmetric bond form, which treats A and B
alike. In the BAOAB chain sampled at full steps the A-side and B-side bond currents have the
*same* exact stationary mean (see :func:`baoab_current`).

Common random numbers: every ``eps`` value and ``eps = 0`` run on the same noise and from the same
initial condition, so ``J(eps) - J(0)`` is estimated from the paired difference per realization
(ERRATA, "beyond the paper": the variance of ``J - J0`` drops by orders of magnitude at small eps).

Reproducibility: realization ``r`` draws from stream ``r`` of :mod:`thermolib.sim._rng` (its initial
condition first, then one normal pair per step), so results do not depend on the number of threads
or on the blocking. Initial conditions are exact draws from the stationary law of the *discrete*
linear scheme, so the ``eps = 0`` lane is stationary from the first step; the burn-in lets the
``eps != 0`` lanes relax.

References
----------
Defaveri, Anteneodo, Phys. Rev. E 104, 014106 (2021), Eqs. (2)-(3), (14)-(15), (18)-(21).
Leimkuhler, Matthews, Appl. Math. Res. Express 2013, 34 (BAOAB).
"""
from __future__ import annotations

import math
import warnings

import numpy as np
from numba import get_num_threads, njit, prange

from .. import _validation as _v
from ..diode import Diode
from . import contract
from .contract import SimulationDiverged, TimeStepBiasWarning, require_model, run_settings
from ._diode_scheme import (CurrentBias, ExcessBias, baoab_current, baoab_current_bias,
                            baoab_matrices, baoab_stationary_covariance, excess_bias, factor,
                            relative_bias, stiffness)
from ._fastmath import exp as _fexp
from ._fastmath import log as _flog
from ._fastmath import sincos as _fsincos
from ._fastmath import sincos_turns as _fsincos_turns
from ._result import SimResult
from ._rng import normal_pair_fast, seed_states, uniform, uniform_open

__all__ = [
    "diode_current",
    "baoab_matrices",
    "baoab_stationary_covariance",
    "baoab_current",
    "baoab_current_bias",
    "excess_bias",
    "default_dt",
    "relaxation_time",
    "SimulationDiverged",
    "TimeStepBiasWarning",
    "CurrentBias",
    "ExcessBias",
]

#: realizations per block; one block is one prange task and one vectorised inner loop
BLOCK = 256
#: dt * omega_max above this raises (BAOAB is stable up to 2 for a harmonic mode, but inaccurate)
DT_MAX_OMEGA = 1.0
#: |relative time-step bias of J0| above which a TimeStepBiasWarning quotes it
BIAS_WARNING = 0.01
#: divergence: the harmonic energy of a realization above this many thermal energy scales
DIVERGENCE_ENERGY = 1e6
#: steps between divergence checks
_CHECK_EVERY = 128


# ============================================================================ model time scales
def relaxation_time(diode) -> float:
    """Slowest relaxation time ``1/min|Re lambda|`` of the eps = 0 drift matrix
    (``diode.time_scales()["relaxation"]``)."""
    return require_model(diode, Diode, "diode").time_scales()["relaxation"]


def default_dt(diode) -> float:
    """The default time step, ``DT_FACTOR`` times the shortest of ``diode.time_scales()``:
    ``0.05 min(m_A/gamma_A, m_B/gamma_B, 1/omega_max)`` (omega_max: top normal mode)."""
    return contract.default_dt(require_model(diode, Diode, "diode").time_scales())


def _omega_max(d) -> float:
    return 1.0 / d.time_scales()["oscillation"]


# ============================================================================ numba kernels
@njit(inline="always", cache=True, error_model="numpy")
def _nonlinear(code, par, x, out, n):
    """``out[j] = f(x[j])`` for j < n (force of kernel ``code``); branch hoisted out of the loops."""
    if code == 1 and par.shape[0] <= 4:  # polynomial of degree <= 3: one fused Horner pass
        c0 = par[0]
        c1 = par[1] if par.shape[0] > 1 else 0.0
        c2 = par[2] if par.shape[0] > 2 else 0.0
        c3 = par[3] if par.shape[0] > 3 else 0.0
        for j in range(n):
            z = x[j]
            out[j] = ((c3 * z + c2) * z + c1) * z + c0  # leading zeros: the same Horner values
    elif code == 1:  # polynomial, Horner with the coefficient loop outside (vectorises over j)
        deg = par.shape[0] - 1
        cn = par[deg]
        for j in range(n):
            out[j] = cn
        for k in range(deg - 1, -1, -1):
            ck = par[k]
            for j in range(n):
                out[j] = out[j] * x[j] + ck
    elif code == 2:  # -A sin(K z)
        K = par[0]
        A = par[1]
        for j in range(n):
            s, c = _fsincos(K * x[j])
            out[j] = -A * s
    elif code == 3:  # -A sinh(K z)
        K = par[0]
        A = par[1]
        for j in range(n):
            e = _fexp(K * x[j])
            out[j] = -0.5 * A * (e - 1.0 / e)
    else:
        for j in range(n):
            out[j] = 0.0


@njit(inline="always", cache=True, error_model="numpy")
def _normals(s, n, u1, u2, gA, gB):
    """One Box-Muller pair per realization j < n into ``gA[j], gB[j]`` (the values and stream use of
    :func:`~thermolib.sim._rng.normal_pair_fast`). Three loops, each vectorised on its own: the
    uniforms, ``-2 log u1``, then ``r = sqrt(.)``, sin/cos and the products (the loops are
    latency-bound; short bodies keep many iterations in flight). ``u1, u2, gA, gB`` must be
    distinct arrays (no aliasing, or the vectoriser's run-time overlap check sends the loops to
    scalar code)."""
    for j in range(n):
        u1[j] = uniform_open(s, j)
        u2[j] = uniform(s, j)
    for j in range(n):
        u1[j] = -2.0 * _flog(u1[j])
    for j in range(n):
        sn, cs = _fsincos_turns(u2[j])
        r = np.sqrt(u1[j])
        gA[j] = r * cs
        gB[j] = r * sn


# The nonlinear force term of one site inside the BAOAB pass, chosen at compile time: each call
# site of _baoab_pass with a different pair compiles its own fused loop.
@njit(inline="always", cache=True, error_model="numpy")
def _no_force(x, j, buf, cf):
    """No force: -0.0 is the additive identity (``F + -0.0 == F`` bit for bit), removed by LLVM."""
    return -0.0


@njit(inline="always", cache=True, error_model="numpy")
def _cubic_force(x, j, buf, cf):
    """``eps * (c0 + c1 x + c2 x^2 + c3 x^3)`` by Horner (the values of :func:`_nonlinear`)."""
    ee, c0, c1, c2, c3 = cf
    return ee * (((c3 * x + c2) * x + c1) * x + c0)


@njit(inline="always", cache=True, error_model="numpy")
def _buffered_force(x, j, buf, cf):
    """``eps * f(x_j)`` from a buffer filled by :func:`_nonlinear` (any force kernel)."""
    return cf[0] * buf[j]


@njit(inline="always", cache=True, error_model="numpy")
def _baoab_pass(force_A, force_B, xa, xb, pa, pb, acc, gA, gB, nlA, nlB, n, wk, k0, cf, sc):
    """One fused pass over realizations j < n of one eps lane: the closing half-kick B of the
    previous step (``k0 * F``), the current sample (weight ``wk``), then B A O A of the next step.

    ``sc = (h, hA, hB, imA, imB, cA, cB, sA, sB, KA, KB, kI)``: half step, ``h/m_j``, ``1/m_j``, OU
    factors :math:`c_j = e^{-\\gamma_j\\Delta t/m_j}`, :math:`s_j = \\sqrt{(1 - c_j^2) m_j T_j}`, and
    the stiffnesses; ``cf = (eps, c0, c1, c2, c3)``; ``force_A``/``force_B`` add the nonlinear force.
    """
    h, hA, hB, imA, imB, cA, cB, sA, sB, KA, KB, kI = sc
    for j in range(n):
        x1 = xa[j]
        x2 = xb[j]
        FA = -KA * x1 + kI * x2 + force_A(x1, j, nlA, cf)
        FB = -KB * x2 + kI * x1 + force_B(x2, j, nlB, cf)
        qa = pa[j] + k0 * FA
        qb = pb[j] + k0 * FB
        acc[j] += wk * (x1 - x2) * (qa * imA + qb * imB)
        qa += h * FA
        qb += h * FB
        x1 += hA * qa
        x2 += hB * qb
        qa = cA * qa + sA * gA[j]
        qb = cB * qb + sB * gB[j]
        xa[j] = x1 + hA * qa
        xb[j] = x2 + hB * qb
        pa[j] = qa
        pb[j] = qb


@njit(inline="always", cache=True, error_model="numpy")
def _energy_exceeds(xa, xb, pa, pb, n, sc, e_max):
    """True if a realization's harmonic energy
    :math:`p_A^2/2m_A + p_B^2/2m_B + (K_A x_A^2 + K_B x_B^2)/2 - k_I x_A x_B` exceeds ``e_max``
    (or is NaN)."""
    h, hA, hB, imA, imB, cA, cB, sA, sB, KA, KB, kI = sc
    bad = 0
    for j in range(n):  # no early exit: the loop vectorises
        x1 = xa[j]
        x2 = xb[j]
        H = 0.5 * (pa[j] * pa[j] * imA + pb[j] * pb[j] * imB + KA * x1 * x1 + KB * x2 * x2) \
            - kI * x1 * x2
        bad += 0 if H <= e_max else 1
    return bad > 0


@njit(cache=True, error_model="numpy")
def _block(st, r0, n, eps_l, sc, codeA, parA, codeB, parB, L, n_burn, n_meas, e_max, acc, abort,
           where, b):
    """Simulate realizations ``r0 .. r0 + n - 1`` (all eps lanes); write time averages to ``acc``.

    Returns 0 on success, 1 on divergence (``where[b] = step, lane``), 2 if another block diverged
    first.
    """
    E = eps_l.shape[0]
    B = BLOCK
    s = np.empty((4, B), dtype=np.uint64)
    for w in range(4):
        for j in range(n):
            s[w, j] = st[w, r0 + j]
    xA = np.zeros((E, B))
    xB = np.zeros((E, B))
    pA = np.zeros((E, B))
    pB = np.zeros((E, B))
    ac = np.zeros((E, B))
    gA = np.zeros(B)
    gB = np.zeros(B)
    u1 = np.zeros(B)
    u2 = np.zeros(B)
    nlA = np.zeros(B)
    nlB = np.zeros(B)
    for j in range(n):
        z0, z1 = normal_pair_fast(s, j)
        z2, z3 = normal_pair_fast(s, j)
        v0 = L[0, 0] * z0 + L[0, 1] * z1 + L[0, 2] * z2 + L[0, 3] * z3
        v1 = L[1, 0] * z0 + L[1, 1] * z1 + L[1, 2] * z2 + L[1, 3] * z3
        v2 = L[2, 0] * z0 + L[2, 1] * z1 + L[2, 2] * z2 + L[2, 3] * z3
        v3 = L[3, 0] * z0 + L[3, 1] * z1 + L[3, 2] * z2 + L[3, 3] * z3
        for e in range(E):
            xA[e, j] = v0
            xB[e, j] = v1
            pA[e, j] = v2
            pB[e, j] = v3
    h = sc[0]
    half_kI = 0.5 * sc[11]
    cubA = codeA == 1 and parA.shape[0] <= 4
    a0 = parA[0]
    a1 = parA[1] if parA.shape[0] > 1 else 0.0
    a2 = parA[2] if parA.shape[0] > 2 else 0.0
    a3 = parA[3] if parA.shape[0] > 3 else 0.0
    n_total = n_burn + n_meas
    # Iteration i = the fused pass "B (end of step i-1) [sample J] B A O A (noise i)". The last one
    # (i = n_total) only closes step n_total and samples J; its B A O A (on stale noise) is unused.
    for i in range(n_total + 1):
        last = i == n_total
        if i % _CHECK_EVERY == 0 or last:
            for e in range(E):
                if _energy_exceeds(xA[e], xB[e], pA[e], pB[e], n, sc, e_max):
                    abort[0] = 1
                    where[b, 0] = i
                    where[b, 1] = e
                    return 1
            if abort[0] != 0:
                return 2
        if not last:
            _normals(s, n, u1, u2, gA, gB)
        wgt = 1.0 if i > n_burn else 0.0  # weight of the J sample taken in this iteration
        k0 = 0.0 if i == 0 else h  # the first half-kick of the chain has no predecessor
        wk = wgt * half_kI
        for e in range(E):
            ee = eps_l[e]
            fA_on = ee != 0.0 and codeA != 0
            fB_on = ee != 0.0 and codeB != 0
            cf = (ee, a0, a1, a2, a3)
            # one pass, specialised for the common lanes: eps = 0; a cubic force on A only, fused
            # into the loop; else any forces through buffers. All give the same values.
            if not fA_on and not fB_on:
                _baoab_pass(_no_force, _no_force, xA[e], xB[e], pA[e], pB[e], ac[e], gA, gB,
                            nlA, nlB, n, wk, k0, cf, sc)
            elif fA_on and not fB_on and cubA:
                _baoab_pass(_cubic_force, _no_force, xA[e], xB[e], pA[e], pB[e], ac[e], gA, gB,
                            nlA, nlB, n, wk, k0, cf, sc)
            elif fA_on and not fB_on:
                _nonlinear(codeA, parA, xA[e], nlA, n)
                _baoab_pass(_buffered_force, _no_force, xA[e], xB[e], pA[e], pB[e], ac[e],
                            gA, gB, nlA, nlB, n, wk, k0, cf, sc)
            elif fB_on and not fA_on:
                _nonlinear(codeB, parB, xB[e], nlB, n)
                _baoab_pass(_no_force, _buffered_force, xA[e], xB[e], pA[e], pB[e], ac[e],
                            gA, gB, nlA, nlB, n, wk, k0, cf, sc)
            else:
                _nonlinear(codeA, parA, xA[e], nlA, n)
                _nonlinear(codeB, parB, xB[e], nlB, n)
                _baoab_pass(_buffered_force, _buffered_force, xA[e], xB[e], pA[e], pB[e], ac[e],
                            gA, gB, nlA, nlB, n, wk, k0, cf, sc)
    inv = 1.0 / n_meas
    for e in range(E):
        for j in range(n):
            acc[e, r0 + j] = ac[e, j] * inv
    return 0


@njit(parallel=True, cache=True, error_model="numpy")
def _run(st, n_real, eps_l, sc, codeA, parA, codeB, parB, L, n_burn, n_meas, e_max):
    E = eps_l.shape[0]
    acc = np.zeros((E, n_real))
    nb = (n_real + BLOCK - 1) // BLOCK
    status = np.zeros(nb, dtype=np.int64)
    where = np.zeros((nb, 2), dtype=np.int64)
    abort = np.zeros(1, dtype=np.int64)
    for b in prange(nb):
        r0 = b * BLOCK
        n = min(BLOCK, n_real - r0)
        status[b] = _block(st, r0, n, eps_l, sc, codeA, parA, codeB, parB, L, n_burn, n_meas,
                           e_max, acc, abort, where, b)
    return acc, status, where


# ============================================================================ public API
def _force_arrays(f):
    code = int(f.kernel_code)
    par = np.ascontiguousarray(np.asarray(f.kernel_params, dtype=np.float64))
    if code == 1 and par.shape[0] == 0:
        code = 0
    if par.shape[0] == 0:
        par = np.zeros(1)
    if code not in (0, 1, 2, 3):
        raise ValueError(f"unsupported force kernel_code {code} (expected 0, 1, 2 or 3)")
    return code, par


def _energy_limit(d, T_A, T_B, eps_max, codes):
    """The divergence threshold on a realization's harmonic energy (see :func:`diode_current`).

    ``DIVERGENCE_ENERGY`` times the energy scale ``max(T_A, T_B) + E_f``: the thermal scale, plus
    what the forces can add deterministically -- the energy of the static displacement
    :math:`K^{-1}\\varepsilon c_0` by a constant force term :math:`c_0` (polynomial kernel), and the
    depth :math:`2|\\varepsilon A|/K` of a sine force's bounded potential.
    """
    lam_min = float(np.linalg.eigvalsh(stiffness(d)).min())
    e_f = 0.0
    for code, par in codes:
        if code == 1:
            e_f += (eps_max * par[0]) ** 2 / (2.0 * lam_min)
        elif code == 2:
            e_f += 2.0 * eps_max * abs(par[1]) / par[0]
    return DIVERGENCE_ENERGY * (max(T_A, T_B) + e_f)


def _eps_lanes(eps):
    """Validated eps (a number or a non-empty array), the lanes (0 first, then the distinct
    non-zero values) and the lane of each entry."""
    if isinstance(eps, (bool, np.bool_)):
        raise _v.ParameterTypeError(f"eps must be a real number or a sequence of real numbers, got {eps!r}")
    eps_arr = _v.real_array("eps", eps)
    if eps_arr.size == 0:
        raise ValueError("eps must be a number or a non-empty sequence of numbers, got an empty one")
    flat = eps_arr.ravel()
    nz = [float(e) for e in dict.fromkeys(flat.tolist()) if e != 0.0]
    lanes = np.array([0.0] + nz)
    lane_of = np.array([0 if e == 0.0 else 1 + nz.index(float(e)) for e in flat], dtype=np.int64)
    return eps_arr, lanes, lane_of


def diode_current(diode, T_A, T_B, eps, *, t, dt=None, burn_in=None, realizations, seed,
                  samples=False):
    """Heat current of the two-particle diode for one or several ``eps``, with common random numbers.

    Parameters
    ----------
    diode : thermolib.Diode
        Masses, dampings, stiffnesses and the forces ``f_A``, ``f_B`` (multiplied by ``eps``).
    T_A, T_B : float
        Bath temperatures (k_B = 1), >= 0.
    eps : float or sequence of float
        Strength(s) of the nonlinear forces. All values, and ``eps = 0``, are simulated on the
        same noise from the same initial conditions.
    t : float
        Total simulated time per realization, burn-in included (``t > burn_in``).
    dt : float, optional
        Time step; default :func:`default_dt` (``DT_FACTOR`` x the shortest of
        ``diode.time_scales()``). ``dt * omega_max > 1`` raises; a ``dt`` whose exact eps = 0
        bias exceeds 1 % warns (:class:`~thermolib.sim.contract.TimeStepBiasWarning`).
    burn_in : float, optional
        Time discarded before averaging; default ``BURN_IN_RELAXATION_TIMES`` (10) x
        ``diode.time_scales()["relaxation"]``.
    realizations : int
        Independent realizations (>= 2); realization ``r`` uses random stream ``r``.
    seed : int
        Seed of the random streams, ``0 <= seed < 2**63``.
    samples : bool
        Also return the per-realization time averages ``samples`` (shape ``eps.shape + (R,)``)
        and ``samples0`` (eps = 0), e.g. for the error of a combination of eps values.

    Returns
    -------
    SimResult
        ``kind = "diode_current"``; ``values``: ``eps``, ``current``/``current_err`` (per eps,
        shaped like ``eps``), ``current0``/``current0_err`` (eps = 0), ``excess``/``excess_err`` =
        ``J(eps) - J(0)`` from the paired difference per realization; ``settings``: seed, dt,
        steps, burn-in, realizations, estimator, integrator, the divergence threshold, threads.

    Raises
    ------
    ValueError, TypeError
        Invalid input (the message names the parameter); a wrong type raises
        :class:`~thermolib._validation.ParameterTypeError`, which is both.
    SimulationDiverged
        A realization's harmonic energy :math:`H_0 = \\sum_j p_j^2/2m_j + x^T K x/2` exceeded
        ``DIVERGENCE_ENERGY`` (1e6) times ``max(T_A, T_B)`` (plus the energy a constant or sine
        force adds; checked every 128 steps): the force ``eps*f`` is not confining at this
        strength, or ``dt`` too large for its stiffness. The limit is far outside any stationary
        state: at eps = 0, :math:`H_0` of the stationary law is bounded by its equilibrium law at
        :math:`T_{max}`, a Gamma(2, :math:`T_{max}`) variable with
        :math:`P(H_0 > q T_{max}) = (1 + q) e^{-q}`; a confining force only lowers it, and even a
        force that softens a stiffness 1000-fold leaves :math:`P(H_0 > 10^6 T_{max}) < e^{-900}`.

    References
    ----------
    Eqs. (2)-(3) and (14) of Defaveri & Anteneodo (2021); ERRATA D10.
    """
    import thermolib

    d = require_model(diode, Diode, "diode")
    T_A = _v.temperature("T_A", T_A)
    T_B = _v.temperature("T_B", T_B)
    eps_arr, lanes, lane_of = _eps_lanes(eps)
    samples = _v.boolean("samples", samples)
    scales = d.time_scales()
    w_max = 1.0 / scales["oscillation"]
    dt_default = contract.default_dt(scales)
    t, dt, burn_in, realizations, seed = run_settings(
        t=t, dt=dt, burn_in=burn_in, realizations=realizations, seed=seed, default_dt=dt_default,
        default_burn_in=contract.default_burn_in(scales), dt_max=DT_MAX_OMEGA / w_max,
        dt_limit_reason=f"dt * omega_max <= {DT_MAX_OMEGA}, omega_max = {w_max:.4g}; "
                        f"default dt {dt_default:.4g}")
    n_burn = int(round(burn_in / dt))
    n_meas = int(round(t / dt)) - n_burn
    if n_meas < 1:
        raise ValueError(f"t - burn_in must hold at least one step of dt = {dt!r}, got t = {t!r}, "
                         f"burn_in = {burn_in!r}")
    C = baoab_stationary_covariance(d, T_A, T_B, dt)  # initial law, and the exact bias of J0
    bias = relative_bias(d, dt, T_A, T_B, C)
    if abs(bias) > BIAS_WARNING:
        warnings.warn(f"dt = {dt:.4g} biases the eps = 0 current by {100 * bias:+.1f} % (exact "
                      f"stationary current of the discrete scheme against kappa0 (T_A - T_B)); the "
                      f"bias grows like dt**2: dt <= {dt * math.sqrt(BIAS_WARNING / abs(bias)):.3g} "
                      f"keeps it below {100 * BIAS_WARNING:g} % (default dt {dt_default:.4g})",
                      TimeStepBiasWarning, stacklevel=2)

    codeA, parA = _force_arrays(d.f_A)
    codeB, parB = _force_arrays(d.f_B)
    e_max = _energy_limit(d, T_A, T_B, float(np.max(np.abs(lanes))), ((codeA, parA), (codeB, parB)))
    cA = math.exp(-d.gamma_A * dt / d.m_A)
    cB = math.exp(-d.gamma_B * dt / d.m_B)
    h, imA, imB = 0.5 * dt, 1.0 / d.m_A, 1.0 / d.m_B
    sc = (h, h * imA, h * imB, imA, imB, cA, cB, math.sqrt((1.0 - cA * cA) * d.m_A * T_A),
          math.sqrt((1.0 - cB * cB) * d.m_B * T_B), d.k_A + d.k_I, d.k_B + d.k_I, d.k_I)
    _v.finite_result("the integrator's coefficients", sc, d._context())
    L = factor(C)
    st = seed_states(seed, realizations)
    with np.errstate(all="ignore"):
        acc, status, where = _run(st, realizations, lanes, sc, codeA, parA, codeB, parB, L,
                                  n_burn, n_meas, e_max)
    if np.any(status != 0) or not np.all(np.isfinite(acc)):
        hit = np.flatnonzero(status == 1)
        if hit.size:
            step, lane = where[hit[np.argmin(where[hit, 0])]]
            at = f"at t ~ {step * dt:.4g} (eps = {lanes[lane]:g})"
        else:
            at = "(non-finite current)"
        raise SimulationDiverged(
            f"the diode simulation diverged {at}: a realization's harmonic energy exceeded "
            f"{e_max:.3g} = {DIVERGENCE_ENERGY:g} x its thermal scale (T_A = {T_A}, T_B = {T_B}), far "
            f"outside any stationary state. The force eps*f is not confining at this strength, or "
            f"dt = {dt:.4g} is too large for its stiffness: reduce eps or dt")

    J = acc.mean(axis=1)
    Jerr = acc.std(axis=1, ddof=1) / math.sqrt(realizations)
    diff = acc - acc[0]
    X = diff.mean(axis=1)
    Xerr = diff.std(axis=1, ddof=1) / math.sqrt(realizations)
    shape = eps_arr.shape

    def per_eps(v):
        out = v[lane_of].reshape(shape)
        return float(out) if out.ndim == 0 else out

    values = {
        "eps": float(eps_arr) if eps_arr.ndim == 0 else eps_arr.copy(),
        "current": per_eps(J),
        "current_err": per_eps(Jerr),
        "excess": per_eps(X),
        "excess_err": per_eps(Xerr),
        "current0": float(J[0]),
        "current0_err": float(Jerr[0]),
    }
    if samples:
        values["samples"] = acc[lane_of].reshape(shape + (realizations,))
        values["samples0"] = acc[0].copy()
    settings = {
        "T_A": T_A, "T_B": T_B, "seed": seed, "dt": dt, "t": (n_burn + n_meas) * dt,
        "burn_in": n_burn * dt, "steps": n_burn + n_meas, "burn_in_steps": n_burn,
        "measured_steps": n_meas, "realizations": realizations,
        "integrator": "BAOAB, exact Ornstein-Uhlenbeck step (weak order 2)",
        "estimator": "symmetric bond current k_I/2 (x_A - x_B)(p_A/m_A + p_B/m_B), time average per "
                     "realization; SEM over realizations; excess from paired (CRN) differences",
        "initial_condition": "stationary law of the discrete eps = 0 scheme",
        "dt_relative_bias_J0": bias,
        "divergence_energy": e_max,
        "rng": "xoshiro256++, realization r = stream r",
        "threads": get_num_threads(),
        "block": BLOCK,
    }
    return SimResult("diode_current", values, _model(d), settings, thermolib.__version__)


def _model(d):
    out = {}
    for name in ("m_A", "m_B", "gamma_A", "gamma_B", "k_A", "k_B", "k_I"):
        out[name] = getattr(d, name)
    for name in ("f_A", "f_B"):
        f = getattr(d, name)
        out[name] = {"repr": repr(f), "kernel_code": int(f.kernel_code),
                     "kernel_params": np.asarray(f.kernel_params, dtype=float).tolist()}
    return out
