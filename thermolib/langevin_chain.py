"""Harmonic chain between two Langevin baths: exact steady state, relaxation, the N -> infinity current.

The chain (Rieder, Lebowitz, Lieb 1967; the NDC paper's effective chain, Sec. 4 and Appendix B)

.. math::

    m\\ddot q_j = -(\\Phi q)_j - \\delta_{j1}(\\gamma_L\\dot q_1 - \\sqrt{2\\gamma_L T_L}\\,\\eta_L)
    - \\delta_{jN}(\\gamma_R\\dot q_N - \\sqrt{2\\gamma_R T_R}\\,\\eta_R),

with :math:`\\Phi` tridiagonal, off-diagonal :math:`-k`, diagonal :math:`2k` except
:math:`\\Phi_{11} = k + K_L`, :math:`\\Phi_{NN} = k + K_R`. Its parameters live in one frozen,
validating object, :class:`LangevinChain`; the functions ``langevin_chain_*`` are thin aliases that
take the same numbers positionally.

Numerics. With :math:`X = (q, p)`, :math:`dX = AX\\,dt + B\\,dW` and the steady covariance solves
:math:`A\\Sigma + \\Sigma A^\\top + BB^\\top = 0`. The equation is solved after a diagonal rescaling
that makes every variable O(1) in equilibrium (:math:`q_j\\sqrt{\\Phi_{jj}}`, :math:`p_j/\\sqrt m`),
which keeps stiff end sites (:math:`K \\gg k`) from swamping the round-off, once per bath at unit
temperature (the covariance is linear in :math:`T_L, T_R`, the current is
:math:`(T_L - T_R)J_1`, exactly zero at equal temperatures). Stability is decided
structurally, not from eigenvalues in floating point: a chain with positive-definite :math:`\\Phi`
and at least one damped end has a steady state (every normal mode of the irreducible tridiagonal
:math:`\\Phi` moves both end sites). The bond currents of a steady state are all equal; their
spread measures the round-off of the solve, and a current that it does not resolve to
:data:`CURRENT_RTOL` raises :class:`IllConditionedError` instead of returning a wrong number.

References
----------
Rieder, Lebowitz, Lieb, J. Math. Phys. 8, 1073 (1967); Dhar, Adv. Phys. 57, 457 (2008);
Krekels, Maes, Santra, Zhai, arXiv:2604.00777 (2026), Sec. 4, Eq. (4), Appendix B (ERRATA N1, N2).
"""
from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
from scipy import integrate, linalg

from . import _validation as _v

__all__ = [
    "LangevinChain",
    "ChainSteadyState",
    "IllConditionedError",
    "CURRENT_RTOL",
    "MAX_SITES",
    "bond_currents",
    "langevin_chain_covariance",
    "langevin_chain_current",
    "langevin_chain_relaxation_time",
    "langevin_chain_steady_state",
    "infinite_chain_current",
    "infinite_chain_current_integral",
    "rll_current",
]

#: Relative accuracy promised for a Lyapunov current: the spread of the ``N - 1`` bond currents
#: (equal in exact arithmetic) must stay below this fraction of the current.
CURRENT_RTOL = 1e-6


class IllConditionedError(ArithmeticError, ValueError):
    """Double precision cannot resolve the requested quantity for these parameters.

    Raised, e.g., when the bond currents of a Lyapunov solution disagree by more than
    :data:`CURRENT_RTOL`: the chain's damping is so weak compared with its stiffest spring (very
    stiff pinning, long chains, a particle bath so hot that its friction is negligible) that the
    current is below the round-off of the covariance. The message names the parameters and says
    which route to use instead (the :math:`N\\to\\infty` closed form). Also a ``ValueError``,
    like every refusal of parameter values in thermolib: ``except ValueError`` catches it.
    """


#: Longest chain whose exact steady state is computed: the Lyapunov equation of ``(q, p)`` is dense
#: and ``2N x 2N``, a few matrices of :math:`(2N)^2` doubles (2 GiB each at this size) and
#: :math:`O(N^3)` operations. The simulators share the bound (they solve an ``N x N`` system).
MAX_SITES = 2**13


# ====================================================================== matrices and solves
def chain_size(N, limit=MAX_SITES) -> int:
    """Validate a chain length: an integer >= 2 and, unless ``limit`` is None, <= ``limit``."""
    N = _v.positive_int("N", N)
    if N < 2 or (limit is not None and N > limit):
        bound = "" if limit is None else f" and <= {limit} (the dense linear algebra of a chain " \
                                          f"of N sites takes (2N)^2 doubles per matrix)"
        raise ValueError(f"N must be an integer >= 2{bound}, got {N}")
    return N


