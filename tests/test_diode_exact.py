"""The exact (Hermite-moment Galerkin) current of the nonlinear diode, checked by independent routes."""
import math
import warnings

import numpy as np
import pytest
from scipy.integrate import dblquad, quad

from thermolib import Diode, forces
from thermolib.diode import FirstOrderValidityWarning
from thermolib.diode_exact import (ExactSolverError, ExactSolverWarning, exact_solution,
                                   galerkin_solution)

FIG2 = Diode(k_I=0.5, f_A=forces.power(2))
FIG4 = Diode(k_A=0.1, k_B=0.1, k_I=0.1, f_A=forces.cosine())
ASYM = Diode(m_A=2.0, gamma_B=0.5, k_A=0.3, k_B=1.2, k_I=0.7, f_A=forces.cosh(K=0.5),
             f_B=forces.power(2, c=0.5))


def first_order(d, T_A, T_B):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FirstOrderValidityWarning)
        return d.kappa1(T_A, T_B) * (T_A - T_B)


# ------------------------------------------------------------------ eps = 0
@pytest.mark.parametrize("d", [FIG2, FIG4, ASYM, Diode(k_A=0.0, k_I=2.0, m_B=5.0, f_A=forces.cosine())])
def test_eps0_reproduces_the_linear_current_to_1e10(d):
    # at eps = 0 the reference Gaussian is the exact density: every degree gives kappa0 (T_A - T_B)
    for T_A, T_B in ((1.5, 0.5), (0.2, 2.0), (1.0, 0.0)):
        J = d.exact_current(T_A, T_B, 0.0)
        assert J == pytest.approx(d.kappa0() * (T_A - T_B), rel=1e-10)


# ------------------------------------------------------------------ equilibrium
def boltzmann_moment(d, eps, T, fn):
    def V(x, y):
        return (0.5 * d.k_A * x * x + 0.5 * d.k_B * y * y + 0.5 * d.k_I * (x - y) ** 2
                + eps * d.f_A.V(x) + eps * d.f_B.V(y))
    w = lambda y, x: math.exp(-V(x, y) / T)
    Z = dblquad(w, -12, 12, -12, 12, epsabs=1e-13)[0]
    return dblquad(lambda y, x: fn(x, y) * w(y, x), -12, 12, -12, 12, epsabs=1e-13)[0] / Z


@pytest.mark.parametrize("d,eps,T,order", [
    (FIG2, 1.0, 0.8, 20), (FIG4, 0.1, 0.7, 20),
    (Diode(k_I=0.7, f_A=forces.polynomial([0.3, -0.5, 0.4, -0.2])), 0.5, 1.0, 12)])
def test_equal_temperatures_give_no_current_and_the_boltzmann_density(d, eps, T, order):
    s = exact_solution(d, T, T, eps, start=order, max_order=order + 4)
    assert abs(s.current) < 1e-12 * d.kappa0() * T  # detailed balance: J = 0 at every degree
    # the Galerkin moments converge to those of exp(-H/T) (the third diode has a non-odd force:
    # its mean is shifted, which exercises the shifted reference)
    for fn, powers in ((lambda x, y: x, (1, 0)), (lambda x, y: x * x, (2, 0)),
                       (lambda x, y: x**4, (4, 0)), (lambda x, y: x * y, (1, 1))):
        ref = boltzmann_moment(d, eps, T, fn)
        assert s.expectation(*powers) == pytest.approx(ref, rel=2e-5, abs=1e-9)
    assert s.expectation(k_pA=2) == pytest.approx(d.m_A * T, rel=1e-12)  # Maxwell
    # marginal density of x_A against the Boltzmann marginal, relative to its maximum
    x = np.linspace(-1.5, 1.5, 7)
    V = lambda a, y: (0.5 * d.k_A * a * a + 0.5 * d.k_B * y * y + 0.5 * d.k_I * (a - y) ** 2
                      + eps * d.f_A.V(a) + eps * d.f_B.V(y))
    px = np.array([quad(lambda y: math.exp(-V(a, y) / T), -12, 12)[0] for a in x])
    Z = quad(lambda a: quad(lambda y: math.exp(-V(a, y) / T), -12, 12)[0], -12, 12)[0]
    assert np.max(np.abs(s.density_x_A(x) - px / Z)) < 1e-3 * np.max(px / Z)


