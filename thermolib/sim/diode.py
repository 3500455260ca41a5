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
:func:`baoab_current` (so the time-step bias is known, not estimated: :func:`baoab_current_bias`).

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
from typing import NamedTuple

import numpy as np
from numba import njit, prange, get_num_threads

from .. import _validation as _v
from ._fastmath import exp as _fexp
from ._fastmath import sincos as _fsincos
from ._contract import SimulationDiverged
from ._result import SimResult
from ._fastmath import log as _flog
from ._fastmath import sincos_turns as _fsincos_turns
from ._rng import normal_pair_fast, seed_states, uniform, uniform_open

__all__ = [
    "diode_current",
    "baoab_matrices",
    "baoab_stationary_covariance",
    "baoab_current",
    "baoab_current_bias",
    "default_dt",
    "relaxation_time",
    "SimulationDiverged",
    "CurrentBias",
]

#: realizations per block; one block is one prange task and one vectorised inner loop
BLOCK = 256
#: default dt = DT_FACTOR * min(m_j/gamma_j, 1/omega_max); relative eps=0 bias ~1.6e-4 at Fig. 2
DT_FACTOR = 0.05
#: dt * omega_max above this raises (BAOAB is stable up to 2 for a harmonic mode, but inaccurate)
DT_MAX_OMEGA = 1.0
#: default burn-in in units of the slowest relaxation time of the linear system
BURN_IN_RELAXATION_TIMES = 10.0
#: |x| or |p| above this counts as divergence
_HUGE = 1e100
#: steps between divergence checks
_CHECK_EVERY = 128


class CurrentBias(NamedTuple):
    """Exact time-step bias of the eps = 0 current of the BAOAB scheme."""

    discrete: float  # exact stationary current of the discrete scheme
    continuous: float  # kappa0 (T_A - T_B)
    absolute: float  # discrete - continuous
    relative: float  # absolute / continuous (nan when T_A == T_B)


# ============================================================================ linear analysis
def _check_diode(diode):
    from ..diode import Diode

    if not isinstance(diode, Diode):
        raise ValueError(f"diode must be a thermolib.diode.Diode, got {type(diode).__name__}")
    return diode


def _stiffness(d):
    return np.array([[d.k_A + d.k_I, -d.k_I], [-d.k_I, d.k_B + d.k_I]])


def _omega_max(d) -> float:
    K = _stiffness(d)
    s = np.diag(1.0 / np.sqrt([d.m_A, d.m_B]))
    return float(math.sqrt(np.linalg.eigvalsh(s @ K @ s).max()))


def relaxation_time(diode) -> float:
    """Slowest relaxation time ``1/min|Re lambda|`` of the eps = 0 drift matrix."""
    d = _check_diode(diode)
    lam = np.linalg.eigvals(d.linear_system().drift)
    return float(1.0 / np.min(np.abs(lam.real)))


def default_dt(diode) -> float:
    """``DT_FACTOR * min(m_A/gamma_A, m_B/gamma_B, 1/omega_max)`` (omega_max: top normal mode)."""
    d = _check_diode(diode)
    return DT_FACTOR * min(d.m_A / d.gamma_A, d.m_B / d.gamma_B, 1.0 / _omega_max(d))


def _check_dt(d, dt) -> float:
    dt = _v.positive("dt", dt)
    w = _omega_max(d)
    if dt * w > DT_MAX_OMEGA:
        raise ValueError(
            f"dt = {dt!r} is too large: dt * omega_max = {dt * w:.3g} > {DT_MAX_OMEGA} "
            f"(omega_max = {w:.4g}; use dt <= {DT_MAX_OMEGA / w:.4g}, default {default_dt(d):.4g})")
    return dt


