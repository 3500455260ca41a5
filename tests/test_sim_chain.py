"""Chain simulators: exactness against the Lyapunov steady state, reproducibility, input checks.

The harmonic chain between two Langevin baths is linear, so its steady covariance (and hence the
bond current) is the solution of a continuous Lyapunov equation; BAOAB's time-step bias is
O(dt^2) ~ (0.05)^2 relative and far below the statistical error used here.
"""
import numba
import numpy as np
import pytest
import scipy.linalg as sl

from thermolib import LangevinChain, NDCChain, ParticleBath
from thermolib.sim import SimulationDiverged
from thermolib.sim import _bath as sim_bath
from thermolib.sim import chain as sim_chain
from thermolib.sim.chain import chain_current, two_bath_chain_current


def langevin_chain_current(N, m, k, K_L, K_R, gamma_L, gamma_R, T_L, T_R, **run):
    """The two-bath simulator with the model built from the positional parameters."""
    return two_bath_chain_current(LangevinChain(N, m, k, K_L, K_R, gamma_L, gamma_R), T_L, T_R, **run)


def lyapunov_current(N, m, k, K_L, K_R, gamma_L, gamma_R, T_L, T_R):
    """Exact steady bond current of the two-Langevin-bath chain (independent of the library)."""
    Km = np.zeros((N, N))
    for j in range(N - 1):
        Km[j, j] += k
        Km[j + 1, j + 1] += k
        Km[j, j + 1] -= k
        Km[j + 1, j] -= k
    Km[0, 0] += K_L
    Km[-1, -1] += K_R
    G = np.zeros((N, N))
    G[0, 0], G[-1, -1] = gamma_L, gamma_R
    A = np.block([[np.zeros((N, N)), np.eye(N) / m], [-Km, -G / m]])
    D = np.zeros((2 * N, 2 * N))
    D[N, N], D[-1, -1] = 2 * gamma_L * T_L, 2 * gamma_R * T_R
    C = sl.solve_continuous_lyapunov(A, -D)
    return k / (2 * m) * (C[N, 0] - C[N, 1] + C[N + 1, 0] - C[N + 1, 1])


BATH = ParticleBath(N_b=40, zeta=0.1, lam=1.0, p=2.0, L=25.0, eps=0.1)
CHAIN = NDCChain(bath=BATH, m=1.0, k=1.0, K=1.0, gamma_R=1.0)


@pytest.mark.parametrize("args", [
    (6, 1.0, 1.0, 1.0, 1.0, 0.5, 1.0, 2.0, 1.0),
    (3, 2.0, 0.7, 0.2, 1.5, 1.3, 0.4, 0.5, 3.0),  # current flows right to left
])
def test_langevin_chain_current_equals_lyapunov(args):
    res = langevin_chain_current(*args, t=4000, realizations=8, seed=11)
    J = lyapunov_current(*args)
    for name in ("current", "current_left", "current_right"):
        z = (getattr(res, name) - J) / getattr(res, name + "_err")
        assert abs(z) < 4, (name, getattr(res, name), J, z)


def test_langevin_chain_at_equal_temperatures_carries_no_current_and_is_at_T():
    res = langevin_chain_current(4, 1.0, 1.0, 0.5, 0.5, 1.0, 1.0, 1.5, 1.5, t=3000, seed=2,
                                 realizations=8)
    assert abs(res.current / res.current_err) < 4
    z = (res.temperature_profile - 1.5) / res.temperature_profile_err
    assert np.all(np.abs(z) < 4)


def test_a_single_realization_is_refused_the_error_is_across_realizations():
    # the simulator contract: standard errors come from >= 2 independent realizations
    with pytest.raises(ValueError, match="realizations"):
        langevin_chain_current(4, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 2.0, 0.0, t=4000, realizations=1,
                               seed=4)
    with pytest.raises(TypeError, match="realizations"):
        langevin_chain_current(4, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 2.0, 0.0, t=4000, seed=4)


def test_same_seed_same_result_for_any_thread_count_and_different_seed_differs():
    kw = dict(N=4, t=2.0, dt=0.004, burn_in=0.0, realizations=3)
    old = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        a = chain_current(CHAIN, 2.0, 0.5, seed=7, **kw)
        b = langevin_chain_current(4, 1, 1, 1, 1, 1, 1, 2.0, 0.5, t=20, burn_in=5.0, seed=7,
                                   realizations=3)
        numba.set_num_threads(min(2, numba.config.NUMBA_NUM_THREADS))
        a2 = chain_current(CHAIN, 2.0, 0.5, seed=7, **kw)
        b2 = langevin_chain_current(4, 1, 1, 1, 1, 1, 1, 2.0, 0.5, t=20, burn_in=5.0, seed=7,
                                    realizations=3)
    finally:
        numba.set_num_threads(old)
    assert a.current == a2.current and a.current_particles == a2.current_particles
    assert np.array_equal(a.temperature_profile, a2.temperature_profile)
    assert b.current == b2.current
    c = chain_current(CHAIN, 2.0, 0.5, seed=8, **kw)
    assert c.current != a.current


