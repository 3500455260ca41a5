"""Two-particle diode: closed forms vs frequency integrals vs Lyapunov, the paper's special cases,
the errata (D1-D9) and the physical laws of the first-order current."""
import dataclasses
import math
import warnings

import numpy as np
import pytest
from scipy.linalg import solve_continuous_lyapunov

from thermolib import Diode, FirstOrderValidityWarning
from thermolib import forces as F
from thermolib.diode import beta_printed


def random_diode(rng, **forces):
    """Asymmetric parameters: every mass, damping and stiffness different."""
    m_A, m_B, g_A, g_B = rng.uniform(0.3, 3.0, 4)
    k_A, k_B, k_I = rng.uniform(0.05, 2.5, 3)
    return Diode(m_A=m_A, m_B=m_B, gamma_A=g_A, gamma_B=g_B, k_A=k_A, k_B=k_B, k_I=k_I, **forces)


@pytest.fixture
def diodes(rng):
    return [random_diode(rng, f_A=F.power(2), f_B=F.cosine(K=1.3, A=0.7)) for _ in range(6)]


FIG2 = Diode(k_I=0.5, f_A=F.power(2))  # Fig. 2: V_A = z^4/4, k_I = 0.5, all else 1


# ------------------------------------------------------------------ kappa0: three routes
def test_kappa0_closed_form_equals_frequency_integral_and_lyapunov(diodes):
    # 1e-10: quad is asked for 1e-13 and the Lyapunov solve is backward stable (cond ~ 1e2).
    for d in diodes:
        k = d.kappa0()
        assert d.kappa0("frequency") == pytest.approx(k, rel=1e-10)
        assert d.kappa0("lyapunov") == pytest.approx(k, rel=1e-10)


def test_frequency_integral_uses_both_dampings_D2():
    # ERRATA D2: with gamma_A != gamma_B the integrand is 2 gamma_A gamma_B k_I^2 w^2/|ab - k_I^2|^2;
    # the printed 2 gamma^2 with either gamma fails against the Lyapunov current.
    d = Diode(gamma_A=0.3, gamma_B=2.0, k_A=0.7, k_B=1.4, k_I=0.6, m_A=1.5)
    exact = d.linear_current(1.0, 0.0)
    assert d.kappa0("frequency") == pytest.approx(exact, rel=1e-10)
    for g in (d.gamma_A, d.gamma_B):
        printed = d.kappa0("frequency") * g**2 / (d.gamma_A * d.gamma_B)
        assert abs(printed / exact - 1) > 0.5


def test_linear_current_is_linear_in_temperatures(diodes):
    for d in diodes:
        J = d.linear_current(1.7, 0.4)
        assert J == pytest.approx(d.kappa0() * (1.7 - 0.4), rel=1e-10)
        assert d.linear_current(0.8, 0.8) == pytest.approx(0.0, abs=1e-13)


# ------------------------------------------------------------------ variances and sigma
def test_variances_closed_form_equal_lyapunov(diodes):
    for d in diodes:
        for T_A, T_B in [(1.3, 0.4), (0.0, 2.0), (1.0, 1.0)]:
            np.testing.assert_allclose(d.variances(T_A, T_B), d.variances(T_A, T_B, method="lyapunov"),
                                       rtol=1e-10)


def test_variances_equal_frequency_integrals(diodes):
    # (A21): <x_A^2> = int dw/2pi [2 gamma_A T_A |b|^2 + 2 gamma_B T_B k_I^2] / |ab - k_I^2|^2
    for d in diodes[:3]:
        T_A, T_B = 1.6, 0.3
        xA = d._frequency_integral(lambda w, a, b: 2 * d.gamma_A * T_A * abs(b) ** 2
                                   + 2 * d.gamma_B * T_B * d.k_I**2)
        xB = d._frequency_integral(lambda w, a, b: 2 * d.gamma_A * T_A * d.k_I**2
                                   + 2 * d.gamma_B * T_B * abs(a) ** 2)
        np.testing.assert_allclose(d.variances(T_A, T_B), (xA, xB), rtol=1e-10)


def test_equilibrium_variances_are_boltzmann(diodes):
    # At T_A = T_B = T the stationary law is exp(-H/T): <x x^T> = T K^{-1}.
    for d in diodes:
        Kmat = np.array([[d.k_A + d.k_I, -d.k_I], [-d.k_I, d.k_B + d.k_I]])
        np.testing.assert_allclose(d.variances(0.7, 0.7), 0.7 * np.diag(np.linalg.inv(Kmat)), rtol=1e-12)


