"""Nonlinear on-site forces of the two-particle diode (Defaveri & Anteneodo 2021).

The equations of motion (paper Eqs. (2)-(3)) read

.. math::

    m_j \\ddot z_j + \\gamma_j \\dot z_j + k_j z_j + k_I (z_j - z_{\\bar j})
        = \\varepsilon f_j(z_j) + \\eta_j(t),

so ``f`` is a *force*, :math:`f = -\\mathrm d V^{nl}/\\mathrm dz`, and ``eps`` multiplies it. To first
order in ``eps`` a force enters the heat current only through

.. math::

    g(z) = \\langle f'(X) \\rangle = \\frac{\\langle X f(X) \\rangle}{z},
    \\qquad X \\sim \\mathcal N(0, z),

(Gaussian integration by parts, ERRATA D4; Table I of the paper), evaluated at the zeroth-order
variance :math:`z = \\langle z_j^2 \\rangle`. It acts as a stiffness shift :math:`k_j \\to k_j - \\varepsilon g`.

Every force is a frozen dataclass with ``f(z)``, ``V(z)``, ``g(z)``, ``g_prime(z)`` (vectorised), a
LaTeX ``label`` and the numba contract used by :mod:`thermolib.sim`:

``kernel_code``
    0 no force, 1 polynomial :math:`f = \\sum_n c_n z^n`, 2 sine :math:`f = -A \\sin Kz`,
    3 sinh :math:`f = -A \\sinh Kz`.
``kernel_params``
    float64 array: the coefficients ``c0..cn`` for code 1, ``[K, A]`` for codes 2 and 3, empty for 0.

References
----------
Defaveri, Anteneodo, Phys. Rev. E 104, 014106 (2021), Table I and Eq. (A31).
"""
from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

import numpy as np

from ._validation import positive_int, real, real_array

__all__ = [
    "Force",
    "Power",
    "Cosine",
    "Cosh",
    "Polynomial",
    "Linear",
    "power",
    "cosine",
    "cosh",
    "polynomial",
    "linear",
    "as_force",
    "double_factorial",
]

KERNEL_NONE, KERNEL_POLYNOMIAL, KERNEL_SINE, KERNEL_SINH = 0, 1, 2, 3


def double_factorial(n: int) -> int:
    """:math:`n!! = n (n-2) (n-4) \\cdots`, with ``(-1)!! = 0!! = 1``."""
    n = int(n)
    out = 1
    while n > 1:
        out *= n
        n -= 2
    return out


def _fmt(x: float) -> str:
    """Shortest text that reads back as the same float (``1.0 -> '1'``, ``0.1 -> '0.1'``)."""
    s = repr(float(x))
    return s[:-2] if s.endswith(".0") else s


def _lab(x: float) -> str:
    """Compact text for figure legends (4 significant digits)."""
    return f"{x:.4g}"


def _variance(z) -> np.ndarray:
    # g is a function of a variance: must be >= 0.
    return real_array("z", z, lo=0.0)


class Force:
    """Base class of the on-site forces (do not instantiate directly)."""

    kernel_code: int = KERNEL_NONE

    # --- to be provided by subclasses -------------------------------------------------------
    def f(self, z):  # pragma: no cover - abstract
        """The force :math:`f(z)`."""
        raise NotImplementedError

    def V(self, z):  # pragma: no cover - abstract
        """The nonlinear potential :math:`V^{nl}(z)` with :math:`f = -V'`, :math:`V(0)` as in Table I."""
        raise NotImplementedError

    def g(self, z):  # pragma: no cover - abstract
        """:math:`g(z) = \\langle f'(X) \\rangle`, :math:`X \\sim N(0, z)` (Table I, Eq. (A31))."""
        raise NotImplementedError

    def g_prime(self, z):  # pragma: no cover - abstract
        """:math:`\\mathrm d g / \\mathrm d z` (enters the rectification, ERRATA D6)."""
        raise NotImplementedError

    @property
    def kernel_params(self) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    # --- shared -----------------------------------------------------------------------------
    @property
    def is_zero(self) -> bool:
        """True when the force vanishes identically."""
        return self.kernel_code == KERNEL_NONE

    @property
    def is_linear(self) -> bool:
        """True when ``f`` is affine in ``z`` (then ``g`` is a constant and chi = 0 at first order)."""
        return False

    def g_quadrature(self, z, order: int = 80):
        """:math:`\\langle X f(X) \\rangle / z` by Gauss-Hermite quadrature (independent route to ``g``).

        Uses the Gaussian integration-by-parts form of ERRATA D4, so it needs only ``f``;
        ``z = 0`` returns :math:`f'(0)` by the limit of the quadrature at a tiny variance.
        """
        z = _variance(z)
        order = positive_int("order", order)
        x, w = np.polynomial.hermite_e.hermegauss(order)  # weight exp(-x^2/2)
        w = w / math.sqrt(2.0 * math.pi)
        zz = np.where(z > 0, z, 1e-12)
        s = np.sqrt(zz)[..., None]
        out = np.sum(w * (s * x) * self.f(s * x), axis=-1) / zz
        return out if out.ndim else float(out)

    def __call__(self, z):
        return self.f(z)


