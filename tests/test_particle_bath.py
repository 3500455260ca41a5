"""The particle bath of the NDC paper: coupling, mean force, force correlation, friction.

Every formula is checked against a second, independent route (direct quadrature over the ring,
numerical time integral, Bessel identities), with the tolerance's reason next to it.
"""
import dataclasses
import math

import numpy as np
import pytest
from scipy import integrate, special

from thermolib.particle_bath import MAX_MODES, ParticleBath

REF = ParticleBath()  # the paper's reference values: N_b=40, zeta=0.1, lam=1, p=2, L=25, eps=0.1


def ring_average(bath, f):
    """<f(x)> over the uniform ring by adaptive quadrature (independent of the library's grids)."""
    val, _ = integrate.quad(f, 0.0, bath.L, epsabs=0.0, epsrel=1e-13, limit=200)
    return val / bath.L


# ----------------------------------------------------------------------------- reference numbers
def test_defaults_are_the_papers_reference_values():
    assert (REF.N_b, REF.zeta, REF.lam, REF.p, REF.L, REF.eps) == (40, 0.1, 1.0, 2.0, 25.0, 0.1)


def test_reference_numbers_of_the_paper_setting():
    # S(2) = 0.5107 and gamma_L(T_L = 1) = N_b gamma_eff = 0.647 (Fig. 2b scale); 4 digits quoted
    assert REF.S() == pytest.approx(0.51072, abs=1e-5)
    assert REF.N_b * REF.friction(1.0) == pytest.approx(0.6468, abs=1e-4)


# ----------------------------------------------------------------------------- coupling and statics
def test_coupling_has_ring_average_lam_and_is_periodic():
    b = ParticleBath(lam=1.7, p=3.0, L=2.0)
    assert ring_average(b, b.coupling) == pytest.approx(1.7, rel=1e-12)  # quad precision
    x = np.linspace(-3, 3, 11)
    np.testing.assert_allclose(b.coupling(x + b.L), b.coupling(x), rtol=1e-13)
    # von Mises shape: maximum lam e^p / I0(p) at x = 0
    assert b.coupling(0.0) == pytest.approx(1.7 * math.exp(3.0) / special.i0(3.0), rel=1e-14)


def test_coupling_equals_its_jacobi_anger_series():
    b = ParticleBath(p=2.5, L=3.0)
    x = np.linspace(0, b.L, 17)
    n = np.arange(1, 40)
    series = b.lam * (1 + 2 * np.sum(special.iv(n, b.p) / special.iv(0, b.p)
                                     * np.cos(2 * np.pi * np.outer(x, n) / b.L), axis=1))
    np.testing.assert_allclose(b.coupling(x), series, rtol=1e-13)  # series converges like 1/n!


def test_potential_is_eps_q_times_coupling():
    b = ParticleBath(eps=0.3)
    assert b.potential(1.2, q=2.0) == pytest.approx(0.3 * 2.0 * b.coupling(1.2), rel=1e-15)


@pytest.mark.parametrize("p", [0.1, 1.0, 2.0, 10.0, 50.0])
def test_variance_series_closed_form_and_quadrature_agree(p):
    b = ParticleBath(p=p, lam=1.3, L=7.0)
    closed = b.lam**2 * (special.ive(0, 2 * p) / special.ive(0, p) ** 2 - 1)   # Var F printed form
    mean = ring_average(b, b.coupling)
    direct = ring_average(b, lambda x: b.coupling(x) ** 2) - mean**2          # Boltzmann average at eps=0
    assert b.variance() == pytest.approx(closed, rel=1e-11)   # Neumann addition theorem, round-off
    assert b.variance() == pytest.approx(direct, rel=1e-9)    # quad of a peaked function, ~1e-10
    assert b.force_correlation(0.0, T=1.0) == pytest.approx(b.variance(), rel=1e-14)  # C(0) = Var F