def test_sigma_definition_and_D3(diodes):
    for d in diodes:
        s_mA, s_A, s_mB, s_B = d.sigma()
        T_A, T_B = 1.9, 0.2
        T_m = (T_A + T_B) / 2
        vA, vB = d.variances(T_A, T_B, method="lyapunov")
        assert vA == pytest.approx(s_mA * T_m + s_A * T_A, rel=1e-10)
        assert vB == pytest.approx(s_mB * T_m + s_B * T_B, rel=1e-10)
        # ERRATA D3: gamma_A sigma_mA = gamma_B sigma_mB, so sigma_mA != sigma_mB when gammas differ
        assert d.gamma_A * s_mA == pytest.approx(d.gamma_B * s_mB, rel=1e-12)
        assert s_mA > 0 and s_mB > 0
        assert abs(s_mA / s_mB - 1) > 1e-3


def test_variances_broadcast():
    T = np.array([0.5, 1.0, 1.5])
    vA, vB = FIG2.variances(T, 1.0)
    for i, t in enumerate(T):
        assert (vA[i], vB[i]) == pytest.approx(FIG2.variances(float(t), 1.0), rel=1e-15)


# ------------------------------------------------------------------ beta
def _dlnk0(d, name, h=1e-4):
    """-d ln kappa0 / d k by a 4th-order central difference (error ~h^4 ~ 1e-16 * derivatives)."""
    k = getattr(d, name)
    f = lambda x: math.log(d.replace(**{name: x}).kappa0())
    return -(-f(k + 2 * h) + 8 * f(k + h) - 8 * f(k - h) + f(k - 2 * h)) / (12 * h)


def test_beta_is_minus_log_derivative_of_kappa0(diodes):
    for d in diodes:
        bA, bB = d.beta()
        assert bA == pytest.approx(_dlnk0(d, "k_A"), rel=1e-8, abs=1e-10)
        assert bB == pytest.approx(_dlnk0(d, "k_B"), rel=1e-8, abs=1e-10)


def test_beta_equals_frequency_integral_route(diodes):
    # d|D|^2/dk_A = 2 Re(conj(D) b) with D = ab - k_I^2 (dD/dk_A = b): beta_A by quadrature alone.
    for d in diodes[:3]:
        c = 2 * d.gamma_A * d.gamma_B * d.k_I**2
        dk_A = d._frequency_integral(
            lambda w, a, b: -c * w * w * 2 * np.real(np.conj(a * b - d.k_I**2) * b) / abs(a * b - d.k_I**2) ** 2)
        dk_B = d._frequency_integral(
            lambda w, a, b: -c * w * w * 2 * np.real(np.conj(a * b - d.k_I**2) * a) / abs(a * b - d.k_I**2) ** 2)
        k0 = d.kappa0("frequency")
        np.testing.assert_allclose(d.beta(), (-dk_A / k0, -dk_B / k0), rtol=1e-9)


def test_D1_printed_A37_is_beta_A():
    d = Diode(k_A=2.0, k_B=1.0, k_I=0.5)  # mbar = m/gamma^2 = 1
    bA, bB = d.beta()
    assert bB == pytest.approx(0.0, abs=1e-15)
    pA, pB = beta_printed(d)
    assert pB == pytest.approx(0.4, rel=1e-14)
    assert pA == pytest.approx(bA, rel=1e-14) and pB == pytest.approx(bA, rel=1e-14)
    with pytest.raises(ValueError, match="m_A == m_B"):
        beta_printed(Diode(m_A=2.0))


# ------------------------------------------------------------------ the paper's special cases
def _equal_m_gamma(rng):
    m, g = rng.uniform(0.3, 3.0, 2)
    kA, kB, kI = rng.uniform(0.05, 2.5, 3)
    return Diode(m_A=m, m_B=m, gamma_A=g, gamma_B=g, k_A=kA, k_B=kB, k_I=kI)


