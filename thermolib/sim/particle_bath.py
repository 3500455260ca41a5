"""Simulations of the particle bath alone: mean force at a frozen probe, and a free probe's relaxation.

Model (NDC paper, Sec. 2-3 and Appendix A, with ERRATA N4): ``N_b`` overdamped particles on a ring of
length ``L`` at temperature ``T``, each coupled to the probe coordinate ``q`` through ``eps q F(x)``,

.. math::

    \\zeta\\,\\dot x_i = -\\varepsilon q F'(x_i) + \\sqrt{2\\zeta T}\\,\\xi_i, \\qquad
    F(x) = \\frac{\\lambda}{I_0(p)} e^{p\\cos(2\\pi x/L)},

    m\\ddot q = -K q - \\varepsilon \\sum_i F(x_i) + \\Lambda, \\qquad \\Lambda = \\varepsilon\\lambda N_b .

Numerics. Particle positions are stored in units of the ring, ``y = x/L`` in ``[0, 1)`` (so
``cos(2 pi x/L)`` needs no lossy range reduction), and advanced by Euler-Maruyama with the probe
position at the start of the step; the free-diffusion part of the step is exact in law. Each particle
has its own random stream, ``stream = lane * N_b + i`` (lane = realization/trajectory, or probe
value for :func:`mean_force`), so results do not depend on the number of threads. One Box-Muller
pair serves two consecutive steps of a particle (drawn, for all particles, in a separate loop). The force ``F`` and the drift factor
``F sin(2 pi y)`` are evaluated once per particle-step (branch-free :mod:`._fastmath`), and reused
for the next step's drift.
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit, prange
from scipy import optimize, special

from .. import __version__
from .._validation import nonnegative_int, positive, positive_int, real, real_array, temperature
from ..stats import mean_sem
from ._fastmath import exp as _exp, sincos_turns as _sincos_turns, sum_reassoc as _sum
from ._result import SimResult, plain
from ._rng import normal_pair_fast, seed_states, uniform

__all__ = ["mean_force", "probe_relaxation", "bath_time_scales", "bath_dt_max"]

_CHUNK = 256  # particles per parallel work item in mean_force


# ------------------------------------------------------------------------------------------------
# shared pieces (also used by thermolib.sim.chain)

def bath_constants(bath, T, dt):
    """Per-step constants of the particle update.

    Returns ``(amp, p, a, b)``: ``F = amp * exp(p (cos - 1))``, drift ``dy = a q F sin``, noise
    ``dy = b z``.
    """
    amp = bath.lam / special.i0e(bath.p)  # lam e^p / I0(p), overflow-free
    a = bath.eps * bath.p * 2.0 * math.pi * dt / (bath.zeta * bath.L**2)
    b = math.sqrt(2.0 * T * dt / bath.zeta) / bath.L
    return float(amp), float(bath.p), float(a), float(b)


def bath_time_scales(bath, T):
    """``(tau_1, tau_w)``: slowest relaxation time ``zeta L^2 / (4 pi^2 T)`` and the time to diffuse
    across the coupling's width ``~ L / (2 pi sqrt(p))``, ``tau_w = tau_1 / max(p, 1)``.

    At ``T = 0`` both are infinite (the particles are then driven only by the probe).
    """
    if T == 0:
        return math.inf, math.inf
    tau1 = bath.zeta * bath.L**2 / (4.0 * math.pi**2 * T)
    return tau1, tau1 / max(bath.p, 1.0)


def bath_dt_max(bath, T, q_scale=0.0, coarse=0.25):
    """Largest particle time step accepted: ``coarse * tau_w`` (diffusion across the coupling width)
    and, for a probe amplitude ``q_scale``, ``coarse * zeta / (eps q_scale max|F''|)`` (the drift's
    stiffness)."""
    _, tau_w = bath_time_scales(bath, T)
    limits = [coarse * tau_w]
    if q_scale > 0 and bath.eps > 0:
        fpp = bath.lam / special.i0e(bath.p) * (2 * math.pi / bath.L) ** 2 * bath.p * (1 + bath.p)
        limits.append(coarse * bath.zeta / (bath.eps * q_scale * fpp))
    return min(limits)


def check_bath_dt(bath, T, dt, *, q_scale=0.0, coarse=0.25):
    """Raise ``ValueError`` when ``dt`` does not resolve the particle dynamics (see
    :func:`bath_dt_max`); returns the limit."""
    _, tau_w = bath_time_scales(bath, T)
    dt_max = bath_dt_max(bath, T, q_scale, coarse)
    if dt > dt_max:
        raise ValueError(f"dt = {dt:g} is too coarse for the particle bath at T = {T:g}: need "
                         f"0 < dt <= {dt_max:.3g} (a quarter of the time to diffuse across the "
                         f"coupling width, tau_1/max(p,1) = {tau_w:.3g}, and of the drift's time scale)")
    return dt_max


def _lane_states(seed, lanes, nb, first_lane=0):
    """RNG states for ``lanes`` lanes of ``nb`` particles, shape ``(lanes, 4, nb)`` (C order);
    particle ``i`` of lane ``r`` uses stream ``(first_lane + r) * nb + i``."""
    s = seed_states(seed, lanes * nb, first_stream=first_lane * nb)
    return np.ascontiguousarray(s.reshape(4, lanes, nb).transpose(1, 0, 2))


@njit(inline="always", cache=True)
def _init_particles(s, y, g, fbuf, nb, amp, p):
    """Uniform (equilibrium at ``eps q = 0``) positions; returns the force sum ``sum_i F(x_i)``."""
    for i in range(nb):
        yi = uniform(s, i)
        sn, cs = _sincos_turns(yi)
        f = amp * _exp(p * (cs - 1.0))
        y[i] = yi
        g[i] = f * sn
        fbuf[i] = f
    return _sum(fbuf, nb)


@njit(inline="always", cache=True)
def _sweep(s, y, g, spare, fbuf, nb, qa, b, amp, p, odd):
    """One Euler-Maruyama step of ``nb`` particles with drift ``qa * F sin`` (``qa = a q``) and
    noise ``b z``; returns the new force sum ``sum_i F(x_i)``. Even steps draw a Box-Muller pair per
    particle into ``spare`` (length ``2 nb``: the first normals in ``spare[:nb]`` for this step, the
    second ones in ``spare[nb:]`` for the following, odd, step).

    Three loops (fission), each vectorised on its own: the draws (even steps only), the position
    update with sin/cos, then exp (the loops are latency-bound: shorter bodies keep more
    independent iterations in flight; measured 13.6 -> 8.1 ns per particle-step). ``spare`` must not be ``fbuf`` (with overlapping buffers the
    vectoriser's run-time alias check fails and the update loop runs scalar: measured 17 vs 10 ns
    per particle-step)."""
    if odd:
        off = nb
    else:
        off = 0
        for i in range(nb):
            z1, z2 = normal_pair_fast(s, i)
            spare[i] = z1
            spare[nb + i] = z2
    for i in range(nb):  # positions, and sin/cos parked in g/fbuf
        yi = y[i] + qa * g[i] + b * spare[off + i]
        yi = yi - np.floor(yi)
        sn, cs = _sincos_turns(yi)
        y[i] = yi
        g[i] = sn
        fbuf[i] = cs
    for i in range(nb):  # force F and drift factor F sin
        f = amp * _exp(p * (fbuf[i] - 1.0))
        g[i] = f * g[i]
        fbuf[i] = f
    return _sum(fbuf, nb)


# ------------------------------------------------------------------------------------------------
# mean force at a frozen probe

@njit(parallel=True, cache=True, error_model="numpy")
def _mean_force_kernel(states, counts, qa_of_group, b, amp, p, nburn, nbatch, batch_len, out):
    """out[g, k] = sum over steps of batch k and particles of group g of F(x)."""
    G = states.shape[0]
    nb_max = states.shape[2]
    for gi in prange(G):
        s = states[gi]
        nb = counts[gi]
        qa = qa_of_group[gi]
        y = np.empty(nb_max)
        g = np.empty(nb_max)
        spare = np.empty(2 * nb_max)
        fbuf = np.empty(nb_max)
        _init_particles(s, y, g, fbuf, nb, amp, p)
        step = 0
        for _ in range(nburn):
            _sweep(s, y, g, spare, fbuf, nb, qa, b, amp, p, step & 1)
            step += 1
        for k in range(nbatch):
            acc = 0.0
            for _ in range(batch_len):
                acc += _sweep(s, y, g, spare, fbuf, nb, qa, b, amp, p, step & 1)
                step += 1
            out[gi, k] = acc


def mean_force(bath, q, T, *, particles, t, dt=None, seed, burn_in=None, n_batches=20):
    """Mean force per particle on a probe frozen at ``q``, by simulating the bath particles.

    .. math::  F_{qs}(q) = -\\varepsilon \\langle F(x) \\rangle_q
               \\;\\to\\; -\\varepsilon\\lambda + \\varepsilon^2 q\\,\\mathrm{Var}F / T + O(\\varepsilon^3)

    Parameters
    ----------
    bath : thermolib.ParticleBath
        Only its fields ``N_b`` (unused here: particles are independent at fixed ``q``),
        ``zeta, lam, p, L, eps`` are read.
    q : float or array_like
        Frozen probe position(s).
    T : float
        Bath temperature ``T_L > 0``.
    particles : int
        Independent particles simulated per value of ``q``.
    t : float
        Measured time per particle (after ``burn_in``).
    dt : float, optional
        Time step; default ``tau_w / 50`` (``tau_w = tau_1 / max(p, 1)``, ``tau_1 = zeta L^2/(4 pi^2 T)``)
        and small enough for the drift at this ``q``. Too coarse a ``dt`` raises ``ValueError``.
    seed : int
    burn_in : float, optional
        Discarded time; default ``5 tau_1`` (particles start uniform, the ``q = 0`` equilibrium).
    n_batches : int
        Time is cut into batches; the standard error is that of the batch means (of the
        particle-averaged force), so time correlations are accounted for.

    Returns
    -------
    SimResult
        ``force`` (``-eps <F>``, shape of ``q``), ``force_err``, ``force_compensated``
        (``force + eps lam``, i.e. including the compensation ``Lambda / N_b``) with the same error,
        ``mean_F`` (``<F>``) and ``mean_F_err``.

    References
    ----------
    NDC paper, Sec. 3 and Appendix A.1 (Fig. 2a).
    """
    q_arr = real_array("q", q)
    T = temperature("T", T)
    if T <= 0:
        raise ValueError(f"T must be > 0 for mean_force (the bath must equilibrate), got {T!r}")
    particles = positive_int("particles", particles)
    t = positive("t", t)
    seed = nonnegative_int("seed", seed)
    n_batches = positive_int("n_batches", n_batches)
    if n_batches < 2:
        raise ValueError(f"n_batches must be >= 2, got {n_batches}")
    tau1, tau_w = bath_time_scales(bath, T)
    qmax = float(np.max(np.abs(q_arr))) if q_arr.size else 0.0
    if dt is None:
        dt = bath_dt_max(bath, T, qmax) / 12.5
    dt = positive("dt", dt)
    check_bath_dt(bath, T, dt, q_scale=qmax)
    burn_in = 5.0 * tau1 if burn_in is None else real("burn_in", burn_in, lo=0.0)
    batch_len = max(1, int(round(t / dt / n_batches)))
    nburn = int(round(burn_in / dt))

    amp, p, a, b = bath_constants(bath, T, dt)
    flat = q_arr.ravel()
    chunks = -(-particles // _CHUNK)
    nb_chunk = min(particles, _CHUNK)
    G = flat.size * chunks
    states = np.empty((G, 4, nb_chunk), dtype=np.uint64)
    counts = np.empty(G, dtype=np.int64)
    qa = np.empty(G)
    for iq in range(flat.size):
        for c in range(chunks):
            gi = iq * chunks + c
            n = min(nb_chunk, particles - c * nb_chunk)
            states[gi, :, :n] = seed_states(seed, n, first_stream=iq * particles + c * nb_chunk)
            states[gi, :, n:] = 1
            counts[gi] = n
            qa[gi] = a * flat[iq]
    out = np.zeros((G, n_batches))
    _mean_force_kernel(states, counts, qa, b, amp, p, nburn, n_batches, batch_len, out)
    per_batch = out.reshape(flat.size, chunks, n_batches).sum(axis=1) / (particles * batch_len)
    mF, mF_err = mean_sem(per_batch, axis=1)
    shape = q_arr.shape
    mF, mF_err = mF.reshape(shape), mF_err.reshape(shape)
    force = -bath.eps * mF
    err = bath.eps * mF_err
    if np.ndim(force) == 0:
        force, err, mF, mF_err = float(force), float(err), float(mF), float(mF_err)
    values = {
        "force": force, "force_err": err,
        "force_compensated": force + bath.eps * bath.lam, "force_compensated_err": err,
        "mean_F": mF, "mean_F_err": mF_err, "q": q_arr,
    }
    settings = {"T": T, "particles": particles, "t": batch_len * n_batches * dt, "dt": dt,
                "burn_in": nburn * dt, "n_batches": n_batches, "seed": seed,
                "streams": "q index * particles + particle", "integrator": "Euler-Maruyama"}
    return SimResult("ndc_mean_force", values, plain(bath), settings, __version__)


# ------------------------------------------------------------------------------------------------
# probe relaxation

@njit(parallel=True, cache=True, error_model="numpy")
def _probe_kernel(states, nb, amp, p, a, b, eps, Lam, K, m, v0, dt, nsteps, sample_steps, qs, vs, bad):
    R = states.shape[0]
    nout = sample_steps.size
    for r in prange(R):
        s = states[r]
        y = np.empty(nb)
        g = np.empty(nb)
        spare = np.empty(2 * nb)
        fbuf = np.empty(nb)
        fsum = _init_particles(s, y, g, fbuf, nb, amp, p)
        q = 0.0
        v = v0
        k_out = 0
        for step in range(nsteps + 1):
            while k_out < nout and sample_steps[k_out] == step:
                qs[r, k_out] = q
                vs[r, k_out] = v
                k_out += 1
            if step == nsteps:
                break
            force = -K * q - eps * fsum + Lam
            v += 0.5 * dt * force / m
            q_old = q
            q += dt * v
            fsum = _sweep(s, y, g, spare, fbuf, nb, a * q_old, b, amp, p, step & 1)
            force = -K * q - eps * fsum + Lam
            v += 0.5 * dt * force / m
            if (step & 255) == 0 and not (abs(q) < 1e150 and abs(v) < 1e150):
                bad[r] = 1
                break


def _oscillator(t, gamma, omega0, v0):
    """Mean (q, v) of ``q'' + gamma q' + omega0^2 q = 0`` from ``q = 0, v = v0`` (any damping)."""
    w = np.sqrt(complex(omega0**2 - 0.25 * gamma**2))
    if abs(w) < 1e-12:
        w = 1e-12
    env = np.exp(-0.5 * gamma * t)
    sn_w = (np.sin(w * t) / w).real  # sin(w t)/w, or sinh(|w| t)/|w| when overdamped
    cs = np.cos(w * t).real
    return v0 * env * sn_w, v0 * env * (cs - 0.5 * gamma * sn_w)


