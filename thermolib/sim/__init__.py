"""Numba simulators for both models (one reproducible random stream per realization).

Every simulator takes the parameter objects of the analytic layer and returns a
:class:`~thermolib.sim._result.SimResult` (estimates with standard errors + provenance).

* NDC paper: :func:`mean_force`, :func:`probe_relaxation` (single probe in the particle bath),
  :func:`chain_current` (the full model), :func:`effective_chain_current` (Markov reduction),
  :func:`langevin_chain_current` (harmonic chain between two Langevin baths, for validation).
* Diode paper: :func:`diode_current` (with common random numbers across eps values).
"""
from importlib import import_module

_EXPORTS = {
    "mean_force": "particle_bath",
    "probe_relaxation": "particle_bath",
    "chain_current": "chain",
    "effective_chain_current": "chain",
    "langevin_chain_current": "chain",
    "diode_current": "diode",
    "SimResult": "_result",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name):
    # Lazy: importing thermolib.sim does not compile or load every kernel module.
    if name in _EXPORTS:
        return getattr(import_module(f"{__name__}.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return __all__
