"""Throughput of the two-particle diode simulator vs a plain-numpy baseline (not a test).

Workload (both sides): Fig. 2 parameters of Defaveri & Anteneodo (k_I = 0.5, all else 1) with the
quartic force on A (f_A = -z^3, V_A = z^4/4), T_A = 1.5, T_B = 0.5, dt = the default (0.0354),
and ONE eps value (0.1) simulated together with its eps = 0 common-random-numbers partner, i.e.
two trajectories per realization driven by one normal pair per step.

Unit: one *realization-step* = one time step of one realization = both trajectories (eps and
eps = 0) advanced by one step, including the two normal draws, the force evaluations and the
current accumulation. ``ns_per_trajectory_step`` is half of it.

* numba: :func:`thermolib.sim.diode_current` (BAOAB, exact OU step), single thread
  (``numba.set_num_threads(1)``), compile excluded (warm-up call), best of several repeats;
  the timing includes the Python-side setup (seeding, Lyapunov solve), which is < 1 % here.
* numpy: vectorised Euler-Maruyama over arrays of realizations (shape ``(2, R)``: the two eps
  lanes), ``np.random.Generator.standard_normal`` for the noise, same current estimator, same
  number of lanes and the same noise sharing. Euler-Maruyama is the *cheapest* honest baseline
  (one force evaluation per step, no OU exponentials).

Two more numba workloads show the other code paths of the kernel, each as a ratio to the same
numpy baseline: the sine force on A (``forces.cosine()``: the generic force path, a force buffer
filled by the branch-free sine) and ``eps = 0`` alone (the linear lane only).

Design decisions measured on the 2-core reference machine (kept here, not in the sources):

* ``error_model="numpy"`` on every kernel that calls the fast math: under numba's default every
  float division gets a ZeroDivisionError branch that blocks vectorisation (Box-Muller pair
  4.8 ns vectorised vs 23 ns).
* Box-Muller in three loops (uniforms; ``-2 log u1``; ``sqrt``, sin/cos and the products): the
  loops are latency-bound and shorter bodies keep more iterations in flight; the ``sqrt`` in the
  sin/cos loop rather than in the log loop saved ~0.3 ns per pair.
* Blocks of 256 realizations (one prange task, one vectorised inner loop each).
* The BAOAB pass is one ``inline="always"`` function specialised (at compile time) on the
  nonlinear force of each lane (none / polynomial of degree <= 3 fused into the pass / a force
  buffer); before it was written out three times, at the same speed (ratios in the commit that
  unified it).

Run ``python -m benchmarks.diode [--quick]`` for the table.
"""
from __future__ import annotations

import time

import numpy as np

PARAMS = dict(T_A=1.5, T_B=0.5, eps=0.1)


def _diode(force="quartic"):
    from thermolib import Diode
    from thermolib import forces as F

    f = {"quartic": F.power(2), "cosine": F.cosine()}[force]
    return Diode(k_I=0.5, f_A=f)


def _numpy_em(d, T_A, T_B, eps, dt, n_steps, R, seed):
    """Plain numpy Euler-Maruyama of the same workload; returns the per-lane mean current."""
    rng = np.random.Generator(np.random.PCG64(seed))
    e = np.array([0.0, eps])[:, None]
    xA = np.zeros((2, R))
    xB = np.zeros((2, R))
    pA = np.zeros((2, R))
    pB = np.zeros((2, R))
    acc = np.zeros((2, R))
    KA, KB, kI = d.k_A + d.k_I, d.k_B + d.k_I, d.k_I
    sA = np.sqrt(2.0 * d.gamma_A * T_A * dt)
    sB = np.sqrt(2.0 * d.gamma_B * T_B * dt)
    for _ in range(n_steps):
        xi = rng.standard_normal((2, R))  # shared by both lanes (common random numbers)
        FA = -KA * xA + kI * xB - e * xA**3
        FB = -KB * xB + kI * xA
        vA = pA / d.m_A
        vB = pB / d.m_B
        acc += 0.5 * kI * (xA - xB) * (vA + vB)
        xA += dt * vA
        xB += dt * vB
        pA += dt * (FA - d.gamma_A * vA) + sA * xi[0]
        pB += dt * (FB - d.gamma_B * vB) + sB * xi[1]
    return acc.mean(axis=1) / n_steps


