"""Simulations of the particle bath alone: mean force at a frozen probe, and a free probe's relaxation.

Model (NDC paper, Sec. 2-3 and Appendix A, with ERRATA N4): ``N_b`` overdamped particles on a ring of
length ``L`` at temperature ``T``, each coupled to the probe coordinate ``q`` through ``eps q F(x)``,

.. math::

    \\zeta\\,\\dot x_i = -\\varepsilon q F'(x_i) + \\sqrt{2\\zeta T}\\,\\xi_i, \\qquad
    F(x) = \\frac{\\lambda}{I_0(p)} e^{p\\cos(2\\pi x/L)},

    m\\ddot q = -K q - \\varepsilon \\sum_i F(x_i) + \\Lambda, \\qquad \\Lambda = \\varepsilon\\lambda N_b .

The particles move by the Euler-Maruyama step of :mod:`thermolib.sim._bath` (the same step as in
the chain simulators, so that the mean force checks the chain's bath). Its O(dt) bias on the
stationary law at a frozen probe is known exactly: :func:`euler_maruyama_mean_force` computes the
stationary mean force of the discrete scheme itself (a transfer operator on a fine grid), and
:func:`mean_force` reports the difference to the exact Boltzmann average as ``force_dt_bias``.
"""
from __future__ import annotations

import functools
import math

import numpy as np
from numba import njit, prange
from scipy import optimize, sparse
from scipy.sparse.linalg import splu

from .. import __version__
from .._validation import positive_int, real, real_array, temperature
from ..particle_bath import ParticleBath
from ..probe import Probe, damped_oscillator
from ..stats import mean_sem
from ._bath import (bath_dt_max, check_default_steps, check_state_memory, energy_threshold,
                    init_particles, interaction_floor, lane_buffers, lane_states,
                    raise_if_diverged, sweep)
from .contract import (BURN_IN_RELAXATION_TIMES, DT_FACTOR, SimulationDiverged, require_model,
                        run_settings)
from ._result import SimResult, plain

__all__ = ["mean_force", "probe_relaxation", "euler_maruyama_mean_force", "bath_dt_max",
           "DT_MAX_OMEGA"]

#: Steps summed in a local accumulator before they are added to a lane's total (two-level sums).
_BLOCK = 4096
#: Steps between two energy checks of a probe.
_CHECK_EVERY = 64
#: Largest accepted ``dt * sqrt(K/m)`` for the probe's velocity Verlet step (stable below 2).
DT_MAX_OMEGA = 0.5


def _positive_temperature(name, T):
    T = temperature(name, T)
    if T <= 0:
        raise ValueError(f"{name} must be > 0 (the bath must equilibrate), got {T!r}")
    return T


# ------------------------------------------------------------------------------------------------
# mean force at a frozen probe

@njit(parallel=True, cache=True, error_model="numpy")
def _mean_force_kernel(states, qa_of_lane, b, amp, p, nburn, nmeas, out):
    """out[l] = sum over the measured steps and the particles of lane l of F(x)."""
    lanes, _, nb = states.shape
    for lane in prange(lanes):
        s = states[lane]
        qa = qa_of_lane[lane]
        y, g, spare, fbuf = lane_buffers(nb)
        init_particles(s, y, g, fbuf, nb, amp, p)
        step = 0
        for _ in range(nburn):
            sweep(s, y, g, spare, fbuf, nb, qa, b, amp, p, step & 1)
            step += 1
        total = 0.0
        acc = 0.0
        for k in range(nmeas):
            acc += sweep(s, y, g, spare, fbuf, nb, qa, b, amp, p, step & 1)
            step += 1
            if (k + 1) % _BLOCK == 0:
                total += acc
                acc = 0.0
        out[lane] = total + acc


