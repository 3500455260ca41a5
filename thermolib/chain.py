"""Heat current through a harmonic chain between the particle bath and a Langevin bath (NDC paper).

Effective chain (NDC paper Sec. 4, with the corrections N3, N5 of the book's errata): masses
:math:`m`, springs :math:`k`, on-site pinning :math:`K` on the two end sites (Hamiltonian of Sec. 2),
site 1 coupled to the particle bath at :math:`T_L`, site :math:`N` to a Langevin bath at :math:`T_R`.
After time-scale separation and at :math:`O(\\varepsilon^2)`:

.. math::

    m\\ddot q_1 &= -k_\\mathrm{eff} q_1 - k(q_1 - q_2) - \\gamma_L\\dot q_1 + \\sqrt{2\\gamma_L T_L}\\,\\eta_L,\\\\
    m\\ddot q_j &= -k(2q_j - q_{j-1} - q_{j+1}), \\qquad j = 2,\\dots,N-1,\\\\
    m\\ddot q_N &= -K q_N - k(q_N - q_{N-1}) - \\gamma_R\\dot q_N + \\sqrt{2\\gamma_R T_R}\\,\\eta_R,

with :math:`\\gamma_L = N_b\\gamma_\\mathrm{eff}(T_L)` and :math:`k_\\mathrm{eff} = K - N_b\\varepsilon^2
\\mathrm{Var}\\,\\mathcal F/T_L` (softening, ERRATA N3). The bond current (ERRATA N6)

.. math::

    J = \\frac{k}{2m}\\langle (p_j + p_{j+1})(q_j - q_{j+1})\\rangle

is positive when energy flows from the particle bath into the chain. Three exact routes are provided:
the :math:`N\\to\\infty` closed form (Appendix B, ERRATA N1, N2), the same limit as a one-dimensional
integral (Appendix B), and the finite-:math:`N` steady covariance from the Lyapunov equation
:math:`A\\Sigma + \\Sigma A^\\top + D = 0`. Beyond the paper, ``memory=True`` keeps the full
:math:`O(\\varepsilon^2)` memory kernel :math:`(N_b\\varepsilon^2/T_L)\\,C(t)` through one auxiliary
Ornstein-Uhlenbeck variable per exponential mode of :math:`C(t)` (still linear, still Lyapunov).

References
----------
Krekels, Maes, Santra, Zhai, arXiv:2604.00777 (2026), Sec. 4, Eq. (4), Appendix B; Rieder, Lebowitz,
Lieb, J. Math. Phys. 8, 1073 (1967); Dhar, Adv. Phys. 57, 457 (2008).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import integrate, linalg

from . import _validation as _v
from .particle_bath import MODE_TOLERANCE, ParticleBath

__all__ = [
    "NDCChain",
    "MarkovReductionError",
    "ChainSteadyState",
    "langevin_chain_covariance",
    "langevin_chain_current",
    "langevin_chain_relaxation_time",
    "langevin_chain_steady_state",
    "bond_currents",
    "infinite_chain_current",
    "infinite_chain_current_integral",
    "rll_current",
]


class MarkovReductionError(ValueError):
    """The :math:`O(\\varepsilon^2)` effective chain has no steady state at this :math:`T_L`.

    Below :math:`T^*` the softened stiffness makes the linear effective dynamics unstable
    (ERRATA N3), although the full particle model stays stable there. Attributes ``T_L``,
    ``T_star`` and ``N`` (``None`` for :math:`N\\to\\infty`).
    """

    def __init__(self, message, T_L=None, T_star=None, N=None):
        super().__init__(message)
        self.T_L = T_L
        self.T_star = T_star
        self.N = N


# ====================================================================== generic exact helpers
def _chain_size(N) -> int:
    N = _v.positive_int("N", N)
    if N < 2:
        raise ValueError(f"N must be an integer >= 2, got {N}")
    return N


def _stiffness_matrix(N: int, k: float, K_L: float, K_R: float) -> np.ndarray:
    """Tridiagonal force matrix Phi of Appendix B: diag(k + K_L, 2k, ..., 2k, k + K_R), off-diagonal -k."""
    Phi = np.diag(np.full(N, 2.0 * k)) - k * np.eye(N, k=1) - k * np.eye(N, k=-1)
    Phi[0, 0] = k + K_L
    Phi[-1, -1] = k + K_R
    return Phi


def _drift_matrix(Phi: np.ndarray, m: float, gamma_L: float, gamma_R: float) -> np.ndarray:
    """Drift of ``X = (q, p)``: ``dq = p/m dt``, ``dp = (-Phi q - gamma_{L,R} p_{1,N}/m) dt``."""
    N = Phi.shape[0]
    A = np.zeros((2 * N, 2 * N))
    A[:N, N:] = np.eye(N) / m
    A[N:, :N] = -Phi
    A[N, N] -= gamma_L / m
    A[-1, -1] -= gamma_R / m
    return A


def _solve_steady_covariance(A: np.ndarray, D: np.ndarray, what: str) -> np.ndarray:
    """Steady covariance of ``dX = A X dt + noise`` with diffusion ``D``; raises if ``A`` is not Hurwitz."""
    ev = np.linalg.eigvals(A)
    if not np.all(ev.real < 0):
        raise ValueError(f"{what} has no steady state: the drift matrix is not Hurwitz "
                         f"(max Re eigenvalue {ev.real.max():.3g} >= 0)")
    S = linalg.solve_continuous_lyapunov(A, -D)
    return 0.5 * (S + S.T)


@dataclass(frozen=True)
class ChainSteadyState:
    """Exact steady state of a linear chain (from the Lyapunov equation).

    Attributes
    ----------
    covariance : numpy.ndarray
        Covariance of ``(q_1..q_N, p_1..p_N[, u_1..u_M])``.
    bond_currents : numpy.ndarray
        ``J_j = (k/2m) <(p_j + p_{j+1})(q_j - q_{j+1})>``, ``j = 1..N-1`` (all equal in a steady state).
    heat_left, heat_right : float
        Mean power delivered by the left and right bath to the chain (``heat_left = -heat_right = J``).
    kinetic_temperatures : numpy.ndarray
        ``<p_j^2>/m``.
    """

    covariance: np.ndarray
    bond_currents: np.ndarray
    heat_left: float
    heat_right: float
    kinetic_temperatures: np.ndarray

    @property
    def current(self) -> float:
        """The bond current (mean over the bonds, which agree to round-off)."""
        return float(np.mean(self.bond_currents))


def bond_currents(covariance, N, m, k) -> np.ndarray:
    """Bond currents :math:`J_j = \\frac{k}{2m}\\langle (p_j + p_{j+1})(q_j - q_{j+1})\\rangle` from a
    covariance of ``(q_1..q_N, p_1..p_N, ...)`` (ERRATA N6)."""
    N = _chain_size(N)
    m, k = _v.positive("m", m), _v.positive("k", k)
    C = np.asarray(covariance, dtype=float)[:N, N:2 * N]  # C[a, b] = <q_a p_b>
    j = np.arange(N - 1)
    return k / (2 * m) * (C[j, j] - C[j + 1, j] + C[j, j + 1] - C[j + 1, j + 1])


def _validate_langevin(N, m, k, K_L, K_R, gamma_L, gamma_R, T_L, T_R):
    return (_chain_size(N), _v.positive("m", m), _v.positive("k", k), _v.real("K_L", K_L),
            _v.real("K_R", K_R), _v.nonnegative("gamma_L", gamma_L), _v.nonnegative("gamma_R", gamma_R),
            _v.temperature("T_L", T_L), _v.temperature("T_R", T_R))


def langevin_chain_steady_state(N, m, k, K_L, K_R, gamma_L, gamma_R, T_L, T_R) -> ChainSteadyState:
    """Exact steady state of a harmonic chain between two Langevin baths.

    .. math::

        m\\ddot q_j = -(\\Phi q)_j - \\delta_{j1}(\\gamma_L\\dot q_1 - \\sqrt{2\\gamma_L T_L}\\eta_L)
        - \\delta_{jN}(\\gamma_R\\dot q_N - \\sqrt{2\\gamma_R T_R}\\eta_R),

    :math:`\\Phi` tridiagonal with off-diagonal :math:`-k`, diagonal :math:`2k` except
    :math:`\\Phi_{11} = k + K_L`, :math:`\\Phi_{NN} = k + K_R` (Appendix B). With the state
    :math:`X = (q, p)`, :math:`dX = AX\\,dt + B\\,dW` and the steady covariance solves
    :math:`A\\Sigma + \\Sigma A^\\top + BB^\\top = 0`.

    Parameters
    ----------
    N : int
        Number of sites, >= 2.
    m, k : float
        Mass and spring constant, > 0.
    K_L, K_R : float
        On-site stiffness of the end sites (may be negative as long as the chain is stable).
    gamma_L, gamma_R : float
        Frictions, >= 0 (at least one end must damp the chain).
    T_L, T_R : float
        Bath temperatures, >= 0.

    Raises
    ------
    ValueError
        If a parameter is out of range or the chain has no steady state (``Phi`` not positive
        definite, drift not Hurwitz).
    """
    N, m, k, K_L, K_R, gamma_L, gamma_R, T_L, T_R = _validate_langevin(
        N, m, k, K_L, K_R, gamma_L, gamma_R, T_L, T_R)
    Phi = _stiffness_matrix(N, k, K_L, K_R)
    if np.linalg.eigvalsh(Phi)[0] <= 0:
        raise ValueError(f"the chain has no steady state: the force matrix is not positive definite "
                         f"(K_L = {K_L!r}, K_R = {K_R!r}, N = {N})")
    A = _drift_matrix(Phi, m, gamma_L, gamma_R)
    D = np.zeros_like(A)
    D[N, N] = 2 * gamma_L * T_L
    D[-1, -1] = 2 * gamma_R * T_R
    S = _solve_steady_covariance(A, D, "the chain")
    pp = np.diag(S)[N:] / m
    return ChainSteadyState(
        covariance=S,
        bond_currents=bond_currents(S, N, m, k),
        heat_left=gamma_L / m * (T_L - pp[0]),
        heat_right=gamma_R / m * (T_R - pp[-1]),
        kinetic_temperatures=pp,
    )


def langevin_chain_covariance(N, m, k, K_L, K_R, gamma_L, gamma_R, T_L, T_R) -> np.ndarray:
    """Steady covariance of ``(q_1..q_N, p_1..p_N)`` of the chain of
    :func:`langevin_chain_steady_state` (Lyapunov equation)."""
    return langevin_chain_steady_state(N, m, k, K_L, K_R, gamma_L, gamma_R, T_L, T_R).covariance


def langevin_chain_current(N, m, k, K_L, K_R, gamma_L, gamma_R, T_L, T_R) -> float:
    """Exact steady bond current of the chain of :func:`langevin_chain_steady_state`.

    .. math::

        J = \\frac{k}{2m}\\langle (p_j + p_{j+1})(q_j - q_{j+1})\\rangle
          = \\frac{\\gamma_L}{m}\\Big(T_L - \\frac{\\langle p_1^2\\rangle}{m}\\Big).
    """
    return langevin_chain_steady_state(N, m, k, K_L, K_R, gamma_L, gamma_R, T_L, T_R).current


def langevin_chain_relaxation_time(N, m, k, K_L, K_R, gamma_L, gamma_R) -> float:
    """Slowest relaxation time :math:`1/\\min_i|\\mathrm{Re}\\,\\lambda_i|` of the chain of
    :func:`langevin_chain_steady_state` (eigenvalues of its drift matrix :math:`A`).

    Means relax like :math:`e^{-t/\\tau}`, covariances (temperatures) like :math:`e^{-2t/\\tau}`. The
    chain is damped only at its ends, so its long-wavelength modes are barely damped: for a uniform
    chain :math:`\\tau` grows like :math:`N^3` (:math:`\\tau \\approx 7.8\\times10^3` at :math:`N = 32`,
    :math:`m = k = K_{L,R} = \\gamma_{L,R} = 1`). A simulation started away from the steady state needs a
    burn-in of several :math:`\\tau`.

    Parameters
    ----------
    N, m, k, K_L, K_R, gamma_L, gamma_R
        As in :func:`langevin_chain_steady_state` (temperatures do not enter).

    Raises
    ------
    ValueError
        If a parameter is out of range or the chain has no steady state.
    """
    N, m, k, K_L, K_R, gamma_L, gamma_R, _, _ = _validate_langevin(
        N, m, k, K_L, K_R, gamma_L, gamma_R, 0.0, 0.0)
    A = _drift_matrix(_stiffness_matrix(N, k, K_L, K_R), m, gamma_L, gamma_R)
    rate = np.min(-np.linalg.eigvals(A).real)
    if not rate > 0:
        raise ValueError(f"the chain has no steady state: the drift matrix is not Hurwitz "
                         f"(max Re eigenvalue {-rate:.3g} >= 0)")
    return float(1.0 / rate)


def rll_current(N, m, k, gamma, T_L, T_R) -> float:
    """Rieder-Lebowitz-Lieb current: uniform chain with fixed ends, equal frictions on sites 1 and N.

    Fixed ends (:math:`q_0 = q_{N+1} = 0`) means end pinning :math:`K_L = K_R = k` here. With
    :math:`\\nu = km/\\gamma^2`,

    .. math::

        J_N = \\frac{k (T_L - T_R)}{2\\gamma}\\,\\phi\\,\\frac{1 - \\phi^{2N-2}}{1 - \\phi^{2N}},
        \\qquad \\phi = 1 + \\frac{\\nu}{2} - \\frac{\\nu}{2}\\sqrt{1 + \\frac{4}{\\nu}},

    independent of :math:`N` up to exponentially small terms.

    Parameters
    ----------
    N : int or None
        Number of sites, >= 2; ``None`` for :math:`N\\to\\infty`.
    m, k, gamma : float
        Mass, spring constant, friction, all > 0.
    T_L, T_R : float
        Temperatures, >= 0.

    References
    ----------
    Rieder, Lebowitz, Lieb, J. Math. Phys. 8, 1073 (1967); Dhar, Adv. Phys. 57, 457 (2008),
    Sec. 3. The finite-:math:`N` factor is checked against the Lyapunov covariance in the tests.
    """
    N = None if N is None else _chain_size(N)
    m, k, gamma = _v.positive("m", m), _v.positive("k", k), _v.positive("gamma", gamma)
    T_L, T_R = _v.temperature("T_L", T_L), _v.temperature("T_R", T_R)
    nu = k * m / gamma**2
    # phi = 1 + nu/2 - (nu/2) sqrt(1 + 4/nu), written without cancellation at large nu
    phi = 2.0 / (1.0 + 2.0 / nu + math.sqrt(1.0 + 4.0 / nu)) / nu
    finite = 1.0 if N is None else (1.0 - phi ** (2 * N - 2)) / (1.0 - phi ** (2 * N))
    return k * (T_L - T_R) / (2.0 * gamma) * phi * finite


def _validate_infinite(m, k, K_L, K_R, gamma_L, gamma_R, T_L, T_R):
    return (_v.positive("m", m), _v.positive("k", k), _v.nonnegative("K_L", K_L),
            _v.nonnegative("K_R", K_R), _v.nonnegative("gamma_L", gamma_L),
            _v.nonnegative("gamma_R", gamma_R), _v.temperature("T_L", T_L), _v.temperature("T_R", T_R))


def infinite_chain_current(m, k, K_L, K_R, gamma_L, gamma_R, T_L, T_R, prefactor=2.0) -> float:
    """Closed-form :math:`N\\to\\infty` current of the chain of :func:`langevin_chain_steady_state`.

    .. math::

        J = \\frac{2\\gamma_L\\gamma_R k^2 (T_L - T_R)}{m\\,[D_0 - D_1 + \\sqrt{D_0(D_0 - 2D_1)}]},
        \\quad D_0 = \\gamma_L K_R^2 + \\gamma_R K_L^2,\\quad
        D_1 = 2k[\\gamma_L(K_R - k) + \\gamma_R(K_L - k)] - \\tfrac{2k}{m}\\gamma_L\\gamma_R(\\gamma_L + \\gamma_R).

    For the NDC chain :math:`K_L = k_\\mathrm{eff}`, :math:`K_R = K`. It follows from
    :math:`\\int_0^\\pi \\sin^2 q\\,dq/(a + b\\cos q) = \\pi/(a + \\sqrt{a^2 - b^2})` with
    :math:`a = D_0 - D_1`, :math:`b = D_1` applied to :func:`infinite_chain_current_integral`.

    Parameters
    ----------
    prefactor : float
        2 (correct, ERRATA N2). The paper prints 4; pass ``prefactor=4`` to reproduce Eq. (4).

    References
    ----------
    NDC paper, Eq. (4) and end of Appendix B; ERRATA N1 (square root, :math:`\\lambda_{R,L}` are
    :math:`K, k_\\mathrm{eff}`) and N2 (prefactor 2, not 4).
    """
    m, k, K_L, K_R, gamma_L, gamma_R, T_L, T_R = _validate_infinite(
        m, k, K_L, K_R, gamma_L, gamma_R, T_L, T_R)
    prefactor = _v.positive("prefactor", prefactor)
    D0 = gamma_L * K_R**2 + gamma_R * K_L**2
    D1 = 2 * k * (gamma_L * (K_R - k) + gamma_R * (K_L - k)) - 2 * k / m * gamma_L * gamma_R * (gamma_L + gamma_R)
    den = D0 - D1 + math.sqrt(max(D0 * (D0 - 2 * D1), 0.0))
    if gamma_L * gamma_R == 0.0:
        return 0.0
    return prefactor * gamma_L * gamma_R * k**2 * (T_L - T_R) / (m * den)


def infinite_chain_current_integral(m, k, K_L, K_R, gamma_L, gamma_R, T_L, T_R, prefactor=2.0) -> float:
    """The :math:`N\\to\\infty` current as the wave-number integral of Appendix B (``scipy.integrate.quad``).

    .. math::

        J = \\frac{2\\gamma_L\\gamma_R k^2 (T_L - T_R)}{\\pi m}\\int_0^\\pi
        \\frac{\\sin^2 q\\; dq}{\\gamma_L Z_R(\\omega) + \\gamma_R Z_L(\\omega)
        + \\omega^2\\gamma_L\\gamma_R(\\gamma_L + \\gamma_R)},\\qquad
        Z_{R,L}(\\omega) = K_{R,L}^2 - m\\omega^2 (K_{R,L} - k),

    with :math:`\\omega = 2\\sqrt{k/m}\\,\\sin(q/2)`. Independent of the closed form
    :func:`infinite_chain_current` (which integrates this analytically).

    References
    ----------
    NDC paper, Appendix B (prefactor corrected to 2, ERRATA N2; ERRATA N1 for :math:`Z_{R,L}`).
    """
    m, k, K_L, K_R, gamma_L, gamma_R, T_L, T_R = _validate_infinite(
        m, k, K_L, K_R, gamma_L, gamma_R, T_L, T_R)
    prefactor = _v.positive("prefactor", prefactor)
    if gamma_L * gamma_R == 0.0:
        return 0.0

    def integrand(q):
        mw2 = 4 * k * math.sin(q / 2) ** 2  # m omega^2
        Z_R = K_R**2 - mw2 * (K_R - k)
        Z_L = K_L**2 - mw2 * (K_L - k)
        return math.sin(q) ** 2 / (gamma_L * Z_R + gamma_R * Z_L + mw2 / m * gamma_L * gamma_R * (gamma_L + gamma_R))

    val, _ = integrate.quad(integrand, 0.0, math.pi, epsabs=0.0, epsrel=1e-13, limit=200)
    return prefactor * gamma_L * gamma_R * k**2 * (T_L - T_R) / (math.pi * m) * val


# ====================================================================== the NDC chain
def _broadcast(fun, *args):
    """Evaluate a scalar function elementwise when any argument is an array."""
    if all(np.ndim(a) == 0 for a in args):
        return fun(*args)
    return np.vectorize(fun, otypes=[float])(*args)


@dataclass(frozen=True)
class NDCChain:
    """Harmonic chain with the particle bath on site 1 and a Langevin bath on site N.

    Parameters
    ----------
    bath : ParticleBath
        The particle bath acting on site 1.
    m : float
        Mass of every site, > 0.
    k : float
        Nearest-neighbour spring constant, > 0.
    K : float
        On-site pinning of the two end sites (:math:`\\tfrac K2(q_1^2 + q_N^2)` in the Hamiltonian of
        Sec. 2), > 0. Site 1 is softened to :math:`k_\\mathrm{eff}` by the bath.
    gamma_R : float
        Friction of the right Langevin bath, > 0.

    References
    ----------
    NDC paper, Sec. 2 (Hamiltonian, Eq. (2)) and Sec. 4 (effective chain, Eq. (3)).
    """

    bath: ParticleBath
    m: float = 1.0
    k: float = 1.0
    K: float = 1.0
    gamma_R: float = 1.0

    def __post_init__(self):
        if not isinstance(self.bath, ParticleBath):
            raise ValueError(f"bath must be a ParticleBath, got {self.bath!r} ({type(self.bath).__name__})")
        object.__setattr__(self, "m", _v.positive("m", self.m))
        object.__setattr__(self, "k", _v.positive("k", self.k))
        object.__setattr__(self, "K", _v.positive("K", self.K))
        object.__setattr__(self, "gamma_R", _v.positive("gamma_R", self.gamma_R))

    # ------------------------------------------------------------------ effective coefficients
    def gamma_L(self, T_L) -> float:
        """Friction on site 1, :math:`\\gamma_L = N_b\\varepsilon^2\\zeta L^2\\lambda^2 S(p)/(2\\pi^2 T_L^2)`.

        References
        ----------
        NDC paper, Sec. 4 (below Eq. (3)).
        """
        T_L = _v.positive("T_L", T_L)
        return self.bath.N_b * self.bath.friction(T_L)

    def _stiffness_shift(self) -> float:
        """:math:`N_b\\varepsilon^2\\mathrm{Var}\\,\\mathcal F` (so that :math:`k_\\mathrm{eff} = K - \\text{shift}/T_L`)."""
        b = self.bath
        return b.N_b * b.eps**2 * b.variance()

    def k_eff(self, T_L) -> float:
        """Softened on-site stiffness of site 1.

        .. math::

            k_\\mathrm{eff} = K - \\frac{N_b\\varepsilon^2}{T_L}\\,\\lambda^2\\Big(\\frac{I_0(2p)}{I_0(p)^2} - 1\\Big).

        References
        ----------
        NDC paper, Sec. 4; sign corrected (ERRATA N3: the paper prints :math:`K + \\dots`).
        """
        T_L = _v.positive("T_L", T_L)
        return self.K - self._stiffness_shift() / T_L

    def _series_stiffness(self, N) -> float:
        """Stiffness that sites 2..N offer to site 1: N-1 springs k in series with the pinning K."""
        return 0.0 if N is None else 1.0 / ((N - 1) / self.k + 1.0 / self.K)

    def critical_temperature(self, N=None) -> float:
        """Temperature :math:`T^*` at and below which the effective chain has no steady state.

        .. math::

            T^*_N = \\frac{N_b\\varepsilon^2\\mathrm{Var}\\,\\mathcal F}{K + k_N},\\qquad
            k_N = \\Big(\\frac{N-1}{k} + \\frac1K\\Big)^{-1}\\ (k_\\infty = 0),

        i.e. where :math:`k_\\mathrm{eff} + k_N = 0` and the force matrix stops being positive
        definite (same threshold with and without the memory kernel: the memory variables do not
        change the static stiffness). For :math:`N\\to\\infty`, :math:`T^* = N_b\\varepsilon^2
        \\mathrm{Var}\\,\\mathcal F/K` (ERRATA N3).

        Parameters
        ----------
        N : int or None
            Chain length (>= 2) or ``None`` for :math:`N\\to\\infty`.
        """
        N = None if N is None else _chain_size(N)
        return self._stiffness_shift() / (self.K + self._series_stiffness(N))

    def _require_steady_state(self, T_L, N):
        T_star = self.critical_temperature(N)
        if T_L <= T_star:
            size = "N -> infinity" if N is None else f"N = {N}"
            raise MarkovReductionError(
                f"the O(eps^2) effective chain ({size}) has no steady state at T_L = {T_L:g}: "
                f"k_eff = {self.k_eff(T_L):.4g} makes the force matrix non-positive; the reduction "
                f"breaks down for T_L <= T* = {T_star:.6g} (the full particle model is still stable)",
                T_L=T_L, T_star=T_star, N=N)

    def markov_validity(self, T_L) -> float:
        """:math:`\\omega_\\mathrm{max}\\tau_1`: the Markov (time-scale separation) step needs this << 1.

        :math:`\\omega_\\mathrm{max} = 2\\sqrt{k/m}` (top of the phonon band), or the pinned edge mode
        :math:`\\sqrt{(K + k + k^2/(K-k))/m}` when :math:`K > 2k`; :math:`\\tau_1 = \\zeta L^2/(4\\pi^2 T_L)`.
        (Beyond the paper; book errata "Beyond the paper".)
        """
        T_L = _v.positive("T_L", T_L)
        w2 = 4 * self.k / self.m
        if self.K > 2 * self.k:
            w2 = max(w2, (self.K + self.k + self.k**2 / (self.K - self.k)) / self.m)
        return math.sqrt(w2) * self.bath.tau1(T_L)

    def memory_modes(self, T_L, tol: float = MODE_TOLERANCE):
        """Exponential modes of the memory kernel :math:`(N_b\\varepsilon^2/T_L)\\,C(t) = \\sum_n a_n e^{-t/\\tau_n}`.

        Returns
        -------
        tau : numpy.ndarray
            :math:`\\tau_n = \\zeta L^2/(4\\pi^2 n^2 T_L)`.
        a : numpy.ndarray
            :math:`a_n = N_b\\varepsilon^2 c_n/T_L`, :math:`c_n = 2\\lambda^2 I_n(p)^2/I_0(p)^2`; modes with
            :math:`c_n/c_1 <` ``tol`` are dropped. :math:`\\sum_n a_n\\tau_n = \\gamma_L` and
            :math:`\\sum_n a_n = K - k_\\mathrm{eff}`.
        """
        T_L = _v.positive("T_L", T_L)
        c = self.bath.correlation_amplitudes(tol=tol)
        if c.size == 0 or self.bath.eps == 0.0:
            return np.zeros(0), np.zeros(0)
        tau = self.bath.relaxation_times(T_L, n_modes=c.size)
        return tau, self.bath.N_b * self.bath.eps**2 * c / T_L

    def large_T_limit(self) -> float:
        """:math:`\\lim_{T_L\\to\\infty} J\\,T_L` at fixed :math:`T_R` (the :math:`J\\propto T_L^{-1}` law).

        .. math::

            \\lim J T_L = \\frac{N_b\\varepsilon^2\\zeta L^2\\lambda^2 S(p)}{2\\pi^2 m}\\,w,\\qquad
            w = 1\\ (K\\le 2k),\\quad w = \\frac{k^2}{(K-k)^2}\\ (K > 2k,\\ \\text{edge mode}),

        independent of :math:`\\gamma_R` and :math:`T_R`: as :math:`\\gamma_L\\to 0` the chain sits at
        :math:`T_R` and :math:`J\\to w\\gamma_L (T_L - T_R)/m`.

        References
        ----------
        NDC paper, Sec. 4 and Fig. 3b (the :math:`T_L^{-1}` tail); prefactor from the corrected Eq. (4).
        """
        b = self.bath
        w = 1.0 if self.K <= 2 * self.k else self.k**2 / (self.K - self.k) ** 2
        return b.N_b * b.eps**2 * b.zeta * b.L**2 * b.lam**2 * b.S() * w / (2 * math.pi**2 * self.m)

    # ------------------------------------------------------------------ currents
    def _validate_temps(self, T_L, T_R):
        return _v.positive("T_L", T_L), _v.temperature("T_R", T_R)

    def current(self, T_L, T_R, N=None, memory=False):
        """Steady heat current from the particle bath into the chain.

        Parameters
        ----------
        T_L : float or array_like
            Particle-bath temperature, > 0.
        T_R : float or array_like
            Langevin-bath temperature, >= 0.
        N : int or None
            ``None``: closed form for :math:`N\\to\\infty` (:func:`infinite_chain_current` with
            :math:`K_L = k_\\mathrm{eff}`, :math:`K_R = K`, prefactor 2). An integer >= 2: the exact
            current of the finite effective chain from its Lyapunov covariance.
        memory : bool
            Keep the full :math:`O(\\varepsilon^2)` memory kernel instead of its Markov limit
            (requires an integer ``N``; see :meth:`steady_state`).

        Returns
        -------
        float or numpy.ndarray

        Raises
        ------
        MarkovReductionError
            For :math:`T_L \\le T^*` (:meth:`critical_temperature`), where the effective chain has no
            steady state.

        References
        ----------
        NDC paper, Eq. (4) and Appendix B, with ERRATA N1, N2, N3, N5, N6.
        """
        if not isinstance(memory, (bool, np.bool_)):
            raise ValueError(f"memory must be True or False, got {memory!r}")
        if N is not None:
            N = _chain_size(N)
        elif memory:
            raise ValueError("N must be an integer >= 2 when memory=True, got None")

        def one(T_L, T_R):
            if N is None:
                T_L, T_R = self._validate_temps(T_L, T_R)
                self._require_steady_state(T_L, None)
                return infinite_chain_current(self.m, self.k, self.k_eff(T_L), self.K, self.gamma_L(T_L),
                                              self.gamma_R, T_L, T_R)
            return self.steady_state(T_L, T_R, N, memory=memory).current

        return _broadcast(one, T_L, T_R)

    def current_integral(self, T_L, T_R):
        """The :math:`N\\to\\infty` current from the wave-number integral of Appendix B
        (:func:`infinite_chain_current_integral`), an independent route to :meth:`current`."""
        def one(T_L, T_R):
            T_L, T_R = self._validate_temps(T_L, T_R)
            self._require_steady_state(T_L, None)
            return infinite_chain_current_integral(self.m, self.k, self.k_eff(T_L), self.K,
                                                   self.gamma_L(T_L), self.gamma_R, T_L, T_R)

        return _broadcast(one, T_L, T_R)

    def current_printed(self, T_L, T_R):
        """Eq. (4) exactly as printed: prefactor 4 and :math:`k_\\mathrm{eff} = K + N_b\\varepsilon^2
        \\mathrm{Var}\\,\\mathcal F/T_L`. Wrong (ERRATA N2, N3); for the errata page only."""
        def one(T_L, T_R):
            T_L, T_R = self._validate_temps(T_L, T_R)
            return infinite_chain_current(self.m, self.k, self.K + self._stiffness_shift() / T_L, self.K,
                                          self.gamma_L(T_L), self.gamma_R, T_L, T_R, prefactor=4.0)

        return _broadcast(one, T_L, T_R)

    def steady_state(self, T_L, T_R, N, memory=False, tol: float = MODE_TOLERANCE) -> ChainSteadyState:
        """Exact steady state of the finite effective chain (Lyapunov equation).

        Markov (``memory=False``): the chain of :func:`langevin_chain_steady_state` with
        :math:`K_L = k_\\mathrm{eff}`, :math:`\\gamma_L`, :math:`K_R = K`, :math:`\\gamma_R`.

        Memory (``memory=True``, beyond the paper): linear response of the bath (Appendix A.2) gives
        the force on site 1, per particle, :math:`-\\varepsilon\\lambda + \\varepsilon^2\\mathrm{Var}\\,\\mathcal F\\,
        q_1/T_L - (\\varepsilon^2/T_L)\\int_0^\\infty C(s)\\dot q_1(t-s)\\,ds` + noise. With
        :math:`C = \\sum_n c_n e^{-t/\\tau_n}` each mode is an Ornstein-Uhlenbeck variable

        .. math::

            du_n = -\\frac{u_n}{\\tau_n}dt - a_n\\,dq_1 + \\sqrt{2a_n T_L/\\tau_n}\\,dW_n,\\qquad
            m\\ddot q_1 = -k_\\mathrm{eff} q_1 - k(q_1 - q_2) + \\sum_n u_n,

        :math:`a_n = N_b\\varepsilon^2 c_n/T_L` (:meth:`memory_modes`). The noise obeys the second
        fluctuation-dissipation relation :math:`\\langle\\sum u_n(t)\\sum u_n(0)\\rangle = T_L\\,
        (N_b\\varepsilon^2/T_L)\\,C(t)`. For :math:`\\omega\\tau_1\\to 0`, :math:`u_n \\to -a_n\\tau_n\\dot q_1`
        and :math:`\\sum a_n\\tau_n = \\gamma_L`: the Markov chain. For fast motion
        (:math:`\\omega\\tau_1\\gg1`) :math:`u_n\\approx -a_n q_1` and the softening is undone
        (:math:`k_\\mathrm{eff} + \\sum a_n = K`). The left heat flow is :math:`\\langle p_1\\sum u_n\\rangle/m`.

        Parameters
        ----------
        T_L : float
            Particle-bath temperature, > 0.
        T_R : float
            Langevin-bath temperature, >= 0.
        N : int
            Chain length, >= 2.
        memory : bool
            Keep the memory kernel.
        tol : float
            Mode cut :math:`c_n/c_1 <` ``tol`` for ``memory=True``.

        Raises
        ------
        MarkovReductionError
            For :math:`T_L \\le T^*_N`.
        """
        T_L, T_R = self._validate_temps(T_L, T_R)
        N = _chain_size(N)
        self._require_steady_state(T_L, N)
        if not memory:
            return langevin_chain_steady_state(N, self.m, self.k, self.k_eff(T_L), self.K,
                                               self.gamma_L(T_L), self.gamma_R, T_L, T_R)
        tau, a = self.memory_modes(T_L, tol=tol)
        M = tau.size
        m = self.m
        n = 2 * N + M
        Phi = _stiffness_matrix(N, self.k, self.k_eff(T_L), self.K)
        A = np.zeros((n, n))
        A[:N, N:2 * N] = np.eye(N) / m
        A[N:2 * N, :N] = -Phi
        A[N, 2 * N:] = 1.0                       # force sum_n u_n on site 1
        A[2 * N - 1, 2 * N - 1] -= self.gamma_R / m
        A[2 * N:, N] = -a / m                    # - a_n dq_1 = - a_n p_1/m dt
        A[2 * N:, 2 * N:] = np.diag(-1.0 / tau)
        D = np.zeros((n, n))
        D[2 * N - 1, 2 * N - 1] = 2 * self.gamma_R * T_R
        D[2 * N:, 2 * N:] = np.diag(2 * a * T_L / tau)
        try:
            S = _solve_steady_covariance(A, D, "the memory-kernel chain")
        except ValueError as err:
            raise MarkovReductionError(f"{err} at T_L = {T_L:g}", T_L=T_L,
                                       T_star=self.critical_temperature(N), N=N) from None
        pp = np.diag(S)[N:2 * N] / m
        return ChainSteadyState(
            covariance=S,
            bond_currents=bond_currents(S, N, m, self.k),
            heat_left=float(np.sum(S[N, 2 * N:])) / m,
            heat_right=self.gamma_R / m * (T_R - pp[-1]),
            kinetic_temperatures=pp,
        )
