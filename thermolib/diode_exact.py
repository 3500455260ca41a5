"""Exact steady current of the nonlinear two-particle diode, without Monte Carlo noise.

The stationary Kramers equation of the four-dimensional system (paper Eqs. (2)-(3)) is solved by
the Hermite-moment Galerkin method of :mod:`thermolib.kramers`, expanded around the
self-consistent Gaussian of :mod:`thermolib.diode_closure`, at increasing total degree ``N`` until
two successive degrees agree:

.. math:: |J_N - J_{N-\\Delta N}| \\le \\mathrm{rtol}\\,|J_N - J_0| + \\mathrm{atol}.

The tolerance is relative to the nonlinear part :math:`J - J_0` of the current, the quantity the
book studies (it is far more demanding than a tolerance relative to :math:`J`). The returned
:class:`ExactSolution` carries the achieved accuracy (``error``, the last difference) and the
history; when the largest allowed degree is reached first, :class:`ExactSolverError` is raised
(or, with ``strict=False``, an :class:`ExactSolverWarning` is emitted and ``converged`` is False).

Why this method: at ``eps = 0`` the density is exactly the Gaussian :math:`N(0, C)`, so a Hermite
basis on that Gaussian represents it with one function and every truncation reproduces
:math:`J_0 = \\kappa_0 (T_A - T_B)` exactly; the generator maps polynomial x Gaussian into itself
for polynomial forces (a sparse, banded matrix), and the nonlinear corrections are smooth and
decay fast in the Hermite degree. Risken's matrix continued fractions need a small basis in all
but one variable, which two coupled oscillators do not offer; a finite-volume grid in four
dimensions would need ~10^8 cells for the same accuracy.

References
----------
H. Risken, *The Fokker-Planck Equation*, Springer (1989), Ch. 10; J. Shen, T. Tang, L.-L. Wang,
*Spectral Methods*, Springer (2011), Ch. 7; Defaveri & Anteneodo (2021), Eqs. (2)-(3), (14).
"""
from __future__ import annotations

import math
import time
import warnings
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from . import _validation as _v
from . import kramers as _k
from .diode_closure import ClosureError, GaussianClosure, gaussian_closure

__all__ = ["ExactSolution", "ExactSolverError", "ExactSolverWarning", "ExactGrid", "exact_solution",
           "galerkin_solution", "exact_current", "exact_currents", "exact_rectification",
           "convergence_study",
           "DIRECT_MAX_ORDER", "ITERATIVE_MAX_ORDER"]

#: largest total degree for the sparse LU (order 28: ~19 000 unknowns, ~5e7 non-zeros in the factors)
DIRECT_MAX_ORDER = 28
#: largest total degree for the preconditioned GMRES (order 40: ~68 000 unknowns)
ITERATIVE_MAX_ORDER = 40


class ExactSolverError(ArithmeticError):
    """The Galerkin solution did not converge to the requested tolerance."""


class ExactSolverWarning(UserWarning):
    """An unconverged exact current is returned (``strict=False``)."""


