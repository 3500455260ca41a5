"""The NDC explorer: the chain's current versus T_L from thermolib's three theories (closed form,
finite-N Markov chain, memory kernel), and simulations of the full particle model on demand.

Paper: Krekels, Maes, Santra, Zhai (2026), Fig. 3 and Eq. (4) with errata N1-N3, N8.
"""
from __future__ import annotations

from functools import lru_cache

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure
from scipy.optimize import minimize_scalar

from thermolib import NDCChain, ParticleBath
from thermolib.fidelity import choose, seed as book_seed

from . import runs
from ._panel import SimulationPanel

__all__ = ["NDC_DEFAULTS", "NDC_FIGURE_RUN", "MEMORY_MAX_N", "ndc_chain", "ndc_curves",
           "ndc_figure", "simulate_ndc_point", "ndc_figure_points", "NDCExplorer"]

# Paper Fig. 3 (zeta = 0.1 curve): N_b = 40, zeta = 0.1, lam = 1, p = 2, L = 25, eps = 0.1 (errata
# N8), m = k = K = gamma_R = 1, T_R = 0; chain length N = 8 as in the book's sweeps.
NDC_DEFAULTS = dict(T_L=2.0, T_R=0.0, zeta=0.1, eps=0.1, N_b=40, p=2.0, K=1.0, k=1.0,
                    gamma_R=1.0, N=8, logy=False)
NDC_GRID = 90            # points of the N -> infinity closed form (~10 us each)
NDC_GRID_FINITE = 45     # points of the finite-N curves (one Lyapunov solve each)
MEMORY_MAX_N = 16        # the memory-kernel curve is drawn only up to this N (cost ~ N^3)
#: The simulated points of the page's static figure (the book's choice of T_L and run lengths):
#: what the button adds at these T_L, with longer runs at paper fidelity. t is the measured time,
#: after the simulator's default burn-in.
NDC_FIGURE_RUN = dict(T_L=(1.0, 2.0, 4.0), t=dict(quick=600.0, paper=4000.0),
                      realizations=dict(quick=8, paper=32), seed=2026)


def ndc_chain(zeta, eps, N_b, p, K, k, gamma_R, **_):
    """The NDCChain of the explorer (lam = 1, L = 25, m = 1 as in the paper)."""
    bath = ParticleBath(N_b=int(N_b), zeta=float(zeta), lam=1.0, p=float(p), L=25.0, eps=float(eps))
    return NDCChain(bath, m=1.0, k=float(k), K=float(K), gamma_R=float(gamma_R))


@lru_cache(maxsize=256)
def ndc_curves(chain, T_R, N):
    """Everything the NDC figure draws (cached: moving only T_L does not recompute anything)."""
    T_star, T_star_N = chain.critical_temperature(), chain.critical_temperature(N)
    T_lo = 0.1 if T_star_N < 0.2 else 0.5 * T_star_N
    T_hi = 1000.0 * T_lo
    near = lambda Ts, n: Ts * (1.0 + np.geomspace(1e-4, 0.5, n))  # resolve the curve just above T*
    T_inf = np.union1d(np.geomspace(T_lo, T_hi, NDC_GRID), near(T_star, 12))
    T_fin = np.union1d(np.geomspace(T_lo, T_hi, NDC_GRID_FINITE), near(T_star_N, 8))
    ok = T_inf > T_star
    J_inf = np.full(T_inf.shape, np.nan)
    if ok.any():
        J_inf[ok] = chain.current(T_inf[ok], T_R)              # closed form, Eq. (4) corrected
    J_N = np.asarray(chain.current_or_nan(T_fin, T_R, N=N), dtype=float)
    J_mem = (np.asarray(chain.current_or_nan(T_fin, T_R, N=N, memory=True), dtype=float)
             if N <= MEMORY_MAX_N else None)
    # maximum of the N -> infinity current: grid argmax, refined by a bounded 1-D search
    i = int(np.nanargmax(J_inf))
    T_max, J_max = float(T_inf[i]), float(J_inf[i])
    if 0 < i < T_inf.size - 1 and np.isfinite(J_inf[i - 1]):
        res = minimize_scalar(lambda T: -chain.current(T, T_R), bounds=(T_inf[i - 1], T_inf[i + 1]),
                              method="bounded", options={"xatol": 1e-6 * T_inf[i]})
        if -res.fun > J_max:
            T_max, J_max = float(res.x), float(-res.fun)
    T_co = T_inf[ok]
    coeffs = dict(T=T_co, gamma_L=np.array([chain.gamma_L(T) for T in T_co]),
                  k_eff=np.array([chain.k_eff(T) for T in T_co]) / chain.K,
                  markov=np.array([chain.markov_validity(T) for T in T_co]))
    return dict(T_inf=T_inf, J_inf=J_inf, T_fin=T_fin, J_N=J_N, J_mem=J_mem, T_star=T_star,
                T_star_N=T_star_N, T_max=T_max, J_max=J_max, coeffs=coeffs, T_lo=T_lo, T_hi=T_hi)


