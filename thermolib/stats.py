"""Estimators, error bars and fits shared by the simulators, the chapters and the tests.

Conventions: an error is one standard error (1 sigma) of the estimate; a statistical test compares
``|z| = |estimate - reference| / error`` with a threshold such as 4.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._validation import positive_int

__all__ = [
    "mean_sem",
    "batch_means",
    "zscore",
    "LinearFit",
    "linear_fit",
    "power_law_fit",
    "P_CHECK",
    "t_quantile",
    "tolerance",
    "agrees",
]


def mean_sem(samples, axis: int = 0):
    """Mean and standard error of the mean of independent samples along ``axis``.

    Returns
    -------
    mean, sem : numpy.ndarray or float
        ``sem = std(ddof=1) / sqrt(n)``; needs ``n >= 2``.
    """
    x = np.asarray(samples, dtype=float)
    n = x.shape[axis]
    if n < 2:
        raise ValueError(f"need at least 2 independent samples for a standard error, got {n}")
    return x.mean(axis=axis), x.std(axis=axis, ddof=1) / np.sqrt(n)


def batch_means(series, n_batches: int = 20, axis: int = -1):
    """Mean and standard error of a stationary time series by the method of batch means.

    The series is cut into ``n_batches`` contiguous batches (the last ``len % n_batches`` points are
    dropped); batch averages are treated as independent, which holds when a batch is much longer
    than the correlation time.
    """
    n_batches = positive_int("n_batches", n_batches)
    x = np.moveaxis(np.asarray(series, dtype=float), axis, -1)
    size = x.shape[-1] // n_batches
    if size < 1 or n_batches < 2:
        raise ValueError(f"n_batches must be in [2, len(series)], got {n_batches} for {x.shape[-1]}")
    b = x[..., : size * n_batches].reshape(*x.shape[:-1], n_batches, size).mean(axis=-1)
    return mean_sem(b, axis=-1)


def zscore(value, error, reference, reference_error=0.0):
    """``(value - reference) / sqrt(error**2 + reference_error**2)``."""
    return (np.asarray(value) - reference) / np.sqrt(np.asarray(error) ** 2 + np.asarray(reference_error) ** 2)


@dataclass(frozen=True)
class LinearFit:
    """Result of a weighted straight-line fit ``y = intercept + slope * x``."""

    slope: float
    slope_err: float
    intercept: float
    intercept_err: float
    chi2_per_dof: float
    covariance: np.ndarray

    def __call__(self, x):
        return self.intercept + self.slope * np.asarray(x)


def linear_fit(x, y, yerr=None) -> LinearFit:
    """Weighted least squares line through ``(x, y)`` with 1-sigma errors ``yerr``.

    Parameter errors come from the covariance ``(A^T W A)^-1``; when ``chi2/dof > 1`` they are
    inflated by ``sqrt(chi2/dof)`` (Birge ratio), so a poor fit never reports a falsely small error.
    Without ``yerr`` the fit is unweighted and errors are scaled by the residual scatter.
    """
    x = np.asarray(x, dtype=float).ravel()
    y = np.asarray(y, dtype=float).ravel()
    if x.size != y.size or x.size < 3:
        raise ValueError("linear_fit needs x and y of equal length >= 3")
    w = np.ones_like(y) if yerr is None else 1.0 / np.asarray(yerr, dtype=float).ravel() ** 2
    A = np.column_stack([np.ones_like(x), x])
    cov = np.linalg.inv(A.T @ (A * w[:, None]))
    beta = cov @ (A.T @ (w * y))
    resid = y - A @ beta
    dof = x.size - 2
    chi2 = float(np.sum(w * resid**2) / dof)
    scale = chi2 if yerr is None else max(chi2, 1.0)
    cov = cov * scale
    return LinearFit(
        slope=float(beta[1]),
        slope_err=float(np.sqrt(cov[1, 1])),
        intercept=float(beta[0]),
        intercept_err=float(np.sqrt(cov[0, 0])),
        chi2_per_dof=chi2,
        covariance=cov,
    )


def power_law_fit(x, y, yerr=None) -> LinearFit:
    """Fit ``y = C x^a`` as a straight line in log-log: returns a :class:`LinearFit` whose slope is
    the exponent ``a`` and whose intercept is ``ln C``. Errors propagate as ``yerr / y``."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if np.any(x <= 0) or np.any(y <= 0):
        raise ValueError("power_law_fit needs positive x and y")
    lerr = None if yerr is None else np.asarray(yerr, dtype=float) / y
    return linear_fit(np.log(x), np.log(y), lerr)


# ------------------------------------------------------------------------------------------------
# agreement tests with the right quantile for the degrees of freedom

#: Default two-sided tail probability of a single agreement check. The book runs a few hundred
#: such checks per build and per seed; at 1e-4 each, a false alarm somewhere is a few-percent
#: event per build, and a real discrepancy of a few standard errors is still caught.
P_CHECK = 1e-4


def t_quantile(dof, p: float = P_CHECK) -> float:
    """Two-sided critical value of Student's t: ``P(|t_dof| > q) = p``.

    ``dof = inf`` (or None) gives the normal quantile. With the standard error of a mean of ``n``
    independent realizations, ``dof = n - 1``: at ``n = 8`` and ``p = 1e-4`` the critical value is
    ~7.0, not the normal 3.9.
    """
    from scipy import stats as _st

    if not 0 < p < 1:
        raise ValueError(f"p must be in (0, 1), got {p!r}")
    if dof is None or (isinstance(dof, float) and np.isinf(dof)):
        return float(_st.norm.isf(p / 2))
    dof = float(dof)
    if not dof > 0:
        raise ValueError(f"dof must be > 0, got {dof!r}")
    return float(_st.t.isf(p / 2, dof))


def tolerance(err, dof, *, model_error=0.0, p: float = P_CHECK):
    """Allowed ``|estimate - reference|``: ``t_quantile(dof, p) * err + model_error``."""
    return t_quantile(dof, p) * np.asarray(err, dtype=float) + np.asarray(model_error, dtype=float)


def agrees(value, err, reference, *, dof, model_error=0.0, p: float = P_CHECK):
    """``|value - reference| <= t_quantile(dof, p) * err + model_error`` (elementwise).

    ``model_error`` is the justified size of what the reference leaves out (an expansion's next
    order, a time-step bias), never a constant tuned to pass.
    """
    diff = np.abs(np.asarray(value, dtype=float) - np.asarray(reference, dtype=float))
    return diff <= tolerance(err, dof, model_error=model_error, p=p)