@dataclass(frozen=True)
class ExactSolution:
    """Stationary state of the nonlinear diode from :func:`exact_solution`.

    Attributes
    ----------
    current : float
        :math:`J = k_I\\langle (x_A - x_B)p_A\\rangle/m_A` at the largest degree ``order``.
    error : float
        :math:`|J_N - J_{N - \\Delta N}|`, the achieved accuracy (nan for a single degree).
    converged : bool
        ``error <= tolerance``.
    tolerance : float
        ``rtol * |J - J0| + atol``.
    order, size : int
        Total Hermite degree ``N`` and number of unknowns of the returned solution.
    history : tuple of (order, size, current, seconds)
        Every degree solved, in order.
    method : str
        ``"direct"`` (sparse LU) or ``"iterative"`` (preconditioned GMRES) at ``order``.
    reference : GaussianClosure or None
        The Gaussian the basis is built on (None: the eps = 0 Gaussian was used).
    seconds : float
        Wall time of the whole solve.
    T_A, T_B, eps : float
        The state point.
    moments, mean, chol, even
        Hermite moments and the reference Gaussian (for :meth:`expectation`, :meth:`density_x_A`).
    """

    current: float
    error: float
    converged: bool
    tolerance: float
    order: int
    size: int
    history: tuple
    method: str
    reference: GaussianClosure | None
    seconds: float
    T_A: float
    T_B: float
    eps: float
    moments: np.ndarray = field(repr=False)
    mean: np.ndarray = field(repr=False)
    chol: np.ndarray = field(repr=False)
    even: bool = field(repr=False, default=True)

    def _basis(self):
        return _k.HermiteBasis(self.order, self.even)

    def expectation(self, k_xA=0, k_xB=0, k_pA=0, k_pB=0) -> float:
        """:math:`\\langle x_A^{k_1} x_B^{k_2} p_A^{k_3} p_B^{k_4}\\rangle` (total power <= ``order``)."""
        powers = tuple(_v.nonnegative_int(n, k) for n, k in
                       (("k_xA", k_xA), ("k_xB", k_xB), ("k_pA", k_pA), ("k_pB", k_pB)))
        if sum(powers) > self.order:
            raise ValueError(f"the total power must be <= order = {self.order}, got {sum(powers)}")
        return _k.expectation(self.moments, self._basis(), self.mean, self.chol, powers)

    @property
    def covariance(self) -> np.ndarray:
        """Covariance of ``(x_A, x_B, p_A, p_B)`` (from the degree <= 2 moments)."""
        mu = np.array([self.expectation(*np.eye(4, dtype=int)[i]) for i in range(4)])
        C = np.empty((4, 4))
        for i in range(4):
            for j in range(i, 4):
                C[i, j] = C[j, i] = self.expectation(*(np.eye(4, dtype=int)[i]
                                                       + np.eye(4, dtype=int)[j])) - mu[i] * mu[j]
        return C

    def density_x_A(self, x) -> np.ndarray:
        """Marginal density of :math:`x_A` of the truncated solution at the points ``x``."""
        x = _v.real_array("x", x)
        s = self.chol[0, 0]
        u = (x - self.mean[0]) / s
        basis = self._basis()
        idx = [basis.index((r, 0, 0, 0)) for r in range(self.order + 1)]
        coef = np.array([self.moments[i] if i >= 0 else 0.0 for i in idx])
        H = _k.hermite_functions(u.ravel(), np.ones(u.size), self.order)
        out = np.exp(-0.5 * u.ravel() ** 2) / math.sqrt(2 * math.pi) * (coef @ H) / s
        return out.reshape(u.shape)


# ============================================================================ one degree
def _check_confining(diode, eps):
    for name in ("f_A", "f_B"):
        f = getattr(diode, name)
        if f.is_zero or eps == 0.0:
            continue
        c = _k.polynomial_coefficients(f)
        if c is not None:
            nz = np.flatnonzero(c)
            top = int(nz[-1]) if nz.size else 0
            if top >= 2 and (top % 2 == 0 or eps * c[top] > 0):
                raise ValueError(
                    f"eps * {name} is not confining (leading term {eps * c[top]:+.3g} z^{top}): the "
                    f"diode has no stationary state; the exact solver needs a restoring leading term")
        elif type(f).__name__ == "Cosh" and eps * f.A < 0:
            raise ValueError(f"eps * {name} = {eps * f.A:+.3g} sinh(K z) pushes outwards faster than "
                             f"any spring: the diode has no stationary state")


def _method(diode, method):
    if method not in ("auto", "direct", "iterative"):
        raise ValueError(f"method must be 'auto', 'direct' or 'iterative', got {method!r}")
    if method != "auto":
        return method
    # GMRES needs few iterations when the force is a bounded perturbation of the linear part (sine
    # or linear); polynomial and sinh forces grow with the Hermite degree: sparse LU
    def bounded(f):
        c = _k.polynomial_coefficients(f)
        return c is None and type(f).__name__ == "Cosine" or c is not None and len(c) <= 2 \
            or c is not None and not np.any(c[2:])

    return "iterative" if bounded(diode.f_A) and bounded(diode.f_B) else "direct"


def _reference(diode, T_A, T_B, eps):
    """The self-consistent Gaussian, or the eps = 0 Gaussian when no closure exists."""
    try:
        ref = gaussian_closure(diode, T_A, T_B, eps)
        return ref, ref.mean, ref.covariance
    except ClosureError:
        return None, np.zeros(4), diode.covariance(T_A, T_B)