# ----------------------------------------------------------------------------- NDC: figure
def ndc_figure(params, sims=(), logy=False):
    """The NDC figure at the parameters ``params`` (a dict like NDC_DEFAULTS) with simulated points."""
    chain, T_L, T_R, N = ndc_chain(**params), float(params["T_L"]), float(params["T_R"]), int(params["N"])
    c = ndc_curves(chain, T_R, N)
    fig = Figure(figsize=(10, 6.6))
    gs = fig.add_gridspec(2, 2, width_ratios=(2.1, 1), hspace=0.08, wspace=0.3, bottom=0.27,
                          top=0.93, left=0.08, right=0.98)
    ax, ax_g, ax_k = fig.add_subplot(gs[:, 0]), fig.add_subplot(gs[0, 1]), fig.add_subplot(gs[1, 1])
    ax_k.sharex(ax_g)

    ax.axvspan(c["T_lo"], c["T_star"], color="0.88", zorder=0,
               label=rf"no Markov steady state ($T_L \leq T^* = {c['T_star']:.3g}$)")
    ax.axvline(c["T_star_N"], color="0.55", ls=":", lw=1,
               label=rf"$T^*_N = {c['T_star_N']:.3g}$ (finite $N$)")
    ax.plot(c["T_inf"], c["J_inf"], "-", color="C0", lw=2, gid="J_inf",
            label=r"Markov, $N\to\infty$, closed form")
    ax.plot(c["T_fin"], c["J_N"], "--", color="C1", lw=1.6, gid="J_N",
            label=rf"Markov, $N = {N}$, exact")
    if c["J_mem"] is not None:
        ax.plot(c["T_fin"], c["J_mem"], "-.", color="C2", lw=1.6, gid="J_mem",
                label=rf"memory kernel, $N = {N}$, exact")
    else:
        ax.text(0.98, 0.02, f"memory-kernel curve only for N <= {MEMORY_MAX_N}",
                transform=ax.transAxes, ha="right", va="bottom", fontsize=8, color="C2")
    ax.plot([c["T_max"]], [c["J_max"]], "*", ms=14, color="C3", gid="J_max", zorder=5,
            label=rf"maximum: $T_L = {c['T_max']:.3g}$, $J = {c['J_max']:.3g}$")
    ax.axvline(T_L, color="k", lw=0.8, alpha=0.6)
    here = [("N→∞", chain.current_or_nan(T_L, T_R)), (f"N={N}", chain.current_or_nan(T_L, T_R, N=N))]
    if N <= MEMORY_MAX_N:
        here.append(("memory", chain.current_or_nan(T_L, T_R, N=N, memory=True)))
    ax.set_title(f"(a)  at $T_L = {T_L:.3g}$:  " + ",  ".join(f"J({n}) = {v:.4g}" for n, v in here),
                 fontsize=9, loc="left")
    ax_g.set_title("(b)", fontsize=9, loc="left")
    ax_k.set_title("(c)", fontsize=9, loc="left", y=0.83, x=0.02)
    pts = [s for s in sims if s.get("key") == (chain, T_R, N)]
    if pts:
        ax.errorbar([s["T_L"] for s in pts], [s["J"] for s in pts], yerr=[s["J_err"] for s in pts],
                    fmt="o", color="k", ms=5, capsize=3, zorder=6, gid="J_sim",
                    label=rf"simulation, full particle model, $N = {N}$ ($\pm$1 SE)")
    ax.set_xscale("log")
    if logy:
        ax.set_yscale("log")
    ax.set_xlim(c["T_lo"], c["T_hi"])
    ax.set_xlabel(r"particle-bath temperature $T_L$")
    ax.set_ylabel(r"heat current $J$ (energy per unit time)")
    ax.legend(fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(-0.02, -0.1), ncol=2)

    co = c["coeffs"]
    ax_g.loglog(co["T"], co["gamma_L"], color="C4", label=r"$\gamma_L$")
    ax_g.axhline(chain.gamma_R, color="C4", ls=":", lw=1, label=r"$\gamma_R$")
    ax_g.set_ylabel("friction")
    ax_g.legend(fontsize=8, frameon=False)
    ax_g.tick_params(labelbottom=False)
    ax_k.loglog(co["T"], co["k_eff"], color="C5", label=r"$k_\mathrm{eff}/K$")
    ax_k.loglog(co["T"], co["markov"], color="C6", ls="--", label=r"$\omega_\mathrm{max}\tau_1$")
    ax_k.axhline(1.0, color="0.6", lw=0.8)
    ax_k.set_ylim(1e-2, 20)
    ax_k.set_xlabel(r"$T_L$")
    ax_k.set_ylabel("dimensionless")
    ax_k.legend(fontsize=8, frameon=False)
    for a in (ax_g, ax_k):
        a.minorticks_off()   # log minor ticks dominate the drawing time; keep the redraw quick
        a.axvline(T_L, color="k", lw=0.8, alpha=0.6)
        a.axvspan(c["T_lo"], c["T_star"], color="0.88", zorder=0)
    ax_g.set_xlim(c["T_lo"], c["T_hi"])
    return fig