def test_A32_to_A37_equal_masses_and_dampings(rng):
    for _ in range(5):
        d = _equal_m_gamma(rng)
        g, mbar, kA, kB, kI = d.gamma_A, d.m_A / d.gamma_A**2, d.k_A, d.k_B, d.k_I
        den = (4 * kI**2 + (kA - kB) ** 2) * mbar + 2 * (kA + kB + 2 * kI)
        pre = (kA * kB + kI * (kA + kB)) * den
        assert d.kappa0() == pytest.approx(2 * kI**2 / g / den, rel=1e-12)  # (A32)
        s_mA, s_A, s_mB, s_B = d.sigma()
        s_m = 2 * kI**2 * ((2 * kI + kA + kB) * mbar + 2) / pre  # (A33)
        sA = ((kA - kB) * ((kA - kB) * (kB + kI) - 2 * kI**2) * mbar
              + 2 * (kB * (kA + kB) + kI * (kA + 3 * kB))) / pre  # (A34)
        sB = ((kB - kA) * ((kB - kA) * (kA + kI) - 2 * kI**2) * mbar
              + 2 * (kA * (kA + kB) + kI * (kB + 3 * kA))) / pre  # (A35)
        np.testing.assert_allclose((s_mA, s_A, s_mB, s_B), (s_m, sA, s_m, sB), rtol=1e-11)
        bA = 2 * (1 + mbar * (kA - kB)) / den  # (A36)
        bB = 2 * (1 - mbar * (kA - kB)) / den  # (A37) corrected (D1)
        np.testing.assert_allclose(d.beta(), (bA, bB), rtol=1e-11, atol=1e-14)


def test_25_to_27_symmetric_chain(rng):
    for _ in range(4):
        m, g, k, kI = rng.uniform(0.1, 3.0, 4)
        d = Diode(m_A=m, m_B=m, gamma_A=g, gamma_B=g, k_A=k, k_B=k, k_I=kI)
        mbar = m / g**2
        s_m = ((k + kI) * mbar + 1) * kI**2 / (k * (k + 2 * kI) * (k + kI + mbar * kI**2))  # (25)
        s = 1 / (k + kI + mbar * kI**2)  # (26)
        np.testing.assert_allclose(d.sigma(), (s_m, s, s_m, s), rtol=1e-12)
        np.testing.assert_allclose(d.beta(), (s / 2, s / 2), rtol=1e-12)  # (27)


@pytest.mark.filterwarnings("ignore::thermolib.diode.FirstOrderValidityWarning")  # large g by design
def test_28_symmetric_rectification():
    # Eq. (28) with T+- = (sigma_m + sigma) T_m +- sigma (T_h - T_c)/2
    for fA, fB in [(F.cosine(), None), (F.power(2), F.cosine(K=0.5)), (F.power(3), F.cosh(0.8))]:
        for k, kI in [(0.1, 0.3), (1.0, 0.5), (1.0, 3.0)]:
            d = Diode(m_A=1.3, m_B=1.3, gamma_A=0.8, gamma_B=0.8, k_A=k, k_B=k, k_I=kI, f_A=fA, f_B=fB)
            mbar = 1.3 / 0.8**2
            s_m, s, _, _ = d.sigma()
            T_h, T_c, eps = 1.2, 0.8, 1e-3
            Tm = (T_h + T_c) / 2
            Tp, Tn = (s_m + s) * Tm + s * (T_h - T_c) / 2, (s_m + s) * Tm - s * (T_h - T_c) / 2
            gA, gB = d.f_A.g, d.f_B.g
            chi = eps * abs(gA(Tp) - gA(Tn) + gB(Tn) - gB(Tp)) / (2 * (k + kI + mbar * kI**2))
            assert d.rectification(T_h, T_c, eps) == pytest.approx(chi, rel=1e-11)


@pytest.mark.filterwarnings("ignore::thermolib.diode.FirstOrderValidityWarning")  # large g by design
def test_29_30_weak_coupling_limit():
    k, kI, T_h, T_c, eps = 0.7, 1e-6, 1.3, 0.5, 1e-3
    for n in (2, 3, 4):  # (29)
        d = Diode(k_A=k, k_B=k, k_I=kI, f_A=F.power(n))
        chi = eps * F.double_factorial(2 * n - 1) / (2 * k) * ((T_h / k) ** (n - 1) - (T_c / k) ** (n - 1))
        assert d.rectification(T_h, T_c, eps) == pytest.approx(chi, rel=1e-5)
    K = 1.4  # (30)
    d = Diode(k_A=k, k_B=k, k_I=kI, f_A=F.cosine(K=K))
    chi = eps * K / (2 * k) * (math.exp(-K**2 * T_c / (2 * k)) - math.exp(-K**2 * T_h / (2 * k)))
    assert d.rectification(T_h, T_c, eps) == pytest.approx(chi, rel=1e-5)