def mean_force(bath, q, T, *, t, dt=None, burn_in=None, realizations, seed):
    """Mean force per particle on a probe frozen at ``q``, by simulating the bath particles.

    .. math::  F_{qs}(q) = -\\varepsilon \\langle F(x) \\rangle_q
               \\;\\to\\; -\\varepsilon\\lambda + \\varepsilon^2 q\\,\\mathrm{Var}F / T + O(\\varepsilon^3)

    A realization is one bath of ``N_b`` particles at each ``q``; its time and particle average is
    one independent sample, and the standard error is taken across the ``realizations`` samples
    (``realizations - 1`` degrees of freedom).

    Parameters
    ----------
    bath : thermolib.ParticleBath
    q : float or array_like
        Frozen probe position(s).
    T : float
        Bath temperature ``T_L > 0``.
    t : float
        Simulated time per realization, burn-in included.
    dt : float, optional
        Time step; default ``DT_FACTOR`` times the shortest of :meth:`ParticleBath.time_scales` at
        ``max |q|``. Above a quarter of it raises ``ValueError``.
    burn_in : float, optional
        Discarded time; default ``BURN_IN_RELAXATION_TIMES * tau_1`` (particles start uniform, the
        ``q = 0`` equilibrium, and relax with ``tau_1`` at ``|eps q / T| <~ 1``).
    realizations : int
        Independent baths per ``q`` (>= 2).
    seed : int
        Particle ``i`` of realization ``r`` at the ``j``-th ``q`` uses stream
        ``(j * realizations + r) * N_b + i``.

    Returns
    -------
    SimResult
        ``force`` (``-eps <F>``, shape of ``q``), ``force_err``, ``force_compensated`` (``force +
        eps lam``, i.e. including the compensation ``Lambda / N_b``), ``mean_F`` (``<F>``) with
        errors, and ``force_dt_bias``: the exact stationary mean force of the Euler-Maruyama scheme
        at this ``dt`` minus the exact Boltzmann average (:func:`euler_maruyama_mean_force`), the
        systematic error the simulation carries (a model error for comparisons, or a correction).

    Raises
    ------
    ValueError
        Bad input, before any work: this includes a ``T`` or ``max |q|`` so large that the default
        ``dt`` needs more than ``MAX_STEPS`` steps, and a state point where the exact references
        (:meth:`ParticleBath.mean_force`, :func:`euler_maruyama_mean_force`) are not computable;
        the message names ``T`` and ``q``.

    References
    ----------
    NDC paper, Sec. 3 and Appendix A.1 (Fig. 2a).
    """
    bath = require_model(bath, ParticleBath, "bath")
    q_arr = real_array("q", q)
    if q_arr.size == 0:
        raise ValueError("q must be a number or a non-empty array of numbers, got an empty one")
    T = _positive_temperature("T", T)
    q_max = float(np.max(np.abs(q_arr)))
    scales = bath.time_scales(T, q=q_max)
    check_default_steps(t, dt, scales, f"T = {T:g}, max |q| = {q_max:g}")
    t, dt, burn_in, R, seed = run_settings(
        t=t, dt=dt, burn_in=burn_in, realizations=realizations, seed=seed,
        default_dt=DT_FACTOR * min(scales.values()),
        default_burn_in=BURN_IN_RELAXATION_TIMES * scales["tau_1"],
        dt_max=bath_dt_max(bath, T, q_max),
        dt_limit_reason="a quarter of the particles' diffusion time across the coupling width and of "
                        "their drift time at max |q|")
    n_burn = int(round(burn_in / dt))
    n_meas = int(round(t / dt)) - n_burn
    flat = q_arr.ravel()
    # the exact references first: a state point where they are not computable is refused up front
    bias = euler_maruyama_mean_force(bath, flat, T, dt) - bath.mean_force(flat, T)
    nb = bath.N_b
    states = lane_states(seed, flat.size * R, nb)
    amp, p, a, b = bath.kernel_params(T, dt)
    qa = np.repeat(a * flat, R)
    out = np.zeros(flat.size * R)
    _mean_force_kernel(states, qa, b, amp, p, n_burn, n_meas, out)
    if not np.all(np.isfinite(out)):
        raise SimulationDiverged(f"mean_force produced non-finite forces (T = {T:g}, dt = {dt:g})")
    per_realization = out.reshape(flat.size, R) / (nb * n_meas)
    mF, mF_err = mean_sem(per_realization, axis=1)

    def shaped(v):
        v = np.asarray(v).reshape(q_arr.shape)
        return float(v) if v.ndim == 0 else v

    force, err = shaped(-bath.eps * mF), shaped(bath.eps * mF_err)
    values = {
        "force": force, "force_err": err,
        "force_compensated": force + bath.eps * bath.lam, "force_compensated_err": err,
        "mean_F": shaped(mF), "mean_F_err": shaped(mF_err),
        "force_dt_bias": shaped(bias), "q": q_arr,
    }
    settings = {"T": T, "t": (n_burn + n_meas) * dt, "dt": dt, "burn_in": n_burn * dt,
                "steps": n_burn + n_meas, "realizations": R, "seed": seed,
                "streams": "(q index * realizations + realization) * N_b + particle",
                "integrator": "Euler-Maruyama (exact free diffusion)",
                "estimator": "time and particle average of F per realization; SEM over realizations"}
    return SimResult("mean_force", values, plain(bath), settings, __version__)