def _fit_oscillator(t, q, v, q_err, v_err, v0, omega_guess):
    """Weighted least-squares fit of (gamma, omega0); start from the complex-phase estimate."""
    z = v + 1j * omega_guess * q
    phase = np.unwrap(np.angle(z))
    amp = np.abs(z)
    w_ph = np.polyfit(t, phase, 1)[0]
    g0 = -2.0 * np.polyfit(t, np.log(np.maximum(amp, 1e-300)), 1)[0]
    x0 = [max(g0, 1e-8), max(abs(w_ph), 1e-8)]

    def resid(x):
        qm, vm = _oscillator(t, x[0], x[1], v0)
        return np.concatenate([(qm - q) / q_err, (vm - v) / v_err])

    sol = optimize.least_squares(resid, x0, x_scale="jac", method="lm")
    return sol.x


def probe_relaxation(bath, T, *, K, m=1.0, v0, trajectories, t_end, dt=None, seed, n_out=None,
                     groups=16):
    """Relaxation of a single probe (no springs but its pinning ``K``) in the particle bath.

    The probe starts at ``q = 0, p = m v0`` with the particles in equilibrium; the ensemble mean
    ``<q>(t), <v>(t)`` over ``trajectories`` is fitted by the damped oscillator (Markov reduction,
    NDC paper Sec. 3)

    .. math::  m\\ddot q = -K_{app} q - \\gamma_{tot}\\dot q, \\qquad
               \\gamma_{tot} \\approx N_b\\gamma_{eff}(T), \\quad K_{app} \\approx k_{eff}
               = K - N_b\\varepsilon^2 \\mathrm{Var}F / T .

    Integrator: velocity Verlet for the probe (B half kick with the particle force, A full drift, B)
    with the particles advanced in between by Euler-Maruyama using ``q`` at the start of the step.

    Parameters
    ----------
    bath : thermolib.ParticleBath
    T : float
        Bath temperature ``T_L > 0``.
    K, m : float
        Pinning stiffness and mass of the probe.
    v0 : float
        Initial velocity (the paper uses 50; smaller ``v0`` keeps ``eps q`` in linear response).
    trajectories : int
        Independent trajectories (``>= 2 * groups``).
    t_end : float
        Simulated time; the fit uses all samples with ``t <= t_end`` (choose ``t_end`` so the
        signal ``|z| = |v + i Omega q|`` stays well above its standard error).
    dt : float, optional
        Default: ``min(tau_w / 50, 0.02 / Omega)``, ``Omega = sqrt(K/m)``.
    seed : int
    n_out : int, optional
        Number of sampled times (equally spaced in ``[0, t_end]``). Default: 12 per oscillation
        period ``2 pi sqrt(m/K)`` and at least 200, so neither the fit nor a plot of the trace is
        aliased; an explicit value with fewer than 4 samples per period raises ``ValueError``.
    groups : int
        Trajectories are split into this many groups for the jackknife errors of the fit.

    Returns
    -------
    SimResult
        ``t``, ``v`` (``<v>(t)``), ``v_err``, ``q``, ``q_err``; the fit: ``gamma_total`` (total friction
        ``m Gamma`` of the probe, compare ``N_b gamma_eff``), ``gamma_per_particle``
        (``gamma_total / N_b``, compare ``ParticleBath.friction(T)``), ``stiffness`` (apparent
        ``K_app = m Omega_0^2``, compare ``k_eff``), ``omega`` (damped frequency), each with a
        jackknife ``*_err`` over trajectory groups.
    """
    T = temperature("T", T)
    if T <= 0:
        raise ValueError(f"T must be > 0 for probe_relaxation, got {T!r}")
    K = positive("K", K)
    m = positive("m", m)
    v0 = real("v0", v0)
    groups = positive_int("groups", groups)
    trajectories = positive_int("trajectories", trajectories)
    if groups < 2 or trajectories < 2 * groups or trajectories % groups:
        raise ValueError(f"trajectories must be a multiple of groups = {groups} and >= 2*groups "
                         f"(jackknife errors), got {trajectories}")
    t_end = positive("t_end", t_end)
    seed = nonnegative_int("seed", seed)
    omega = math.sqrt(K / m)
    per_period = t_end * omega / (2 * math.pi)  # oscillation periods in [0, t_end]
    if n_out is None:
        n_out = max(200, int(math.ceil(12 * per_period)) + 1)
    n_out = positive_int("n_out", n_out)
    if n_out < 10:
        raise ValueError(f"n_out must be >= 10 for the fit, got {n_out}")
    if n_out < 4 * per_period:
        raise ValueError(f"n_out = {n_out} samples alias the oscillation: t_end spans "
                         f"{per_period:.3g} periods, need n_out >= {int(math.ceil(4 * per_period))} "
                         f"(default: 12 per period)")
    tau1, tau_w = bath_time_scales(bath, T)
    qscale = abs(v0) / omega + 3 * math.sqrt(T / K)
    if dt is None:
        dt = min(bath_dt_max(bath, T, qscale) / 12.5, 0.02 / omega)
    dt = positive("dt", dt)
    check_bath_dt(bath, T, dt, q_scale=qscale)
    if dt * omega > 0.5:
        raise ValueError(f"dt = {dt:g} is too large for the probe: need dt * sqrt(K/m) <= 0.5, "
                         f"i.e. dt <= {0.5 / omega:.3g}")
    nsteps = int(math.ceil(t_end / dt))
    sample = np.unique(np.round(np.linspace(0, nsteps, n_out)).astype(np.int64))
    nb = int(bath.N_b)
    amp, p, a, b = bath_constants(bath, T, dt)
    Lam = bath.eps * bath.lam * nb
    states = _lane_states(seed, trajectories, nb)
    qs = np.zeros((trajectories, sample.size))
    vs = np.zeros((trajectories, sample.size))
    bad = np.zeros(trajectories, dtype=np.int64)
    _probe_kernel(states, nb, amp, p, a, b, float(bath.eps), Lam, K, m, v0, dt, nsteps, sample,
                  qs, vs, bad)
    if bad.any() or not (np.all(np.isfinite(qs)) and np.all(np.isfinite(vs))):
        raise FloatingPointError(f"probe_relaxation diverged (dt = {dt:g}); reduce dt")
    t = sample * dt
    qm, q_err = mean_sem(qs)
    vm, v_err = mean_sem(vs)

    # fit window: where the signal |z| stays above 4 standard errors (no phase slips in the noise)
    z_err = np.hypot(v_err, omega * q_err)
    ok = np.abs(vm + 1j * omega * qm) > 4 * np.maximum(z_err, 1e-300)
    ok[0] = True
    stop = int(np.argmin(ok)) if not ok.all() else ok.size
    win = slice(0, max(stop, 10))
    q_floor = 1e-3 * abs(v0) / omega / math.sqrt(trajectories)
    v_floor = 1e-3 * abs(v0) / math.sqrt(trajectories)

    def fit(qq, vv, qe, ve):
        return _fit_oscillator(t[win], qq[win], vv[win], np.maximum(qe[win], q_floor),
                               np.maximum(ve[win], v_floor), v0, omega)

    gamma, omega0 = fit(qm, vm, q_err, v_err)
    # jackknife over groups of trajectories
    gq = qs.reshape(groups, -1, sample.size).mean(axis=1)
    gv = vs.reshape(groups, -1, sample.size).mean(axis=1)
    jk = []
    for j in range(groups):
        keep = np.arange(groups) != j
        jk.append(fit(gq[keep].mean(0), gv[keep].mean(0), q_err * math.sqrt(groups / (groups - 1)),
                      v_err * math.sqrt(groups / (groups - 1))))
    jk = np.array(jk)
    jk_err = np.sqrt((groups - 1) / groups * np.sum((jk - jk.mean(0)) ** 2, axis=0))
    g_tot, g_tot_err = m * gamma, m * jk_err[0]
    stiff = m * omega0**2
    stiff_err = 2 * m * omega0 * jk_err[1]
    w_d = math.sqrt(max(omega0**2 - 0.25 * gamma**2, 0.0))
    values = {
        "t": t, "v": vm, "v_err": v_err, "q": qm, "q_err": q_err,
        "gamma_total": g_tot, "gamma_total_err": g_tot_err,
        "gamma_per_particle": g_tot / nb, "gamma_per_particle_err": g_tot_err / nb,
        "stiffness": stiff, "stiffness_err": stiff_err,
        "omega": w_d, "omega_err": jk_err[1],
        "fit_t_max": float(t[win][-1]),
    }
    settings = {"T": T, "K": K, "m": m, "v0": v0, "trajectories": trajectories, "t_end": t[-1],
                "dt": dt, "steps": nsteps, "seed": seed, "groups": groups,
                "integrator": "velocity Verlet (probe) + Euler-Maruyama (particles, q at step start)",
                "fit": "damped oscillator to <q>, <v> (weighted least squares), jackknife errors"}
    return SimResult("ndc_probe_relaxation", values, plain(bath), settings, __version__)
