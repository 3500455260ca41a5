"""Estimators and fits: error bars that are honest on data with known answers."""
import numpy as np
import pytest

from thermolib.stats import batch_means, linear_fit, mean_sem, power_law_fit, zscore


def test_mean_sem_matches_textbook_formula():
    x = np.arange(10.0)
    m, s = mean_sem(x)
    assert m == 4.5
    assert s == pytest.approx(np.std(x, ddof=1) / np.sqrt(10), rel=1e-14)


def test_batch_means_error_covers_truth_for_correlated_series():
    # AR(1) with phi = 0.9: integrated autocorrelation 19, so the naive error is ~4.4x too small
    rng = np.random.default_rng(5)
    zs = []
    for _ in range(200):
        e = rng.standard_normal(20_000)
        x = np.empty_like(e)
        x[0] = e[0] / np.sqrt(1 - 0.81)
        for i in range(1, x.size):
            x[i] = 0.9 * x[i - 1] + e[i]
        m, s = batch_means(x, 20)
        zs.append(m / s)
    # z of a correct estimator has unit variance (student-t with 19 dof: var 19/17); 200 samples
    assert 0.8 < np.var(zs) < 1.5


def test_power_law_fit_recovers_exponent_within_error():
    rng = np.random.default_rng(2)
    x = np.geomspace(1, 100, 15)
    y = 5 * x**-2 * (1 + 0.02 * rng.standard_normal(x.size))
    fit = power_law_fit(x, y, 0.02 * y)
    assert abs(fit.slope + 2) < 4 * fit.slope_err
    assert abs(np.exp(fit.intercept) - 5) < 4 * 5 * fit.intercept_err


def test_linear_fit_inflates_errors_of_a_bad_model():
    x = np.linspace(0, 1, 20)
    y = x**2  # not a line
    good = linear_fit(x, x, np.full(20, 0.01))
    bad = linear_fit(x, y, np.full(20, 0.01))
    assert bad.chi2_per_dof > 10
    assert bad.slope_err > 3 * good.slope_err


def test_zscore():
    assert zscore(1.0, 0.3, 0.0, 0.4) == pytest.approx(2.0)


def test_bad_input():
    with pytest.raises(ValueError):
        mean_sem([1.0])
    with pytest.raises(ValueError, match="n_batches"):
        batch_means(np.arange(10.0), 0)
    with pytest.raises(ValueError):
        power_law_fit([1, 2, 3], [1, -1, 2])


@pytest.mark.parametrize("call,name", [
    (lambda: mean_sem([1.0, float("nan"), 2.0]), "samples"),
    (lambda: mean_sem(["1", "2"]), "samples"),
    (lambda: mean_sem([1.0, 2.0], axis=3), "axis"),
    (lambda: zscore(1.0, 0.0, 0.0), "error"),
    (lambda: zscore(1.0, -0.1, 0.0), "error"),
    (lambda: linear_fit([1.0, 1.0, 1.0], [1.0, 2.0, 3.0]), "x"),
    (lambda: linear_fit([1.0, 2.0, 3.0], [1.0, 2.0, 3.0], [0.1, 0.0, 0.1]), "yerr"),
    (lambda: linear_fit([1.0, 2.0, 3.0], [1.0, 2.0, 3.0], [0.1, 0.1]), "yerr"),
    (lambda: linear_fit([1.0, 2.0, 3.0], [1.0, 2.0, 3.0], 1e300), "yerr"),
])
def test_bad_input_is_refused_naming_the_parameter(call, name):
    with pytest.raises(ValueError, match=name):
        call()


def test_t_quantile_and_agreement():
    from thermolib.stats import agrees, t_quantile, tolerance

    assert t_quantile(None) == t_quantile(float("inf")) == pytest.approx(3.8906, rel=1e-4)
    assert t_quantile(7) == pytest.approx(7.885, rel=1e-3)  # dof = 7: twice the normal quantile
    assert tolerance(0.1, 7, model_error=0.05) == pytest.approx(0.1 * t_quantile(7) + 0.05)
    assert agrees(1.5, 0.1, 1.0, dof=7) is True and agrees(2.0, 0.1, 1.0, dof=7) is False
    with pytest.raises(ValueError, match="p"):
        t_quantile(5, p=1e-300)  # the quantile is not representable
    with pytest.raises(TypeError, match="dof"):
        t_quantile("5")