def stiffness_matrix(N: int, k: float, K_L: float, K_R: float) -> np.ndarray:
    """Tridiagonal force matrix Phi of Appendix B: diag(k + K_L, 2k, ..., 2k, k + K_R), off-diagonal -k."""
    Phi = np.diag(np.full(N, 2.0 * k)) - k * np.eye(N, k=1) - k * np.eye(N, k=-1)
    Phi[0, 0] = k + K_L
    Phi[-1, -1] = k + K_R
    return Phi


def drift_matrix(Phi: np.ndarray, m: float, gamma_L: float, gamma_R: float) -> np.ndarray:
    """Drift of ``X = (q, p)``: ``dq = p/m dt``, ``dp = (-Phi q - gamma_{L,R} p_{1,N}/m) dt``."""
    N = Phi.shape[0]
    A = np.zeros((2 * N, 2 * N))
    A[:N, N:] = np.eye(N) / m
    A[N:, :N] = -Phi
    A[N, N] -= gamma_L / m
    A[-1, -1] -= gamma_R / m
    return A


def is_positive_definite(Phi: np.ndarray) -> bool:
    """Cholesky test (exact in the sense of backward stability, unlike a sign of an eigenvalue)."""
    try:
        np.linalg.cholesky(Phi)
    except np.linalg.LinAlgError:
        return False
    return True


