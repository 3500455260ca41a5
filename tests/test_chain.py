"""Heat current through the NDC chain: closed form, integral, Lyapunov, memory kernel, errata N1-N6.

Exact routes agree to round-off, so most tolerances are ~1e-10; where a limit is approached the
tolerance follows the size of the neglected term (stated next to each assert).
"""
import math

import numpy as np
import pytest

from thermolib.chain import (ChainSteadyState, IllConditionedError, LangevinChain,
                             MarkovReductionError, NDCChain, bond_currents,
                             infinite_chain_current, infinite_chain_current_integral,
                             langevin_chain_covariance, langevin_chain_current,
                             langevin_chain_steady_state, rll_current)
from thermolib.langevin_chain import MAX_SITES
from thermolib._validation import ParameterTypeError
from thermolib.particle_bath import ParticleBath

BATH = ParticleBath()                        # N_b=40, zeta=0.1, lam=1, p=2, L=25, eps=0.1
CHAIN = NDCChain(BATH, m=1.0, k=1.0, K=1.0, gamma_R=1.0)
T_STAR = CHAIN.critical_temperature()        # = 0.470 in the paper's setting


# ----------------------------------------------------------------------------- effective coefficients
def test_effective_coefficients_of_the_paper_setting():
    assert CHAIN.gamma_L(1.0) == pytest.approx(0.6468, abs=1e-4)
    assert CHAIN.gamma_L(1.0) == pytest.approx(BATH.N_b * BATH.friction(1.0), rel=1e-15)
    # ERRATA N3: the bath softens site 1
    shift = BATH.N_b * BATH.eps**2 * BATH.variance()
    assert CHAIN.k_eff(2.0) == pytest.approx(CHAIN.K - shift / 2.0, rel=1e-14)
    assert CHAIN.k_eff(2.0) < CHAIN.K
    assert T_STAR == pytest.approx(shift / CHAIN.K, rel=1e-14)
    assert CHAIN.k_eff(T_STAR) == pytest.approx(0.0, abs=1e-14)


def test_memory_modes_resum_to_friction_and_stiffness_shift():
    T = 1.3
    tau, a = CHAIN.memory_modes(T)
    assert np.sum(a * tau) == pytest.approx(CHAIN.gamma_L(T), rel=1e-11)       # Markov limit of the kernel
    assert np.sum(a) == pytest.approx(CHAIN.K - CHAIN.k_eff(T), rel=1e-11)     # kernel at t = 0
    assert tau[0] == pytest.approx(BATH.tau1(T), rel=1e-15)


# ----------------------------------------------------------------------------- N -> infinity routes
PARAMS = [  # (m, k, K, gamma_R, T_L, T_R): K < 2k, K = 2k, K > 2k (edge mode), heavy and light masses
    (1.0, 1.0, 1.0, 1.0, 1.0, 0.0), (1.0, 1.0, 2.0, 0.3, 3.0, 1.0), (2.0, 0.5, 3.0, 2.0, 0.8, 0.2),
    (0.5, 2.0, 0.2, 5.0, 10.0, 4.0), (1.0, 1.0, 1.0, 1.0, 0.6, 10.0),
]


@pytest.mark.parametrize("m, k, K, gamma_R, T_L, T_R", PARAMS)
def test_closed_form_equals_wave_number_integral(m, k, K, gamma_R, T_L, T_R):
    chain = NDCChain(BATH, m=m, k=k, K=K, gamma_R=gamma_R)
    J = chain.current(T_L, T_R)
    assert chain.current_integral(T_L, T_R) == pytest.approx(J, rel=1e-8)  # quad to 1e-13


@pytest.mark.parametrize("m, k, K, gamma_R, T_L, T_R", PARAMS)
def test_finite_chain_converges_to_closed_form(m, k, K, gamma_R, T_L, T_R):
    chain = NDCChain(BATH, m=m, k=k, K=K, gamma_R=gamma_R)
    J = chain.current(T_L, T_R)
    assert chain.current(T_L, T_R, N=64) == pytest.approx(J, rel=1e-6)