@dataclass(frozen=True, repr=False)
class Power(Force):
    """Power-law force :math:`f(z) = -c\\, z^{2n-1}`, :math:`V(z) = c\\, z^{2n}/(2n)`.

    :math:`g(z) = -c\\,(2n-1)!!\\, z^{n-1}` (Table I). ``n = 2`` is the quartic potential of Fig. 2;
    ``n = 1`` is a spring of stiffness ``c`` (g constant, ERRATA D5).
    """

    n: int = 2
    c: float = 1.0
    kernel_code = KERNEL_POLYNOMIAL

    def __post_init__(self):
        object.__setattr__(self, "n", positive_int("n", self.n))
        object.__setattr__(self, "c", real("c", self.c))

    def f(self, z):
        z = np.asarray(z, dtype=float)
        return -self.c * z ** (2 * self.n - 1)

    def V(self, z):
        z = np.asarray(z, dtype=float)
        return self.c * z ** (2 * self.n) / (2 * self.n)

    def g(self, z):
        z = _variance(z)
        return -self.c * double_factorial(2 * self.n - 1) * z ** (self.n - 1)

    def g_prime(self, z):
        z = _variance(z)
        if self.n == 1:
            return np.zeros_like(z)
        return -self.c * double_factorial(2 * self.n - 1) * (self.n - 1) * z ** (self.n - 2)

    @property
    def is_linear(self) -> bool:
        return self.n == 1 or self.c == 0.0

    @property
    def kernel_params(self) -> np.ndarray:
        p = np.zeros(2 * self.n, dtype=np.float64)
        p[2 * self.n - 1] = -self.c
        return p

    @property
    def label(self) -> str:
        pre = "" if self.c == 1.0 else _lab(self.c) + r"\,"
        return rf"$V = {pre}z^{{{2 * self.n}}}/{2 * self.n}$"

    def __repr__(self) -> str:
        return f"power({self.n})" if self.c == 1.0 else f"power({self.n}, c={_fmt(self.c)})"


@dataclass(frozen=True, repr=False)
class Cosine(Force):
    """Sinusoidal (Frenkel-Kontorova) force :math:`f = -A \\sin(Kz)`, :math:`V = -A\\cos(Kz)/K`.

    :math:`g(z) = -A K e^{-K^2 z/2}` (Table I, with ``A = 1``).
    """

    K: float = 1.0
    A: float = 1.0
    kernel_code = KERNEL_SINE

    def __post_init__(self):
        object.__setattr__(self, "K", real("K", self.K, lo=0.0, lo_open=True))
        object.__setattr__(self, "A", real("A", self.A))

    def f(self, z):
        return -self.A * np.sin(self.K * np.asarray(z, dtype=float))

    def V(self, z):
        return -self.A * np.cos(self.K * np.asarray(z, dtype=float)) / self.K

    def g(self, z):
        z = _variance(z)
        return -self.A * self.K * np.exp(-0.5 * self.K**2 * z)

    def g_prime(self, z):
        z = _variance(z)
        return 0.5 * self.A * self.K**3 * np.exp(-0.5 * self.K**2 * z)

    @property
    def is_linear(self) -> bool:
        return self.A == 0.0

    @property
    def kernel_params(self) -> np.ndarray:
        return np.array([self.K, self.A], dtype=np.float64)

    @property
    def label(self) -> str:
        a = "" if self.A == 1.0 else _lab(self.A) + r"\,"
        if self.K == 1.0:
            return rf"$V = -{a}\cos z$"
        return rf"$V = -{a}\cos({_lab(self.K)} z)/{_lab(self.K)}$"

    def __repr__(self) -> str:
        return f"cosine(K={_fmt(self.K)}, A={_fmt(self.A)})"


