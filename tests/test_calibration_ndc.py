"""Are the NDC simulators' error bars right? Reported standard errors against the spread of
independent seeds, and the two-bath chain against its exact discrete-time (BAOAB) stationary law.

Error calibration: ``K`` runs with independent seeds give estimates ``x_s`` and reported errors
``e_s``. If the errors are right, ``var(x_s) / mean(e_s^2) = 1`` up to sampling noise, whose
standard deviation on the log scale follows from the data themselves (the kurtosis of ``x_s`` for
the numerator, the spread of ``e_s^2`` for the denominator). The check fails when the ratio is off
by more than :func:`thermolib.stats.t_quantile` (normal, p = 1e-4) such deviations: with ``K = 400``
runs that is about 0.3 on the log scale, so an error bar off by 30 % (a variance ratio of 1.69 or
0.59, log 0.52) is caught with probability > 99 %, and a factor sqrt(2) with certainty.

The runs are short (a few relaxation times or less, from the simulators' own initial state): the
calibration concerns the error model (independent realizations, the jackknife of a fit), not the
steady state, and every simulator's error is computed the same way whatever the run length.
"""
import math

import numpy as np
import pytest

from thermolib import LangevinChain, NDCChain, ParticleBath, Probe, stats
from thermolib.fidelity import seed
from thermolib.sim.chain import (baoab_chain_observables, chain_current, effective_chain_current,
                                 two_bath_chain_current)
from thermolib.sim.particle_bath import (bath_dt_max, euler_maruyama_mean_force, mean_force,
                                        probe_relaxation)

RUNS = 400
Z = stats.t_quantile(None)  # 3.89: two-sided p = 1e-4


def error_ratio(estimates, errors):
    """``log(var(estimates) / mean(errors^2))`` and its standard deviation under correct errors."""
    x = np.asarray(estimates, dtype=float)
    e2 = np.asarray(errors, dtype=float) ** 2
    K = x.size
    d = x - x.mean()
    kurtosis = K * np.sum(d**4) / np.sum(d**2) ** 2 - 3.0  # excess kurtosis of the estimates
    var_num = (2.0 + max(kurtosis, 0.0)) / (K - 1)
    var_den = np.var(e2, ddof=1) / (K * np.mean(e2) ** 2)
    return math.log(np.var(x, ddof=1) / np.mean(e2)), math.sqrt(var_num + var_den)


def assert_calibrated(estimates, errors, what):
    log_ratio, sd = error_ratio(estimates, errors)
    assert abs(log_ratio) < Z * sd, (
        f"{what}: var(estimates)/mean(error^2) = {math.exp(log_ratio):.3f}, expected 1 within "
        f"x{math.exp(Z * sd):.2f} ({log_ratio / sd:+.1f} sd)")


def runs(call, base):
    """``RUNS`` results of ``call(seed)`` with independent seeds (shifted by THERMOBOOK_SEED)."""
    return [call(seed(base) + 7919 * s) for s in range(RUNS)]


CHAIN = NDCChain.paper()


@pytest.mark.slow
def test_full_chain_current_error_is_calibrated():
    res = runs(lambda s: chain_current(CHAIN, 2.0, 0.5, N=4, t=30.0, burn_in=0.0, realizations=4,
                                       seed=s), 3100)
    for name in ("current", "current_particles", "current_right"):
        assert_calibrated([getattr(r, name) for r in res], [getattr(r, name + "_err") for r in res],
                          f"chain_current {name}")
    # the temperature profile's errors too (site 1, next to the particles)
    assert_calibrated([r.temperature_profile[0] for r in res],
                      [r.temperature_profile_err[0] for r in res], "chain_current T_1")


@pytest.mark.slow
def test_effective_and_two_bath_chain_errors_are_calibrated():
    res = runs(lambda s: effective_chain_current(CHAIN, 2.0, 0.5, N=4, t=60.0, burn_in=0.0,
                                                 realizations=4, seed=s), 3200)
    assert_calibrated([r.current for r in res], [r.current_err for r in res], "effective chain")
    chain = LangevinChain(5, 2.0, 0.7, 0.3, 1.5, 1.3, 0.4)
    res = runs(lambda s: two_bath_chain_current(chain, 2.0, 0.5, t=60.0, burn_in=0.0,
                                                realizations=4, seed=s), 3300)
    for name in ("current", "current_left", "current_right"):
        assert_calibrated([getattr(r, name) for r in res], [getattr(r, name + "_err") for r in res],
                          f"two-bath chain {name}")


