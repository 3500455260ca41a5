"""Stationary Kramers (Fokker-Planck) equation of the two-particle diode by a Hermite-moment method.

The diode state :math:`s = (x_A, x_B, p_A, p_B)` has the generator (backward operator)

.. math::

    \\mathcal L^\\dagger = (A s)\\cdot\\nabla + \\tfrac12 D : \\nabla\\nabla
        + \\varepsilon \\sum_j f_j(x_j)\\, \\partial_{p_j},

with the linear drift ``A`` and diffusion ``D = diag(0, 0, 2 gamma_A T_A, 2 gamma_B T_B)`` of
:meth:`thermolib.Diode.linear_system`. A stationary density :math:`P` satisfies
:math:`\\mathbb E_P[\\mathcal L^\\dagger \\phi] = 0` for every test function :math:`\\phi`.

Method (a Petrov-Galerkin spectral method in all four variables). Pick a reference Gaussian
:math:`N(\\mu, \\Sigma)`, :math:`\\Sigma = L L^T` (Cholesky, ``x_A`` first), whiten
:math:`s = \\mu + L u`, and expand

.. math:: P(s) = N(\\mu, \\Sigma)(s) \\sum_{\\alpha \\in S} m_\\alpha\\, h_\\alpha(u), \\qquad
          h_\\alpha(u) = \\prod_i \\frac{He_{\\alpha_i}(u_i)}{\\sqrt{\\alpha_i!}},

with orthonormal probabilists' Hermite polynomials; then :math:`m_\\alpha = \\mathbb E_P[h_\\alpha]`
are the Hermite moments of :math:`P`. The test functions are the same :math:`h_\\beta`,
:math:`\\beta \\in S`, and ``S`` is the set of total degree :math:`|\\alpha| \\le N` (even degrees
only when both forces are odd: then :math:`P(s) = P(-s)`). Writing
:math:`\\mathcal L^\\dagger h_\\beta = \\sum_\\alpha G_{\\beta\\alpha} h_\\alpha`, the truncated stationarity
conditions are the sparse linear system

.. math:: \\sum_{\\alpha \\in S} G_{\\beta\\alpha}\\, m_\\alpha = 0 \\quad (\\beta \\in S,\\ \\beta \\ne 0),
          \\qquad m_0 = 1 .

In one dimension :math:`u\\,h_n = \\sqrt{n+1}\\,h_{n+1} + \\sqrt n\\,h_{n-1}` and
:math:`h_n' = \\sqrt n\\,h_{n-1}`, so every linear term of :math:`\\mathcal L^\\dagger` couples only
neighbouring multi-indices, and a polynomial force of degree ``d`` shifts the index of ``u_0`` by at
most ``d``. A sine or sinh force is multiplied in the Hermite basis by Gauss-Hermite quadrature
(an entire function: its matrix is dense in ``u_0`` but decays super-exponentially off the
diagonal). Properties that make this basis the right one for the diode:

* If the reference is the stationary Gaussian of a *linear* system, that system's generator maps
  each degree-``n`` block of the basis into itself (it is a "number-conserving" operator
  :math:`\\sum_{ij} M_{ij} a_i^\\dagger a_j`), with eigenvalues that are sums of ``n`` drift
  eigenvalues (stable). Hence at ``eps = 0`` the solution is :math:`m_\\alpha = \\delta_{\\alpha 0}` for
  *every* ``N``, and with the self-consistent Gaussian of :mod:`thermolib.diode_closure` as the
  reference only the *residual* force :math:`f - \\langle f\\rangle - g\\,(x - \\mu)` couples degrees.
* Second moments, hence the current :math:`J = k_I\\langle (x_A - x_B)p_A\\rangle/m_A`, are read from
  the degree-2 coefficients.

Solvers: sparse LU (SuperLU, COLAMD ordering) or, for bounded forces, GMRES preconditioned by a
block Gauss-Seidel sweep over the degree blocks (each block factored by sparse LU), which needs a
handful of iterations because the residual force is a bounded perturbation of the Gaussian.

References
----------
H. Risken, *The Fokker-Planck Equation*, 2nd ed., Springer (1989), Ch. 10 (expansion of the Kramers
equation in Hermite functions) and Sec. 6.6 (moment hierarchies). T. Tang, SIAM J. Sci. Comput. 14,
594 (1993) (Hermite spectral methods and the choice of the Gaussian scale). J. Shen, T. Tang,
L.-L. Wang, *Spectral Methods*, Springer (2011), Ch. 7 (Hermite Galerkin methods).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from . import _validation as _v
from .forces import Cosh, Cosine, Force, Linear, Polynomial, Power

__all__ = ["HermiteBasis", "polynomial_coefficients", "is_odd", "generator_matrix",
           "solve_moments", "hermite_functions", "multiplication_matrix", "monomial_to_hermite",
           "expectation"]


# ============================================================================ basis
@dataclass(frozen=True)
class HermiteBasis:
    """Multi-indices :math:`\\alpha \\in \\mathbb N^4` with :math:`|\\alpha| \\le` ``order``.

    Sorted by total degree (then lexicographically), so each degree is one contiguous block;
    ``even=True`` keeps only even total degrees (densities symmetric under ``s -> -s``).
    """

    order: int
    even: bool

    def __post_init__(self):
        N = self.order
        r = np.arange(N + 1)
        g = np.stack(np.meshgrid(r, r, r, r, indexing="ij"), -1).reshape(-1, 4)
        deg = g.sum(1)
        keep = deg <= N
        if self.even:
            keep &= deg % 2 == 0
        g = g[keep]
        g = g[np.lexsort((g[:, 3], g[:, 2], g[:, 1], g[:, 0], g.sum(1)))]
        lookup = np.full((N + 1,) * 4, -1, dtype=np.int64)
        lookup[tuple(g.T)] = np.arange(len(g))
        object.__setattr__(self, "alpha", g)
        object.__setattr__(self, "lookup", lookup)

    @property
    def size(self) -> int:
        return len(self.alpha)

    @property
    def degree(self) -> np.ndarray:
        return self.alpha.sum(1)

    def index(self, alpha) -> int:
        """Position of a multi-index, or -1 when it is not in the basis."""
        a = tuple(int(x) for x in alpha)
        if min(a) < 0 or max(a) > self.order:
            return -1
        return int(self.lookup[a])


# ============================================================================ 1D operators
def hermite_functions(x, w, nmax: int) -> np.ndarray:
    """:math:`h_n(x_k)\\sqrt{w_k}` for ``n = 0..nmax`` (rows), by the stable three-term recurrence."""
    H = np.zeros((nmax + 1, x.size))
    H[0] = np.sqrt(w)
    if nmax >= 1:
        H[1] = x * H[0]
    for n in range(1, nmax):
        H[n + 1] = (x * H[n] - math.sqrt(n) * H[n - 1]) / math.sqrt(n + 1)
    return H


def _position(n: int) -> np.ndarray:
    """Matrix of multiplication by ``u`` on ``h_0..h_{n-1}`` (column = input index)."""
    s = np.sqrt(np.arange(1, n))
    return np.diag(s, -1) + np.diag(s, 1)


def _derivative(n: int) -> np.ndarray:
    """Matrix of ``d/du`` on ``h_0..h_{n-1}``: :math:`h_k' = \\sqrt k\\, h_{k-1}`."""
    return np.diag(np.sqrt(np.arange(1, n)), 1)


def multiplication_matrix(fun, nmax: int, scale: float) -> np.ndarray:
    """:math:`F_{mn} = \\mathbb E[f(X) h_m(X) h_n(X)]`, :math:`X \\sim N(0,1)`, ``m, n <= nmax``.

    Gauss-Hermite quadrature; ``scale`` bounds the frequency/growth rate of ``fun`` in units of
    ``X`` (``K * sigma`` for ``sin``/``sinh`` of ``K sigma X``): the rule has enough nodes that the
    neglected Hermite coefficients of ``fun``, of size :math:`b^k/\\sqrt{k!}`, are below round-off.
    """
    from scipy.special import roots_hermitenorm

    M = nmax + 40 + int(math.ceil(3.0 * scale * scale + 6.0 * scale))
    x, w = roots_hermitenorm(M)
    H = hermite_functions(x, w / math.sqrt(2.0 * math.pi), nmax)
    F = (H * fun(x)) @ H.T
    F[np.abs(F) < 1e-17 * np.abs(F).max()] = 0.0
    return F


def _monomial_power(nmax: int, k: int) -> np.ndarray:
    """Exact matrix of multiplication by ``u**k`` on ``h_0..h_nmax``."""
    n = nmax + k + 1
    U = _position(n)
    P = np.linalg.matrix_power(U, k) if k else np.eye(n)
    return P[: nmax + 1, : nmax + 1]


# ============================================================================ forces
def polynomial_coefficients(force: Force):
    """``(c0, c1, ...)`` with ``f(z) = sum_n c_n z^n`` for polynomial forces, None otherwise."""
    if isinstance(force, Polynomial):
        return np.array(force.coeffs, dtype=float)
    if isinstance(force, (Power, Linear)):
        return np.asarray(force.kernel_params, dtype=float) if not force.is_zero else np.zeros(1)
    if isinstance(force, (Cosine, Cosh)):
        return None
    raise TypeError(f"the exact solver supports power, polynomial, linear, cosine and cosh forces, "
                    f"got {force!r} ({type(force).__name__})")


def is_odd(force: Force) -> bool:
    """True when ``f(-z) = -f(z)`` (then the stationary density is even in the full state)."""
    c = polynomial_coefficients(force)
    if c is None:
        return True
    return bool(np.all(c[0::2] == 0.0))


def _compose(q, mu, a):
    """Coefficients in ``u`` of :math:`\\sum_k q_k (\\mu + a u)^k` (Horner)."""
    P = np.polynomial.polynomial
    out = np.zeros(1)
    for qk in q[::-1]:
        out = P.polyadd(P.polymul(out, [mu, a]), [qk])
    return out


def _separable(force: Force, mu: float, a: float, b: float, nmax: int):
    """``f(mu + a u0 + b u1) = sum_t F_t(u0) G_t(u1)`` as pairs of multiplication matrices
    (``G_t`` is None for the identity, i.e. when ``b == 0``)."""
    c = polynomial_coefficients(force)
    if c is not None:
        # sum_n c_n (mu + a u0 + b u1)^n = sum_j (b u1)^j sum_n c_n C(n, j) (mu + a u0)^(n-j)
        out = []
        for j in range(len(c) if b != 0.0 else 1):
            q = np.zeros(len(c))  # polynomial in v = mu + a u0
            for n in range(j, len(c)):
                q[n - j] = c[n] * math.comb(n, j) * b**j
            # re-expand in u0: sum_k q_k (mu + a u0)^k
            pu = _compose(q, mu, a)
            if not np.any(pu):
                continue
            F = sum(pk * _monomial_power(nmax, k) for k, pk in enumerate(pu) if pk != 0.0)
            out.append((F, None if b == 0.0 else _monomial_power(nmax, j)))
        return out
    A, K = force.A, force.K
    if isinstance(force, Cosine):
        s, co = np.sin, np.cos
    else:
        s, co = np.sinh, np.cosh
    if b == 0.0:
        return [(multiplication_matrix(lambda x: -A * s(K * (mu + a * x)), nmax, K * abs(a)), None)]
    kb = K * abs(b)
    return [
        (multiplication_matrix(lambda x: -A * s(K * (mu + a * x)), nmax, K * abs(a)),
         multiplication_matrix(lambda x: co(K * b * x), nmax, kb)),
        (multiplication_matrix(lambda x: -A * co(K * (mu + a * x)), nmax, K * abs(a)),
         multiplication_matrix(lambda x: s(K * b * x), nmax, kb)),
    ]


# ============================================================================ assembly
class _Assembler:
    """Collects ``G[beta, alpha]`` entries of tensor-product operators on a basis."""

    def __init__(self, basis: HermiteBasis):
        self.basis = basis
        self.rows, self.cols, self.vals = [], [], []

    def add(self, scale: float, ops: dict):
        """Add ``scale * prod_dim ops[dim]`` (``ops[dim][m, n]``: input index n -> output m)."""
        if scale == 0.0:
            return
        S, N = self.basis.alpha, self.basis.order
        dims = sorted(ops)
        diags = []
        for dim in dims:
            M = ops[dim]
            offs = [k for k in range(-N, N + 1) if np.any(np.diagonal(M, k))]
            diags.append(offs)  # offset k: entry M[n - k, n], output = input - k
        for combo in _product(diags):
            tgt = S.copy()
            coef = np.full(len(S), scale)
            ok = np.ones(len(S), bool)
            for dim, k in zip(dims, combo):
                out = S[:, dim] - k
                ok &= (out >= 0) & (out <= N)
                o = np.clip(out, 0, N)
                coef = coef * ops[dim][o, S[:, dim]]
                tgt[:, dim] = o
            col = np.where(ok, self.basis.lookup[tuple(tgt.T)], -1)
            keep = (col >= 0) & (coef != 0.0)
            self.rows.append(np.flatnonzero(keep))
            self.cols.append(col[keep])
            self.vals.append(coef[keep])

    def matrix(self):
        import scipy.sparse as sp

        n = self.basis.size
        return sp.csr_matrix((np.concatenate(self.vals), (np.concatenate(self.rows),
                                                          np.concatenate(self.cols))), shape=(n, n))


def _product(lists):
    if not lists:
        yield ()
        return
    for x in lists[0]:
        for rest in _product(lists[1:]):
            yield (x,) + rest


def generator_matrix(drift, diffusion, mean, chol, forces, basis: HermiteBasis):
    """``G[beta, alpha]``: coefficient of ``h_alpha`` in :math:`\\mathcal L^\\dagger h_\\beta`.

    Parameters
    ----------
    drift, diffusion : (4, 4) arrays
        Linear part ``A`` and diffusion matrix ``D`` in the state ``(x_A, x_B, p_A, p_B)``.
    mean, chol : (4,), (4, 4) arrays
        Reference Gaussian ``N(mean, chol @ chol.T)``, ``chol`` lower triangular.
    forces : sequence of (j, force, eps)
        Nonlinear force ``eps * force(x_j)`` acting on ``p_j`` (``j = 0`` for A, ``1`` for B).
    """
    N = basis.order
    Li = np.linalg.inv(chol)
    Ap = Li @ drift @ chol
    Dp = Li @ diffusion @ Li.T
    bp = Li @ (drift @ mean)
    n = N + 2
    U, Dd = _position(n), _derivative(n)
    U, Dd, UD, DD = (M[: N + 1, : N + 1] for M in (U, Dd, U @ Dd, Dd @ Dd))
    asm = _Assembler(basis)
    for i in range(4):
        asm.add(bp[i], {i: Dd})                            # constant drift (mean != 0)
        for j in range(4):
            asm.add(Ap[i, j], {i: UD} if i == j else {i: Dd, j: U})   # (A' u)_i d_i
            if j >= i and Dp[i, j] != 0.0:                             # D'_ij d_i d_j (sym.)
                asm.add(Dp[i, j] * (0.5 if i == j else 1.0), {i: DD} if i == j else {i: Dd, j: Dd})
    for j, force, eps in forces:
        if eps == 0.0 or force.is_zero:
            continue
        # d/dp_j = sum_i Li[i, 2 + j] d/du_i;  x_j = mean_j + chol[j, 0] u0 (+ chol[1, 1] u1)
        a, b = chol[j, 0], (chol[1, 1] if j == 1 else 0.0)
        for F, G in _separable(force, mean[j], a, b, N):
            for i in range(4):
                c = Li[i, 2 + j]
                if c == 0.0:
                    continue
                ops = {0: F}
                if G is not None:
                    ops[1] = G
                if i in ops:
                    ops[i] = ops[i] @ Dd
                else:
                    ops[i] = Dd
                asm.add(eps * c, ops)
    return asm.matrix()


# ============================================================================ solve
def solve_moments(G, basis: HermiteBasis, method: str = "direct", *, max_iter: int = 60):
    """Hermite moments ``m`` (``m[0] = 1``) from ``G^T``-stationarity; returns ``(m, residual)``.

    ``method``: ``"direct"`` (sparse LU) or ``"iterative"`` (GMRES with a block Gauss-Seidel
    preconditioner over the degree blocks). The iterative solver returns ``None`` for ``m`` when it
    does not reach a relative residual of 1e-12 within ``max_iter`` iterations.
    """
    import scipy.sparse.linalg as spla

    A = G[1:, 1:].tocsr()
    rhs = -np.asarray(G[1:, 0].todense()).ravel()
    if not np.any(rhs):
        return np.concatenate([[1.0], np.zeros(A.shape[0])]), 0.0
    if method == "direct":
        x = spla.splu(A.tocsc(), permc_spec="COLAMD").solve(rhs)
    elif method == "iterative":
        deg = basis.degree[1:]
        blocks = []
        for d in np.unique(deg):
            idx = np.flatnonzero(deg == d)
            low = np.flatnonzero(deg < d)
            blocks.append((idx, spla.splu(A[idx][:, idx].tocsc(), permc_spec="COLAMD"),
                           low, A[idx][:, low].tocsr() if low.size else None))

        def sweep(v):
            out = np.zeros_like(v)
            for idx, lu, low, Alow in blocks:
                r = v[idx] if Alow is None else v[idx] - Alow @ out[low]
                out[idx] = lu.solve(r)
            return out

        P = spla.LinearOperator(A.shape, sweep)
        x, info = spla.gmres(A, rhs, M=P, rtol=1e-13, atol=0.0, restart=max_iter, maxiter=1)
        if info != 0 or not np.all(np.isfinite(x)):
            return None, math.inf
    else:
        raise ValueError(f"method must be 'direct' or 'iterative', got {method!r}")
    res = float(np.linalg.norm(A @ x - rhs) / np.linalg.norm(rhs))
    if method == "iterative" and not res <= 1e-11:
        return None, res
    return np.concatenate([[1.0], x]), res


# ============================================================================ moments
def monomial_to_hermite(kmax: int) -> np.ndarray:
    """Expansion of the monomials :math:`u^k` in the orthonormal Hermite polynomials.

    .. math:: u^k = \\sum_{r=0}^{k} T_{kr}\\, h_r(u), \\qquad
              h_r(u) = \\frac{He_r(u)}{\\sqrt{r!}},

    built row by row from :math:`u\\,h_r = \\sqrt{r+1}\\,h_{r+1} + \\sqrt r\\,h_{r-1}`.
    :math:`T_{kr}` vanishes unless ``r <= k`` and ``k - r`` is even. For :math:`X \\sim N(0, v)`
    and a polynomial :math:`f(x) = \\sum_k c_k x^k`, :math:`(c_k v^{k/2})_k\\, T` are the Hermite
    coefficients :math:`\\mathbb E[f(X)\\,h_r(X/\\sqrt v)]`.

    Parameters
    ----------
    kmax : int
        Highest power, >= 0.

    Returns
    -------
    numpy.ndarray
        ``T``, shape ``(kmax + 1, kmax + 1)``, lower triangular.
    """
    kmax = _v.nonnegative_int("kmax", kmax)
    T = np.zeros((kmax + 1, kmax + 1))
    T[0, 0] = 1.0
    U = _position(kmax + 1)
    for k in range(1, kmax + 1):
        T[k] = U @ T[k - 1]
    return T


def expectation(m, basis: HermiteBasis, mean, chol, powers) -> float:
    """:math:`\\mathbb E[\\prod_i s_i^{k_i}]` of the truncated density, ``powers = (k_0..k_3)``.

    The monomial is expanded in ``u`` (``s = mean + chol u``), each ``u``-monomial in Hermite
    polynomials; Hermite moments outside the basis are zero for the truncated density.
    """
    poly = {(0, 0, 0, 0): 1.0}
    for i, k in enumerate(powers):
        for _ in range(int(k)):
            lin = {(0, 0, 0, 0): float(mean[i])}
            for j in range(4):
                if chol[i, j] != 0.0:
                    e = [0, 0, 0, 0]
                    e[j] = 1
                    lin[tuple(e)] = float(chol[i, j])
            new = {}
            for a, ca in poly.items():
                for b, cb in lin.items():
                    key = tuple(x + y for x, y in zip(a, b))
                    new[key] = new.get(key, 0.0) + ca * cb
            poly = new
    T = monomial_to_hermite(int(sum(powers)))
    total = 0.0
    for gamma, c in poly.items():
        # prod_j sum_r T[g_j, r] h_r(u_j); nonzero r have the parity of g_j
        rs = [np.flatnonzero(T[g]) for g in gamma]
        for r in _product([list(x) for x in rs]):
            k = basis.index(r)
            if k >= 0:
                total += c * np.prod([T[g, rr] for g, rr in zip(gamma, r)]) * m[k]
    return float(total)
