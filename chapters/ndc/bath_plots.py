"""The multi-panel figures of the mean-force and friction chapters (chapters/ndc/).

Chapter-local plotting code, not physics: each function draws data the chapter has already loaded
and theory curves from thermolib objects passed in, and returns the figure. Kept out of the pages so
that they show the figures and the computations, not a hundred lines of axis settings.
"""
import matplotlib.pyplot as plt
import numpy as np

__all__ = ["fig2a_panels", "mean_force_panels", "friction_panels", "kick_panels", "stiffness_panel"]

COLORS = ["tab:blue", "tab:orange", "tab:green"]


def fig2a_panels(bath, T, q, force, force_err, scaled, scaled_err, scaled_exact, var_F):
    """NDC Fig. 2a at eps = 1e-3: (a) the force as printed, (b) scaled by T_L / eps^2."""
    colors = plt.cm.viridis(np.linspace(0, 0.85, len(T)))
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(11, 3.8))
    qq = np.linspace(q.min(), q.max(), 100)
    for i, Ti in enumerate(T):
        ax.plot(qq, 1e3 * bath.mean_force(qq, Ti), color=colors[i], lw=1)
        ax.errorbar(q, 1e3 * force[i], yerr=1e3 * force_err[i], fmt="o", ms=3, color=colors[i],
                    capsize=2, label=f"$T_L = {Ti:g}$")
        bx.plot(q, scaled_exact[i], color=colors[i], lw=1)
        bx.errorbar(q + 0.12 * (i - 2), scaled[i], yerr=scaled_err[i], fmt="o", ms=3, color=colors[i],
                    capsize=2)
    ax.axhline(-1e3 * bath.eps * bath.lam, color="0.5", ls=":", lw=1)
    bx.plot(qq, qq * var_F, "k--", lw=1, label=r"$q\,\mathrm{Var}\,\mathcal{F}$")
    ax.set(xlabel="probe position $q$", ylabel=r"$10^3\,F_\mathrm{qs}(q)$", title="(a)")
    bx.set(xlabel="probe position $q$", title="(b)",
           ylabel=r"$T_L(F_\mathrm{qs} + \varepsilon\lambda)/\varepsilon^2$")
    ax.legend(frameon=False, fontsize=8)
    bx.legend(frameon=False, fontsize=8)
    fig.tight_layout()
    return fig


def mean_force_panels(bath, curves, mu3):
    """(a) F_qs(q) per T_L; (b) collapsed against u; (c) relative error of the expansion vs u.

    ``curves`` maps T_L to a dataset with ``q``, ``force``, ``force_err``, ``force_compensated``.
    """
    var_F = bath.variance()
    fig, axs = plt.subplots(1, 3, figsize=(12, 3.8))
    uu = np.linspace(-0.85, 0.85, 341)
    comp = (bath.mean_force(uu / bath.eps, 1.0) + bath.eps * bath.lam) / bath.eps  # exact, collapsed
    for (T, c), col in zip(curves.items(), COLORS):
        qq = uu * T / bath.eps
        axs[0].plot(qq, bath.mean_force(qq, T), color=col, lw=1.2)
        axs[0].plot(qq, bath.mean_force(qq, T, order=2), color=col, lw=1, ls="--")
        axs[0].errorbar(c["q"], c["force"], yerr=c["force_err"], fmt="o", ms=3, color=col, capsize=2,
                        label=f"$T_L = {T:g}$")
        axs[1].errorbar(c["q"] * bath.eps / T, c["force_compensated"] / bath.eps,
                        yerr=c["force_err"] / bath.eps, fmt="o", ms=3, color=col, capsize=2,
                        label=f"$T_L = {T:g}$")
    axs[1].axvspan(-0.02, 0.02, color="0.85")
    axs[1].plot(uu, comp, "k-", lw=1.2, label="exact")
    axs[1].plot(uu, uu * var_F, "k--", lw=1, label=r"$u\,\mathrm{Var}\,\mathcal{F}$")
    nz = np.abs(uu) > 1e-3
    axs[2].plot(uu[nz], uu[nz] * var_F / comp[nz] - 1, "k--", label=r"$O(\varepsilon^2)$")
    axs[2].plot(uu[nz], (uu * var_F - uu**2 * mu3 / 2)[nz] / comp[nz] - 1, "k-.", label=r"with $\mu_3$")
    axs[2].axhspan(-0.05, 0.05, color="0.9", label="within 5 %")
    axs[0].set(xlabel="probe position $q$", ylabel=r"$F_\mathrm{qs}(q)$", title="(a)")
    axs[1].set(xlabel=r"$u = \varepsilon q/T_L$", title="(b)",
               ylabel=r"$(F_\mathrm{qs} + \varepsilon\lambda)/\varepsilon$")
    axs[2].set(xlabel=r"$u = \varepsilon q/T_L$", ylabel="expansion / exact $-$ 1", title="(c)",
               ylim=(-0.4, 0.4))
    for a in axs:
        a.legend(frameon=False, fontsize=8)
    fig.tight_layout()
    return fig


