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
The generic two-Langevin-bath chain and the closed forms live in :mod:`thermolib.langevin_chain`
(re-exported here). For comparisons with simulations the model also gives its time scales, the
expansion parameter :math:`\\varepsilon q_\\mathrm{rms}/T_L` of the theories and their relative error.

References
----------
Krekels, Maes, Santra, Zhai, arXiv:2604.00777 (2026), Sec. 4, Eq. (4), Appendix B; Rieder, Lebowitz,
Lieb, J. Math. Phys. 8, 1073 (1967); Dhar, Adv. Phys. 57, 457 (2008).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from . import _validation as _v
from .langevin_chain import (CURRENT_RTOL, ChainSteadyState, IllConditionedError, LangevinChain,
                             bond_currents, chain_size, infinite_chain_current,
                             infinite_chain_current_integral, langevin_chain_covariance,
                             langevin_chain_current, langevin_chain_relaxation_time,
                             langevin_chain_steady_state, rll_current, stiffness_matrix,
                             two_temperature_solve)
from .particle_bath import MODE_TOLERANCE, ParticleBath, require_bath

__all__ = [
    "NDCChain",
    "MarkovReductionError",
    "TheoryError",
    # re-exported from thermolib.langevin_chain (their home since the split)
    "LangevinChain",
    "ChainSteadyState",
    "IllConditionedError",
    "CURRENT_RTOL",
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


class TheoryError(NamedTuple):
    """Relative error of an :math:`O(\\varepsilon^2)` theory against a measured current, with the
    expansion parameter it is a function of (:meth:`NDCChain.theory_error`); NaN where the theory
    has no steady state."""

    x: np.ndarray             #: expansion parameter eps q_rms / T_L of the theory's steady state
    relative: np.ndarray      #: J / J_theory - 1
    relative_err: np.ndarray  #: J_err / |J_theory|
    theory: np.ndarray        #: J_theory


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
        require_bath(self.bath)
        object.__setattr__(self, "m", _v.positive("m", self.m))
        object.__setattr__(self, "k", _v.positive("k", self.k))
        object.__setattr__(self, "K", _v.positive("K", self.K))
        object.__setattr__(self, "gamma_R", _v.positive("gamma_R", self.gamma_R))

    @classmethod
    def paper(cls, zeta=0.1, k=1.0) -> NDCChain:
        """The paper's Fig. 3/4 setting: :math:`N_b = 40`, :math:`\\lambda = 1`, :math:`p = 2`,
        :math:`L = 25`, :math:`\\varepsilon = 0.1` (ERRATA N8), :math:`m = K = \\gamma_R = 1`, with the
        bath friction ``zeta`` and spring constant ``k`` that the figures vary."""
        return cls(ParticleBath(N_b=40, zeta=zeta, lam=1.0, p=2.0, L=25.0, eps=0.1),
                   m=1.0, k=k, K=1.0, gamma_R=1.0)

    # ------------------------------------------------------------------ effective coefficients
    def gamma_L(self, T_L) -> float:
        """Friction on site 1, :math:`\\gamma_L = N_b\\varepsilon^2\\zeta L^2\\lambda^2 S(p)/(2\\pi^2 T_L^2)`.

        Refused (``ValueError`` naming ``T_L``) at a ``T_L`` so low that it overflows.

        References
        ----------
        NDC paper, Sec. 4 (below Eq. (3)).
        """
        return self._gamma_L(self._T_L(T_L))

    def _gamma_L(self, T_L: float) -> float:
        return self.bath.N_b * self.bath._friction(T_L, "T_L")

    def _T_L(self, T_L) -> float:
        """The particle-bath temperature: a finite number > 0 at which the friction
        :math:`\\gamma_L \\propto T_L^{-2}` is representable (then so is everything else that
        grows as :math:`T_L \\to 0`); ``ValueError`` naming ``T_L`` otherwise."""
        T_L = _v.positive("T_L", T_L)
        self._gamma_L(T_L)
        return T_L

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
        T_L = self._T_L(T_L)
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
        N = None if N is None else chain_size(N)
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

    def effective_chain(self, T_L, N) -> LangevinChain:
        """The Markov reduction at ``T_L`` as a :class:`LangevinChain`: :math:`K_L = k_\\mathrm{eff}`,
        :math:`\\gamma_L`, :math:`K_R = K`, :math:`\\gamma_R` (NDC paper Sec. 4, ERRATA N3, N5).

        Raises
        ------
        MarkovReductionError
            For :math:`T_L \\le T^*_N`.
        """
        T_L = self._T_L(T_L)
        N = chain_size(N)
        self._require_steady_state(T_L, N)
        return LangevinChain(N, self.m, self.k, self.k_eff(T_L), self.K, self.gamma_L(T_L),
                             self.gamma_R)

    def markov_validity(self, T_L) -> float:
        """:math:`\\omega_\\mathrm{max}\\tau_1`: the Markov (time-scale separation) step needs this << 1.

        :math:`\\omega_\\mathrm{max} = 2\\sqrt{k/m}` (top of the phonon band), or the pinned edge mode
        :math:`\\sqrt{(K + k + k^2/(K-k))/m}` when :math:`K > 2k`; :math:`\\tau_1 = \\zeta L^2/(4\\pi^2 T_L)`.
        (Beyond the paper; book errata "Beyond the paper".)
        """
        T_L = self._T_L(T_L)
        w2 = 4 * self.k / self.m
        if self.K > 2 * self.k:
            w2 = max(w2, (self.K + self.k + self.k**2 / (self.K - self.k)) / self.m)
        return math.sqrt(w2) * self.bath._tau1(T_L, "T_L")

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
        T_L = self._T_L(T_L)
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

    # ------------------------------------------------------------------ time scales (simulators)
    def probe_amplitude(self, T_L, T_R) -> float:
        """A bound on the typical :math:`|q_1|`: three thermal widths :math:`3\\sqrt{T_\\mathrm{max}/K}`,
        plus, at :math:`T_L \\le T^*` (where the particles can hold site 1 displaced), the static
        displacement :math:`\\varepsilon N_b\\max|\\mathcal F - \\lambda|/K`
        (:meth:`ParticleBath.coupling_range`). Sizes the particles' drift time scale."""
        T_L, T_R = self._validate_temps(T_L, T_R)
        b = self.bath
        static = b.eps * b.N_b * b.coupling_range() / self.K if T_L <= self.critical_temperature() else 0.0
        return 3.0 * math.sqrt(max(T_L, T_R) / self.K) + static

    def time_scales(self, T_L, T_R) -> dict:
        """Named time scales of the full model (the simulators' default ``dt`` is
        ``DT_FACTOR`` times the shortest).

        ``"oscillation"``: :math:`1/\\omega_\\mathrm{max}` with the Gershgorin bound
        :math:`\\omega_\\mathrm{max}^2 \\le (K + 4k)/m` of the chain; ``"damping_R"``:
        :math:`m/\\gamma_R`; and the bath's (:meth:`ParticleBath.time_scales` at ``T_L`` for a probe
        amplitude :meth:`probe_amplitude`): ``"tau_1"``, ``"tau_width"``, ``"tau_drift"``.
        """
        T_L, T_R = self._validate_temps(T_L, T_R)
        return {"oscillation": math.sqrt(self.m / (self.K + 4.0 * self.k)),
                "damping_R": self.m / self.gamma_R,
                **self.bath.time_scales(T_L, q=self.probe_amplitude(T_L, T_R))}

    def relaxation_time(self, T_L, N) -> float:
        """Slowest relaxation time of the full model, estimated from its linear reduction: the larger
        of the bath's :math:`\\tau_1` and the relaxation time of the Langevin chain with friction
        :math:`\\gamma_L(T_L)` and the *unsoftened* pinning :math:`K` on site 1
        (:meth:`LangevinChain.relaxation_time`). The softening is left out because the linear theory's
        relaxation time diverges at :math:`T^*`, where the full model stays stable.
        """
        T_L = self._T_L(T_L)
        N = chain_size(N)
        chain = LangevinChain(N, self.m, self.k, self.K, self.K, self.gamma_L(T_L), self.gamma_R)
        return max(self.bath._tau1(T_L, "T_L"), chain.relaxation_time())

    # ------------------------------------------------------------------ currents
    def _validate_temps(self, T_L, T_R):
        return self._T_L(T_L), _v.temperature("T_R", T_R)

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
        IllConditionedError
            When a finite-``N`` current is below the round-off of its Lyapunov solve (very stiff
            pinning, long weakly damped chains); the :math:`N\\to\\infty` closed form is then the
            route to use.

        References
        ----------
        NDC paper, Eq. (4) and Appendix B, with ERRATA N1, N2, N3, N5, N6.
        """
        memory = _v.boolean("memory", memory)
        if N is not None:
            N = chain_size(N)
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

    def current_or_nan(self, T_L, T_R, N=None, memory=False):
        """:meth:`current`, with NaN where the effective chain has no steady state (:math:`T_L \\le T^*`).

        What a figure draws: the theory curve simply stops below :math:`T^*`. Every other error
        (bad input, ill-conditioning) is raised as by :meth:`current`.
        """
        memory = _v.boolean("memory", memory)

        def one(T_L, T_R):
            try:
                return float(self.current(T_L, T_R, N=N, memory=memory))
            except MarkovReductionError:
                return math.nan

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

        Markov (``memory=False``): the steady state of :meth:`effective_chain`, the chain of
        :class:`LangevinChain` with :math:`K_L = k_\\mathrm{eff}`, :math:`\\gamma_L`, :math:`K_R = K`,
        :math:`\\gamma_R`.

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
        The energy :math:`\\sum p^2/2m + q^\\top\\Phi(K) q/2 + \\sum_n (u_n + a_n q_1)^2/2a_n - \\dots`
        is a Lyapunov function, so the memory chain is stable exactly where :math:`\\Phi(k_\\mathrm{eff})`
        is positive definite, :math:`T_L > T^*_N`.

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
        IllConditionedError
            When the current is not resolved in double precision (see :meth:`current`).
        """
        T_L, T_R = self._validate_temps(T_L, T_R)
        N = chain_size(N)
        memory = _v.boolean("memory", memory)
        tol = _v.nonnegative("tol", tol)
        if not memory:
            try:
                return self.effective_chain(T_L, N).steady_state(T_L, T_R)
            except IllConditionedError as err:
                raise IllConditionedError(f"{err}; for this NDCChain at T_L = {T_L:g}, T_R = "
                                          f"{T_R:g}: current(T_L, T_R) with N=None") from None
        self._require_steady_state(T_L, N)
        tau, a = self.memory_modes(T_L, tol=tol)
        M = tau.size
        m = self.m
        n = 2 * N + M
        Phi = stiffness_matrix(N, self.k, self.k_eff(T_L), self.K)
        A = np.zeros((n, n))
        A[:N, N:2 * N] = np.eye(N) / m
        A[N:2 * N, :N] = -Phi
        A[N, 2 * N:] = 1.0                       # force sum_n u_n on site 1
        A[2 * N - 1, 2 * N - 1] -= self.gamma_R / m
        A[2 * N:, N] = -a / m                    # - a_n dq_1 = - a_n p_1/m dt
        A[2 * N:, 2 * N:] = np.diag(-1.0 / tau)
        D_left, D_right = np.zeros((n, n)), np.zeros((n, n))
        D_left[2 * N:, 2 * N:] = np.diag(2 * a / tau)
        D_right[2 * N - 1, 2 * N - 1] = 2 * self.gamma_R
        scale = np.concatenate([1 / np.sqrt(np.diag(Phi)), np.full(N, math.sqrt(m)), np.sqrt(a)])
        S, J = two_temperature_solve(
            A, D_left, D_right, scale, T_L, T_R, N, m, self.k,
            f"the memory-kernel chain (N = {N}, T_L = {T_L:g}, T_R = {T_R:g})",
            "The memory kernel has no N -> infinity form; its Markov limit does: current(T_L, T_R)")
        pp = np.diag(S)[N:2 * N] / m
        return ChainSteadyState(
            covariance=S,
            bond_currents=bond_currents(S, N, m, self.k),
            heat_left=float(np.sum(S[N, 2 * N:])) / m,
            heat_right=self.gamma_R / m * (T_R - pp[-1]),
            kinetic_temperatures=pp,
            current=J,
        )

    # ------------------------------------------------------------------ accuracy of the theories
    def expansion_parameter(self, T_L, T_R, N, memory=True):
        """Expansion parameter of the :math:`O(\\varepsilon^2)` theories at this state point.

        .. math::  x = \\frac{\\varepsilon\\, q_\\mathrm{rms}}{T_L}, \\qquad
                   q_\\mathrm{rms}^2 = \\langle q_1^2\\rangle

        with :math:`\\langle q_1^2\\rangle` from the theory's own steady covariance (memory kernel by
        default, else Markov). The theories expand the Boltzmann weight :math:`e^{-\\varepsilon q_1
        \\mathcal F/T_L}` to second order, so their relative error grows with :math:`x` (book errata,
        "Beyond the paper": ~3 % at small :math:`x`, 6 % for a hot chain on a cold bath).

        Raises
        ------
        MarkovReductionError
            For :math:`T_L \\le T^*_N` (no steady state, no :math:`q_\\mathrm{rms}`).
        """
        memory = _v.boolean("memory", memory)
        N = chain_size(N)

        def one(T_L, T_R):
            S = self.steady_state(T_L, T_R, N, memory=memory).covariance
            return self.bath.eps * math.sqrt(S[0, 0]) / float(T_L)

        return _broadcast(one, T_L, T_R)

    def theory_error(self, T_L, T_R, N, current, current_err, memory=True) -> TheoryError:
        """Relative error of the finite-``N`` theory against measured currents, and its expansion
        parameter (:meth:`expansion_parameter`): what a figure of "theory error against x" needs.

        Parameters
        ----------
        T_L, T_R : float or array_like
            State points (broadcast together with ``current``).
        N : int
            Chain length of the measurement.
        current, current_err : float or array_like
            Measured current and its standard error.
        memory : bool
            Memory-kernel theory (default) or its Markov limit.

        Returns
        -------
        TheoryError
            ``x``, ``relative`` = :math:`J/J_\\mathrm{theory} - 1`, ``relative_err`` =
            :math:`\\sigma_J/|J_\\mathrm{theory}|`, ``theory``; NaN where :math:`T_L \\le T^*_N`.

        Raises
        ------
        ValueError
            Bad input, or a state point with ``T_L == T_R``, where the theory's current vanishes
            and a relative error is undefined.
        """
        memory = _v.boolean("memory", memory)
        N = chain_size(N)
        J = _v.real_array("current", current)
        J_err = _v.real_array("current_err", current_err, lo=0.0)
        T_L, T_R = np.broadcast_arrays(_v.real_array("T_L", T_L), _v.real_array("T_R", T_R))
        if np.any(T_L == T_R):
            same = float(T_L[T_L == T_R].ravel()[0])
            raise ValueError(f"T_L must differ from T_R at every state point (the theory's current "
                             f"vanishes at equal temperatures: no relative error), got T_L = T_R = "
                             f"{same:g}")
        theory = np.asarray(self.current_or_nan(T_L, T_R, N=N, memory=memory), dtype=float)
        ok = np.isfinite(theory)
        x = np.full(theory.shape, math.nan)
        if ok.any():
            x[ok] = self.expansion_parameter(T_L[ok], T_R[ok], N, memory=memory)
        with np.errstate(divide="ignore", invalid="ignore"):
            return TheoryError(x, J / theory - 1.0, J_err / np.abs(theory), theory)
