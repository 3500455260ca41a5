"""The diode explorer: J0, J0 + eps J1, the nonlinear part and the rectification chi from
thermolib's first-order theory for any masses, dampings, stiffnesses and force types, and simulations
of the full nonlinear model on demand (common random numbers for J - J0), next to the exact J - J0
of the Kramers solver at the same points.

Paper: Defaveri, Anteneodo (2021), Eqs. (15), (18), (20)-(21), (24), Figs. 2-4; errata D8-D9.
"""
from __future__ import annotations

import math
import warnings
from functools import lru_cache

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from thermolib import Diode, FirstOrderValidityWarning, forces
from thermolib.diode import VALIDITY_THRESHOLD
from thermolib.diode_exact import ExactSolverWarning, exact_solution
from thermolib.fidelity import choose, seed as book_seed
from thermolib.runcache import cached

from . import runs
from ._panel import SimulationPanel

__all__ = ["DIODE_FORCES", "DIODE_DEFAULTS", "DIODE_SIM_POINTS", "DIODE_FIGURE_RUN", "make_diode",
           "temperatures", "diode_curves", "diode_figure", "exact_excess", "simulate_diode_points",
           "diode_figure_points", "DiodeExplorer"]

# Paper Fig. 2: V_A = z^4/4 (force -z^3), V_B = 0, k_I = 0.5, all other parameters 1, T_m = 1.
DIODE_FORCES = {
    "none": None,
    "power(2): V = z⁴/4": forces.power(2),
    "power(3): V = z⁶/6": forces.power(3),
    "cosine: V = −cos z": forces.cosine(),
    "cosh: V = cosh z": forces.cosh(),
}
DIODE_DEFAULTS = dict(T_m=1.0, dT_rel=1.0, eps=0.1, k_A=1.0, k_B=1.0, k_I=0.5, m_A=1.0, m_B=1.0,
                      gamma_A=1.0, gamma_B=1.0, force_A="power(2): V = z⁴/4", force_B="none")
DIODE_GRID = 121          # Delta T points (each evaluation is vectorised: the whole grid in ~1 ms)
DIODE_SIM_POINTS = 5      # Delta T values per button click
#: The simulated points of the page's static figure (the book's choice): what the button adds at
#: the default parameters, with more realizations at paper fidelity.
DIODE_FIGURE_RUN = dict(t=120.0, realizations=dict(quick=512, paper=8192), seed=2021)
#: The exact J - J0 next to each simulated point: relative accuracy of the Kramers solver, and the
#: largest Hermite degree tried (keeps a click below a few seconds; beyond it the point is skipped)
EXACT_RTOL, EXACT_MAX_ORDER = 1e-5, 20


def make_diode(k_A, k_B, k_I, m_A, m_B, gamma_A, gamma_B, force_A, force_B, **_):
    return Diode(m_A=m_A, m_B=m_B, gamma_A=gamma_A, gamma_B=gamma_B, k_A=k_A, k_B=k_B, k_I=k_I,
                 f_A=DIODE_FORCES[force_A], f_B=DIODE_FORCES[force_B])


def temperatures(T_m, dT):
    """T_A = T_m + Delta T/2, T_B = T_m - Delta T/2."""
    return T_m + 0.5 * np.asarray(dT), T_m - 0.5 * np.asarray(dT)


