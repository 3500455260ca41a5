"""NDC full model (particle bath + chain): numba kernel vs a plain-numpy vectorised baseline, and
the time-step bias of the bath's Euler-Maruyama step (``python -m benchmarks.ndc --dt-bias``).

Throughput workload: N_b = 40 particles, chain of N = 8 sites, 8 realizations, Fig. 2 bath
parameters (zeta = 0.1, lam = 1, p = 2, L = 25, eps = 0.1), T_L = 2, T_R = 0, dt = 0.004. The numba
kernel runs on one thread (``numba.set_num_threads(1)``); the baseline does the same BAOAB +
Euler-Maruyama steps with numpy arrays of shape (realizations, N_b) (``np.random.Generator`` normals,
``np.cos``/``np.sin``/``np.exp``). Unit: nanoseconds per particle-step (one particle advanced by one
time step).

Design of the particle step (``thermolib.sim._bath.sweep``), as measured with this benchmark:
splitting the particle update into three loops (normal draws on even steps; positions with
sin/cos; exp and the drift factor) took it from 13.6 to 8.1 ns per particle-step (shorter,
latency-bound loop bodies keep more independent iterations in flight); keeping the spare normals in
a buffer that does not alias the force buffer matters (17 vs 10 ns: with overlapping buffers the
vectoriser's run-time alias check fails and the update loop runs scalar).
"""
from __future__ import annotations

import math
import time
import numpy as np

from thermolib import NDCChain

N_B, N_SITES, REALIZATIONS, DT = 40, 8, 8, 0.004
REPEATS = 3  # best of N, for both the numba kernel and the numpy baseline
CHAIN = NDCChain.paper()  # N_b = 40, zeta = 0.1, lam = 1, p = 2, L = 25, eps = 0.1; m = k = K = gamma_R = 1
BATH = CHAIN.bath
T_L, T_R = 2.0, 0.0


def numba_ns_per_particle_step(steps: int) -> float:
    import numba

    from thermolib.sim.chain import chain_current

    chain = CHAIN
    old = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        chain_current(chain, T_L, T_R, N=N_SITES, t=200 * DT, dt=DT, burn_in=0.0,
                      realizations=REALIZATIONS, seed=1)  # compile / load cache
        best = math.inf
        for rep in range(REPEATS):
            t0 = time.perf_counter()
            res = chain_current(chain, T_L, T_R, N=N_SITES, t=steps * DT, dt=DT, burn_in=0.0,
                                realizations=REALIZATIONS, seed=2 + rep)
            best = min(best, time.perf_counter() - t0)
        n = res.settings["steps"] * REALIZATIONS * N_B
    finally:
        numba.set_num_threads(old)
    return best / n * 1e9


def numpy_ns_per_particle_step(steps: int) -> float:
    """Same BAOAB + Euler-Maruyama step, vectorised with numpy over (realizations, N_b)."""
    from scipy import special

    rng = np.random.default_rng(1)
    R, nb, n = REALIZATIONS, N_B, N_SITES
    b = BATH
    amp = b.lam / special.i0(b.p)
    two_pi_L = 2 * math.pi / b.L
    Lam = b.eps * b.lam * nb
    m, k, K, gR = CHAIN.m, CHAIN.k, CHAIN.K, CHAIN.gamma_R
    c1 = math.exp(-gR * DT / m)
    c2 = math.sqrt((1 - c1 * c1) * m * T_R)
    noise = math.sqrt(2 * T_L * DT / b.zeta)
    drift = b.eps * b.p * two_pi_L * DT / b.zeta
    x = rng.uniform(0, b.L, (R, nb))
    q = np.zeros((R, n))
    p = np.zeros((R, n))

    def forces(q, fsum):
        f = np.empty_like(q)
        f[:, 1:-1] = k * (q[:, :-2] - 2 * q[:, 1:-1] + q[:, 2:])
        f[:, 0] = -K * q[:, 0] - k * (q[:, 0] - q[:, 1]) - b.eps * fsum + Lam
        f[:, -1] = -K * q[:, -1] - k * (q[:, -1] - q[:, -2])
        return f

    F = amp * np.exp(b.p * np.cos(two_pi_L * x))
    f = forces(q, F.sum(axis=1))
    best = math.inf
    for _rep in range(REPEATS):
        t0 = time.perf_counter()
        F, f = _numpy_steps(steps, x, q, p, F, f, forces, rng, b, amp, two_pi_L, drift, noise, c1,
                            c2, m, k, R, nb)
        best = min(best, time.perf_counter() - t0)
    return best / (steps * R * nb) * 1e9


