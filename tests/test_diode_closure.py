"""Gaussian closure (statistical linearization) and the validity measure of first order."""
import math
import warnings

import numpy as np
import pytest
from scipy.integrate import quad
from scipy.stats import spearmanr

from thermolib import Diode, forces
from thermolib.diode import VALIDITY_THRESHOLD, FirstOrderValidityWarning
from thermolib.diode_closure import (ClosureError, gaussian_closure, gaussian_moments,
                                     second_order_coefficients)

FIG2 = Diode(k_I=0.5, f_A=forces.power(2))
FIG4 = Diode(k_A=0.1, k_B=0.1, k_I=0.1, f_A=forces.cosine())
MIXED = Diode(m_B=2.0, gamma_B=0.5, k_I=0.5, f_A=forces.power(2), f_B=forces.cosine(K=0.5))
NONODD = Diode(k_I=0.7, f_A=forces.polynomial([0.3, -0.5, 0.4, -0.2]))


def first_order(d, T_A, T_B):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FirstOrderValidityWarning)
        return d.kappa1(T_A, T_B) * (T_A - T_B)


def test_gaussian_moments_match_table_I_and_direct_integration():
    for f in (forces.power(2), forces.power(3), forces.cosine(K=0.7), forces.cosh(K=0.5),
              forces.polynomial([0.3, -1.0, 0.5, -0.2])):
        for mu, v in ((0.0, 0.8), (0.4, 1.3)):
            m, g = gaussian_moments(f, mu, v)
            pdf = lambda x: math.exp(-(x - mu) ** 2 / (2 * v)) / math.sqrt(2 * math.pi * v)
            ref_m = quad(lambda x: f.f(x) * pdf(x), -40, 40, epsabs=1e-13)[0]
            h = 1e-5
            ref_g = quad(lambda x: (f.f(x + h) - f.f(x - h)) / (2 * h) * pdf(x), -40, 40,
                         epsabs=1e-13)[0]
            assert m == pytest.approx(ref_m, abs=1e-10)
            assert g == pytest.approx(ref_g, rel=1e-7, abs=1e-10)
            if mu == 0.0:  # only odd forces take the Table I route; the rest quadrature
                assert g == pytest.approx(float(f.g(v)), rel=1e-12)


def test_closure_is_exact_for_a_linear_force():
    d = Diode(k_I=0.5, f_A=forces.linear(0.8))
    G = gaussian_closure(d, 1.5, 0.5, 0.5)
    assert G.k_eff[0] == pytest.approx(1.4, rel=1e-13)
    assert G.current == pytest.approx(d.replace(k_A=1.4, f_A=None).kappa0(), rel=1e-12)


@pytest.mark.parametrize("d", [FIG2, FIG4, MIXED, NONODD])
def test_closure_is_first_order_exact_and_its_second_order_is_the_closed_form(d):
    # (J_G - J0)/eps -> J1 (first order *is* the stiffness shift at the zeroth-order variance), and
    # (J_G - J0 - eps J1)/eps^2 -> J2^G of second_order_coefficients: two routes (a fixed point of
    # Lyapunov solves vs closed-form derivatives); the remainder is O(eps), removed by Richardson
    T_A, T_B = 1.4, 0.6
    J0, J1 = d.kappa0() * (T_A - T_B), first_order(d, T_A, T_B)
    J2G = second_order_coefficients(d, T_A, T_B)[0]
    e = 1e-3
    q = [(gaussian_closure(d, T_A, T_B, x).current - J0 - x * J1) / x**2 for x in (e, 2 * e)]
    assert (gaussian_closure(d, T_A, T_B, e).current - J0) / e == pytest.approx(J1, rel=1e-2)
    assert 2 * q[0] - q[1] == pytest.approx(J2G, rel=1e-4, abs=1e-6 * abs(J1))


def test_closure_fixed_point_is_self_consistent():
    G = gaussian_closure(FIG2, 1.5, 0.5, 1.0)
    vA = G.covariance[0, 0]
    assert G.k_eff[0] == pytest.approx(FIG2.k_A + 3.0 * vA, rel=1e-12)  # g = -3 v for -z^3
    # and the covariance solves the Lyapunov equation of the effective drift
    A, D, C = G.drift, G.diffusion, G.covariance
    assert np.abs(A @ C + C @ A.T + D).max() < 1e-12


