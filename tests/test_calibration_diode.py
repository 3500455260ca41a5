"""The diode simulator's error bars are right: the reported standard errors of ``current``,
``current0`` and ``excess`` match the spread of the estimates over independent seeds.

Issue 10: planting bugs in the library one at a time, the tests caught 25 of 28; a survivor was
the diode current's error bar inflated by sqrt(2). Every other test compares an estimate with a
reference *using* the reported error, so an error bar that is too large only makes them weaker.
This test measures the error bar itself.

Method: M independent runs (seeds k = 0..M-1, each R realizations) give estimates X_k with
reported errors s_k. If s_k is a correct standard error, the ratio

    F = [sum_k (X_k - mean X)^2 / (M - 1)] / [sum_k s_k^2 / M]

of the spread over seeds to the reported variance is F-distributed with (M - 1, M (R - 1))
degrees of freedom (X_k normal: a time average over a long run, averaged over R realizations).
The check accepts F inside the two-sided P_CHECK = 1e-4 quantiles. With M = 600, R = 16 those are
0.785 and 1.251 (measured: F = 1.06, 0.99, 0.99), so an error bar off by 30 % (F = 1/1.69 = 0.59
or 1/0.49 = 2.04) or inflated by sqrt(2) (F = 0.5) fails by more than three of its own standard
deviations (sd of F ~ 0.06 there). With the sqrt(2) bug planted in the library, the current and
current0 checks fail (F ~ 0.5). The test checks this
power on its own data, by rescaling the reported errors, so it cannot silently lose its teeth.
"""
import math

import numpy as np
import pytest
from scipy import stats as st

from thermolib import Diode, forces
from thermolib.fidelity import seed
from thermolib.stats import P_CHECK
from thermolib.sim import diode_current

M, R = 600, 16


def calibrated(X, s, n_real):
    """(accepted?, F, (lo, hi)): is the spread of the estimates X consistent with the errors s?"""
    X, s = np.asarray(X), np.asarray(s)
    F = X.var(ddof=1) / np.mean(s**2)
    d1, d2 = X.size - 1, X.size * (n_real - 1)
    lo, hi = st.f.ppf(P_CHECK / 2, d1, d2), st.f.isf(P_CHECK / 2, d1, d2)
    return lo <= F <= hi, F, (lo, hi)


@pytest.fixture(scope="module")
def runs():
    # Fig. 2 diode with a sizeable nonlinearity (eps = 0.5: J - J0 is ~5 % of J), short runs:
    # the time averages over 25 time units are already close to normal
    d = Diode(k_I=0.5, f_A=forces.power(2))
    out = {"current": [], "current_err": [], "current0": [], "current0_err": [], "excess": [],
           "excess_err": []}
    for k in range(M):
        r = diode_current(d, 1.5, 0.5, 0.5, t=30.0, burn_in=5.0, realizations=R,
                          seed=seed(500_000 + k))
        for key in out:
            out[key].append(r.values[key])
    return {k: np.array(v) for k, v in out.items()}


@pytest.mark.slow
@pytest.mark.parametrize("name", ["current", "current0", "excess"])
def test_reported_errors_match_the_spread_over_seeds(runs, name):
    X, s = runs[name], runs[name + "_err"]
    ok, F, (lo, hi) = calibrated(X, s, R)
    assert ok, f"{name}: spread^2 / reported^2 = {F:.3f}, outside [{lo:.3f}, {hi:.3f}]"
    # the check has teeth: the same data with errors off by 30 % either way, or by sqrt(2), fail
    for factor in (1.3, 0.7, math.sqrt(2)):
        bad, F_bad, _ = calibrated(X, factor * s, R)
        assert not bad, f"{name}: errors x {factor:.3f} were not caught (F = {F_bad:.3f})"