@lru_cache(maxsize=256)
def diode_curves(diode, T_m, eps):
    """Everything the diode figure draws, from thermolib.Diode (cached per parameter set)."""
    dT = np.linspace(-1.9, 1.9, DIODE_GRID) * T_m
    T_A, T_B = temperatures(T_m, dT)
    r = np.linspace(0.0, 1.9, DIODE_GRID // 2 + 1)[1:]            # Delta T / T_m > 0
    T_h, T_c = temperatures(T_m, r * T_m)
    with warnings.catch_warnings():
        # outside the validity range on purpose: the measure is drawn instead of the warning
        warnings.simplefilter("ignore", FirstOrderValidityWarning)
        J0 = diode.current(T_A, T_B)
        J = diode.current(T_A, T_B, eps)
        chi = diode.rectification(T_h, T_c, eps)
    valid = diode.validity(T_A, T_B, eps)
    valid_chi = np.maximum(diode.validity(T_h, T_c, eps), diode.validity(T_c, T_h, eps))
    return dict(dT=dT, J0=J0, J=J, J1=J - J0, valid=valid, r=r, chi=chi, valid_chi=valid_chi)


def _grey_out(ax, x, valid):
    """Shade the x ranges where the first-order validity measure exceeds the threshold."""
    bad = valid > VALIDITY_THRESHOLD
    edges = np.flatnonzero(np.diff(np.r_[0, bad.astype(int), 0]))
    for a, b in zip(edges[::2], edges[1::2]):
        ax.axvspan(x[a], x[b - 1], color="0.9", zorder=0)


def _split_plot(ax, x, y, valid, color, label, gid):
    """A curve solid where first order is valid, grey dashed where it is not."""
    ok = valid <= VALIDITY_THRESHOLD
    ax.plot(x, np.where(ok, y, np.nan), "-", color=color, lw=2, gid=gid,
            label=label if ok.any() else None)
    ax.plot(x, np.where(ok, np.nan, y), "--", color="0.45", lw=1.5, gid=gid + "_invalid",
            label=f"{label}, validity > {VALIDITY_THRESHOLD}" if not ok.all() else None)


def diode_figure(params, sims=()):
    """The diode figure at ``params`` (a dict like DIODE_DEFAULTS) with simulated points."""
    d, T_m, eps = make_diode(**params), float(params["T_m"]), float(params["eps"])
    c = diode_curves(d, T_m, eps)
    dT_sel = params["dT_rel"] * T_m
    fig = Figure(figsize=(10, 7.2))
    axs = fig.subplots(2, 2)
    (ax_J, ax_J1), (ax_chi, ax_v) = axs
    for ax in (ax_J, ax_J1, ax_v):
        _grey_out(ax, c["dT"], c["valid"])
        ax.axvline(dT_sel, color="k", lw=0.8, alpha=0.6)
    _grey_out(ax_chi, c["r"], c["valid_chi"])
    ax_chi.axvline(abs(params["dT_rel"]), color="k", lw=0.8, alpha=0.6)

    ax_J.plot(c["dT"], c["J0"], color="C0", lw=1.5, label=r"$J_0 = \kappa_0\,\Delta T$", gid="J0")
    _split_plot(ax_J, c["dT"], c["J"], c["valid"], "C3", r"$J_0 + \varepsilon J_1$", "J")
    _split_plot(ax_J1, c["dT"], c["J1"], c["valid"], "C3", r"$\varepsilon J_1$ (first order)", "J1")
    _split_plot(ax_chi, c["r"], c["chi"], c["valid_chi"], "C2", r"$\chi$, Eq. (24), first order", "chi")
    ax_v.plot(c["dT"], c["valid"], color="C5", lw=2, gid="valid",
              label=r"predicted relative error $\mu$ of first order")
    ax_v.axhline(VALIDITY_THRESHOLD, color="C3", ls=":", label=f"threshold {VALIDITY_THRESHOLD}")

    pts = [s for s in sims if s.get("key") == (d, T_m, eps)]
    if pts:
        x = [s["dT"] for s in pts]
        ax_J.errorbar(x, [s["J"] for s in pts], yerr=[s["J_err"] for s in pts], fmt="o", color="k",
                      ms=5, capsize=3, zorder=5, gid="J_sim", label=r"simulation, $\varepsilon$")
        ax_J.errorbar(x, [s["J0"] for s in pts], yerr=[s["J0_err"] for s in pts], fmt="s", mfc="none",
                      color="C0", ms=6, capsize=3, zorder=4, gid="J0_sim",
                      label=r"simulation, $\varepsilon = 0$")
        ax_J1.errorbar(x, [s["excess"] for s in pts], yerr=[s["excess_err"] for s in pts], fmt="o",
                       color="k", ms=5, capsize=3, zorder=5, gid="J1_sim",
                       label=r"simulation, $J(\varepsilon) - J(0)$ (paired)")
        exact = [s.get("exact", math.nan) for s in pts]
        if np.any(np.isfinite(exact)):
            ax_J1.plot(x, exact, "x", color="C2", ms=9, mew=2, zorder=6, gid="J1_exact",
                       label=r"exact $J - J_0$ (Kramers solver)")
    ax_J.set_ylabel(r"heat current $J$ (A $\to$ B)")
    ax_J1.set_ylabel(r"$J - J_0$")
    ax_J1.axhline(0, color="0.6", lw=0.8)
    ax_chi.set_xlabel(r"$\Delta T / T_m$")
    ax_chi.set_ylabel(r"rectification $\chi$")
    ax_chi.set_xlim(0, 1.9)
    ax_v.set_ylabel("first-order validity")
    ax_v.set_ylim(bottom=0)
    for ax in (ax_J, ax_J1, ax_v):
        ax.set_xlabel(r"$\Delta T = T_A - T_B$")
        ax.set_xlim(c["dT"][0], c["dT"][-1])
    for ax in axs.flat:
        ax.legend(fontsize=8, frameon=False)
    # readout at the slider's Delta T
    T_A, T_B = temperatures(T_m, dT_sel)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FirstOrderValidityWarning)
        J0_sel, J_sel = d.current(T_A, T_B), d.current(T_A, T_B, eps)
        chi_sel = d.rectification(*temperatures(T_m, abs(dT_sel)), eps)
    for ax, letter in zip(axs.flat, "abcd"):
        ax.set_title(f"({letter})", fontsize=9, loc="left")
    fig.suptitle(f"T_A = {T_A:.3g}, T_B = {T_B:.3g}:  J0 = {J0_sel:.4g},  J0 + εJ1 = {J_sel:.4g},  "
                 f"χ = {chi_sel:.3g},  validity = {d.validity(T_A, T_B, eps):.3f}   "
                 f"(grey: validity > {VALIDITY_THRESHOLD})", fontsize=9)
    fig.tight_layout()
    return fig