def test_finite_chain_convergence_is_monotone_and_exponential():
    J = CHAIN.current(1.0, 0.0)
    err = np.array([CHAIN.current(1.0, 0.0, N=n) / J - 1 for n in range(2, 16)])
    assert np.all(err < 0)                    # approached from below, no oscillation
    assert np.all(np.diff(np.abs(err)) < 0)   # strictly shrinking
    rate = np.log(np.abs(err[1:]) / np.abs(err[:-1]))
    assert np.all(rate < -0.5)                # at least a factor e^0.5 per site: exponential


def test_bond_currents_agree_and_equal_bath_heat_flows():
    for memory in (False, True):
        ss = CHAIN.steady_state(1.0, 0.0, N=12, memory=memory)
        assert isinstance(ss, ChainSteadyState)
        J = ss.current
        np.testing.assert_allclose(ss.bond_currents, J, rtol=1e-9)   # Lyapunov solve round-off
        assert ss.heat_left == pytest.approx(J, rel=1e-9)
        assert ss.heat_right == pytest.approx(-J, rel=1e-9)


def test_current_vanishes_at_equal_temperatures_and_follows_the_gradient():
    for N in (None, 9):
        assert CHAIN.current(2.0, 2.0, N=N) == pytest.approx(0.0, abs=1e-14)
        assert CHAIN.current(2.0, 1.0, N=N) > 0
        assert CHAIN.current(2.0, 5.0, N=N) < 0          # T_L < T_R: heat flows into the particle bath
    assert CHAIN.current_integral(2.0, 2.0) == 0.0
    assert CHAIN.current(2.0, 2.0, N=9, memory=True) == pytest.approx(0.0, abs=1e-13)


def test_current_is_affine_in_T_R_at_fixed_T_L():
    # Fig. 4b: varying T_R gives the usual linear law; all nonlinearity comes from T_L
    T_R = np.array([0.0, 1.0, 3.0])
    J = CHAIN.current(2.0, T_R)
    assert J[1] - J[0] == pytest.approx((J[2] - J[0]) / 3, rel=1e-12)


def test_current_accepts_arrays():
    T_L = np.array([1.0, 2.0, 5.0])
    np.testing.assert_allclose(CHAIN.current(T_L, 0.0), [CHAIN.current(t, 0.0) for t in T_L], rtol=0)
    assert CHAIN.current(T_L, 0.0, N=5).shape == (3,)


def test_current_has_a_maximum_then_negative_differential_conductivity():
    T_L = np.geomspace(0.6, 50, 40)
    J = CHAIN.current(T_L, 0.0)
    i = int(np.argmax(J))
    assert 0 < i < T_L.size - 1
    assert np.all(np.diff(J[i:]) < 0)


def test_large_T_law():
    # J T_L -> N_b eps^2 zeta L^2 lam^2 S w / (2 pi^2 m); the approach is O(1/T_L)
    for K, w in [(1.0, 1.0), (3.0, 0.25)]:
        chain = NDCChain(BATH, K=K, gamma_R=0.4)
        limit = chain.large_T_limit()
        assert limit == pytest.approx(BATH.N_b * BATH.friction(1.0) * w / chain.m, rel=1e-14)
        for T_R in (0.0, 3.0):
            assert chain.current(1e5, T_R) * 1e5 == pytest.approx(limit, rel=1e-3)  # ~T_R/T_L + 1/T_L


def test_gamma_L_to_zero_gives_energy_balance_of_a_chain_at_T_R():
    # a weakly coupled end sees a chain at T_R: J -> (gamma_L/m)(T_L - T_R) w(K_L)
    # (K_L = 2k is marginal: there the corrections are O(sqrt(gamma_L)))
    g = 1e-7
    for K_L, w in [(0.5, 1.0), (1.8, 1.0), (3.0, 0.25)]:
        J = infinite_chain_current(1.3, 1.0, K_L, 1.0, g, 0.7, 2.0, 0.5)
        assert J == pytest.approx(w * g / 1.3 * 1.5, rel=1e-5)   # O(gamma_L) corrections
    J = infinite_chain_current(1.3, 1.0, 2.0, 1.0, g, 0.7, 2.0, 0.5)
    assert J == pytest.approx(g / 1.3 * 1.5, rel=1e-2)


