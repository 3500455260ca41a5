"""On-site forces of the diode paper: Table I, Gaussian integration by parts (ERRATA D4), numba contract."""
import dataclasses
import math

import numpy as np
import pytest

from thermolib import forces as F

# Gauss-Hermite (probabilists') nodes: E[h(X)] for X ~ N(0, z) = sum w h(sqrt(z) x) / sqrt(2 pi).
# 120 nodes integrate polynomials up to degree 239 exactly and sin/sinh/cos to ~1e-15 for K^2 z <~ 10.
_X, _W = np.polynomial.hermite_e.hermegauss(120)
_W = _W / math.sqrt(2 * math.pi)


def gauss_mean(h, z):
    return float(np.sum(_W * h(math.sqrt(z) * _X)))


# (force, f' in closed form, written out here independently of the library)
CASES = [
    (F.power(1), lambda x: -1.0 + 0 * x),
    (F.power(2), lambda x: -3 * x**2),
    (F.power(3, c=0.5), lambda x: -0.5 * 5 * x**4),
    (F.power(4, c=-2.0), lambda x: 2.0 * 7 * x**6),
    (F.cosine(), lambda x: -np.cos(x)),
    (F.cosine(K=2.0, A=0.3), lambda x: -0.3 * 2.0 * np.cos(2.0 * x)),
    (F.cosh(), lambda x: -np.cosh(x)),
    (F.cosh(K=0.7, A=1.5), lambda x: -1.5 * 0.7 * np.cosh(0.7 * x)),
    (F.polynomial([0.4, -1.0, 0.7, -2.0, 0.3, 0.05]),
     lambda x: -1.0 + 1.4 * x - 6.0 * x**2 + 1.2 * x**3 + 0.25 * x**4),
    (F.linear(0.25), lambda x: -0.25 + 0 * x),
    (F.linear(), lambda x: 0 * x),
]
IDS = [repr(c[0]) for c in CASES]
ZS = [0.05, 0.4, 1.0, 2.3]


@pytest.mark.parametrize("force,fprime", CASES, ids=IDS)
def test_table_I_g_equals_gaussian_mean_of_f_prime(force, fprime):
    # Table I / Eq. (A31): g(z) = <f'(X)>, X ~ N(0, z); 1e-12: quadrature is exact to rounding here.
    for z in ZS:
        assert force.g(z) == pytest.approx(gauss_mean(fprime, z), rel=1e-12, abs=1e-13)


@pytest.mark.parametrize("force,fprime", CASES, ids=IDS)
def test_gaussian_integration_by_parts_D4(force, fprime):
    # ERRATA D4: g(z) = <X f(X)>/z, which needs only f (independent of the closed form and of f').
    for z in ZS:
        direct = gauss_mean(lambda x: x * force.f(x), z) / z
        assert force.g(z) == pytest.approx(direct, rel=1e-12, abs=1e-13)
        assert force.g_quadrature(z) == pytest.approx(direct, rel=1e-12, abs=1e-13)


@pytest.mark.parametrize("force,fprime", CASES, ids=IDS)
def test_force_is_minus_gradient_of_potential(force, fprime):
    z = np.linspace(-1.5, 1.5, 13)
    h = 1e-5
    dV = (force.V(z + h) - force.V(z - h)) / (2 * h)  # central difference, error ~h^2 V''' ~ 1e-9
    np.testing.assert_allclose(force.f(z), -dV, rtol=1e-7, atol=1e-8)
    fd = (force.f(z + h) - force.f(z - h)) / (2 * h)
    np.testing.assert_allclose(fd, fprime(z), rtol=1e-7, atol=1e-8)


@pytest.mark.parametrize("force,fprime", CASES, ids=IDS)
def test_g_prime_is_derivative_of_g(force, fprime):
    z = np.array([0.3, 0.9, 1.7])
    h = 1e-5
    fd = (force.g(z + h) - force.g(z - h)) / (2 * h)
    np.testing.assert_allclose(force.g_prime(z), fd, rtol=1e-7, atol=1e-8)


def test_table_I_power_law_row():
    # Table I: f = -z^(2n-1) -> g = -(2n-1)!! z^(n-1)
    for n in range(1, 6):
        for z in (0.5, 1.0, 2.0):
            assert F.power(n).g(z) == pytest.approx(-F.double_factorial(2 * n - 1) * z ** (n - 1), rel=1e-14)
    assert F.double_factorial(7) == 105 and F.double_factorial(6) == 48 and F.double_factorial(-1) == 1


