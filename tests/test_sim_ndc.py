"""Particle-bath simulators against the exact Boltzmann mean force, the weak-coupling friction and
stiffness, and the chain current of the Markov / memory reductions (NDC paper Secs. 3-4, ERRATA).

References are computed here from the closed forms (independently of the analytic layer); the
memory-kernel comparison uses ``thermolib.NDCChain`` when the analytic layer is installed.
Tolerances: |z| < 4 with z from the simulation's standard error, plus a stated model error where the
reference is itself an approximation.
"""
import numba
import numpy as np
import pytest
from scipy import special

from thermolib import Probe
from thermolib.sim.chain import chain_current
from thermolib.sim.particle_bath import mean_force, probe_relaxation

from test_sim_chain import BATH, CHAIN, lyapunov_current  # noqa: E402  (tests dir is on sys.path)

PROBE = Probe(BATH, m=1.0, K=1.0)


def _S(p):
    n = np.arange(1, 80)
    return np.sum((special.ive(n, p) / special.ive(0, p)) ** 2 / n**2)


def gamma_eff(b, T):
    """Per-particle friction eps^2 zeta L^2 lam^2 S(p) / (2 pi^2 T^2) (Sec. 3; ERRATA 'Facts')."""
    return b.eps**2 * b.zeta * b.L**2 * b.lam**2 * _S(b.p) / (2 * np.pi**2 * T**2)


def var_F(b):
    return b.lam**2 * (special.ive(0, 2 * b.p) / special.ive(0, b.p) ** 2 - 1)


def k_eff(chain, T):
    """Softened stiffness K - N_b eps^2 Var F / T (ERRATA N3)."""
    b = chain.bath
    return chain.K - b.N_b * b.eps**2 * var_F(b) / T


def boltzmann_mean_force(b, q, T):
    """-eps <F>_q with the exact Gibbs weight exp(-eps q F / T) on the ring (Appendix A.1)."""
    x = np.linspace(0, b.L, 40001)[:-1]
    F = b.lam / special.i0(b.p) * np.exp(b.p * np.cos(2 * np.pi * x / b.L))
    w = np.exp(-b.eps * q * F / T)
    return -b.eps * np.sum(F * w) / np.sum(w)


def test_mean_force_equals_boltzmann_average():
    qs = np.array([-3.0, 0.0, 3.0])
    res = mean_force(BATH, qs, 1.0, t=200, realizations=13, seed=1)  # 520 particles
    for q, f, e in zip(qs, res.force, res.force_err):
        assert abs(f - boltzmann_mean_force(BATH, q, 1.0)) < 4 * e
    # at q = 0 the compensation Lambda/N_b = eps lam cancels it exactly
    assert abs(res.force_compensated[1]) < 4 * res.force_err[1]


def test_mean_force_rejects_a_coarse_time_step():
    with pytest.raises(ValueError, match="dt"):
        mean_force(BATH, 1.0, 1.0, t=1.0, dt=0.5, seed=1, realizations=2)


@pytest.mark.slow
def test_probe_friction_and_softened_stiffness_at_high_T():
    # T = 16, eps = 0.1 (ERRATA N8); v0 = 10 keeps eps q F / T < 0.2 (linear response)
    T = 16.0
    res = probe_relaxation(PROBE, T, v0=10.0, realizations=128, t=800, dt=0.004, seed=5)
    g_ref = BATH.N_b * gamma_eff(BATH, T)
    assert abs(res.gamma_total - g_ref) < 4 * res.gamma_total_err
    # stiffness: the bath softens the probe (ERRATA N3; the printed sign would give K + 0.029).
    # Model error allowed: 10 % of the shift, from the Euler-Maruyama O(dt / tau_n) bias of the static
    # response at dt = tau_w / 12 and the O((omega tau_1)^2) memory correction.
    shift = 1.0 - k_eff(SimpleChain, T)
    assert res.stiffness < 1.0 - 0.5 * shift
    assert abs(res.stiffness - k_eff(SimpleChain, T)) < 4 * res.stiffness_err + 0.1 * shift


SimpleChain = CHAIN


@pytest.mark.slow
def test_full_chain_current_equals_markov_reduction_at_high_T_L():
    # T_L = 16: omega_max tau_1 ~ 0.2, so the Markov reduction holds to ~(omega tau_1)^2 ~ 4 %;
    # reference: exact finite-N current of the reduced chain (Lyapunov), with ERRATA N2/N3 forms.
    T_L, N = 16.0, 4
    res = chain_current(CHAIN, T_L, 0.0, N=N, t=4000, seed=3, realizations=8)
    J = lyapunov_current(N, 1.0, 1.0, k_eff(CHAIN, T_L), 1.0, BATH.N_b * gamma_eff(BATH, T_L), 1.0,
                         T_L, 0.0)
    assert abs(res.current - J) < 4 * res.current_err + 0.04 * J
    for name in ("current_particles", "current_right"):
        assert abs(getattr(res, name) - J) < 4 * getattr(res, name + "_err") + 0.04 * J


@pytest.mark.slow
def test_full_chain_current_equals_memory_theory():
    ndc = pytest.importorskip("thermolib.chain")
    pb = pytest.importorskip("thermolib.particle_bath")
    bath = pb.ParticleBath(N_b=40, zeta=0.1, lam=1.0, p=2.0, L=25.0, eps=0.1)
    chain = ndc.NDCChain(bath=bath, m=1.0, k=1.0, K=1.0, gamma_R=1.0)
    T_L, N = 2.0, 4
    res = chain_current(chain, T_L, 0.0, N=N, t=3000, seed=9, realizations=8)
    J = chain.current(T_L, 0.0, N=N, memory=True)
    # memory theory is O(eps^2) exact; ERRATA reports ~3 % agreement down to T_L = 0.5
    assert abs(res.current - J) < 4 * res.current_err + 0.03 * abs(J)


def test_probe_relaxation_is_thread_independent():
    kw = dict(v0=5.0, realizations=4, t=2.0, dt=0.004, seed=3, n_out=10, groups=2)
    old = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        a = probe_relaxation(PROBE, 4.0, **kw)
        numba.set_num_threads(min(2, numba.config.NUMBA_NUM_THREADS))
        b = probe_relaxation(PROBE, 4.0, **kw)
    finally:
        numba.set_num_threads(old)
    assert np.array_equal(a.v, b.v) and np.array_equal(a.q, b.q)


def test_probe_relaxation_samples_every_period_and_rejects_an_aliasing_n_out():
    # 800 time units at Omega = 1 span ~127 periods: 200 samples would be 4 time units apart,
    # aliasing the period 2 pi. The default takes 12 samples per period.
    with pytest.raises(ValueError, match="n_out"):
        probe_relaxation(PROBE, 16.0, v0=1.0, realizations=4, t=800, dt=0.004, seed=1,
                         n_out=200, groups=2)
    # v0 = 20 keeps the mean motion of 4 trajectories well above their thermal noise sqrt(T/4) = 2
    res = probe_relaxation(PROBE, 16.0, v0=20.0, realizations=4, t=20, dt=0.004, seed=1, groups=2)
    assert res.t.size >= 200 and np.max(np.diff(res.t)) <= 2 * np.pi / 12 + 1e-9
