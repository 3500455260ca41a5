"""The schematic of the NDC model (the paper's Fig. 1), drawn with matplotlib.

Chapter-local drawing code for chapters/ndc/model.md (not physics: no thermolib call), kept out of
the chapter so that the page shows the figure, not seventy lines of coordinates.
"""
import numpy as np
from matplotlib import patches

__all__ = ["draw_setup"]


def _spring(ax, p0, p1, n=7, width=0.12, **kw):
    """A zigzag spring from p0 to p1 (plot only)."""
    p0, p1 = np.asarray(p0, float), np.asarray(p1, float)
    d = p1 - p0
    length = np.hypot(*d)
    u, nrm = d / length, np.array([-d[1], d[0]]) / length
    s = np.linspace(0, 1, 2 * n + 1)
    off = np.zeros_like(s)
    off[1:-1:2], off[2:-1:2] = width, -width
    body = 0.15 + 0.7 * s
    pts = p0 + np.outer(np.r_[0, body, 1], d) + np.outer(np.r_[0, off, 0], nrm)
    ax.plot(pts[:, 0], pts[:, 1], color=kw.get("color", "0.25"), lw=1.2)



def draw_setup(ax):
    """Draw the particle bath (ring), the chain (springs k, pinning K) and the Langevin bath on ``ax``."""
    spring = _spring
    ax.set_aspect("equal")
    ax.axis("off")

    # particle bath: a ring with particles
    rc, R = np.array([0.0, 0.0]), 1.0
    ax.add_patch(patches.Circle(rc, R, fill=False, lw=2, color="tab:orange"))
    rng = np.random.default_rng(4)  # positions for the drawing only
    for ang in rng.uniform(0, 2 * np.pi, 14):
        ax.add_patch(patches.Circle(rc + R * np.array([np.cos(ang), np.sin(ang)]), 0.07, color="tab:orange"))
    ax.annotate("", xy=rc + R * np.array([np.cos(0.9), np.sin(0.9)]) * 1.18,
                xytext=rc + R * np.array([np.cos(0.3), np.sin(0.3)]) * 1.18,
                arrowprops=dict(arrowstyle="->", color="0.3", connectionstyle="arc3,rad=0.25"))
    ax.text(rc[0], rc[1] + 0.15, "particle bath\n$N_b$ particles $x_i$", ha="center", va="center", fontsize=9)
    ax.text(rc[0], rc[1] - 0.35, r"$\zeta,\ T_L$", ha="center", va="center", fontsize=10)
    ax.text(rc[0], rc[1] - R - 0.3, "ring of length $L$", ha="center", fontsize=9)

    # chain
    xs = [2.4, 3.9, 5.4, 7.6]
    names = ["$q_1$", "$q_2$", "$q_3$", "$q_N$"]
    y0, r_site = 0.0, 0.28
    for x, nm in zip(xs, names):
        ax.add_patch(patches.Circle((x, y0), r_site, color="tab:blue", zorder=3))
        ax.text(x, y0, nm, ha="center", va="center", color="white", fontsize=10, zorder=4)
    for a, b in zip(xs[:2], xs[1:3]):
        spring(ax, (a + r_site, y0), (b - r_site, y0))
        ax.text((a + b) / 2, y0 + 0.28, "$k$", ha="center", fontsize=10)
    spring(ax, (xs[2] + r_site, y0), (xs[2] + 0.85, y0), n=3)
    ax.text((xs[2] + xs[3]) / 2 + 0.05, y0, r"$\cdots$", ha="center", va="center", fontsize=14)
    spring(ax, (xs[3] - 0.85, y0), (xs[3] - r_site, y0), n=3)
    # pinning springs K to the ground
    for x in (xs[0], xs[3]):
        spring(ax, (x, y0 - r_site), (x, -1.25), n=4, width=0.1)
        ax.plot([x - 0.3, x + 0.3], [-1.25, -1.25], color="0.25", lw=1.5)
        for h in np.linspace(x - 0.3, x + 0.2, 6):
            ax.plot([h, h + 0.1], [-1.25, -1.38], color="0.25", lw=0.8)
        ax.text(x + 0.16, -0.8, "$K$", fontsize=10)

    # coupling of the particle bath to q_1
    ax.annotate("", xy=(xs[0] - r_site - 0.03, y0), xytext=(rc[0] + R + 0.1, y0),
                arrowprops=dict(arrowstyle="->", lw=1.6, color="tab:orange"))
    ax.text((rc[0] + R + xs[0] - r_site) / 2, y0 + 0.5,
            r"$\varepsilon q_1 \sum_i \mathcal{F}(x_i)$" + "\n" + r"$-\Lambda q_1$", ha="center", fontsize=9)

    # Langevin bath on site N
    box = patches.FancyBboxPatch((8.75, -0.75), 1.5, 1.5, boxstyle="round,pad=0.05", fc="tab:red",
                                 alpha=0.15, ec="tab:red")
    ax.add_patch(box)
    ax.plot([xs[3] + r_site, 8.75], [y0, y0], color="tab:red", lw=1.5)
    ax.add_patch(patches.Rectangle((8.25, -0.13), 0.28, 0.26, fill=False, ec="tab:red", lw=1.2))  # dashpot
    ax.text(9.5, 0.15, "Langevin\nbath", ha="center", va="center", fontsize=9)
    ax.text(9.5, -0.42, r"$\gamma_R,\ T_R$", ha="center", va="center", fontsize=10)
    ax.set_xlim(-1.3, 10.4)
    ax.set_ylim(-1.5, 1.35)