def test_variance_is_accurate_at_small_and_large_p():
    # small p: Var F = lam^2 p^2/2 (1 + O(p^2)); the closed form would cancel catastrophically
    assert ParticleBath(p=1e-6).variance() == pytest.approx(0.5e-12, rel=1e-9)
    # large p: no overflow (I0(2p) alone would overflow at p = 400)
    v = ParticleBath(p=400.0).variance()
    assert np.isfinite(v) and v == pytest.approx(special.ive(0, 800) / special.ive(0, 400) ** 2 - 1, rel=1e-11)
    # p = 0: constant coupling, no fluctuations, no friction
    flat = ParticleBath(p=0.0)
    assert flat.variance() == 0.0 and flat.friction(1.0) == 0.0 and flat.n_modes() == 0


# ----------------------------------------------------------------------------- mean force
def test_mean_force_at_q0_is_minus_eps_lam():
    assert REF.mean_force(0.0, T=1.0) == pytest.approx(-REF.eps * REF.lam, rel=1e-13)


def test_exact_mean_force_matches_direct_quadrature():
    b = ParticleBath(eps=0.5, p=3.0)
    q, T = 2.0, 0.7

    def boltz(x):
        return np.exp(-b.eps * q * b.coupling(x) / T)

    num = ring_average(b, lambda x: b.coupling(x) * boltz(x))
    den = ring_average(b, boltz)
    assert b.mean_force(q, T) == pytest.approx(-b.eps * num / den, rel=1e-10)  # quad precision


def test_mean_force_is_vectorised_over_q():
    q = np.linspace(-5, 5, 12).reshape(3, 4)
    out = REF.mean_force(q, T=2.0)
    assert out.shape == (3, 4)
    np.testing.assert_allclose(out[1], [REF.mean_force(float(v), T=2.0) for v in q[1]], rtol=1e-13)


def test_second_order_mean_force_softens_the_probe():
    # ERRATA N3: the O(eps^2) force grows with q, i.e. a negative stiffness eps^2 Var F / T
    f2 = REF.mean_force(np.array([-1.0, 0.0, 1.0]), T=3.0, order=2)
    assert np.all(np.diff(f2) > 0)
    assert f2[2] - f2[1] == pytest.approx(REF.eps**2 * REF.variance() / 3.0, rel=1e-14)
    assert REF.mean_force(5.0, T=3.0, order=1) == -REF.eps * REF.lam


def test_exact_mean_force_approaches_second_order_as_eps_to_zero():
    # the remainder is O(eps^3): halving eps divides it by 8 (to O(eps) relative corrections)
    q, T = 1.5, 1.0
    resid = []
    for eps in (0.04, 0.02, 0.01, 0.005):
        b = ParticleBath(eps=eps)
        exact, second = b.mean_force(q, T), b.mean_force(q, T, order=2)
        assert abs(exact - second) < 1e-2 * abs(second)
        resid.append(abs(exact - second))
    ratios = np.array(resid[:-1]) / np.array(resid[1:])
    np.testing.assert_allclose(ratios, 8.0, rtol=0.05)  # 0.05: O(eps) corrections at eps = 0.04
    # and the exact cubic term: eps^3 q^2 kappa_3 / (2 T^2), third cumulant of F at eps = 0
    b = ParticleBath(eps=0.005)
    mean = ring_average(b, b.coupling)
    k3 = ring_average(b, lambda x: (b.coupling(x) - mean) ** 3)
    cubic = -b.eps**3 * q**2 * k3 / (2 * T**2)
    assert b.mean_force(q, T) - b.mean_force(q, T, order=2) == pytest.approx(cubic, rel=0.02)  # O(eps)


# ----------------------------------------------------------------------------- dynamics
def test_correlation_is_the_mode_sum():
    T = 1.7
    c, tau = REF.correlation_amplitudes(), REF.relaxation_times(T)
    assert c.size == tau.size == REF.n_modes()
    np.testing.assert_allclose(tau, REF.tau1(T) / np.arange(1, c.size + 1) ** 2, rtol=1e-15)
    assert REF.tau1(T) == pytest.approx(REF.zeta * REF.L**2 / (4 * math.pi**2 * T), rel=1e-15)
    t = np.array([0.0, 0.01, 0.3, 2.0])
    np.testing.assert_allclose(REF.force_correlation(t, T), [np.sum(c * np.exp(-s / tau)) for s in t],
                               rtol=1e-12)  # dropped modes are below 1e-12 of c_1
    np.testing.assert_allclose(REF.force_correlation(-t, T), REF.force_correlation(t, T), rtol=0)  # even


