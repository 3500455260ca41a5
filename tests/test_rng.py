"""The per-lane random streams: reproducible, independent of chunking, and statistically sound."""
import numpy as np
import pytest
from numba import njit
from scipy import stats

from thermolib.sim._rng import normal_pair, seed_states, uniform


@njit(cache=True)
def _normals(s, n):
    out = np.empty((s.shape[1], 2 * n))
    for j in range(s.shape[1]):
        for i in range(n):
            a, b = normal_pair(s, j)
            out[j, 2 * i] = a
            out[j, 2 * i + 1] = b
    return out


@njit(cache=True)
def _uniforms(s, n):
    out = np.empty((s.shape[1], n))
    for j in range(s.shape[1]):
        for i in range(n):
            out[j, i] = uniform(s, j)
    return out


def test_stream_does_not_depend_on_how_lanes_are_chunked():
    whole = _normals(seed_states(7, 10), 1000)
    part = _normals(seed_states(7, 4, first_stream=6), 1000)
    assert np.array_equal(whole[6:10], part)


def test_same_seed_same_numbers_different_seed_different_numbers():
    a = _normals(seed_states(1, 3), 100)
    b = _normals(seed_states(1, 3), 100)
    c = _normals(seed_states(2, 3), 100)
    assert np.array_equal(a, b)
    assert not np.any(a == c)


def test_normals_have_gaussian_moments():
    x = _normals(seed_states(3, 4), 250_000).ravel()  # 2e6 draws
    n = x.size
    # standard errors of the sample moments of N(0,1): mean 1/sqrt(n), var sqrt(2/n), 4th moment sqrt(96/n)
    assert abs(x.mean()) < 4 / np.sqrt(n)
    assert abs(x.var() - 1) < 4 * np.sqrt(2 / n)
    assert abs(np.mean(x**4) - 3) < 4 * np.sqrt(96 / n)
    # the whole distribution: Kolmogorov-Smirnov at a fixed seed
    assert stats.kstest(x[:200_000], "norm").pvalue > 1e-4


def test_uniforms_are_uniform_and_lanes_uncorrelated():
    u = _uniforms(seed_states(11, 8), 100_000)
    assert u.min() >= 0.0 and u.max() < 1.0
    assert stats.kstest(u.ravel()[:200_000], "uniform").pvalue > 1e-4
    c = np.corrcoef(u)
    off = c[~np.eye(8, dtype=bool)]
    # each correlation estimate has standard error 1/sqrt(n)
    assert np.max(np.abs(off)) < 4 / np.sqrt(u.shape[1])


def test_seed_out_of_range_is_rejected():
    with pytest.raises(ValueError, match="seed"):
        seed_states(-1, 2)


def test_uniforms_are_the_exact_53_bit_fractions():
    # the bit-trick conversion must give exactly float(u >> 11) * 2**-53 of the raw xoshiro output
    from thermolib.sim._rng import next_u64

    @njit
    def raw_and_uniform(s, n):
        t = s.copy()
        raw = np.empty(n, dtype=np.uint64)
        u = np.empty(n)
        for i in range(n):
            raw[i] = next_u64(t, 0)
            u[i] = uniform(s, 0)
        return raw, u

    raw, u = raw_and_uniform(seed_states(13, 1), 100_000)
    ref = np.array([int(r) >> 11 for r in raw], dtype=np.float64) * 2.0**-53
    assert np.array_equal(u, ref)