# Small-k_I forms of Appendix A3 hold to leading order: relative error O(k_I) -> 1e-5 at k_I = 1e-6.
KI_SMALL = 1e-6


def test_A39_to_A43_different_stiffness():
    m, g, kA, kB = 1.3, 0.7, 2.2, 0.6
    d = Diode(m_A=m, m_B=m, gamma_A=g, gamma_B=g, k_A=kA, k_B=kB, k_I=KI_SMALL)
    den = (kA - kB) ** 2 * m + 2 * (kA + kB) * g**2
    assert d.kappa0() == pytest.approx(2 * g * KI_SMALL**2 / den, rel=1e-5)
    _, sA, _, sB = d.sigma()
    assert (sA, sB) == pytest.approx((1 / kA, 1 / kB), rel=1e-5)
    bA = 2 * ((kA - kB) * m + g**2) / den
    bB = 2 * ((kB - kA) * m + g**2) / den
    assert d.beta() == pytest.approx((bA, bB), rel=1e-5)


def test_A44_to_A47_different_damping():
    m, k, gA, gB = 1.3, 0.9, 0.4, 2.5
    d = Diode(m_A=m, m_B=m, gamma_A=gA, gamma_B=gB, k_A=k, k_B=k, k_I=KI_SMALL)
    assert d.kappa0() == pytest.approx(KI_SMALL**2 / (k * (gA + gB)), rel=1e-5)
    _, sA, _, sB = d.sigma()
    assert (sA, sB) == pytest.approx((1 / k, 1 / k), rel=1e-5)
    assert d.beta() == pytest.approx((gB / (k * (gA + gB)), gA / (k * (gA + gB))), rel=1e-5)


def test_A48_to_A51_different_mass():
    g, k, mA, mB = 0.8, 1.1, 3.0, 0.5
    d = Diode(m_A=mA, m_B=mB, gamma_A=g, gamma_B=g, k_A=k, k_B=k, k_I=KI_SMALL)
    den = k * (k * (mA - mB) ** 2 + 2 * (mA + mB) * g**2)
    assert d.kappa0() == pytest.approx(g * (mA + mB) * KI_SMALL**2 / den, rel=1e-5)
    _, sA, _, sB = d.sigma()
    assert (sA, sB) == pytest.approx((1 / k, 1 / k), rel=1e-5)
    bA = (2 * k * (mB - mA) * mB + (mA + mB) * g**2) / den
    bB = (2 * k * (mA - mB) * mA + (mA + mB) * g**2) / den
    assert d.beta() == pytest.approx((bA, bB), rel=1e-5)


def test_kappa0_scales_as_k_I_squared_at_weak_coupling(diodes):
    # Eq. (22): kappa0 ~ k_I^2
    for d in diodes:
        r = d.replace(k_I=2e-6).kappa0() / d.replace(k_I=1e-6).kappa0()
        assert r == pytest.approx(4.0, rel=1e-4)


# ------------------------------------------------------------------ first order J1
def test_J1_is_the_stiffness_shift_of_the_exact_linear_current(diodes):
    # ERRATA D4: J1 = -sum_j dJ0/dk_j g_j; J0 here from the Lyapunov route, derivative by central
    # difference in eps (error ~h^2 J0''' ~ 1e-10).
    T_A, T_B, h = 1.4, 0.6, 1e-5
    for d in diodes:
        gA, gB = d.g_values(T_A, T_B)
        J = lambda e: d.replace(k_A=d.k_A - e * gA, k_B=d.k_B - e * gB).linear_current(T_A, T_B)
        J1 = (J(h) - J(-h)) / (2 * h)
        assert d.kappa1(T_A, T_B) * (T_A - T_B) == pytest.approx(J1, rel=1e-7)
        assert d.current(T_A, T_B, 1e-3) == pytest.approx(J(0) + 1e-3 * J1, rel=1e-9)


