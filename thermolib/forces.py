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
LaTeX ``label`` (the potential, for legends), ``f_label`` and ``g_label`` (the entries of Table I, without
``$``) and the numba contract used by :mod:`thermolib.sim`:

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
from abc import ABC, abstractmethod
from dataclasses import dataclass

import numpy as np

from ._validation import ParameterTypeError, finite_result, integer, real, real_array

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
    "POWER_N_MAX",
    "POLYNOMIAL_TERMS_MAX",
]

KERNEL_NONE, KERNEL_POLYNOMIAL, KERNEL_SINE, KERNEL_SINH = 0, 1, 2, 3

#: Largest exponent n of :func:`power` (a z^200 potential): (2n-1)!! is then ~1e187, and beyond it
#: every quantity of the force overflows double precision already at |z| ~ 2.
POWER_N_MAX = 100
#: Most coefficients of a :func:`polynomial` (degree <= 200, the same range as POWER_N_MAX).
POLYNOMIAL_TERMS_MAX = 201


def double_factorial(n: int) -> int:
    """:math:`n!! = n (n-2) (n-4) \\cdots`, with ``(-1)!! = 0!! = 1`` (exact integer, ``-1 <= n <= 10**4``)."""
    n = integer("n", n, lo=-1, hi=10**4)
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


def _poly_latex(coeffs) -> str:
    """LaTeX of the polynomial :math:`\\sum_n c_n z^n` from ``(c0, c1, ...)`` (zero terms omitted)."""
    out = ""
    for n, c in enumerate(coeffs):
        if c == 0.0:
            continue
        mag = "" if (abs(c) == 1.0 and n > 0) else _lab(abs(c))
        mono = "" if n == 0 else ("z" if n == 1 else f"z^{{{n}}}")
        sign = ("-" if c < 0 else "") if not out else (" - " if c < 0 else " + ")
        out += sign + mag + mono
    return out or "0"


def _variance(z) -> np.ndarray:
    # g is a function of a variance: must be >= 0.
    return real_array("z", z, lo=0.0)


def _position(z) -> np.ndarray:
    return real_array("z", z)


def _checked(force, what, value, z):
    """``value`` (a scalar as float) if finite, else a ValueError naming the force and z."""
    finite_result(f"{what} of {force!r}", value, f"z = {np.asarray(z).ravel()[:3].tolist()}")
    value = np.asarray(value, dtype=float)
    return float(value) if value.ndim == 0 else value




class Force(ABC):
    """Base class of the on-site forces (abstract: use :func:`power`, :func:`cosine`...)."""

    kernel_code: int = KERNEL_NONE

    # --- to be provided by subclasses -------------------------------------------------------
    @abstractmethod
    def f(self, z):
        """The force :math:`f(z)`."""

    @abstractmethod
    def V(self, z):
        """The nonlinear potential :math:`V^{nl}(z)` with :math:`f = -V'`, :math:`V(0)` as in Table I."""

    @abstractmethod
    def g(self, z):
        """:math:`g(z) = \\langle f'(X) \\rangle`, :math:`X \\sim N(0, z)` (Table I, Eq. (A31))."""

    @abstractmethod
    def g_prime(self, z):
        """:math:`\\mathrm d g / \\mathrm d z` (enters the rectification, ERRATA D6)."""

    @property
    @abstractmethod
    def kernel_params(self) -> np.ndarray:
        """The float64 parameters of the numba kernel (see the module docstring)."""

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
        order = integer("order", order, lo=1, hi=400)
        x, w = np.polynomial.hermite_e.hermegauss(order)  # weight exp(-x^2/2)
        w = w / math.sqrt(2.0 * math.pi)
        zz = np.where(z > 0, z, 1e-12)
        s = np.sqrt(zz)[..., None]
        with np.errstate(all="ignore"):
            out = np.sum(w * (s * x) * self.f(s * x), axis=-1) / zz
        return _checked(self, "g_quadrature", out, z)

    def __call__(self, z):
        return self.f(z)


