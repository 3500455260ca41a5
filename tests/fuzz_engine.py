"""Fuzz engine for tests/test_fuzz.py: every public callable of thermolib against hostile input.

Run as ``python tests/fuzz_engine.py [--start K]``: prints one JSON line per public callable,
``{"index", "label", "half", "calls", "failures": [...]}``, preceded by ``{"begin": ...}`` lines
for each call (and ``{"fail": ...}`` lines for each failure) so that the parent can name the call
that hung and keep what was found before it. ``--list`` prints only the labels.

The public API is enumerated, not listed: the ``__all__`` of ``thermolib``, ``thermolib.forces``,
``thermolib.diode``, ``thermolib.sim``, ``thermolib.sim.diode``, ``thermolib.stats``,
``thermolib.runcache`` and ``thermolib.fidelity``; for a class its constructor and every public
method of a baseline instance. A valid baseline call is found from parameter names (a small table
of physical meanings: ``T_A`` is a temperature, ``diode`` a model...) and, for unknown names, by
trying generic candidates until the call succeeds. Then one parameter at a time is replaced by each
hostile value (NaN, +-inf, 0, negatives, huge and tiny numbers, strings, booleans, None, complex,
numpy scalars and 0-d arrays, empty and string lists). Accepted outcomes:

* a ``ValueError``/``TypeError`` whose message names the parameter (a refusal);
* ``SimulationDiverged`` (the documented refusal of a run that leaves the physical range);
* a return value whose numbers are all finite -- or are the hostile input itself, passed through
  (``fidelity.choose`` returns what it is given; a plain record type such as ``SimResult`` or a
  NamedTuple stores it); otherwise a value of the wrong type (a string for a number, a number for
  a model) must be refused, not accepted.

Anything else is a failure: another exception (``ZeroDivisionError``, ``OverflowError``,
``LinAlgError``, ``KeyError``...), a refusal that does not name the parameter, a non-finite
answer, an accepted wrong type, or a hang (detected by the parent).
"""
from __future__ import annotations

import inspect
import json
import math
import re
import sys
import warnings

import numpy as np

NDC_MODULES = ("thermolib.particle_bath", "thermolib.probe", "thermolib.chain",
               "thermolib.sim.particle_bath", "thermolib.sim.chain")
MODULES = ("thermolib", "thermolib.forces", "thermolib.diode", "thermolib.sim", "thermolib.sim.diode",
           "thermolib.stats", "thermolib.runcache", "thermolib.fidelity")


def _models():
    from thermolib import Diode, LangevinChain, NDCChain, ParticleBath, Probe, forces

    bath = ParticleBath()
    return {"diode": Diode(k_I=0.5, f_A=forces.power(2)), "bath": bath, "chain": NDCChain(bath),
            "langevin_chain": LangevinChain(3, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0), "probe": Probe(bath),
            "force": forces.power(2)}


def known_candidates(name):
    """Valid baseline values for a parameter, by its name (first that works is used)."""
    from thermolib import fidelity, forces

    m = _models()
    table = {
        "diode": [m["diode"]], "bath": [m["bath"]], "probe": [m["probe"]],
        "chain": [m["chain"], m["langevin_chain"]],  # the NDC chain, or the two-bath chain
        "f": [forces.power(2), [1.0, 2.0, 3.0, 4.0]], "f_A": [forces.power(2)], "f_B": [forces.cosine()],
        "x": [[1.0, 2.0, 3.0, 4.0], 0.5, forces.power(2)],
        "y": [[1.1, 1.9, 3.2, 3.9]],
        "z": [0.5], "q": [[0.0, 1.0], 0.5],
        "T_A": [1.5], "T_B": [0.5], "T_h": [1.5], "T_c": [0.5], "T_m": [1.0], "Delta_T": [0.4],
        "T": [1.0], "T_L": [2.0], "T_R": [1.0],
        "eps": [0.1], "n": [2, 5], "c": [1.0], "K": [1.0], "A": [1.0], "k": [1.0], "k_I": [0.5],
        "coeffs": [(0.0, -1.0, 0.0, -0.5)],
        "t": [1.0, 30.0], "t_end": [1.0], "burn_in": [0.0], "realizations": [2, 32], "seed": [0],
        "particles": [4], "N": [3], "n_batches": [2], "groups": [2],
        "n_out": [10], "v0": [1.0], "m": [1.0], "omega": [1.0],
        "samples": [[1.0, 2.0, 4.0, 3.0]], "series": [list(np.sin(np.arange(60.0)))],
        "value": [1.0], "reference": [1.2], "error": [0.1], "err": [0.1], "dof": [5],
        "fn": [fidelity.fidelity], "args": [(), [1.0]], "kwargs": [{}],
        "name": ["x"], "seconds": [1.0], "cached": [False], "base": [3],
        "quick": [1.0], "paper": [2.0], "factor": [5.0],
        "kind": ["k"], "values": [{}], "model": [{}], "settings": [{}], "version": ["0"],
    }
    return table.get(name, []) + [1.0, 2, 0.5, [0.0, 1.0], 4]