def test_amplitudes_follow_bessel_ratios_and_are_cut_at_1e_12():
    c = REF.correlation_amplitudes()
    np.testing.assert_allclose(c[:3], 2 * (special.iv([1, 2, 3], 2.0) / special.i0(2.0)) ** 2, rtol=1e-13)
    assert c[-1] / c[0] >= 1e-12
    assert REF.correlation_amplitudes(n_modes=c.size + 1)[-1] / c[0] < 1e-12
    assert REF.correlation_amplitudes(n_modes=2).shape == (2,)


@pytest.mark.parametrize("T", [0.5, 1.0, 4.0])
def test_friction_equals_time_integral_of_correlation(T):
    # gamma_eff = (eps^2/T) int_0^inf C(t) dt, integrated numerically over t
    b = ParticleBath(p=3.0)
    tau1 = b.tau1(T)
    val, _ = integrate.quad(lambda t: b.force_correlation(t, T), 0, np.inf, epsabs=0, epsrel=1e-12, limit=200)
    assert b.friction(T) == pytest.approx(b.eps**2 / T * val, rel=1e-9)  # quad on a semi-infinite range
    assert tau1 > 0


def test_friction_scales_as_inverse_temperature_squared():
    assert REF.friction(2.0) / REF.friction(1.0) == pytest.approx(0.25, rel=1e-14)


# ----------------------------------------------------------------------------- validation
@pytest.mark.parametrize("kwargs, name", [
    (dict(N_b=0), "N_b"), (dict(N_b=2.5), "N_b"), (dict(N_b="40"), "N_b"), (dict(N_b=True), "N_b"),
    (dict(zeta=0.0), "zeta"), (dict(zeta=-1.0), "zeta"), (dict(lam=-1.0), "lam"), (dict(lam="1"), "lam"),
    (dict(p=-0.1), "p"), (dict(p=float("nan")), "p"), (dict(L=0.0), "L"), (dict(L=-2.0), "L"),
    (dict(eps=-0.1), "eps"), (dict(eps="a"), "eps"),
])
def test_bad_parameters_are_rejected_by_name(kwargs, name):
    with pytest.raises(ValueError, match=f"^{name} "):
        ParticleBath(**kwargs)


@pytest.mark.parametrize("call, name", [
    (lambda b: b.mean_force(1.0, T=-1.0), "T"), (lambda b: b.mean_force(1.0, T=0.0), "T"),
    (lambda b: b.mean_force("x", T=1.0), "q"), (lambda b: b.mean_force(1.0, T=1.0, order=3), "order"),
    (lambda b: b.friction(0.0), "T"), (lambda b: b.friction("hot"), "T"), (lambda b: b.tau1(-2.0), "T"),
    (lambda b: b.force_correlation(1.0, T=-1.0), "T"), (lambda b: b.force_correlation("t", T=1.0), "t"),
    (lambda b: b.relaxation_times(1.0, n_modes=0), "n_modes"),
    (lambda b: b.correlation_amplitudes(n_modes=1.5), "n_modes"), (lambda b: b.coupling([1.0, "a"]), "x"),
    # an array that cannot be allocated at once: refused by name, before np.zeros fails unnamed
    (lambda b: b.correlation_amplitudes(n_modes=2**70), "n_modes"),
    (lambda b: b.relaxation_times(1.0, n_modes=MAX_MODES + 1), "n_modes"),
    (lambda b: b.potential([], [0.0, 1.0]), "x and q"),  # (0,) and (2,) do not broadcast
])
def test_bad_arguments_are_rejected_by_name(call, name):
    with pytest.raises(ValueError, match=f"^{name} "):
        call(REF)


def test_bath_is_frozen_and_normalises_types():
    b = ParticleBath(N_b=np.int64(10), zeta=1)
    assert type(b.N_b) is int and type(b.zeta) is float
    with pytest.raises(dataclasses.FrozenInstanceError):
        b.eps = 0.2


def test_empty_and_maximal_requests_give_their_natural_answers():
    kappa, gamma = REF.dynamic_response(1.0, [])  # no frequency: no response, not an error
    assert kappa.shape == gamma.shape == (0,)
    c = REF.correlation_amplitudes(n_modes=MAX_MODES)  # the rest of the modes are zeros
    assert c.size == MAX_MODES and np.all(c[REF.correlation_amplitudes(tol=0.0).size:] == 0.0)