def euler_maruyama_mean_force(bath, q, T, dt):
    """Exact stationary mean force per particle of the *discrete* Euler-Maruyama scheme at ``dt``.

    The step :math:`y' = y + a q \\mathcal F(y)\\sin 2\\pi y + b\\xi` (mod 1) is a Markov chain on the
    ring with a Gaussian transition density; on a grid of spacing at most ``b/6`` its transition
    matrix is banded (periodic), and its stationary vector :math:`\\pi` gives
    :math:`-\\varepsilon\\sum_j\\pi_j\\mathcal F(y_j)` (the periodic trapezoidal rule, spectrally
    accurate for this smooth density). As ``dt -> 0`` it tends to :meth:`ParticleBath.mean_force`
    with an error linear in ``dt``: the time-step bias of :func:`mean_force`, without statistics.
    (Below the ``dt`` whose grid would exceed ``2**15`` points the bias is taken linear in ``dt``
    from that finest grid; the neglected O(dt^2) term is far below round-off of the force there.
    Where that coarser ``dt`` would itself exceed the scheme's limit -- particles that barely
    diffuse, ``T`` tiny against ``eps |q|`` -- the call is refused, naming ``T`` and ``q``.)

    Parameters
    ----------
    bath : thermolib.ParticleBath
    q : float or array_like
        Frozen probe position(s).
    T : float
        Temperature, > 0.
    dt : float
        Time step, at most :func:`bath_dt_max` at ``max |q|``.

    Returns
    -------
    float or numpy.ndarray
        Shaped like ``q``.
    """
    bath = require_model(bath, ParticleBath, "bath")
    q_arr = real_array("q", q)
    T = _positive_temperature("T", T)
    dt = real("dt", dt, lo=0.0, lo_open=True)
    q_max = float(np.max(np.abs(q_arr))) if q_arr.size else 0.0
    limit = bath_dt_max(bath, T, q_max)
    if dt > limit:
        raise ValueError(f"dt = {dt:g} is too large: need 0 < dt <= {limit:.4g} (a quarter of the "
                         f"particles' shortest time scale)")
    b = bath.kernel_params(T, dt)[3]
    ratio = 6.0 / b / _GRID_MAX if b > 0 else math.inf
    dt_ref = dt * ratio * ratio  # as in _em_mean_force
    if ratio > 1.0 and dt_ref > limit:
        raise ValueError(f"the scheme's bias is not computable at T = {T:g}, max |q| = {q_max:g}, "
                         f"dt = {dt:g}: the particles diffuse {b:.3g} ring lengths per step, finer "
                         f"than a {_GRID_MAX}-point grid resolves, and the coarser dt = {dt_ref:.3g} "
                         f"it would be extrapolated from exceeds the scheme's limit {limit:.3g}")
    out = np.array([_em_mean_force(bath, float(qv), T, dt) for qv in q_arr.ravel()])
    out = out.reshape(q_arr.shape)
    return float(out) if out.ndim == 0 else out


#: Largest grid of the transfer operator; below the dt that needs it, the bias is linear in dt.
_GRID_MAX = 2**15


