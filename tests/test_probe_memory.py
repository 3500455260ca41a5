"""Probe.memory_mode: the probe's oscillation with the full O(eps^2) memory kernel, exactly.

Checked by routes that do not share its code: the characteristic equation written with the
library's own C(t) amplitudes (the Laplace transform of the kernel), a direct time integration of
the generalized Langevin equation with the kernel as a quadrature over the past, and the two
limits it must reach (first order in the coupling; the Markov limit at high T).
"""
import math

import numpy as np
import pytest
from scipy import integrate

from thermolib import ParticleBath, Probe

PROBE = Probe(ParticleBath(), m=1.0, K=1.0)  # the paper's Fig. 2b setting (N8)


def characteristic(probe, T, s):
    """m s^2 + K - N_b (eps^2/T) sum_n c_n / (1 + s tau_n), from the correlation amplitudes."""
    b = probe.bath
    c = b.correlation_amplitudes(tol=0.0)
    tau = b.relaxation_times(T, n_modes=c.size)
    return probe.m * s**2 + probe.K - b.N_b * b.eps**2 / T * np.sum(c / (1 + s * tau))


@pytest.mark.parametrize("T", [0.7, 2.0, 8.0, 64.0])
def test_the_mode_solves_the_characteristic_equation(T):
    g, k = PROBE.memory_mode(T)
    # the pair s = -Gamma/2 + i Omega_d with Gamma = g/m and Omega_d^2 = k/m - Gamma^2/4
    s = complex(-g / 2, math.sqrt(k - g * g / 4))
    # modes below the library's cut (c_n/c_1 < 1e-12) are left out: residual ~1e-12 of K
    assert abs(characteristic(PROBE, T, s)) < 1e-9 * PROBE.K


def test_high_temperature_limit_is_markov():
    # the memory correction is O((omega tau_1)^2) ~ 1/T^2: 2.5e-8 relative at T = 1e4
    T = 1e4
    g, k = PROBE.memory_mode(T)
    assert g / PROBE.gamma(T) == pytest.approx(1.0, abs=1e-4)
    assert k == pytest.approx(PROBE.k_eff(T), abs=1e-9)


def test_weak_coupling_limit_is_the_first_order_dynamic_response():
    # the exact mode differs from the first-order (weak damping) values by relative O(eps^2) terms
    # (the pair's frequency is shifted by the softening): 2e-5 at eps = 1e-3; 2e-3 at eps = 1e-2
    for eps, rel in ((1e-3, 1e-4), (1e-2, 1e-2)):
        probe = Probe(ParticleBath(eps=eps), m=1.0, K=1.0)
        for T in (0.7, 4.0):
            kappa, gamma = probe.bath.dynamic_response(T, math.sqrt(probe.K / probe.m))
            g, k = probe.memory_mode(T)
            assert g == pytest.approx(probe.bath.N_b * gamma, rel=rel)
            assert k == pytest.approx(probe.K - probe.bath.N_b * kappa, rel=rel * 1e-2)


def test_it_predicts_the_decay_of_the_integrated_memory_equation():
    # Second route: integrate m q'' = -K q - N_b (eps^2/T) int_0^t C(t - s) q'(s) ds + N_b eps^2
    # Var F q / T (the Kubo form of App. A.2) from q = 0, q' = 1 with C from force_correlation,
    # then compare the energy envelope over late oscillations with exp(-Gamma t).
    T = 4.0
    b = PROBE.bath
    dt, n = 0.01, 4000
    t = dt * np.arange(n)
    Ck = b.force_correlation(t, T)
    q = np.zeros(n)
    v = np.zeros(n)
    v[0] = 1.0
    a_static = b.N_b * b.eps**2 * b.variance() / T
    for i in range(n - 1):  # semi-implicit Euler with the memory sum by the rectangle rule
        mem = dt * np.dot(Ck[i::-1][: i + 1], v[: i + 1])
        acc = (-PROBE.K * q[i] + a_static * q[i] - b.N_b * b.eps**2 / T * mem) / PROBE.m
        v[i + 1] = v[i] + dt * acc
        q[i + 1] = q[i] + dt * v[i + 1]
    g, k = PROBE.memory_mode(T)
    energy = 0.5 * PROBE.m * v**2 + 0.5 * k * q**2
    late = t > 10.0  # after the kernel's transient (tau_1 = 0.4)
    rate = -np.polyfit(t[late], np.log(energy[late]), 1)[0]
    # O(dt) integration error and the energy's ripple at the oscillation frequency: 2 %
    assert rate == pytest.approx(g / PROBE.m, rel=0.02)
    # and it is not the Markov rate (11 % larger at T = 4): the check can tell them apart
    assert abs(PROBE.gamma(T) / PROBE.m / rate - 1) > 0.08


def test_quadrature_of_the_kernel_matches_the_mode_sum():
    # the Laplace transform of C at s = 0.3 + 0.7i by quadrature equals the mode sum used above
    T, s = 2.0, 0.3 + 0.7j
    b = PROBE.bath
    re = integrate.quad(lambda u: b.force_correlation(u, T) * np.exp(-s * u).real, 0, np.inf,
                        limit=200)[0]
    im = integrate.quad(lambda u: b.force_correlation(u, T) * np.exp(-s * u).imag, 0, np.inf,
                        limit=200)[0]
    c = b.correlation_amplitudes(tol=0.0)
    tau = b.relaxation_times(T, n_modes=c.size)
    assert complex(re, im) == pytest.approx(np.sum(c * tau / (1 + s * tau)), rel=1e-8)


@pytest.mark.parametrize("T", [0.0, -1.0, float("nan"), "4"])
def test_bad_temperature_is_refused(T):
    with pytest.raises((ValueError, TypeError)):
        PROBE.memory_mode(T)


def test_an_overdamped_or_unstable_probe_is_refused():
    fast = ParticleBath(zeta=0.01)  # near T* = 0.47 the softened spring is weak: overdamped
    with pytest.raises(ValueError, match="overdamped"):
        Probe(fast).memory_mode(0.48)
    faster = ParticleBath(zeta=0.001)  # below T* the softened probe runs away
    with pytest.raises(ValueError, match="unstable"):
        Probe(faster).memory_mode(0.3)
