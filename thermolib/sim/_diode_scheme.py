"""The diode's BAOAB scheme at eps = 0 as an exact linear map: its stationary law and current.

At ``eps = 0`` one BAOAB step (see :mod:`thermolib.sim.diode`) is a linear map
:math:`s' = M s + G\\,\\mathrm{diag}(\\sqrt{T_A}, \\sqrt{T_B})\\,\\xi` of :math:`s = (x_A, x_B, p_A, p_B)`,
so the stationary covariance of the *discrete* chain solves a discrete Lyapunov equation and its
current -- the exact mean of the simulator's estimator -- is known. Its distance from
:math:`\\kappa_0 (T_A - T_B)` is the time-step bias (weak order 2: it grows like ``dt**2``), which
the simulator uses to warn about a coarse ``dt`` and the chapters to choose one. The discrete
stationary law also gives the simulator its initial conditions.

The public names are re-exported by :mod:`thermolib.sim.diode`.
"""
from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from .. import _validation as _v
from ..diode import Diode
from .contract import require_model

__all__ = ["baoab_matrices", "baoab_stationary_covariance", "baoab_current", "baoab_current_bias",
           "CurrentBias", "ExcessBias", "excess_bias", "current_of", "relative_bias", "factor",
           "stiffness"]


class CurrentBias(NamedTuple):
    """Exact time-step bias of the eps = 0 current of the BAOAB scheme."""

    discrete: float  # exact stationary current of the discrete scheme
    continuous: float  # kappa0 (T_A - T_B)
    absolute: float  # discrete - continuous
    relative: float  # absolute / continuous (the same at every T_A != T_B, also given at T_A = T_B)


def stiffness(d: Diode) -> np.ndarray:
    """The stiffness matrix :math:`\\begin{pmatrix} k_A + k_I & -k_I \\\\ -k_I & k_B + k_I\\end{pmatrix}`."""
    return np.array([[d.k_A + d.k_I, -d.k_I], [-d.k_I, d.k_B + d.k_I]])


def baoab_matrices(diode, dt):
    """One BAOAB step at eps = 0 as a linear map of ``s = (x_A, x_B, p_A, p_B)``.

    Returns ``(M, G)`` with ``s' = M s + G diag(sqrt(T_A), sqrt(T_B)) xi``, ``xi ~ N(0, I_2)``:
    ``M = B A O A B`` and ``G = (B A)[:, p] diag(sqrt((1 - c_j^2) m_j))``.
    """
    d = require_model(diode, Diode, "diode")
    dt = _v.positive("dt", dt)
    h = 0.5 * dt
    I2, Z2 = np.eye(2), np.zeros((2, 2))
    B = np.block([[I2, Z2], [-h * stiffness(d), I2]])
    A = np.block([[I2, h * np.diag([1.0 / d.m_A, 1.0 / d.m_B])], [Z2, I2]])
    c = np.exp(-dt * np.array([d.gamma_A / d.m_A, d.gamma_B / d.m_B]))
    O = np.block([[I2, Z2], [Z2, np.diag(c)]])
    with np.errstate(all="ignore"):
        M = B @ A @ O @ A @ B
        G = (B @ A)[:, 2:] @ np.diag(np.sqrt((1.0 - c * c) * np.array([d.m_A, d.m_B])))
    _v.finite_result("one BAOAB step", (M, G), f"dt = {dt!r}")
    return M, G


def baoab_stationary_covariance(diode, T_A, T_B, dt) -> np.ndarray:
    """Exact stationary covariance of ``(x_A, x_B, p_A, p_B)`` of the BAOAB chain at eps = 0.

    Solves the discrete Lyapunov equation :math:`C = M C M^T + G\\,\\mathrm{diag}(T_A, T_B)\\,G^T`
    (``scipy.linalg.solve_discrete_lyapunov``), sampled after full steps. Raises ``ValueError``
    when ``dt`` is beyond the scheme's stability limit (no stationary law) or the solution is not
    finite.
    """
    from scipy.linalg import solve_discrete_lyapunov

    d = require_model(diode, Diode, "diode")
    T_A = _v.temperature("T_A", T_A)
    T_B = _v.temperature("T_B", T_B)
    M, G = baoab_matrices(d, dt)
    with np.errstate(all="ignore"):
        rho = float(np.max(np.abs(np.linalg.eigvals(M)))) if np.all(np.isfinite(M)) else math.nan
        if not rho < 1.0:
            raise ValueError(f"dt = {dt!r} is beyond the stability limit of the scheme for this diode "
                             f"(spectral radius of one step {rho:.6g} >= 1): no stationary law")
        C = solve_discrete_lyapunov(M, G @ np.diag([T_A, T_B]) @ G.T)
    _v.finite_result("the stationary covariance of the scheme", C, f"dt = {dt!r}")
    return 0.5 * (C + C.T)