@dataclass(frozen=True, repr=False)
class Power(Force):
    """Power-law force :math:`f(z) = -c\\, z^{2n-1}`, :math:`V(z) = c\\, z^{2n}/(2n)`.

    :math:`g(z) = -c\\,(2n-1)!!\\, z^{n-1}` (Table I). ``n = 2`` is the quartic potential of Fig. 2;
    ``n = 1`` is a spring of stiffness ``c`` (g constant, ERRATA D5). ``1 <= n <= POWER_N_MAX``.
    """

    n: int = 2
    c: float = 1.0
    kernel_code = KERNEL_POLYNOMIAL

    def __post_init__(self):
        object.__setattr__(self, "n", integer("n", self.n, lo=1, hi=POWER_N_MAX))
        object.__setattr__(self, "c", real("c", self.c))

    def f(self, z):
        z = _position(z)
        with np.errstate(all="ignore"):
            return _checked(self, "f", -self.c * z ** (2 * self.n - 1), z)

    def V(self, z):
        z = _position(z)
        with np.errstate(all="ignore"):
            return _checked(self, "V", self.c * z ** (2 * self.n) / (2 * self.n), z)

    def _moment(self, what, z, power, factor):
        """``-c factor (2n-1)!! z**power`` for variances z >= 0, also where a factor alone
        over- or underflows double precision (then evaluated in logarithms)."""
        z = _variance(z)
        if self.c == 0.0 or factor == 0:
            return _checked(self, what, np.zeros_like(z), z)
        d = double_factorial(2 * self.n - 1)
        with np.errstate(all="ignore"):
            out = (-self.c * factor * float(d)) * z**power
            bad = ~np.isfinite(out) | ((out == 0.0) & (z > 0.0))
            if np.any(bad):
                logs = math.log(abs(self.c)) + math.log(factor) + math.log(d) + power * np.log(z)
                out = np.where(bad, -math.copysign(1.0, self.c) * np.exp(logs), out)
        return _checked(self, what, out, z)

    def g(self, z):
        return self._moment("g", z, self.n - 1, 1)

    def g_prime(self, z):
        return self._moment("g_prime", z, self.n - 2, self.n - 1)

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

    @property
    def f_label(self) -> str:
        """LaTeX of :math:`f(z)` (no ``$``), e.g. ``-z^{3}``: the force column of Table I."""
        return _poly_latex([0.0] * (2 * self.n - 1) + [-self.c])

    @property
    def g_label(self) -> str:
        """LaTeX of :math:`g(z) = -c\\,(2n-1)!!\\,z^{n-1}` with the numbers of this force (Table I)."""
        return _poly_latex([0.0] * (self.n - 1) + [-self.c * float(double_factorial(2 * self.n - 1))])

    def __repr__(self) -> str:
        return f"power({self.n})" if self.c == 1.0 else f"power({self.n}, c={_fmt(self.c)})"