def galerkin_solution(diode, T_A, T_B, eps, order, *, method="auto", _ref=None):
    """Hermite-moment solution at one total degree ``order`` (no convergence check).

    Returns ``(current, moments, size, method_used, residual, (reference, mean, chol))``.
    """
    ref, mean, C = _ref if _ref is not None else _reference(diode, T_A, T_B, eps)
    chol = np.linalg.cholesky(C)
    even = _k.is_odd(diode.f_A) and _k.is_odd(diode.f_B)
    basis = _k.HermiteBasis(order, even)
    A, Bn = diode.linear_system()
    D = Bn @ np.diag([T_A, T_B]) @ Bn.T
    G = _k.generator_matrix(A, D, mean, chol, [(0, diode.f_A, eps), (1, diode.f_B, eps)], basis)
    use = _method(diode, method)
    m, res = _k.solve_moments(G, basis, use)
    if m is None and method == "auto":
        use = "direct"
        m, res = _k.solve_moments(G, basis, use)
    if m is None:
        raise ExactSolverError(f"GMRES did not converge at order {order} (relative residual "
                               f"{res:.1e}); use method='direct'")
    xp = _k.expectation(m, basis, mean, chol, (1, 0, 1, 0))
    yp = _k.expectation(m, basis, mean, chol, (0, 1, 1, 0))
    J = diode.k_I * (xp - yp) / diode.m_A
    return J, m, basis.size, use, res, (ref, mean, chol, even)


# ============================================================================ converged
def exact_solution(diode, T_A, T_B, eps, *, rtol=1e-6, atol=None, start=8, step=4,
                   max_order=None, method="auto", strict=True) -> ExactSolution:
    """Exact stationary current of the nonlinear diode (Hermite-moment Galerkin, converged in N).

    Parameters
    ----------
    diode : thermolib.Diode
        Parameters and forces (power, polynomial, linear, cosine, cosh).
    T_A, T_B : float
        Bath temperatures, >= 0, not both 0.
    eps : float
        Strength of the nonlinear forces (any sign for which they confine).
    rtol, atol : float
        Convergence test :math:`|J_N - J_{N-\\mathrm{step}}| \\le \\mathrm{rtol}|J_N - J_0| + \\mathrm{atol}`;
        default ``atol = 1e-12 * kappa0 * max(T_A, T_B)``, the round-off level of the current,
        which only matters where :math:`J - J_0` itself is that small (e.g. at :math:`T_A = T_B`).
    start, step, max_order : int
        Degrees tried: ``start, start + step, ...`` up to ``max_order`` (default
        :data:`DIRECT_MAX_ORDER` or :data:`ITERATIVE_MAX_ORDER` according to the solver).
    method : {"auto", "direct", "iterative"}
        ``auto``: preconditioned GMRES for bounded forces (cosine, linear), sparse LU otherwise.
    strict : bool
        If True (default) raise :class:`ExactSolverError` when not converged; else warn.

    Returns
    -------
    ExactSolution
    """
    _v.require_kind(diode, "diode", "thermolib.Diode", name="diode")
    T_A = _v.temperature("T_A", T_A)
    T_B = _v.temperature("T_B", T_B)
    if T_A == 0.0 and T_B == 0.0:
        raise ValueError("T_A and T_B must not both be 0 (the stationary state is then a point and "
                         "J = 0 trivially)")
    eps = _v.real("eps", eps)
    rtol = _v.positive("rtol", rtol)
    k0 = diode.kappa0()
    atol = 1e-12 * k0 * max(T_A, T_B) if atol is None else _v.nonnegative("atol", atol)
    start = _v.positive_int("start", start)
    step = _v.positive_int("step", step)
    strict = _v.boolean("strict", strict)
    use = _method(diode, method)
    cap = DIRECT_MAX_ORDER if use == "direct" else ITERATIVE_MAX_ORDER
    max_order = cap if max_order is None else _v.positive_int("max_order", max_order)
    if max_order < start + step:
        raise ValueError(f"max_order must be >= start + step = {start + step} (two degrees are "
                         f"needed for an error estimate), got {max_order}")
    _check_confining(diode, eps)
    t0 = time.perf_counter()
    J0 = k0 * (T_A - T_B)
    ref = _reference(diode, T_A, T_B, eps)
    history, prev, err, tol = [], None, math.nan, math.nan
    order = start
    while order <= max_order:
        t1 = time.perf_counter()
        J, m, size, used, res, (gauss, mean, chol, even) = galerkin_solution(
            diode, T_A, T_B, eps, order, method=method, _ref=ref)
        history.append((order, size, float(J), time.perf_counter() - t1))
        if prev is not None:
            err = abs(J - prev)
            tol = rtol * abs(J - J0) + atol
            if err <= tol:
                break
        prev = J
        order += step
    else:
        order -= step
    converged = bool(err <= tol)
    sol = ExactSolution(current=float(J), error=float(err), converged=converged, tolerance=float(tol),
                        order=order, size=size, history=tuple(history), method=used,
                        reference=gauss, seconds=time.perf_counter() - t0, T_A=T_A, T_B=T_B,
                        eps=eps, moments=m, mean=mean, chol=chol, even=even)
    if not converged:
        msg = (f"the exact current did not converge at T_A = {T_A}, T_B = {T_B}, eps = {eps}: "
               f"|J_N - J_(N-{step})| = {err:.2e} > tolerance {tol:.2e} at the largest order "
               f"N = {order} (J = {J:.10g}); raise max_order, loosen rtol/atol, or use "
               f"strict=False to get this value with its error")
        if strict:
            raise ExactSolverError(msg)
        warnings.warn(msg, ExactSolverWarning, stacklevel=2)
    return sol