def baoab_current(diode, T_A, T_B, dt) -> float:
    """Exact stationary eps = 0 current of the BAOAB scheme with the simulator's estimator,
    :math:`\\tfrac{k_I}{2}\\langle (x_A - x_B)(p_A/m_A + p_B/m_B)\\rangle` at full steps."""
    d = require_model(diode, Diode, "diode")
    return current_of(d, baoab_stationary_covariance(d, T_A, T_B, dt))


def current_of(d: Diode, C) -> float:
    """The estimator's mean :math:`\\tfrac{k_I}{2}\\langle (x_A - x_B)(p_A/m_A + p_B/m_B)\\rangle`
    under the covariance ``C`` of ``(x_A, x_B, p_A, p_B)``."""
    ja = (C[0, 2] - C[1, 2]) / d.m_A
    jb = (C[0, 3] - C[1, 3]) / d.m_B
    return float(0.5 * d.k_I * (ja + jb))


def baoab_current_bias(diode, T_A, T_B, dt) -> CurrentBias:
    """Time-step bias of the simulated eps = 0 current: exact discrete vs :math:`\\kappa_0(T_A - T_B)`.

    Weak order 2: the relative bias grows like ``dt**2`` (Fig. 2 parameters: ~1.3e-5 at
    ``dt = 0.01``, 5.2e-5 at 0.02, 3.3e-4 at 0.05). It does not depend on the temperatures (both
    currents are proportional to ``T_A - T_B``), so ``relative`` is also given at ``T_A = T_B``.
    """
    d = require_model(diode, Diode, "diode")
    C = baoab_stationary_covariance(d, T_A, T_B, dt)
    J = current_of(d, C)
    J0 = d.kappa0() * (float(T_A) - float(T_B))
    return CurrentBias(J, J0, J - J0, relative_bias(d, dt, T_A, T_B, C))


def relative_bias(d: Diode, dt: float, T_A=1.0, T_B=0.0, C=None) -> float:
    """``baoab_current / (kappa0 (T_A - T_B)) - 1``: the same at every temperature pair (both
    currents are linear in the temperatures and vanish at equal ones), so it may be read off a
    covariance ``C`` already solved at ``(T_A, T_B)``, ``T_A != T_B``."""
    if C is None or T_A == T_B:
        T_A, T_B, C = 1.0, 0.0, baoab_stationary_covariance(d, 1.0, 0.0, dt)
    return current_of(d, C) / (d.kappa0() * (T_A - T_B)) - 1.0


class ExcessBias(NamedTuple):
    """Time-step bias of the simulated :math:`J(\\varepsilon) - J(0)` (:func:`excess_bias`)."""

    estimate: float  # delta, exact at O(eps) (and for linear forces)
    bound: float  # 2 |delta| + max(|b_0|, |b_G|) |J - J_G|
    relative_0: float  # b_0, relative bias of the eps = 0 current (exact)
    relative_G: float  # b_G, relative bias of the closure's linear diode (exact)


