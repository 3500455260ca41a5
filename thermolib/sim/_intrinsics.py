"""LLVM intrinsics for the numba kernels: bit casts and the fused multiply-add (a leaf module).

:mod:`~thermolib.sim._fastmath` (branch-free elementary functions) and :mod:`~thermolib.sim._rng`
(the random streams) both build on these; neither imports the other's internals through here.

* :func:`f64_as_i64`, :func:`i64_as_f64`: reinterpret the 64 bits of a double as an int64 and back
  (a register reinterpretation: vectorises to nothing, unlike the integer/double conversions, which
  AVX2 lacks for 64-bit integers).
* :func:`fma`: ``a * b + c`` with one rounding (``llvm.fma``): deterministic, unlike fastmath
  contraction, one instruction on FMA3 hardware, and vectorises.
"""
from __future__ import annotations

from llvmlite import ir as _llir
from numba import njit, types
from numba.extending import intrinsic

__all__ = ["f64_as_i64", "i64_as_f64", "fma"]


@intrinsic
def f64_as_i64(typingctx, x):
    """The bits of a float64 as an int64 (no conversion)."""
    if not isinstance(x, types.Float):
        return None

    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], context.get_value_type(types.int64))

    return types.int64(types.float64), codegen


@intrinsic
def i64_as_f64(typingctx, x):
    """The bits of an int64 (or uint64) as a float64 (no conversion)."""
    if not isinstance(x, types.Integer):
        return None

    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], context.get_value_type(types.float64))

    return types.float64(types.int64), codegen


@intrinsic
def _fma_impl(typingctx, a, b, c):
    if not all(isinstance(t, types.Float) for t in (a, b, c)):
        return None

    def codegen(context, builder, signature, args):
        dbl = _llir.DoubleType()
        args = [context.cast(builder, v, t, types.float64) for v, t in zip(args, signature.args)]
        fn = builder.module.declare_intrinsic("llvm.fma", [dbl], _llir.FunctionType(dbl, [dbl, dbl, dbl]))
        return builder.call(fn, args)

    return types.float64(a, b, c), codegen


@njit(inline="always", cache=True)
def fma(a, b, c):
    """``a * b + c`` with a single rounding (IEEE fused multiply-add, ``llvm.fma``).

    Used for polynomial evaluations; range reductions keep their exact IEEE sequence.
    """
    return _fma_impl(a, b, c)