def exact_current(diode, T_A, T_B, eps, **solver_options) -> float:
    """Converged exact current :math:`J(T_A, T_B, \\varepsilon)`; options of :func:`exact_solution`."""
    return exact_solution(diode, T_A, T_B, eps, **solver_options).current


def exact_rectification(diode, T_h, T_c, eps, **solver_options) -> float:
    """Exact rectification :math:`\\chi = \\big||J_{AB}| - |J_{BA}|\\big| / [(|J_{AB}| + |J_{BA}|)/2]`
    (paper Eq. (24), the definition) with :math:`J_{AB} = J(T_h, T_c)`, :math:`J_{BA} = J(T_c, T_h)`."""
    T_h = _v.temperature("T_h", T_h)
    T_c = _v.temperature("T_c", T_c)
    if T_h == T_c:
        raise ValueError(f"T_h and T_c must differ (chi is 0/0 at T_h = T_c = {T_h})")
    a = abs(exact_current(diode, T_h, T_c, eps, **solver_options))
    b = abs(exact_current(diode, T_c, T_h, eps, **solver_options))
    return abs(a - b) / (0.5 * (a + b))


class ExactGrid(NamedTuple):
    """Exact currents on a grid (:func:`exact_currents`), all arrays of the broadcast shape."""

    current: np.ndarray
    error: np.ndarray  # achieved accuracy |J_N - J_(N - step)| of each point
    order: np.ndarray  # Hermite degree of each point
    seconds: np.ndarray  # wall time of each point


def exact_currents(diode, T_A, T_B, eps, **solver_options) -> ExactGrid:
    """:func:`exact_solution` at every point of the broadcast ``(T_A, T_B, eps)`` (e.g. a curve or
    a map, to be cached as one result); each point must converge (options as there)."""
    T_A, T_B, eps = np.broadcast_arrays(_v.real_array("T_A", T_A, lo=0.0),
                                        _v.real_array("T_B", T_B, lo=0.0), _v.real_array("eps", eps))
    out = np.empty((4,) + T_A.shape)
    for idx in np.ndindex(T_A.shape):
        s = exact_solution(diode, float(T_A[idx]), float(T_B[idx]), float(eps[idx]), **solver_options)
        out[(slice(None),) + idx] = (s.current, s.error, s.order, s.seconds)
    return ExactGrid(out[0], out[1], out[2].astype(int), out[3])


def convergence_study(diode, T_A, T_B, eps, orders, *, method="auto"):
    """The Galerkin current at each total degree in ``orders``, with the cost of each solve.

    Returns an array of rows ``(order, unknowns, current, cpu_seconds)`` (CPU time of this process
    for assembly and solve, one core: SuperLU and the assembly are single-threaded).
    """
    _v.require_kind(diode, "diode", "thermolib.Diode", name="diode")
    T_A = _v.temperature("T_A", T_A)
    T_B = _v.temperature("T_B", T_B)
    eps = _v.real("eps", eps)
    orders = [_v.positive_int("orders", n) for n in orders]
    _check_confining(diode, eps)
    ref = _reference(diode, T_A, T_B, eps)
    rows = []
    for N in orders:
        t0 = time.process_time()
        J, m, size, used, res, _ = galerkin_solution(diode, T_A, T_B, eps, N, method=method,
                                                     _ref=ref)
        rows.append((N, size, J, time.process_time() - t0))
    return np.array(rows)