def test_closure_refuses_an_unstable_linearization():
    soft = Diode(k_I=0.5, f_A=forces.power(2, c=-1.0))  # f = +z^3: softening
    with pytest.raises(ClosureError, match="self-consistent"):
        gaussian_closure(soft, 1.5, 0.5, 1.0)


# ------------------------------------------------------------------ validity measure
def test_validity_is_finite_at_equal_temperatures_and_broadcasts():
    v = FIG2.validity(np.array([1.0, 1.0 + 1e-4, 1.5]), 1.0, 0.1)
    assert v.shape == (3,) and np.all(np.isfinite(v))
    assert v[0] == pytest.approx(v[1], rel=1e-3)  # the T_A -> T_B limit
    assert FIG2.validity(1.5, 0.5, 0.0) == 0.0
    assert FIG2.validity(1.5, 0.5, -0.2) == pytest.approx(FIG2.validity(1.5, 0.5, 0.2))
    assert np.all(np.diff(FIG2.validity(1.5, 0.5, [0.01, 0.1, 1.0])) > 0)  # proportional to eps


def test_validity_is_infinite_where_first_order_predicts_no_correction():
    # k_A = 0 with equal masses and dampings: beta_A = 0, so J1 = 0 but J2 != 0
    d = Diode(k_A=0.0, k_I=0.5, f_A=forces.power(2))
    assert d.beta()[0] == pytest.approx(0.0, abs=1e-15)
    assert np.isinf(d.validity(1.5, 0.5, 0.1))


@pytest.mark.parametrize("d,T_m,eps_list,rel_list", [
    (FIG2, 1.0, (0.02, 0.1, 0.5), (-1.0, 1.0)),
    (FIG4, 1.0, (0.005, 0.02, 0.1), (-1.4, 1.4)),
    (MIXED, 1.0, (0.05, 0.2), (-1.6, 1.6)),
])
def test_validity_tracks_the_exact_error_of_first_order(d, T_m, eps_list, rel_list):
    # the measure predicts the relative error E of eps*J1 within the range found on the
    # chapter's maps (0.35 <= E/mu <= 1.11 where mu < 0.3), so below the warning threshold first
    # order is within 10 %; the ranking of errors is reproduced
    E, mu = [], []
    for eps in eps_list:
        for r in rel_list:
            T_A, T_B = T_m * (1 + r / 2), T_m * (1 - r / 2)
            J0 = d.kappa0() * (T_A - T_B)
            exact = d.exact_current(T_A, T_B, eps, rtol=1e-3) - J0  # E is >= 1e-2 here
            E.append(abs(eps * first_order(d, T_A, T_B) - exact) / abs(exact))
            mu.append(float(d.validity(T_A, T_B, eps)))
    E, mu = np.array(E), np.array(mu)
    small = mu < 0.3
    assert np.all((E[small] > 0.3 * mu[small]) & (E[small] < 1.2 * mu[small])), (E, mu)
    assert np.all(E[mu <= VALIDITY_THRESHOLD] < 0.1)
    assert spearmanr(E, mu).statistic > 0.9


def test_old_measure_fails_where_the_new_one_does_not():
    # the cosine of the paper's Fig. 4 at T_m = 1: eps |g_A| / (k_A + k_I) is ~1e-3 while first
    # order is off by ~20 %; the new measure sees it
    T_A, T_B, eps = 1.8, 0.2, 0.02
    vA = FIG4.variances(T_A, T_B)[0]
    old = eps * abs(float(FIG4.f_A.g(vA))) / (FIG4.k_A + FIG4.k_I)
    exact = FIG4.exact_current(T_A, T_B, eps, rtol=1e-4) - FIG4.kappa0() * (T_A - T_B)
    E = abs(eps * first_order(FIG4, T_A, T_B) - exact) / abs(exact)
    assert old < 2e-3 and E > 0.1
    assert FIG4.validity(T_A, T_B, eps) > VALIDITY_THRESHOLD