def _J1_augmented(d, T_A, T_B):
    """J1 = -k_I (<y1 xdot0> + <y0 xdot1>) (Eq. (20)) from Eqs. (6)-(9) as one linear system.

    By Stein's lemma <f(x0(s)) u(t)> = g <x0(s) u(t)> for the jointly Gaussian zeroth-order
    process, so in every correlation J1 needs, f_j(z0) may be replaced by g_j z0: the state
    (x0, y0, vx0, vy0, x1, y1, vx1, vy1) is then linear and Lyapunov gives the covariance.
    """
    gA, gB = d.g_values(T_A, T_B)
    mA, mB, cA, cB, kI = d.m_A, d.m_B, d.gamma_A, d.gamma_B, d.k_I
    L = np.array([[-(d.k_A + kI), kI], [kI, -(d.k_B + kI)]])
    Minv = np.diag([1 / mA, 1 / mB])
    G = np.diag([cA / mA, cB / mB])
    Z, I2 = np.zeros((2, 2)), np.eye(2)
    A0 = np.block([[Z, I2], [Minv @ L, -G]])
    C01 = np.block([[Z, Z], [Minv @ np.diag([gA, gB]), Z]])
    A = np.block([[A0, np.zeros((4, 4))], [C01, A0]])
    D = np.zeros((8, 8))
    D[2, 2], D[3, 3] = 2 * cA * T_A / mA**2, 2 * cB * T_B / mB**2
    C = solve_continuous_lyapunov(A, -D)
    # indices: x0 0, y0 1, vx0 2, vy0 3, x1 4, y1 5, vx1 6, vy1 7
    return -kI * (C[5, 2] + C[1, 6])


def test_J1_equals_the_papers_correlation_route(diodes):
    for d in diodes:
        for T_A, T_B in [(1.4, 0.6), (0.3, 2.0)]:
            assert d.kappa1(T_A, T_B) * (T_A - T_B) == pytest.approx(_J1_augmented(d, T_A, T_B), rel=1e-9)


def test_kappa1_broadcasts_over_temperatures():
    T = np.linspace(0.5, 1.5, 4)
    k1 = FIG2.kappa1(T, 1.0)
    np.testing.assert_allclose(k1, [FIG2.kappa1(float(t), 1.0) for t in T], rtol=1e-15)


# ------------------------------------------------------------------ laws
@pytest.mark.filterwarnings("ignore::thermolib.diode.FirstOrderValidityWarning")  # large g by design
def test_no_current_at_equal_temperatures(diodes):
    for d in diodes:
        for T in (0.0, 0.5, 2.0):
            assert d.current(T, T, 0.05) == 0.0


def test_current_flows_from_hot_to_cold(diodes):
    for d in diodes:
        assert d.current(1.5, 0.5, 0.0) > 0 and d.current(0.5, 1.5, 0.0) < 0
        assert d.kappa0() > 0


def test_exchange_symmetry(diodes):
    # relabelling A <-> B (forces included) and swapping the temperatures reverses J
    eps = np.array([0.0, 0.01, 0.03])
    for d in diodes:
        s = d.swapped()
        assert s.kappa0() == pytest.approx(d.kappa0(), rel=1e-13)  # kappa0 is AB-invariant (Sec. IV)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FirstOrderValidityWarning)
            np.testing.assert_allclose(s.current(0.7, 1.6, eps), -d.current(1.6, 0.7, eps), rtol=1e-12)
        assert s.swapped() == d


def test_time_rescaling(diodes):
    # m -> s^2 m, gamma -> s gamma is t -> s t: currents scale as 1/s, static variances do not change.
    s = 1.7
    for d in diodes:
        d2 = d.replace(m_A=s**2 * d.m_A, m_B=s**2 * d.m_B, gamma_A=s * d.gamma_A, gamma_B=s * d.gamma_B)
        assert d2.kappa0() == pytest.approx(d.kappa0() / s, rel=1e-12)
        assert d2.kappa1(1.3, 0.2) == pytest.approx(d.kappa1(1.3, 0.2) / s, rel=1e-12)
        np.testing.assert_allclose(d2.sigma(), d.sigma(), rtol=1e-12)


