"""Former name of :mod:`thermolib.sim.contract`, kept so that existing imports keep working.

``thermolib.sim._contract`` *is* the module :mod:`thermolib.sim.contract` (one module object, so
its state -- the dry-run switch of :func:`~thermolib.sim.contract.validate_only` -- exists once).
"""
import sys

from . import contract

sys.modules[__name__] = contract
