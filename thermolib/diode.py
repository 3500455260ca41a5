"""Two-particle thermal diode: exact linear transport and the first-order nonlinear correction.

Model (Defaveri & Anteneodo 2021, Eqs. (2)-(3)), with :math:`\\tilde k_j = k_j + k_I`:

.. math::

    m_A \\ddot x + \\gamma_A \\dot x + k_A x + k_I (x - y) &= \\varepsilon f_A(x) + \\eta_A, \\\\
    m_B \\ddot y + \\gamma_B \\dot y + k_B y + k_I (y - x) &= \\varepsilon f_B(y) + \\eta_B,

:math:`\\langle \\eta_j(t)\\eta_j(t')\\rangle = 2\\gamma_j T_j \\delta(t-t')`, :math:`J = k_I\\langle (x-y)\\dot x\\rangle`
(Eq. (14)), :math:`J = J_0 + \\varepsilon J_1 + O(\\varepsilon^2)` (Eq. (15)).

Closed forms for arbitrary :math:`(m_A, m_B, \\gamma_A, \\gamma_B, k_A, k_B, k_I)` (beyond the paper,
which prints them only for equal masses and dampings) follow from the characteristic polynomial
:math:`P(s) = (m_A s^2 + \\gamma_A s + \\tilde k_A)(m_B s^2 + \\gamma_B s + \\tilde k_B) - k_I^2 = \\sum_i a_i s^{4-i}`:

.. math::

    a_0 = m_A m_B,\\ a_1 = m_A\\gamma_B + m_B\\gamma_A,\\ a_2 = m_A \\tilde k_B + m_B \\tilde k_A + \\gamma_A\\gamma_B,\\
    a_3 = \\gamma_A \\tilde k_B + \\gamma_B \\tilde k_A,\\ a_4 = \\tilde k_A \\tilde k_B - k_I^2,

with the Hurwitz determinant :math:`\\Delta = a_1 a_2 a_3 - a_0 a_3^2 - a_1^2 a_4 > 0`. Then

.. math::

    \\kappa_0 = \\frac{\\gamma_A\\gamma_B k_I^2 a_1}{\\Delta}, \\qquad
    \\sigma_{mA} = 2\\gamma_B r,\\ \\sigma_{mB} = 2\\gamma_A r,\\
    \\sigma_A = \\frac{\\tilde k_B}{a_4} - 2\\gamma_B r,\\ \\sigma_B = \\frac{\\tilde k_A}{a_4} - 2\\gamma_A r,

with :math:`r = k_I^2 (a_1 a_2 - a_0 a_3)/(a_4 \\Delta)`, and
:math:`\\beta_j = -\\partial \\ln\\kappa_0/\\partial k_j = (\\partial\\Delta/\\partial k_j)/\\Delta`.
The first-order correction (Eqs. (20)-(21), (A30); :mod:`thermolib.diode_first_order`) is a
stiffness shift :math:`k_j \\to k_j - \\varepsilon g_j(\\langle z_j^2\\rangle)` (ERRATA D4):

.. math::

    \\kappa_1(T_A, T_B) = \\kappa_0 \\sum_j \\beta_j\\, g_j(\\sigma_{mj} T_m + \\sigma_j T_j),
    \\qquad J_1 = \\kappa_1 (T_A - T_B).

References
----------
Defaveri, Anteneodo, "Analytical results for a minimalist thermal diode", Phys. Rev. E 104,
014106 (2021), arXiv:2105.01849; corrections D1-D9 in the book's errata page.
"""
from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, replace
from fractions import Fraction
from functools import cached_property
from typing import NamedTuple

import numpy as np

from . import _validation as _v
from ._rational import solve_lyapunov, to_float
from .diode_first_order import VALIDITY_THRESHOLD, FirstOrderTheory, FirstOrderValidityWarning
from .forces import Force, as_force, cosine, power

__all__ = [
    "Diode",
    "FirstOrderValidityWarning",
    "LinearSystem",
    "beta_printed",
    "bath_temperatures",
    "VALIDITY_THRESHOLD",
]