def exact_excess(diode, T_A, T_B, eps):
    """The exact J - J0 at one point (Kramers solver, chapter "Beyond first order"), or NaN where
    the solver does not converge within EXACT_MAX_ORDER or the forces do not confine."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ExactSolverWarning)
            sol = cached(exact_solution, diode, float(T_A), float(T_B), float(eps),
                         rtol=EXACT_RTOL, max_order=EXACT_MAX_ORDER, strict=False)
    except (ValueError, ArithmeticError):   # not confining; GMRES failure (ExactSolverError)
        return math.nan
    return sol.current - diode.kappa0() * (float(T_A) - float(T_B)) if sol.converged else math.nan


def simulate_diode_points(diode, T_m, dT_max, eps, *, t, realizations, seed, dt=None,
                          progress=None, cancelled=None, exact=True):
    """Simulated J(eps), J(0) and the paired J(eps) - J(0) at DIODE_SIM_POINTS values of Delta T in
    [-dT_max, dT_max] (what the button adds), and with ``exact`` the exact J - J0 at each
    (:func:`exact_excess`). ``progress(done, total)`` counts chunks over all points, then the exact
    solves; ``cancelled()`` stops between them (raises ``runs.Cancelled``; finished points are
    returned by a later run from the run cache)."""
    dTs = np.linspace(-abs(dT_max), abs(dT_max), DIODE_SIM_POINTS)
    per_point = runs.n_chunks(realizations, "diode")
    total = per_point * len(dTs) + (len(dTs) if exact else 0)
    points = []
    for n, dT in enumerate(dTs):
        T_A, T_B = temperatures(T_m, dT)
        res = runs.diode_point(diode, T_A, T_B, eps, t=t, realizations=realizations, seed=seed,
                               dt=dt, progress=progress, cancelled=cancelled,
                               offset=n * per_point, total=total)
        points.append(dict(res, key=(diode, float(T_m), float(eps)), dT=float(dT), t=float(t),
                           seed=int(seed)))
    for n, point in enumerate(points if exact else ()):
        if cancelled is not None and cancelled():
            raise runs.Cancelled(f"cancelled before the exact current of point {n + 1}")
        point["exact"] = exact_excess(diode, *temperatures(T_m, point["dT"]), eps)
        if progress is not None:
            progress(per_point * len(dTs) + n + 1, total)
    return points


def diode_figure_points(params=DIODE_DEFAULTS):
    """The simulated points of the page's static figure (:data:`DIODE_FIGURE_RUN` at the current
    fidelity; seeds through ``thermolib.fidelity.seed``)."""
    run = DIODE_FIGURE_RUN
    return simulate_diode_points(make_diode(**params), params["T_m"],
                                 params["dT_rel"] * params["T_m"], params["eps"], t=run["t"],
                                 realizations=choose(**run["realizations"]),
                                 seed=book_seed(run["seed"]))


class DiodeExplorer(SimulationPanel):
    """Sliders and force dropdowns + figure + a button that simulates five Delta T values."""

    DEFAULTS = DIODE_DEFAULTS
    SIMULATOR = "diode"

    def __init__(self, sim_t=220.0, sim_realizations=1024, seed=1):
        super().__init__(t=sim_t, t_range=(1.7, 3.5, 0.05), realizations=sim_realizations,
                         r_range=(64, 8192, 64), seed=seed,
                         button=f"simulate {DIODE_SIM_POINTS} × ΔT", split=6)

    def make_controls(self):
        d, S, L = DIODE_DEFAULTS, widgets.FloatSlider, widgets.FloatLogSlider
        kw = dict(continuous_update=False, style={"description_width": "70px"},
                  layout=widgets.Layout(width="320px"))
        g = dict(base=10, min=-1, max=1, step=0.05)
        menu = {k: v for k, v in kw.items() if k != "continuous_update"}  # not a Dropdown trait
        return {
            "T_m": L(value=d["T_m"], base=10, min=-1.3, max=1, step=0.02, description="T_m", **kw),
            "dT_rel": S(value=d["dT_rel"], min=-1.9, max=1.9, step=0.05, description="ΔT/T_m", **kw),
            "eps": S(value=d["eps"], min=-1.0, max=1.0, step=0.01, description="ε", **kw),
            "force_A": widgets.Dropdown(options=list(DIODE_FORCES), value=d["force_A"],
                                        description="force A", **menu),
            "force_B": widgets.Dropdown(options=list(DIODE_FORCES), value=d["force_B"],
                                        description="force B", **menu),
            "k_I": L(value=d["k_I"], base=10, min=-3, max=1, step=0.05, description="k_I", **kw),
            "k_A": S(value=d["k_A"], min=0.0, max=5.0, step=0.05, description="k_A", **kw),
            "k_B": S(value=d["k_B"], min=0.0, max=5.0, step=0.05, description="k_B", **kw),
            "m_A": L(value=d["m_A"], description="m_A", **g, **kw),
            "m_B": L(value=d["m_B"], description="m_B", **g, **kw),
            "gamma_A": L(value=d["gamma_A"], description="γ_A", **g, **kw),
            "gamma_B": L(value=d["gamma_B"], description="γ_B", **g, **kw),
        }

    def figure(self, params, sims):
        return diode_figure(params, sims)

    def simulate(self, params, progress, cancelled):
        p = params
        return simulate_diode_points(make_diode(**p), p["T_m"], p["dT_rel"] * p["T_m"], p["eps"],
                                     t=self.sim_t.value, realizations=self.sim_R.value,
                                     seed=self.seed.value, progress=progress, cancelled=cancelled)
