"""Reproducible random streams for the numba kernels.

One independent stream per *lane* (a realization, or one bath particle of one realization), so that
lane ``i`` draws the same numbers whatever the number of threads or the chunking of the work.

Generator: xoshiro256++ (Blackman & Vigna 2019), period 2^256 - 1, no multiplications in the state
update, so a loop over lanes vectorises. Each lane's 256-bit state is filled by SplitMix64 from a key
derived from ``(seed, stream)``; distinct keys give starting points spread over the full period, so
streams of any practical length do not overlap.

State layout is structure-of-arrays, ``state[w, lane]`` with ``w = 0..3`` (shape ``(4, n_lanes)``,
``uint64``), which keeps consecutive lanes contiguous for SIMD.

Kernels call the ``@njit(inline="always")`` functions :func:`next_u64`, :func:`uniform`,
:func:`normal_pair` (libm) or :func:`normal_pair_fast` (branch-free, vectorisable; same law,
agrees with :func:`normal_pair` to ~1e-15); Python code creates states with :func:`seed_states`.
"""
from __future__ import annotations

import numpy as np
from numba import njit

from ._fastmath import box_muller
from ._intrinsics import i64_as_f64 as _i64_as_f64

__all__ = ["seed_states", "stream_key", "next_u64", "uniform", "uniform_open", "normal_pair",
           "normal_pair_fast"]

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30 = np.uint64(30)
_S27 = np.uint64(27)
_S31 = np.uint64(31)
_S11 = np.uint64(11)
_S17 = np.uint64(17)
_TWO_M53 = 1.0 / 9007199254740992.0  # 2**-53
_S32 = np.uint64(32)
_LOW32 = np.uint64(0xFFFFFFFF)
_TWO52_BITS = np.uint64(0x4330000000000000)  # bits of 2.0**52
_TWO52 = 4503599627370496.0
_TWO32 = 4294967296.0
_TWO_PI = 6.283185307179586


@njit(inline="always", cache=True)
def _mix64(z):
    """SplitMix64 finaliser (Steele, Lea, Flood 2014): a bijective 64-bit hash."""
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)


@njit(inline="always", cache=True)
def _rotl(x, k):
    return (x << np.uint64(k)) | (x >> np.uint64(64 - k))


@njit(cache=True)
def stream_key(seed, stream):
    """64-bit key of stream ``stream`` under ``seed`` (both non-negative integers)."""
    h = _mix64(np.uint64(seed) + _GOLDEN)
    h = _mix64(h ^ (np.uint64(stream) * _GOLDEN + np.uint64(0x632BE59BD9B4E019)))
    return h


@njit(cache=True)
def _fill_states(seed, first_stream, n):
    state = np.empty((4, n), dtype=np.uint64)
    for j in range(n):
        z = stream_key(seed, first_stream + j)
        for w in range(4):
            z = z + _GOLDEN
            state[w, j] = _mix64(z)
        if state[0, j] == 0 and state[1, j] == 0 and state[2, j] == 0 and state[3, j] == 0:
            state[0, j] = np.uint64(1)  # the all-zero state is the one forbidden state
    return state


def seed_states(seed: int, n: int, first_stream: int = 0) -> np.ndarray:
    """States of streams ``first_stream, ..., first_stream + n - 1`` under ``seed``.

    Parameters
    ----------
    seed : int
        User seed, ``0 <= seed < 2**63``.
    n : int
        Number of lanes.
    first_stream : int
        Index of the first stream; stream ``s`` is the same whatever ``n`` and ``first_stream``
        were used to reach it (``seed_states(s, 10)[:, 7] == seed_states(s, 3, 7)[:, 0]``).

    Returns
    -------
    numpy.ndarray
        ``uint64`` array of shape ``(4, n)``.
    """
    if not (0 <= int(seed) < 2**63):
        raise ValueError(f"seed must be an integer in [0, 2**63), got {seed!r}")
    return _fill_states(np.uint64(seed), np.uint64(first_stream), int(n))


@njit(inline="always", cache=True)
def next_u64(s, j):
    """Advance lane ``j`` of the state array ``s`` and return 64 random bits (xoshiro256++)."""
    s0 = s[0, j]
    s1 = s[1, j]
    s2 = s[2, j]
    s3 = s[3, j]
    result = _rotl(s0 + s3, 23) + s0
    t = s1 << _S17
    s2 ^= s0
    s3 ^= s1
    s1 ^= s2
    s0 ^= s3
    s2 ^= t
    s3 = _rotl(s3, 45)
    s[0, j] = s0
    s[1, j] = s1
    s[2, j] = s2
    s[3, j] = s3
    return result


@njit(inline="always", cache=True)
def _float_of_u53(k):
    """``float(k)`` for an integer ``0 <= k < 2**53``, exactly, by bit operations: AVX2 has no
    64-bit integer to double conversion (``float(k)`` would be scalarised), this vectorises.
    ``k = kh 2**32 + kl``; each half becomes a double through the exponent of ``2**52``
    (``(x | bits(2**52)) - 2**52 == x`` for ``x < 2**52``), and the recombination is exact."""
    hi = _i64_as_f64((k >> _S32) | _TWO52_BITS) - _TWO52
    lo = _i64_as_f64((k & _LOW32) | _TWO52_BITS) - _TWO52
    return hi * _TWO32 + lo


@njit(inline="always", cache=True)
def uniform(s, j):
    """A double uniform on [0, 1) with 53 random bits, ``k 2**-53`` (exact)."""
    return _float_of_u53(next_u64(s, j) >> _S11) * _TWO_M53


@njit(inline="always", cache=True)
def uniform_open(s, j):
    """A double uniform on (0, 1] (safe inside a logarithm), ``(k + 1) 2**-53`` (exact)."""
    return (_float_of_u53(next_u64(s, j) >> _S11) + 1.0) * _TWO_M53


@njit(inline="always", cache=True)
def normal_pair(s, j):
    """Two independent standard normal numbers from lane ``j`` (Box-Muller, exact in law)."""
    u1 = uniform_open(s, j)
    u2 = uniform(s, j)
    r = np.sqrt(-2.0 * np.log(u1))
    a = _TWO_PI * u2
    return r * np.cos(a), r * np.sin(a)


@njit(inline="always", cache=True)
def normal_pair_fast(s, j):
    """Two independent standard normals from lane ``j``: Box-Muller with the branch-free
    :mod:`~thermolib.sim._fastmath` log/sin/cos, so a loop over lanes vectorises.

    Consumes the same two uniforms as :func:`normal_pair` and returns the same numbers to ~1e-15.
    """
    u1 = uniform_open(s, j)
    u2 = uniform(s, j)
    return box_muller(u1, u2)