def test_dynamic_response_reduces_to_markov_values_at_zero_frequency():
    # omega = 0: softening eps^2 Var F / T and the Markov friction (closed forms), to round-off
    b = ParticleBath()
    kappa, gamma = b.dynamic_response(4.0, 0.0)
    assert kappa == pytest.approx(b.eps**2 * b.variance() / 4.0, rel=1e-12)
    assert gamma == pytest.approx(b.friction(4.0), rel=1e-12)


def test_dynamic_response_is_the_fourier_transform_of_the_kernel():
    # gamma(omega) = (eps^2/T) int_0^inf C(t) cos(omega t) dt, kappa(omega) = kappa(0) - omega (eps^2/T)
    # int_0^inf C(t) sin(omega t) dt; quad over the exponentials to 1e-9 relative.
    from scipy import integrate
    b, T, w = ParticleBath(), 2.0, 1.3
    kappa, gamma = b.dynamic_response(T, w)
    cos_int = integrate.quad(lambda t: b.force_correlation(t, T), 0, np.inf, weight="cos", wvar=w)[0]
    sin_int = integrate.quad(lambda t: b.force_correlation(t, T), 0, np.inf, weight="sin", wvar=w)[0]
    assert gamma == pytest.approx(b.eps**2 / T * cos_int, rel=1e-9)
    assert kappa == pytest.approx(b.eps**2 / T * (b.variance() - w * sin_int), rel=1e-9)
    # vectorised over omega, and both decrease with frequency (the bath cannot follow fast motion)
    k_arr, g_arr = b.dynamic_response(T, np.array([0.0, 0.5, 1.0, 2.0]))
    assert np.all(np.diff(k_arr) < 0) and np.all(np.diff(g_arr) < 0)


# ----------------------------------------------------------------------------- extreme magnitudes
@pytest.mark.parametrize("call", [
    lambda b: b.friction(1e-300), lambda b: b.tau1(1e-320), lambda b: b.force_correlation(0.1, T=1e-320),
    lambda b: b.dynamic_response(1e-320, 1.0), lambda b: b.mean_force(1.0, T=1e-310),
    lambda b: b.time_scales(1e-320),
])
def test_outside_the_representable_range_is_refused_by_name(call):
    # friction(1e-300) used to raise ZeroDivisionError (T**2 underflows); now a ValueError that
    # names T (or q) and says why
    with pytest.raises(ValueError, match=r"^(T = |\|eps q / T\||eps q / T)"):
        call(REF)


def test_large_but_representable_magnitudes_give_finite_answers():
    assert math.isfinite(REF.friction(1e-100)) and REF.friction(1e300) >= 0.0
    assert REF.tau1(1e300) > 0.0
    assert math.isfinite(REF.mean_force(1e3, T=1.0))  # |eps q/T| = 100: a narrow but resolved weight
    # |eps q/T| = 1e9: the particles sit at the coupling's minimum (q > 0) or maximum (q < 0)
    F_min, F_max = REF.lam * math.exp(-REF.p) / special.i0(REF.p), REF.lam * math.exp(REF.p) / special.i0(REF.p)
    assert REF.mean_force(1e10, T=1.0) == pytest.approx(-REF.eps * F_min, rel=1e-12)
    assert REF.mean_force(-1e10, T=1.0) == pytest.approx(-REF.eps * F_max, rel=1e-12)


# ----------------------------------------------------------------------------- what the kernels need
def test_time_scales_and_kernel_params_follow_their_formulas():
    b, T, q = ParticleBath(p=3.0, zeta=0.2, L=10.0, eps=0.3), 1.5, 4.0
    s = b.time_scales(T, q=q)
    tau1 = b.zeta * b.L**2 / (4 * math.pi**2 * T)
    F_max = b.lam * math.exp(b.p) / special.i0(b.p)
    assert s["tau_1"] == pytest.approx(tau1, rel=1e-14)
    assert s["tau_width"] == pytest.approx(tau1 / b.p, rel=1e-14)
    assert s["tau_drift"] == pytest.approx(b.zeta / (b.eps * q * F_max * (2 * math.pi / b.L) ** 2
                                                      * b.p * (1 + b.p)), rel=1e-12)
    assert "tau_drift" not in b.time_scales(T)  # no probe, no drift: no such time scale
    assert "tau_drift" not in ParticleBath(eps=0.0).time_scales(T, q=q)  # no coupling, no drift
    amp, p, a, bb = b.kernel_params(T, 0.01)
    assert amp == pytest.approx(F_max, rel=1e-13) and p == b.p
    assert a == pytest.approx(2 * math.pi * b.eps * b.p * 0.01 / (b.zeta * b.L**2), rel=1e-14)
    assert bb == pytest.approx(math.sqrt(2 * T * 0.01 / b.zeta) / b.L, rel=1e-14)