def test_linear_forces_cannot_rectify_D5(rng):
    # Negative control (Sec. IV, ERRATA D5): a linear force only shifts a stiffness, so kappa1 is
    # temperature independent and chi = 0 at first order, whatever the asymmetry.
    for fA, fB in [(F.power(1, c=0.3), None), (F.linear(-0.2), F.power(1)), (F.polynomial([0.5, -0.4]), F.linear(0.1))]:
        d = random_diode(rng, f_A=fA, f_B=fB)
        gA, gB = fA.g(1.0), F.as_force(fB).g(1.0)
        bA, bB = d.beta()
        for T_A, T_B in [(1.5, 0.5), (0.2, 3.0)]:
            assert d.kappa1(T_A, T_B) == pytest.approx(d.kappa0() * (bA * gA + bB * gB), rel=1e-12)
        assert d.rectification(1.5, 0.5, 0.01) == pytest.approx(0.0, abs=1e-15)
        assert d.rectification(1.5, 0.5, 0.01, form="ratio") == pytest.approx(0.0, abs=1e-12)
    # ... while a nonlinear force on an asymmetric diode does rectify (positive control)
    assert random_diode(rng, f_A=F.power(2)).rectification(1.5, 0.5, 0.01) > 1e-5


def test_D7_quartic_and_sextic_chi_exactly_linear_in_delta_T(diodes):
    for d in diodes:
        for n in (2, 3):
            dd = d.replace(f_A=F.power(n), f_B=F.power(n, c=0.5))
            dT = np.array([0.1, 0.4, 0.9])
            chi = dd.rectification(1.0 + dT / 2, 1.0 - dT / 2, 1e-3)
            np.testing.assert_allclose(chi / dT, chi[0] / dT[0], rtol=1e-10)


def test_preferred_direction(rng):
    # Sec. V A: with g_B = 0, a decreasing g_A (power law) favours B -> A, an increasing one
    # (cosine) favours A -> B.
    d = Diode(k_I=0.5)
    quart, cos = d.replace(f_A=F.power(2)), d.replace(f_A=F.cosine())
    assert abs(quart.current(1.2, 0.8, 0.01)) < abs(quart.current(0.8, 1.2, 0.01))
    assert abs(cos.current(1.2, 0.8, 0.01)) > abs(cos.current(0.8, 1.2, 0.01))


def test_rectification_forms_agree_to_first_order():
    d = Diode(k_A=0.1, k_B=0.1, k_I=0.3, f_A=F.cosine())
    for eps in (1e-4, 1e-3):
        a = d.rectification(1.2, 0.8, eps)
        b = d.rectification(1.2, 0.8, eps, form="ratio")
        assert b == pytest.approx(a, rel=5 * eps * 10)  # difference is O(eps^2)
    assert d.rectification(1.0, 1.0, 0.01) == 0.0
    eps = np.array([0.0, 1e-3, 2e-3])
    chi = d.rectification(1.2, 0.8, eps)
    np.testing.assert_allclose(chi, eps * chi[1] / 1e-3, rtol=1e-13)


def test_fig2_setting_reference_numbers():
    # Fig. 2: V_A = z^4/4, k_I = 0.5, T_m = 1; numbers from the closed forms (regression).
    d = FIG2
    assert d.kappa0() == pytest.approx(2 * 0.25 / (4 * 0.25 + 2 * 3), rel=1e-14)  # (A32) = 1/14
    J = d.current(1.5, 0.5, np.array([0.0, 0.01]))
    assert J[0] == pytest.approx(1 / 14, rel=1e-14)
    assert J[1] < J[0]  # a hardening quartic force lowers the current (g_A < 0, beta_A > 0)


# ------------------------------------------------------------------ warnings (D9)
def test_no_warning_at_small_eps():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        FIG2.current(1.5, 0.5, 0.01)
        FIG2.rectification(1.5, 0.5, 0.01)


def test_warning_at_large_eps():
    with pytest.warns(FirstOrderValidityWarning, match="predicted relative error"):
        FIG2.current(1.5, 0.5, np.array([0.01, 0.5]))
    assert FIG2.validity(1.5, 0.5, 0.5) > 0.15
    with pytest.warns(FirstOrderValidityWarning):
        FIG2.rectification(1.5, 0.5, 0.5)


def test_warning_when_truncated_current_flows_cold_to_hot():
    with pytest.warns(FirstOrderValidityWarning) as rec:
        J = FIG2.current(3.0, 0.5, 2.0)
    assert J < 0  # the unphysical truncated current that the warning is about
    assert any("cold to hot" in str(w.message) for w in rec)
    assert issubclass(FirstOrderValidityWarning, UserWarning)


