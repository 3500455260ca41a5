"""thermolib: analytic formulas and numba simulators for the thermobook.

Two models, each with one frozen, self-validating parameter object that both the analytic layer
and the simulators take:

* NDC paper (Krekels, Maes, Santra, Zhai 2026): :class:`ParticleBath`, :class:`NDCChain`.
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

__all__ = ["__version__"]