def baoab_matrices(diode, dt):
    """One BAOAB step at eps = 0 as a linear map of ``s = (x_A, x_B, p_A, p_B)``.

    Returns ``(M, G)`` with ``s' = M s + G diag(sqrt(T_A), sqrt(T_B)) xi``, ``xi ~ N(0, I_2)``:
    ``M = B A O A B`` and ``G = (B A)[:, p] diag(sqrt((1 - c_j^2) m_j))``.
    """
    d = _check_diode(diode)
    dt = _v.positive("dt", dt)
    h = 0.5 * dt
    I2, Z2 = np.eye(2), np.zeros((2, 2))
    B = np.block([[I2, Z2], [-h * _stiffness(d), I2]])
    A = np.block([[I2, h * np.diag([1.0 / d.m_A, 1.0 / d.m_B])], [Z2, I2]])
    c = np.exp(-dt * np.array([d.gamma_A / d.m_A, d.gamma_B / d.m_B]))
    O = np.block([[I2, Z2], [Z2, np.diag(c)]])
    M = B @ A @ O @ A @ B
    G = (B @ A)[:, 2:] @ np.diag(np.sqrt((1.0 - c * c) * np.array([d.m_A, d.m_B])))
    return M, G


def baoab_stationary_covariance(diode, T_A, T_B, dt) -> np.ndarray:
    """Exact stationary covariance of ``(x_A, x_B, p_A, p_B)`` of the BAOAB chain at eps = 0.

    Solves the discrete Lyapunov equation :math:`C = M C M^T + G\\,\\mathrm{diag}(T_A, T_B)\\,G^T`
    (``scipy.linalg.solve_discrete_lyapunov``), sampled after full steps.
    """
    from scipy.linalg import solve_discrete_lyapunov

    d = _check_diode(diode)
    T_A = _v.temperature("T_A", T_A)
    T_B = _v.temperature("T_B", T_B)
    M, G = baoab_matrices(d, dt)
    C = solve_discrete_lyapunov(M, G @ np.diag([T_A, T_B]) @ G.T)
    return 0.5 * (C + C.T)


def baoab_current(diode, T_A, T_B, dt) -> float:
    """Exact stationary eps = 0 current of the BAOAB scheme with the simulator's estimator,
    :math:`\\tfrac{k_I}{2}\\langle (x_A - x_B)(p_A/m_A + p_B/m_B)\\rangle` at full steps."""
    d = _check_diode(diode)
    C = baoab_stationary_covariance(d, T_A, T_B, dt)
    ja = (C[0, 2] - C[1, 2]) / d.m_A
    jb = (C[0, 3] - C[1, 3]) / d.m_B
    return float(0.5 * d.k_I * (ja + jb))


def baoab_current_bias(diode, T_A, T_B, dt) -> CurrentBias:
    """Time-step bias of the simulated eps = 0 current: exact discrete vs :math:`\\kappa_0(T_A - T_B)`.

    Weak order 2: the relative bias grows like ``dt**2`` (Fig. 2 parameters: ~1.3e-5 at
    ``dt = 0.01``, 5.2e-5 at 0.02, 3.3e-4 at 0.05).
    """
    d = _check_diode(diode)
    J = baoab_current(d, T_A, T_B, dt)
    J0 = d.kappa0() * (float(T_A) - float(T_B))
    rel = (J - J0) / J0 if J0 != 0.0 else float("nan")
    return CurrentBias(J, J0, J - J0, rel)


