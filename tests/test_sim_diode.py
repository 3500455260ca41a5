"""Diode simulator (BAOAB, common random numbers) against the exact discrete scheme, the continuous
kappa0, and the first-order theory J1; reproducibility; input validation; divergence detection.

Statistical tolerances: |z| < 4 with z built from the simulation's own standard error (over
independent realizations); seeds are fixed, so the tests are deterministic.
"""
import warnings

import numba
import numpy as np
import pytest

from thermolib import Diode
from thermolib import forces as F
from thermolib.sim.diode import (
    SimulationDiverged,
    TimeStepBiasWarning,
    baoab_current,
    baoab_current_bias,
    baoab_matrices,
    baoab_stationary_covariance,
    default_dt,
    diode_current,
)

# every mass, damping and stiffness different; quartic on A, sinusoidal on B
ASYM = Diode(m_A=1.3, m_B=0.7, gamma_A=0.8, gamma_B=1.5, k_A=1.2, k_B=0.6, k_I=0.7,
             f_A=F.power(2), f_B=F.cosine(K=1.3, A=0.7))
ASYM2 = Diode(m_A=0.6, m_B=1.6, gamma_A=1.4, gamma_B=0.5, k_A=0.4, k_B=1.5, k_I=0.35,
              f_A=F.cosine(K=1.0), f_B=F.power(2, c=0.5))
FIG2 = Diode(k_I=0.5, f_A=F.power(2))  # Fig. 2: V_A = z^4/4, k_I = 0.5, all else 1


# ------------------------------------------------------------------ exact discrete scheme
def test_discrete_covariance_is_fixed_point_of_one_step():
    # C = M C M^T + G diag(T) G^T to round-off (the defining equation)
    M, G = baoab_matrices(ASYM, 0.05)
    C = baoab_stationary_covariance(ASYM, 1.7, 0.3, 0.05)
    assert np.allclose(C, M @ C @ M.T + G @ np.diag([1.7, 0.3]) @ G.T, rtol=0, atol=1e-13)


def test_discrete_current_converges_to_kappa0_like_dt_squared():
    # weak order 2: bias(dt)/dt^2 tends to a constant; at dt -> 0 the Lyapunov current is kappa0 dT
    b = [baoab_current_bias(FIG2, 1.5, 0.5, dt).relative for dt in (0.01, 0.02, 0.04)]
    assert abs(b[0]) < 2e-5
    assert b[1] / b[0] == pytest.approx(4.0, rel=0.01)
    assert b[2] / b[1] == pytest.approx(4.0, rel=0.02)
    # equilibrium: no current in the discrete scheme either (detailed balance of each split step)
    assert baoab_current(ASYM, 0.9, 0.9, 0.1) == pytest.approx(0.0, abs=1e-14)


def test_discrete_equilibrium_positions_are_boltzmann_to_order_dt2():
    # at T_A = T_B the BAOAB configurational law is exact up to O(dt^2) (Leimkuhler-Matthews)
    C = baoab_stationary_covariance(ASYM, 1.0, 1.0, 0.02)
    Cc = ASYM.covariance(1.0, 1.0)
    assert np.allclose(C[:2, :2], Cc[:2, :2], rtol=1e-3)


# ------------------------------------------------------------------ J0
@pytest.mark.parametrize("T_A, T_B", [(1.6, 0.4), (0.4, 1.6)])
def test_J0_equals_exact_discrete_and_kappa0(T_A, T_B):
    r = diode_current(ASYM, T_A, T_B, 0.0, t=250.0, realizations=3000, seed=11)
    Jd = baoab_current(ASYM, T_A, T_B, r.settings["dt"])
    J0 = ASYM.kappa0() * (T_A - T_B)
    assert abs(r.current0 - Jd) < 4 * r.current0_err
    assert abs(r.current0 - J0) < 4 * r.current0_err  # dt bias 1e-4 << SE 4e-3 relative
    assert r.current == r.current0 and r.excess == 0.0  # eps = 0 is lane 0 itself


def test_J0_resolves_the_discrete_bias_at_large_dt():
    # dt = 0.3: the scheme's current is 2.5 % above kappa0 dT; the simulation sits on the exact
    # discrete value (|z| < 4) and many standard errors away from the continuous one.
    d = Diode(m_A=1.3, m_B=0.7, gamma_A=0.8, gamma_B=1.5, k_A=1.2, k_B=0.6, k_I=0.7)
    with pytest.warns(TimeStepBiasWarning, match=r"\+2\.5 %"):  # the simulator says so itself
        r = diode_current(d, 1.6, 0.4, 0.0, t=300.0, dt=0.3, realizations=40000, seed=5)
    b = baoab_current_bias(d, 1.6, 0.4, 0.3)
    assert abs(r.current0 - b.discrete) < 4 * r.current0_err
    assert abs(r.current0 - b.continuous) > 8 * r.current0_err