# ----------------------------------------------------------------------------- errata N2 and RLL
def test_printed_prefactor_is_exactly_twice_the_exact_current():
    # ERRATA N2: at the same k_eff, the Lyapunov current of a long chain is half of prefactor 4
    T_L, T_R = 1.5, 0.5
    args = (CHAIN.m, CHAIN.k, CHAIN.k_eff(T_L), CHAIN.K, CHAIN.gamma_L(T_L), CHAIN.gamma_R, T_L, T_R)
    J4 = infinite_chain_current(*args, prefactor=4.0)
    exact = CHAIN.current(T_L, T_R, N=64)
    assert J4 / exact == pytest.approx(2.0, rel=1e-10)
    # the paper's Eq. (4) as printed also has the wrong k_eff sign (N3): off by more than 2
    assert CHAIN.current_printed(T_L, T_R) != pytest.approx(J4, rel=1e-3)


@pytest.mark.parametrize("N", [2, 3, 4, 7, 20, 60])
@pytest.mark.parametrize("m, k, gamma", [(1.0, 1.0, 1.0), (2.0, 0.5, 0.3), (1.0, 3.0, 4.0)])
def test_rll_closed_form_equals_lyapunov(N, m, k, gamma):
    exact = langevin_chain_current(N, m, k, k, k, gamma, gamma, 2.0, 0.5)  # fixed ends: K_L = K_R = k
    assert rll_current(N, m, k, gamma, 2.0, 0.5) == pytest.approx(exact, rel=1e-9)


def test_rll_infinite_chain_equals_general_closed_form():
    # the classic RLL law is recovered by the corrected form only with prefactor 2 (ERRATA N2)
    for m, k, gamma in [(1.0, 1.0, 1.0), (2.0, 0.5, 0.3), (1.0, 3.0, 4.0)]:
        J = infinite_chain_current(m, k, k, k, gamma, gamma, 1.0, 0.0)
        assert rll_current(None, m, k, gamma, 1.0, 0.0) == pytest.approx(J, rel=1e-13)
        nu = k * m / gamma**2
        assert J == pytest.approx(k / (2 * gamma) * (1 + nu / 2 - nu / 2 * math.sqrt(1 + 4 / nu)), rel=1e-12)