def test_even_powers_and_constants_do_not_contribute_D4():
    # ERRATA D4: (A31) sums over odd powers only.
    f = F.polynomial([3.0, 0.0, -2.0, 0.0, 5.0])
    np.testing.assert_allclose(f.g(np.array([0.1, 1.0, 4.0])), 0.0, atol=0)
    assert f.g_quadrature(1.3) == pytest.approx(0.0, abs=1e-12)


def test_sine_and_sinh_rows_of_table_I():
    for z in (0.2, 1.0, 3.0):
        assert F.cosine().g(z) == pytest.approx(-math.exp(-z / 2), rel=1e-15)
        assert F.cosh().g(z) == pytest.approx(-math.exp(z / 2), rel=1e-15)
        assert F.cosine(K=2).g(z) == pytest.approx(-2 * math.exp(-4 * z / 2), rel=1e-15)


def test_linear_force_gives_constant_g_of_either_sign_D5():
    # ERRATA D5: a linear force (n = 1) gives a constant g, which can have either sign.
    assert F.linear(0.3).g(2.0) == pytest.approx(-0.3)
    assert F.linear(-0.3).g(2.0) == pytest.approx(0.3)
    assert F.power(1, c=0.3).g(0.7) == F.linear(0.3).g(5.0)
    assert F.power(1).is_linear and F.linear(0.2).is_linear and not F.power(2).is_linear
    assert F.polynomial([1.0, -2.0]).is_linear and not F.cosine().is_linear


# ------------------------------------------------------------------ numba contract
def _kernel_force(code, params, z):
    """Reference implementation of the simulator contract (what a kernel must compute)."""
    if code == 0:
        return 0.0 * z
    if code == 1:
        return np.polynomial.polynomial.polyval(z, params)
    if code == 2:
        return -params[1] * np.sin(params[0] * z)
    if code == 3:
        return -params[1] * np.sinh(params[0] * z)
    raise AssertionError(code)


@pytest.mark.parametrize("force,fprime", CASES, ids=IDS)
def test_kernel_contract_reproduces_f(force, fprime):
    p = force.kernel_params
    assert isinstance(force.kernel_code, int) and force.kernel_code in (0, 1, 2, 3)
    assert isinstance(p, np.ndarray) and p.dtype == np.float64 and p.ndim == 1
    z = np.linspace(-2, 2, 9)
    np.testing.assert_allclose(_kernel_force(force.kernel_code, p, z), force.f(z), rtol=1e-14, atol=1e-14)


def test_kernel_codes():
    assert F.linear().kernel_code == 0 and F.as_force(None).kernel_code == 0
    assert F.power(2).kernel_code == 1
    np.testing.assert_array_equal(F.power(2, c=0.5).kernel_params, [0, 0, 0, -0.5])
    assert F.cosine(K=2, A=3).kernel_code == 2
    np.testing.assert_array_equal(F.cosine(K=2, A=3).kernel_params, [2.0, 3.0])
    assert F.cosh(K=2, A=3).kernel_code == 3
    assert F.polynomial([0, 1]).kernel_code == 1


# ------------------------------------------------------------------ objects, validation
@pytest.mark.parametrize("force,fprime", CASES, ids=IDS)
def test_repr_round_trips_and_objects_are_frozen(force, fprime):
    ns = {k: getattr(F, k) for k in ("power", "cosine", "cosh", "polynomial", "linear")}
    assert eval(repr(force), ns) == force
    assert isinstance(force.label, str) and force.label
    with pytest.raises(dataclasses.FrozenInstanceError):
        force.c = 2.0


def test_reprs_are_short_legend_text():
    assert repr(F.power(2)) == "power(2)"
    assert repr(F.power(3, c=0.5)) == "power(3, c=0.5)"
    assert repr(F.cosine()) == "cosine(K=1, A=1)"
    assert F.power(2).label == "$V = z^{4}/4$"
    assert F.cosine().label == r"$V = -\cos z$"


def test_as_force():
    assert F.as_force(None) == F.linear(0)
    q = F.power(2)
    assert F.as_force(q) is q
    with pytest.raises(ValueError, match="f_A"):
        F.as_force("quartic", "f_A")
    with pytest.raises(ValueError, match="f_B"):
        F.as_force(lambda z: -z**3, "f_B")


