"""The special cases of the diode paper's Appendix A *exactly as printed*, for the chapter
"diode model", which compares them with the general closed forms of :class:`thermolib.Diode`.

These functions are the thing being checked, so they are typed as the paper prints them (including
the misprint of (A37), ERRATA D1); the book's own numbers never come from here. Defaveri &
Anteneodo, Phys. Rev. E 104, 014106 (2021), Eqs. (A32)-(A37) and (A39)-(A51).
"""
from __future__ import annotations

__all__ = ["equal_mass_damping", "small_coupling"]


def equal_mass_damping(d) -> dict:
    """(A32)-(A37) for m_A = m_B = m, gamma_A = gamma_B = gamma, with mbar = m/gamma^2."""
    mb, g = d.m_A / d.gamma_A**2, d.gamma_A
    kA, kB, kI = d.k_A, d.k_B, d.k_I
    den = (4 * kI**2 + (kA - kB) ** 2) * mb + 2 * (2 * kI + kA + kB)
    pre = (kA * kB + kI * (kA + kB)) * den
    return {
        "kappa0 (A32)": 2 * kI**2 / g / den,
        "sigma_m (A33)": 2 * kI**2 * ((2 * kI + kA + kB) * mb + 2) / pre,
        "sigma_A (A34)": ((kA - kB) * ((kA - kB) * (kB + kI) - 2 * kI**2) * mb
                          + 2 * (kB * (kA + kB) + kI * (kA + 3 * kB))) / pre,
        "sigma_B (A35)": ((kB - kA) * ((kB - kA) * (kA + kI) - 2 * kI**2) * mb
                          + 2 * (kA * (kA + kB) + kI * (kB + 3 * kA))) / pre,
        "beta_A (A36)": 2 * (1 + mb * (kA - kB)) / den,
        "beta_B (A37)": 2 * (1 - mb * (kB - kA)) / den,
    }


def small_coupling(d, case: str) -> dict:
    """(A39)-(A51), leading order in k_I, for one asymmetry: ``case`` in
    {"stiffness", "damping", "mass"} (the other two parameter pairs equal)."""
    kI = d.k_I
    if case == "stiffness":  # m_A = m_B = m, gamma_A = gamma_B = gamma
        m, g, kA, kB = d.m_A, d.gamma_A, d.k_A, d.k_B
        den = (kA - kB) ** 2 * m + 2 * (kA + kB) * g**2
        return {"kappa0 (A39)": 2 * g * kI**2 / den, "sigma_A (A40)": 1 / kA,
                "sigma_B (A41)": 1 / kB, "beta_A (A42)": 2 * ((kA - kB) * m + g**2) / den,
                "beta_B (A43)": 2 * ((kB - kA) * m + g**2) / den}
    if case == "damping":  # m_A = m_B, k_A = k_B = k
        k, gA, gB = d.k_A, d.gamma_A, d.gamma_B
        return {"kappa0 (A44)": kI**2 / (k * (gA + gB)), "sigma_A (A45)": 1 / k,
                "sigma_B (A45)": 1 / k, "beta_A (A46)": gB / (k * (gA + gB)),
                "beta_B (A47)": gA / (k * (gA + gB))}
    if case == "mass":  # gamma_A = gamma_B = gamma, k_A = k_B = k
        g, k, mA, mB = d.gamma_A, d.k_A, d.m_A, d.m_B
        den = k * (k * (mA - mB) ** 2 + 2 * (mA + mB) * g**2)
        return {"kappa0 (A48)": g * (mA + mB) * kI**2 / den, "sigma_A (A49)": 1 / k,
                "sigma_B (A49)": 1 / k,
                "beta_A (A50)": (2 * k * (mB - mA) * mB + (mA + mB) * g**2) / den,
                "beta_B (A51)": (2 * k * (mA - mB) * mA + (mA + mB) * g**2) / den}
    raise ValueError(f"case must be 'stiffness', 'damping' or 'mass', got {case!r}")
