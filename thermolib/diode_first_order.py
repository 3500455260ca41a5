"""First-order perturbation theory of the two-particle diode: current, rectification, validity.

To first order in :math:`\\varepsilon` a nonlinear on-site force acts as a stiffness shift
:math:`k_j \\to k_j - \\varepsilon g_j(\\langle x_j^2\\rangle)` at the zeroth-order variances
(ERRATA D4), so the linear conductance :math:`\\kappa_0` of :mod:`thermolib.diode` gives
(Eqs. (20)-(21), (A30))

.. math::

    \\kappa_1(T_A, T_B) = \\kappa_0 \\sum_j \\beta_j\\, g_j(\\sigma_{mj} T_m + \\sigma_j T_j),
    \\qquad J = [\\kappa_0 + \\varepsilon\\kappa_1(T_A, T_B)](T_A - T_B) + O(\\varepsilon^2),

and the rectification :math:`\\chi` of Eq. (24). Where the truncation is not quantitative (its
predicted relative error, from the Gaussian closure of :mod:`thermolib.diode_closure`, exceeds
:data:`VALIDITY_THRESHOLD`) the library warns (ERRATA D9).

The methods are those of :class:`thermolib.Diode`, defined here on :class:`FirstOrderTheory`, the
base class that holds them; the object must provide the linear theory (``kappa0``, ``beta``,
``sigma``, ``covariance``) and the forces ``f_A``, ``f_B``.

References
----------
Defaveri, Anteneodo, Phys. Rev. E 104, 014106 (2021), Eqs. (15), (20)-(24), (A30); the book's
errata D4 and D9.
"""
from __future__ import annotations

import warnings

import numpy as np

from . import _validation as _v
from .diode_closure import first_order_error

__all__ = ["FirstOrderTheory", "FirstOrderValidityWarning", "VALIDITY_THRESHOLD"]

#: Warning threshold of :meth:`Diode.validity` (the predicted relative error of first order): on
#: the 356 exact points of the chapter "Beyond first order" (paper fidelity) the actual error is at
#: most 1.11 times the prediction, so below 0.1 / 1.11 = 0.09 first order is within 10 % (ERRATA D9).
VALIDITY_THRESHOLD = 0.09


class FirstOrderValidityWarning(UserWarning):
    """The first-order (in eps) current is being used outside its quantitative range (ERRATA D9)."""


def _temperature(name, x):
    """Validated temperature: a scalar -> float, an array -> float array (both >= 0)."""
    if np.ndim(x) == 0 and not isinstance(x, np.ndarray):
        return _v.temperature(name, x)
    return _v.real_array(name, x, lo=0.0)


def _eps(x):
    if np.ndim(x) == 0 and not isinstance(x, np.ndarray):
        return _v.real("eps", x)
    return _v.real_array("eps", x)


def _out(x):
    x = np.asarray(x, dtype=float)
    return float(x) if x.ndim == 0 else x


