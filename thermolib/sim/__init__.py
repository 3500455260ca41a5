"""Numba simulators for both models (one reproducible random stream per realization).

Every simulator takes the parameter objects of the analytic layer and returns a
:class:`~thermolib.sim._result.SimResult` (estimates with standard errors + provenance).

* NDC paper: :func:`mean_force`, :func:`probe_relaxation` (single probe in the particle bath),
  :func:`chain_current` (the full model), :func:`effective_chain_current` (Markov reduction),
  :func:`two_bath_chain_current` (harmonic chain between two Langevin baths, for validation).
* Diode paper: :func:`diode_current` (with common random numbers across eps values).

The contract every simulator follows (signature, defaults, limits, the dry run of a sweep) is
:mod:`thermolib.sim.contract`.
"""
from importlib import import_module

_EXPORTS = {
    "mean_force": "particle_bath",
    "probe_relaxation": "particle_bath",
    "chain_current": "chain",
    "effective_chain_current": "chain",
    "two_bath_chain_current": "chain",
    "diode_current": "diode",
    "SimResult": "_result",
    "SimulationDiverged": "contract",
    "TimeStepBiasWarning": "contract",
}

__all__ = sorted([*_EXPORTS, "warmup"])


def __getattr__(name):
    # Lazy: importing thermolib.sim does not compile or load every kernel module.
    if name in _EXPORTS:
        return getattr(import_module(f"{__name__}.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return __all__


def warmup(verbose: bool = False) -> float:
    """Compile every simulator kernel once on tiny inputs; returns the seconds it took.

    The kernels are ``@njit(cache=True)``: the machine code is written next to the sources, so a
    Binder image (``binder/postBuild``) or a fresh checkout that calls this once starts every later
    simulation without waiting for the compiler. The calls use the keywords of the simulator
    contract (:mod:`thermolib.sim.contract`: ``t``, ``burn_in``, the minimum ``realizations=2``,
    ``seed``); the diode runs every force path of its kernel (none, a cubic fused into the pass, a
    force buffer).
    """
    import time

    from .. import _validation as _v
    from .. import Diode, LangevinChain, NDCChain, ParticleBath, Probe, forces

    verbose = _v.boolean("verbose", verbose)

    from .chain import chain_current, two_bath_chain_current
    from .diode import diode_current
    from .particle_bath import mean_force, probe_relaxation

    t0 = time.perf_counter()
    bath = ParticleBath()
    chain = NDCChain(bath)
    calls = {
        "mean_force": lambda: mean_force(bath, [0.0, 1.0], 4.0, t=0.05, burn_in=0.0,
                                         realizations=2, seed=0),
        "probe_relaxation": lambda: probe_relaxation(Probe(bath), 4.0, v0=100.0, t=0.2,
                                                     realizations=4, seed=0, groups=2, n_out=10),
        "chain_current": lambda: chain_current(chain, 4.0, 0.0, N=3, t=0.1, burn_in=0.0,
                                               realizations=2, seed=0),
        "two_bath_chain_current": lambda: two_bath_chain_current(
            LangevinChain(3, 1, 1, 1, 1, 1, 1), 1.0, 0.0, t=1.0, burn_in=0.0, realizations=2,
            seed=0),
        "diode_current": lambda: [diode_current(Diode(k_I=0.5, f_A=f), 1.5, 0.5, [0.0, 0.1], t=1.0,
                                                burn_in=0.0, realizations=2, seed=0)
                                  for f in (forces.power(2), forces.cosine(), forces.cosh())],
    }
    for name, call in calls.items():
        t1 = time.perf_counter()
        call()
        if verbose:
            print(f"warmup: {name} ready in {time.perf_counter() - t1:.1f} s")
    return time.perf_counter() - t0
