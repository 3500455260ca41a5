"""scale_fit: the one-parameter law y = s f (used to calibrate a theory's error law)."""
import numpy as np
import pytest

from thermolib.stats import scale_fit


def test_exact_law_is_recovered_to_round_off():
    f = -np.linspace(0.1, 0.7, 9) ** 2
    fit = scale_fit(f, 0.3 * f, 0.01)
    assert fit.scale == pytest.approx(0.3, rel=1e-12)
    assert fit.chi2_per_dof < 1e-20 and fit.n == 9
    # no scatter: the error is the statistical one, 1 / sqrt(sum f^2 / sigma^2)
    assert fit.scale_err == pytest.approx(0.01 / np.sqrt(np.sum(f**2)), rel=1e-12)


def test_noisy_data_scatter_within_the_reported_error():
    # 200 independent data sets: the pulls (s - s_true) / s_err are standard normal
    rng = np.random.default_rng(5)
    f = np.linspace(0.2, 1.0, 12) ** 2
    sigma = 0.02 + 0.05 * f
    pulls = []
    for _ in range(200):
        fit = scale_fit(f, 0.4 * f + sigma * rng.standard_normal(f.size), sigma)
        pulls.append((fit.scale - 0.4) / fit.scale_err)
    pulls = np.array(pulls)
    assert abs(pulls.mean()) < 0.3 and 0.7 < pulls.std() < 1.1   # Birge inflation only widens


def test_a_wrong_shape_inflates_the_error():
    x = np.linspace(0.1, 1.0, 20)
    good = scale_fit(x**2, 0.5 * x**2, 0.001)
    bad = scale_fit(x**2, 0.5 * x, 0.001)         # the data follow x, not x^2
    assert bad.chi2_per_dof > 100
    assert bad.scale_err > 10 * good.scale_err


def test_weights_follow_the_errors():
    # a point with a tiny error dominates
    fit = scale_fit([1.0, 1.0], [1.0, 3.0], [1e-6, 1.0])
    assert fit.scale == pytest.approx(1.0, abs=1e-6)


@pytest.mark.parametrize("args, word", [
    (([0.0, 0.0], [1.0, 2.0], 0.1), "f must not vanish"),
    (([1.0, 2.0], [1.0], 0.1), "equal lengths"),
    (([1.0], [1.0], 0.1), "equal lengths"),
    (([1.0, 2.0], [1.0, 2.0], [0.1, 0.0]), "yerr"),
    (([1.0, 2.0], [1.0, 2.0], [0.1, 0.1, 0.1]), "yerr"),
    (([1.0, np.nan], [1.0, 2.0], 0.1), "f"),
])
def test_bad_input_is_refused(args, word):
    with pytest.raises(ValueError, match=word):
        scale_fit(*args)