@functools.lru_cache(maxsize=256)
def _em_mean_force(bath, q, T, dt):
    """:func:`euler_maruyama_mean_force` at one ``q`` (cached: repeated runs share it)."""
    amp, p, a, b = bath.kernel_params(T, dt)
    if 6.0 / b > _GRID_MAX:  # b ~ sqrt(dt): extrapolate the O(dt) bias from the finest grid
        dt_ref = dt * (6.0 / b / _GRID_MAX) ** 2
        exact = float(bath.mean_force(q, T))
        return exact + dt / dt_ref * (_em_mean_force(bath, q, T, dt_ref) - exact)
    M = max(256, int(math.ceil(6.0 / b)))
    y = np.arange(M) / M
    F = amp * np.exp(p * (np.cos(2 * np.pi * y) - 1.0))
    mu = y + q * a * F * np.sin(2 * np.pi * y)
    w = int(math.ceil(9.0 * b * M)) + 1
    offsets = np.arange(-w, w + 1)
    target = np.round(mu * M).astype(np.int64)[:, None] + offsets[None, :]
    dens = np.exp(-0.5 * ((target / M - mu[:, None]) / b) ** 2)
    dens /= dens.sum(axis=1, keepdims=True)
    rows = np.repeat(np.arange(M), offsets.size)
    P = sparse.csr_matrix((dens.ravel(), (rows, (target % M).ravel())), shape=(M, M))
    # stationary pi: (P^T - I) pi = 0; fix pi_0 = 1 and solve the rest (a periodic band matrix,
    # factorised in its natural order), then normalise
    A = (P.T - sparse.identity(M, format="csr")).tocsc()
    pi = np.empty(M)
    pi[0] = 1.0
    pi[1:] = splu(A[1:, 1:], permc_spec="NATURAL").solve(-A[1:, 0].toarray().ravel())
    pi /= pi.sum()
    return -bath.eps * float(pi @ F)


# ------------------------------------------------------------------------------------------------
# probe relaxation

@njit(parallel=True, cache=True, error_model="numpy")
def _probe_kernel(states, amp, p, a, b, eps, Lam, K, m, v0, dt, nburn, nsteps, sample_steps, E_min,
                  E_max, qs, vs, bad):
    """``nburn`` particle steps with the probe held at ``q = 0``, then the kick and velocity Verlet
    for the probe (B half kick, A, particles with ``q`` at the step start, B); ``bad[r]`` = first
    step at which the energy left ``[E_min, E_max]`` (or became NaN), else -1."""
    R, _, nb = states.shape
    nout = sample_steps.size
    for r in prange(R):
        s = states[r]
        y, g, spare, fbuf = lane_buffers(nb)
        fsum = init_particles(s, y, g, fbuf, nb, amp, p)
        for step in range(nburn):
            fsum = sweep(s, y, g, spare, fbuf, nb, 0.0, b, amp, p, step & 1)
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
            fsum = sweep(s, y, g, spare, fbuf, nb, a * q_old, b, amp, p, (nburn + step) & 1)
            force = -K * q - eps * fsum + Lam
            v += 0.5 * dt * force / m
            if step % _CHECK_EVERY == 0:
                E = 0.5 * m * v * v + 0.5 * K * q * q + q * (eps * fsum - Lam)
                if not (E <= E_max and E >= E_min):
                    bad[r] = step
                    break


def _fit_oscillator(t, q, v, q_err, v_err, v0, omega_guess):
    """Weighted least-squares fit of (rate, omega0); start from the complex-phase estimate."""
    z = v + 1j * omega_guess * q
    phase = np.unwrap(np.angle(z))
    amp = np.abs(z)
    w_ph = np.polyfit(t, phase, 1)[0]
    g0 = -2.0 * np.polyfit(t, np.log(np.maximum(amp, 1e-300)), 1)[0]
    x0 = [max(g0, 1e-8), max(abs(w_ph), 1e-8)]

    def resid(x):
        qm, vm = damped_oscillator(t, x[0], x[1], v0)
        return np.concatenate([(qm - q) / q_err, (vm - v) / v_err])

    sol = optimize.least_squares(resid, x0, x_scale="jac", method="lm")
    return sol.x


