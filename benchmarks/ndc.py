"""NDC full model (particle bath + chain): numba kernel vs a plain-numpy vectorised baseline.

Workload: N_b = 40 particles, chain of N = 8 sites, 8 realizations, Fig. 2 bath parameters
(zeta = 0.1, lam = 1, p = 2, L = 25, eps = 0.1), T_L = 2, T_R = 0, dt = 0.004. The numba kernel runs
on one thread (``numba.set_num_threads(1)``); the baseline does the same BAOAB + Euler-Maruyama steps
with numpy arrays of shape (realizations, N_b) (``np.random.Generator`` normals, ``np.cos``/``np.sin``
/``np.exp``). Unit: nanoseconds per particle-step (one particle advanced by one time step).
"""
from __future__ import annotations

import math
import time
from types import SimpleNamespace

import numpy as np

N_B, N_SITES, REALIZATIONS, DT = 40, 8, 8, 0.004
REPEATS = 3  # best of N, for both the numba kernel and the numpy baseline
BATH = SimpleNamespace(N_b=N_B, zeta=0.1, lam=1.0, p=2.0, L=25.0, eps=0.1)
CHAIN = SimpleNamespace(bath=BATH, m=1.0, k=1.0, K=1.0, gamma_R=1.0)
T_L, T_R = 2.0, 0.0


def _model():
    """The analytic layer's parameter objects when available, else plain namespaces."""
    try:
        from thermolib import NDCChain, ParticleBath

        bath = ParticleBath(N_b=N_B, zeta=0.1, lam=1.0, p=2.0, L=25.0, eps=0.1)
        return NDCChain(bath=bath, m=1.0, k=1.0, K=1.0, gamma_R=1.0)
    except Exception:  # analytic layer not there (yet): the kernel only reads fields
        return CHAIN


def numba_ns_per_particle_step(steps: int) -> float:
    import numba

    from thermolib.sim.chain import chain_current

    chain = _model()
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
