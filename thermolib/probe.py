"""A single probe in the particle bath of the NDC paper: its Markov and memory-kernel dynamics.

The probe is site 1 of the chain without its springs (Sec. 3, Fig. 2b): a pinned oscillator
:math:`m\\ddot q = -Kq - \\varepsilon\\sum_i\\mathcal F(x_i) + \\Lambda` kicked at ``t = 0``. In
the Markov limit its mean motion is a damped oscillator with the friction
:math:`N_b\\gamma_\\mathrm{eff}` and the softened stiffness
:math:`K - N_b\\varepsilon^2\\mathrm{Var}\\,\\mathcal F/T` of :class:`thermolib.ParticleBath`
(ERRATA N3); with the full :math:`O(\\varepsilon^2)` memory kernel its oscillation follows from
the exact characteristic equation (:meth:`Probe.memory_mode`).

References
----------
Krekels, Maes, Santra, Zhai, arXiv:2604.00777 (2026), Sec. 3, Fig. 2b and Appendix A.2; book errata
N3, N8.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from . import _validation as _v

if TYPE_CHECKING:
    from .particle_bath import ParticleBath

__all__ = ["Probe", "damped_oscillator"]


def damped_oscillator(t, rate, omega0, v0):
    """Solution of :math:`\\ddot q + \\Gamma\\dot q + \\omega_0^2 q = 0` from :math:`q = 0`,
    :math:`\\dot q = v_0` (any damping): returns ``(q(t), v(t))``.

    .. math::  q = v_0 e^{-\\Gamma t/2}\\,\\frac{\\sin wt}{w},\\qquad
               v = v_0 e^{-\\Gamma t/2}\\Big(\\cos wt - \\frac{\\Gamma}{2}\\frac{\\sin wt}{w}\\Big),\\qquad
               w = \\sqrt{\\omega_0^2 - \\Gamma^2/4}

    (``sin(wt)/w`` becomes ``sinh(|w|t)/|w|`` when overdamped and ``t`` at critical damping).
    Overdamped at late times, where :math:`e^{-\\Gamma t/2}` underflows while :math:`\\sinh |w|t`
    overflows, the same solution is evaluated as the two decaying exponentials
    :math:`e^{(\\pm|w| - \\Gamma/2)t}` it is made of.
    """
    t = np.asarray(t, dtype=float)
    w = np.sqrt(complex(omega0**2 - 0.25 * rate**2))
    if abs(w) < 1e-12:
        w = 1e-12
    with np.errstate(over="ignore", invalid="ignore"):
        env = np.exp(-0.5 * rate * t)
        sn_w = (np.sin(w * t) / w).real
        cs = np.cos(w * t).real
        q, v = v0 * env * sn_w, v0 * env * (cs - 0.5 * rate * sn_w)
    late = ~(np.isfinite(q) & np.isfinite(v))
    if np.any(late) and w.imag != 0.0:
        kappa, tl = abs(w.imag), t[late]
        slow, fast = np.exp((kappa - 0.5 * rate) * tl), np.exp(-(kappa + 0.5 * rate) * tl)
        q = np.where(late, 0.0, q)
        v = np.where(late, 0.0, v)
        q[late] = v0 * (slow - fast) / (2.0 * kappa)
        v[late] = 0.5 * v0 * ((1.0 - 0.5 * rate / kappa) * slow + (1.0 + 0.5 * rate / kappa) * fast)
        q, v = q[()], v[()]  # a scalar t gives scalars, as above
    return q, v


@dataclass(frozen=True)
class Probe:
    """A single probe in the particle bath: site 1 without its springs (NDC paper Sec. 3, Fig. 2b).

    .. math::  m\\ddot q = -K q - \\varepsilon\\sum_i\\mathcal F(x_i) + \\Lambda,\\qquad
               \\Lambda = \\varepsilon\\lambda N_b .

    Parameters
    ----------
    bath : thermolib.ParticleBath
        The bath (its ``N_b`` particles all act on the probe).
    m : float
        Mass of the probe, > 0.
    K : float
        Pinning stiffness, > 0 (the paper's "k = 1" of Fig. 2b, ERRATA N8).

    References
    ----------
    NDC paper, Sec. 3 and Fig. 2b; ERRATA N3 (softening), N8.
    """

    bath: ParticleBath
    m: float = 1.0
    K: float = 1.0

    def __post_init__(self):
        _v.require_kind(self.bath, "particle_bath", "thermolib.ParticleBath", name="bath")
        object.__setattr__(self, "m", _v.positive("m", self.m))
        object.__setattr__(self, "K", _v.positive("K", self.K))

    def frequency(self) -> float:
        """Bare angular frequency :math:`\\Omega = \\sqrt{K/m}`."""
        return math.sqrt(self.K / self.m)

    def gamma(self, T) -> float:
        """Markov friction of the probe, :math:`N_b\\gamma_\\mathrm{eff}(T)` (NDC paper Eq. (3))."""
        return self.bath.N_b * self.bath.friction(T)

    def k_eff(self, T) -> float:
        """Softened stiffness :math:`K - N_b\\varepsilon^2\\mathrm{Var}\\,\\mathcal F/T` (ERRATA N3)."""
        T = _v.positive("T", T)
        b = self.bath
        return self.K - b.N_b * b.eps**2 * b.variance() / T

    def relaxation_time(self, T) -> float:
        """Decay time :math:`2m/(N_b\\gamma_\\mathrm{eff})` of the Markov oscillator's amplitude.

        Refused (``ValueError`` naming ``T``) where the probe is not damped, so that the decay time
        is not finite: without coupling (``eps``, ``lam`` or ``p`` zero), or at a ``T`` so high
        that :math:`\\gamma_\\mathrm{eff} \\propto T^{-2}` underflows.
        """
        T = _v.positive("T", T)
        g = self.gamma(T)
        if g == 0.0:
            raise ValueError(f"the probe is undamped at T = {T!r} (N_b gamma_eff = 0: no coupling, "
                             f"or gamma_eff ~ T^-2 underflows): it has no finite relaxation time")
        return _v.finite_formula("the relaxation time", lambda: 2.0 * self.m / g, T, "2 m/(N_b gamma_eff)")

    def critical_temperature(self) -> float:
        """:math:`T^* = N_b\\varepsilon^2\\mathrm{Var}\\,\\mathcal F/K`: below it the quasi-static
        spring :math:`k_\\mathrm{eff}` is not restoring (ERRATA N3)."""
        b = self.bath
        return b.N_b * b.eps**2 * b.variance() / self.K

    def amplitude(self, T, v0) -> float:
        """A bound on :math:`|q|` after a kick ``v0``: :math:`|v_0|/\\Omega + 3\\sqrt{T/K}`, plus, at
        :math:`T \\le T^*` where the particles can hold the probe displaced, the static displacement
        :math:`\\varepsilon N_b\\max|\\mathcal F - \\lambda|/K` (:meth:`thermolib.ParticleBath.coupling_range`)."""
        T = _v.temperature("T", T)
        v0 = _v.real("v0", v0)
        b = self.bath
        static = b.eps * b.N_b * b.coupling_range() / self.K if T <= self.critical_temperature() else 0.0
        return abs(v0) / self.frequency() + 3.0 * math.sqrt(T / self.K) + static

    def time_scales(self, T, v0=0.0) -> dict:
        """Named time scales that a time step must resolve: ``"oscillation"`` :math:`1/\\Omega` and
        the bath's at the amplitude :meth:`amplitude` (:meth:`thermolib.ParticleBath.time_scales`). The slow
        one, the decay of the kick, is :meth:`relaxation_time`."""
        return {"oscillation": 1.0 / self.frequency(), **self.bath.time_scales(T, q=self.amplitude(T, v0))}

    def mean_motion(self, t, T, v0):
        """Markov prediction of the mean motion after the kick: :func:`damped_oscillator` with rate
        :math:`N_b\\gamma_\\mathrm{eff}/m` and :math:`\\omega_0^2 = k_\\mathrm{eff}/m`; ``(q(t), v(t))``
        at times ``t >= 0`` after the kick."""
        t = _v.real_array("t", t, lo=0.0)
        v0 = _v.real("v0", v0)
        return damped_oscillator(t, self.gamma(T) / self.m, math.sqrt(max(self.k_eff(T), 0.0) / self.m), v0)

    # ------------------------------------------------------------------ memory kernel, exactly
    def memory_mode(self, T) -> tuple:
        """Friction and stiffness of the probe's oscillation with the full :math:`O(\\varepsilon^2)`
        memory kernel, from the exact characteristic equation (no weak-damping approximation).

        The mean motion obeys the linear generalized Langevin equation of NDC Appendix A.2,
        :math:`m\\ddot q = -Kq + N_b\\int_0^\\infty \\chi(s)\\,q(t - s)\\,ds`, whose kernel has the
        Laplace transform :math:`N_b(\\varepsilon^2/T)\\sum_n c_n/(1 + s\\tau_n)`. Its modes solve

        .. math::  m s^2 + K - \\frac{N_b\\varepsilon^2}{T}\\sum_{n\\ge1}\\frac{c_n}{1 + s\\tau_n} = 0,

        computed as the eigenvalues of the linear system for :math:`(q, \\dot q, y_1, y_2, \\dots)`
        with one relaxing force :math:`\\tau_n\\dot y_n = (\\varepsilon^2/T)c_n q - y_n` per mode.
        The oscillation is the complex pair :math:`s = -\\Gamma/2 \\pm i\\Omega_d`; it is returned as
        the friction :math:`m\\Gamma` and the stiffness :math:`m(\\Gamma^2/4 + \\Omega_d^2)` of the
        damped oscillator with the same pair (what :func:`thermolib.sim.probe_relaxation` fits). For
        weak damping they tend to :meth:`thermolib.ParticleBath.dynamic_response` at :math:`\\omega_0 =
        \\sqrt{K/m}` (first order in the coupling), and at high ``T`` to :meth:`gamma` and
        :meth:`k_eff` (the Markov limit).

        Parameters
        ----------
        T : float
            Bath temperature, > 0.

        Returns
        -------
        gamma, stiffness : float

        Raises
        ------
        ValueError
            Bad ``T``; a growing mode (the softened probe is unstable, see
            :meth:`critical_temperature`); or no oscillatory mode (overdamped).

        References
        ----------
        NDC paper, Appendix A.2 (the kernel :math:`C(t)`); book chapter on the friction.
        """
        T = _v.positive("T", T)
        b = self.bath
        c = b.correlation_amplitudes()
        n = c.size
        A = np.zeros((n + 2, n + 2))
        A[0, 1] = 1.0
        A[1, 0] = -self.K / self.m
        if n:
            tau = b.relaxation_times(T, n_modes=n)
            A[1, 2:] = b.N_b / self.m
            A[2:, 0] = b.eps**2 / T * c / tau
            A[2:, 2:] = -np.diag(1.0 / tau)
        if not np.all(np.isfinite(A)):
            raise ValueError(f"T = {T!r} is outside the representable range of the memory kernel")
        s = np.linalg.eigvals(A)
        if np.max(s.real) > 0:
            raise ValueError(f"the O(eps^2) probe is unstable at T = {T!r}: a mode grows (the "
                             f"softening exceeds K below T* = {self.critical_temperature():.4g})")
        pair = s[s.imag > 1e-12 * np.abs(s)]
        if pair.size == 0:
            raise ValueError(f"the probe has no oscillatory mode at T = {T!r} (overdamped): no "
                             f"friction of a damped oscillator to report")
        s1 = pair[np.argmax(pair.imag)]
        return float(-2.0 * self.m * s1.real), float(self.m * abs(s1) ** 2)