def solve_steady_covariance(A: np.ndarray, D: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """Steady covariance of ``dX = A X dt + noise`` (diffusion ``D``), solved for ``X / scale``.

    ``scale`` holds the typical equilibrium size of each variable; the caller has established that
    ``A`` is Hurwitz.
    """
    As = A * (scale[None, :] / scale[:, None])
    Ds = D / np.outer(scale, scale)
    with warnings.catch_warnings():  # near-singular cases are caught by the caller's bond check
        warnings.simplefilter("ignore", RuntimeWarning)
        S = linalg.solve_continuous_lyapunov(As, -Ds) * np.outer(scale, scale)
    return 0.5 * (S + S.T)


def bond_currents(covariance, N, m, k) -> np.ndarray:
    """Bond currents :math:`J_j = \\frac{k}{2m}\\langle (p_j + p_{j+1})(q_j - q_{j+1})\\rangle` from a
    covariance of ``(q_1..q_N, p_1..p_N, ...)`` (ERRATA N6)."""
    N = chain_size(N)
    m, k = _v.positive("m", m), _v.positive("k", k)
    C = np.asarray(covariance, dtype=float)[:N, N:2 * N]  # C[a, b] = <q_a p_b>
    j = np.arange(N - 1)
    return k / (2 * m) * (C[j, j] - C[j + 1, j] + C[j, j + 1] - C[j + 1, j + 1])


def two_temperature_solve(A, D_left, D_right, scale, T_L, T_R, N, m, k, what, instead):
    """Steady covariance ``T_L S_L + T_R S_R`` of a linear chain and its current ``(T_L - T_R) J_1``.

    ``S_L`` (``S_R``) solves the Lyapunov equation with the left (right) noise at unit temperature;
    by linearity the covariance at any temperatures is their combination and the current is
    :math:`(T_L - T_R) J_1` with :math:`J_1` the bond current of ``S_L`` (exactly zero at
    ``T_L = T_R``). :math:`J_1` is taken from the better resolved of the two solves, and only when
    the ``2(N - 1)`` bond values of both agree to :data:`CURRENT_RTOL`, else
    :class:`IllConditionedError` naming ``what`` and the route to take ``instead``.

    Returns
    -------
    covariance : numpy.ndarray
    current : float
    """
    S_L = solve_steady_covariance(A, D_left, scale)
    S_R = solve_steady_covariance(A, D_right, scale)
    if not (D_left.any() and D_right.any()):  # one end without a bath: no transport
        return T_L * S_L + T_R * S_R, 0.0
    # each solve gives J_1 (the right one with the opposite sign); the one whose bond values agree
    # best is the better resolved (the current is small against the covariance of the strongly
    # damped side), and both must agree with each other
    J_left, J_right = bond_currents(S_L, N, m, k), -bond_currents(S_R, N, m, k)
    best = min((J_left, J_right), key=lambda J: float(np.ptp(J)))
    J1 = float(np.mean(best))
    spread = float(np.ptp(np.concatenate([J_left, J_right])))
    if not (J1 > 0 and spread <= CURRENT_RTOL * J1):
        raise IllConditionedError(
            f"{what}: the current is not resolved in double precision (its bond values per unit "
            f"temperature difference, {J1:.4g} on average, differ by {spread:.2g}): the damping "
            f"is too weak for the stiffest spring. {instead}")
    return T_L * S_L + T_R * S_R, (T_L - T_R) * J1


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
    current : float
        The current :math:`(T_L - T_R)J_1`, resolved to :data:`CURRENT_RTOL` (else the solve raised
        :class:`IllConditionedError`).
    """

    covariance: np.ndarray
    bond_currents: np.ndarray
    heat_left: float
    heat_right: float
    kinetic_temperatures: np.ndarray
    current: float


# ====================================================================== the model
@dataclass(frozen=True)
class LangevinChain:
    """A harmonic chain between two Langevin baths (the parameters; temperatures are arguments).

    Parameters
    ----------
    N : int
        Number of sites, >= 2.
    m, k : float
        Mass and spring constant, > 0.
    K_L, K_R : float
        On-site stiffness of the end sites (may be negative as long as :math:`\\Phi` stays positive
        definite; checked where a steady state is needed).
    gamma_L, gamma_R : float
        Frictions of the end sites, >= 0.

    Examples
    --------
    >>> LangevinChain(8, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0).current(2.0, 1.0)  # doctest: +ELLIPSIS
    0.19...
    """

    N: int
    m: float
    k: float
    K_L: float
    K_R: float
    gamma_L: float
    gamma_R: float

    def __post_init__(self):
        object.__setattr__(self, "N", chain_size(self.N))
        for name in ("m", "k"):
            object.__setattr__(self, name, _v.positive(name, getattr(self, name)))
        for name in ("K_L", "K_R"):
            object.__setattr__(self, name, _v.real(name, getattr(self, name)))
        for name in ("gamma_L", "gamma_R"):
            object.__setattr__(self, name, _v.nonnegative(name, getattr(self, name)))

    # ------------------------------------------------------------------ matrices
    def stiffness_matrix(self) -> np.ndarray:
        """The force matrix :math:`\\Phi` (``N x N``)."""
        return stiffness_matrix(self.N, self.k, self.K_L, self.K_R)

    def drift_matrix(self) -> np.ndarray:
        """The drift :math:`A` of :math:`X = (q, p)` (``2N x 2N``)."""
        return drift_matrix(self.stiffness_matrix(), self.m, self.gamma_L, self.gamma_R)

    def _require_stable(self) -> np.ndarray:
        Phi = self.stiffness_matrix()
        if not is_positive_definite(Phi):
            raise ValueError(f"the chain has no steady state: the force matrix is not positive "
                             f"definite (K_L = {self.K_L!r}, K_R = {self.K_R!r}, N = {self.N})")
        if self.gamma_L == 0.0 and self.gamma_R == 0.0:
            raise ValueError("the chain has no steady state: gamma_L = gamma_R = 0 (undamped)")
        return Phi

    # ------------------------------------------------------------------ steady state
    def steady_state(self, T_L, T_R) -> ChainSteadyState:
        """Exact steady state at bath temperatures ``T_L``, ``T_R`` (>= 0), from the Lyapunov equation.

        Raises
        ------
        ValueError
            If a temperature is out of range or the chain has no steady state (:math:`\\Phi` not
            positive definite, or no damping).
        IllConditionedError
            If the current is not resolved to :data:`CURRENT_RTOL` in double precision.
        """
        T_L, T_R = _v.temperature("T_L", T_L), _v.temperature("T_R", T_R)
        Phi = self._require_stable()
        N, m = self.N, self.m
        A = drift_matrix(Phi, m, self.gamma_L, self.gamma_R)
        D_left, D_right = np.zeros_like(A), np.zeros_like(A)
        D_left[N, N] = 2 * self.gamma_L
        D_right[-1, -1] = 2 * self.gamma_R
        scale = np.concatenate([1 / np.sqrt(np.diag(Phi)), np.full(N, math.sqrt(m))])
        S, J = two_temperature_solve(
            A, D_left, D_right, scale, T_L, T_R, N, m, self.k, f"LangevinChain(N={N})",
            "Use infinite_chain_current (N -> infinity; equal to the finite chain up to terms "
            "exponentially small in N) for non-negative K_L, K_R")
        pp = np.diag(S)[N:] / m
        return ChainSteadyState(
            covariance=S,
            bond_currents=bond_currents(S, N, m, self.k),
            heat_left=self.gamma_L / m * (T_L - pp[0]),
            heat_right=self.gamma_R / m * (T_R - pp[-1]),
            kinetic_temperatures=pp,
            current=J,
        )

    def covariance(self, T_L, T_R) -> np.ndarray:
        """Steady covariance of ``(q_1..q_N, p_1..p_N)`` (:meth:`steady_state`)."""
        return self.steady_state(T_L, T_R).covariance

    def current(self, T_L, T_R) -> float:
        """Exact steady bond current.

        .. math::

            J = \\frac{k}{2m}\\langle (p_j + p_{j+1})(q_j - q_{j+1})\\rangle
              = \\frac{\\gamma_L}{m}\\Big(T_L - \\frac{\\langle p_1^2\\rangle}{m}\\Big).
        """
        return self.steady_state(T_L, T_R).current

    # ------------------------------------------------------------------ time scales
    def relaxation_time(self) -> float:
        """Slowest relaxation time :math:`1/\\min_i|\\mathrm{Re}\\,\\lambda_i|` of the drift matrix.

        Means relax like :math:`e^{-t/\\tau}`, covariances (temperatures, the current) like
        :math:`e^{-2t/\\tau}`. The chain is damped only at its ends, so its long-wavelength modes are
        barely damped: for a uniform chain :math:`\\tau` grows like :math:`N^3`
        (:math:`\\tau \\approx 7.8\\times10^3` at :math:`N = 32`, all parameters 1). A simulation
        started away from the steady state needs a burn-in of several :math:`\\tau`.

        Raises
        ------
        ValueError
            If the chain has no steady state.
        IllConditionedError
            If the slowest rate is below the round-off of the (rescaled) drift matrix.
        """
        Phi = self._require_stable()
        s = np.concatenate([1 / np.sqrt(np.diag(Phi)), np.full(self.N, math.sqrt(self.m))])
        A = drift_matrix(Phi, self.m, self.gamma_L, self.gamma_R) * (s[None, :] / s[:, None])
        rate = float(np.min(-np.linalg.eigvals(A).real))
        if not rate > 1e-12 * np.linalg.norm(A, 2):
            raise IllConditionedError(
                f"the slowest relaxation rate of LangevinChain(N={self.N}) is below the round-off "
                f"of its drift matrix (computed {rate:.3g}, norm {np.linalg.norm(A, 2):.3g}): the "
                f"damping is too weak for the stiffest spring")
        return 1.0 / rate

    def time_scales(self) -> dict:
        """Named time scales that a time step must resolve: ``"oscillation"``
        :math:`1/\\omega_\\mathrm{max}` with the bound :math:`\\omega_\\mathrm{max}^2 \\le
        (\\max(K_L, K_R, 0) + 4k)/m` on the top of the spectrum of :math:`\\Phi/m` (Gershgorin),
        ``"damping_L"``, ``"damping_R"`` (:math:`m/\\gamma`, infinite for an undamped end). The
        slowest one is :meth:`relaxation_time`."""
        w2_max = (max(self.K_L, self.K_R, 0.0) + 4.0 * self.k) / self.m
        return {
            "oscillation": 1.0 / math.sqrt(w2_max),
            "damping_L": self.m / self.gamma_L if self.gamma_L > 0 else math.inf,
            "damping_R": self.m / self.gamma_R if self.gamma_R > 0 else math.inf,
        }


# ====================================================================== positional aliases
def langevin_chain_steady_state(N, m, k, K_L, K_R, gamma_L, gamma_R, T_L, T_R) -> ChainSteadyState:
    """``LangevinChain(N, m, k, K_L, K_R, gamma_L, gamma_R).steady_state(T_L, T_R)``."""
    return LangevinChain(N, m, k, K_L, K_R, gamma_L, gamma_R).steady_state(T_L, T_R)


def langevin_chain_covariance(N, m, k, K_L, K_R, gamma_L, gamma_R, T_L, T_R) -> np.ndarray:
    """``LangevinChain(N, m, k, K_L, K_R, gamma_L, gamma_R).covariance(T_L, T_R)``."""
    return LangevinChain(N, m, k, K_L, K_R, gamma_L, gamma_R).covariance(T_L, T_R)


def langevin_chain_current(N, m, k, K_L, K_R, gamma_L, gamma_R, T_L, T_R) -> float:
    """``LangevinChain(N, m, k, K_L, K_R, gamma_L, gamma_R).current(T_L, T_R)``."""
    return LangevinChain(N, m, k, K_L, K_R, gamma_L, gamma_R).current(T_L, T_R)


def langevin_chain_relaxation_time(N, m, k, K_L, K_R, gamma_L, gamma_R) -> float:
    """``LangevinChain(N, m, k, K_L, K_R, gamma_L, gamma_R).relaxation_time()``."""
    return LangevinChain(N, m, k, K_L, K_R, gamma_L, gamma_R).relaxation_time()


# ====================================================================== closed forms
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
    N = None if N is None else chain_size(N, limit=None)  # a closed form: any N
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
    """Closed-form :math:`N\\to\\infty` current of the chain of :class:`LangevinChain`.

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