def probe_relaxation(probe, T, *, v0, t, dt=None, burn_in=None, realizations, seed, n_out=None,
                     groups=16):
    """Relaxation of a single probe (no springs but its pinning ``K``) in the particle bath.

    The probe is kicked to ``q = 0, p = m v0`` with the particles in their ``q = 0`` equilibrium
    (they start uniform, which is that equilibrium exactly); the mean ``<q>(t), <v>(t)`` over the
    realizations is fitted by the damped oscillator of the Markov reduction (NDC paper Sec. 3)

    .. math::  m\\ddot q = -K_{app} q - \\gamma_{tot}\\dot q, \\qquad
               \\gamma_{tot} \\approx N_b\\gamma_{eff}(T), \\quad K_{app} \\approx k_{eff}
               = K - N_b\\varepsilon^2 \\mathrm{Var}F / T

    (:meth:`Probe.gamma`, :meth:`Probe.k_eff`, :meth:`Probe.mean_motion`). Integrator: velocity
    Verlet for the probe with the particles advanced in between (Euler-Maruyama, ``q`` at the start
    of the step). A run whose energy leaves the range of :func:`._bath.energy_threshold` raises
    :class:`SimulationDiverged`.

    Parameters
    ----------
    probe : thermolib.Probe
        Mass ``m``, pinning ``K`` and the bath.
    T : float
        Bath temperature ``T_L > 0``.
    v0 : float
        Initial velocity, non-zero (the paper uses 50; a smaller ``v0`` keeps ``eps q F/T`` in
        linear response).
    t : float
        Simulated time, burn-in included; the fit uses the samples after the kick up to where the
        signal ``|v + i Omega q|`` falls below 4 standard errors.
    dt : float, optional
        Default ``DT_FACTOR`` times the shortest of :meth:`Probe.time_scales`; at most a quarter of
        the bath's shortest time scale and ``DT_MAX_OMEGA / Omega`` (0.5), ``Omega = sqrt(K/m)``.
    burn_in : float, optional
        Time the bath evolves with the probe held at ``q = 0`` before the kick; default 0, since
        the bath starts in exactly that equilibrium.
    realizations : int
        Independent trajectories, a multiple of ``groups`` and ``>= 2 * groups``; trajectory ``r``
        uses the particle streams ``r * N_b + i``.
    seed : int
    n_out : int, optional
        Number of sampled times (equally spaced in ``[0, t - burn_in]`` after the kick). Default: 12 per oscillation
        period ``2 pi sqrt(m/K)`` and at least 200, so neither the fit nor a plot of the trace is
        aliased; an explicit value with fewer than 4 samples per period raises ``ValueError``.
        At most one sample per time step is taken (a larger ``n_out`` samples every step).
    groups : int
        Trajectories are split into this many groups for the jackknife errors of the fit.

    Returns
    -------
    SimResult
        ``t``, ``v`` (``<v>(t)``), ``v_err``, ``q``, ``q_err``; the fit: ``gamma_total`` (total friction
        ``m Gamma`` of the probe, compare :meth:`Probe.gamma`), ``gamma_per_particle``
        (``gamma_total / N_b``, compare ``ParticleBath.friction(T)``), ``stiffness`` (apparent
        ``K_app = m Omega_0^2``, compare :meth:`Probe.k_eff`), ``omega`` (damped frequency), each
        with a jackknife ``*_err`` over trajectory groups; ``fit_t_max``.

    Raises
    ------
    ValueError
        Bad input (before any work; this includes a ``T`` or ``v0`` so large that the default
        ``dt`` needs more than ``MAX_STEPS`` steps, named in the message), or, after the run, a
        signal that drowns in the noise before 10 samples (increase ``|v0|``, ``realizations`` or
        ``n_out``).
    SimulationDiverged
        When the probe's energy leaves every physical range.
    """
    probe = require_model(probe, Probe, "probe")
    bath = probe.bath
    T = _positive_temperature("T", T)
    v0 = real("v0", v0)
    if v0 == 0.0:
        raise ValueError("v0 must be non-zero: a probe at rest has no mean motion to fit")
    m, K = probe.m, probe.K
    E0 = 0.5 * m * v0 * v0
    if not math.isfinite(E0):
        raise ValueError(f"v0 = {v0!r} is outside the representable range: the kinetic energy "
                         f"m v0^2 / 2 overflows")
    groups = positive_int("groups", groups)
    if groups < 2:
        raise ValueError(f"groups must be an integer >= 2 (jackknife errors), got {groups}")
    omega = probe.frequency()
    scales = probe.time_scales(T, v0)
    check_default_steps(t, dt, scales, f"T = {T:g}, v0 = {v0:g}")
    dt_max = min(bath_dt_max(bath, T, probe.amplitude(T, v0)), DT_MAX_OMEGA / omega)
    t, dt, burn_in, R, seed = run_settings(
        t=t, dt=dt, burn_in=burn_in, realizations=realizations, seed=seed,
        default_dt=DT_FACTOR * min(scales.values()), default_burn_in=0.0, dt_max=dt_max,
        dt_limit_reason=f"a quarter of the particles' shortest time scale at the probe's amplitude, "
                        f"and dt * sqrt(K/m) <= {DT_MAX_OMEGA:g}")
    if R < 2 * groups or R % groups:
        raise ValueError(f"realizations must be a multiple of groups = {groups} and >= 2*groups "
                         f"(jackknife errors), got {R}")
    n_burn = int(round(burn_in / dt))
    t_kick = t - n_burn * dt
    per_period = t_kick * omega / (2 * math.pi)  # oscillation periods after the kick
    if n_out is None:
        n_out = max(200, int(math.ceil(12 * per_period)) + 1)
    n_out = positive_int("n_out", n_out)
    if n_out < 10:
        raise ValueError(f"n_out must be >= 10 for the fit, got {n_out}")
    if n_out < 4 * per_period:
        raise ValueError(f"n_out = {n_out} samples alias the oscillation: t - burn_in spans "
                         f"{per_period:.3g} periods, need n_out >= {int(math.ceil(4 * per_period))} "
                         f"(default: 12 per period)")
    nsteps = int(math.ceil(t_kick / dt))
    # at most one sample per step: a larger n_out samples every step (the same set of steps)
    sample = np.unique(np.round(np.linspace(0, nsteps, min(n_out, nsteps + 1))).astype(np.int64))
    check_state_memory(R, 16 * sample.size, f"realizations of {sample.size} samples (n_out)",
                       reduce="realizations or n_out")
    nb = bath.N_b
    amp, p, a, b = bath.kernel_params(T, dt)
    Lam = bath.eps * bath.lam * nb
    E_min = interaction_floor(bath, 1.0 / K)
    E_max = energy_threshold(E0, E_min, T, dof=2)
    states = lane_states(seed, R, nb)
    qs = np.zeros((R, sample.size))
    vs = np.zeros((R, sample.size))
    bad = np.full(R, -1, dtype=np.int64)
    _probe_kernel(states, amp, p, a, b, float(bath.eps), Lam, K, m, v0, dt, n_burn, nsteps, sample,
                  E_min, E_max, qs, vs, bad)
    raise_if_diverged(bad, E_min, E_max, "probe_relaxation",
                      f"set by T = {T:g} and the kick's m v0^2/2 = {E0:.4g}", dt)
    times = sample * dt
    qm, q_err = mean_sem(qs)
    vm, v_err = mean_sem(vs)

    # fit window: where the signal |z| stays above 4 standard errors (no phase slips in the noise)
    z_err = np.hypot(v_err, omega * q_err)
    ok = np.abs(vm + 1j * omega * qm) > 4 * np.maximum(z_err, 1e-300)
    ok[0] = True
    stop = int(np.argmin(ok)) if not ok.all() else ok.size
    if stop < 10:
        raise ValueError(f"the mean motion falls below 4 standard errors after {stop} of {ok.size} "
                         f"samples (t = {times[max(stop - 1, 0)]:.3g}): too little signal to fit; "
                         f"increase |v0| = {abs(v0):g}, realizations = {R} or n_out = {ok.size}")
    win = slice(0, stop)
    q_floor = 1e-3 * abs(v0) / omega / math.sqrt(R)
    v_floor = 1e-3 * abs(v0) / math.sqrt(R)

    def fit(qq, vv, qe, ve):
        return _fit_oscillator(times[win], qq[win], vv[win], np.maximum(qe[win], q_floor),
                               np.maximum(ve[win], v_floor), v0, omega)

    rate, omega0 = fit(qm, vm, q_err, v_err)
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
    g_tot, g_tot_err = m * rate, m * jk_err[0]
    stiff = m * omega0**2
    stiff_err = 2 * m * omega0 * jk_err[1]
    w_d = math.sqrt(max(omega0**2 - 0.25 * rate**2, 0.0))
    values = {
        "t": times, "v": vm, "v_err": v_err, "q": qm, "q_err": q_err,
        "gamma_total": g_tot, "gamma_total_err": g_tot_err,
        "gamma_per_particle": g_tot / nb, "gamma_per_particle_err": g_tot_err / nb,
        "stiffness": stiff, "stiffness_err": stiff_err,
        "omega": w_d, "omega_err": jk_err[1],
        "fit_t_max": float(times[win][-1]),
    }
    settings = {"T": T, "v0": v0, "realizations": R, "t": n_burn * dt + float(times[-1]), "dt": dt,
                "burn_in": n_burn * dt, "steps": n_burn + nsteps, "seed": seed, "groups": groups,
                "streams": "realization * N_b + particle",
                "integrator": "velocity Verlet (probe) + Euler-Maruyama (particles, q at step start)",
                "fit": "damped oscillator to <q>, <v> (weighted least squares), jackknife errors"}
    return SimResult("probe_relaxation", values, plain(probe), settings, __version__)