class LinearSystem(NamedTuple):
    """Linear (eps = 0) dynamics of the state ``s = (x_A, x_B, p_A, p_B)``.

    ``ds = drift @ s dt + noise @ diag(sqrt(T_A), sqrt(T_B)) dW``; the diffusion matrix is
    ``noise @ diag(T_A, T_B) @ noise.T`` = diag(0, 0, 2 gamma_A T_A, 2 gamma_B T_B).
    """

    drift: np.ndarray  # (4, 4)
    noise: np.ndarray  # (4, 2), per unit sqrt(temperature)


def bath_temperatures(T_m, Delta_T):
    """``(T_A, T_B) = (T_m + Delta_T/2, T_m - Delta_T/2)``: the paper's parametrisation by the mean
    temperature and the difference (``Delta_T > 0``: A hot). Needs ``|Delta_T| <= 2 T_m``."""
    T_m = _v.temperature("T_m", T_m)
    Delta_T = _v.real("Delta_T", Delta_T)
    if abs(Delta_T) > 2.0 * T_m:
        raise ValueError(f"|Delta_T| must be <= 2 T_m (both temperatures >= 0), got Delta_T = "
                         f"{Delta_T!r} with T_m = {T_m!r}")
    return T_m + 0.5 * Delta_T, T_m - 0.5 * Delta_T


class _Exact(NamedTuple):
    """Exact (rational) coefficients of the linear diode, see the module docstring."""

    a: tuple  # a0 .. a4
    delta: Fraction
    kappa0: Fraction
    q: Fraction  # the book's r = k_I^2 (a1 a2 - a0 a3) / (a4 Delta)
    dA: Fraction  # dDelta/dk_A
    dB: Fraction


