"""The Green's-function route to the NDC chain current (Appendix B): recursion vs inversion,
frequency integral vs Lyapunov covariance, Markov and memory kernel."""
import numpy as np
import pytest

from thermolib import NDCChain
from thermolib.chain import MarkovReductionError
from thermolib.chain_green import green_1N, green_current, inverse_green_diagonal


def _inverse_matrix(a, k):
    N = a.shape[-1]
    return np.diag(a) - k * (np.eye(N, k=1) + np.eye(N, k=-1))


@pytest.mark.parametrize("memory", [False, True])
def test_recursion_is_the_corner_of_the_inverted_matrix(memory):
    chain = NDCChain.paper(k=2.0)
    w = np.array([0.05, 0.7, 2.1, 3.5])               # in and above the band (edge 2 sqrt 2)
    a, _ = inverse_green_diagonal(chain, 1.5, 7, w, memory=memory)
    direct = [np.linalg.inv(_inverse_matrix(row, chain.k))[0, -1] for row in a]
    # round-off of a 7 x 7 inversion
    assert np.allclose(green_1N(a, chain.k), direct, rtol=1e-11, atol=0)


@pytest.mark.parametrize("T_L, T_R, N", [(2.0, 0.0, 8), (0.8, 10.0, 5), (16.0, 3.0, 12)])
@pytest.mark.parametrize("memory", [False, True])
def test_frequency_integral_equals_the_lyapunov_current(T_L, T_R, N, memory):
    chain = NDCChain.paper()
    J = green_current(chain, T_L, T_R, N, memory=memory)
    # quad at epsrel 1e-12 per range; the Lyapunov current is resolved to ~1e-13. The memory
    # integral keeps all modes, the Lyapunov solve drops those below MODE_TOLERANCE (~1e-12).
    assert J == pytest.approx(chain.current(T_L, T_R, N=N, memory=memory), rel=1e-9)


def test_the_memory_integrand_differs_from_the_markov_one_at_low_T():
    # omega tau_1 ~ 3 at T_L = 1: the two chains are different systems, so the routes must differ
    chain = NDCChain.paper()
    assert abs(green_current(chain, 1.0, 0.0, 8, memory=True)
               / green_current(chain, 1.0, 0.0, 8) - 1) > 0.2


def test_no_steady_state_below_T_star_and_bad_input():
    chain = NDCChain.paper()
    with pytest.raises(MarkovReductionError):
        green_current(chain, 0.9 * chain.critical_temperature(8), 0.0, 8)
    with pytest.raises(ValueError, match="N"):
        green_current(chain, 2.0, 0.0, 1)
    with pytest.raises(ValueError, match="T_R"):
        green_current(chain, 2.0, -1.0, 8)
    with pytest.raises(TypeError, match="NDCChain"):
        inverse_green_diagonal("chain", 2.0, 8, 1.0)
    with pytest.raises(ValueError, match="diagonal"):
        green_1N([1.0], 1.0)