@dataclass(frozen=True, repr=False)
class Cosh(Force):
    """Hyperbolic force :math:`f = -A \\sinh(Kz)`, :math:`V = A\\cosh(Kz)/K`.

    :math:`g(z) = -A K e^{K^2 z/2}` (Table I, with ``A = 1``).
    """

    K: float = 1.0
    A: float = 1.0
    kernel_code = KERNEL_SINH

    def __post_init__(self):
        object.__setattr__(self, "K", real("K", self.K, lo=0.0, lo_open=True))
        object.__setattr__(self, "A", real("A", self.A))

    def f(self, z):
        return -self.A * np.sinh(self.K * np.asarray(z, dtype=float))

    def V(self, z):
        return self.A * np.cosh(self.K * np.asarray(z, dtype=float)) / self.K

    def g(self, z):
        z = _variance(z)
        return -self.A * self.K * np.exp(0.5 * self.K**2 * z)

    def g_prime(self, z):
        z = _variance(z)
        return -0.5 * self.A * self.K**3 * np.exp(0.5 * self.K**2 * z)

    @property
    def is_linear(self) -> bool:
        return self.A == 0.0

    @property
    def kernel_params(self) -> np.ndarray:
        return np.array([self.K, self.A], dtype=np.float64)

    @property
    def label(self) -> str:
        a = "" if self.A == 1.0 else _lab(self.A) + r"\,"
        if self.K == 1.0:
            return rf"$V = {a}\cosh z$"
        return rf"$V = {a}\cosh({_lab(self.K)} z)/{_lab(self.K)}$"

    def __repr__(self) -> str:
        return f"cosh(K={_fmt(self.K)}, A={_fmt(self.A)})"