def _numba_ns(d, eps, R, t_total, repeats):
    """Best-of-``repeats`` ns per realization-step of diode_current on one thread."""
    import numba

    from thermolib.sim import diode_current

    T_A, T_B = PARAMS["T_A"], PARAMS["T_B"]
    threads_before = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        diode_current(d, T_A, T_B, eps, t=30.0, realizations=64, seed=0)  # compile / cache load
        best = np.inf
        for k in range(repeats):
            t0 = time.perf_counter()
            res = diode_current(d, T_A, T_B, eps, t=t_total, realizations=R, seed=k)
            best = min(best, time.perf_counter() - t0)
    finally:
        numba.set_num_threads(threads_before)
    steps = res.settings["steps"]
    return best / (R * steps) * 1e9, steps


def run(quick: bool = False) -> dict:
    """Time the implementations; returns numbers and printable ``rows``."""
    from thermolib.sim import diode as sim_diode

    d = _diode()
    dt = sim_diode.default_dt(d)
    T_A, T_B, eps = PARAMS["T_A"], PARAMS["T_B"], PARAMS["eps"]
    R = 1024 if quick else 4096
    t_total = 40.0 if quick else 120.0  # burn-in (20 time units) included in the count
    repeats = 2 if quick else 5  # best of N for every implementation
    ns_numba, steps = _numba_ns(d, eps, R, t_total, repeats)
    ns_cos, _ = _numba_ns(_diode("cosine"), eps, R, t_total, repeats)
    ns_lin, _ = _numba_ns(d, 0.0, R, t_total, repeats)

    n_np = 100 if quick else 400
    _numpy_em(d, T_A, T_B, eps, dt, 5, R, 0)  # warm-up
    best_np = np.inf
    for k in range(repeats):
        t0 = time.perf_counter()
        _numpy_em(d, T_A, T_B, eps, dt, n_np, R, k)
        best_np = min(best_np, time.perf_counter() - t0)
    ns_numpy = best_np / (R * n_np) * 1e9

    out = {
        "diode_ns_per_realization_step": ns_numba,
        "diode_ns_per_trajectory_step": ns_numba / 2.0,
        "diode_numpy_ns_per_realization_step": ns_numpy,
        "diode_speedup_vs_numpy": ns_numpy / ns_numba,
        "diode_cosine_ns_per_realization_step": ns_cos,
        "diode_cosine_speedup_vs_numpy": ns_numpy / ns_cos,
        "diode_eps0_ns_per_realization_step": ns_lin,
        "diode_eps0_speedup_vs_numpy": ns_numpy / ns_lin,
        "diode_realizations": R,
        "diode_steps": steps,
        "diode_numpy_steps": n_np,
    }
    out["rows"] = [
        ("diode numba BAOAB, 1 thread", f"{ns_numba:.2f}", "ns / realization-step",
         f"quartic f_A, eps=0.1 + eps=0 CRN pair, {R} x {steps} steps"),
        ("diode numba, sine force", f"{ns_cos:.2f}", "ns / realization-step",
         "cosine f_A (generic force path), same run"),
        ("diode numba, eps = 0 only", f"{ns_lin:.2f}", "ns / realization-step",
         "one linear lane"),
        ("diode numpy Euler-Maruyama", f"{ns_numpy:.2f}", "ns / realization-step",
         f"quartic workload, {R} x {n_np} steps"),
        ("diode speed-up vs numpy", f"{ns_numpy / ns_numba:.1f}", "x",
         f"sine {ns_numpy / ns_cos:.1f}x, eps=0 {ns_numpy / ns_lin:.1f}x; target >= 8x"),
    ]
    return out


def _print(out: dict) -> None:
    for name, val, unit, note in out["rows"]:
        print(f"{name:34s} {val:>10s} {unit:24s} {note}")


if __name__ == "__main__":
    import sys

    _print(run(quick="--quick" in sys.argv))
