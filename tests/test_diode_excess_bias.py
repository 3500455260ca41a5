"""Time-step bias of the simulated J(eps) - J(0) (thermolib.sim.diode.excess_bias)."""
import math

import pytest

from thermolib import Diode, forces
from thermolib.sim.diode import (baoab_current, baoab_current_bias, baoab_stationary_covariance,
                                 default_dt, excess_bias)


def test_zero_at_eps_zero():
    """At eps = 0 the paired difference is exactly zero realization by realization: no bias."""
    d = Diode.paper_fig2()
    b = excess_bias(d, 1.5, 0.5, 0.0, default_dt(d))
    assert b.estimate == 0.0 and b.bound == 0.0
    assert b.relative_0 == b.relative_G == baoab_current_bias(d, 1.5, 0.5, default_dt(d)).relative


def test_linear_force_is_exact():
    """A linear force f_A = -c z is the stiffness shift k_A -> k_A + eps c: the simulated excess has
    the mean J_dt(k_A + eps c) - J_dt(k_A), and the estimate must be exactly its bias."""
    c, eps, dt = 0.8, 0.5, 0.05
    d = Diode(k_I=0.5, f_A=forces.linear(c))
    shifted = d.replace(k_A=1.0 + eps * c, f_A=None)
    exact = (baoab_current_bias(shifted, 1.5, 0.5, dt).absolute
             - baoab_current_bias(d, 1.5, 0.5, dt).absolute)
    b = excess_bias(d, 1.5, 0.5, eps, dt, current=shifted.kappa0())
    assert abs(exact) > 1e-7  # not a trivial zero at this coarse dt
    assert b.estimate == pytest.approx(exact, rel=1e-9)
    # the closure is exact here (J = J_G), so the bound is twice the estimate
    assert b.bound == pytest.approx(2 * abs(exact), rel=1e-9)


def test_first_order_is_the_stiffness_shift_at_each_variance():
    """At O(eps) the discrete chain responds as to k_A -> k_A - eps g_A(v_dt) (its own variance),
    the dynamics as to k_A -> k_A - eps g_A(v): built here from the eps = 0 covariances directly,
    without the closure, it must equal the estimate up to O(eps^2)."""
    d, dt, eps = Diode.paper_fig2(), 0.05, 1e-4
    v = d.covariance(1.5, 0.5)[0, 0]
    v_dt = baoab_stationary_covariance(d, 1.5, 0.5, dt)[0, 0]
    assert abs(v_dt / v - 1) > 1e-5  # the two variances differ at this dt
    g = d.f_A.g
    J_dt = baoab_current(d.replace(k_A=1.0 - eps * g(v_dt), f_A=None), 1.5, 0.5, dt)
    J_cont = d.replace(k_A=1.0 - eps * g(v), f_A=None).kappa0()
    first = (J_dt - J_cont) - baoab_current_bias(d, 1.5, 0.5, dt).absolute
    b = excess_bias(d, 1.5, 0.5, eps, dt)
    assert b.estimate == pytest.approx(first, rel=1e-3)
    # evaluating g at the continuous variance instead (no discrete correction) is off at O(eps)
    naive = (baoab_current(d.replace(k_A=1.0 - eps * g(v), f_A=None), 1.5, 0.5, dt) - J_cont
             - baoab_current_bias(d, 1.5, 0.5, dt).absolute)
    assert abs(naive / first - 1) > 0.05


def test_weak_order_two():
    """Both terms of the bound come from exact discrete biases of linear diodes: O(dt^2)."""
    d = Diode.paper_fig2()
    J = d.exact_current(1.5, 0.5, 1.0)
    b1 = excess_bias(d, 1.5, 0.5, 1.0, 0.04, current=J)
    b2 = excess_bias(d, 1.5, 0.5, 1.0, 0.02, current=J)
    assert b1.bound / b2.bound == pytest.approx(4.0, rel=0.02)
    assert b1.estimate / b2.estimate == pytest.approx(4.0, rel=0.02)


def test_sign_follows_the_stiffness_shift():
    """The quartic force stiffens A; the closure's linear diode has k_A,eff > k_A, so its relative
    bias is that of a stiffer diode, not b_0 (a planted sign error in the shift fails here)."""
    d = Diode.paper_fig2()
    dt = default_dt(d)
    b = excess_bias(d, 1.5, 0.5, 1.0, dt)
    G = d.gaussian_closure(1.5, 0.5, 1.0)
    assert G.k_eff[0] > d.k_A
    stiff = baoab_current_bias(d.replace(k_A=G.k_eff[0], f_A=None), 1.5, 0.5, dt)
    assert b.relative_G == pytest.approx(stiff.relative, rel=1e-9)
    assert not math.isclose(b.relative_G, b.relative_0, rel_tol=1e-2)


@pytest.mark.parametrize("kw, match", [
    (dict(dt=0.0), "dt"),
    (dict(dt=-0.01), "dt"),
    (dict(eps=float("nan")), "eps"),
    (dict(T_A=-1.0), "T_A"),
    (dict(current=float("inf")), "current"),
])
def test_bad_input(kw, match):
    args = dict(T_A=1.5, T_B=0.5, eps=0.1, dt=0.03, current=0.07)
    args.update(kw)
    with pytest.raises(ValueError, match=match):
        excess_bias(Diode.paper_fig2(), **args)


def test_wrong_model_type():
    with pytest.raises(TypeError, match="diode"):
        excess_bias("not a diode", 1.5, 0.5, 0.1, 0.03)