def friction_panels(probe, T, g, g_err, T50, g50, g50_err):
    """Total friction vs T_L (log-log) with the Markov and memory-kernel curves, and the ratio to
    Markov with omega_0 tau_1 on a top axis. ``T50, g50, g50_err``: the paper's kick v0 = 50."""
    bath = probe.bath
    TT = np.geomspace(0.6, 80, 200)
    markov = np.array([probe.gamma(t) for t in TT])
    memory = np.array([probe.memory_mode(t)[0] for t in TT])
    fig, (ax, bx) = plt.subplots(2, 1, figsize=(6.5, 6.2), sharex=True,
                                 gridspec_kw=dict(height_ratios=[2.2, 1]))
    ax.loglog(TT, markov, "k--", lw=1, label=r"Markov $N_b\gamma_\mathrm{eff} \propto T_L^{-2}$")
    ax.loglog(TT, memory, "k-", lw=1, label="memory kernel (exact mode)")
    for x, y, e, style in ((T, g, g_err, dict(fmt="o", ms=4, color="tab:blue")),
                           (T50, g50, g50_err, dict(fmt="D", ms=5, color="tab:orange"))):
        m = np.array([probe.gamma(t) for t in x])
        label = r"simulation, $v_0 = 2T_L$" if style["fmt"] == "o" else r"simulation, $v_0 = 50$ (paper)"
        ax.errorbar(x, y, yerr=e, capsize=2, label=label, **style)
        bx.errorbar(x, y / m, yerr=e / m, capsize=2, **style)
    bx.semilogx(TT, memory / markov, "k-", lw=1)
    bx.axhline(1.0, color="k", ls="--", lw=1)
    ax.set_ylabel(r"total friction $\gamma_\mathrm{tot}$")
    ax.legend(frameon=False, fontsize=8)
    bx.set(xlabel="bath temperature $T_L$", ylabel="ratio to Markov", ylim=(0, 1.25))
    w_tau1 = probe.frequency() * bath.tau1(1.0)  # omega_0 tau_1 = w_tau1 / T_L
    top = bx.secondary_xaxis("top", functions=(lambda t: w_tau1 / np.maximum(t, 1e-9),
                                               lambda wt: w_tau1 / np.maximum(wt, 1e-9)))
    top.set_xlabel(r"$\omega_0\tau_1$", fontsize=9)
    fig.tight_layout()
    return fig


def kick_panels(probe, u_kick, r_kick, e_kick, nonlin, T50, g50, g50_err, dts, r_dt, e_dt, dt_fit,
                dt_default):
    """(a) friction / memory kernel against the kick's u (series at T_L = 8 with its fit ``nonlin``,
    and the paper's v0 = 50 at several T_L); (b) against the time step, with the fit ``dt_fit``."""
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(10, 3.6))
    ax.errorbar(u_kick, r_kick, yerr=e_kick, fmt="o", ms=4, capsize=2, label="$T_L = 8$")
    uu = np.linspace(0, 1.3, 100)
    ax.plot(uu, nonlin(uu**2), "k-", lw=1, label=f"$b - a u^2$, $a = {-nonlin.slope:.3f}$")
    mem50 = np.array([probe.memory_mode(t)[0] for t in T50])
    ax.errorbar(probe.bath.eps * 50 / (T50 * probe.frequency()), g50 / mem50, yerr=g50_err / mem50,
                fmt="D", ms=5, color="tab:orange", capsize=2, label=r"$v_0 = 50$ (the paper's kick)")
    ax.set(xscale="log", xlabel=r"$u = \varepsilon v_0/(T_L\omega_0)$", ylabel="friction / memory kernel")
    bx.errorbar(dts, r_dt, yerr=e_dt, fmt="s", ms=4, capsize=2)
    dd = np.linspace(0, dts.max() * 1.05, 50)
    bx.plot(dd, dt_fit(dd), "k-", lw=1)
    bx.axvline(dt_default, color="0.4", ls=":")
    bx.set(xlabel=r"time step $\Delta t$", ylabel="friction / memory kernel")
    for a in (ax, bx):
        a.axhline(1.0, color="0.6", lw=0.8)
    ax.legend(frameon=False, fontsize=8)
    fig.tight_layout()
    return fig


def stiffness_panel(probe, T, k, k_err):
    """Apparent stiffness vs T_L: simulation, corrected k_eff, the memory kernel's mode, printed."""
    fig, ax = plt.subplots(figsize=(6.5, 3.6))
    TT = np.geomspace(0.6, 80, 200)
    T_ok = TT[TT > probe.critical_temperature()]
    ax.semilogx(T_ok, [probe.k_eff(t) for t in T_ok], "k--", lw=1,
                label=r"$k_\mathrm{eff} = K - N_b\varepsilon^2\mathrm{Var}\,\mathcal{F}/T_L$ (corrected)")
    ax.semilogx(TT, [probe.memory_mode(t)[1] for t in TT], "k-", lw=1, label="memory kernel (exact mode)")
    ax.semilogx(TT, [2 * probe.K - probe.k_eff(t) for t in TT], color="tab:red", ls=":", lw=1.5,
                label=r"printed, $K + N_b\varepsilon^2\mathrm{Var}\,\mathcal{F}/T_L$")
    ax.errorbar(T, k, yerr=k_err, fmt="o", ms=4, color="tab:blue", capsize=2,
                label=r"simulation, $v_0 = 2T_L$")
    ax.axhline(probe.K, color="0.6", lw=0.8)
    ax.set(xlabel="bath temperature $T_L$", ylabel=r"apparent stiffness $m\Omega_0^2$", ylim=(0.2, 1.5))
    ax.legend(frameon=False, fontsize=8, loc="upper right")
    fig.tight_layout()
    return fig