@pytest.mark.slow
def test_mean_force_error_is_calibrated():
    # q = 0 and a strongly tilted probe (u = eps q / T = -1.6: particles trapped in the well)
    bath = ParticleBath()
    q = np.array([0.0, -32.0])
    res = runs(lambda s: mean_force(bath, q, 2.0, t=4 * bath.tau1(2.0), burn_in=0.0, realizations=4,
                                    seed=s), 3400)
    for i in range(q.size):
        assert_calibrated([r.force[i] for r in res], [r.force_err[i] for r in res],
                          f"mean_force at q = {q[i]}")


@pytest.mark.slow
def test_probe_relaxation_jackknife_errors_are_calibrated():
    # a strongly damped probe (decay time 2m/gamma ~ 5) keeps each run short
    probe = Probe(ParticleBath(N_b=20, zeta=0.5, eps=0.2), m=1.0, K=1.0)
    res = runs(lambda s: probe_relaxation(probe, 4.0, v0=5.0, t=12.0, realizations=16, groups=8,
                                          seed=s), 3500)
    for name in ("gamma_total", "stiffness"):
        assert_calibrated([getattr(r, name) for r in res], [getattr(r, name + "_err") for r in res],
                          f"probe_relaxation {name}")


# ------------------------------------------------------------------------------------------------
# exact discrete-time checks (no time-step bias in the reference)

@pytest.mark.slow
def test_two_bath_chain_at_m2_equals_the_exact_baoab_stationary_law():
    # m = 2 (every chapter uses m = 1): the mass enters the O step's c = exp(-gamma dt / m) and its
    # noise sqrt((1 - c^2) m T). Reference: the exact stationary law of the discrete BAOAB map at
    # the same dt, so the only tolerance is statistical (Student t, realizations - 1 dof).
    chain = LangevinChain(4, 2.0, 1.0, 1.0, 0.5, 1.5, 0.7)
    R = 16
    res = two_bath_chain_current(chain, 2.0, 0.5, t=6000.0, realizations=R, seed=seed(3600))
    exact = baoab_chain_observables(chain, 2.0, 0.5, res.settings["dt"])
    for name in ("current", "current_left", "current_right"):
        assert stats.agrees(getattr(res, name), getattr(res, name + "_err"), exact[name], dof=R - 1), \
            (name, getattr(res, name), getattr(res, name + "_err"), exact[name])
    assert np.all(stats.agrees(res.temperature_profile, res.temperature_profile_err,
                               exact["temperature_profile"], dof=R - 1))
    # the check has teeth: the exact discrete law with the mass dropped from the O step is
    # excluded by many standard errors (13 % in the current here)
    wrong = baoab_chain_observables(LangevinChain(4, 1.0, 1.0, 1.0, 0.5, 1.5, 0.7), 2.0, 0.5,
                                    res.settings["dt"])
    assert abs(wrong["current"] / exact["current"] - 1) > 0.05


def test_baoab_stationary_law_tends_to_the_lyapunov_steady_state():
    # discrete (exact) -> continuous (exact) as dt -> 0, with BAOAB's O(dt^2) bias
    chain = LangevinChain(5, 2.0, 0.7, 0.3, 1.5, 1.3, 0.4)
    J = chain.current(2.0, 0.5)
    bias = [baoab_chain_observables(chain, 2.0, 0.5, dt)["current"] / J - 1 for dt in (0.1, 0.05)]
    assert abs(bias[1]) < 1e-3
    assert bias[0] / bias[1] == pytest.approx(4.0, rel=0.05)  # second order
    # at equal temperatures the discrete chain carries no current, and its kinetic temperatures
    # after full steps differ from T by O((omega dt)^2) only (omega_max dt ~ 0.17 here)
    eq = baoab_chain_observables(chain, 1.3, 1.3, 0.1)
    assert abs(eq["current"]) < 1e-12
    np.testing.assert_allclose(eq["temperature_profile"], 1.3, rtol=0.17**2)


@pytest.mark.slow
def test_mean_force_equals_the_exact_stationary_law_of_its_scheme():
    # At a deliberately coarse dt the Euler-Maruyama bias is many standard errors; the simulation
    # must agree with the exact stationary mean force of the discrete scheme, not the continuum.
    bath = ParticleBath()
    T, q = 1.0, np.array([-8.0, 8.0])
    R = 32
    dt = bath_dt_max(bath, T, 8.0)  # the coarsest accepted: 5x the default
    res = mean_force(bath, q, T, t=400 * bath.tau1(T), dt=dt, realizations=R, seed=seed(3700))
    em = euler_maruyama_mean_force(bath, q, T, dt)
    boltzmann = bath.mean_force(q, T)
    assert np.all(stats.agrees(res.force, res.force_err, em, dof=R - 1)), (res.force, em)
    assert np.max(np.abs(res.force - boltzmann) / res.force_err) > stats.t_quantile(R - 1)
    np.testing.assert_allclose(res.force_dt_bias, em - boltzmann, rtol=1e-12)
