"""Exact rational arithmetic for the closed forms and Lyapunov equations of linear models.

Every double is a rational number, so a closed form that is a ratio of polynomials in the model
parameters (the diode's :math:`\\kappa_0`, :math:`\\sigma_j`, :math:`\\beta_j`) and the solution of
a small Lyapunov equation can be computed *exactly* with :class:`fractions.Fraction` and rounded
once at the end. Neither overflow in intermediate products (:math:`m_A = 10^{300}`), nor
cancellation between large terms, nor the conditioning of the linear solve (:math:`k_I = 10^8`
against unit masses) can then spoil a result: it is the correctly rounded value, or it is refused
by :func:`to_float` because the value itself is outside double precision.

Cost: a few hundred microseconds for the diode's closed forms, ~1-7 ms for its 10-unknown
Lyapunov system; the callers cache the results per (frozen) model object.
"""
from __future__ import annotations

import sys
from fractions import Fraction

__all__ = ["to_float", "solve_lyapunov"]

_TINY = sys.float_info.min  # smallest normal double
_HUGE = sys.float_info.max


def to_float(name: str, q: Fraction, context: str = "") -> float:
    """``float(q)`` (correctly rounded), or ``ValueError`` when a non-zero ``q`` lies outside the
    normal double range (it would become inf, or 0 / a subnormal with lost precision)."""
    if q == 0:
        return 0.0
    a = abs(q)
    if a > _HUGE or a < _TINY:
        at = f" for {context}" if context else ""
        raise ValueError(f"{name} is ~1e{_log10(a):.0f}{at}, outside the range of double precision "
                         f"(1e-308 ... 1e308): these parameters are too extreme to be represented")
    return float(q)


def _log10(a: Fraction) -> float:
    import math

    return math.log10(a.numerator) - math.log10(a.denominator)


def solve_lyapunov(A, D_list):
    """Exact solutions ``C`` of ``A C + C A^T + D = 0`` for each ``D`` in ``D_list``.

    ``A`` is an ``n x n`` nested list of Fractions whose eigenvalues have negative real parts (then
    the solution is unique and symmetric); each ``D`` is a symmetric ``n x n`` nested list. The
    ``n(n+1)/2`` independent entries of ``C`` solve one linear system, by Gauss-Jordan elimination
    in exact arithmetic (all right-hand sides at once).
    """
    n = len(A)
    idx = [(i, j) for i in range(n) for j in range(i, n)]
    pos = {p: k for k, p in enumerate(idx)}

    def var(i, j):
        return pos[(i, j) if i <= j else (j, i)]

    N, R = len(idx), len(D_list)
    rows = []
    for i, j in idx:
        row = [Fraction(0)] * (N + R)
        for k in range(n):
            if A[i][k]:
                row[var(k, j)] += A[i][k]
            if A[j][k]:
                row[var(i, k)] += A[j][k]
        for r, D in enumerate(D_list):
            row[N + r] = -Fraction(D[i][j])
        rows.append(row)
    for c in range(N):
        p = next((r for r in range(c, N) if rows[r][c] != 0), None)
        if p is None:
            raise ValueError("the Lyapunov equation is singular: the drift matrix has an eigenvalue "
                             "pair summing to zero (no unique stationary state)")
        rows[c], rows[p] = rows[p], rows[c]
        piv = rows[c][c]
        rc = [x / piv for x in rows[c]]
        rows[c] = rc
        for r in range(N):
            f = rows[r][c]
            if r != c and f != 0:
                rows[r] = [x - f * y for x, y in zip(rows[r], rc)]
    return [[[rows[var(i, j)][N + r] for j in range(n)] for i in range(n)] for r in range(R)]