# ------------------------------------------------------------------ validation
@pytest.mark.parametrize("kw,name", [
    ({"m_A": 0.0}, "m_A"), ({"m_B": -1.0}, "m_B"), ({"gamma_A": 0.0}, "gamma_A"),
    ({"gamma_B": -2.0}, "gamma_B"), ({"k_A": -0.1}, "k_A"), ({"k_B": float("nan")}, "k_B"),
    ({"k_I": 0.0}, "k_I"), ({"m_A": "1"}, "m_A"), ({"k_I": None}, "k_I"), ({"gamma_A": True}, "gamma_A"),
    ({"f_A": "quartic"}, "f_A"), ({"f_B": lambda z: -z**3}, "f_B"), ({"k_A": 0.0, "k_B": 0.0}, "k_A"),
])
def test_bad_parameters_raise_naming_the_parameter(kw, name):
    with pytest.raises(ValueError, match=name):
        Diode(**kw)


@pytest.mark.parametrize("call,name", [
    (lambda d: d.current(-1.0, 1.0), "T_A"),
    (lambda d: d.current(1.0, np.array([1.0, -0.5])), "T_B"),
    (lambda d: d.current(1.0, 0.5, float("nan")), "eps"),
    (lambda d: d.current("hot", 0.5), "T_A"),
    (lambda d: d.kappa1(1.0, -0.1), "T_B"),
    (lambda d: d.covariance(1.0, -1.0), "T_B"),
    (lambda d: d.rectification(-1.0, 0.5, 0.01), "T_h"),
    (lambda d: d.rectification(1.0, 0.5, 0.01, form="exact"), "form"),
    (lambda d: d.kappa0(method="magic"), "method"),
    (lambda d: d.variances(1.0, 1.0, method="magic"), "method"),
])
def test_bad_calls_raise_naming_the_parameter(call, name):
    with pytest.raises(ValueError, match=name):
        call(FIG2)


def test_diode_is_frozen_and_normalises_forces():
    d = Diode()
    with pytest.raises(dataclasses.FrozenInstanceError):
        d.k_I = 2.0
    assert d.f_A == F.linear(0) and d.f_B.is_zero
    assert d.kappa1(1.5, 0.5) == 0.0
    assert Diode(k_A=1) == Diode(k_A=1.0)
    assert "power(2)" in repr(FIG2)


def test_linear_system_shapes():
    A, B = FIG2.linear_system()
    assert A.shape == (4, 4) and B.shape == (4, 2)
    assert np.all(np.linalg.eigvals(A).real < 0)  # stable: a unique steady state
    C = FIG2.covariance(1.5, 0.5)
    np.testing.assert_allclose(C, C.T)
    assert C[2, 2] == pytest.approx(FIG2.m_A * 1.5, rel=0.2)  # kinetic temperature near the bath's


# ------------------------------------------------------------------ numerical robustness (issue 12)
def test_lyapunov_route_is_exact_also_when_ill_conditioned():
    # k_I = 1e8 against unit masses: a floating-point Lyapunov solve gave 0.806 for 0.5; the exact
    # (rational) solve agrees with the closed form to the last bit, so does the frequency integral
    # to its quadrature accuracy (relative 1e-8 here, the resonance at omega = 1.4e4 is narrow).
    d = Diode(k_I=1e8)
    exact = 0.499999995  # (A32) at m = gamma = k = 1: kappa0 = k_I^2 / (2 k_I^2 + 2 k_I + 2)
    assert d.kappa0() == pytest.approx(exact, rel=1e-15)
    assert d.kappa0("lyapunov") == d.kappa0()
    assert d.kappa0("frequency") == pytest.approx(exact, rel=1e-7)
    # a tiny current against O(1) covariances: k_A = 1e8 (kappa0 = 2e-16)
    stiff = Diode(k_A=1e8)
    assert stiff.kappa0("lyapunov") == stiff.kappa0()
    assert stiff.linear_current(1.0, 1.0) == 0.0


def test_closed_forms_are_exact_rationals(diodes):
    # both routes are computed in exact arithmetic and rounded once: equal to the last bit
    for d in diodes:
        assert d.kappa0("lyapunov") == d.kappa0()
        assert d.linear_current(1.3, 0.4) == pytest.approx(d.kappa0() * 0.9, rel=2e-16)


@pytest.mark.parametrize("kw", [dict(m_A=1e300), dict(m_A=1e300, m_B=1e300), dict(gamma_B=1e-300),
                                dict(k_I=1e-200), dict(m_A=1e-300, k_I=1e300)])
