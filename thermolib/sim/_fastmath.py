"""Branch-free elementary functions that LLVM can vectorise inside the numba kernels.

``np.exp``, ``np.log``, ``np.sin`` and ``np.cos`` compile to calls into libm, which stop LLVM from
vectorising a loop over bath particles. The functions here are plain polynomial code with
branch-free range reduction (selects, bit casts, ``rint``/``floor`` intrinsics), so a loop that
calls them vectorises (AVX2/AVX-512), while staying within a few ulp of libm:

=====================  =============================  ==========================================
function               domain (accurate)              max. relative error (measured, tests)
=====================  =============================  ==========================================
:func:`exp`            ``-708 <= x <= 709``           ~2e-16
:func:`log`            positive normal doubles        ~2e-16 (absolute ~1e-16 near ``x = 1``)
:func:`sincos`         ``|x| <= 1e6``                 ~2e-16 (incl. near multiples of pi/2)
:func:`sincos_turns`   any ``|u| < 2**50``            ~2e-16 for ``sin(2 pi u), cos(2 pi u)``
:func:`box_muller`     ``u1 in (0, 1], u2 in [0, 1)`` two exact-in-law standard normals
=====================  =============================  ==========================================

Polynomials are evaluated with fused multiply-adds (:func:`~thermolib.sim._intrinsics.fma`,
``llvm.fma``: one rounding, deterministic, not a fastmath flag) and partly by Estrin's scheme
(short dependency chains: the kernels' loops are latency-bound); the range reductions keep their
exact IEEE sequence.

Methods: Cody-Waite reduction with ``ln 2`` and ``pi/2`` split into exactly-multipliable parts,
and the fdlibm minimax polynomials (Sun Microsystems, 1993) for ``exp`` (Taylor, degree 13 on
``|r| <= ln2/2``), ``log`` (``log(1+f) = f - f^2/2 + s (f^2/2 + R(s^2))``, ``s = f/(2+f)``) and the
sine/cosine kernels on ``[-pi/4, pi/4]``. :func:`sincos_turns` reduces *exactly* (``u - n/4`` is
exact in binary), which is what the bath kernels use: bath particle positions are stored in units
of the ring length, ``y = x/L`` in ``[0, 1)``, so ``cos(2 pi x/L)`` needs no lossy reduction.

**Callers must be compiled with** ``@njit(error_model="numpy")``: under numba's default
``error_model="python"`` every float division (one in :func:`log`) gets a ZeroDivisionError branch,
which blocks vectorisation of the whole loop (benchmarks/diode.py has the measured cost).

All functions are ``@njit(inline="always")`` and compiled **without** fastmath: the reductions rely
on the exact IEEE order of operations. A kernel that wants a fast floating-point reduction (a sum
over particles) should put the sum in a separate, non-inlined function compiled with
``fastmath={"reassoc"}`` (see :func:`sum_reassoc`), never turn on fastmath around these functions.

Out-of-domain behaviour (documented, not checked, to stay branch-free): ``exp`` clamps its argument
to ``[-745, 709.78]`` (NaN propagates); ``log`` of zero, negative or subnormal input is garbage;
``sincos`` loses relative accuracy beyond ``|x| ~ 1e6``.
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit

from ._intrinsics import f64_as_i64 as _f64_as_i64
from ._intrinsics import fma
from ._intrinsics import i64_as_f64 as _i64_as_f64

__all__ = ["exp", "log", "sincos", "sincos_turns", "box_muller", "sum_reassoc"]


# 1.5 * 2**52: adding it to a float with |n| < 2**51 integral value puts n in the low mantissa bits
_SHIFT = 6755399441055744.0
_SHIFT_BITS = np.int64(0x4338000000000000)


@njit(inline="always", cache=True)
def _int_of_integral(n_f):
    """int64 of a float holding an integer value ``|n| < 2**51`` (vectorisable, unlike fptosi on AVX2)."""
    return _f64_as_i64(n_f + _SHIFT) - _SHIFT_BITS


@njit(inline="always", cache=True)
def _float_of_int(n):
    """float64 of an int64 ``|n| < 2**51`` (vectorisable, unlike sitofp on AVX2)."""
    return _i64_as_f64(n + _SHIFT_BITS) - _SHIFT


@njit(inline="always", cache=True)
def _pow2(n):
    """``2.0**n`` for integer ``-1022 <= n <= 1023`` from the exponent bits."""
    return _i64_as_f64((n + np.int64(1023)) << np.int64(52))


# ---------------------------------------------------------------------------------------------
# exp

_LOG2E = 1.4426950408889634
_LN2_HI = 6.93147180369123816490e-01  # 0x3FE62E42 FEE00000: n * _LN2_HI is exact for |n| < 2**11
_LN2_LO = 1.90821492927058770002e-10
_EXP_HI = 709.782712893384
_EXP_LO = -745.1332191019411

# 1/k!, k = 2..13 (Taylor; |r| <= ln2/2 makes the remainder r^14/14! < 4e-18); each k! is exact
# in a double, so each coefficient is the correctly rounded 1/k!
_E2, _E3, _E4, _E5, _E6, _E7, _E8, _E9, _E10, _E11, _E12, _E13 = (
    1.0 / math.factorial(k) for k in range(2, 14))


@njit(inline="always", cache=True)
def exp(x):
    """``e**x`` (branch-free; relative error ~2e-16 for ``-708 <= x <= 709``)."""
    x = _EXP_HI if x > _EXP_HI else x  # comparisons written so that NaN passes through
    x = _EXP_LO if x < _EXP_LO else x
    n_f = np.rint(x * _LOG2E)
    r = (x - n_f * _LN2_HI) - n_f * _LN2_LO
    # p = r + r^2 (E2 + E3 r + ... + E13 r^11), the inner polynomial by Estrin's scheme (FMA
    # depth 4 instead of 12: the loops that call exp are latency-bound)
    r2 = r * r
    r4 = r2 * r2
    a0 = fma(_E3, r, _E2)
    a1 = fma(_E5, r, _E4)
    a2 = fma(_E7, r, _E6)
    a3 = fma(_E9, r, _E8)
    a4 = fma(_E11, r, _E10)
    a5 = fma(_E13, r, _E12)
    b0 = fma(a1, r2, a0)
    b1 = fma(a3, r2, a2)
    b2 = fma(a5, r2, a4)
    p = fma(fma(b2, r4, b1), r4, b0)
    p = fma(p, r2, r)
    y = 1.0 + p
    n = _int_of_integral(n_f)
    half = n >> np.int64(1)  # two factors keep each 2**k in range down to subnormal results
    return y * _pow2(half) * _pow2(n - half)


# ---------------------------------------------------------------------------------------------
# log

_SQRT2 = 1.4142135623730951
_LG1 = 6.666666666666735130e-01
_LG2 = 3.999999999940941908e-01
_LG3 = 2.857142874366239149e-01
_LG4 = 2.222219843214978396e-01
_LG5 = 1.818357216161805012e-01
_LG6 = 1.531383769920937332e-01
_LG7 = 1.479819860511658591e-01
_MANT = np.int64(0x000FFFFFFFFFFFFF)
_ONE_BITS = np.int64(0x3FF0000000000000)


# x = 2**k m with m in [sqrt(1/2), sqrt(2)] split by integer arithmetic (no selects, no arithmetic
# shift, which AVX2 lacks for int64): adding _LOG_OFF carries into the exponent field exactly when
# the mantissa is >= nextafter(sqrt(2)), i.e. exactly when m > sqrt(2)
_LOG_OFF = np.int64(0x4000000000000000 - 0x3FF6A09E667F3BCE)
_EXP_FIELD = np.int64(0x7FF)
_K_BITS = np.int64(0x4330000000000000)  # bits of 2**52
_K_BIAS = 4503599627371519.0  # 2**52 + 1023
_EXP_MASK = np.int64(0x7FF0000000000000)


@njit(inline="always", cache=True)
def _log_reduce(x):
    """``(k, f)`` with ``x = 2**k (1 + f)``, ``1 + f`` in ``[sqrt(1/2), sqrt(2)]`` (exact)."""
    bits = _f64_as_i64(x)
    t = bits + _LOG_OFF
    eb = (t >> np.int64(52)) & _EXP_FIELD  # biased exponent of x, +1 if the mantissa > sqrt(2)
    k = _i64_as_f64(eb | _K_BITS) - _K_BIAS  # exact: eb - 1023 as a double
    m = _i64_as_f64(bits - (t & _EXP_MASK) + _ONE_BITS)
    return k, m - 1.0


@njit(inline="always", cache=True)
def log(x):
    """Natural logarithm of a positive normal double (branch-free, ~1 ulp)."""
    k, f = _log_reduce(x)
    s = f / (2.0 + f)
    z = s * s
    w = z * z
    t1 = w * fma(w, fma(w, _LG6, _LG4), _LG2)
    t2 = z * fma(w, fma(w, fma(w, _LG7, _LG5), _LG3), _LG1)
    R = t2 + t1
    hfsq = 0.5 * f * f
    return k * _LN2_HI - ((hfsq - (s * (hfsq + R) + k * _LN2_LO)) - f)


# ---------------------------------------------------------------------------------------------
# sin / cos

_S1 = -1.66666666666666324348e-01
_S2 = 8.33333333332248946124e-03
_S3 = -1.98412698298579493134e-04
_S4 = 2.75573137070700676789e-06
_S5 = -2.50507602534068634195e-08
_S6 = 1.58969099521155010221e-10
_C1 = 4.16666666666666019037e-02
_C2 = -1.38888888888741095749e-03
_C3 = 2.48015872894767294178e-05
_C4 = -2.75573143513906633035e-07
_C5 = 2.08757232129817482790e-09
_C6 = -1.13596475577881948265e-11

_TWO_OVER_PI = 6.36619772367581382433e-01
_PIO2_1 = 1.57079632673412561417e+00  # first 33 bits of pi/2
_PIO2_2 = 6.07710050630396597660e-11  # next 33 bits
_PIO2_3 = 2.02226624871116645580e-21  # next 33 bits
_PIO2_3T = 8.47842766036889956997e-32  # the rest
_TWO_PI_HI = 6.283185307179586
_TWO_PI_LO = 2.4492935982947064e-16


@njit(inline="always", cache=True)
def _kernel_sincos(r):
    """sin r, cos r for ``|r| <= pi/4`` (fdlibm minimax polynomials)."""
    z = r * r
    z2 = z * z
    # the higher-order parts by Estrin's scheme (shorter FMA chains; they are tiny corrections)
    ps = fma(fma(_S6, z, _S5), z2, fma(_S4, z, _S3))  # S3 + S4 z + S5 z^2 + S6 z^3
    ps = fma(ps, z, _S2)
    s = fma(r * z, fma(z, ps, _S1), r)
    pc = fma(fma(fma(_C6, z, _C5), z, _C4), z2 * z, fma(fma(_C3, z, _C2), z, _C1))
    pc = z * pc
    hz = 0.5 * z
    w = 1.0 - hz
    c = w + fma(z, pc, (1.0 - w) - hz)  # 1 - z/2 + z^2 C(z) with the rounding of 1 - z/2 recovered
    return s, c


@njit(inline="always", cache=True)
def _quadrant(s, c, n):
    """(sin, cos) of ``r + n pi/2`` from ``s = sin r, c = cos r``."""
    swap = (n & np.int64(1)) != 0
    sn = c if swap else s
    cs = s if swap else c
    sn = -sn if (n & np.int64(2)) != 0 else sn
    cs = -cs if ((n + np.int64(1)) & np.int64(2)) != 0 else cs
    return sn, cs


@njit(inline="always", cache=True)
def sincos(x):
    """``(sin x, cos x)`` (branch-free; ~1 ulp for ``|x| <= 1e6``)."""
    n_f = np.rint(x * _TWO_OVER_PI)
    r = ((x - n_f * _PIO2_1) - n_f * _PIO2_2) - n_f * _PIO2_3  # exact products for |n| < 2**20
    r = r - n_f * _PIO2_3T
    s, c = _kernel_sincos(r)
    return _quadrant(s, c, _int_of_integral(n_f))


@njit(inline="always", cache=True)
def sincos_turns(u):
    """``(sin 2 pi u, cos 2 pi u)``; the reduction ``u - n/4`` is exact, so any ``|u| < 2**50`` works."""
    n_f = np.rint(4.0 * u)
    r = u - 0.25 * n_f  # exact: |r| <= 1/8 and r is a multiple of ulp(u)
    a = r * _TWO_PI_HI + r * _TWO_PI_LO
    s, c = _kernel_sincos(a)
    return _quadrant(s, c, _int_of_integral(n_f))


# ---------------------------------------------------------------------------------------------
# normals, sums


@njit(inline="always", cache=True)
def box_muller(u1, u2):
    """Two independent standard normals from ``u1`` uniform on (0, 1] and ``u2`` uniform on [0, 1)."""
    r = np.sqrt(-2.0 * log(u1))
    s, c = sincos_turns(u2)
    return r * c, r * s


@njit(cache=True, fastmath={"reassoc", "contract"})
def sum_reassoc(a, n):
    """``a[0] + ... + a[n-1]`` in a vectorised (reassociated, but deterministic) order.

    Deliberately *not* inlined: its fastmath flags stay on its own instructions.
    """
    acc = 0.0
    for i in range(n):
        acc += a[i]
    return acc

