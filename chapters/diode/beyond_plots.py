"""The figures of the chapter "Beyond first order" (chapters/diode/beyond.md).

Chapter-local plotting code, not physics: each function draws data the chapter has already
computed, and theory curves from the thermolib objects passed in, and returns the figure. Kept out
of the page so that it shows the computations and the figures, not a hundred lines of axis settings.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import LogNorm

from thermolib.diode import VALIDITY_THRESHOLD

__all__ = ["convergence_panels", "fig2_panels", "fig4_panels", "error_maps", "validity_scatter"]

COLORS = ("tab:blue", "tab:orange", "tab:green")
#: one colour per eps of the Fig. 4 grids (quick and paper)
COLORS4 = {0.002: "tab:brown", 0.005: "tab:gray", 0.01: "tab:olive", 0.02: "tab:purple",
           0.05: "tab:blue", 0.1: "tab:green"}


def _index(grid, value):
    return int(np.flatnonzero(np.isclose(grid, value))[0])


def _label(ax, xlabel, ylabel, title, **legend):
    """Axis labels, the panel letter and a frameless legend."""
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title, loc="left")
    ax.legend(**{"frameon": False, "fontsize": 8, **legend})


def _line_styles(ax, first_order_label):
    """Legend entries for the line styles shared by every colour: theory dashed, closure dotted."""
    ax.plot([], [], "k--", label=first_order_label)
    ax.plot([], [], "k:", lw=2, label="Gaussian closure")
    ax.errorbar([], [], yerr=[], fmt="ko", ms=5, label="simulation")


def convergence_panels(conv, kappa0, target=1e-6):
    """(a) |J_N - J_(N-4)| / |J - J0| against the Hermite degree N; (b) CPU time per solve against
    the number of unknowns. ``conv`` maps eps to the rows (N, unknowns, J, seconds) of
    ``thermolib.diode_exact.convergence_study``."""
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(9.0, 3.5))
    for (e, rows), c in zip(conv.items(), COLORS):
        excess = rows[-1, 2] - kappa0
        ax.semilogy(rows[1:, 0], np.abs(np.diff(rows[:, 2])) / abs(excess), "o-", color=c,
                    label=rf"$\varepsilon = {e:g}$")
        bx.loglog(rows[:, 1], rows[:, 3], "o-", color=c, label=rf"$\varepsilon = {e:g}$")
    ax.axhline(target, color="0.5", ls=":")
    _label(ax, "Hermite degree $N$", r"$|J_N - J_{N-4}| \,/\, |J - J_0|$", "(a)")
    _label(bx, "unknowns (even Hermite moments)", "CPU time per solve (s)", "(b)")
    fig.tight_layout()
    return fig


def fig2_panels(diode, T_m, dT, eps, exact, closure, sims, eps_sim, chi):
    """The paper's Fig. 2 setting. (a) J - J0 against Delta T: ``exact`` and ``closure`` on the grid
    (eps x dT; J - J0 = 0 at Delta T = 0 is added), first order from ``diode``, simulations ``sims``
    (Delta T -> result with one lane per ``eps_sim``). (b) chi at |Delta T| = 1 against eps;
    ``chi`` holds ``eps, exact, eps_fine, first_order, closure, sim, sim_err``."""
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(10.0, 4.0))
    dT_line = np.linspace(-1, 1, 201)
    x_ex = np.concatenate([dT[dT < 0], [0.0], dT[dT > 0]])
    for k_sim, (e, c) in enumerate(zip(eps_sim, COLORS)):
        k = _index(eps, e)
        y_ex = np.concatenate([exact[k, dT < 0], [0.0], exact[k, dT > 0]])
        y_cl = np.concatenate([closure[k, dT < 0], [0.0], closure[k, dT > 0]])
        ax.plot(x_ex, y_ex, "-", color=c, label=rf"exact, $\varepsilon = {e:g}$")
        T_A, T_B = T_m + dT_line / 2, T_m - dT_line / 2
        ax.plot(dT_line, e * diode.kappa1(T_A, T_B) * (T_A - T_B), "--", color=c)  # eps J1
        ax.plot(x_ex, y_cl, ":", color=c, lw=2)
        ax.errorbar(list(sims), [r.excess[k_sim] for r in sims.values()],
                    yerr=[r.excess_err[k_sim] for r in sims.values()], fmt="o", color=c, ms=5,
                    capsize=2)
    _line_styles(ax, r"first order $\varepsilon J_1$")
    ax.axhline(0.0, color="0.8", lw=0.8)
    _label(ax, r"temperature difference $\Delta T = T_A - T_B$", r"$J - J_0$", "(a)", ncol=2,
           loc="lower left")
    bx.plot(chi["eps"], chi["exact"], "-", color="k", label="exact")
    bx.plot(chi["eps_fine"], chi["first_order"], "--", color="k", label="first order, Eq. (24)")
    bx.plot(chi["eps_fine"], chi["closure"], ":", color="k", lw=2, label="Gaussian closure")
    bx.errorbar(eps_sim, chi["sim"], yerr=chi["sim_err"], fmt="o", color="tab:red", ms=5,
                capsize=2, label="simulation")
    _label(bx, r"nonlinearity $\varepsilon$", r"rectification $\chi$ at $|\Delta T| = 1$", "(b)")
    fig.tight_layout()
    return fig


def fig4_panels(T_m, rel, eps, exact, first, closure, sims, eps_sim, chi, eps_shown=(0.05, 0.1)):
    """The paper's Fig. 4 setting. (a) The conductance reduction -(J - J0)/Delta T against
    Delta T/T_m (``rel``) for ``eps_shown``: ``exact``, ``first`` and ``closure`` on the grid
    (eps x rel), simulations ``sims`` (Delta T/T_m -> result with one lane per ``eps_sim``).
    (b) chi/eps against Delta T/T_m > 0; ``chi`` holds ``rel, first_order, exact, closure`` (one
    row per eps), ``sim, sim_err`` (one per ``eps_sim``, at the first key of ``sims``)."""
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(10.0, 4.0))
    flip = -np.sign(rel) / np.abs(rel * T_m)  # (|J0| - |J|)/|dT| = -sign(dT)(J - J0)/|dT| > 0
    for e in eps_shown:
        i, c = _index(eps, e), COLORS4[e]
        ax.semilogy(rel, flip * exact[i], "-", color=c, label=rf"exact, $\varepsilon = {e:g}$")
        ax.semilogy(rel, flip * first[i], "--", color=c)
        ax.semilogy(rel, flip * closure[i], ":", color=c, lw=2)
        k = list(eps_sim).index(e)
        ax.errorbar(list(sims), [-np.sign(r) * sims[r].excess[k] / abs(r * T_m) for r in sims],
                    yerr=[sims[r].excess_err[k] / abs(r * T_m) for r in sims], fmt="o",
                    color=c, ms=5, capsize=2)
    _line_styles(ax, "first order")
    _label(ax, r"$\Delta T / T_m$", r"conductance reduction $(|J_0| - |J|)\,/\,|\Delta T|$", "(a)")
    bx.plot(chi["rel"], chi["first_order"], "k--", label="first order")
    for i, e in enumerate(eps):
        bx.plot(chi["rel"], chi["exact"][i], "-", color=COLORS4[e],
                label=rf"exact, $\varepsilon = {e:g}$")
        bx.plot(chi["rel"], chi["closure"][i], ":", color=COLORS4[e], lw=2)
    r_sim = next(iter(sims))
    for k, e in enumerate(eps_sim):
        bx.errorbar([r_sim], [chi["sim"][k]], yerr=[chi["sim_err"][k]], fmt="o", color=COLORS4[e],
                    ms=5, capsize=2)
    _label(bx, r"$\Delta T / T_m$", r"$\chi / \varepsilon$", "(b)")
    fig.tight_layout()
    return fig


def error_maps(settings, T_m, d9_measure):
    """Relative error of first order (top row) and of the closure (bottom row) over
    (Delta T/T_m, eps), one column per ``settings`` entry ``(title, diode, rel, eps, E, EG)``, with
    the contours of ``diode.validity`` (warning threshold, 0.3) and of ``d9_measure`` at 0.15."""
    fig, axes = plt.subplots(2, len(settings), figsize=(10.0, 7.6), layout="constrained")
    norm = LogNorm(1e-3, 3.0)
    for j, (title, d, rel_grid, eps_grid, E, EG) in enumerate(settings):
        rf = np.linspace(rel_grid.min(), rel_grid.max(), 121)
        ef = np.geomspace(eps_grid.min(), eps_grid.max(), 81)
        a, b = T_m * (1 + rf[None, :] / 2), T_m * (1 - rf[None, :] / 2)
        mu_f = d.validity(a, b, ef[:, None])
        d9_f = d9_measure(d, a, b, ef[:, None])
        for i, (Z, what) in enumerate(((E, "first order"), (EG, "Gaussian closure"))):
            ax = axes[i, j]
            pc = ax.pcolormesh(rel_grid, eps_grid, Z, norm=norm, cmap="magma", shading="nearest")
            ax.contour(rf, ef, mu_f, levels=[VALIDITY_THRESHOLD], colors="w", linewidths=1.5)
            ax.contour(rf, ef, mu_f, levels=[0.3], colors="w", linewidths=1.2, linestyles="--")
            if d9_f.max() > 0.15:
                ax.contour(rf, ef, d9_f, levels=[0.15], colors="tab:red", linewidths=1.5,
                           linestyles=":")
            ax.set_yscale("log")
            top = np.ceil(np.abs(rel_grid).max())
            ax.set_xticks(np.arange(-top, top + 0.1, 0.5 if top <= 1 else 1.0))
            if i == 1:
                ax.set_xlabel(r"$\Delta T / T_m$")
            if j == 0:
                ax.set_ylabel(r"nonlinearity $\varepsilon$")
            ax.set_title(f"({'ab'[j] if i == 0 else 'cd'[j]}) {what}, {title}", loc="left",
                         fontsize=9)
    fig.colorbar(pc, ax=axes[:, -1], label="relative error of $J - J_0$", shrink=0.8)
    return fig


def validity_scatter(scatter, ratio_small, mu_max=0.3):
    """Exact relative error E of first order against the validity measure mu, one marker per
    setting of ``scatter`` (name -> (mu, E)), the line E = mu and the band of ``ratio_small``
    (the observed E/mu where mu < ``mu_max``)."""
    fig, ax = plt.subplots(figsize=(6.2, 4.6))
    for (name, (m, e)), mk in zip(scatter.items(), "os^vD<>"):
        ax.loglog(m, e, mk, ms=5, alpha=0.8, label=name)
    x = np.geomspace(1e-3, 30, 50)
    lo, hi = np.min(ratio_small), np.max(ratio_small)
    ax.plot(x, x, "k-", lw=1)
    ax.fill_between(x[x <= mu_max], lo * x[x <= mu_max], hi * x[x <= mu_max], color="0.85", zorder=0)
    ax.axvline(VALIDITY_THRESHOLD, color="0.4", ls=":")
    ax.axhline(0.1, color="0.4", ls=":")
    ax.set_xlabel(r"validity measure $\mu$ (predicted relative error)")
    ax.set_ylabel(r"exact relative error $E$ of first order")
    ax.set_xlim(1e-3, 30)
    ax.set_ylim(1e-3, 5)
    ax.legend(frameon=False, fontsize=7, loc="upper left")
    fig.tight_layout()
    return fig