@pytest.mark.parametrize("make,name", [
    (lambda: F.power(0), "n"),
    (lambda: F.power(2.5), "n"),
    (lambda: F.power(True), "n"),
    (lambda: F.power(2, c=float("nan")), "c"),
    (lambda: F.cosine(K=0), "K"),
    (lambda: F.cosh(K=-1), "K"),
    (lambda: F.cosine(A="1"), "A"),
    (lambda: F.polynomial([]), "coeffs"),
    (lambda: F.polynomial([1.0, "x"]), r"coeffs\[1\]"),
    (lambda: F.polynomial("123"), "coeffs"),
    (lambda: F.linear(c=None), "c"),
])
def test_bad_parameters_raise_naming_the_parameter(make, name):
    with pytest.raises(ValueError, match=name):
        make()


def test_g_needs_a_variance():
    with pytest.raises(ValueError, match="z"):
        F.power(2).g(-0.1)
    with pytest.raises(ValueError, match="z"):
        F.cosine().g(np.array([1.0, np.inf]))


def test_vectorised_g():
    z = np.array([[0.1, 0.2], [0.3, 0.4]])
    for force, _ in CASES:
        out = force.g(z)
        assert np.shape(out) == z.shape
        np.testing.assert_allclose(out, [[force.g(v) for v in row] for row in z], rtol=1e-15)


# ------------------------------------------------------------------ one implementation, safe ranges
def test_cosine_and_cosh_are_one_implementation_with_opposite_curvature():
    # sin'' = -sin, sinh'' = +sinh: g, g' and V of the two differ only by the sign h
    z = np.array([0.0, 0.3, 1.7])
    c, h = F.cosine(K=1.3, A=0.7), F.cosh(K=1.3, A=0.7)
    np.testing.assert_allclose(c.g(z), -0.7 * 1.3 * np.exp(-0.5 * 1.3**2 * z), rtol=1e-15)
    np.testing.assert_allclose(h.g(z), -0.7 * 1.3 * np.exp(+0.5 * 1.3**2 * z), rtol=1e-15)
    np.testing.assert_allclose(c.g_prime(z), -0.5 * 1.3**2 * c.g(z), rtol=1e-15)
    np.testing.assert_allclose(h.g_prime(z), +0.5 * 1.3**2 * h.g(z), rtol=1e-15)
    assert type(c).__mro__[1] is type(h).__mro__[1]  # one shared implementation
    assert c != h and repr(h) == "cosh(K=1.3, A=0.7)" and c.kernel_code != h.kernel_code


def test_force_base_class_is_abstract():
    with pytest.raises(TypeError):
        F.Force()


def test_large_powers_are_exact_or_refused():
    # issue 12: power(200).g(.5) raised OverflowError (the int (2n-1)!! times a float array)
    with pytest.raises(ValueError, match="n"):
        F.power(200)
    from fractions import Fraction

    f = F.power(100)
    exact = -Fraction(F.double_factorial(199)) * Fraction(0.5) ** 99
    assert f.g(0.5) == pytest.approx(float(exact), rel=1e-13)
    # z^99 alone underflows (1e-396) though g = -(199!!) z^99 ~ -1e-209 does not: logarithms
    assert f.g(1e-4) == pytest.approx(float(-Fraction(F.double_factorial(199)) * Fraction(1e-4) ** 99),
                                      rel=1e-12)
    with pytest.raises(ValueError, match="double precision"):
        f.g(100.0)  # 1e187 * 100^99 = 1e385


@pytest.mark.parametrize("call", [lambda: F.power(2).f(1e300), lambda: F.cosh().g(1e4),
                                  lambda: F.power(2, c=1e300).g(1e10), lambda: F.cosh(K=800).V(1.0)])
def test_results_outside_double_precision_are_refused(call):
    with pytest.raises(ValueError, match="z"):
        call()


@pytest.mark.parametrize("call,name", [
    (lambda: F.cosine().f("1"), "z"), (lambda: F.power(2).g(True), "z"), (lambda: F.cosine(K="1"), "K"),
    (lambda: F.polynomial("1, 2"), "coeffs"), (lambda: F.polynomial(np.zeros((2, 2))), "coeffs"),
    (lambda: F.polynomial([0.0] * 300), "coeffs"), (lambda: F.as_force(1.0, "f_A"), "f_A"),
])
def test_bad_input_is_refused_naming_the_parameter(call, name):
    with pytest.raises(ValueError, match=name):
        call()