# ------------------------------------------------------------------ J1 from common random numbers
def _J1_richardson(r, e):
    """J1 from X(e)/e and X(2e)/(2e): 2 R(e) - R(2e) cancels the O(eps) term; error from the
    per-realization samples (the two ratios are strongly correlated under CRN)."""
    X = (r.samples - r.samples0) / np.array([e, 2 * e])[:, None]
    comb = 2 * X[0] - X[1]
    return comb.mean(), comb.std(ddof=1) / np.sqrt(comb.size)


@pytest.mark.parametrize("diode", [ASYM, ASYM2, FIG2], ids=["quartic+sine", "sine+quartic", "fig2"])
@pytest.mark.parametrize("T_A, T_B", [(1.6, 0.4), (0.4, 1.6)], ids=["A-hot", "B-hot"])
def test_J1_from_crn_excess_equals_first_order_theory(diode, T_A, T_B):
    e = 0.02
    r = diode_current(diode, T_A, T_B, [e, 2 * e], t=200.0, realizations=2000, seed=3,
                      samples=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        J1 = diode.kappa1(T_A, T_B) * (T_A - T_B)
    est, err = _J1_richardson(r, e)
    assert abs(est - J1) < 4 * err
    assert err < 0.05 * abs(J1)  # the test has teeth: a 20 % error in J1 would fail
    # the raw ratio at eps = 0.02 is already within a few % (second order is small here)
    assert r.excess[0] / e == pytest.approx(J1, rel=0.06)


def test_crn_variance_reduction_is_large():
    # paired difference vs independent runs: SE ratio ~0.03 at eps = 0.02 (variance / 1000)
    r = diode_current(FIG2, 1.5, 0.5, [0.02, 0.2], t=100.0, realizations=500, seed=1)
    naive = np.hypot(r.current_err, r.current0_err)
    ratio = r.excess_err / naive
    assert ratio[0] < 0.1
    assert ratio[1] < 0.5
    assert ratio[0] < ratio[1]


# ------------------------------------------------------------------ reproducibility
def test_same_seed_same_result_for_any_threads_and_realization_count():
    kw = dict(t=30.0, seed=42, samples=True)
    before = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        a = diode_current(ASYM, 1.2, 0.6, [0.1, 0.3], realizations=150, **kw)
        numba.set_num_threads(min(2, numba.config.NUMBA_NUM_THREADS))
        b = diode_current(ASYM, 1.2, 0.6, [0.1, 0.3], realizations=150, **kw)
    finally:
        numba.set_num_threads(before)
    assert np.array_equal(a.samples, b.samples)
    assert np.array_equal(a.samples0, b.samples0)
    # realization r is stream r: a smaller run is a prefix of a larger one (blocks of 64 cross)
    c = diode_current(ASYM, 1.2, 0.6, [0.1, 0.3], realizations=70, **kw)
    assert np.array_equal(c.samples, a.samples[:, :70])
    # the order or repetition of eps values does not change a lane
    d = diode_current(ASYM, 1.2, 0.6, [0.3, 0.0, 0.1, 0.3], realizations=70, **kw)
    assert np.array_equal(d.samples[2], c.samples[0])
    assert np.array_equal(d.samples[0], c.samples[1])
    assert np.array_equal(d.samples[1], c.samples0)


def test_different_seeds_differ():
    a = diode_current(FIG2, 1.2, 0.6, 0.1, t=30.0, realizations=10, seed=1)
    b = diode_current(FIG2, 1.2, 0.6, 0.1, t=30.0, realizations=10, seed=2)
    assert a.current != b.current and a.current0 != b.current0


def test_result_shapes_and_metadata():
    r = diode_current(FIG2, 1.0, 0.5, [[0.1, 0.2]], t=30.0, realizations=8, seed=0)
    for name in ("current", "current_err", "excess", "excess_err"):
        assert np.shape(getattr(r, name)) == (1, 2)
    s = diode_current(FIG2, 1.0, 0.5, 0.1, t=30.0, realizations=8, seed=0)
    assert isinstance(s.current, float) and isinstance(s.excess_err, float)
    assert s.settings["dt"] == pytest.approx(default_dt(FIG2))
    assert s.settings["seed"] == 0 and s.settings["realizations"] == 8
    assert "bond current" in s.settings["estimator"]
    assert s.to_dict()["model"]["f_A"]["kernel_code"] == 1


# ------------------------------------------------------------------ the simulator contract
def test_default_dt_and_burn_in_come_from_the_model_time_scales():
    from thermolib.sim.contract import BURN_IN_RELAXATION_TIMES, DT_FACTOR

    scales = ASYM.time_scales()
    r = diode_current(ASYM, 1.0, 0.5, 0.1, t=60.0, realizations=4, seed=0)
    assert r.settings["dt"] == DT_FACTOR * min(scales.values()) == default_dt(ASYM)
    burn = BURN_IN_RELAXATION_TIMES * scales["relaxation"]
    assert abs(r.settings["burn_in"] - burn) <= r.settings["dt"] / 2  # rounded to whole steps
    assert r.kind == "diode_current"


@pytest.mark.parametrize("kwargs, name", [
    (dict(T_A=-1.0), "T_A"),
    (dict(T_B=float("nan")), "T_B"),
    (dict(eps=float("inf")), "eps"),
    (dict(eps=[0.1, float("nan")]), "eps"),
    (dict(eps="a"), "eps"),
    (dict(t=-1.0), "t"),
    (dict(t=5.0), "burn_in"),
    (dict(t=10.0, burn_in=20.0), "burn_in"),
    (dict(burn_in=-1.0), "burn_in"),
    (dict(dt=0.0), "dt"),
    (dict(dt=1.0), "dt"),
    (dict(realizations=0), "realizations"),
    (dict(realizations=1), "realizations"),
    (dict(realizations=2.5), "realizations"),
    (dict(seed=-1), "seed"),
    (dict(seed=1.5), "seed"),
    (dict(diode="fig2"), "diode"),
])
def test_bad_input_raises_value_error_naming_the_parameter(kwargs, name):
    args = dict(diode=FIG2, T_A=1.0, T_B=0.5, eps=0.1, t=50.0, realizations=4, seed=0)
    args.update(kwargs)
    with pytest.raises(ValueError, match=name):
        diode_current(args.pop("diode"), args.pop("T_A"), args.pop("T_B"), args.pop("eps"), **args)


@pytest.mark.parametrize("kwargs, name", [
    (dict(diode="fig2"), "diode"),
    (dict(eps="0.1"), "eps"),          # issue 12: a string is refused, not parsed
    (dict(eps=True), "eps"),
    (dict(eps=[0.1, True]), "eps"),
    (dict(T_A="1.5"), "T_A"),
    (dict(T_B=None), "T_B"),
    (dict(samples="no"), "samples"),   # bool("no") is True: a flag must be a real boolean
    (dict(samples=1), "samples"),
    (dict(t="50"), "t"),
    (dict(realizations=4.0), "realizations"),
    (dict(seed="0"), "seed"),
])
def test_wrong_types_raise_type_errors_that_are_also_value_errors(kwargs, name):
    from thermolib._validation import ParameterTypeError

    args = dict(diode=FIG2, T_A=1.0, T_B=0.5, eps=0.1, t=50.0, realizations=4, seed=0)
    args.update(kwargs)
    with pytest.raises(ParameterTypeError, match=name) as info:
        diode_current(args.pop("diode"), args.pop("T_A"), args.pop("T_B"), args.pop("eps"), **args)
    assert isinstance(info.value, TypeError) and isinstance(info.value, ValueError)


def test_numpy_scalars_and_0d_arrays_are_numbers():
    a = diode_current(FIG2, 1.0, 0.5, [0.1], t=30.0, realizations=4, seed=3)
    b = diode_current(FIG2, np.float32(1.0), np.array(0.5), np.array([0.1]), t=np.float64(30.0),
                      realizations=np.int64(4), seed=np.uint8(3), samples=np.bool_(False))
    assert a.current == b.current and a.current0 == b.current0


# ------------------------------------------------------------------ divergence (issue 12)
def test_divergence_raises():
    # anti-confining sinh force (eps < 0 turns V = cosh into -cosh): escapes to infinity
    d = Diode(k_I=0.5, f_A=F.cosh(K=2.0))
    with pytest.raises(SimulationDiverged, match="diverged"):
        diode_current(d, 1.0, 1.0, -3.0, t=60.0, realizations=64, seed=0)
    # strongly confining but stiff: explicit scheme unstable at this dt
    with pytest.raises(SimulationDiverged, match="diverged"):
        diode_current(d, 4.0, 4.0, 50.0, t=60.0, dt=0.2, realizations=64, seed=0)


def test_an_unstable_linear_force_is_caught_as_soon_as_the_energy_leaves_the_physical_range():
    # issue 12: eps * linear(1) at eps = -3 makes k_A + eps*c = -2 < 0: x grows like e^{0.85 t}.
    # The check used to fire only above |x| + |p| = 1e100 (this call returned J = 5.2e19); the
    # energy limit 1e6 max(T_A, T_B) is crossed near t = 8, and the next check (every 128 steps,
    # 4.5 time units) must report it: before t = 15, long before t = 30.
    d = Diode(k_I=0.5, f_A=F.linear(1))
    with pytest.raises(SimulationDiverged, match=r"diverged at t ~ (\d+\.?\d*) \(eps = -3\)") as info:
        diode_current(d, 1.5, 0.5, [-3.0], t=30, burn_in=5, realizations=8, seed=1)
    t_div = float(info.value.args[0].split("t ~ ")[1].split(" ")[0])
    assert 5.0 < t_div < 15.0


def test_a_strongly_softened_but_stable_spring_does_not_trip_the_divergence_check():
    # eps * linear(c) is exactly the stiffness shift k_A -> k_A + eps c (ERRATA D5): at eps = 1,
    # c = -0.95 the on-site spring drops 20-fold to 0.05 and <x_A^2> grows tenfold; the run is
    # legitimate, must not trip, and its current is kappa0 of the shifted diode (|z| < 4).
    d = Diode(k_I=0.5, f_A=F.linear(-0.95))
    soft = Diode(k_A=0.05, k_I=0.5)
    r = diode_current(d, 3.0, 0.0, 1.0, t=400.0, realizations=512, seed=4)
    assert abs(r.current - soft.kappa0() * 3.0) < 4 * r.current_err
    assert r.settings["divergence_energy"] == pytest.approx(1e6 * 3.0)


# ------------------------------------------------------------------ dt near the limit (issue 12)
def test_dt_at_the_stability_limit_warns_with_the_exact_discrete_bias():
    # dt = 1/omega_max is accepted (the refusal starts above it) but biases J0 by +7.0 %: the
    # warning quotes the exact discrete current's bias, and the default dt does not warn.
    d = Diode(k_I=0.5, f_A=F.linear(1))
    w_max = 1.0 / d.time_scales()["oscillation"]
    expected = baoab_current_bias(d, 1.5, 0.5, 1.0 / w_max).relative
    assert expected == pytest.approx(0.0703, abs=5e-4)
    with pytest.warns(TimeStepBiasWarning, match=rf"\+{100 * expected:.1f} %"):
        r = diode_current(d, 1.5, 0.5, 0.0, t=60.0, dt=1.0 / w_max, realizations=4, seed=0)
    assert r.settings["dt_relative_bias_J0"] == pytest.approx(expected, rel=1e-9)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        diode_current(d, 1.5, 0.5, 0.0, t=60.0, realizations=4, seed=0)


# ------------------------------------------------------------------ beyond first order (ERRATA D9)
def test_first_order_overestimates_the_excess_at_fig2_eps_0p1():
    # ERRATA D9: at T_m = 1, eps = 0.1 the first-order J - J0 is 8-15 % too large in magnitude
    r = diode_current(FIG2, 1.5, 0.5, 0.1, t=200.0, realizations=2000, seed=9)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        first = 0.1 * FIG2.kappa1(1.5, 0.5) * 1.0
    ratio = r.excess / first
    assert 0.80 < ratio < 0.95
    assert r.excess_err < 0.02 * abs(first)


@pytest.mark.slow
@pytest.mark.parametrize("T_A, T_B", [(1.5, 0.5), (0.5, 1.5)])
def test_J1_high_statistics_fig2(T_A, T_B):
    # 20000 realizations: J1 to ~0.5 %. The raw ratio X(eps)/eps carries the O(eps) term
    # (-1.2 % of J1 at eps = 0.01, i.e. ~2 SE here), so compare the Richardson combination
    # (O(eps^2) residual ~1e-4 J1) and bound the raw ratio's deviation by first-order size only.
    e = 0.01
    r = diode_current(FIG2, T_A, T_B, [e, 2 * e], t=300.0, realizations=20000, seed=21,
                      samples=True)
    J1 = FIG2.kappa1(T_A, T_B) * (T_A - T_B)
    est, err = _J1_richardson(r, e)
    assert abs(est - J1) < 4 * err
    assert err < 0.01 * abs(J1)
    assert r.excess[0] / e == pytest.approx(J1, rel=0.03)