def hostile_values():
    """(tag, value) pairs: non-finite, boundary, extreme, wrong types, numpy scalars."""
    return [
        ("nan", math.nan), ("inf", math.inf), ("-inf", -math.inf), ("0", 0), ("0.0", 0.0),
        ("-1", -1), ("-1.0", -1.0), ("1e300", 1e300), ("-1e300", -1e300), ("1e-300", 1e-300),
        ("2**70", 2**70), ("str", "1.5"), ("None", None), ("True", True), ("complex", 1 + 1j),
        ("np.float32", np.float32(1.5)), ("np.int64", np.int64(1)), ("0-d array", np.array(0.7)),
        ("[]", []), ("['a']", ["a"]), ("[nan]", [math.nan]),
    ]


# ---------------------------------------------------------------------------- enumeration
def _is_exception_or_warning(obj):
    return isinstance(obj, type) and issubclass(obj, (BaseException, Warning))


def enumerate_api():
    """``[(label, half, kind, target)]``: kind "call" (a function or class) or "method"
    (``target = (instance factory label, method name)``). Deterministic order."""
    import importlib

    out, seen = [], set()
    instances = {}
    for modname in MODULES:
        mod = importlib.import_module(modname)
        for name in sorted(getattr(mod, "__all__", [])):
            obj = getattr(mod, name)
            if not callable(obj) or _is_exception_or_warning(obj) or id(obj) in seen:
                continue
            seen.add(id(obj))
            owner = getattr(obj, "__module__", modname) or modname
            half = "ndc" if owner in NDC_MODULES else "diode"
            label = f"{owner}.{getattr(obj, '__qualname__', name)}"
            out.append((label, half, "call", obj))
            if isinstance(obj, type) and not inspect.isabstract(obj):
                instances[label] = (obj, half)
    for label, (cls, half) in instances.items():
        for mname in sorted(dir(cls)):
            if mname.startswith("_") and mname != "__call__":
                continue
            attr = inspect.getattr_static(cls, mname)
            if isinstance(attr, property) or not callable(getattr(cls, mname, None)):
                continue
            definer = next((c for c in cls.__mro__ if mname in c.__dict__), None)
            if definer is None or not definer.__module__.startswith("thermolib"):
                continue  # inherited from object, tuple, ... (not thermolib's API)
            out.append((f"{label}.{mname}", half, "method", (label, cls, mname)))
    return out


# ---------------------------------------------------------------------------- calls
def _params(fn):
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return []
    return [p for p in sig.parameters.values()
            if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD) and not p.name.startswith("_")]