def simulate_ndc_point(chain, T_L, T_R, N, *, t, realizations, seed, progress=None, cancelled=None):
    """One point of the full particle model at T_L (what the button adds), tagged with the curve
    it belongs to (``key``: the chain, T_R and N)."""
    point = runs.ndc_point(chain, T_L, T_R, N, t=t, realizations=realizations, seed=seed,
                           progress=progress, cancelled=cancelled)
    return dict(point, key=(chain, float(T_R), int(N)))


def ndc_figure_points(params=NDC_DEFAULTS):
    """The simulated points of the page's static figure (:data:`NDC_FIGURE_RUN` at the current
    fidelity; point i has the seed ``thermolib.fidelity.seed(seed + i)``)."""
    run, chain = NDC_FIGURE_RUN, ndc_chain(**params)
    return [simulate_ndc_point(chain, T, params["T_R"], params["N"], t=choose(**run["t"]),
                               realizations=choose(**run["realizations"]),
                               seed=book_seed(run["seed"] + i))
            for i, T in enumerate(run["T_L"])]


class NDCExplorer(SimulationPanel):
    """Sliders + figure + a button that simulates the full model at the chosen T_L."""

    DEFAULTS = NDC_DEFAULTS
    SIMULATOR = "ndc"

    def __init__(self, sim_t=800.0, sim_realizations=8, seed=1):
        super().__init__(t=sim_t, t_range=(2, 4, 0.1), realizations=sim_realizations,
                         r_range=(2, 64, 2), seed=seed, button="simulate at this T_L", split=5)

    def make_controls(self):
        d, S, L = NDC_DEFAULTS, widgets.FloatSlider, widgets.FloatLogSlider
        kw = dict(continuous_update=False, style={"description_width": "70px"},
                  layout=widgets.Layout(width="320px"))
        return {
            "T_L": L(value=d["T_L"], base=10, min=-1, max=2, step=0.02, description="T_L", **kw),
            "T_R": S(value=d["T_R"], min=0, max=20, step=0.5, description="T_R", **kw),
            "zeta": L(value=d["zeta"], base=10, min=-2, max=0, step=0.05, description="ζ", **kw),
            "eps": L(value=d["eps"], base=10, min=-2, max=-0.3, step=0.02, description="ε", **kw),
            "N_b": widgets.IntSlider(value=d["N_b"], min=1, max=200, description="N_b", **kw),
            "p": S(value=d["p"], min=0.0, max=6.0, step=0.1, description="p", **kw),
            "K": S(value=d["K"], min=0.1, max=5.0, step=0.1, description="K", **kw),
            "k": S(value=d["k"], min=0.1, max=5.0, step=0.1, description="k", **kw),
            "gamma_R": L(value=d["gamma_R"], base=10, min=-1, max=1, step=0.05, description="γ_R",
                         **kw),
            "N": widgets.IntSlider(value=d["N"], min=2, max=64, description="N", **kw),
            "logy": widgets.Checkbox(value=d["logy"], description="log J axis", indent=False),
        }

    def figure(self, params, sims):
        return ndc_figure(params, sims, logy=params["logy"])

    def simulate(self, params, progress, cancelled):
        p = params
        point = simulate_ndc_point(ndc_chain(**p), p["T_L"], p["T_R"], p["N"], t=self.sim_t.value,
                                   realizations=self.sim_R.value, seed=self.seed.value,
                                   progress=progress, cancelled=cancelled)
        return [point]

    def summary(self, pts):
        return f": J = {pts[0]['J']:.4g} ± {pts[0]['J_err']:.2g}"
