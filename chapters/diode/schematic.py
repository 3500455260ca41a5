"""The diode's schematic (paper Fig. 1), drawn with matplotlib for the chapter "diode model".

Chapter-local drawing code, kept out of the chapter so the page shows physics, not plotting.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

__all__ = ["diode_schematic"]


def _zigzag(p0, p1, n=8, width=0.18):
    """Points of a spring drawn from p0 to p1."""
    p0, p1 = np.asarray(p0, float), np.asarray(p1, float)
    d = p1 - p0
    length = np.hypot(*d)
    t = np.linspace(0, 1, 2 * n + 1)
    off = np.zeros_like(t)
    off[1:-1:2], off[2:-1:2] = width, -width
    off[[1, -2]] *= 0.5
    normal = np.array([-d[1], d[0]]) / length
    pts = p0[None] + (0.12 + 0.76 * t)[:, None] * d[None] + off[:, None] * normal[None]
    return np.vstack([p0, pts, p1])


def diode_schematic():
    """Masses m_A, m_B on on-site springs k_A, k_B with nonlinear wells, coupled by k_I, each in
    its own Langevin bath; the arrow is the positive direction of the heat current."""
    fig, ax = plt.subplots(figsize=(7.5, 3.6))
    ax.set_xlim(0, 10)
    ax.set_ylim(-0.6, 4.3)
    ax.axis("off")
    ground = 0.3
    ax.fill_between([1.9, 8.1], ground - 0.25, ground, color="0.8", hatch="///", edgecolor="0.5")
    ax.plot([1.9, 8.1], [ground, ground], color="0.3", lw=1)
    xa, xb, ym, s = 3.5, 6.5, 2.2, 0.8  # mass centres (x), height, box size
    for xc, name, color in ((xa, "A", "tab:red"), (xb, "B", "tab:blue")):
        ax.add_patch(plt.Rectangle((xc - s / 2, ym - s / 2), s, s, fc=color, alpha=0.25, ec=color,
                                   lw=2))
        ax.text(xc, ym, f"$m_{name}$", ha="center", va="center", fontsize=14)
        sp = _zigzag((xc, ground), (xc, ym - s / 2), n=5, width=0.15)
        ax.plot(sp[:, 0], sp[:, 1], color="0.2", lw=1.5)
        ax.text(xc + 0.22, 0.5 * (ground + ym - s / 2), f"$k_{name}$", fontsize=13, va="center")
    sp = _zigzag((xa + s / 2, ym), (xb - s / 2, ym), n=6, width=0.15)  # coupling spring
    ax.plot(sp[:, 0], sp[:, 1], color="0.2", lw=1.5)
    ax.text(5.0, ym + 0.3, "$k_I$", ha="center", fontsize=13)
    z = np.linspace(-1, 1, 60)  # nonlinear on-site wells, sketched beside each spring
    for xc, name, shape in ((xa, "A", z**4), (xb, "B", 1 - np.cos(2.5 * z))):
        x0 = xc - 1.25
        ax.plot(x0 + 0.45 * z, ground + 0.25 + 0.55 * shape / shape.max(), color="tab:purple",
                lw=1.5)
        ax.text(x0, ground + 1.0, rf"$\varepsilon V^\mathrm{{nl}}_{name}$", ha="center",
                fontsize=12, color="tab:purple")
    for xc, name, color, xbath in ((xa, "A", "tab:red", 0.15), (xb, "B", "tab:blue", 8.35)):
        ax.add_patch(plt.Rectangle((xbath, 1.2), 1.5, 2.0, fc=color, alpha=0.15, ec=color, lw=1.5))
        ax.text(xbath + 0.75, 2.55, f"bath {name}", ha="center", fontsize=11)
        ax.text(xbath + 0.75, 2.0, f"$T_{name},\\ \\gamma_{name}$", ha="center", fontsize=13)
        x_from = xbath + 1.5 if name == "A" else xbath
        x_to = xc - s / 2 if name == "A" else xc + s / 2
        zz = np.linspace(0, 1, 200)
        ax.plot(x_from + (x_to - x_from) * zz, ym + 0.08 * np.sin(2 * np.pi * 6 * zz), color=color,
                lw=1)
        ax.text(0.5 * (x_from + x_to), ym + 0.25, rf"$\eta_{name}$", ha="center", fontsize=12,
                color=color)
    for xc, lab in ((xa, "$x$"), (xb, "$y$")):  # coordinates and current
        ax.annotate("", xy=(xc + 0.6, ym + 0.65), xytext=(xc, ym + 0.65),
                    arrowprops=dict(arrowstyle="->", color="0.2"))
        ax.text(xc + 0.65, ym + 0.65, lab, va="center", fontsize=12)
    ax.annotate("", xy=(6.0, 3.75), xytext=(4.0, 3.75),
                arrowprops=dict(arrowstyle="-|>", color="k", lw=2))
    ax.text(5.0, 3.9, r"heat current $J$ ($A \to B$ when $T_A > T_B$)", ha="center", fontsize=11)
    fig.tight_layout()
    return fig
