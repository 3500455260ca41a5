"""The branch-free exp/log/sin/cos of the kernels agree with libm to ~1e-14 (measured ~3e-16).

References are computed in x87 extended precision (``np.longdouble``, 64-bit mantissa), so the
comparison measures the error of the fast functions, not of the reference. The kernels' ranges:
``exp`` of ``p (cos - 1)`` and of moderate arguments, ``log`` of uniforms on (0, 1], sin/cos of
``2 pi y`` with ``y = x/L`` on the ring, and Box-Muller.
"""
import numpy as np
import pytest
from numba import njit

from thermolib.sim import _fastmath as fm
from thermolib.sim._intrinsics import fma
from thermolib.sim._rng import normal_pair, normal_pair_fast, seed_states

L = np.longdouble
PI = np.arccos(L(-1))
TOL = 1e-14  # the brief's accuracy target; measured errors are ~2-3e-16 (1-2 ulp)


@njit(cache=True, error_model="numpy")
def _eval(x):
    out = np.empty((6, x.size))
    for i in range(x.size):
        out[0, i] = fm.exp(x[i])
        out[1, i] = fm.log(x[i])
        s, c = fm.sincos(x[i])
        out[2, i] = s
        out[3, i] = c
        s, c = fm.sincos_turns(x[i])
        out[4, i] = s
        out[5, i] = c
    return out


def _relerr(a, ref):
    ref = np.asarray(ref, dtype=L)
    return np.max(np.abs((a.astype(L) - ref) / ref))


def test_exp_relative_error(rng):
    x = np.concatenate([rng.uniform(-708, 709, 200_000), rng.uniform(-1, 1, 100_000),
                        np.log(2) * np.arange(-1000, 1020) + 1e-12,  # reduction boundaries n ln2
                        np.log(2) * (np.arange(-50, 50) + 0.5),      # |r| = ln2/2 worst case
                        [0.0, -0.0, 1e-300, -1e-300, 709.7, -708.0]])
    assert _relerr(_eval(x)[0], np.exp(x.astype(L))) < TOL


def test_exp_clamps_and_propagates_nan():
    out = _eval(np.array([1000.0, -1000.0, np.nan, -745.2]))[0]
    assert np.isinf(out[0]) or out[0] > 1e307
    assert 0.0 <= out[1] <= 5e-324 and 0.0 <= out[3] <= 5e-324  # underflow to (sub)normal zero
    assert np.isnan(out[2])


def test_log_relative_error(rng):
    u = np.concatenate([rng.uniform(0, 1, 200_000), np.exp(rng.uniform(-700, 700, 100_000)),
                        1 + rng.uniform(-1e-6, 1e-6, 10_000),  # near 1: relative accuracy
                        np.sqrt(2) * (1 + np.array([-2e-16, 0, 2e-16])),  # normalisation switch
                        2.0 ** np.arange(-1020, 1020), [2.0**-53, 1 - 2.0**-53]])
    u = u[u != 1.0]
    assert _relerr(_eval(u)[1], np.log(u.astype(L))) < TOL
    assert _eval(np.array([1.0]))[1, 0] == 0.0


def test_sincos_relative_error_including_near_multiples_of_half_pi(rng):
    n = np.arange(-20000, 20000)
    near = (n * (PI / 2)).astype(float)  # the doubles closest to n pi/2: hardest reduction cases
    x = np.concatenate([rng.uniform(-1e6, 1e6, 100_000), rng.uniform(-10, 10, 100_000), near,
                        np.nextafter(near, np.inf), [0.0, 1e-300, np.pi / 4, -np.pi / 4]])
    x = x[x != 0.0]
    out = _eval(x)
    xl = x.astype(L)
    assert _relerr(out[2], np.sin(xl)) < TOL
    assert _relerr(out[3], np.cos(xl)) < TOL


def test_sincos_turns_is_exactly_reduced(rng):
    y = np.concatenate([rng.uniform(0, 1, 200_000), rng.uniform(-1e4, 1e4, 50_000),
                        np.arange(0, 8) / 8, np.nextafter(np.arange(1, 9) / 4, 0),
                        0.5 + 1e-15 * np.arange(1, 50), [1 - 2.0**-53]])
    y = y[y * 8 != np.round(y * 8)]  # exact zeros (sin pi) are tested below
    out = _eval(y)
    # reference: the same exact reduction r = y - n/4, then extended-precision sin/cos of 2 pi r
    n = np.round(4 * y)
    a = 2 * PI * (y - n / 4).astype(L)
    q = n.astype(np.int64) % 4
    s, c = np.sin(a), np.cos(a)
    ref_s = np.choose(q, [s, c, -s, -c])
    ref_c = np.choose(q, [c, -s, -c, s])
    assert _relerr(out[4], ref_s) < TOL
    assert _relerr(out[5], ref_c) < TOL
    # and against libm at ordinary points (absolute: libm's sin(2*pi*y) carries the rounding of 2 pi y)
    assert np.max(np.abs(out[4] - np.sin(2 * np.pi * y))) < 1e-11
    exact = _eval(np.array([0.0, 0.25, 0.5, 0.75, 1.0]))
    assert np.array_equal(exact[4], [0.0, 1.0, 0.0, -1.0, 0.0])
    assert np.array_equal(exact[5], [1.0, 0.0, -1.0, 0.0, 1.0])


@njit(cache=True, error_model="numpy")
def _pairs(s1, s2, n):
    out = np.empty((2, s1.shape[1], 2 * n))
    for j in range(s1.shape[1]):
        for i in range(n):
            a, b = normal_pair_fast(s1, j)
            out[0, j, 2 * i], out[0, j, 2 * i + 1] = a, b
            a, b = normal_pair(s2, j)
            out[1, j, 2 * i], out[1, j, 2 * i + 1] = a, b
    return out


def test_fast_normals_equal_libm_box_muller():
    out = _pairs(seed_states(5, 64), seed_states(5, 64), 2000)
    fast, ref = out[0].ravel(), out[1].ravel()
    # absolute: near a zero of sin/cos the libm reference carries the rounding of 2 pi u (~1e-16)
    assert np.max(np.abs(fast - ref)) < 1e-13
    n = fast.size
    assert abs(fast.mean()) < 4 / np.sqrt(n) and abs(fast.var() - 1) < 4 * np.sqrt(2 / n)


def test_sum_reassoc_is_a_sum(rng):
    a = rng.normal(size=1001)
    assert fm.sum_reassoc(a, a.size) == pytest.approx(a.sum(), rel=1e-13, abs=1e-12)
    assert fm.sum_reassoc(a, 3) == pytest.approx(a[:3].sum(), rel=1e-15)


@njit(cache=True, error_model="numpy")
def _fma_eval(a, b, c):
    out = np.empty(a.size)
    for i in range(a.size):
        out[i] = fma(a[i], b[i], c[i])
    return out


def test_fma_is_correctly_rounded(rng):
    from fractions import Fraction

    a = rng.normal(size=2000) * 10.0 ** rng.integers(-5, 5, 2000)
    b = rng.normal(size=2000)
    c = -a * b * (1 + rng.normal(size=2000) * 1e-10)  # cancellation: a*b + c needs the exact product
    out = _fma_eval(a, b, c)
    ref = np.array([float(Fraction(x) * Fraction(y) + Fraction(z)) for x, y, z in zip(a, b, c)])
    assert np.array_equal(out, ref)
    assert _fma_eval(np.array([0.1]), np.array([10.0]), np.array([-1.0]))[0] == 2.0**-54  # fl(1) hides it
