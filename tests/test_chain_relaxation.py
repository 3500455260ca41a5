"""Slowest relaxation time of the two-Langevin-bath harmonic chain (burn-in of its simulations)."""
import numpy as np
import pytest
from scipy import linalg

from thermolib.chain import langevin_chain_relaxation_time


def _drift(N, m, k, K_L, K_R, gamma_L, gamma_R):
    """Drift matrix of (q, p), built here (independent of the library)."""
    Phi = np.diag(np.full(N, 2.0 * k)) - k * np.eye(N, k=1) - k * np.eye(N, k=-1)
    Phi[0, 0], Phi[-1, -1] = k + K_L, k + K_R
    A = np.zeros((2 * N, 2 * N))
    A[:N, N:] = np.eye(N) / m
    A[N:, :N] = -Phi
    A[N, N] -= gamma_L / m
    A[-1, -1] -= gamma_R / m
    return A


@pytest.mark.parametrize("args", [(2, 1, 1, 1, 1, 1, 1), (6, 2.0, 0.7, 0.2, 1.5, 1.3, 0.4)])
def test_relaxation_time_is_the_decay_rate_of_the_propagator(args):
    # independent route: ||exp(A t)|| ~ C exp(-t/tau) at late times (no eigenvalues involved)
    tau = langevin_chain_relaxation_time(*args)
    A = _drift(*args)
    t1, t2 = 20 * tau, 40 * tau
    rate = -np.log(np.linalg.norm(linalg.expm(A * t2), 2) / np.linalg.norm(linalg.expm(A * t1), 2)) / (t2 - t1)
    # the prefactor C oscillates (complex eigenvalue pair): allow 5 % of the rate
    assert abs(rate * tau - 1.0) < 0.05, rate * tau


def test_end_damped_chain_relaxes_like_N_cubed():
    # the slowest mode's weight on the end sites is ~ 1/N^3 (sin^2(pi/N) * 2/N)
    taus = [langevin_chain_relaxation_time(N, 1, 1, 1, 1, 1, 1) for N in (32, 64, 128)]
    assert 7.5 < taus[1] / taus[0] < 8.5 and 7.5 < taus[2] / taus[1] < 8.5, taus
    # N = 2, all parameters 1: both normal modes obey s^2 + s + (1 or 3) = 0, Re s = -1/2, tau = 2
    assert abs(langevin_chain_relaxation_time(2, 1, 1, 1, 1, 1, 1) - 2.0) < 1e-12


@pytest.mark.parametrize("kw, name", [(dict(m=0.0), "m"), (dict(N=1), "N"), (dict(gamma_L=-1.0), "gamma_L")])
def test_bad_input_is_rejected_by_name(kw, name):
    args = dict(N=4, m=1.0, k=1.0, K_L=1.0, K_R=1.0, gamma_L=1.0, gamma_R=1.0)
    args.update(kw)
    with pytest.raises(ValueError, match=name):
        langevin_chain_relaxation_time(**args)


def test_undamped_chain_has_no_steady_state():
    with pytest.raises(ValueError, match="steady state"):
        langevin_chain_relaxation_time(4, 1, 1, 1, 1, 0.0, 0.0)