def test_curvature_bound_and_coupling_range_bound_the_coupling():
    for p in (0.3, 2.0, 9.0):
        b = ParticleBath(p=p, L=3.0)
        x = np.linspace(0, b.L, 20001)
        F = b.coupling(x)
        d2 = np.gradient(np.gradient(F, x), x)
        assert np.max(np.abs(d2[5:-5])) <= b.curvature_bound()
        assert b.coupling_range() == pytest.approx(np.max(np.abs(F - b.lam)), rel=1e-6)


# ----------------------------------------------------------------------------- the single probe
def test_probe_model_markov_motion_solves_its_oscillator():
    from scipy.integrate import solve_ivp
    from thermolib import Probe

    probe, T, v0 = Probe(REF, m=2.0, K=1.5), 3.0, 1.2
    assert probe.k_eff(T) == pytest.approx(1.5 - REF.N_b * REF.eps**2 * REF.variance() / T, rel=1e-14)
    assert probe.gamma(T) == REF.N_b * REF.friction(T)
    g, k = probe.gamma(T), probe.k_eff(T)
    sol = solve_ivp(lambda t, y: [y[1], (-k * y[0] - g * y[1]) / probe.m], (0, 30), [0.0, v0],
                    t_eval=np.linspace(0, 30, 7), rtol=1e-11, atol=1e-13)
    q, v = probe.mean_motion(sol.t, T, v0)
    np.testing.assert_allclose(q, sol.y[0], atol=1e-8)
    np.testing.assert_allclose(v, sol.y[1], atol=1e-8)
    assert probe.relaxation_time(T) == pytest.approx(2 * probe.m / g)
    with pytest.raises(ValueError, match="^t "):
        probe.mean_motion(-1.0, T, v0)  # the motion starts at the kick
    with pytest.raises(TypeError, match="^bath must be a thermolib.ParticleBath"):
        Probe("bath")
    with pytest.raises(ValueError, match="^K "):
        Probe(REF, K=0.0)


def test_overdamped_mean_motion_stays_finite_at_late_times():
    # T = 0.3 < T*: k_eff < 0, so the Markov oscillator has no spring (omega0 = 0) and the probe
    # coasts to q = v0/Gamma with v = v0 exp(-Gamma t). Late, exp(-Gamma t/2) underflows while
    # sinh(Gamma t/2) overflows: this used to return NaN from t ~ 100 on.
    from thermolib import Probe

    probe, T, v0 = Probe(REF), 0.3, 5.0
    assert probe.k_eff(T) < 0
    rate = probe.gamma(T) / probe.m
    t = np.array([0.5, 2.0, 1e3, 1e300])
    q, v = probe.mean_motion(t, T, v0)
    np.testing.assert_allclose(q, v0 * -np.expm1(-rate * t) / rate, rtol=1e-12)
    np.testing.assert_allclose(v, v0 * np.exp(-rate * t), rtol=1e-9, atol=1e-300)
    assert probe.mean_motion(1e3, T, v0)[0] == pytest.approx(v0 / rate, rel=1e-12)  # scalars too


@pytest.mark.parametrize("bath, T", [(ParticleBath(eps=0.0), 1.0), (REF, 1e300)])
def test_an_undamped_probe_has_no_relaxation_time(bath, T):
    # no coupling, or gamma_eff ~ T^-2 below the smallest double: the decay time is not finite
    from thermolib import Probe

    with pytest.raises(ValueError, match=r"undamped at T = "):
        Probe(bath).relaxation_time(T)
