"""The Green's-function route to the current of the NDC chain (Appendix B of the NDC paper).

For the chain :math:`m\\ddot X = -\\Phi X - \\Gamma\\dot X + \\Xi` the response is
:math:`X(\\omega) = G(\\omega)\\Xi(\\omega)` with :math:`G = (-m\\omega^2 + \\Phi - i\\omega\\Gamma)^{-1}`,
and the steady current is

.. math::

    J = 2\\gamma_R (T_L - T_R)\\int_{-\\infty}^{\\infty}\\frac{d\\omega}{2\\pi}\\;
        \\omega^2\\,\\gamma_L(\\omega)\\,\\lvert G_{1N}(\\omega)\\rvert^2 ,

with a constant :math:`\\gamma_L` for the Markov (effective) chain and the frequency-dependent
friction and stiffness of the memory kernel otherwise (site 1 then has
:math:`K - \\sum_n a_n/(1 + \\omega^2\\tau_n^2)` and :math:`\\gamma_L(\\omega) = \\sum_n
a_n\\tau_n/(1 + \\omega^2\\tau_n^2)`). :math:`G_{1N} = k^{N-1}/d_N` follows from the continuant
recursion :math:`d_l = a_l d_{l-1} - k^2 d_{l-2}` over the diagonal :math:`a_l` of :math:`G^{-1}`.
This route uses neither the Lyapunov equation (:meth:`NDCChain.current`) nor the :math:`N\\to\\infty`
limit (:meth:`NDCChain.current_integral`), so the three check each other.

References
----------
Krekels, Maes, Santra, Zhai, arXiv:2604.00777 (2026), Appendix B (prefactor: ERRATA N2; the range of
the bulk entries and the sign of :math:`G_{1N}`: ERRATA N7); Dhar, Adv. Phys. 57, 457 (2008).
"""
from __future__ import annotations

import math

import numpy as np
from scipy import integrate

from . import _validation as _v
from .chain import NDCChain
from .langevin_chain import chain_size

__all__ = ["green_1N", "inverse_green_diagonal", "green_current"]


def green_1N(diagonal, k):
    """Corner element :math:`G_{1N} = k^{N-1}/d_N` of the inverse of a tridiagonal matrix with the
    given ``diagonal`` (last axis, length N >= 2) and off-diagonal entries :math:`-k`.

    :math:`d_N` is the determinant, from :math:`d_l = a_l d_{l-1} - k^2 d_{l-2}`, :math:`d_0 = 1`,
    :math:`d_1 = a_1`; vectorized over the leading axes of ``diagonal``.
    """
    a = np.asarray(diagonal, dtype=complex)
    k = _v.positive("k", k)
    if a.ndim == 0 or a.shape[-1] < 2:
        raise ValueError(f"diagonal must have a last axis of length >= 2, got shape {a.shape}")
    d_prev, d = np.ones(a.shape[:-1], dtype=complex), a[..., 0]
    for j in range(1, a.shape[-1]):
        d_prev, d = d, a[..., j] * d - k * k * d_prev
    return k ** (a.shape[-1] - 1) / d


def inverse_green_diagonal(chain: NDCChain, T_L, N, omega, memory=False):
    """Diagonal of :math:`G^{-1}(\\omega) = -m\\omega^2 + \\Phi - i\\omega\\Gamma` of the effective
    chain (``memory=False``) or of the memory-kernel chain, shape ``omega.shape + (N,)``, and the
    left friction :math:`\\gamma_L(\\omega)` (shape of ``omega``)."""
    if not isinstance(chain, NDCChain):
        raise TypeError(f"chain must be a thermolib.NDCChain, got {type(chain).__name__}")
    T_L, N = _v.positive("T_L", T_L), chain_size(N)
    w = np.asarray(_v.real_array("omega", omega), dtype=float)
    memory = _v.boolean("memory", memory)
    if memory:
        soft, gamma = chain.bath.dynamic_response(T_L, w)
        K1, gamma_L = chain.K - chain.bath.N_b * np.asarray(soft), chain.bath.N_b * np.asarray(gamma)
    else:
        K1, gamma_L = np.full(w.shape, chain.k_eff(T_L)), np.full(w.shape, chain.gamma_L(T_L))
    mw2 = chain.m * w**2
    a = np.empty(w.shape + (N,), dtype=complex)
    a[...] = (2 * chain.k - mw2)[..., None]
    a[..., 0] = chain.k + K1 - mw2 - 1j * w * gamma_L
    a[..., -1] = chain.k + chain.K - mw2 - 1j * w * chain.gamma_R
    return a, gamma_L


def green_current(chain: NDCChain, T_L, T_R, N, memory=False, rtol=1e-12) -> float:
    """Steady current of the finite chain as the frequency integral over :math:`\\lvert G_{1N}\\rvert^2`.

    Parameters
    ----------
    chain : NDCChain
    T_L, T_R : float
        Bath temperatures (``T_L > 0``, ``T_R >= 0``).
    N : int
        Chain length, >= 2.
    memory : bool
        Memory-kernel chain (all modes of :math:`C(t)`) instead of the Markov chain.
    rtol : float
        Relative accuracy requested from ``scipy.integrate.quad`` on each of four frequency ranges
        (split at half, one and two times the band edge :math:`2\\sqrt{k/m}`, where the resonances are).

    Raises
    ------
    MarkovReductionError
        For :math:`T_L \\le T^*_N`, where the chain has no steady state (and the integral no meaning).
    """
    T_L, T_R = _v.positive("T_L", T_L), _v.temperature("T_R", T_R)
    N = chain_size(N)
    rtol = _v.positive("rtol", rtol)
    chain.effective_chain(T_L, N)  # raises MarkovReductionError below T*_N

    def spectrum(w):
        a, gamma_L = inverse_green_diagonal(chain, T_L, N, w, memory=memory)
        return w * w * float(gamma_L) * abs(complex(green_1N(a, chain.k))) ** 2

    band = 2 * math.sqrt(chain.k / chain.m)
    edges = [0.0, band / 2, band, 2 * band, math.inf]
    total = sum(integrate.quad(spectrum, lo, hi, epsabs=0.0, epsrel=rtol, limit=400)[0]
                for lo, hi in zip(edges[:-1], edges[1:]))
    return 2 * chain.gamma_R * (T_L - T_R) * total / math.pi  # even integrand: 2 x d omega / 2 pi