@dataclass(frozen=True, repr=False)
class _Wave(Force):
    """Shared implementation of :class:`Cosine` and :class:`Cosh`: :math:`f = -A\\, s(Kz)` with
    :math:`s = \\sin` (``_h = +1``) or :math:`\\sinh` (``_h = -1``). Since :math:`s'' = -h\\, s`,

    .. math:: V = -h A\\, c(Kz)/K, \\qquad g(z) = \\langle f'(X)\\rangle = -A K\\, e^{-h K^2 z/2},
              \\qquad g'(z) = \\tfrac{h}{2} A K^3 e^{-h K^2 z/2},

    with :math:`c = \\cos` or :math:`\\cosh` (:math:`\\langle\\cos KX\\rangle = e^{-K^2z/2}`,
    :math:`\\langle\\cosh KX\\rangle = e^{K^2z/2}` for :math:`X \\sim N(0, z)`).
    """

    K: float = 1.0
    A: float = 1.0
    _h = 1.0
    _s = staticmethod(np.sin)
    _c = staticmethod(np.cos)
    _name = "cosine"
    _latex = r"\cos"

    def __post_init__(self):
        object.__setattr__(self, "K", real("K", self.K, lo=0.0, lo_open=True))
        object.__setattr__(self, "A", real("A", self.A))

    def f(self, z):
        z = _position(z)
        with np.errstate(all="ignore"):
            return _checked(self, "f", -self.A * self._s(self.K * z), z)

    def V(self, z):
        z = _position(z)
        with np.errstate(all="ignore"):
            return _checked(self, "V", -self._h * self.A * self._c(self.K * z) / self.K, z)

    def g(self, z):
        z = _variance(z)
        with np.errstate(all="ignore"):
            return _checked(self, "g", -self.A * self.K * np.exp(-0.5 * self._h * self.K**2 * z), z)

    def g_prime(self, z):
        z = _variance(z)
        with np.errstate(all="ignore"):
            return _checked(self, "g_prime", 0.5 * self._h * self.A * self.K**3
                            * np.exp(-0.5 * self._h * self.K**2 * z), z)

    @property
    def is_linear(self) -> bool:
        return self.A == 0.0

    @property
    def kernel_params(self) -> np.ndarray:
        return np.array([self.K, self.A], dtype=np.float64)

    @property
    def label(self) -> str:
        sign = "-" if self._h > 0 else ""
        a = "" if self.A == 1.0 else _lab(self.A) + r"\,"
        if self.K == 1.0:
            return rf"$V = {sign}{a}{self._latex} z$"
        return rf"$V = {sign}{a}{self._latex}({_lab(self.K)} z)/{_lab(self.K)}$"

    @staticmethod
    def _times(c: float) -> str:
        """Prefix for a coefficient ``c`` in front of a function: ``-``, ``''`` or ``-0.7\\,``."""
        return "-" if c == -1.0 else "" if c == 1.0 else _lab(c) + r"\,"

    @property
    def f_label(self) -> str:
        """LaTeX of :math:`f(z) = -A\\,s(Kz)` (no ``$``), e.g. ``-\\sin z``."""
        arg = " z" if self.K == 1.0 else rf"({_lab(self.K)}\,z)"
        return self._times(-self.A) + (r"\sin" if self._h > 0 else r"\sinh") + arg

    @property
    def g_label(self) -> str:
        """LaTeX of :math:`g(z) = -AK\\,e^{\\mp K^2 z/2}` with the numbers of this force (Table I)."""
        rate = 0.5 * self.K**2
        z = "z/2" if rate == 0.5 else rf"{_lab(rate)}\,z"
        return rf"{self._times(-self.A * self.K)}e^{{{'-' if self._h > 0 else ''}{z}}}"

    def __repr__(self) -> str:
        return f"{self._name}(K={_fmt(self.K)}, A={_fmt(self.A)})"


@dataclass(frozen=True, repr=False)
class Cosine(_Wave):
    """Sinusoidal (Frenkel-Kontorova) force :math:`f = -A \\sin(Kz)`, :math:`V = -A\\cos(Kz)/K`.

    :math:`g(z) = -A K e^{-K^2 z/2}` (Table I, with ``A = 1``).
    """

    kernel_code = KERNEL_SINE


