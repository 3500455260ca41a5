"""The explorers' simulations: the only module of the explorers that calls :mod:`thermolib.sim`.

A button click runs its realizations in chunks of fixed size, so that the progress bar advances and
a cancel takes effect between chunks. Chunk ``c`` of a run with seed ``s`` is one simulator call with
``chunk_seed(s, c)``: a run is reproducible (the chunking does not depend on the machine), and the
pooled estimate over the chunks is exactly the estimate over all realizations (:func:`pool`). Each
chunk goes through :func:`thermolib.runcache.cached`, so a cancelled or repeated run resumes from the
chunks already finished.
"""
from __future__ import annotations

import math

import numpy as np

from thermolib import sim
from thermolib.sim.chain import default_burn_in
from thermolib.runcache import cached

__all__ = ["Cancelled", "NDC_CHUNK", "DIODE_CHUNK", "chunk_seed", "pool", "ndc_point",
           "diode_point"]

NDC_CHUNK = 2        # realizations per call: one per core of a 2-core machine (the kernel's prange)
DIODE_CHUNK = 256    # the diode kernel vectorises over realizations; ~25 ms per chunk at t = 220
_MAX_CHUNKS = 2**20


class Cancelled(Exception):
    """The run was cancelled between two chunks (the finished chunks stay in the run cache)."""


def chunk_seed(seed: int, chunk: int) -> int:
    """Seed of chunk ``chunk`` of a run with seed ``seed`` (distinct for every pair)."""
    if not 0 <= chunk < _MAX_CHUNKS:
        raise ValueError(f"chunk must be in [0, {_MAX_CHUNKS}), got {chunk}")
    if not 0 <= seed < 2**63 // _MAX_CHUNKS:
        raise ValueError(f"seed must be an integer in [0, {2**63 // _MAX_CHUNKS}), got {seed}")
    return int(seed) * _MAX_CHUNKS + int(chunk)


def pool(means, errs, counts) -> tuple[float, float]:
    """Mean and standard error of the union of samples given by their chunks' means, standard errors
    (``std(ddof=1)/sqrt(n)``) and sizes: the same numbers as computed from all samples at once."""
    m, e, n = (np.asarray(a, dtype=float) for a in (means, errs, counts))
    total = n.sum()
    mean = float((n * m).sum() / total)
    squares = ((n - 1) * n * e**2 + n * (m - mean) ** 2).sum()   # sum of squared deviations
    return mean, math.sqrt(squares / (total - 1) / total)


def _chunks(realizations: int, size: int) -> list[int]:
    """Chunk sizes: ``size`` each, the remainder merged into the last chunk (every chunk >= 2)."""
    realizations = int(realizations)
    if realizations < 2:
        raise ValueError(f"realizations must be an integer >= 2, got {realizations}")
    sizes = [size] * (realizations // size)
    rest = realizations - size * len(sizes)
    if rest and sizes:
        sizes[-1] += rest
    elif rest:
        sizes = [rest]
    return sizes


def _run_chunks(call, realizations, size, seed, progress, cancelled, offset=0, total=None):
    sizes = _chunks(realizations, size)
    total = len(sizes) if total is None else total
    results = []
    for c, n in enumerate(sizes):
        if cancelled is not None and cancelled():
            raise Cancelled(f"cancelled after {offset + c} of {total} chunks")
        results.append((n, call(n, chunk_seed(seed, c))))
        if progress is not None:
            progress(offset + c + 1, total)
    return results


def n_chunks(realizations: int, kind: str) -> int:
    """Number of chunks (progress steps) of one point of ``kind`` ("ndc" or "diode")."""
    return len(_chunks(realizations, NDC_CHUNK if kind == "ndc" else DIODE_CHUNK))


def ndc_point(chain, T_L, T_R, N, *, t, realizations, seed, progress=None, cancelled=None):
    """One point of the full particle model (``sim.chain_current``, bond current): a dict with
    ``T_L, J, J_err, t, R, seed``. ``progress(done, total)`` is called after every chunk;
    ``cancelled()`` is asked before every chunk and raises :class:`Cancelled` when true."""
    # t is the measured time: the simulator's default burn-in (five relaxation times of the
    # effective chain, longer than t itself at low T_L) comes on top of it.
    burn = default_burn_in(chain, float(T_L), int(N))

    def call(n, s):
        return cached(sim.chain_current, chain, float(T_L), float(T_R), N=int(N),
                      t=burn + float(t), burn_in=burn, realizations=n, seed=s)

    res = _run_chunks(call, realizations, NDC_CHUNK, seed, progress, cancelled)
    J, J_err = pool([r.current for _, r in res], [r.current_err for _, r in res],
                    [n for n, _ in res])
    return dict(T_L=float(T_L), J=J, J_err=J_err, t=float(t), R=int(realizations), seed=int(seed))


def diode_point(diode, T_A, T_B, eps, *, t, realizations, seed, dt=None, progress=None,
                cancelled=None, offset=0, total=None):
    """J(eps), J(0) and the paired J(eps) - J(0) at one (T_A, T_B) (``sim.diode_current``, common
    random numbers within each chunk): a dict with ``J, J_err, J0, J0_err, excess, excess_err``
    and the run's ``R`` and ``dt`` (``dt=None``: the simulator's default).
    ``offset``/``total`` place this point's chunks in a longer progress count."""
    def call(n, s):
        return cached(sim.diode_current, diode, float(T_A), float(T_B), [float(eps)], t=float(t),
                      dt=dt, realizations=n, seed=s)

    res = _run_chunks(call, realizations, DIODE_CHUNK, seed, progress, cancelled, offset, total)
    counts = [n for n, _ in res]
    out = {"R": int(realizations), "dt": float(res[0][1].settings["dt"])}
    for key, value, err in (("J", lambda r: r.current[0], lambda r: r.current_err[0]),
                            ("J0", lambda r: r.current0, lambda r: r.current0_err),
                            ("excess", lambda r: r.excess[0], lambda r: r.excess_err[0])):
        out[key], out[key + "_err"] = pool([value(r) for _, r in res], [err(r) for _, r in res],
                                           counts)
    return out