def excess_bias(diode, T_A, T_B, eps, dt, current=None) -> ExcessBias:
    """Time-step bias of the simulated :math:`J(\\varepsilon) - J(0)`: an estimate and a bound.

    The simulator's paired difference has the mean :math:`J_{\\Delta t}(\\varepsilon) - J_{\\Delta t}(0)`,
    where :math:`J_{\\Delta t}` is the stationary current of the discrete scheme, so its bias is
    :math:`b(\\varepsilon) = [J_{\\Delta t}(\\varepsilon) - J(\\varepsilon)] - [J_{\\Delta t}(0) - J_0]`.

    *First order.* The second moments of a linear scheme (continuous or discrete) couple to the
    force only through :math:`\\langle s\\,f_j(x_j)\\rangle`, which in the Gaussian stationary law
    of :math:`\\varepsilon = 0` is :math:`g_j(v_j)\\,\\mathrm{Cov}(s, x_j)` (Stein's lemma). To first
    order in :math:`\\varepsilon` each therefore responds as to the stiffness shift
    :math:`k_j \\to k_j - \\varepsilon g_j`, with :math:`g_j` at *its own* variance: :math:`v_j`
    for the dynamics, the variance :math:`v_j^{\\Delta t}` of the discrete chain (at full steps,
    where BAOAB evaluates the force) for the simulation.

    *Estimate.* The self-consistent Gaussian closure
    (:func:`thermolib.diode_closure.gaussian_closure`) gives the stiffnesses
    :math:`k_j^\\mathrm{eff} = k_j - \\varepsilon g_j(v_j)` of a linear diode with the current
    :math:`J_G`; the discrete chain of that diode has the variances :math:`v_j^{\\Delta t}`, and
    :math:`k_j^{\\Delta t} = k_j - \\varepsilon g_j(v_j^{\\Delta t})`. With exact discrete and
    continuous currents of linear diodes,

    .. math::

        \\delta = \\big[J_{\\Delta t}(k^{\\Delta t}) - J_G\\big] - \\big[J_{\\Delta t}(k) - J_0\\big],
        \\qquad |b(\\varepsilon)| \\le 2|\\delta| + \\max(|b_0|, |b_G|)\\,|J - J_G| ,

    :math:`\\delta` is exact at :math:`O(\\varepsilon)` and, for a linear force, at every
    :math:`\\varepsilon`. The bound allows the higher orders of the Gaussian part to change it by
    its own size and lets the part of the current that the closure misses, :math:`J - J_G`, be
    biased at the larger relative rate :math:`b_0` or :math:`b_G` of the two linear diodes
    (:math:`\\varepsilon = 0` and :math:`k^\\mathrm{eff}`). Both terms grow like ``dt**2``.

    Parameters
    ----------
    diode : thermolib.Diode
    T_A, T_B : float
        Bath temperatures.
    eps : float
        Strength of the nonlinear forces.
    dt : float
        The simulation's time step (``SimResult.settings["dt"]``).
    current : float, optional
        The exact :math:`J(\\varepsilon)` (:meth:`~thermolib.Diode.exact_current`); computed if omitted.

    Returns
    -------
    ExcessBias
        ``estimate`` (:math:`\\delta`), ``bound``, ``relative_0`` (:math:`b_0`) and ``relative_G``
        (:math:`b_G`).
    """
    from ..diode_closure import gaussian_closure

    d = require_model(diode, Diode, "diode")
    T_A = _v.temperature("T_A", T_A)
    T_B = _v.temperature("T_B", T_B)
    eps = _v.real("eps", eps)
    dt = _v.positive("dt", dt)
    zero = baoab_current_bias(d, T_A, T_B, dt)
    if eps == 0.0:
        return ExcessBias(0.0, 0.0, zero.relative, zero.relative)
    G = gaussian_closure(d, T_A, T_B, eps)
    lin = d.replace(k_A=G.k_eff[0], k_B=G.k_eff[1], f_A=None, f_B=None)
    closure = baoab_current_bias(lin, T_A, T_B, dt)  # b_G
    C_dt = baoab_stationary_covariance(lin, T_A, T_B, dt)
    with np.errstate(all="ignore"):
        k_dt = [k - eps * float(f.g(C_dt[j, j])) for j, (k, f) in
                enumerate(((d.k_A, d.f_A), (d.k_B, d.f_B)))]
    J_dt = baoab_current(d.replace(k_A=k_dt[0], k_B=k_dt[1], f_A=None, f_B=None), T_A, T_B, dt)
    J = d.exact_current(T_A, T_B, eps) if current is None else _v.real("current", current)
    delta = (J_dt - G.current) - zero.absolute
    bound = 2.0 * abs(delta) + max(abs(zero.relative), abs(closure.relative)) * abs(J - G.current)
    return ExcessBias(float(delta), float(bound), zero.relative, closure.relative)


def factor(C) -> np.ndarray:
    """A factor ``L`` with ``L L^T = C`` (eigen-based, so a singular C, e.g. at T = 0, is fine)."""
    w, V = np.linalg.eigh(C)
    return np.ascontiguousarray(V * np.sqrt(np.clip(w, 0.0, None)))