# ------------------------------------------------------------------ first order
@pytest.mark.parametrize("d,T_A,T_B", [(FIG2, 1.5, 0.5), (FIG2, 0.5, 1.5), (FIG4, 1.8, 0.2),
                                       (ASYM, 1.3, 0.4)])
def test_slope_at_eps0_is_the_first_order_J1(d, T_A, T_B):
    # one-sided Richardson (eps < 0 need not confine): 2 (J(h) - J0)/h - (J(2h) - J0)/(2h)
    # = J1 + O(h^2); at h = 1e-4 the remainder is ~1e-8 |J3/J1|, the solver's 1e-10 relative error
    # on J - J0 adds 1e-10; so 1e-6 relative is a safe bound that still catches any error in J1.
    h = 1e-4
    J0 = d.kappa0() * (T_A - T_B)
    a = d.exact_current(T_A, T_B, h, rtol=1e-10) - J0
    b = d.exact_current(T_A, T_B, 2 * h, rtol=1e-10) - J0
    assert 2 * a / h - b / (2 * h) == pytest.approx(first_order(d, T_A, T_B), rel=1e-6)


# ------------------------------------------------------------------ structure of the method
def test_force_on_B_gives_the_swapped_current_at_every_order():
    # the truncated space (Gaussian x polynomials of degree <= N) does not depend on the
    # whitening, so a force on B (two-variable product expansion) equals the swapped diode with
    # the force on A (one-variable path) order by order, to round-off
    d = Diode(m_B=2.0, k_I=0.6, f_B=forces.cosine(K=0.7))
    for N in (8, 12):
        JB = galerkin_solution(d, 0.4, 1.6, 0.3, N)[0]
        JA = galerkin_solution(d.swapped(), 1.6, 0.4, 0.3, N)[0]
        assert JB == pytest.approx(-JA, rel=1e-11)


def test_direct_and_iterative_solvers_agree():
    a = galerkin_solution(FIG4, 1.8, 0.2, 0.05, 16, method="direct")
    b = galerkin_solution(FIG4, 1.8, 0.2, 0.05, 16, method="iterative")
    assert b[3] == "iterative" and a[3] == "direct"
    assert a[0] == pytest.approx(b[0], rel=1e-12)


def test_linear_force_is_exact_at_every_order():
    # f_A = -c z is a stiffness shift: the exact current is that of the shifted linear diode
    d = Diode(k_I=0.5, f_A=forces.linear(0.8))
    J = galerkin_solution(d, 1.5, 0.5, 0.5, 4)[0]
    assert J == pytest.approx(d.replace(k_A=1.4, f_A=None).kappa0(), rel=1e-12)


@pytest.mark.slow
def test_fig2_converges_below_1e6_of_the_excess():
    # Fig. 2, eps = 1 (the hardest point): the accepted degree's error estimate is below 1e-6 of
    # J - J0, and one more degree confirms it
    for T_A, T_B in ((1.5, 0.5), (0.5, 1.5)):
        s = exact_solution(FIG2, T_A, T_B, 1.0)
        excess = s.current - FIG2.kappa0() * (T_A - T_B)
        assert s.converged and s.error < 1e-6 * abs(excess)
        more = galerkin_solution(FIG2, T_A, T_B, 1.0, s.order + 4)[0]
        assert abs(more - s.current) < 1e-6 * abs(excess)


def test_exact_rectification_approaches_first_order_as_eps_vanishes():
    d = Diode(k_A=1.0, k_B=1.0, k_I=1.0, f_A=forces.power(2))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FirstOrderValidityWarning)
        slope = d.rectification(1.8, 0.2, 1.0)  # first-order chi / eps
    c = [d.exact_rectification(1.8, 0.2, e, rtol=1e-9) / e for e in (1e-3, 2e-3)]
    # chi/eps = slope + O(eps): the linear extrapolation removes the O(eps) term
    assert 2 * c[0] - c[1] == pytest.approx(slope, rel=1e-5)
    assert abs(c[0] - slope) > abs(2 * c[0] - c[1] - slope)