def _initial_factor(d, T_A, T_B, dt) -> np.ndarray:
    """A factor ``L`` with ``L L^T`` = discrete stationary covariance (eigen-based: T = 0 allowed)."""
    C = baoab_stationary_covariance(d, T_A, T_B, dt)
    w, V = np.linalg.eigh(C)
    return np.ascontiguousarray(V * np.sqrt(np.clip(w, 0.0, None)))


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
    :func:`~thermolib.sim._rng.normal_pair_fast`). Three loops (fission), each vectorised on its
    own: the uniforms, ``-2 log u1``, then ``r = sqrt(.)``, sin/cos and the products; the loops are
    latency-bound and shorter bodies keep more independent iterations in flight (as in
    ``particle_bath._sweep``). ``u1, u2, gA, gB`` must be distinct arrays (no aliasing, or the
    vectoriser's run-time overlap check sends the loops to scalar code)."""
    for j in range(n):
        u1[j] = uniform_open(s, j)
        u2[j] = uniform(s, j)
    for j in range(n):
        u1[j] = -2.0 * _flog(u1[j])
    for j in range(n):
        sn, cs = _fsincos_turns(u2[j])
        r = np.sqrt(u1[j])  # here rather than in the log loop: measured ~0.3 ns per pair faster
        gA[j] = r * cs
        gB[j] = r * sn


@njit(inline="always", cache=True, error_model="numpy")
def _step_lin(xa, xb, pa, pb, a, gA, gB, n, wk, k0, h, hA, hB, imA, imB, cA, cB, sA, sB, KA, KB, kI):
    """One fused pass (see :func:`_block`) of a lane without nonlinear force (eps = 0)."""
    for j in range(n):
        x1 = xa[j]
        x2 = xb[j]
        FA = -KA * x1 + kI * x2
        FB = -KB * x2 + kI * x1
        qa = pa[j] + k0 * FA
        qb = pb[j] + k0 * FB
        a[j] += wk * (x1 - x2) * (qa * imA + qb * imB)
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
def _step_cubA(xa, xb, pa, pb, a, gA, gB, n, wk, k0, h, hA, hB, imA, imB, cA, cB, sA, sB, KA, KB, kI,
               ee, e0, e1, e2, e3):
    """One fused pass of a lane with ``eps * f_A``, ``f_A`` a polynomial of degree <= 3 (its Horner
    values, as in :func:`_nonlinear`, fused into the update loop), and no force on B."""
    for j in range(n):
        x1 = xa[j]
        x2 = xb[j]
        FA = -KA * x1 + kI * x2 + ee * (((e3 * x1 + e2) * x1 + e1) * x1 + e0)
        FB = -KB * x2 + kI * x1
        qa = pa[j] + k0 * FA
        qb = pb[j] + k0 * FB
        a[j] += wk * (x1 - x2) * (qa * imA + qb * imB)
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

@njit(cache=True, error_model="numpy")
def _block(st, r0, n, eps_l, imA, imB, h, cA, cB, sA, sB, KA, KB, kI,
           codeA, parA, codeB, parB, L, n_burn, n_meas, acc, abort):
    """Simulate realizations ``r0 .. r0 + n - 1`` (all eps lanes); write time averages to ``acc``.

    Returns 0 on success, 1 on divergence, 2 if another block diverged first.
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
    hA = h * imA
    hB = h * imB
    half_kI = 0.5 * kI
    cubA = codeA == 1 and parA.shape[0] <= 4
    a0 = parA[0]
    a1 = parA[1] if parA.shape[0] > 1 else 0.0
    a2 = parA[2] if parA.shape[0] > 2 else 0.0
    a3 = parA[3] if parA.shape[0] > 3 else 0.0
    n_total = n_burn + n_meas
    # Step i (1..n_total) = the fused pass "B(end of step i-1) [sample J] B A O A (noise i)".
    # Iteration i = n_total + 1 only closes the last step and samples J.
    for i in range(n_total + 1):
        last = i == n_total
        if not last:
            _normals(s, n, u1, u2, gA, gB)
        wgt = 1.0 if i > n_burn else 0.0  # weight of the J sample taken in this iteration
        k0 = 0.0 if i == 0 else h  # the first half-kick of the chain has no predecessor
        wk = wgt * half_kI
        for e in range(E):
            ee = eps_l[e]
            fA_on = ee != 0.0 and codeA != 0
            fB_on = ee != 0.0 and codeB != 0
            # specialised fused loops for the common lanes (eps = 0; polynomial force on A only),
            # the generic path (force buffers from _nonlinear) otherwise; all give the same values
            if last:
                if fA_on:
                    _nonlinear(codeA, parA, xA[e], nlA, n)
                else:
                    for j in range(n):
                        nlA[j] = 0.0
                if fB_on:
                    _nonlinear(codeB, parB, xB[e], nlB, n)
                else:
                    for j in range(n):
                        nlB[j] = 0.0
                for j in range(n):
                    FA = -KA * xA[e, j] + kI * xB[e, j] + ee * nlA[j]
                    FB = -KB * xB[e, j] + kI * xA[e, j] + ee * nlB[j]
                    qa = pA[e, j] + h * FA
                    qb = pB[e, j] + h * FB
                    ac[e, j] += wgt * half_kI * (xA[e, j] - xB[e, j]) * (qa * imA + qb * imB)
            elif not fA_on and not fB_on:
                _step_lin(xA[e], xB[e], pA[e], pB[e], ac[e], gA, gB, n, wk, k0, h, hA, hB,
                          imA, imB, cA, cB, sA, sB, KA, KB, kI)
            elif fA_on and not fB_on and cubA:
                _step_cubA(xA[e], xB[e], pA[e], pB[e], ac[e], gA, gB, n, wk, k0, h, hA, hB,
                           imA, imB, cA, cB, sA, sB, KA, KB, kI, ee, a0, a1, a2, a3)
            else:
                if fA_on:
                    _nonlinear(codeA, parA, xA[e], nlA, n)
                else:
                    for j in range(n):
                        nlA[j] = 0.0
                if fB_on:
                    _nonlinear(codeB, parB, xB[e], nlB, n)
                else:
                    for j in range(n):
                        nlB[j] = 0.0
                for j in range(n):
                    x1 = xA[e, j]
                    x2 = xB[e, j]
                    FA = -KA * x1 + kI * x2 + ee * nlA[j]
                    FB = -KB * x2 + kI * x1 + ee * nlB[j]
                    qa = pA[e, j] + k0 * FA
                    qb = pB[e, j] + k0 * FB
                    ac[e, j] += wgt * half_kI * (x1 - x2) * (qa * imA + qb * imB)
                    qa += h * FA
                    qb += h * FB
                    x1 += hA * qa
                    x2 += hB * qb
                    qa = cA * qa + sA * gA[j]
                    qb = cB * qb + sB * gB[j]
                    xA[e, j] = x1 + hA * qa
                    xB[e, j] = x2 + hB * qb
                    pA[e, j] = qa
                    pB[e, j] = qb
        if i % _CHECK_EVERY == 0 or last:
            ok = True
            for e in range(E):
                m = 0.0
                for j in range(n):
                    m = max(m, abs(xA[e, j]) + abs(pA[e, j]) + abs(xB[e, j]) + abs(pB[e, j]))
                if not (m < _HUGE):
                    ok = False
            if not ok:
                abort[0] = 1
                return 1
            if abort[0] != 0:
                return 2
    inv = 1.0 / n_meas
    for e in range(E):
        for j in range(n):
            acc[e, r0 + j] = ac[e, j] * inv
    return 0


@njit(parallel=True, cache=True, error_model="numpy")
def _run(st, n_real, eps_l, imA, imB, h, cA, cB, sA, sB, KA, KB, kI,
         codeA, parA, codeB, parB, L, n_burn, n_meas):
    E = eps_l.shape[0]
    acc = np.zeros((E, n_real))
    nb = (n_real + BLOCK - 1) // BLOCK
    status = np.zeros(nb, dtype=np.int64)
    abort = np.zeros(1, dtype=np.int64)
    for b in prange(nb):
        r0 = b * BLOCK
        n = min(BLOCK, n_real - r0)
        status[b] = _block(st, r0, n, eps_l, imA, imB, h, cA, cB, sA, sB, KA, KB, kI,
                           codeA, parA, codeB, parB, L, n_burn, n_meas, acc, abort)
    return acc, status


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


def diode_current(diode, T_A, T_B, eps, *, t, dt=None, burn_in=None, realizations, seed,
                  samples=False):
    """Heat current of the two-particle diode for one or several ``eps``, with common random numbers.

    Parameters
    ----------
    diode : thermolib.diode.Diode
        Masses, dampings, stiffnesses and the forces ``f_A``, ``f_B`` (multiplied by ``eps``).
    T_A, T_B : float
        Bath temperatures (k_B = 1), >= 0.
    eps : float or sequence of float
        Strength(s) of the nonlinear forces. All values, and ``eps = 0``, are simulated on the
        same noise from the same initial conditions.
    t : float
        Total simulated time per realization, burn-in included (``t > burn_in``).
    dt : float, optional
        Time step; default :func:`default_dt`. ``dt * omega_max > 1`` raises.
    burn_in : float, optional
        Time discarded before averaging; default ``10 x`` :func:`relaxation_time`.
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
        ``values``: ``eps``, ``current``/``current_err`` (per eps, shaped like ``eps``),
        ``current0``/``current0_err`` (eps = 0), ``excess``/``excess_err`` = ``J(eps) - J(0)``
        from the paired difference per realization; ``settings``: seed, dt, steps, burn-in,
        realizations, estimator, integrator, threads.

    Raises
    ------
    ValueError
        Invalid input (the message names the parameter).
    SimulationDiverged
        NaN or overflow in the trajectories (e.g. a sinh force with large eps, or dt too large
        for the nonlinear stiffness).

    References
    ----------
    Eqs. (2)-(3) and (14) of Defaveri & Anteneodo (2021); ERRATA D10.
    """
    import thermolib

    d = _check_diode(diode)
    T_A = _v.temperature("T_A", T_A)
    T_B = _v.temperature("T_B", T_B)
    if isinstance(eps, (bool, np.bool_)):
        raise ValueError(f"eps must be a real number or a sequence of real numbers, got {eps!r}")
    eps_arr = _v.real_array("eps", eps)
    if eps_arr.size == 0:
        raise ValueError("eps must be a number or a non-empty sequence of numbers, got an empty one")
    t = _v.positive("t", t)
    dt = default_dt(d) if dt is None else dt
    dt = _check_dt(d, dt)
    if burn_in is None:
        burn_in = BURN_IN_RELAXATION_TIMES * relaxation_time(d)
        if burn_in >= t:
            raise ValueError(f"t must be > burn_in; the default burn_in is {burn_in:.4g} "
                             f"(10 relaxation times), got t = {t!r}")
    burn_in = _v.nonnegative("burn_in", burn_in)
    if not t > burn_in:
        raise ValueError(f"t must be > burn_in, got t = {t!r}, burn_in = {burn_in!r}")
    realizations = _v.positive_int("realizations", realizations)
    if realizations < 2:
        raise ValueError(f"realizations must be >= 2 (for a standard error), got {realizations}")
    if not isinstance(samples, (bool, np.bool_)):
        raise ValueError(f"samples must be True or False, got {samples!r}")
    seed = _v.nonnegative_int("seed", seed)
    if seed >= 2**63:
        raise ValueError(f"seed must be an integer in [0, 2**63), got {seed}")
    n_burn = int(round(burn_in / dt))
    n_meas = int(round(t / dt)) - n_burn
    if n_meas < 1:
        raise ValueError(f"t - burn_in must hold at least one step of dt = {dt!r}, got t = {t!r}, "
                         f"burn_in = {burn_in!r}")

    # lanes: 0 is eps = 0, then the distinct non-zero eps values
    flat = eps_arr.ravel()
    nz = [float(e) for e in dict.fromkeys(flat.tolist()) if e != 0.0]
    lanes = np.array([0.0] + nz)
    lane_of = np.array([0 if e == 0.0 else 1 + nz.index(float(e)) for e in flat], dtype=np.int64)

    codeA, parA = _force_arrays(d.f_A)
    codeB, parB = _force_arrays(d.f_B)
    cA = math.exp(-d.gamma_A * dt / d.m_A)
    cB = math.exp(-d.gamma_B * dt / d.m_B)
    sA = math.sqrt((1.0 - cA * cA) * d.m_A * T_A)
    sB = math.sqrt((1.0 - cB * cB) * d.m_B * T_B)
    L = _initial_factor(d, T_A, T_B, dt)
    st = seed_states(seed, realizations)
    with np.errstate(all="ignore"):
        acc, status = _run(st, realizations, lanes, 1.0 / d.m_A, 1.0 / d.m_B, 0.5 * dt, cA, cB,
                           sA, sB, d.k_A + d.k_I, d.k_B + d.k_I, d.k_I, codeA, parA, codeB, parB,
                           L, n_burn, n_meas)
    if np.any(status != 0) or not np.all(np.isfinite(acc)):
        bad = [float(e) for e in lanes[1:]]
        raise SimulationDiverged(
            f"the diode simulation diverged (NaN or |x|, |p| > {_HUGE:g}) at eps in {bad}, "
            f"dt = {dt:.4g}, T_A = {T_A}, T_B = {T_B}: the force eps*f is too strong for this dt "
            f"or not confining (e.g. sinh/cosh potential at large eps); reduce eps or dt")

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
