"""thermolib: analytic formulas and numba simulators for the thermobook.

Two models, each with one frozen, self-validating parameter object that both the analytic layer
and the simulators take:

* NDC paper (Krekels, Maes, Santra, Zhai 2026): :class:`ParticleBath`, :class:`Probe`,
  :class:`NDCChain`, and the two-Langevin-bath chain :class:`LangevinChain`.
* Diode paper (Defaveri, Anteneodo 2021): :class:`Diode` with on-site forces from
  :mod:`thermolib.forces`.

Units: k_B = 1. Simulators live in :mod:`thermolib.sim`, estimators in :mod:`thermolib.stats`,
parameter sweeps in :mod:`thermolib.sweep`.
"""
from importlib.metadata import PackageNotFoundError, version as _version

try:
    __version__ = _version("thermolib")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.1.0"

_EXPORTS = {
    "ParticleBath": "particle_bath",
    "Probe": "probe",
    "NDCChain": "chain",
    "MarkovReductionError": "chain",
    "LangevinChain": "langevin_chain",
    "IllConditionedError": "langevin_chain",
    "Diode": "diode",
    "FirstOrderValidityWarning": "diode",
    "ParameterTypeError": "_validation",
    "ExactSolverError": "diode_exact",
}

__all__ = ["__version__", "forces", "sim", "stats", *sorted(_EXPORTS)]


def __getattr__(name):
    # Lazy: `import thermolib` stays cheap (no scipy/numba import until a model is used).
    from importlib import import_module

    if name in _EXPORTS:
        return getattr(import_module(f"{__name__}.{_EXPORTS[name]}"), name)
    if name in ("forces", "sim", "stats", "sweep", "runcache", "fidelity"):
        return import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(__all__) | {"sweep", "runcache", "fidelity"})