@dataclass(frozen=True)
class Diode(FirstOrderTheory):
    """Parameters of the two-particle diode (one object for theory and simulation).

    Parameters
    ----------
    m_A, m_B : float
        Masses, > 0.
    gamma_A, gamma_B : float
        Langevin damping coefficients, > 0 (bath j has noise strength 2 gamma_j T_j).
    k_A, k_B : float
        Harmonic on-site stiffnesses, >= 0, not both zero (otherwise the centre of mass diffuses
        and there is no steady state).
    k_I : float
        Interface (coupling) stiffness, > 0.
    f_A, f_B : thermolib.forces force or None
        Nonlinear on-site forces (multiplied by ``eps``); ``None`` means no force.

    The paper's settings are presets: :meth:`paper_fig2`, :meth:`paper_fig3`, :meth:`paper_fig4`,
    :meth:`paper_fig5`.

    The linear (eps = 0) theory is defined here; the first-order theory (:meth:`variances`,
    :meth:`g_values`, :meth:`kappa1`, :meth:`current`, :meth:`rectification`, :meth:`validity`)
    is inherited from :class:`thermolib.diode_first_order.FirstOrderTheory`; the exact solution
    and the Gaussian closure are in :mod:`thermolib.diode_exact` and :mod:`thermolib.diode_closure`.

    References
    ----------
    Eqs. (1)-(3) of Defaveri & Anteneodo (2021).
    """

    #: Model kind checked by :func:`thermolib._validation.require_kind` (not a field): the closure
    #: and the exact solver, which Diode's methods call, check their argument without importing
    #: this module.
    _thermolib_model = "diode"

    m_A: float = 1.0
    m_B: float = 1.0
    gamma_A: float = 1.0
    gamma_B: float = 1.0
    k_A: float = 1.0
    k_B: float = 1.0
    k_I: float = 1.0
    f_A: Force | None = None
    f_B: Force | None = None

    def __post_init__(self):
        for name in ("m_A", "m_B", "gamma_A", "gamma_B", "k_I"):
            object.__setattr__(self, name, _v.positive(name, getattr(self, name)))
        for name in ("k_A", "k_B"):
            object.__setattr__(self, name, _v.nonnegative(name, getattr(self, name)))
        if self.k_A == 0.0 and self.k_B == 0.0:
            raise ValueError(
                "k_A and k_B must not both be 0 (k_A + k_B must be > 0): without an on-site spring "
                "the centre of mass diffuses freely and there is no steady state"
            )
        object.__setattr__(self, "f_A", as_force(self.f_A, "f_A"))
        object.__setattr__(self, "f_B", as_force(self.f_B, "f_B"))

    # ------------------------------------------------------------------ presets (the paper's settings)
    @classmethod
    def paper_fig2(cls) -> "Diode":
        """Fig. 2 (and its inset): :math:`V_A = z^4/4` (``forces.power(2)``), :math:`V_B = 0`,
        :math:`k_I = 0.5`, all masses, dampings and on-site stiffnesses 1; the paper runs it at
        :math:`T_m = 1` (:func:`bath_temperatures`). :math:`\\kappa_0 = 1/14`."""
        return cls(k_I=0.5, f_A=power(2))

    @classmethod
    def paper_fig3(cls, k: float = 1.0, k_I: float = 1.0, f_A: Force | None = None) -> "Diode":
        """Fig. 3: the symmetric chain :math:`k_A = k_B = k` (0.1 or 1 in the paper), :math:`m = \\gamma
        = 1`, varying ``k_I``, with :math:`V_A = z^4/4` (default) or :math:`-\\cos z`
        (``forces.cosine()``) and :math:`V_B = 0`; the paper uses :math:`T_m = 1`, :math:`\\Delta T = 0.4`."""
        k, k_I = _v.positive("k", k), _v.positive("k_I", k_I)
        return cls(k_A=k, k_B=k, k_I=k_I, f_A=power(2) if f_A is None else as_force(f_A, "f_A"))

    @classmethod
    def paper_fig4(cls) -> "Diode":
        """Fig. 4: :math:`V_A = -\\cos z` (``forces.cosine()``), :math:`V_B = 0`,
        :math:`k_A = k_B = k_I = 0.1`, masses and dampings 1."""
        return cls(k_A=0.1, k_B=0.1, k_I=0.1, f_A=cosine())

    @classmethod
    def paper_fig5(cls, asymmetry: str | None = "m_A", factor: float = 5.0, f: Force | None = None,
                   k_I: float = 1e-3) -> "Diode":
        """Fig. 5: :math:`V_A = V_B` (``f``, default :math:`-\\cos z`; panel (b) uses
        ``forces.power(2)``) in the small-:math:`k_I` regime (``k_I = 1e-3``), all parameters 1 except
        one asymmetric one, ``asymmetry`` in ``{"m_A", "gamma_A", "k_A", None}`` set to ``factor``
        (5 in the main panels; the insets vary it). ``asymmetry=None``: the symmetric diode."""
        if asymmetry is not None:
            _v.choice("asymmetry", asymmetry, ("m_A", "gamma_A", "k_A"))
        factor, k_I = _v.positive("factor", factor), _v.positive("k_I", k_I)
        f = cosine() if f is None else as_force(f, "f")
        changes = {} if asymmetry is None else {asymmetry: factor}
        return cls(k_I=k_I, f_A=f, f_B=f, **changes)

    # ------------------------------------------------------------------ helpers
    def swapped(self) -> "Diode":
        """The same diode with the labels A and B exchanged (forces included)."""
        return Diode(m_A=self.m_B, m_B=self.m_A, gamma_A=self.gamma_B, gamma_B=self.gamma_A,
                     k_A=self.k_B, k_B=self.k_A, k_I=self.k_I, f_A=self.f_B, f_B=self.f_A)

    def replace(self, **changes) -> "Diode":
        """A copy with some parameters changed (validated again)."""
        return replace(self, **changes)

    @property
    def is_symmetric_linear(self) -> bool:
        """Equal masses, dampings and stiffnesses (Sec. V A of the paper)."""
        return self.m_A == self.m_B and self.gamma_A == self.gamma_B and self.k_A == self.k_B

    def _context(self) -> str:
        return (f"m = ({self.m_A:g}, {self.m_B:g}), gamma = ({self.gamma_A:g}, {self.gamma_B:g}), "
                f"k = ({self.k_A:g}, {self.k_B:g}), k_I = {self.k_I:g}")

    def _float(self, name: str, q: Fraction) -> float:
        return to_float(name, q, self._context())

    @cached_property
    def _exact(self) -> _Exact:
        """a0..a4, Delta, kappa0, q, dDelta/dk_j in exact rational arithmetic (cached)."""
        mA, mB, gA, gB, kA, kB, kI = (Fraction(getattr(self, n)) for n in
                                      ("m_A", "m_B", "gamma_A", "gamma_B", "k_A", "k_B", "k_I"))
        KA, KB = kA + kI, kB + kI
        a0 = mA * mB
        a1 = mA * gB + mB * gA
        a2 = mA * KB + mB * KA + gA * gB
        a3 = gA * KB + gB * KA
        a4 = kA * kB + kI * (kA + kB)  # = K_A K_B - k_I^2
        delta = a1 * a2 * a3 - a0 * a3 * a3 - a1 * a1 * a4
        dA = a1 * (mB * a3 + gB * a2) - 2 * a0 * a3 * gB - a1 * a1 * KB
        dB = a1 * (mA * a3 + gA * a2) - 2 * a0 * a3 * gA - a1 * a1 * KA
        return _Exact((a0, a1, a2, a3, a4), delta, gA * gB * kI * kI * a1 / delta,
                      kI * kI * (a1 * a2 - a0 * a3) / (a4 * delta), dA, dB)

    # ------------------------------------------------------------------ time scales
    def time_scales(self) -> dict:
        """The named time scales of the linear (eps = 0) dynamics.

        ``inertial_A``, ``inertial_B``: :math:`m_j/\\gamma_j` (velocity relaxation);
        ``oscillation``: :math:`1/\\omega_{max}`, the top normal mode of the spring network;
        ``relaxation``: :math:`1/\\min|\\mathrm{Re}\\,\\lambda|` over the eigenvalues of the drift
        matrix (:meth:`linear_system`), the slowest relaxation of the stationary state.

        The simulator's default time step is ``DT_FACTOR`` times the shortest of them, its default
        burn-in ``BURN_IN_RELAXATION_TIMES`` times ``relaxation`` (:mod:`thermolib.sim.contract`).
        """
        K = np.array([[self.k_A + self.k_I, -self.k_I], [-self.k_I, self.k_B + self.k_I]])
        s = np.diag(1.0 / np.sqrt([self.m_A, self.m_B]))
        with np.errstate(all="ignore"):  # extreme parameters: judged below
            try:
                w_max = float(math.sqrt(np.linalg.eigvalsh(s @ K @ s).max()))
                drift = self.linear_system().drift
                rate = float(np.min(np.abs(np.linalg.eigvals(drift).real)))
            except np.linalg.LinAlgError:
                w_max, rate = math.nan, math.nan
            # eigenvalues carry an absolute error ~ eps ||A||: a slower rate is not resolved
            if not rate > 1e3 * np.finfo(float).eps * np.linalg.norm(drift):
                rate = math.nan
            scales = {"inertial_A": self.m_A / self.gamma_A, "inertial_B": self.m_B / self.gamma_B,
                      "oscillation": 1.0 / w_max, "relaxation": 1.0 / rate}
        for name, value in scales.items():
            if not (math.isfinite(value) and value > 0.0):
                raise ValueError(f"the time scale {name} cannot be resolved in double precision "
                                 f"({value!r}) for {self._context()}: the parameters are too extreme")
        return scales

    # ------------------------------------------------------------------ zeroth order
    def linear_system(self) -> LinearSystem:
        """Drift and noise matrices of the eps = 0 dynamics, state ``(x_A, x_B, p_A, p_B)``.

        .. math:: \\dot x_j = p_j/m_j, \\quad
                  \\dot p_A = -\\tilde k_A x_A + k_I x_B - (\\gamma_A/m_A) p_A + \\sqrt{2\\gamma_A T_A}\\,\\xi_A

        (and A <-> B), Eqs. (6)-(7) of the paper.
        """
        mA, mB, gA, gB, kI = self.m_A, self.m_B, self.gamma_A, self.gamma_B, self.k_I
        drift = np.array([
            [0.0, 0.0, 1.0 / mA, 0.0],
            [0.0, 0.0, 0.0, 1.0 / mB],
            [-(self.k_A + kI), kI, -gA / mA, 0.0],
            [kI, -(self.k_B + kI), 0.0, -gB / mB],
        ])
        noise = np.zeros((4, 2))
        noise[2, 0] = math.sqrt(2.0 * gA)
        noise[3, 1] = math.sqrt(2.0 * gB)
        return LinearSystem(drift, noise)

    @cached_property
    def _unit_covariances(self):
        """Exact stationary covariances at (T_A, T_B) = (1, 0) and (0, 1) (cached)."""
        mA, mB, gA, gB, kA, kB, kI = (Fraction(getattr(self, n)) for n in
                                      ("m_A", "m_B", "gamma_A", "gamma_B", "k_A", "k_B", "k_I"))
        z = Fraction(0)
        A = [[z, z, 1 / mA, z], [z, z, z, 1 / mB], [-(kA + kI), kI, -gA / mA, z],
             [kI, -(kB + kI), z, -gB / mB]]
        DA = [[z] * 4 for _ in range(4)]
        DB = [[z] * 4 for _ in range(4)]
        DA[2][2] = 2 * gA
        DB[3][3] = 2 * gB
        return solve_lyapunov(A, [DA, DB])

    def _exact_covariance(self, T_A, T_B):
        CA, CB = self._unit_covariances
        tA, tB = Fraction(_v.temperature("T_A", T_A)), Fraction(_v.temperature("T_B", T_B))
        return [[tA * CA[i][j] + tB * CB[i][j] for j in range(4)] for i in range(4)]

    def covariance(self, T_A, T_B) -> np.ndarray:
        """Stationary covariance of ``(x_A, x_B, p_A, p_B)`` at eps = 0 (Lyapunov equation).

        Solves :math:`A C + C A^T + B\\,\\mathrm{diag}(T_A, T_B)\\,B^T = 0` exactly
        (:func:`thermolib._rational.solve_lyapunov`: rational arithmetic, so neither extreme nor
        ill-conditioned parameters, such as :math:`k_I = 10^8`, spoil it) and rounds each entry.
        """
        C = self._exact_covariance(T_A, T_B)
        return np.array([[self._float(f"covariance[{i}, {j}]", C[i][j]) for j in range(4)]
                         for i in range(4)])

    def linear_current(self, T_A, T_B) -> float:
        """Exact eps = 0 current :math:`J_0 = k_I \\langle (x_A - x_B) p_A\\rangle / m_A` from
        :meth:`covariance` (Eq. (16)); an independent route to :meth:`kappa0`."""
        C = self._exact_covariance(T_A, T_B)
        return self._float("J0", Fraction(self.k_I) * (C[0][2] - C[1][2]) / Fraction(self.m_A))

    def kappa0(self, method: str = "closed") -> float:
        """Linear conductance, :math:`J_0 = \\kappa_0 (T_A - T_B)` (Eqs. (18)-(19)).

        Parameters
        ----------
        method : {"closed", "frequency", "lyapunov"}
            ``closed``: :math:`\\kappa_0 = \\gamma_A\\gamma_B k_I^2 a_1/\\Delta` (arbitrary parameters;
            reduces to (A32) for equal masses and dampings), in exact arithmetic. ``frequency``:
            quadrature of the corrected Eq. (19) (ERRATA D2),
            :math:`\\int \\frac{d\\omega}{2\\pi} \\frac{2\\gamma_A\\gamma_B k_I^2\\omega^2}{|ab - k_I^2|^2}`.
            ``lyapunov``: :meth:`linear_current` at :math:`T_A = 1, T_B = 0`.

        References
        ----------
        Eqs. (18), (19), (A18), (A32), (A39), (A44), (A48).
        """
        method = _v.choice("method", method, ("closed", "frequency", "lyapunov"))
        if method == "closed":
            return self._float("kappa0", self._exact.kappa0)
        if method == "lyapunov":
            return self.linear_current(1.0, 0.0)
        return self._frequency_integral(
            lambda w, a, b: 2.0 * self.gamma_A * self.gamma_B * self.k_I**2 * w * w)

    def _frequency_integral(self, numerator) -> float:
        """:math:`\\int_{-\\infty}^{\\infty} \\frac{d\\omega}{2\\pi}\\, N(\\omega)/|a b - k_I^2|^2` for an even N."""
        from scipy.integrate import quad

        mA, mB, gA, gB, kI = self.m_A, self.m_B, self.gamma_A, self.gamma_B, self.k_I
        KA, KB = self.k_A + kI, self.k_B + kI

        def integrand(w):
            a = KA - mA * w * w + 1j * gA * w
            b = KB - mB * w * w + 1j * gB * w
            return numerator(w, a, b) / abs(a * b - kI * kI) ** 2

        total, error = 0.0, 0.0
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")  # judged below from quad's own error estimate
            try:
                # in units of the top normal-mode frequency w0, split at the modes so that quad
                # resolves the resonances
                Kmat = np.array([[KA / mA, -kI / mA], [-kI / mB, KB / mB]])
                modes = np.sqrt(np.clip(np.sort(np.linalg.eigvals(Kmat).real), 0.0, None))
                w0 = float(modes[-1])
                edges = np.unique(np.concatenate([[0.0], modes / w0, [3.0]]))
                scaled = lambda u: w0 * integrand(w0 * u)  # noqa: E731
                for lo, hi in zip(edges[:-1], edges[1:]):
                    v, e = quad(scaled, lo, hi, epsabs=0.0, epsrel=1e-13, limit=400)
                    total, error = total + v, error + e
                v, e = quad(scaled, edges[-1], np.inf, epsabs=0.0, epsrel=1e-13, limit=400)
                total, error = total + v, error + e
            except (OverflowError, ZeroDivisionError, ValueError, np.linalg.LinAlgError):
                total, error = math.nan, math.nan
        if not (math.isfinite(total) and total != 0.0 and error <= 1e-8 * abs(total)):
            raise ValueError(f"the frequency integral does not converge to a reliable value for "
                             f"{self._context()} (quad: {total!r} +- {error!r}); use method='closed'")
        return 2.0 * total / (2.0 * math.pi)  # even integrand: fold onto omega > 0

    def sigma(self):
        """Variance coefficients :math:`(\\sigma_{mA}, \\sigma_A, \\sigma_{mB}, \\sigma_B)`.

        Defined by Eqs. (A21)-(A22): :math:`\\langle x_A^2\\rangle = \\sigma_{mA} T_m + \\sigma_A T_A`,
        :math:`\\langle x_B^2\\rangle = \\sigma_{mB} T_m + \\sigma_B T_B`, :math:`T_m = (T_A + T_B)/2`.
        Closed form for arbitrary parameters:
        :math:`\\sigma_{mA} = 2\\gamma_B r`, :math:`\\sigma_{mB} = 2\\gamma_A r`,
        :math:`\\sigma_A = \\tilde k_B/a_4 - \\sigma_{mA}`, :math:`\\sigma_B = \\tilde k_A/a_4 - \\sigma_{mB}`, with
        :math:`r = k_I^2(a_1 a_2 - a_0 a_3)/(a_4\\Delta)`; the :math:`\\tilde k_j/a_4` are the equilibrium
        (Boltzmann) variances. Hence :math:`\\gamma_A\\sigma_{mA} = \\gamma_B\\sigma_{mB}` (ERRATA D3).

        References
        ----------
        Eqs. (21), (25)-(26), (A21)-(A22), (A33)-(A35), (A40)-(A41), (A45), (A49).
        """
        ex = self._exact
        q, a4 = ex.q, ex.a[4]
        s_mA = 2 * Fraction(self.gamma_B) * q
        s_mB = 2 * Fraction(self.gamma_A) * q
        s_A = (Fraction(self.k_B) + Fraction(self.k_I)) / a4 - s_mA
        s_B = (Fraction(self.k_A) + Fraction(self.k_I)) / a4 - s_mB
        return tuple(self._float(n, v) for n, v in
                     (("sigma_mA", s_mA), ("sigma_A", s_A), ("sigma_mB", s_mB), ("sigma_B", s_B)))

    def beta(self):
        """:math:`(\\beta_A, \\beta_B)` with :math:`\\beta_j = -\\partial\\ln\\kappa_0/\\partial k_j`.

        Closed form: :math:`\\beta_j = (\\partial\\Delta/\\partial k_j)/\\Delta` (``a_1`` does not depend
        on the stiffnesses), e.g.
        :math:`\\partial\\Delta/\\partial k_A = a_1(m_B a_3 + \\gamma_B a_2) - 2 a_0 a_3\\gamma_B - a_1^2 K_B`.
        For equal masses and dampings this is (A36) and the *corrected* (A37),
        :math:`\\beta_B = 2(1 - \\bar m(k_A - k_B))/\\mathrm{Den}` (ERRATA D1; the printed (A37) equals
        :math:`\\beta_A`, see :func:`beta_printed`).

        References
        ----------
        Eqs. (21), (27), (A28)-(A30), (A36)-(A37), (A42)-(A43), (A46)-(A47), (A50)-(A51).
        """
        ex = self._exact
        return self._float("beta_A", ex.dA / ex.delta), self._float("beta_B", ex.dB / ex.delta)

    # exact solver
    def exact_solution(self, T_A, T_B, eps, **solver_options):
        """Converged stationary state of the nonlinear diode
        (:func:`thermolib.diode_exact.exact_solution`: current, achieved accuracy, moments)."""
        from .diode_exact import exact_solution

        return exact_solution(self, T_A, T_B, eps, **solver_options)

    def exact_current(self, T_A, T_B, eps, **solver_options) -> float:
        """Exact steady current :math:`J(T_A, T_B, \\varepsilon)` from the stationary Kramers
        equation (Hermite-moment Galerkin method, converged; :mod:`thermolib.diode_exact`)."""
        return self.exact_solution(T_A, T_B, eps, **solver_options).current

    def exact_rectification(self, T_h, T_c, eps, **solver_options) -> float:
        """Exact rectification :math:`\\chi` (the definition in Eq. (24)) from two exact currents."""
        from .diode_exact import exact_rectification

        return exact_rectification(self, T_h, T_c, eps, **solver_options)

    def gaussian_closure(self, T_A, T_B, eps):
        """Self-consistent Gaussian (statistical linearization) of the nonlinear diode
        (:func:`thermolib.diode_closure.gaussian_closure`); its ``current`` is the closure's J."""
        from .diode_closure import gaussian_closure

        return gaussian_closure(self, T_A, T_B, eps)