def test_solution_object_moments_are_consistent():
    s = FIG2.exact_solution(1.5, 0.5, 0.5)
    C = s.covariance
    assert np.allclose(C, C.T)
    J = FIG2.k_I * (C[0, 2] - C[1, 2]) / FIG2.m_A
    assert J == pytest.approx(s.current, rel=1e-12)
    # stationarity identities exact in every truncation: <x_A p_A> = 0, <p_A> = 0
    assert abs(s.expectation(1, 0, 1, 0)) < 1e-14 and abs(s.expectation(0, 0, 1, 0)) < 1e-14
    # the bond current on the B side equals the one on the A side
    assert FIG2.k_I * s.expectation(1, 0, 0, 1) / FIG2.m_B == pytest.approx(s.current, rel=1e-12)
    x = np.linspace(-6, 6, 2001)
    assert np.trapezoid(s.density_x_A(x), x) == pytest.approx(1.0, abs=1e-8)
    assert len(s.history) >= 2 and s.history[-1][0] == s.order


# ------------------------------------------------------------------ failure modes
def test_unconverged_raises_and_reports_the_achieved_accuracy():
    with pytest.raises(ExactSolverError, match=r"did not converge.*\|J_N - J_\(N-4\)\| = "):
        exact_solution(FIG2, 1.5, 0.5, 1.0, rtol=1e-12, atol=0.0, max_order=12)
    with pytest.warns(ExactSolverWarning):
        s = exact_solution(FIG2, 1.5, 0.5, 1.0, rtol=1e-12, atol=0.0, max_order=12, strict=False)
    assert not s.converged and s.error > s.tolerance and s.order == 12


@pytest.mark.parametrize("call,exc,name", [
    (lambda: FIG2.exact_current(-1.0, 0.5, 0.1), ValueError, "T_A"),
    (lambda: FIG2.exact_current(1.0, float("nan"), 0.1), ValueError, "T_B"),
    (lambda: FIG2.exact_current(1.0, 0.5, "0.1"), ValueError, "eps"),
    (lambda: FIG2.exact_current(0.0, 0.0, 0.1), ValueError, "T_A and T_B"),
    (lambda: FIG2.exact_current(1.0, 0.5, 0.1, rtol=0.0), ValueError, "rtol"),
    (lambda: FIG2.exact_current(1.0, 0.5, 0.1, max_order=6), ValueError, "max_order"),
    (lambda: FIG2.exact_current(1.0, 0.5, 0.1, method="lu"), ValueError, "method"),
    (lambda: FIG2.exact_current(1.0, 0.5, 0.1, strict="no"), ValueError, "strict"),
    (lambda: FIG2.exact_current(1.0, 0.5, -0.1), ValueError, "not confining"),
    (lambda: Diode(f_A=forces.cosh()).exact_current(1.0, 0.5, -0.1), ValueError, "no stationary"),
    (lambda: exact_solution("diode", 1.0, 0.5, 0.1), TypeError, "diode"),
    (lambda: FIG2.exact_rectification(1.0, 1.0, 0.1), ValueError, "T_h and T_c"),
])
def test_bad_input_is_refused_with_the_parameter_named(call, exc, name):
    with pytest.raises(exc, match=name):
        call()


def test_negative_eps_is_allowed_when_the_force_still_confines():
    J = FIG4.exact_current(1.2, 0.8, -0.05, rtol=1e-5)  # V = +0.05 cos z: softer near 0
    assert J == pytest.approx(FIG4.kappa0() * 0.4 - 0.05 * first_order(FIG4, 1.2, 0.8), rel=2e-3)


def test_the_reference_gaussian_changes_the_speed_not_the_answer(monkeypatch):
    # without a closure (e.g. an unstable linearization) the solver falls back to the eps = 0
    # Gaussian as reference: it converges to the same current, at a higher degree
    import thermolib.diode_exact as de
    from thermolib.diode_closure import ClosureError

    s = exact_solution(FIG2, 1.5, 0.5, 0.3, rtol=1e-5)

    def no_closure(*args, **kwargs):
        raise ClosureError("test")

    monkeypatch.setattr(de, "gaussian_closure", no_closure)
    t = exact_solution(FIG2, 1.5, 0.5, 0.3, rtol=1e-5)
    assert t.reference is None and s.reference is not None
    assert t.error > 10 * s.error  # the self-consistent Gaussian is the better starting point
    assert abs(t.current - s.current) < s.error + t.error