@pytest.mark.parametrize("kw, match", [
    (dict(N=1), "N"), (dict(N=2.5), "N"), (dict(T_L=-1.0), "T_L"), (dict(T_R=-0.1), "T_R"),
    (dict(t=1.0, burn_in=2.0), "burn_in"), (dict(seed=-3), "seed"), (dict(seed=1.5), "seed"),
    (dict(dt=2.0), "dt"), (dict(realizations=0), "realizations"), (dict(estimator="left"), "estimator"),
    (dict(t=1e300), "steps"), (dict(realizations=2**70), "realizations"), (dict(seed=2**64), "seed"),
])
def test_bad_input_is_rejected_before_any_work(kw, match):
    args = dict(N=4, t=10.0, seed=1, T_L=1.0, T_R=0.0, realizations=2, burn_in=1.0)
    args.update(kw)
    T_L, T_R = args.pop("T_L"), args.pop("T_R")
    with pytest.raises(ValueError, match=match):
        chain_current(CHAIN, T_L, T_R, **args)


def test_langevin_bad_dt_names_the_allowed_range():
    with pytest.raises(ValueError, match=r"dt = 3 is too large: need 0 < dt <= 0\.4"):
        langevin_chain_current(4, 1, 1, 2, 2, 1, 1, 1, 0, t=10, dt=3.0, seed=1, realizations=2)


def test_divergence_is_detected_from_the_energy_long_before_an_overflow(monkeypatch):
    # lift the dt limit: Verlet is unstable for dt * omega_max > 2 (here 2.3, growth ~3x per step)
    monkeypatch.setattr(sim_chain, "DT_MAX_OMEGA", 10.0)
    monkeypatch.setattr(sim_bath, "DT_MAX_FRACTION", 100.0)
    dt = 2.3 / 2.0  # omega_max of these chains is ~2
    with pytest.raises(SimulationDiverged, match=r"energy left \[0, [0-9.]+\].* at step \d+") as info:
        langevin_chain_current(4, 1, 1, 1, 1, 0.1, 0.1, 1, 0, t=2000, dt=dt, seed=1, realizations=2)
    assert int(str(info.value).split("at step ")[1].split()[0]) <= 64  # the first check after it
    with pytest.raises(SimulationDiverged, match="energy left"):
        chain_current(CHAIN, 1.0, 0.0, N=3, t=3000, dt=1.2, seed=1, realizations=2)


def test_default_burn_in_is_five_relaxation_times_and_a_short_run_is_refused():
    from thermolib.chain import langevin_chain_relaxation_time

    tau = langevin_chain_relaxation_time(8, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0)  # ~103: N^3 growth
    res = langevin_chain_current(8, 1, 1, 1, 1, 1, 1, 2.0, 1.0, t=12 * tau, realizations=2, seed=1)
    assert res.settings["burn_in"] == pytest.approx(5 * tau, rel=1e-3)
    # t too short for 5 tau: refused before any work, with the default burn-in in the message
    with pytest.raises(ValueError, match=f"default burn_in is {5 * tau:.4g}"):
        langevin_chain_current(8, 1, 1, 1, 1, 1, 1, 2.0, 1.0, t=200.0, realizations=2, seed=1)


@pytest.mark.slow
def test_long_chain_temperature_profile_with_the_default_burn_in():
    # N = 32: the slowest relaxation time is ~7.8e3, so a burn-in sized by the bath frictions alone
    # (~330) left the interior systematically cold by 3-4 standard errors. With the default burn-in
    # (five relaxation times) every site agrees with the exact Lyapunov profile.
    from thermolib.chain import langevin_chain_steady_state

    N = 32
    res = langevin_chain_current(N, 1, 1, 1, 1, 1, 1, 2.0, 1.0, t=9e4, realizations=16, seed=43)
    exact = langevin_chain_steady_state(N, 1, 1, 1, 1, 1, 1, 2.0, 1.0)
    z = (res.temperature_profile - exact.kinetic_temperatures) / res.temperature_profile_err
    assert np.all(np.abs(z) < 4), z
