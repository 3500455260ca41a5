"""The particle bath of the NDC paper: overdamped particles on a ring coupled to a probe.

Model (Krekels, Maes, Santra, Zhai 2026, Sec. 2, Eq. (1) and Appendix A). :math:`N_b` overdamped
Brownian particles at temperature :math:`T` move on a ring of length :math:`L` and interact with
the probe coordinate :math:`q` (site 1 of the chain) through the bilinear energy
:math:`\\varepsilon\\, q\\, \\mathcal F(x_i)`:

.. math::

    \\zeta \\dot x_i = -\\varepsilon q\\, \\mathcal F'(x_i) + \\sqrt{2\\zeta T}\\, \\xi_i, \\qquad
    \\mathcal F(x) = \\frac{\\lambda}{I_0(p)}\\, e^{p\\cos(2\\pi x/L)},

so each particle pushes the probe with :math:`-\\varepsilon\\mathcal F(x_i)`. The compensating force
:math:`\\Lambda = \\varepsilon\\lambda N_b` of Sec. 2 cancels the mean :math:`-\\varepsilon\\lambda N_b`
(ERRATA N4). At weak coupling the bath acts on the probe (per particle) through

* the quasistatic mean force (Appendix A.1, ERRATA N3)
  :math:`F_\\mathrm{qs}(q) = -\\varepsilon\\lambda + \\varepsilon^2 q\\,\\mathrm{Var}\\,\\mathcal F/T + O(\\varepsilon^3)`,
* the force autocorrelation at :math:`\\varepsilon = 0` (Appendix A.2, Jacobi-Anger expansion)
  :math:`C(t) = \\frac{2\\lambda^2}{I_0(p)^2}\\sum_{n\\ge1} I_n(p)^2 e^{-|t|/\\tau_n}`,
  :math:`\\tau_n = \\zeta L^2/(4\\pi^2 n^2 T)`,
* the Markov friction :math:`\\gamma_\\mathrm{eff} = (\\varepsilon^2/T)\\int_0^\\infty C(t)\\,dt
  = \\varepsilon^2 \\zeta L^2 \\lambda^2 S(p)/(2\\pi^2 T^2)` with
  :math:`S(p) = \\sum_{n\\ge 1} I_n(p)^2/(n^2 I_0(p)^2)` (Sec. 3, Eq. (3)).

Ratios :math:`I_n(p)/I_0(p)` are computed with the exponentially scaled ``scipy.special.ive`` (no
overflow at large :math:`p`) and series are truncated adaptively at double precision. The single
probe of Fig. 2b in this bath is :class:`thermolib.probe.Probe`.

References
----------
Krekels, Maes, Santra, Zhai, "Negative differential heat conductivity in a harmonic chain coupled to
a particle reservoir", arXiv:2604.00777 (2026), Sec. 2-3 and Appendix A; book errata N3, N4.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import special

from . import _validation as _v

__all__ = ["ParticleBath", "MODE_TOLERANCE", "MAX_MODES"]

#: Default relative cut for the exponential modes of :math:`C(t)`: keep modes with
#: :math:`c_n / c_1 \ge` this value.
MODE_TOLERANCE = 1e-12
#: Largest ``n_modes`` accepted: far beyond the modes that carry weight in double precision (a few
#: tens; the rest are zeros), and an array that is allocated at once.
MAX_MODES = 2**20


def _bessel_ratios(p: float) -> np.ndarray:
    """``r_n = I_n(p) / I_0(p)`` for ``n = 1 .. n_max``, with ``r_{n_max}^2 < 1e-18 r_1^2``.

    ``I_n(p)/I_0(p) ~ exp(-n^2 / 2p)`` at large p and ``(p/2)^n / n!`` at small p, so
    ``n_max ~ 16 + 8 sqrt(p)`` suffices; the cut is doubled until the last term is negligible.
    """
    if p == 0.0:
        return np.zeros(0)
    n_max = 16 + int(math.ceil(8.0 * math.sqrt(p)))
    while True:
        n = np.arange(1, n_max + 1)
        r = special.ive(n, p) / special.ive(0, p)
        if r[-1] ** 2 <= 1e-18 * r[0] ** 2 or r[-1] == 0.0:
            keep = r**2 > 1e-300
            return r[keep]
        n_max *= 2


def require_bath(bath):
    """``bath`` if it is a :class:`ParticleBath`, else a ``TypeError`` naming the parameter and type
    (:class:`thermolib.ParameterTypeError`)."""
    return _v.require_kind(bath, "particle_bath", "thermolib.ParticleBath", name="bath")


@dataclass(frozen=True)
class ParticleBath:
    """Parameters of the particle bath (defaults: the paper's reference values, Fig. 2-3).

    Parameters
    ----------
    N_b : int
        Number of bath particles, >= 1.
    zeta : float
        Friction coefficient of a bath particle, > 0.
    lam : float
        Amplitude :math:`\\lambda` of the von Mises coupling, >= 0 (its mean over the ring).
    p : float
        Localisation :math:`p` of the coupling, >= 0 (``p -> inf``: periodic delta).
    L : float
        Ring length, > 0.
    eps : float
        Coupling strength :math:`\\varepsilon`, >= 0. The paper does not state it for Fig. 2b-4;
        0.1 reproduces their range (ERRATA N8).

    References
    ----------
    NDC paper, Sec. 2 (Hamiltonian, Eq. (1)), Fig. 2 caption.
    """

    #: Model kind checked by :func:`require_bath` (not a field): :mod:`thermolib.probe`, whose Probe
    #: this module re-exports, checks its bath without importing this module.
    _thermolib_model = "particle_bath"

    N_b: int = 40
    zeta: float = 0.1
    lam: float = 1.0
    p: float = 2.0
    L: float = 25.0
    eps: float = 0.1

    def __post_init__(self):
        object.__setattr__(self, "N_b", _v.positive_int("N_b", self.N_b))
        object.__setattr__(self, "zeta", _v.positive("zeta", self.zeta))
        object.__setattr__(self, "lam", _v.nonnegative("lam", self.lam))
        object.__setattr__(self, "p", _v.nonnegative("p", self.p))
        object.__setattr__(self, "L", _v.positive("L", self.L))
        object.__setattr__(self, "eps", _v.nonnegative("eps", self.eps))

    # ------------------------------------------------------------------ coupling
    def coupling(self, x):
        """The von Mises coupling :math:`\\mathcal F(x)` (Sec. 2).

        .. math::

            \\mathcal F(x) = \\frac{\\lambda}{I_0(p)} e^{p\\cos(2\\pi x/L)}
            = \\lambda\\Big(1 + 2\\sum_{n\\ge1}\\frac{I_n(p)}{I_0(p)}\\cos\\frac{2\\pi n x}{L}\\Big),

        normalised so that its average over the ring is :math:`\\lambda`.

        Parameters
        ----------
        x : float or array_like
            Particle position(s) on the ring (any real; the function has period ``L``).

        Returns
        -------
        numpy.ndarray or float
        """
        x = _v.real_array("x", x)
        out = self.lam / special.i0e(self.p) * np.exp(self.p * (np.cos(2 * np.pi * x / self.L) - 1.0))
        return out if out.ndim else float(out)

    def potential(self, x, q):
        """Interaction energy :math:`\\varepsilon\\, q\\, \\mathcal F(x)` of one particle at ``x`` with
        the probe at ``q`` (the term :math:`\\varepsilon q_1 \\sum_i \\mathcal F(x_i)` of the
        Hamiltonian, Sec. 2). Broadcasts over ``x`` and ``q`` (shapes that do not broadcast
        together are refused, naming both)."""
        q = _v.real_array("q", q)
        shape_x = np.shape(_v.real_array("x", x))
        try:
            np.broadcast_shapes(shape_x, q.shape)
        except ValueError:
            raise ValueError(f"x and q must broadcast together, got shapes {shape_x} and "
                             f"{q.shape}") from None
        out = self.eps * q * self.coupling(x)
        return out if np.ndim(out) else float(out)

    # ------------------------------------------------------------------ statics
    def variance(self) -> float:
        """Variance of the coupling over the uniform ring distribution (the :math:`\\varepsilon=0`
        bath).

        .. math::

            \\mathrm{Var}\\,\\mathcal F = \\lambda^2\\Big(\\frac{I_0(2p)}{I_0(p)^2} - 1\\Big)
            = \\frac{2\\lambda^2}{I_0(p)^2}\\sum_{n\\ge1} I_n(p)^2 = C(0).

        Evaluated with the series (Neumann's addition theorem makes the two equal), which keeps full
        relative precision at small ``p`` where the closed form cancels.

        References
        ----------
        NDC paper, Appendix A.1 and Sec. 3 (mean force).
        """
        return float(np.sum(self.correlation_amplitudes(tol=0.0)))

    def mean_force(self, q, T, order=None):
        """Mean force per bath particle on a probe held fixed at ``q``: :math:`-\\varepsilon\\langle\\mathcal F\\rangle_q`.

        .. math::

            \\langle\\mathcal F\\rangle_q = \\frac{\\int_0^L dx\\,\\mathcal F(x)\\, e^{-\\varepsilon q\\mathcal F(x)/T}}
            {\\int_0^L dx\\, e^{-\\varepsilon q\\mathcal F(x)/T}}
            \\;\\simeq\\; \\lambda - \\frac{\\varepsilon q}{T}\\mathrm{Var}\\,\\mathcal F .

        The compensating force :math:`\\Lambda/N_b = \\varepsilon\\lambda` is *not* included.

        Parameters
        ----------
        q : float or array_like
            Probe position(s).
        T : float
            Bath temperature, > 0.
        order : None, 1 or 2
            ``None``: exact Boltzmann average (periodic trapezoidal rule, spectrally accurate, refined
            until converged to ~1e-14). ``1``: :math:`-\\varepsilon\\lambda`. ``2``:
            :math:`-\\varepsilon\\lambda + \\varepsilon^2 q\\,\\mathrm{Var}\\,\\mathcal F/T` (the
            corrected sign, ERRATA N3: the force grows with ``q``, i.e. it softens the probe).

        Returns
        -------
        numpy.ndarray or float

        References
        ----------
        NDC paper, Sec. 3 and Appendix A.1 (Fig. 2a).
        """
        q = _v.real_array("q", q)
        T = _v.positive("T", T)
        if order is not None:
            if isinstance(order, bool) or order not in (1, 2):
                raise ValueError(f"order must be None, 1 or 2, got {order!r}")
            out = -self.eps * self.lam + (self.eps**2 * q * self.variance() / T if order == 2 else 0.0 * q)
            return out if np.ndim(out) else float(out)
        if self.eps == 0.0 or self.lam == 0.0 or self.p == 0.0:
            out = -self.eps * self.lam + 0.0 * q
            return out if np.ndim(out) else float(out)
        with np.errstate(over="ignore"):
            beta_q = (self.eps * q / T)[..., None]
        if not np.all(np.isfinite(beta_q)):
            raise ValueError(f"eps q / T overflows double precision (T = {T!r}, max |q| = "
                             f"{float(np.max(np.abs(q))):g}): outside the representable range")
        n_grid = 64
        prev = None
        while True:
            theta = 2 * np.pi * np.arange(n_grid) / n_grid
            f = self.lam / special.i0e(self.p) * np.exp(self.p * (np.cos(theta) - 1.0))  # F on the grid
            logw = -beta_q * f
            logw = logw - logw.max(axis=-1, keepdims=True)
            w = np.exp(logw)
            mean_F = np.sum(w * f, axis=-1) / np.sum(w, axis=-1)
            if prev is not None and np.all(np.abs(mean_F - prev) <= 1e-14 * (np.abs(mean_F) + self.lam)):
                break
            if n_grid >= 2**20:
                raise ValueError(f"|eps q / T| up to {float(np.max(np.abs(beta_q))):.3g} is too large: "
                                 f"the Boltzmann weight is narrower than the 2**20-point quadrature "
                                 f"grid (q = {float(np.max(np.abs(q))):g}, T = {T:g})")
            prev = mean_F
            n_grid *= 2
        out = -self.eps * mean_F
        return out if np.ndim(out) else float(out)

    # ------------------------------------------------------------------ dynamics
    def tau1(self, T) -> float:
        """Slowest relaxation time of the bath correlations, :math:`\\tau_1 = \\zeta L^2/(4\\pi^2 T)`.

        References
        ----------
        NDC paper, Appendix A.2 (free diffusion on the ring, mode ``n = 1``).
        """
        return self._tau1(_v.positive("T", T), "T")

    def _tau1(self, T: float, label: str) -> float:
        """:meth:`tau1` at a validated ``T``; a refusal names the parameter ``label``."""
        return _v.finite_formula("tau_1", lambda: self.zeta * self.L**2 / (4 * math.pi**2 * T), T,
                       "zeta L^2/(4 pi^2 T)", label)

    def coupling_range(self) -> float:
        """:math:`\\max_x|\\mathcal F(x) - \\lambda|`, the largest force per particle beyond the
        compensated mean: :math:`\\lambda\\,\\max(e^p/I_0(p) - 1,\\ 1 - e^{-p}/I_0(p))`."""
        i0e = special.i0e(self.p)
        return float(self.lam * max(1.0 / i0e - 1.0, 1.0 - math.exp(-2.0 * self.p) / i0e))

    def curvature_bound(self) -> float:
        """Bound :math:`|\\mathcal F''(x)| \\le p(1 + p)(2\\pi/L)^2\\,\\lambda e^p/I_0(p)` on the coupling's
        curvature (from :math:`|p^2\\sin^2\\theta - p\\cos\\theta|\\,e^{p(\\cos\\theta - 1)} \\le p^2 + p`)."""
        return float(self.lam / special.i0e(self.p) * (2 * math.pi / self.L) ** 2 * self.p * (1 + self.p))

    def time_scales(self, T, q=0.0) -> dict:
        """Named time scales of one bath particle at temperature ``T`` next to a probe at ``|q|``.

        * ``"tau_1"`` :math:`= \\zeta L^2/(4\\pi^2 T)`: the slowest relaxation (mode ``n = 1``);
        * ``"tau_width"`` :math:`= \\zeta\\sigma^2/T = \\tau_1/\\max(p, 1)`: diffusion across the width
          :math:`\\sigma = L/(2\\pi\\sqrt{\\max(p,1)})` of the coupling's peak;
        * ``"tau_drift"`` :math:`= \\zeta/(\\varepsilon|q|\\,\\mathcal F''_\\mathrm{max})`: relaxation in the
          stiffest part of the potential :math:`\\varepsilon q\\mathcal F`, with the bound
          :meth:`curvature_bound`. Only where there is a drift: without one (``q = 0``, or no
          coupling: ``eps``, ``lam`` or ``p`` zero; or one too weak for its time scale to be
          represented) the key is absent, so that every value is finite.

        The simulators' default time step is ``DT_FACTOR`` times the shortest.
        """
        T = _v.positive("T", T)
        q = abs(_v.real("q", q))
        tau1 = self.tau1(T)
        curvature = self.eps * q * self.curvature_bound()
        scales = {"tau_1": tau1, "tau_width": tau1 / max(self.p, 1.0)}
        tau_drift = self.zeta / curvature if curvature > 0 else math.inf
        if math.isfinite(tau_drift):  # a drift slower than any double constrains nothing either
            scales["tau_drift"] = tau_drift
        return scales

    def kernel_params(self, T, dt):
        """Constants of one Euler-Maruyama step of a particle, in ring units ``y = x/L``.

        .. math::  y' = y + a\\,q\\,\\mathcal F(y)\\sin(2\\pi y) + b\\,\\xi,\\qquad
                   \\mathcal F(y) = A\\,e^{p(\\cos 2\\pi y - 1)},

        (the drift :math:`-\\varepsilon q\\mathcal F'(x)/\\zeta` and the free diffusion
        :math:`\\sqrt{2T\\,dt/\\zeta}` over the ring length).

        Returns
        -------
        tuple of float
            ``(A, p, a, b)`` with :math:`A = \\lambda e^p/I_0(p)` (the coupling's maximum, overflow-free
            through ``i0e``), :math:`a = 2\\pi\\varepsilon p\\,dt/(\\zeta L^2)`,
            :math:`b = \\sqrt{2T\\,dt/\\zeta}/L`.
        """
        T = _v.temperature("T", T)
        dt = _v.positive("dt", dt)
        amp = self.lam / special.i0e(self.p)
        a = self.eps * self.p * 2.0 * math.pi * dt / (self.zeta * self.L**2)
        b = math.sqrt(2.0 * T * dt / self.zeta) / self.L
        return float(amp), float(self.p), float(a), float(b)

    def n_modes(self, tol: float = MODE_TOLERANCE) -> int:
        """Number of exponential modes of :math:`C(t)` with :math:`c_n/c_1 \\ge` ``tol``."""
        return int(self.correlation_amplitudes(tol=tol).size)

    def correlation_amplitudes(self, n_modes=None, tol: float = MODE_TOLERANCE) -> np.ndarray:
        """Amplitudes :math:`c_n = 2\\lambda^2 I_n(p)^2/I_0(p)^2`, ``n = 1, 2, ...``, of
        :math:`C(t) = \\sum_n c_n e^{-|t|/\\tau_n}`.

        Parameters
        ----------
        n_modes : int, optional
            Number of modes (at most :data:`MAX_MODES`; modes beyond the ones that carry weight
            are zeros). Default: all modes with :math:`c_n/c_1 \\ge` ``tol``.
        tol : float
            Relative cut used when ``n_modes`` is None (``0`` keeps all to double precision).

        References
        ----------
        NDC paper, Appendix A.2 (Jacobi-Anger expansion, force-force correlation).
        """
        tol = _v.nonnegative("tol", tol)
        if n_modes is not None:
            n_modes = _v.integer("n_modes", n_modes, lo=1, hi=MAX_MODES)
        c = 2.0 * self.lam**2 * _bessel_ratios(self.p) ** 2
        if self.lam == 0.0:
            c = np.zeros(0)
        if n_modes is None:
            return c[c >= tol * c[0]] if c.size else c
        out = np.zeros(n_modes)
        out[: min(n_modes, c.size)] = c[:n_modes]
        return out

    def relaxation_times(self, T, n_modes=None, tol: float = MODE_TOLERANCE) -> np.ndarray:
        """Relaxation times :math:`\\tau_n = \\zeta L^2/(4\\pi^2 n^2 T)` of the modes of :math:`C(t)`,
        ``n = 1 .. n_modes`` (default: as many as :meth:`correlation_amplitudes` keeps; at most
        :data:`MAX_MODES`).

        References
        ----------
        NDC paper, Appendix A.2.
        """
        tau1 = self.tau1(T)
        if n_modes is None:
            n_modes = self.n_modes(tol)
        else:
            n_modes = _v.integer("n_modes", n_modes, lo=1, hi=MAX_MODES)
        n = np.arange(1, n_modes + 1)
        return tau1 / n.astype(float) ** 2

    def force_correlation(self, t, T):
        """Equilibrium (:math:`\\varepsilon = 0`) autocorrelation of the coupling of one particle.

        .. math::

            C(t) = \\langle \\mathcal F(x_t); \\mathcal F(x_0)\\rangle_0
            = \\frac{2\\lambda^2}{I_0(p)^2}\\sum_{n\\ge1} I_n(p)^2\\, e^{-4\\pi^2 n^2 T |t|/(\\zeta L^2)},

        with :math:`C(0) = \\mathrm{Var}\\,\\mathcal F`.

        Parameters
        ----------
        t : float or array_like
            Time lag (C is even in ``t``).
        T : float
            Bath temperature, > 0.

        References
        ----------
        NDC paper, Sec. 3 and Appendix A.2.
        """
        t = _v.real_array("t", t)
        T = _v.positive("T", T)
        c = self.correlation_amplitudes(tol=0.0)
        if c.size == 0:
            out = 0.0 * t
        else:
            tau = self.relaxation_times(T, n_modes=c.size)
            out = np.sum(c * np.exp(-np.abs(t)[..., None] / tau), axis=-1)
        return out if np.ndim(out) else float(out)

    def S(self) -> float:
        """The friction sum :math:`S(p) = \\sum_{n\\ge1} I_n(p)^2/(n^2 I_0(p)^2)` (``S(2) = 0.5107``).

        References
        ----------
        NDC paper, Sec. 3, Eq. (3).
        """
        r = _bessel_ratios(self.p)
        n = np.arange(1, r.size + 1)
        return float(np.sum(r**2 / n**2))

    def friction(self, T) -> float:
        """Markov (time-scale separated) friction per bath particle.

        .. math::

            \\gamma_\\mathrm{eff} = \\frac{\\varepsilon^2}{T}\\int_0^\\infty C(t)\\,dt
            = \\frac{\\varepsilon^2 \\zeta L^2 \\lambda^2}{2\\pi^2 T^2} S(p).

        The chain's left friction is :math:`\\gamma_L = N_b\\gamma_\\mathrm{eff}` (Sec. 4).

        Parameters
        ----------
        T : float
            Bath temperature, > 0.

        References
        ----------
        NDC paper, Sec. 3, Eq. (3) and Appendix A.2 (verified correct, book errata "Facts").
        """
        return self._friction(_v.positive("T", T), "T")

    def _friction(self, T: float, label: str) -> float:
        """:meth:`friction` at a validated ``T``; a refusal names the parameter ``label``."""
        c = self.eps**2 * self.zeta * self.L**2 * self.lam**2 * self.S()
        if T > 1e150:  # T**2 would overflow; the friction underflows towards 0 instead
            return c / (2 * math.pi**2 * T) / T
        return _v.finite_formula("gamma_eff", lambda: c / (2 * math.pi**2 * T**2), T,
                       "eps^2 zeta L^2 lam^2 S(p)/(2 pi^2 T^2)", label)

    def dynamic_response(self, T, omega):
        """Softening and friction per bath particle felt by a probe oscillating at frequency ``omega``.

        Keeping the full :math:`O(\\varepsilon^2)` memory kernel instead of the Markov limit, the bath's
        linear response to a probe motion :math:`q(t) \\propto e^{i\\omega t}` is
        :math:`\\chi(\\omega) = (\\varepsilon^2/T)\\sum_n c_n/(1 + i\\omega\\tau_n)`. Its real part is a
        (frequency-dependent) negative stiffness, its imaginary part a friction:

        .. math::

            \\kappa(\\omega) = \\frac{\\varepsilon^2}{T}\\sum_{n\\ge1}\\frac{c_n}{1 + \\omega^2\\tau_n^2},
            \\qquad
            \\gamma(\\omega) = \\frac{\\varepsilon^2}{T}\\sum_{n\\ge1}\\frac{c_n\\tau_n}{1 + \\omega^2\\tau_n^2},

        with :math:`c_n = 2\\lambda^2 I_n(p)^2/I_0(p)^2` and :math:`\\tau_n = \\zeta L^2/(4\\pi^2 n^2 T)`.
        At ``omega = 0`` they are the Markov values :math:`\\varepsilon^2\\mathrm{Var}\\,\\mathcal F/T` and
        :meth:`friction`. A weakly damped probe of bare frequency :math:`\\omega_0` relaxes with
        friction :math:`N_b\\gamma(\\omega_0)` and stiffness :math:`K - N_b\\kappa(\\omega_0)` to
        :math:`O(\\varepsilon^2)`. (Beyond the paper; book errata "Beyond the paper".)

        Parameters
        ----------
        T : float
            Bath temperature, > 0.
        omega : float or array_like
            Angular frequency of the probe motion.

        Returns
        -------
        kappa, gamma : float or numpy.ndarray
            Softening (stiffness reduction) and friction per bath particle, shaped like ``omega``
            (empty for an empty ``omega``).

        References
        ----------
        NDC paper, Appendix A.2 (the kernel :math:`C(t)` whose Laplace transform this is).
        """
        T = _v.positive("T", T)
        omega = _v.real_array("omega", omega)
        c = self.correlation_amplitudes(tol=0.0)
        if c.size == 0:
            zero = 0.0 * omega
            return (zero, zero) if np.ndim(zero) else (float(zero), float(zero))
        tau = self.relaxation_times(T, n_modes=c.size)
        w = 1.0 / (1.0 + (np.asarray(omega)[..., None] * tau) ** 2)
        kappa = self.eps**2 / T * np.sum(c * w, axis=-1)
        gamma = self.eps**2 / T * np.sum(c * tau * w, axis=-1)
        if kappa.size:
            _v.finite_formula("kappa", lambda: float(np.max(kappa)), T,
                              "(eps^2/T) sum_n c_n/(1 + omega^2 tau_n^2)")
        if np.ndim(kappa) == 0:
            return float(kappa), float(gamma)
        return kappa, gamma