def _call(fn, kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with np.errstate(all="ignore"):
            return fn(**kwargs)


def find_baseline(fn):
    """Keyword arguments for a valid call of ``fn`` (required parameters only, plus a zero
    burn-in for tiny simulator runs), or raise RuntimeError with the last error."""
    params = _params(fn)
    choice = {p.name: 0 for p in params if p.default is p.empty}
    cands = {name: known_candidates(name) for name in choice}
    last = None
    for _ in range(40):
        kw = {name: cands[name][i] for name, i in choice.items()}
        if any(p.name == "burn_in" for p in params):
            kw["burn_in"] = 0.0
        try:
            _call(fn, kw)
            return kw
        except Exception as exc:  # noqa: BLE001 - advance the candidate of the parameter named
            last = exc
            msg = str(exc)
            named = [n for n in choice if re.search(rf"\b{re.escape(n)}\b", msg)]
            target = next((n for n in named if choice[n] + 1 < len(cands[n])), None)
            if target is None:
                target = next((n for n in choice if choice[n] + 1 < len(cands[n])), None)
                if target is None:
                    break
                for n in choice:  # odometer over the unnamed ones
                    if choice[n] + 1 < len(cands[n]):
                        choice[n] += 1
                        break
                    choice[n] = 0
                continue
            choice[target] += 1
    raise RuntimeError(f"no valid baseline call found ({type(last).__name__}: {last})")


def _category(v):
    if v is None:
        return "none"
    if isinstance(v, (bool, np.bool_)):
        return "bool"
    if isinstance(v, str):
        return "str"
    if isinstance(v, (int, float, np.integer, np.floating)) or (isinstance(v, np.ndarray) and v.ndim == 0):
        return "number"
    if isinstance(v, (list, tuple, np.ndarray)):
        return "sequence"
    if isinstance(v, complex):
        return "complex"
    if callable(v) and not hasattr(v, "__dataclass_fields__"):
        return "callable"
    return "object:" + type(v).__name__


_WRONG_FOR = {
    "number": {"str", "none", "bool", "complex", "object", "callable"},
    "sequence": {"str", "none", "bool", "complex"},
    "str": {"number", "none", "bool", "complex", "sequence"},
    "bool": {"number", "str", "none", "complex", "sequence"},
    "callable": {"number", "str", "none", "bool", "complex", "sequence"},
}


def _wrong_type(baseline_value, default, value, annotation=inspect.Parameter.empty):
    """Is ``value`` of a type the parameter does not take (judged from its valid values, its
    default and its annotation: ``Any`` takes anything, ``X | None`` takes None)?"""
    ann = annotation if isinstance(annotation, str) else getattr(annotation, "__name__", str(annotation))
    if ann in ("Any", "typing.Any"):
        return False
    cat = _category(value)
    if cat == "none" and (default is None or re.search(r"\bNone\b|Optional", ann)):
        return False
    if _category(default) == cat and default is not inspect.Parameter.empty:
        return False
    base = _category(baseline_value)
    if base.startswith("object:"):
        return not cat.startswith("object:") or cat != base
    numeric = base == "sequence" and len(baseline_value) and all(
        isinstance(x, (int, float, np.integer, np.floating)) for x in np.ravel(baseline_value))
    if cat == "sequence" and numeric and value and all(isinstance(x, str) for x in value):
        cat = "str"  # strings where numbers belong
    return cat.split(":")[0] in _WRONG_FOR.get(base, set())


def _nonfinite_leaves(x, hostile, depth=0):
    """Non-finite numbers in a result that are not the hostile input itself (passed through)."""
    if x is hostile or depth > 6:
        return []
    if isinstance(x, (bool, np.bool_, str, bytes)) or x is None:
        return []
    if isinstance(x, (int, np.integer)):
        return []
    if isinstance(x, (float, np.floating, complex, np.complexfloating)):
        return [] if np.isfinite(x) else [repr(x)]
    if isinstance(x, np.ndarray):
        if x.dtype.kind in "fc" and not np.all(np.isfinite(x)):
            return [f"array with {int(np.sum(~np.isfinite(x)))} non-finite"]
        if x.dtype.kind == "O":
            return [b for v in x.ravel()[:50] for b in _nonfinite_leaves(v, hostile, depth + 1)]
        return []
    if isinstance(x, dict):
        return [b for v in x.values() for b in _nonfinite_leaves(v, hostile, depth + 1)]
    if isinstance(x, (list, tuple)):
        return [b for v in x[:200] for b in _nonfinite_leaves(v, hostile, depth + 1)]
    values = getattr(x, "values", None)  # SimResult
    if isinstance(values, dict) and hasattr(x, "settings"):
        return _nonfinite_leaves(values, hostile, depth + 1)
    return []


def _is_record(fn) -> bool:
    """A plain record type: a NamedTuple, or a dataclass without validation (no __post_init__),
    which stores what it is given (SimResult, LinearFit, CurrentBias...). Model classes validate."""
    if not isinstance(fn, type):
        return False
    if issubclass(fn, tuple):
        return True
    return hasattr(fn, "__dataclass_fields__") and not hasattr(fn, "__post_init__")


def _holds(record, value) -> bool:
    fields = record if isinstance(record, tuple) else [getattr(record, f) for f in record.__dataclass_fields__]
    return any(v is value for v in fields)


def classify(fn, name, kwargs, tag, value, baseline_value, default, annotation):
    """None if the outcome is acceptable, else a short failure description."""
    from thermolib import ExactSolverError
    from thermolib.sim import SimulationDiverged

    try:
        out = _call(fn, kwargs)
    except (SimulationDiverged, ExactSolverError) as exc:
        # documented outcomes: a diverging simulation, or the exact solver reporting that it did not
        # converge at the state point, which its message must name
        if isinstance(exc, ExactSolverError) and not re.search(rf"\b{re.escape(name)}\b", str(exc)):
            return f"{name}={tag}: ExactSolverError does not name the state point: {str(exc)[:160]}"
        return None
    except (ValueError, TypeError) as exc:
        if re.search(rf"(?<![A-Za-z0-9_]){re.escape(name)}(?![A-Za-z0-9_])", str(exc)):
            return None
        return f"{name}={tag}: {type(exc).__name__} does not name {name!r}: {str(exc)[:160]}"
    except Exception as exc:  # noqa: BLE001 - a raw internal error
        return f"{name}={tag}: raw {type(exc).__name__}: {str(exc)[:160]}"
    if _wrong_type(baseline_value, default, value, annotation):
        if out is value or (_is_record(fn) and _holds(out, value)):
            return None  # passed through untouched (fidelity.choose; a plain record type)
        return f"{name}={tag}: a {type(value).__name__} was accepted (returned {type(out).__name__})"
    bad = _nonfinite_leaves(out, value)
    if bad:
        return f"{name}={tag}: non-finite answer {bad[:3]}"
    return None


def fuzz_one(label, kind, target, emit):
    """Fuzz one callable; returns (calls, failures)."""
    if kind == "call" and inspect.isabstract(target):  # an abstract base: must refuse to exist
        try:
            target()
        except TypeError:
            return 1, []
        return 1, [f"{label}() did not raise TypeError (abstract class)"]
    if kind == "call":
        fn = target
    else:
        cls_label, cls, mname = target
        try:
            inst = cls(**find_baseline(cls))
        except RuntimeError as exc:
            return 0, [f"baseline instance: {exc}"]
        fn = getattr(inst, mname)
    try:
        base = find_baseline(fn)
    except RuntimeError as exc:
        return 0, [f"baseline: {exc}"]
    calls, failures = 0, []
    for p in _params(fn):
        baseline_value = base.get(p.name, p.default)
        for tag, value in hostile_values():
            kw = dict(base)
            kw[p.name] = value
            emit({"begin": label, "param": p.name, "value": tag})
            calls += 1
            f = classify(fn, p.name, kw, tag, value, baseline_value, p.default, p.annotation)
            if f:
                failures.append(f)
                emit({"fail": label, "msg": f})
    return calls, failures


def main(argv):
    import os

    os.environ.pop("THERMOLIB_CACHE", None)  # runcache.cached must not write anywhere
    start = int(argv[argv.index("--start") + 1]) if "--start" in argv else 0
    api = enumerate_api()

    channel = os.fdopen(os.dup(1), "w")  # the JSON lines; whatever the library prints goes to stderr
    os.dup2(2, 1)
    sys.stdout = sys.stderr

    def emit(obj):
        channel.write(json.dumps(obj) + "\n")
        channel.flush()

    if "--list" in argv:
        for i, (label, half, kind, target) in enumerate(api):
            emit({"index": i, "label": label, "half": half})
        return 0
    for i, (label, half, kind, target) in enumerate(api):
        if i < start:
            continue
        calls, failures = fuzz_one(label, kind, target, emit)
        emit({"index": i, "label": label, "half": half, "calls": calls, "failures": failures})
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