@dataclass(frozen=True, repr=False)
class Polynomial(Force):
    """Polynomial force :math:`f(z) = \\sum_{n \\ge 0} c_n z^n` (``coeffs = (c0, c1, ...)``).

    :math:`g(z) = \\sum_{n\\ \\mathrm{odd}} c_n\\, n!!\\, z^{(n-1)/2}` (Eq. (A31); only odd powers
    contribute, ERRATA D4). :math:`V(z) = -\\sum_n c_n z^{n+1}/(n+1)`.
    """

    coeffs: tuple = (0.0,)
    kernel_code = KERNEL_POLYNOMIAL

    def __post_init__(self):
        c = self.coeffs
        if isinstance(c, (str, bytes)) or not hasattr(c, "__len__"):
            raise ValueError(f"coeffs must be a sequence of real numbers (c0, c1, ...), got {c!r}")
        if len(c) == 0:
            raise ValueError("coeffs must hold at least one coefficient, got an empty sequence")
        vals = tuple(real(f"coeffs[{i}]", x) for i, x in enumerate(c))
        object.__setattr__(self, "coeffs", vals)

    def f(self, z):
        z = np.asarray(z, dtype=float)
        return np.polynomial.polynomial.polyval(z, self.coeffs)

    def V(self, z):
        z = np.asarray(z, dtype=float)
        integ = (0.0,) + tuple(-c / (n + 1) for n, c in enumerate(self.coeffs))
        return np.polynomial.polynomial.polyval(z, integ)

    def g(self, z):
        z = _variance(z)
        out = np.zeros_like(z)
        for n, c in enumerate(self.coeffs):
            if n % 2 == 1 and c != 0.0:
                out = out + c * double_factorial(n) * z ** ((n - 1) // 2)
        return out

    def g_prime(self, z):
        z = _variance(z)
        out = np.zeros_like(z)
        for n, c in enumerate(self.coeffs):
            if n % 2 == 1 and n >= 3 and c != 0.0:
                p = (n - 1) // 2
                out = out + c * double_factorial(n) * p * z ** (p - 1)
        return out

    @property
    def is_linear(self) -> bool:
        return all(c == 0.0 for c in self.coeffs[2:])

    @property
    def kernel_params(self) -> np.ndarray:
        return np.array(self.coeffs, dtype=np.float64)

    @property
    def label(self) -> str:
        out = ""
        for n, c in enumerate(self.coeffs):
            if c == 0.0:
                continue
            mag = "" if (abs(c) == 1.0 and n > 0) else _lab(abs(c))
            mono = "" if n == 0 else ("z" if n == 1 else f"z^{{{n}}}")
            sign = ("-" if c < 0 else "") if not out else (" - " if c < 0 else " + ")
            out += sign + mag + mono
        return "$f = " + (out or "0") + "$"

    def __repr__(self) -> str:
        return "polynomial([" + ", ".join(_fmt(c) for c in self.coeffs) + "])"


@dataclass(frozen=True, repr=False)
class Linear(Force):
    """Linear (spring) force :math:`f = -c z`, :math:`V = c z^2/2`; ``c = 0`` means no force.

    Same convention as :func:`power` with ``n = 1``: :math:`g = -c` is a constant, which only shifts
    the stiffness, :math:`k_j \\to k_j + \\varepsilon c`, so it cannot rectify (ERRATA D5). ``c`` may
    have either sign.
    """

    c: float = 0.0

    def __post_init__(self):
        object.__setattr__(self, "c", real("c", self.c))

    @property
    def kernel_code(self) -> int:  # type: ignore[override]
        return KERNEL_NONE if self.c == 0.0 else KERNEL_POLYNOMIAL

    def f(self, z):
        return -self.c * np.asarray(z, dtype=float)

    def V(self, z):
        z = np.asarray(z, dtype=float)
        return 0.5 * self.c * z * z

    def g(self, z):
        z = _variance(z)
        return np.full_like(z, 0.0 - self.c)

    def g_prime(self, z):
        return np.zeros_like(_variance(z))

    @property
    def is_linear(self) -> bool:
        return True

    @property
    def kernel_params(self) -> np.ndarray:
        if self.c == 0.0:
            return np.zeros(0, dtype=np.float64)
        return np.array([0.0, -self.c], dtype=np.float64)

    @property
    def label(self) -> str:
        return "no force" if self.c == 0.0 else rf"$V = {_lab(self.c)}\, z^2/2$"

    def __repr__(self) -> str:
        return "linear(c=0)" if self.c == 0.0 else f"linear(c={_fmt(self.c)})"


def power(n: int = 2, c: float = 1.0) -> Power:
    """:math:`V = c z^{2n}/(2n)`, :math:`f = -c z^{2n-1}`, :math:`g = -c (2n-1)!! z^{n-1}` (Table I)."""
    return Power(n=n, c=c)


def cosine(K: float = 1.0, A: float = 1.0) -> Cosine:
    """:math:`V = -A \\cos(Kz)/K`, :math:`f = -A\\sin(Kz)`, :math:`g = -AK e^{-K^2 z/2}` (Table I)."""
    return Cosine(K=K, A=A)


def cosh(K: float = 1.0, A: float = 1.0) -> Cosh:
    """:math:`V = A \\cosh(Kz)/K`, :math:`f = -A\\sinh(Kz)`, :math:`g = -AK e^{K^2 z/2}` (Table I)."""
    return Cosh(K=K, A=A)


def polynomial(coeffs) -> Polynomial:
    """:math:`f = \\sum_n c_n z^n` from ``coeffs = (c0, c1, ...)``; g from Eq. (A31)."""
    if isinstance(coeffs, np.ndarray):
        coeffs = coeffs.tolist()
    if isinstance(coeffs, numbers.Real):
        coeffs = (coeffs,)
    return Polynomial(coeffs=tuple(coeffs) if hasattr(coeffs, "__iter__") and not isinstance(coeffs, (str, bytes)) else coeffs)


def linear(c: float = 0.0) -> Linear:
    """Spring force :math:`f = -c z` (``c = 0``: no force)."""
    return Linear(c=c)


def as_force(x, name: str = "f") -> Force:
    """Normalise ``None`` (no force) or a force object; anything else raises ``ValueError``."""
    if x is None:
        return Linear(0.0)
    if isinstance(x, Force):
        return x
    raise ValueError(
        f"{name} must be None or a thermolib.forces force (power, cosine, cosh, polynomial, linear), "
        f"got {x!r} ({type(x).__name__})"
    )