def beta_printed(diode: Diode):
    """:math:`(\\beta_A, \\beta_B)` exactly as printed in (A36)-(A37) (equal masses and dampings only).

    Kept so the errata page can show the misprint (ERRATA D1): the printed (A37) has
    :math:`1 - \\bar m(k_B - k_A)`, which equals (A36), i.e. :math:`\\beta_A`. The correct value is
    :meth:`Diode.beta`. Example: :math:`k_A = 2, k_B = 1, k_I = 0.5, \\bar m = 1` gives printed
    :math:`\\beta_B = 0.4`, exact :math:`\\beta_B = 0`.

    Raises
    ------
    ValueError
        If ``m_A != m_B`` or ``gamma_A != gamma_B`` (where (A36)-(A37) do not apply).
    """
    if not isinstance(diode, Diode):
        raise _v.ParameterTypeError(f"diode must be a thermolib.Diode, got {type(diode).__name__}")
    if diode.m_A != diode.m_B or diode.gamma_A != diode.gamma_B:
        raise ValueError("beta_printed needs m_A == m_B and gamma_A == gamma_B ((A36)-(A37) assume them)")
    mbar = diode.m_A / diode.gamma_A**2
    kA, kB, kI = diode.k_A, diode.k_B, diode.k_I
    den = (4 * kI**2 + (kA - kB) ** 2) * mbar + 2 * (2 * kI + kA + kB)
    beta_A = 2 * (1 + mbar * (kA - kB)) / den          # (A36), correct
    beta_B = 2 * (1 - mbar * (kB - kA)) / den          # (A37) as printed (wrong sign)
    return tuple(_v.finite_result("beta_printed", (beta_A, beta_B), diode._context()))
