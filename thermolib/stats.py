"""Estimators, error bars and fits shared by the simulators, the chapters and the tests.

Conventions: an error is one standard error (1 sigma) of the estimate; a statistical test compares
``|z| = |estimate - reference| / error`` with a threshold such as 4.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import _validation as _v
from ._validation import positive_int

__all__ = [
    "mean_sem",
    "batch_means",
    "zscore",
    "LinearFit",
    "linear_fit",
    "power_law_fit",
    "ScaleFit",
    "scale_fit",
    "P_CHECK",
    "t_quantile",
    "tolerance",
    "agrees",
]


def _samples(name, x):
    a = _v.real_array(name, x)
    if a.ndim == 0:
        raise ValueError(f"{name} must be an array of samples, got a single number {float(a)!r}")
    return a


def _axis(axis, ndim) -> int:
    axis = _v.integer("axis", axis, lo=-ndim, hi=ndim - 1)
    return axis


def mean_sem(samples, axis: int = 0):
    """Mean and standard error of the mean of independent samples along ``axis``.

    Returns
    -------
    mean, sem : numpy.ndarray or float
        ``sem = std(ddof=1) / sqrt(n)``; needs ``n >= 2`` finite samples.
    """
    x = _samples("samples", samples)
    axis = _axis(axis, x.ndim)
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
    x = _samples("series", series)
    x = np.moveaxis(x, _axis(axis, x.ndim), -1)
    size = x.shape[-1] // n_batches
    if size < 1 or n_batches < 2:
        raise ValueError(f"n_batches must be in [2, len(series)], got {n_batches} for {x.shape[-1]}")
    b = x[..., : size * n_batches].reshape(*x.shape[:-1], n_batches, size).mean(axis=-1)
    return mean_sem(b, axis=-1)


def zscore(value, error, reference, reference_error=0.0):
    """``(value - reference) / sqrt(error**2 + reference_error**2)`` (the combined error must be > 0)."""
    value = _v.real_array("value", value)
    error = _v.real_array("error", error, lo=0.0)
    reference = _v.real_array("reference", reference)
    reference_error = _v.real_array("reference_error", reference_error, lo=0.0)
    scale = np.sqrt(error**2 + reference_error**2)
    if np.any(scale == 0.0):
        raise ValueError("error and reference_error must not both be 0 (a z-score needs an error)")
    z = (value - reference) / scale
    return float(z) if z.ndim == 0 else z


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
        out = self.intercept + self.slope * _v.real_array("x", x)
        return float(out) if out.ndim == 0 else out


def linear_fit(x, y, yerr=None) -> LinearFit:
    """Weighted least squares line through ``(x, y)`` with 1-sigma errors ``yerr``.

    Parameter errors come from the covariance ``(A^T W A)^-1``; when ``chi2/dof > 1`` they are
    inflated by ``sqrt(chi2/dof)`` (Birge ratio), so a poor fit never reports a falsely small error.
    Without ``yerr`` the fit is unweighted and errors are scaled by the residual scatter.
    """
    x = _v.real_array("x", x).ravel()
    y = _v.real_array("y", y).ravel()
    if x.size != y.size or x.size < 3:
        raise ValueError(f"x and y must have equal lengths >= 3, got {x.size} and {y.size}")
    if np.ptp(x) == 0.0:
        raise ValueError("x must hold at least two distinct values (a line needs them)")
    if yerr is None:
        w = np.ones_like(y)
    else:
        yerr = _v.real_array("yerr", yerr, lo=0.0, lo_open=True)
        if yerr.ndim and yerr.size != y.size:
            raise ValueError(f"yerr must be one number or one per point ({y.size}), got {yerr.size}")
        with np.errstate(over="ignore", under="ignore"):
            w = np.broadcast_to(1.0 / yerr**2, y.shape)
        if not np.all(np.isfinite(w) & (w > 0)) or not np.isfinite(np.sum(w * x * x)):
            raise ValueError("yerr is outside the range where the weights 1/yerr^2 are representable")
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
    x = _v.real_array("x", x, lo=0.0, lo_open=True)
    y = _v.real_array("y", y, lo=0.0, lo_open=True)
    if yerr is None:
        lerr = None
    else:
        yerr = _v.real_array("yerr", yerr, lo=0.0, lo_open=True)
        if yerr.ndim and yerr.size != y.size:
            raise ValueError(f"yerr must be one number or one per point ({y.size}), got {yerr.size}")
        lerr = yerr / y
    return linear_fit(np.log(x), np.log(y), lerr)


@dataclass(frozen=True)
class ScaleFit:
    """Result of a weighted one-parameter fit ``y = scale * f`` (:func:`scale_fit`)."""

    scale: float
    scale_err: float
    chi2_per_dof: float
    n: int  #: number of points; the fit has ``n - 1`` degrees of freedom


def scale_fit(f, y, yerr) -> ScaleFit:
    """Weighted least squares of ``y = scale * f`` (a law of known shape ``f``, amplitude unknown).

    .. math::  \\hat s = \\frac{\\sum_i f_i y_i/\\sigma_i^2}{\\sum_i f_i^2/\\sigma_i^2},\\qquad
               \\sigma_{\\hat s}^2 = \\frac{\\max(1, \\chi^2/(n-1))}{\\sum_i f_i^2/\\sigma_i^2}

    The error is inflated by the Birge ratio when the points scatter about the law more than their
    errors allow, as in :func:`linear_fit`. Used, e.g., to calibrate a theory's relative error
    ``-c x**2`` on one data set before testing it on another.

    Parameters
    ----------
    f : array_like
        The law's shape at each point (not all zero).
    y, yerr : array_like
        Data and their 1-sigma errors (> 0), at least two points.
    """
    f = _v.real_array("f", f).ravel()
    y = _v.real_array("y", y).ravel()
    yerr = _v.real_array("yerr", yerr, lo=0.0, lo_open=True)
    if f.size != y.size or y.size < 2:
        raise ValueError(f"f and y must have equal lengths >= 2, got {f.size} and {y.size}")
    if yerr.ndim and yerr.size != y.size:
        raise ValueError(f"yerr must be one number or one per point ({y.size}), got {yerr.size}")
    w = np.broadcast_to(1.0 / yerr**2, y.shape)
    sff = float(np.sum(w * f * f))
    if not (np.isfinite(sff) and sff > 0.0):
        raise ValueError("f must not vanish at every point (and f/yerr must be representable)")
    scale = float(np.sum(w * f * y)) / sff
    chi2 = float(np.sum(w * (y - scale * f) ** 2)) / (y.size - 1)
    return ScaleFit(scale=scale, scale_err=float(np.sqrt(max(chi2, 1.0) / sff)),
                    chi2_per_dof=chi2, n=int(y.size))


# ------------------------------------------------------------------------------------------------
# agreement tests with the right quantile for the degrees of freedom

#: Default two-sided tail probability of a single agreement check. The book runs a few hundred
#: such checks per build and per seed; at 1e-4 each, a false alarm somewhere is a few-percent
#: event per build, and a real discrepancy of a few standard errors is still caught.
P_CHECK = 1e-4


def t_quantile(dof: float | None, p: float = P_CHECK) -> float:
    """Two-sided critical value of Student's t: ``P(|t_dof| > q) = p``.

    ``dof = inf`` (or None) gives the normal quantile. With the standard error of a mean of ``n``
    independent realizations, ``dof = n - 1``: at ``n = 8`` and ``p = 1e-4`` the critical value is
    ~7.9, not the normal 3.9.
    """
    from scipy import stats as _st

    p = _v.real("p", p, lo=0.0, hi=1.0, lo_open=True, hi_open=True)
    if dof is None or (isinstance(dof, (float, np.floating)) and dof == np.inf):
        q = float(_st.norm.isf(p / 2))
    else:
        dof = _v.positive("dof", dof)
        q = float(_st.t.isf(p / 2, dof))
    return _v.finite_result("the t quantile", q, f"p = {p!r}, dof = {dof!r}")


def tolerance(err, dof: float | None, *, model_error=0.0, p: float = P_CHECK):
    """Allowed ``|estimate - reference|``: ``t_quantile(dof, p) * err + model_error``."""
    err = _v.real_array("err", err, lo=0.0)
    model_error = _v.real_array("model_error", model_error, lo=0.0)
    out = t_quantile(dof, p) * err + model_error
    return float(out) if out.ndim == 0 else out


def agrees(value, err, reference, *, dof: float | None, model_error=0.0, p: float = P_CHECK):
    """``|value - reference| <= t_quantile(dof, p) * err + model_error`` (elementwise).

    ``model_error`` is the justified size of what the reference leaves out (an expansion's next
    order, a time-step bias), never a constant tuned to pass.
    """
    diff = np.abs(_v.real_array("value", value) - _v.real_array("reference", reference))
    out = diff <= tolerance(err, dof, model_error=model_error, p=p)
    return bool(out) if np.ndim(out) == 0 else out