def test_extreme_magnitudes_give_finite_answers_or_clear_refusals(kw):
    # issue 12: Diode(m_A=1e300).kappa0() was nan (a0 a3^2 overflowed); now the exact closed form
    # is correctly rounded, or refused when the value itself is outside double precision
    d = Diode(**kw)
    for call in (d.kappa0, lambda: d.kappa0("lyapunov"), d.sigma, d.beta,
                 lambda: d.current(1.5, 0.5, 0.0), lambda: d.covariance(1.5, 0.5)):
        try:
            out = call()
        except ValueError as err:
            assert "double precision" in str(err)
        else:
            assert np.all(np.isfinite(out))
    # m_A -> inf: a1 ~ m_A, Delta ~ m_A^2 (K_B^2 + k_I^2) = 5 m_A^2, so kappa0 ~ 1/(5 m_A)
    assert Diode(m_A=1e300).kappa0() == pytest.approx(2e-301, rel=1e-12)


def test_time_scales_name_the_simulators_defaults():
    from thermolib.sim import diode as sim_diode

    s = FIG2.time_scales()
    assert set(s) == {"inertial_A", "inertial_B", "oscillation", "relaxation"}
    w_max = math.sqrt(1.0 + 2 * 0.5)  # top normal mode of K = [[1.5, -0.5], [-0.5, 1.5]]
    assert s["oscillation"] == pytest.approx(1 / w_max, rel=1e-14)
    assert s["relaxation"] == pytest.approx(1 / min(abs(np.linalg.eigvals(FIG2.linear_system().drift).real)))
    assert sim_diode.default_dt(FIG2) == 0.05 * min(s.values())
    assert sim_diode.relaxation_time(FIG2) == s["relaxation"]
    with pytest.raises(ValueError, match="relaxation"):
        Diode(m_A=1e300, m_B=1e300).time_scales()  # the damping rate 1e-300 is not resolvable


def test_presets_are_the_papers_settings():
    assert Diode.paper_fig2() == Diode(k_I=0.5, f_A=F.power(2)) == FIG2
    assert Diode.paper_fig2().kappa0() == 1 / 14
    assert Diode.paper_fig3(k=0.1, k_I=2.0, f_A=F.cosine()) == Diode(k_A=0.1, k_B=0.1, k_I=2.0,
                                                                    f_A=F.cosine())
    assert Diode.paper_fig4() == Diode(k_A=0.1, k_B=0.1, k_I=0.1, f_A=F.cosine())
    fig5 = Diode.paper_fig5("gamma_A", f=F.power(2))
    assert fig5 == Diode(gamma_A=5.0, k_I=1e-3, f_A=F.power(2), f_B=F.power(2))
    assert Diode.paper_fig5(None).is_symmetric_linear
    with pytest.raises(ValueError, match="asymmetry"):
        Diode.paper_fig5("m_B")
    with pytest.raises(ValueError, match="factor"):
        Diode.paper_fig5("m_A", factor=0.0)


def test_bath_temperatures():
    from thermolib.diode import bath_temperatures

    assert bath_temperatures(1.0, 0.4) == (1.2, 0.8)
    assert bath_temperatures(1.0, -2.0) == (0.0, 2.0)
    with pytest.raises(ValueError, match="Delta_T"):
        bath_temperatures(1.0, 2.5)


def test_ratio_form_is_zero_at_equal_temperatures():
    # the definition is 0/0 there; its limit, like the first-order form, is 0 (was nan)
    assert FIG2.rectification(1.0, 1.0, 0.1, form="ratio") == 0.0
    assert FIG2.rectification(1.0, 1.0, 0.1) == 0.0


@pytest.mark.parametrize("call,name", [
    (lambda d: d.current("1.5", 0.5), "T_A"),
    (lambda d: d.current(True, 0.5), "T_A"),
    (lambda d: d.current(1.5, 0.5, eps="0.1"), "eps"),
    (lambda d: d.kappa0(method=1), "method"),
    (lambda d: Diode(m_A="1"), "m_A"),
    (lambda d: Diode(f_A="power(2)"), "f_A"),
])
def test_wrong_types_are_refused_as_type_errors(call, name):
    from thermolib import ParameterTypeError

    with pytest.raises(ParameterTypeError, match=name):
        call(FIG2)