def test_langevin_helpers_are_consistent():
    args = (6, 1.0, 1.0, 0.4, 1.0, 0.5, 1.0, 2.0, 1.0)
    S = langevin_chain_covariance(*args)
    assert S.shape == (12, 12) and np.allclose(S, S.T)
    np.testing.assert_allclose(bond_currents(S, 6, 1.0, 1.0), langevin_chain_current(*args), rtol=1e-10)
    # equilibrium: <q q> = T Phi^-1, <p p> = m T, <q p> = 0 (Boltzmann)
    S_eq = langevin_chain_covariance(6, 1.0, 1.0, 0.4, 1.0, 0.5, 1.0, 2.0, 2.0)
    Phi = np.diag([1.4, 2, 2, 2, 2, 2.0]) - np.eye(6, k=1) - np.eye(6, k=-1)
    np.testing.assert_allclose(S_eq[:6, :6], 2.0 * np.linalg.inv(Phi), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(S_eq[6:, 6:], 2.0 * np.eye(6), atol=1e-10)


# ----------------------------------------------------------------------------- breakdown below T*
def test_no_steady_state_below_T_star_is_an_error_not_a_number():
    for T_L in (0.5 * T_STAR, T_STAR):
        with pytest.raises(MarkovReductionError, match="T_L") as info:
            CHAIN.current(T_L, 0.0)
        assert info.value.T_star == pytest.approx(T_STAR) and info.value.N is None
        assert f"{T_STAR:.6g}" in str(info.value)
        with pytest.raises(MarkovReductionError):
            CHAIN.current_integral(T_L, 0.0)
    T_8 = CHAIN.critical_temperature(8)
    with pytest.raises(ValueError, match="T_L"):       # MarkovReductionError is a ValueError
        CHAIN.current(T_8, 0.0, N=8, memory=True)      # same threshold with the memory kernel
    assert CHAIN.current(1.01 * T_STAR, 0.0) > 0


def test_finite_chain_threshold_is_where_the_force_matrix_loses_positivity():
    N = 6
    T_N = CHAIN.critical_temperature(N)
    assert T_N < T_STAR                                   # the finite chain stiffens site 1
    # independent route: smallest eigenvalue of Phi(k_eff) changes sign at T_N
    for T, ok in [(T_N * (1 + 1e-9), True), (T_N * (1 - 1e-9), False)]:
        Phi = np.diag([1 + CHAIN.k_eff(T)] + [2.0] * (N - 2) + [2.0]) - np.eye(N, k=1) - np.eye(N, k=-1)
        assert (np.linalg.eigvalsh(Phi)[0] > 0) == ok
    T_mid = 0.5 * (T_N + T_STAR)
    assert CHAIN.current(T_mid, 0.0, N=N) > 0             # finite chain fine ...
    with pytest.raises(MarkovReductionError):
        CHAIN.current(T_mid, 0.0)                          # ... the N -> infinity chain is not
    with pytest.raises(MarkovReductionError, match=f"{T_N:.6g}"):
        CHAIN.current(0.99 * T_N, 0.0, N=N)


# ----------------------------------------------------------------------------- memory kernel
def test_memory_kernel_reduces_to_markov_when_bath_is_fast():
    # omega_max tau_1 -> 0 as zeta -> 0; the first memory correction (a mass renormalisation
    # sum a_n tau_n^2) is O((omega tau_1)^2), so a 10x smaller zeta gives a 100x smaller difference
    diffs = []
    for zeta in (1e-2, 1e-3, 1e-4):
        chain = NDCChain(ParticleBath(zeta=zeta), K=1.0)
        mark = chain.current(2.0, 0.0, N=16)
        mem = chain.current(2.0, 0.0, N=16, memory=True)
        diffs.append(abs(mem / mark - 1))
        assert chain.markov_validity(2.0) < 0.2
    assert diffs[-1] < 1e-5
    np.testing.assert_allclose(np.array(diffs[:-1]) / diffs[1:], 100.0, rtol=0.1)  # O(zeta) corrections


def test_memory_kernel_differs_from_markov_at_low_T_L():
    # paper setting at T_L = 1: omega_max tau_1 = 3.2, far from time-scale separation
    assert CHAIN.markov_validity(1.0) == pytest.approx(2 * BATH.tau1(1.0), rel=1e-14)
    assert CHAIN.markov_validity(1.0) > 1
    mark, mem = CHAIN.current(1.0, 0.0, N=32), CHAIN.current(1.0, 0.0, N=32, memory=True)
    assert abs(mem / mark - 1) > 0.1
    # and agrees at high T_L (omega tau_1 = 0.06 at T_L = 50): within a few tau_1 effects
    assert CHAIN.current(50.0, 0.0, N=32, memory=True) == pytest.approx(CHAIN.current(50.0, 0.0, N=32), rel=1e-2)


def test_memory_kernel_equilibrium_is_boltzmann_with_static_stiffness_k_eff():
    # at T_L = T_R the auxiliary noise (second FDT) must give <q q> = T Phi(k_eff)^-1, <p p> = m T
    N, T = 5, 1.2
    S = CHAIN.steady_state(T, T, N=N, memory=True).covariance
    Phi = np.diag([1 + CHAIN.k_eff(T)] + [2.0] * (N - 2) + [1 + CHAIN.K]) - np.eye(N, k=1) - np.eye(N, k=-1)
    np.testing.assert_allclose(S[:N, :N], T * np.linalg.inv(Phi), rtol=1e-9)
    np.testing.assert_allclose(np.diag(S)[N:2 * N], CHAIN.m * T, rtol=1e-9)


def test_memory_kernel_is_insensitive_to_the_mode_cut():
    J = CHAIN.steady_state(1.0, 0.0, N=10, memory=True).current
    J_more = CHAIN.steady_state(1.0, 0.0, N=10, memory=True, tol=1e-16).current
    assert J_more == pytest.approx(J, rel=1e-10)   # dropped modes carry < 1e-12 of the kernel


def test_markov_validity_edge_mode_matches_top_eigenfrequency():
    chain = NDCChain(BATH, K=4.0)               # K > 2k: an edge mode above the phonon band
    N = 200
    Phi = np.diag([2.0] * N) - np.eye(N, k=1) - np.eye(N, k=-1)
    Phi[-1, -1] = 1.0 + 4.0
    w_max = math.sqrt(np.linalg.eigvalsh(Phi)[-1])
    assert chain.markov_validity(1.0) == pytest.approx(w_max * BATH.tau1(1.0), rel=1e-10)


# ----------------------------------------------------------------------------- validation
@pytest.mark.parametrize("kwargs, name", [
    (dict(m=0.0), "m"), (dict(m=-1.0), "m"), (dict(k=-1.0), "k"), (dict(k="1"), "k"), (dict(K=0.0), "K"),
    (dict(gamma_R=0.0), "gamma_R"), (dict(gamma_R=float("inf")), "gamma_R"),
])
def test_bad_chain_parameters_are_rejected_by_name(kwargs, name):
    with pytest.raises(ValueError, match=f"^{name} "):
        NDCChain(BATH, **kwargs)
    with pytest.raises(TypeError, match="^bath must be a thermolib.ParticleBath"):
        NDCChain("bath")


@pytest.mark.parametrize("call, name", [
    (lambda c: c.current(-1.0, 0.0), "T_L"), (lambda c: c.current(0.0, 0.0), "T_L"),
    (lambda c: c.current(1.0, -1.0), "T_R"), (lambda c: c.current("hot", 0.0), "T_L"),
    (lambda c: c.current(1.0, 0.0, N=1), "N"), (lambda c: c.current(1.0, 0.0, N=2.5), "N"),
    (lambda c: c.current(1.0, 0.0, memory="yes"), "memory"), (lambda c: c.current(1.0, 0.0, memory=True), "N"),
    (lambda c: c.current(1.0, -1.0, N=4), "T_R"), (lambda c: c.current_integral(1.0, -1.0), "T_R"),
    (lambda c: c.gamma_L(-1.0), "T_L"), (lambda c: c.k_eff(0.0), "T_L"), (lambda c: c.memory_modes(-1.0), "T_L"),
    (lambda c: c.markov_validity("x"), "T_L"), (lambda c: c.critical_temperature(N=0), "N"),
    (lambda c: c.steady_state(1.0, 0.0, N=None), "N"),
    (lambda c: c.steady_state(1.0, 0.0, N=4, tol="tiny"), "tol"),  # also where memory=False
    # a chain that cannot be allocated: refused by name before numpy fails unnamed
    (lambda c: c.current(1.0, 0.0, N=2**70), "N"), (lambda c: c.relaxation_time(1.0, MAX_SITES + 1), "N"),
    # gamma_L ~ T_L^-2 overflows: every method refuses by name (current_or_nan too, though the
    # chain has no steady state there either: the input is outside the representable range)
    (lambda c: c.gamma_L(1e-300), "T_L"), (lambda c: c.current_printed(1e-300, 0.5), "T_L"),
    (lambda c: c.current_or_nan(1e-300, 0.5), "T_L"), (lambda c: c.relaxation_time(1e-300, 4), "T_L"),
    (lambda c: c.theory_error([1.0, 2.0], 2.0, 4, 0.1, 0.01), "T_L"),  # T_L = T_R: J_theory = 0
])
def test_bad_arguments_are_rejected_by_name(call, name):
    with pytest.raises(ValueError, match=f"^{name} "):
        call(CHAIN)


@pytest.mark.parametrize("call, name", [
    (lambda: langevin_chain_current(1, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.0), "N"),
    (lambda: langevin_chain_current(4, 0.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.0), "m"),
    (lambda: langevin_chain_current(4, 1.0, 1.0, 1.0, 1.0, -1.0, 1.0, 1.0, 0.0), "gamma_L"),
    (lambda: langevin_chain_covariance(4, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, -1.0, 0.0), "T_L"),
    (lambda: rll_current(3, 1.0, 1.0, 0.0, 1.0, 0.0), "gamma"),
    (lambda: rll_current(3, 1.0, "k", 1.0, 1.0, 0.0), "k"),
    (lambda: infinite_chain_current(1.0, 1.0, -1.0, 1.0, 1.0, 1.0, 1.0, 0.0), "K_L"),
    (lambda: infinite_chain_current_integral(1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, -2.0), "T_R"),
])
def test_generic_helpers_reject_bad_input_by_name(call, name):
    with pytest.raises(ValueError, match=f"^{name} "):
        call()


def test_the_closed_forms_take_any_chain_length():
    # rll_current is a closed form: no matrix, so no bound on N (the Lyapunov routes have one)
    args = (1.0, 1.0, 0.5, 2.0, 1.0)
    assert rll_current(2**70, *args) == rll_current(None, *args)
    with pytest.raises(ValueError, match=f"^N must be an integer >= 2 and <= {MAX_SITES}"):
        langevin_chain_current(MAX_SITES + 1, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.0)


def test_a_hot_bath_beyond_double_precision_is_refused_naming_the_state_point():
    # T_L = 2**70: gamma_L ~ 1e-43, a current far below the round-off of the Lyapunov solve; the
    # finite-N routes refuse (naming T_L), the closed form still answers (J ~ 1/T_L)
    for memory in (False, True):
        with pytest.raises(IllConditionedError, match=r"T_L = 1\.18059e\+21"):
            CHAIN.expansion_parameter(2.0**70, 1.0, 3, memory=memory)
    assert CHAIN.current(2.0**70, 1.0) * 2.0**70 == pytest.approx(CHAIN.large_T_limit(), rel=1e-6)


def test_unstable_generic_chain_is_an_error():
    with pytest.raises(ValueError, match="no steady state"):
        langevin_chain_steady_state(4, 1.0, 1.0, -2.0, 1.0, 1.0, 1.0, 1.0, 0.0)


# ----------------------------------------------------------------------------- ill-conditioning
def weak_coupling_current(N, m, k, K_L, K_R, gamma_L, gamma_R, T_L, T_R):
    """Independent route for weakly damped chains: each normal mode psi_n of Phi is a channel with
    end dampings gamma_L psi_n(1)^2, gamma_R psi_n(N)^2 (valid when the mode widths are far below
    their spacing; the relative error is of that order)."""
    Phi = np.diag(np.full(N, 2.0 * k)) - k * np.eye(N, k=1) - k * np.eye(N, k=-1)
    Phi[0, 0], Phi[-1, -1] = k + K_L, k + K_R
    _, V = np.linalg.eigh(Phi)
    a, b = gamma_L * V[0] ** 2, gamma_R * V[-1] ** 2
    return float(np.sum(a * b / (a + b))) / m * (T_L - T_R)


@pytest.mark.parametrize("K", [10.0, 100.0, 1e3, 3e3])
@pytest.mark.parametrize("N", [8, 32])
def test_stiff_pinning_finite_chain_equals_the_closed_form(K, N):
    # With K >> k the finite-N corrections are far below 1e-9, so the N -> infinity closed form is
    # an exact reference. The unscaled Lyapunov solve was off by 2.6e-6 at K = 3000, N = 32.
    chain = NDCChain(BATH, K=K)
    assert chain.current(5.0, 0.0, N=N) == pytest.approx(chain.current(5.0, 0.0), rel=1e-6)


@pytest.mark.parametrize("K, N", [(1e3, 8), (1e3, 32), (3e3, 8), (3e3, 32)])
def test_stiff_pinning_finite_chain_equals_the_weak_coupling_mode_sum(K, N):
    # second independent route (no closed form involved); mode widths/spacing ~ 1e-7 here
    chain = NDCChain(BATH, K=K)
    args = (N, 1.0, 1.0, chain.k_eff(5.0), K, chain.gamma_L(5.0), 1.0, 5.0, 0.0)
    assert chain.current(5.0, 0.0, N=N) == pytest.approx(weak_coupling_current(*args), rel=1e-6)


@pytest.mark.parametrize("K, N", [(1e6, 8), (1e8, 8), (1e6, 64)])
@pytest.mark.parametrize("memory", [False, True])
def test_unresolvable_current_is_a_clear_error_not_a_number(K, N, memory):
    # Before: -6.8e-15 (wrong sign) at K = 1e6, N = 8; "no steady state" at K = 1e8 (memory) and at
    # N = 64. The chain is stable (Phi positive definite, damped), only double precision cannot
    # resolve its current: IllConditionedError says so and names the route that works.
    chain = NDCChain(BATH, K=K)
    with pytest.raises(IllConditionedError, match="not resolved in double precision") as info:
        chain.current(5.0, 0.0, N=N, memory=memory)
    assert "current(T_L, T_R)" in str(info.value)
    J = chain.current(5.0, 0.0)  # the closed form has no such trouble
    assert J == pytest.approx(weak_coupling_current(8, 1.0, 1.0, chain.k_eff(5.0), K,
                                                    chain.gamma_L(5.0), 1.0, 5.0, 0.0), rel=1e-6)
    # a refusal of these parameter values (a ValueError, like every such refusal, that names the
    # state point), but neither "no steady state" nor a wrong type
    assert isinstance(info.value, ValueError) and "T_L = 5" in str(info.value)
    assert not isinstance(info.value, (MarkovReductionError, ParameterTypeError))


def test_stability_is_decided_structurally():
    # weakly damped but stable: the eigenvalues of the drift matrix are not trusted for this
    LangevinChain(64, 1.0, 1.0, 1e6, 1e6, 1.0, 1.0).steady_state  # constructs
    with pytest.raises(IllConditionedError, match="relaxation rate"):
        LangevinChain(8, 1.0, 1.0, 1e6, 1e6, 1.0, 1.0).relaxation_time()
    with pytest.raises(ValueError, match="gamma_L = gamma_R = 0"):
        LangevinChain(4, 1.0, 1.0, 1.0, 1.0, 0.0, 0.0).current(1.0, 0.0)
    # one bath only: no transport, exactly
    assert LangevinChain(4, 1.0, 1.0, 1.0, 1.0, 0.0, 1.0).current(3.0, 0.0) == 0.0


# ----------------------------------------------------------------------------- flags and helpers
@pytest.mark.parametrize("flag", ["no", "False", 0, 1, None, 1.0])
def test_memory_flag_must_be_a_real_boolean(flag):
    # "memory='no'" used to select the memory kernel (a non-empty string is truthy)
    for call in (lambda: CHAIN.steady_state(1.0, 0.0, N=4, memory=flag),
                 lambda: CHAIN.current(1.0, 0.0, N=4, memory=flag),
                 lambda: CHAIN.current_or_nan(1.0, 0.0, N=4, memory=flag),
                 lambda: CHAIN.expansion_parameter(1.0, 0.0, 4, memory=flag)):
        with pytest.raises(ValueError, match="^memory must be True or False"):
            call()


def test_paper_preset_is_the_fig3_setting():
    assert NDCChain.paper() == NDCChain(ParticleBath(N_b=40, zeta=0.1, lam=1.0, p=2.0, L=25.0, eps=0.1),
                                        m=1.0, k=1.0, K=1.0, gamma_R=1.0)
    c = NDCChain.paper(zeta=0.05, k=2.0)
    assert c.bath.zeta == 0.05 and c.k == 2.0 and c.bath.eps == 0.1


def test_current_or_nan_stops_the_theory_below_T_star():
    T = np.array([0.5 * T_STAR, T_STAR, 2.0, 5.0])
    J = CHAIN.current_or_nan(T, 0.0)
    assert np.all(np.isnan(J[:2]))
    np.testing.assert_array_equal(J[2:], CHAIN.current(T[2:], 0.0))
    J8 = CHAIN.current_or_nan(T, 0.0, N=8, memory=True)
    assert np.isnan(J8[0]) and J8[-1] == CHAIN.current(5.0, 0.0, N=8, memory=True)
    with pytest.raises(ValueError, match="^T_R "):  # other errors still raise
        CHAIN.current_or_nan(2.0, -1.0)


@pytest.mark.parametrize("memory", [False, True])
def test_expansion_parameter_at_equilibrium_is_boltzmanns(memory):
    # T_L = T_R = T: <q_1^2> = T (Phi(k_eff)^-1)_11 exactly (Boltzmann, static stiffness k_eff)
    N, T = 6, 1.7
    Phi = np.diag([1 + CHAIN.k_eff(T)] + [2.0] * (N - 2) + [1 + CHAIN.K]) - np.eye(N, k=1) - np.eye(N, k=-1)
    x = BATH.eps * np.sqrt(T * np.linalg.inv(Phi)[0, 0]) / T
    assert CHAIN.expansion_parameter(T, T, N, memory=memory) == pytest.approx(x, rel=1e-9)
    # cold right bath, hot particles: the chain holds <q_1^2> ~ gamma_L T_L ~ 1/T_L, so x falls like
    # T_L^-3/2 (O(1/T_L) corrections at T_L = 50)
    xs = CHAIN.expansion_parameter(np.array([50.0, 200.0]), 0.0, N, memory=memory)
    assert xs[1] / xs[0] == pytest.approx(0.125, rel=0.05)


def test_theory_error_and_its_parameter():
    T = np.array([0.3, 2.0, 4.0])
    J_theory = CHAIN.current_or_nan(T, 0.0, N=8, memory=True)
    err = CHAIN.theory_error(T, 0.0, 8, 1.1 * np.nan_to_num(J_theory, nan=0.1), 0.01)
    assert np.isnan(err.relative[0]) and np.isnan(err.x[0])         # below T*: no theory
    np.testing.assert_allclose(err.relative[1:], 0.1, rtol=1e-12)
    np.testing.assert_allclose(err.relative_err[1:], 0.01 / J_theory[1:], rtol=1e-12)
    np.testing.assert_allclose(err.x[1:], CHAIN.expansion_parameter(T[1:], 0.0, 8), rtol=1e-12)


def test_time_scales_relaxation_and_effective_chain_come_from_the_model():
    s = CHAIN.time_scales(2.0, 0.5)
    assert s["oscillation"] == pytest.approx(1 / math.sqrt(5.0))      # (K + 4k)/m bound
    assert s["damping_R"] == 1.0 and s["tau_1"] == BATH.tau1(2.0)
    assert s["tau_drift"] == pytest.approx(BATH.time_scales(2.0, q=3 * math.sqrt(2.0))["tau_drift"])
    # below T* the particles can hold site 1 displaced: the amplitude adds that displacement
    assert CHAIN.probe_amplitude(0.3, 0.0) > 3 * math.sqrt(0.3) + 8.0
    eff = CHAIN.effective_chain(2.0, 8)
    assert (eff.K_L, eff.K_R, eff.gamma_L) == (CHAIN.k_eff(2.0), CHAIN.K, CHAIN.gamma_L(2.0))
    assert eff.current(2.0, 0.0) == CHAIN.current(2.0, 0.0, N=8)
    with pytest.raises(MarkovReductionError):
        CHAIN.effective_chain(0.5 * T_STAR, 8)
    unsoftened = LangevinChain(8, 1.0, 1.0, 1.0, 1.0, CHAIN.gamma_L(2.0), 1.0).relaxation_time()
    assert CHAIN.relaxation_time(2.0, 8) == unsoftened
    assert CHAIN.relaxation_time(1e3, 2) == pytest.approx(
        LangevinChain(2, 1.0, 1.0, 1.0, 1.0, CHAIN.gamma_L(1e3), 1.0).relaxation_time())


def test_langevin_chain_model_validates_and_its_aliases_agree():
    chain = LangevinChain(6, 1.0, 1.0, 0.4, 1.0, 0.5, 1.0)
    assert chain.current(2.0, 1.0) == langevin_chain_current(6, 1.0, 1.0, 0.4, 1.0, 0.5, 1.0, 2.0, 1.0)
    np.testing.assert_array_equal(chain.covariance(2.0, 1.0),
                                  langevin_chain_covariance(6, 1.0, 1.0, 0.4, 1.0, 0.5, 1.0, 2.0, 1.0))
    for kw, name in [(dict(N=1), "N"), (dict(m=0.0), "m"), (dict(gamma_R=-1.0), "gamma_R"),
                     (dict(K_L="1"), "K_L")]:
        args = dict(N=4, m=1.0, k=1.0, K_L=1.0, K_R=1.0, gamma_L=1.0, gamma_R=1.0)
        args.update(kw)
        with pytest.raises(ValueError, match=f"^{name} "):
            LangevinChain(**args)
