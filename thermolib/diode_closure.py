"""Self-consistent Gaussian closure (statistical linearization) of the nonlinear diode.

Replace each nonlinear force by its best Gaussian-linear fit (Kazakov; Roberts & Spanos):

.. math::

    \\varepsilon f_j(x_j) \\;\\to\\; \\varepsilon\\big[\\langle f_j\\rangle + g_j\\,(x_j - \\mu_j)\\big],
    \\qquad \\langle f_j\\rangle = \\mathbb E f_j(X_j),\\quad g_j = \\mathbb E f_j'(X_j),\\quad
    X_j \\sim N(\\mu_j, v_j),

i.e. a stiffness shift :math:`k_j \\to k_j - \\varepsilon g_j(v_j)` (and a constant force, which
vanishes for odd forces), and require the Gaussian to be the stationary law of the linear system
so obtained: the means solve :math:`A_\\mathrm{eff}\\mu + \\varepsilon\\,b = 0` and the covariance the
Lyapunov equation :math:`A_\\mathrm{eff} C + C A_\\mathrm{eff}^T + D = 0`, with
:math:`v_j = C_{jj}`. The closure's current is that of the linear system,
:math:`J_G = k_I\\langle(x_A - x_B)p_A\\rangle/m_A`.

At first order in :math:`\\varepsilon` the variances are the zeroth-order ones, so
:math:`J_G = J_0 + \\varepsilon J_1 + O(\\varepsilon^2)` exactly (ERRATA D4: first order *is* the
stiffness shift at the zeroth-order variance); beyond first order the closure lets the stiffness
shift feed back on the variances (a stiffening force narrows the distribution and so weakens its
own shift). :math:`g_j` uses the forces' own ``g`` (Table I of the paper) for odd forces and
Gauss-Hermite quadrature of Stein's identity :math:`\\mathbb E f'(X) = \\mathbb E[(X - \\mu) f(X)]/v`
otherwise.

References
----------
J. B. Roberts, P. D. Spanos, *Random Vibration and Statistical Linearization*, Wiley (1990);
I. E. Kazakov, Automation and Remote Control 17, 423 (1956). Defaveri & Anteneodo (2021), Eq. (A31).
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np

from . import _validation as _v

__all__ = ["GaussianClosure", "gaussian_closure", "gaussian_moments", "ClosureError", "MAX_SHIFT"]

#: Largest first-order stiffness shift :math:`|\\varepsilon g_j(v_j^{(0)})|/(k_j + k_I)` (at the
#: zeroth-order variances) accepted by :func:`gaussian_closure`. Up to it every fixed point the
#: solver reports is self-consistent to 1e-10 (a scan over polynomial and cosine forces,
#: eps = 0.01-1, temperatures 0.01-1e13), though from ~1e8 on it ever more often finds none
#: (ClosureError); beyond it the points it reports drift away from self-consistency (relative
#: error 6e-9 at a shift of 3e11, order 1 at 1e23, a negative variance at 1e251).
MAX_SHIFT = 1e10


class ClosureError(ArithmeticError, ValueError):
    """No stable self-consistent Gaussian exists (or the fixed point was not found) at these
    temperatures and ``eps``; the message names them. Also a ``ValueError``, like every refusal of
    parameter values in thermolib: ``except ValueError`` catches it."""


@dataclass(frozen=True)
class GaussianClosure:
    """Result of :func:`gaussian_closure`.

    Attributes
    ----------
    mean : (4,) array
        :math:`(\\mu_A, \\mu_B, 0, 0)`.
    covariance : (4, 4) array
        Stationary covariance of ``(x_A, x_B, p_A, p_B)`` of the linearized system.
    k_eff : (float, float)
        Effective stiffnesses :math:`k_j - \\varepsilon g_j`.
    g : (float, float)
        :math:`g_j = \\langle f_j'\\rangle` at the self-consistent variances.
    current : float
        :math:`J_G = k_I \\langle (x_A - x_B) p_A\\rangle / m_A`.
    iterations : int
        Function evaluations of the fixed-point solver.
    drift, diffusion : (4, 4) arrays
        The linearized system: ``Diode.linear_system`` with the effective stiffnesses, and
        ``diag(0, 0, 2 gamma_A T_A, 2 gamma_B T_B)``.
    """

    mean: np.ndarray
    covariance: np.ndarray
    k_eff: tuple
    g: tuple
    current: float
    iterations: int
    drift: np.ndarray
    diffusion: np.ndarray


def gaussian_moments(force, mu: float, var: float):
    """:math:`(\\mathbb E f(X), \\mathbb E f'(X))` for :math:`X \\sim N(\\mu, v)`.

    Odd forces at :math:`\\mu = 0`: ``(0, force.g(v))`` (Table I). Otherwise 120-point Gauss-Hermite
    quadrature of ``f`` and of Stein's identity :math:`\\mathbb E f' = \\mathbb E[(X-\\mu)f(X)]/v` (exact
    for polynomials up to degree 239; for ``sin``/``sinh`` of frequency ``K`` accurate while
    :math:`K^2 v \\lesssim 100`).
    """
    from .kramers import is_odd

    if mu == 0.0 and is_odd(force):
        return 0.0, float(force.g(var))
    from scipy.special import roots_hermitenorm

    x, w = roots_hermitenorm(120)
    w = w / math.sqrt(2.0 * math.pi)
    sd = math.sqrt(var)
    fx = np.asarray(force.f(mu + sd * x), dtype=float)
    mean_f = float(np.dot(w, fx))
    if var == 0.0:
        h = 1e-6 * max(1.0, abs(mu))
        return mean_f, float((force.f(mu + h) - force.f(mu - h)) / (2 * h))
    return mean_f, float(np.dot(w, x * fx) / sd)


def _drift(diode, kA, kB):
    A, B = diode.linear_system()
    A = A.copy()
    A[2, 0] = -(kA + diode.k_I)
    A[3, 1] = -(kB + diode.k_I)
    return A


def _stationary(diode, kA, kB, D, const):
    """Mean and covariance of the linear system with stiffnesses kA, kB and constant forces."""
    from scipy.linalg import solve_continuous_lyapunov

    A = _drift(diode, kA, kB)
    if np.any(np.linalg.eigvals(A).real >= 0):
        return None
    C = solve_continuous_lyapunov(A, -D)
    C = 0.5 * (C + C.T)
    # mean: 0 = A mu + (0, 0, c_A, c_B)
    mu = np.linalg.solve(A, -np.array([0.0, 0.0, const[0], const[1]]))
    return mu, C


def gaussian_closure(diode, T_A, T_B, eps, *, tol: float = 1e-13) -> GaussianClosure:
    """Self-consistent Gaussian (statistical linearization) of the diode at ``(T_A, T_B, eps)``.

    Solves for :math:`(\\mu_A, \\mu_B, v_A, v_B)` with :func:`scipy.optimize.root` (hybrid Powell),
    by continuation in :math:`\\varepsilon` from the exact linear solution at ``eps = 0`` when a
    direct solve fails. Raises :class:`ClosureError` if the linearized system loses stability or
    no fixed point is found, and before any work where the first-order stiffness shift exceeds
    :data:`MAX_SHIFT` times :math:`k_j + k_I` (temperatures or ``eps`` far outside the range the
    fixed point is resolved in).
    """
    from scipy.optimize import root

    _v.require_kind(diode, "diode", "thermolib.Diode", name="diode")
    T_A = _v.temperature("T_A", T_A)
    T_B = _v.temperature("T_B", T_B)
    eps = _v.real("eps", eps)
    A0, Bn = diode.linear_system()
    D = Bn @ np.diag([T_A, T_B]) @ Bn.T
    fA, fB = diode.f_A, diode.f_B
    C0 = diode.covariance(T_A, T_B)
    _require_resolvable_shift(diode, C0, T_A, T_B, eps)
    odd = _odd(diode)
    calls = [0]

    def evaluate(z, e):
        """z = (v_A, v_B) or (mu_A, mu_B, v_A, v_B) -> mapped values and the state."""
        mu = (0.0, 0.0) if odd else (z[0], z[1])
        v = z[-2:]
        if v[0] < 0 or v[1] < 0:
            return None
        cA, gA = gaussian_moments(fA, mu[0], v[0]) if not fA.is_zero else (0.0, 0.0)
        cB, gB = gaussian_moments(fB, mu[1], v[1]) if not fB.is_zero else (0.0, 0.0)
        kA, kB = diode.k_A - e * gA, diode.k_B - e * gB
        # constant part of eps f: eps (<f> - g mu)
        st = _stationary(diode, kA, kB, D, (e * (cA - gA * mu[0]), e * (cB - gB * mu[1])))
        calls[0] += 1
        return None if st is None else (st, (kA, kB), (gA, gB))

    def residual(z, e):
        out = evaluate(z, e)
        if out is None:
            return np.full(len(z), 1e6)
        (mu, C), _, _ = out
        new = [C[0, 0], C[1, 1]] if odd else [mu[0], mu[1], C[0, 0], C[1, 1]]
        scale = np.array([1.0] * (len(z) - 2) + [C0[0, 0], C0[1, 1]]) if not odd else \
            np.array([C0[0, 0], C0[1, 1]])
        return (np.asarray(new) - z) / scale

    z = np.array([C0[0, 0], C0[1, 1]]) if odd else np.array([0.0, 0.0, C0[0, 0], C0[1, 1]])
    if eps != 0.0:
        steps = [eps]
        for attempt in range(4):
            zz, ok = z.copy(), True
            for e in steps:
                sol = root(residual, zz, args=(e,), method="hybr", tol=tol)
                if not sol.success or np.max(np.abs(residual(sol.x, e))) > 1e-10:
                    ok = False
                    break
                zz = sol.x
            if ok:
                z = zz
                break
            steps = list(np.linspace(0.0, eps, 4 * 2**attempt + 1)[1:])
        else:
            raise ClosureError(
                f"no stable self-consistent Gaussian found at T_A = {T_A}, T_B = {T_B}, eps = {eps} "
                f"(the linearized stiffness k_j - eps g_j makes the system unstable, or the fixed "
                f"point iteration does not converge)")
    out = evaluate(z, eps)
    if out is None:
        raise ClosureError(f"the self-consistent linearized system is unstable at T_A = {T_A}, "
                           f"T_B = {T_B}, eps = {eps}")
    (mu, C), k_eff, g = out
    J = diode.k_I * (C[0, 2] - C[1, 2]) / diode.m_A
    return GaussianClosure(mean=np.array([mu[0], mu[1], 0.0, 0.0]), covariance=C,
                           k_eff=(float(k_eff[0]), float(k_eff[1])), g=(float(g[0]), float(g[1])),
                           current=float(J), iterations=calls[0], drift=_drift(diode, *k_eff),
                           diffusion=D)


def _require_resolvable_shift(diode, C0, T_A, T_B, eps):
    """ClosureError naming the state point if a first-order stiffness shift exceeds MAX_SHIFT."""
    for f, v, k in ((diode.f_A, C0[0, 0], diode.k_A), (diode.f_B, C0[1, 1], diode.k_B)):
        if f.is_zero:
            continue
        try:
            with np.errstate(all="ignore"):
                shift = abs(eps * float(f.g(v))) / (k + diode.k_I)
        except (ValueError, OverflowError):  # g itself not representable
            shift = math.inf
        if not shift <= MAX_SHIFT:
            raise ClosureError(
                f"T_A = {T_A}, T_B = {T_B}, eps = {eps} are outside the range the closure solves: "
                f"the stiffness shift eps g at the zeroth-order variance is {shift:.3g} times k + k_I "
                f"(at most {MAX_SHIFT:.0e}), where its fixed point is not resolved")


def _odd(diode) -> bool:
    from .kramers import is_odd

    return is_odd(diode.f_A) and is_odd(diode.f_B)


# ============================================================================ validity of first order
@functools.lru_cache(maxsize=256)
def _linear_derivatives(diode):
    """T-independent derivatives of the linear diode with respect to ``(k_A, k_B)``: kappa0, its
    gradient and Hessian, and the Jacobian of ``sigma()`` (4 x 2). Second-order central
    differences of the closed forms (one-sided at a stiffness close to 0, where the diode with a
    negative stiffness does not exist)."""
    k0 = diode.kappa0()
    bA, bB = diode.beta()
    grad = -k0 * np.array([bA, bB])
    hess = np.empty((2, 2))
    dsig = np.empty((4, 2))
    for i, name in enumerate(("k_A", "k_B")):
        x = getattr(diode, name)
        h = 1e-4 * (x + diode.k_I)
        steps, weights = ((-h, h), (-0.5 / h, 0.5 / h)) if x >= h else \
            ((0.0, h, 2 * h), (-1.5 / h, 2.0 / h, -0.5 / h))
        hess[i], dsig[:, i] = 0.0, 0.0
        for st, wt in zip(steps, weights):
            d = diode.replace(**{name: x + st}) if st else diode
            hess[i] += wt * (-d.kappa0() * np.array(d.beta()))
            dsig[:, i] += wt * np.array(d.sigma())
    return k0, grad, 0.5 * (hess + hess.T), dsig


def _hermite_tail(force, v):
    """:math:`Q(v) = \\sum_{k \\ge 2} r_k^2/\\sqrt{3k}` with the Hermite coefficients
    :math:`r_k = \\mathbb E[f(X)\\, h_k(X/\\sqrt v)]`, :math:`X \\sim N(0, v)`: the variance of the
    non-linear part of ``f``, each component weighted by its correlation time. For inertial motion
    the position correlation is :math:`1 - O(t^2)` at short times, so the ``k``-th component
    decorrelates (ballistically) in a time :math:`\\propto k^{-1/2}`; the weight is normalised to
    1/3 for the cubic component, ``k = 3``.

    Closed forms: a polynomial through :func:`thermolib.kramers.monomial_to_hermite`; for
    ``-A sin(Kz)`` and ``-A sinh(Kz)``, :math:`r_k^2 = A^2 e^{\\mp b^2} b^{2k}/k!` (odd ``k``,
    :math:`b = K\\sqrt v`).
    """
    from scipy.special import gammaln

    from .kramers import monomial_to_hermite, polynomial_coefficients

    v = np.asarray(v, dtype=float)
    c = polynomial_coefficients(force)
    if c is not None:
        n = np.arange(len(c))
        T = monomial_to_hermite(len(c) - 1)
        r = (c * np.sqrt(v)[..., None] ** n) @ T  # (..., K + 1)
        k = np.arange(2, len(c))
        return np.sum(r[..., 2:] ** 2 / np.sqrt(3.0 * k), axis=-1) if k.size else 0.0 * v
    b2 = force.K**2 * v
    kmax = int(math.ceil(np.max(b2) + 12.0 * math.sqrt(np.max(b2)) + 40.0))
    k = np.arange(3, kmax + 1, 2)
    sign = -1.0 if type(force).__name__ == "Cosine" else 1.0
    with np.errstate(divide="ignore"):
        logt = (k * np.log(b2[..., None]) - gammaln(k + 1.0) - 0.5 * np.log(3.0 * k)
                + sign * b2[..., None])
    return force.A**2 * np.sum(np.exp(logt), axis=-1)


def _even_moments(force, v):
    """:math:`(\\mathbb E f(X), \\mathbb E f''(X))`, :math:`X \\sim N(0, v)`, for a polynomial force."""
    from .kramers import polynomial_coefficients

    c = polynomial_coefficients(force)
    v = np.asarray(v, dtype=float)
    if c is None or force.is_zero:
        return 0.0 * v, 0.0 * v
    P = np.polynomial.polynomial
    d2 = P.polyder(c, 2) if len(c) > 2 else np.zeros(1)
    # Gaussian moments E X^n = (n - 1)!! v^(n/2) for even n
    def gauss(coef):
        out = 0.0 * v
        for n, cn in enumerate(coef):
            if n % 2 == 0 and cn != 0.0:
                out = out + cn * _dfact(n - 1) * v ** (n // 2)
        return out
    return gauss(c), gauss(d2)


def _dfact(n):
    out = 1
    while n > 1:
        out *= n
        n -= 2
    return out


def second_order_coefficients(diode, T_A, T_B):
    """Estimates of the second-order coefficient :math:`J_2` of :math:`J = J_0 + \\varepsilon J_1 +
    \\varepsilon^2 J_2 + \\dots`, split into a Gaussian and a non-Gaussian part (cheap, vectorized).

    Gaussian part (exact second-order term of the self-consistent Gaussian closure): with the
    stiffness shift :math:`\\delta k_j = -\\varepsilon g_j + \\varepsilon^2 h_j`,
    :math:`h_j = g_j'(v_j)\\sum_i (\\partial v_j/\\partial k_i)\\, g_i` (variance feedback),

    .. math:: J_2^G = \\Big[\\nabla\\kappa_0\\cdot h + \\tfrac12 g^T (\\nabla\\nabla\\kappa_0)\\, g\\Big](T_A - T_B).

    Non-Gaussian part (magnitude only): the force minus its Gaussian-linear fit, :math:`r_j`, acts
    at second order like an extra random force of variance :math:`\\varepsilon^2\\mathrm{Var}\\,r_j` with
    a correlation time that shrinks with the Hermite order of its components;
    :math:`|J_2^{NG}| \\approx |J_0| \\sum_j Q_j(v_j)/[v_j (k_j + k_I)^2]` with
    :math:`Q = \\sum_{k\\ge2} r_k^2/\\sqrt{3k}` (:func:`_hermite_tail`).

    Returns ``(J2_gauss, J2_nongauss_magnitude, J1)`` broadcast over ``T_A``, ``T_B``.
    """
    T_A = np.asarray(T_A, dtype=float)
    T_B = np.asarray(T_B, dtype=float)
    k0, grad, hess, dsig = _linear_derivatives(diode)
    vA, vB = diode.variances(T_A, T_B)
    vA, vB = np.asarray(vA, dtype=float), np.asarray(vB, dtype=float)
    Tm = 0.5 * (T_A + T_B)
    # d v_j / d k_i, shape (..., 2): v_A = sigma_mA T_m + sigma_A T_A, v_B likewise
    dv = [dsig[0] * Tm[..., None] + dsig[1] * T_A[..., None],
          dsig[2] * Tm[..., None] + dsig[3] * T_B[..., None]]
    g = [np.asarray(diode.f_A.g(vA), float), np.asarray(diode.f_B.g(vB), float)]
    gp = [np.asarray(diode.f_A.g_prime(vA), float), np.asarray(diode.f_B.g_prime(vB), float)]
    h = [gp[j] * (dv[j][..., 0] * g[0] + dv[j][..., 1] * g[1]) for j in range(2)]
    if not _odd(diode):
        # a force with even terms shifts the means by eps m (A m + <f> e_p = 0), which moves g_j by
        # eps m_j <f_j''> (Stein: d g / d mu = <f''>)
        fm, f2 = zip(*(_even_moments(f, v) for f, v in ((diode.f_A, vA), (diode.f_B, vB))))
        A, _ = diode.linear_system()
        rhs = np.stack(np.broadcast_arrays(0 * vA, 0 * vA, -fm[0], -fm[1]), -1)
        m = np.linalg.solve(A, rhs[..., None])[..., 0]
        h = [h[0] - f2[0] * m[..., 0], h[1] - f2[1] * m[..., 1]]
    dT = T_A - T_B
    J1 = -(grad[0] * g[0] + grad[1] * g[1]) * dT
    quad_form = sum(hess[i, j] * g[i] * g[j] for i in range(2) for j in range(2))
    J2G = (grad[0] * h[0] + grad[1] * h[1] + 0.5 * quad_form) * dT
    S = 0.0
    for f, v, k in ((diode.f_A, vA, diode.k_A), (diode.f_B, vB, diode.k_B)):
        if not f.is_zero and not f.is_linear:
            with np.errstate(invalid="ignore", divide="ignore"):
                S = S + np.where(v > 0, _hermite_tail(f, v) / (v * (k + diode.k_I) ** 2), 0.0)
    J2NG = np.abs(k0 * dT) * S
    return J2G, J2NG, J1


def first_order_error(diode, T_A, T_B, eps):
    """Predicted relative error of the first-order :math:`J - J_0`: the ratio of the estimated
    second-order term to the first-order one,

    .. math:: \\mu = |\\varepsilon|\\,\\frac{|J_2^G| + |J_2^{NG}|}{|J_1|}

    (:func:`second_order_coefficients`; finite as :math:`T_A \\to T_B`, 0 without a force, infinite
    where first order predicts no correction but the second order does not vanish). Cheap: closed
    forms and short series, no exact solve.
    """
    eps = np.asarray(eps, dtype=float)
    T_A = np.asarray(T_A, dtype=float)
    T_B = np.asarray(T_B, dtype=float)
    # at T_A = T_B every coefficient is proportional to T_A - T_B: take the limit (a relative
    # change of 1e-6 of T_A changes the ratio by ~1e-6)
    dT = np.where(T_A == T_B, 1e-6 * np.maximum(T_A, 1.0), 0.0)
    J2G, J2NG, J1 = second_order_coefficients(diode, T_A + dT, T_B)
    J2 = np.abs(J2G) + np.abs(J2NG)
    with np.errstate(divide="ignore", invalid="ignore"):
        mu = np.abs(eps) * J2 / np.abs(J1)
    # no second-order term (no force): first order is exact; J1 = 0 alone: it misses everything
    return np.where((eps == 0.0) | (J2 == 0.0), 0.0, np.where(np.isnan(mu), np.inf, mu))
