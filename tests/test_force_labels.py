"""The LaTeX of Table I (``Force.f_label``, ``Force.g_label``) says what the force computes.

The labels are what the diode model chapter prints as Table I, so they are checked against the
numbers: each label, read back as a formula, must give ``f(z)`` and ``g(z)`` of its force.
"""
import re

import numpy as np
import pytest

from thermolib import forces as F

FORCES = [F.power(1), F.power(2), F.power(3), F.power(4, c=0.5), F.power(2, c=-1.5),
          F.cosine(), F.cosine(K=1.3, A=0.7), F.cosine(K=2.0, A=-1.0), F.cosh(), F.cosh(K=0.5),
          F.polynomial([0.3, -1.0, 0.5, -0.2]), F.polynomial([0.0, 0.0, 0.0, 0.0, 0.0, -1.0]),
          F.polynomial([2.0]), F.linear(0.8), F.linear(-0.3), F.linear(0.0)]


def evaluate(latex: str, z: np.ndarray) -> np.ndarray:
    """Read a label back as a formula (only the constructs the labels use)."""
    s = latex.replace(r"\,", "*").replace(r"\sinh", "sinh").replace(r"\sin", "sin")
    s = re.sub(r"(sinh|sin) z", r"\1(z)", s)
    s = s.replace("e^{", "exp(").replace("^{", "**(").replace("}", ")")
    s = re.sub(r"(\d)z", r"\1*z", s)
    return np.broadcast_to(eval(s, {"exp": np.exp, "sin": np.sin, "sinh": np.sinh, "z": z}), z.shape)


@pytest.mark.parametrize("force", FORCES, ids=repr)
def test_labels_evaluate_to_the_force_and_to_g(force):
    z = np.linspace(0.0, 2.5, 11)
    # 4 significant digits in the labels: 1e-3 relative, plus an absolute floor where g crosses 0
    np.testing.assert_allclose(evaluate(force.f_label, z), force.f(z), rtol=1e-3, atol=1e-12)
    np.testing.assert_allclose(evaluate(force.g_label, z), force.g(z), rtol=1e-3, atol=1e-12)


def test_table_one_as_printed_by_the_paper():
    assert (F.power(2).f_label, F.power(2).g_label) == ("-z^{3}", "-3z")
    assert (F.power(3).f_label, F.power(3).g_label) == ("-z^{5}", "-15z^{2}")
    assert (F.cosine().f_label, F.cosine().g_label) == (r"-\sin z", "-e^{-z/2}")
    assert (F.cosh().f_label, F.cosh().g_label) == (r"-\sinh z", "-e^{z/2}")


def test_even_powers_and_constants_do_not_enter_g():
    """ERRATA D4: (A31) sums over odd powers only."""
    assert F.polynomial([0.3, -1.0, 0.5, -0.2]).g_label == "-1 - 0.6z"
    assert F.polynomial([2.0, 0.0, 5.0]).g_label == "0"