@dataclass(frozen=True, repr=False)
class Cosh(_Wave):
    """Hyperbolic force :math:`f = -A \\sinh(Kz)`, :math:`V = A\\cosh(Kz)/K`.

    :math:`g(z) = -A K e^{K^2 z/2}` (Table I, with ``A = 1``).
    """

    kernel_code = KERNEL_SINH
    _h = -1.0
    _s = staticmethod(np.sinh)
    _c = staticmethod(np.cosh)
    _name = "cosh"
    _latex = r"\cosh"


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
        if isinstance(c, (str, bytes)) or not hasattr(c, "__len__") or np.ndim(c) != 1:
            raise ParameterTypeError(f"coeffs must be a sequence of real numbers (c0, c1, ...), "
                                     f"got {c!r:.60} ({type(c).__name__})")
        if not 1 <= len(c) <= POLYNOMIAL_TERMS_MAX:
            raise ValueError(f"coeffs must hold 1 to {POLYNOMIAL_TERMS_MAX} coefficients "
                             f"(degree <= {POLYNOMIAL_TERMS_MAX - 1}), got {len(c)}")
        vals = tuple(real(f"coeffs[{i}]", x) for i, x in enumerate(c))
        object.__setattr__(self, "coeffs", vals)

    def f(self, z):
        z = _position(z)
        with np.errstate(all="ignore"):
            return _checked(self, "f", np.polynomial.polynomial.polyval(z, self.coeffs), z)

    def V(self, z):
        z = _position(z)
        integ = (0.0,) + tuple(-c / (n + 1) for n, c in enumerate(self.coeffs))
        with np.errstate(all="ignore"):
            return _checked(self, "V", np.polynomial.polynomial.polyval(z, integ), z)

    def _series(self, what, z, derivative):
        """:math:`\\sum_{n\\ odd} c_n n!! \\frac{d^k}{dz^k} z^{(n-1)/2}`, k = 0 or 1."""
        z = _variance(z)
        out = np.zeros_like(z)
        with np.errstate(all="ignore"):
            for n, c in enumerate(self.coeffs):
                p = (n - 1) // 2
                if n % 2 == 1 and c != 0.0 and (not derivative or p >= 1):
                    term = c * float(double_factorial(n)) * (p * z ** (p - 1) if derivative else z**p)
                    out = out + term
        return _checked(self, what, out, z)

    def g(self, z):
        return self._series("g", z, False)

    def g_prime(self, z):
        return self._series("g_prime", z, True)

    @property
    def is_linear(self) -> bool:
        return all(c == 0.0 for c in self.coeffs[2:])

    @property
    def kernel_params(self) -> np.ndarray:
        return np.array(self.coeffs, dtype=np.float64)

    @property
    def label(self) -> str:
        return f"$f = {self.f_label}$"

    @property
    def f_label(self) -> str:
        """LaTeX of :math:`f(z) = \\sum_n c_n z^n` (no ``$``)."""
        return _poly_latex(self.coeffs)

    @property
    def g_label(self) -> str:
        """LaTeX of :math:`g(z) = \\sum_{n\\ odd} c_n\\, n!!\\, z^{(n-1)/2}` with this force's numbers
        (Eq. (A31); even powers and the constant do not appear, ERRATA D4)."""
        g = [0.0] * ((len(self.coeffs) + 1) // 2)
        for n, c in enumerate(self.coeffs):
            if n % 2 == 1:
                g[(n - 1) // 2] = c * float(double_factorial(n))
        return _poly_latex(g)

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
        z = _position(z)
        with np.errstate(all="ignore"):
            return _checked(self, "f", -self.c * z, z)

    def V(self, z):
        z = _position(z)
        with np.errstate(all="ignore"):
            return _checked(self, "V", 0.5 * self.c * z * z, z)

    def g(self, z):
        z = _variance(z)
        return _checked(self, "g", np.full_like(z, 0.0 - self.c), z)

    def g_prime(self, z):
        z = _variance(z)
        return _checked(self, "g_prime", np.zeros_like(z), z)

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

    @property
    def f_label(self) -> str:
        """LaTeX of :math:`f(z) = -cz` (no ``$``)."""
        return _poly_latex([0.0, -self.c])

    @property
    def g_label(self) -> str:
        """LaTeX of the constant :math:`g = -c` (no ``$``)."""
        return _poly_latex([-self.c])

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
    """:math:`f = \\sum_n c_n z^n` from ``coeffs = (c0, c1, ...)`` (a sequence or 1-d array); g from
    Eq. (A31)."""
    if isinstance(coeffs, np.ndarray):
        if coeffs.ndim != 1:
            raise ValueError(f"coeffs must be one-dimensional, got shape {coeffs.shape}")
        coeffs = coeffs.tolist()
    if isinstance(coeffs, (numbers.Real, np.integer, np.floating)) and not isinstance(coeffs, bool):
        coeffs = (coeffs,)  # a constant force
    if isinstance(coeffs, (list, tuple)):
        coeffs = tuple(coeffs)
    return Polynomial(coeffs=coeffs)


def linear(c: float = 0.0) -> Linear:
    """Spring force :math:`f = -c z` (``c = 0``: no force)."""
    return Linear(c=c)


def as_force(x: Force | None, name: str = "x") -> Force:
    """Normalise ``None`` (no force) or a force object; anything else raises
    :class:`~thermolib._validation.ParameterTypeError` (a ``TypeError`` and a ``ValueError``)
    naming the parameter ``name`` (e.g. ``"f_A"`` when called by :class:`~thermolib.Diode`)."""
    if not isinstance(name, str):
        raise ParameterTypeError(f"name must be a str (the parameter named in messages), got {name!r:.60}")
    if x is None:
        return Linear(0.0)
    if isinstance(x, Force):
        return x
    raise ParameterTypeError(
        f"{name} must be None or a thermolib.forces force (power, cosine, cosh, polynomial, linear), "
        f"got {x!r:.60} ({type(x).__name__})"
    )