class FirstOrderTheory:
    """The first-order (in :math:`\\varepsilon`) methods of :class:`thermolib.Diode`.

    A base class without state: :class:`thermolib.Diode` inherits these methods, which use its
    linear theory (``kappa0``, ``beta``, ``sigma``, ``covariance``) and forces (``f_A``, ``f_B``).
    """

    def variances(self, T_A, T_B, method: str = "closed"):
        """Zeroth-order position variances :math:`(\\langle x_A^2\\rangle, \\langle x_B^2\\rangle)`.

        ``closed`` uses :meth:`sigma` (broadcasts over arrays); ``lyapunov`` reads the diagonal of
        :meth:`covariance` (scalars only).
        """
        method = _v.choice("method", method, ("closed", "lyapunov"))
        if method == "lyapunov":
            C = self.covariance(T_A, T_B)
            return float(C[0, 0]), float(C[1, 1])
        T_A = _temperature("T_A", T_A)
        T_B = _temperature("T_B", T_B)
        s_mA, s_A, s_mB, s_B = self.sigma()
        T_m = 0.5 * (np.asarray(T_A) + np.asarray(T_B))
        with np.errstate(over="ignore"):
            vA = s_mA * T_m + s_A * np.asarray(T_A)
            vB = s_mB * T_m + s_B * np.asarray(T_B)
        _v.finite_result("the variances <x_j^2>", (vA, vB), "these temperatures")
        return _out(vA), _out(vB)

    def g_values(self, T_A, T_B):
        """:math:`(g_A(\\langle x_A^2\\rangle), g_B(\\langle x_B^2\\rangle))` at the zeroth-order variances."""
        vA, vB = self.variances(T_A, T_B)
        return _out(self.f_A.g(vA)), _out(self.f_B.g(vB))

    def kappa1(self, T_A, T_B):
        """First-order conductance, :math:`J_1 = \\kappa_1(T_A, T_B)(T_A - T_B)` (Eq. (21), (A30)).

        .. math:: \\kappa_1 = \\kappa_0\\,[\\beta_A g_A(\\sigma_{mA}T_m + \\sigma_A T_A)
                               + \\beta_B g_B(\\sigma_{mB}T_m + \\sigma_B T_B)]

        Equivalently :math:`J_1 = -\\sum_j (\\partial J_0/\\partial k_j)\\, g_j`: to first order the
        force acts as the stiffness shift :math:`k_j \\to k_j - \\varepsilon g_j` (ERRATA D4).
        Broadcasts over array temperatures.
        """
        gA, gB = self.g_values(T_A, T_B)
        bA, bB = self.beta()
        with np.errstate(over="ignore", invalid="ignore"):
            k1 = self.kappa0() * (bA * np.asarray(gA) + bB * np.asarray(gB))
        return _out(_v.finite_result("kappa1", k1, "these temperatures"))

    def validity(self, T_A, T_B, eps):
        """Predicted relative error of the first-order :math:`J - J_0` (ERRATA D9, chapter "Beyond
        first order").

        .. math:: \\mu = |\\varepsilon|\\,\\frac{|J_2^G| + |J_2^{NG}|}{|J_1|},

        the estimated second-order term over the first-order one: :math:`J_2^G` is the exact
        second-order term of the self-consistent Gaussian closure (the variance feedback of the
        stiffness shift), :math:`|J_2^{NG}|` the size of the non-Gaussian part of the force
        (:func:`thermolib.diode_closure.first_order_error`). Cheap (closed forms, one quadrature).
        On the exact maps of that chapter (quartic and cosine forces, Figs. 2 and 4 of the paper and
        held-out settings) the actual relative error of :math:`\\varepsilon J_1` lies between
        ``0.35 mu`` and ``1.11 mu`` where ``mu < 0.3``; the library warns above
        :data:`VALIDITY_THRESHOLD`. Broadcasts.
        """
        eps = _eps(eps)
        T_A = _temperature("T_A", T_A)
        T_B = _temperature("T_B", T_B)
        return _out(first_order_error(self, T_A, T_B, eps))

    def _check_validity(self, T_A, T_B, eps, kappa1, stacklevel=3):
        measure = np.asarray(self.validity(T_A, T_B, eps))
        if np.any(measure > VALIDITY_THRESHOLD):
            warnings.warn(
                f"first-order perturbation theory is not quantitative here: its predicted relative "
                f"error (Diode.validity) reaches {measure.max():.3g} > {VALIDITY_THRESHOLD} (first "
                f"order may be off by more than 10 %; Diode.exact_current gives the exact value, "
                f"ERRATA D9)",
                FirstOrderValidityWarning, stacklevel=stacklevel)
        k0 = self.kappa0()
        ratio = np.abs(np.asarray(eps) * np.asarray(kappa1))
        if np.any(ratio > k0):
            warnings.warn(
                f"eps*|kappa1| = {ratio.max():.3g} exceeds kappa0 = {k0:.3g}: the truncated current "
                f"J0 + eps*J1 flows from cold to hot, which is unphysical (ERRATA D9)",
                FirstOrderValidityWarning, stacklevel=stacklevel)

    def current(self, T_A, T_B, eps=0.0):
        """Heat current to first order, :math:`J = [\\kappa_0 + \\varepsilon\\kappa_1(T_A,T_B)](T_A - T_B)`.

        Eqs. (15), (18), (20)-(21). Broadcasts over ``T_A``, ``T_B`` and ``eps``. Emits
        :class:`FirstOrderValidityWarning` where first order is not trustworthy (ERRATA D9).
        """
        eps = _eps(eps)
        T_A = _temperature("T_A", T_A)
        T_B = _temperature("T_B", T_B)
        k1 = self.kappa1(T_A, T_B)
        if np.any(np.asarray(eps) != 0):
            self._check_validity(T_A, T_B, eps, k1)
        dT = np.asarray(T_A) - np.asarray(T_B)
        with np.errstate(over="ignore", invalid="ignore"):
            J = (self.kappa0() + np.asarray(eps) * np.asarray(k1)) * dT
        return _out(_v.finite_result("the current J", J, "these temperatures and eps"))

    def rectification(self, T_h, T_c, eps, form: str = "first_order"):
        """Rectification factor :math:`\\chi` (Eq. (24)).

        Forward :math:`J_{AB} = [\\kappa_0 + \\varepsilon\\kappa_1(T_h, T_c)](T_h - T_c)` (A hot),
        reverse :math:`J_{BA} = [\\kappa_0 + \\varepsilon\\kappa_1(T_c, T_h)](T_c - T_h)` (Eq. (23)).

        Parameters
        ----------
        form : {"first_order", "ratio"}
            ``first_order`` (default): the right-hand side of Eq. (24),
            :math:`|\\varepsilon|\\,|\\kappa_1^{AB} - \\kappa_1^{BA}|/\\kappa_0` (exactly linear in eps).
            ``ratio``: the definition
            :math:`\\big||J_{AB}| - |J_{BA}|\\big| / [(|J_{AB}| + |J_{BA}|)/2]` evaluated with the
            first-order currents (equal to ``first_order`` up to :math:`O(\\varepsilon^2)`; at
            :math:`T_h = T_c`, where the definition is 0/0, its limit 0).
        """
        eps = _eps(eps)
        T_h = _temperature("T_h", T_h)
        T_c = _temperature("T_c", T_c)
        form = _v.choice("form", form, ("first_order", "ratio"))
        k1_AB = self.kappa1(T_h, T_c)
        k1_BA = self.kappa1(T_c, T_h)
        if np.any(np.asarray(eps) != 0):
            self._check_validity(T_h, T_c, eps, k1_AB)
            self._check_validity(T_c, T_h, eps, k1_BA)
        k0 = self.kappa0()
        e = np.asarray(eps)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            if form == "first_order":
                chi = np.abs(e) * np.abs(np.asarray(k1_AB) - np.asarray(k1_BA)) / k0
            else:
                dT = np.asarray(T_h) - np.asarray(T_c)
                J_AB = np.abs((k0 + e * np.asarray(k1_AB)) * dT)
                J_BA = np.abs((k0 + e * np.asarray(k1_BA)) * dT)
                chi = np.where(dT == 0.0, 0.0, np.abs(J_AB - J_BA) / (0.5 * (J_AB + J_BA)))
        return _out(_v.finite_result("chi", chi, "these temperatures and eps"))