def _numpy_steps(steps, x, q, p, F, f, forces, rng, b, amp, two_pi_L, drift, noise, c1, c2, m, k,
                 R, nb):
    for _ in range(steps):
        p += 0.5 * DT * f
        q += 0.5 * DT * p / m
        p[:, -1] = c1 * p[:, -1] + c2 * rng.standard_normal(R)
        q1 = q[:, 0].copy()
        q += 0.5 * DT * p / m
        x += drift * q1[:, None] * F * np.sin(two_pi_L * x) + noise * rng.standard_normal((R, nb))
        np.mod(x, b.L, out=x)
        F = amp * np.exp(b.p * np.cos(two_pi_L * x))
        f = forces(q, F.sum(axis=1))
        p += 0.5 * DT * f
        _ = (k / (2 * m)) * np.mean((p[:, :-1] + p[:, 1:]) * (q[:, :-1] - q[:, 1:]))
    return F, f


def run(quick: bool = False) -> dict:
    """``{"ndc_ns_per_particle_step", "ndc_numpy_ns_per_particle_step", "ndc_speedup_vs_numpy"}``."""
    ns = numba_ns_per_particle_step(50_000 if quick else 250_000)
    ns_np = numpy_ns_per_particle_step(2_000 if quick else 10_000)
    return {
        "ndc_ns_per_particle_step": ns,
        "ndc_numpy_ns_per_particle_step": ns_np,
        "ndc_speedup_vs_numpy": ns_np / ns,
        "ndc_workload": f"N_b={N_B}, N={N_SITES}, {REALIZATIONS} realizations, 1 thread",
    }


# ------------------------------------------------------------------------------------------------
# time-step bias of the Euler-Maruyama bath step

def chain_dt_bias(T_L=2.0, T_R=0.0, N=4, factors=(16, 8, 4, 2, 1), realizations=64,
                  t_measure=10_000.0, seed=100):
    """Bias of the full model's current at the default ``dt``, by extrapolation in ``dt``.

    Runs :func:`thermolib.sim.chain_current` at ``factor x`` the default ``dt`` (above 5x the
    simulator's accuracy limit is lifted for the measurement), fits ``J(dt) = J_0 + c dt`` (weighted
    least squares, errors across realizations) and returns the bias ``c dt_0`` at the default
    ``dt_0``, absolute and relative to ``J_0``, with standard errors, plus the runs.
    """
    from thermolib import sim, stats
    from thermolib.sim import _bath

    dt0 = sim.chain_current(CHAIN, T_L, T_R, N=N, t=1.0, burn_in=0.0, realizations=2,
                            seed=seed).settings["dt"]
    burn = 5 * CHAIN.relaxation_time(T_L, N)
    old = _bath.DT_MAX_FRACTION
    _bath.DT_MAX_FRACTION = 100.0  # the measurement needs dt beyond the accepted range
    try:
        runs = {f: sim.chain_current(CHAIN, T_L, T_R, N=N, t=burn + t_measure, burn_in=burn,
                                     dt=f * dt0, realizations=realizations, seed=seed + int(f))
                for f in factors}
    finally:
        _bath.DT_MAX_FRACTION = old
    dt = np.array([f * dt0 for f in factors])
    J = np.array([runs[f].current for f in factors])
    e = np.array([runs[f].current_err for f in factors])
    fit = stats.linear_fit(dt, J, e)
    bias, bias_err = fit.slope * dt0, fit.slope_err * dt0
    return {"dt0": dt0, "J0": fit.intercept, "J0_err": fit.intercept_err, "bias": bias,
            "bias_err": bias_err, "relative_bias": bias / fit.intercept,
            "relative_bias_err": bias_err / fit.intercept, "chi2_per_dof": fit.chi2_per_dof,
            "runs": {f: (runs[f].settings["dt"], runs[f].current, runs[f].current_err)
                     for f in factors}}


def mean_force_dt_bias(T=1.0, u=(-0.8, -0.3, -0.1, 0.1, 0.3, 0.8)):
    """Exact Euler-Maruyama bias of the mean force at the default ``dt`` of a grid ``u = eps q/T``
    (no statistics: :func:`thermolib.sim.particle_bath.euler_maruyama_mean_force`), in units of
    the compensated force ``F + eps lam`` (the softening signal)."""
    from thermolib.sim.contract import DT_FACTOR
    from thermolib.sim.particle_bath import euler_maruyama_mean_force

    q = np.asarray(u) * T / BATH.eps
    dt = DT_FACTOR * min(BATH.time_scales(T, q=float(np.max(np.abs(q)))).values())
    exact = BATH.mean_force(q, T)
    bias = euler_maruyama_mean_force(BATH, q, T, dt) - exact
    return {"dt": dt, "u": list(u), "bias": bias.tolist(),
            "relative_to_compensated": (bias / (exact + BATH.eps * BATH.lam)).tolist()}


if __name__ == "__main__":
    import sys

    if "--dt-bias" in sys.argv:
        print("mean force (exact, T = 1):", mean_force_dt_bias())
        for T in (1.0, 2.0, 8.0):
            print(f"chain current, T_L = {T}:", chain_dt_bias(T_L=T), flush=True)
    else:
        print(run(quick="--quick" in sys.argv))
