"""The object every simulator returns: estimates with their standard errors, plus provenance.

A result never carries a bare mean: each estimate ``x`` comes with ``x_err`` (one standard error of
the mean over independent realizations or batches), and the result records everything needed to
reproduce it (model parameters, seed, dt, steps, realizations, estimator, thermolib version).
"""
from __future__ import annotations

import dataclasses
import enum
from collections.abc import Mapping
from typing import Any

import numpy as np

__all__ = ["SimResult", "plain"]


def plain(obj: Any) -> Any:
    """Convert numpy scalars/arrays, dataclasses and mappings into plain Python containers."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        out = {"__class__": type(obj).__name__}
        for f in dataclasses.fields(obj):
            out[f.name] = plain(getattr(obj, f.name))
        return out
    if isinstance(obj, Mapping):
        return {str(k): plain(v) for k, v in obj.items()}
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, (list, tuple)):
        return [plain(v) for v in obj]
    if isinstance(obj, enum.Enum):
        return obj.value
    if isinstance(obj, (str, int, float, bool)) or obj is None:
        return obj
    return repr(obj)


@dataclasses.dataclass(frozen=True)
class SimResult:
    """Estimates (``values``) with standard errors and the metadata to reproduce them.

    Attributes of ``values`` are reachable as attributes: ``res.current``, ``res.current_err``.

    Parameters
    ----------
    kind : str
        Which simulator produced it, e.g. ``"diode_current"``.
    values : Mapping[str, Any]
        Estimates (floats or arrays) and their ``*_err`` standard errors, plus any traces.
    model : Mapping[str, Any]
        The model parameters (the parameter object, made plain).
    settings : Mapping[str, Any]
        Run settings: seed, dt, steps, burn-in, realizations, estimator, threads used...
    version : str
        thermolib version that produced the result.
    """

    kind: str
    values: Mapping[str, Any]
    model: Mapping[str, Any]
    settings: Mapping[str, Any]
    version: str

    def __getattr__(self, name: str) -> Any:
        values = object.__getattribute__(self, "values")
        if name in values:
            return values[name]
        raise AttributeError(f"{type(self).__name__} of kind {self.kind!r} has no value {name!r}; "
                             f"available: {sorted(values)}")

    def __dir__(self):
        return sorted(set(super().__dir__()) | set(self.values))

    def to_dict(self) -> dict:
        """A plain, JSON-serialisable dict of everything in the result."""
        return {
            "kind": self.kind,
            "values": plain(self.values),
            "model": plain(self.model),
            "settings": plain(self.settings),
            "version": self.version,
        }

    def __repr__(self) -> str:
        parts = []
        for name, v in self.values.items():
            if name.endswith("_err"):
                continue
            err = self.values.get(name + "_err")
            if err is None:
                continue
            if np.ndim(v) == 0:
                parts.append(f"{name}={float(v):.6g} ± {float(err):.2g}")
            else:
                parts.append(f"{name}=array(shape={np.shape(v)}) ± ...")
        return f"SimResult({self.kind}: " + ", ".join(parts) + ")"
