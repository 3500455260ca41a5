"""Parameter sweeps: a thermolib simulator (or analytic function) over a grid, stored on disk, resumable.

A *sweep* is a function from a registry (``"sim.diode_current"``, ``"analytic.ndc_current"``, ...),
a parameter grid and run settings, written in a TOML (or YAML) spec::

    function = "sim.diode_current"
    store = "data/diode_fig2.zarr"
    seed = 2021
    [model]                       # constructor parameters of the model object
    k_I = 0.5
    f_A = {kind = "power", n = 2}
    [grid]                        # a list, or {start, stop, num, log = false}, per parameter
    Delta_T = {start = -1.0, stop = 1.0, num = 9}
    [fixed]                       # call parameters that do not vary
    T_m = 1.0
    eps = [0.1, 0.5, 1.0]         # a vector-valued argument becomes an extra dimension
    [run]                         # simulator settings
    t = 220.0
    realizations = 100000

Every grid point is an independent task with its own seed, derived from the spec's ``seed`` and the
point's grid parameters only (:func:`point_seed`), so a point gives the same numbers whatever the
order, the chunking, the executor (local processes or a Dask cluster) or the number of workers.

Results go to one zarr (v3) store per sweep, readable with :func:`load` as an ``xarray.Dataset``:
dimensions are the grid parameters (plus e.g. ``eps`` for vector-valued arguments), data variables
the function's outputs (``current``, ``current_err``, ...), a boolean ``done`` mask and ``failed``
flag, and attributes with the run metadata (thermolib version, seed, settings, the spec text and
a hash of the configuration). Only the driver process writes: finished points are written by index
as they complete (each chunk file is replaced atomically), so a killed sweep restarted with the same
command computes only the missing points. A store is never reused for a different configuration.

Command line (``python -m thermolib``)::

    python -m thermolib sweep sweeps/diode_fig2.toml [--store PATH] [--workers N]
                                                     [--scheduler tcp://host:8786] [--quiet]
    python -m thermolib status data/diode_fig2.zarr
    python -m thermolib functions
"""
from __future__ import annotations

import ast
import dataclasses
import datetime as _dt
import difflib
import hashlib
import json
import math
import os
import re
import shutil
import sys
import time
import uuid
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np

__all__ = [
    "Sweep",
    "SweepError",
    "Entry",
    "REGISTRY",
    "RunReport",
    "run",
    "load",
    "load_if_present",
    "status",
    "point_seed",
    "config_hash",
]

#: Version of the store layout (bumped when the on-disk format changes).
FORMAT = 1
#: How often (seconds) finished points are written to the store; ``THERMOLIB_SWEEP_FLUSH`` overrides.
FLUSH_SECONDS = 1.0
#: Largest number of grid points per zarr chunk.
_CHUNK_POINTS = 1 << 16
SEED_RULE = ("point seed = SeedSequence([spec seed, *uint32 words of sha256(canonical JSON of the "
             "point's grid parameters)]).generate_state(1, uint64) >> 1  (63-bit)")
_SPEC_KEYS = ("function", "store", "seed", "model", "grid", "fixed", "run", "outputs", "description")
# Exceptions a point may legitimately end with (physics, not input): stored as failed points.
_POINT_FAILURES = ("MarkovReductionError", "SimulationDiverged")


class SweepError(Exception):
    """Bad sweep input or store (one-line message; the command line exits with code 2)."""

    def __init__(self, message: str):
        super().__init__(" ".join(str(message).split()))


# ------------------------------------------------------------------------------------------------
# the registry: function name -> model builder, callable, outputs


@dataclasses.dataclass(frozen=True)
class Entry:
    """How to run one registered function at one grid point.

    Parameters
    ----------
    name : str
        Registry name, ``"sim.<simulator>"`` or ``"analytic.<quantity>"``.
    model : {"diode", "bath", "chain"} or None
        Which parameter object the ``[model]`` section builds (:class:`~thermolib.Diode`,
        :class:`~thermolib.ParticleBath`, :class:`~thermolib.NDCChain` with its bath).
    evaluate : callable
        ``evaluate(model, **call_and_run_kwargs) -> Mapping`` of outputs.
    outputs : tuple of str
        Stored output names (floats, or arrays along a vector argument).
    call : tuple of str
        Call parameters (``[grid]`` or ``[fixed]``); ``run`` : run settings (``[run]`` or ``[grid]``).
    required : tuple of str
        Parameters that must be given somewhere.
    vector : Mapping[str, tuple of str]
        Call arguments that may be a list under ``[fixed]``, and the outputs shaped like them.
    seeded : bool
        Pass the point's derived ``seed``.
    cheap : bool
        Milliseconds per point: points are sent to workers in batches.
    temperatures : (str, str) or None
        The (hot-side, cold-side) temperatures that ``T_m`` with ``Delta_T`` or ``Delta_T_rel``
        (``Delta_T / T_m``) may replace: hot = T_m + Delta_T/2, cold = T_m - Delta_T/2.
    """

    name: str
    model: str | None
    evaluate: Callable[..., Mapping[str, Any]]
    outputs: tuple[str, ...]
    call: tuple[str, ...]
    run: tuple[str, ...] = ()
    required: tuple[str, ...] = ()
    vector: Mapping[str, tuple[str, ...]] = dataclasses.field(default_factory=dict)
    seeded: bool = False
    cheap: bool = False
    temperatures: tuple[str, str] | None = None
    doc: str = ""


def _sim(name: str) -> Callable[..., Mapping[str, Any]]:
    def evaluate(model, **kw):
        from . import sim

        return getattr(sim, name)(model, **kw)  # a SimResult: values + provenance

    evaluate.__name__ = f"sim_{name}"
    return evaluate


def _analytic_diode_current(diode, *, T_A, T_B, eps=0.0):
    J = np.asarray(diode.current(T_A, T_B, eps), dtype=float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        J0 = float(diode.current(T_A, T_B, 0.0))
    return {"current": J, "excess": J - J0, "current0": J0}


def _analytic_diode_rectification(diode, *, T_h, T_c, eps, form="first_order"):
    chi = np.asarray(diode.rectification(T_h, T_c, eps, form=form), dtype=float)
    e = np.abs(np.asarray(eps, dtype=float))
    with np.errstate(divide="ignore", invalid="ignore"):
        scaled = np.where(e > 0, chi / np.where(e > 0, e, 1.0), np.nan)
    return {"chi": chi, "chi_scaled": scaled}


def _analytic_ndc_current(chain, *, T_L, T_R, N=None, memory=False):
    return {"current": float(chain.current(T_L, T_R, N=N, memory=memory))}


def _analytic_bath_friction(bath, *, T):
    return {"friction": float(bath.friction(T))}


_DIODE_SIM_VEC = ("current", "current_err", "excess", "excess_err")
_ERRS = lambda *names: tuple(n for name in names for n in (name, name + "_err"))  # noqa: E731

REGISTRY: dict[str, Entry] = {e.name: e for e in [
    Entry("sim.diode_current", "diode", _sim("diode_current"),
          _DIODE_SIM_VEC + ("current0", "current0_err"),
          call=("T_A", "T_B", "eps"), run=("t", "dt", "burn_in", "realizations"),
          required=("T_A", "T_B", "eps", "t", "realizations"), vector={"eps": _DIODE_SIM_VEC},
          seeded=True, temperatures=("T_A", "T_B"),
          doc="diode heat current J(eps) and J - J0 with common random numbers (simulation)"),
    Entry("analytic.diode_current", "diode", _analytic_diode_current, ("current", "excess", "current0"),
          call=("T_A", "T_B", "eps"), required=("T_A", "T_B"),
          vector={"eps": ("current", "excess")}, cheap=True, temperatures=("T_A", "T_B"),
          doc="diode current to first order in eps, Eq. (20); excess = J - J0"),
    Entry("analytic.diode_rectification", "diode", _analytic_diode_rectification, ("chi", "chi_scaled"),
          call=("T_h", "T_c", "eps", "form"), required=("T_h", "T_c", "eps"),
          vector={"eps": ("chi", "chi_scaled")}, cheap=True, temperatures=("T_h", "T_c"),
          doc="rectification factor chi, Eq. (24); chi_scaled = chi/|eps|"),
    Entry("sim.chain_current", "chain", _sim("chain_current"),
          _ERRS("current", "current_bond", "current_particles", "current_right"),
          call=("T_L", "T_R", "N"), run=("t", "dt", "burn_in", "realizations", "estimator"),
          required=("T_L", "T_R", "N", "t"), seeded=True,
          doc="NDC chain current with the particle bath (full model, simulation)"),
    Entry("sim.effective_chain_current", "chain", _sim("effective_chain_current"),
          _ERRS("current", "current_left", "current_right"),
          call=("T_L", "T_R", "N"), run=("t", "dt", "burn_in", "realizations"),
          required=("T_L", "T_R", "N", "t"), seeded=True,
          doc="NDC chain current of the Markov-reduced (Langevin) chain (simulation)"),
    Entry("analytic.ndc_current", "chain", _analytic_ndc_current, ("current",),
          call=("T_L", "T_R", "N", "memory"), required=("T_L", "T_R"), cheap=True,
          doc="NDC chain current: closed form (N omitted) or exact finite N (Lyapunov)"),
    Entry("sim.mean_force", "bath", _sim("mean_force"),
          _ERRS("force", "force_compensated", "mean_F"),
          call=("q", "T"), run=("particles", "t", "dt", "burn_in", "n_batches"),
          required=("q", "T", "particles", "t"), seeded=True,
          vector={"q": _ERRS("force", "force_compensated", "mean_F")},
          doc="mean force of the particle bath on a probe frozen at q (NDC Fig. 2a)"),
    Entry("sim.probe_relaxation", "bath", _sim("probe_relaxation"),
          _ERRS("gamma_total", "gamma_per_particle", "stiffness", "omega") + ("fit_t_max",),
          call=("T", "K", "m", "v0"), run=("trajectories", "t_end", "dt", "n_out", "groups"),
          required=("T", "K", "v0", "trajectories", "t_end"), seeded=True,
          doc="friction and stiffness fitted to a relaxing probe (NDC Fig. 2b)"),
    Entry("analytic.bath_friction", "bath", _analytic_bath_friction, ("friction",),
          call=("T",), required=("T",), cheap=True,
          doc="effective friction per bath particle, gamma_eff(T) (NDC Eq. 3)"),
]}

_TEMPERATURE_ALIASES = ("T_m", "Delta_T", "Delta_T_rel")
# Symmetric shortcuts of the diode's [model]: k -> k_A = k_B, ...
_DIODE_SHORTCUTS = {"k": ("k_A", "k_B"), "m": ("m_A", "m_B"), "gamma": ("gamma_A", "gamma_B"),
                    "f": ("f_A", "f_B")}


# ------------------------------------------------------------------------------------------------
# models


def _model_fields(kind: str) -> tuple[str, ...]:
    """Parameter names accepted in ``[model]`` for a model kind."""
    try:
        if kind == "diode":
            from .diode import Diode

            return tuple(f.name for f in dataclasses.fields(Diode)) + tuple(_DIODE_SHORTCUTS)
        from .particle_bath import ParticleBath

        bath = tuple(f.name for f in dataclasses.fields(ParticleBath))
        if kind == "bath":
            return bath
        from .chain import NDCChain

        return bath + tuple(f.name for f in dataclasses.fields(NDCChain) if f.name != "bath")
    except ImportError as exc:  # the analytic layer is not in this installation
        raise SweepError(f"the {kind} model is not available: {exc}") from None


def _force(value: Any, name: str):
    """A force from ``{kind = "power", n = 2}``, ``"power(n=2)"`` or ``None``/``"none"``."""
    from . import forces

    if value is None or (isinstance(value, str) and value.strip().lower() in ("", "none")):
        return None
    if isinstance(value, Mapping):
        kw = dict(value)
        kind = kw.pop("kind", None)
    elif isinstance(value, str):
        try:
            node = ast.parse(value.strip(), mode="eval").body
            if isinstance(node, ast.Name):
                kind, kw = node.id, {}
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and not node.args:
                kind = node.func.id
                kw = {k.arg: ast.literal_eval(k.value) for k in node.keywords}
            else:
                raise ValueError
        except (SyntaxError, ValueError):
            raise SweepError(f"{name} = {value!r} is not a force; write e.g. \"power(n=2)\" or "
                             f"{{kind = \"power\", n = 2}}") from None
    else:
        raise SweepError(f"{name} must be a force like {{kind = \"power\", n = 2}}, got {value!r}")
    builders = {"power": forces.power, "cosine": forces.cosine, "cosh": forces.cosh,
                "polynomial": forces.polynomial, "linear": forces.linear}
    if kind not in builders:
        raise SweepError(f"{name}: unknown force kind {kind!r} (known: {', '.join(builders)})")
    try:
        return builders[kind](**kw)
    except TypeError as exc:
        raise SweepError(f"{name}: {exc}") from None


def build_model(kind: str | None, params: Mapping[str, Any]):
    """The parameter object of a model kind from its ``[model]`` (and grid) parameters."""
    params = dict(params)
    if kind is None:
        return None
    if kind == "diode":
        from .diode import Diode

        for short, (a, b) in _DIODE_SHORTCUTS.items():
            if short in params:
                clash = [n for n in (a, b) if n in params]
                if clash:
                    raise SweepError(f"model parameter {short!r} sets {a} and {b}; do not also give "
                                     f"{' and '.join(clash)}")
                v = params.pop(short)
                params[a] = params[b] = v
        for name in ("f_A", "f_B"):
            if name in params:
                params[name] = _force(params[name], name)
        return Diode(**params)
    from .particle_bath import ParticleBath

    bath_names = {f.name for f in dataclasses.fields(ParticleBath)}
    bath = ParticleBath(**{k: v for k, v in params.items() if k in bath_names})
    if kind == "bath":
        return bath
    from .chain import NDCChain

    return NDCChain(bath=bath, **{k: v for k, v in params.items() if k not in bath_names})


# ------------------------------------------------------------------------------------------------
# canonical forms, hashes, seeds


def _canon(x: Any) -> Any:
    """Plain, hash-stable form: numpy -> python, integral floats -> int (so 1 and 1.0 agree)."""
    if isinstance(x, np.generic):
        x = x.item()
    if isinstance(x, np.ndarray):
        x = x.tolist()
    if isinstance(x, bool) or x is None or isinstance(x, str):
        return x
    if isinstance(x, int):
        return x
    if isinstance(x, float):
        if x.is_integer() and abs(x) < 2**53:
            return int(x)
        return x
    if isinstance(x, Mapping):
        return {str(k): _canon(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_canon(v) for v in x]
    return repr(x)


def _dumps(x: Any) -> str:
    return json.dumps(_canon(x), sort_keys=True, separators=(",", ":"), allow_nan=True)


def config_hash(config: Mapping[str, Any]) -> str:
    """Hash of a sweep configuration (function, model, grid, fixed, run, seed)."""
    return hashlib.sha256(_dumps(config).encode()).hexdigest()[:20]


def point_seed(seed: int, params: Mapping[str, Any]) -> int:
    """The 63-bit seed of one grid point: from the spec's ``seed`` and the point's grid parameters.

    Independent of the grid's size, order and chunking, and of the executor: the same point of any
    sweep with the same seed gets the same seed.
    """
    digest = hashlib.sha256(_dumps(dict(params)).encode()).digest()
    words = np.frombuffer(digest[:16], dtype="<u4").tolist()
    state = np.random.SeedSequence([int(seed), *words]).generate_state(1, dtype=np.uint64)[0]
    return int(state >> np.uint64(1))


# ------------------------------------------------------------------------------------------------
# the spec


def _read_spec_file(path: Path) -> tuple[dict, str]:
    try:
        text = path.read_text()
    except OSError as exc:
        raise SweepError(f"cannot read spec {str(path)!r}: {exc.strerror or exc}") from None
    suffix = path.suffix.lower()
    if suffix == ".toml":
        import tomllib

        try:
            return tomllib.loads(text), text
        except tomllib.TOMLDecodeError as exc:
            raise SweepError(f"cannot parse spec {str(path)!r} (TOML): {exc}") from None
    if suffix in (".yaml", ".yml"):
        try:
            import yaml
        except ImportError:
            raise SweepError(f"cannot read spec {str(path)!r}: YAML specs need pyyaml "
                             f"(pip install pyyaml), or write the spec in TOML") from None
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise SweepError(f"cannot parse spec {str(path)!r} (YAML): {exc}") from None
        if not isinstance(data, dict):
            raise SweepError(f"spec {str(path)!r} must be a mapping at top level")
        return _yaml_numbers(data), text
    raise SweepError(f"spec {str(path)!r}: unknown format {suffix!r} (use .toml, .yaml or .yml)")


_FLOAT_RE = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)$")


def _yaml_numbers(x):
    # YAML 1.1 reads "1e-3" (no dot) as a string; every such string here is meant as a number.
    if isinstance(x, dict):
        return {k: _yaml_numbers(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_yaml_numbers(v) for v in x]
    if isinstance(x, str) and _FLOAT_RE.match(x.strip()):
        return float(x)
    return x


def _grid_values(name: str, spec: Any) -> list:
    if isinstance(spec, Mapping):
        unknown = set(spec) - {"start", "stop", "num", "log"}
        if unknown or not {"start", "stop", "num"} <= set(spec):
            raise SweepError(f"grid.{name} must be a list or {{start, stop, num, log = false}}, "
                             f"got {dict(spec)!r}")
        start, stop, num = spec["start"], spec["stop"], spec["num"]
        if not isinstance(num, int) or isinstance(num, bool) or num < 0:
            raise SweepError(f"grid.{name}.num must be an integer >= 0, got {num!r}")
        try:
            if spec.get("log", False):
                if not (start > 0 and stop > 0):
                    raise SweepError(f"grid.{name}: log spacing needs start, stop > 0")
                values = np.geomspace(float(start), float(stop), num)
            else:
                values = np.linspace(float(start), float(stop), num)
        except TypeError:
            raise SweepError(f"grid.{name}: start and stop must be numbers") from None
        values = values.tolist()
    elif isinstance(spec, (list, tuple)):
        values = list(spec)
    else:
        raise SweepError(f"grid.{name} must be a list or {{start, stop, num}}, got {spec!r}")
    if not values:
        raise SweepError(f"grid.{name} is empty: give at least one value")
    kinds = set()
    for v in values:
        if isinstance(v, bool):
            kinds.add("bool")
        elif isinstance(v, (int, float)):
            if not math.isfinite(v):
                raise SweepError(f"grid.{name} holds a non-finite value {v!r}")
            kinds.add("number")
        elif isinstance(v, str):
            kinds.add("str")
        else:
            raise SweepError(f"grid.{name} values must be numbers, booleans or strings, got {v!r}")
    if len(kinds) > 1:
        raise SweepError(f"grid.{name} mixes {' and '.join(sorted(kinds))} values")
    if len({_dumps(v) for v in values}) != len(values):
        raise SweepError(f"grid.{name} holds repeated values: {values!r}")
    return values


def _suggest(name: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(known), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _resolve_function(name: Any) -> tuple[Entry | None, Callable | None]:
    if not isinstance(name, str) or not name:
        raise SweepError(f"function must be a registry name such as 'sim.diode_current', got {name!r}")
    if name in REGISTRY:
        return REGISTRY[name], None
    if ":" in name:
        mod, _, attr = name.partition(":")
        try:
            from importlib import import_module

            fn = getattr(import_module(mod), attr)
        except (ImportError, AttributeError) as exc:
            raise SweepError(f"cannot import function {name!r}: {exc}") from None
        if not callable(fn):
            raise SweepError(f"function {name!r} is not callable")
        return None, fn
    raise SweepError(f"unknown function {name!r}{_suggest(name, REGISTRY)}; known: "
                     f"{', '.join(sorted(REGISTRY))}, or 'package.module:function'")


@dataclasses.dataclass
class RunReport:
    """What one call of :meth:`Sweep.run` did."""

    total: int
    already_done: int
    computed: int = 0
    failed: int = 0
    seconds: float = 0.0
    executor: str = ""
    interrupted: bool = False
    warnings: dict = dataclasses.field(default_factory=dict)

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)


class Sweep:
    """A validated sweep: function, model, grid, fixed call parameters, run settings, seed.

    Build it with :meth:`from_spec`; :meth:`run` computes the missing points into the store.
    """

    def __init__(self, spec: Mapping[str, Any], *, text: str | None = None,
                 source: str | None = None, base: Path | None = None):
        spec = dict(spec)
        unknown = [k for k in spec if k not in _SPEC_KEYS]
        if unknown:
            raise SweepError(f"unknown spec key {unknown[0]!r}{_suggest(unknown[0], _SPEC_KEYS)} "
                             f"(allowed: {', '.join(_SPEC_KEYS)})")
        if "function" not in spec:
            raise SweepError("the spec names no function (e.g. function = \"sim.diode_current\")")
        self.function: str = spec["function"]
        self.entry, self._custom = _resolve_function(self.function)
        self.source = source
        self.text = text if text is not None else json.dumps(_canon(spec), indent=2)
        self.description = str(spec.get("description", ""))
        store = spec.get("store")
        if store is not None and not isinstance(store, str):
            raise SweepError(f"store must be a path string, got {store!r}")
        self.store = store
        seed = spec.get("seed", None)
        seeded = self.entry.seeded if self.entry else self._custom_accepts("seed")
        if seed is None:
            if seeded:
                raise SweepError(f"{self.function} is a simulation: give a top-level seed = <integer>")
            seed = 0
        if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**63:
            raise SweepError(f"seed must be an integer in [0, 2**63), got {seed!r}")
        self.seed: int = seed
        self.seeded = seeded

        sections = {}
        for sec in ("model", "grid", "fixed", "run"):
            val = spec.get(sec, {}) or {}
            if not isinstance(val, Mapping):
                raise SweepError(f"[{sec}] must be a table of name = value, got {val!r}")
            sections[sec] = dict(val)
        self.model_params: dict = sections["model"]
        self.fixed: dict = sections["fixed"]
        self.settings: dict = sections["run"]
        if not sections["grid"]:
            raise SweepError("the grid is empty: give at least one parameter under [grid]")
        self.grid: dict[str, list] = {k: _grid_values(k, v) for k, v in sections["grid"].items()}
        self._check_names()
        self._vector = {k: v for k, v in self.fixed.items() if isinstance(v, (list, tuple))}
        for name, values in self._vector.items():
            if not values:
                raise SweepError(f"fixed.{name} is an empty list")
            if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
                raise SweepError(f"fixed.{name} must be a list of numbers, got {values!r}")
            if len(set(map(float, values))) != len(values):
                raise SweepError(f"fixed.{name} holds repeated values: {values!r}")
        if self.entry is None:
            outs = spec.get("outputs")
            if (not isinstance(outs, list) or not outs
                    or not all(isinstance(o, str) and o.isidentifier() for o in outs)):
                raise SweepError("a custom 'module:function' sweep needs outputs = [\"name\", ...]")
            self.outputs = tuple(outs)
        else:
            if "outputs" in spec:
                raise SweepError(f"outputs is only for custom functions; {self.function} "
                                 f"stores {', '.join(self.entry.outputs)}")
            self.outputs = self.entry.outputs
        self.config = {
            "format": FORMAT, "function": self.function, "seed": self.seed,
            "model": self.model_params, "grid": [[k, v] for k, v in self.grid.items()],
            "fixed": self.fixed, "run": self.settings,
            "outputs": list(self.outputs) if self.entry is None else None,
        }
        self.config_hash = config_hash(self.config)
        self.base = base
        self.last_run: RunReport | None = None

    # -- construction -------------------------------------------------------------------------

    @classmethod
    def from_spec(cls, spec: str | os.PathLike | Mapping[str, Any]) -> "Sweep":
        """A sweep from a spec file (``.toml``, ``.yaml``) or a dict with the same structure."""
        if isinstance(spec, Mapping):
            return cls(spec)
        if isinstance(spec, Sweep):
            return spec
        path = Path(spec)
        data, text = _read_spec_file(path)
        return cls(data, text=text, source=str(path))

    def _custom_accepts(self, name: str) -> bool:
        import inspect

        try:
            params = inspect.signature(self._custom).parameters
        except (TypeError, ValueError):
            return False
        return name in params or any(p.kind is p.VAR_KEYWORD for p in params.values())

    def _check_names(self) -> None:
        fn = self.function
        if self.entry is None:
            if self.model_params:
                raise SweepError(f"custom function {fn}: put its parameters under [grid], [fixed] "
                                 f"or [run], not [model]")
            for sec, names in (("grid", self.grid), ("fixed", self.fixed), ("run", self.settings)):
                for name in names:
                    if name == "seed" or not self._custom_accepts(name):
                        raise SweepError(f"unknown parameter {sec}.{name} for {fn}")
            self._check_duplicates()
            return
        e = self.entry
        model = set(_model_fields(e.model)) if e.model else set()
        call = set(e.call) | (set(_TEMPERATURE_ALIASES) if e.temperatures else set())
        run = set(e.run)
        known = model | call | run

        def where(name):
            return "[model]" if name in model else "[fixed]" if name in call else "[run]"

        def check(sec, names, allowed):
            for name in names:
                if name in allowed:
                    continue
                if name in known:
                    raise SweepError(f"{name} is a {where(name)[1:-1]} parameter of {fn}: put it under "
                                     f"{where(name)} or [grid], not [{sec}]")
                if name == "seed":
                    raise SweepError("seed is a top-level key of the spec, not a parameter")
                raise SweepError(f"unknown parameter {name!r} in [{sec}] for {fn}"
                                 f"{_suggest(name, known)}; model: {', '.join(sorted(model)) or '-'}; "
                                 f"call: {', '.join(sorted(call)) or '-'}; run: {', '.join(sorted(run)) or '-'}")

        check("model", self.model_params, model)
        check("fixed", self.fixed, call)
        check("run", self.settings, run)
        check("grid", self.grid, known)
        self._check_duplicates()
        given = set(self.model_params) | set(self.fixed) | set(self.settings) | set(self.grid)
        if e.temperatures and given & set(_TEMPERATURE_ALIASES):
            hot, cold = e.temperatures
            if not ({"T_m"} <= given and len(given & {"Delta_T", "Delta_T_rel"}) == 1):
                raise SweepError(f"give T_m and one of Delta_T, Delta_T_rel (instead of {hot}, {cold})")
            if given & {hot, cold}:
                raise SweepError(f"give either {hot} and {cold} or T_m and Delta_T/Delta_T_rel, not both")
            given |= {hot, cold}
        for name in e.required:
            if name not in given:
                where_ = "[run]" if name in run else "[fixed] or [grid]"
                raise SweepError(f"{fn} needs {name} (under {where_})")
        for name, value in self.fixed.items():
            if isinstance(value, (list, tuple)) and name not in e.vector:
                vec = f" (only {', '.join(e.vector)} may be a list)" if e.vector else ""
                raise SweepError(f"fixed.{name} must be a single value{vec}; put lists under [grid]")
        for sec, values in (("model", self.model_params), ("run", self.settings)):
            for name, value in values.items():
                if isinstance(value, (list, tuple)):
                    raise SweepError(f"{sec}.{name} must be a single value; put lists under [grid]")

    def _check_duplicates(self) -> None:
        secs = {"model": self.model_params, "grid": self.grid, "fixed": self.fixed, "run": self.settings}
        seen: dict[str, str] = {}
        for sec, names in secs.items():
            for name in names:
                if name in seen:
                    raise SweepError(f"{name} appears in both [{seen[name]}] and [{sec}]")
                seen[name] = sec

    # -- grid ---------------------------------------------------------------------------------

    @property
    def dims(self) -> tuple[str, ...]:
        return tuple(self.grid)

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(len(v) for v in self.grid.values())

    @property
    def size(self) -> int:
        return int(np.prod(self.shape))

    def vector_dims(self) -> dict[str, list[float]]:
        """Extra dimensions from vector-valued fixed arguments, e.g. ``{"eps": [0.0, 0.1]}``."""
        return {k: [float(x) for x in v] for k, v in self._vector.items()}

    def output_dims(self, name: str) -> tuple[str, ...]:
        extra = tuple(k for k in self._vector if self.entry and name in self.entry.vector.get(k, ()))
        return self.dims + extra

    def point(self, flat: int) -> dict[str, Any]:
        """Grid parameters of the point with flat (C-order) index ``flat``."""
        idx = np.unravel_index(flat, self.shape)
        return {k: v[i] for (k, v), i in zip(self.grid.items(), idx)}

    def point_seed(self, flat: int) -> int | None:
        return point_seed(self.seed, self.point(flat)) if self.seeded else None

    def _task_point(self, flat: int) -> tuple:
        params = self.point(flat)
        if self.entry is None:
            kwargs = {**self.fixed, **self.settings, **params}
            return flat, {}, kwargs, self.point_seed(flat)
        if not hasattr(self, "_model_names"):
            self._model_names = set(_model_fields(self.entry.model)) if self.entry.model else set()
        model_names = self._model_names
        model = dict(self.model_params)
        kwargs = {**self.fixed, **self.settings}
        for k, v in params.items():
            (model if k in model_names else kwargs)[k] = v
        return flat, model, kwargs, self.point_seed(flat)

    def check_models(self) -> None:
        """Build the model object of every distinct model-parameter combination (cheap, up front)."""
        if self.entry is None or self.entry.model is None:
            return
        names = set(_model_fields(self.entry.model))
        model_dims = [k for k in self.grid if k in names]
        combos = [()]
        for k in model_dims:
            combos = [c + ((k, v),) for c in combos for v in self.grid[k]]
        for combo in combos:
            params = {**self.model_params, **dict(combo)}
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    build_model(self.entry.model, params)
            except SweepError:
                raise
            except (ValueError, TypeError) as exc:
                at = ", ".join(f"{k} = {v!r}" for k, v in combo)
                raise SweepError(f"invalid model{' at ' + at if at else ''}: {exc}") from None

    # -- running ------------------------------------------------------------------------------

    def store_path(self, store: str | os.PathLike | None = None) -> Path:
        path = store if store is not None else self.store
        if path is None:
            raise SweepError("no store: give store = \"data/<name>.zarr\" in the spec or --store PATH")
        return Path(path)

    def run(self, client: Any = None, workers: int | None = None, progress: bool = True, *,
            store: str | os.PathLike | None = None, connect_timeout: float = 5.0):
        """Compute every missing point into the store and return the dataset (:func:`load`).

        Parameters
        ----------
        client : distributed.Client or str, optional
            A Dask client, or a scheduler address (``"tcp://host:8786"``) to connect to. Default:
            local processes.
        workers : int, optional
            Local worker processes (default: the number of CPUs; ``0`` runs in this process).
        progress : bool
            Show a tqdm bar (on stderr, only when it is a terminal).
        store : path, optional
            Overrides the spec's ``store``.
        connect_timeout : float
            Seconds to wait for a scheduler given by address.

        Returns
        -------
        xarray.Dataset
            The whole store; ``ds.attrs["runs"][-1]`` (and :attr:`last_run`) says how many points
            this call computed.
        """
        path = self.store_path(store)
        self.check_models()
        writer = _Store.open_or_create(path, self)
        pending = writer.pending()
        report = RunReport(total=self.size, already_done=self.size - len(pending))
        import thermolib

        made_with = writer.group.attrs.get("thermolib_version")
        if pending and made_with != thermolib.__version__:
            report.warnings[f"the store was started with thermolib {made_with}; this is "
                            f"{thermolib.__version__}"] = 1
        self.last_run = report
        t0 = time.perf_counter()
        started = _now()
        if not pending:
            writer.record_run(report, started)
            return load(path)
        own_client = None
        if isinstance(client, str):
            client = own_client = _connect(client, connect_timeout)
        cheap = self.entry is not None and self.entry.cheap
        n_exec = 1
        if client is None:
            n_exec = _cpu_count() if workers is None else int(workers)
            if n_exec < 0:
                raise SweepError(f"workers must be >= 0, got {workers}")
        else:
            n_exec = max(1, len(getattr(client, "nthreads", lambda: {1: 1})() or {1: 1}))
        chunk = max(1, min(256, -(-len(pending) // (4 * max(n_exec, 1))))) if cheap else 1
        tasks = [(self.function, self.entry.model if self.entry else None,
                  [self._task_point(f) for f in pending[i:i + chunk]])
                 for i in range(0, len(pending), chunk)]
        if client is not None:
            report.executor = f"dask {getattr(client.scheduler, 'address', '?')}"
            results = _dask_results(tasks, client)
        elif n_exec == 0:
            report.executor = "in-process"
            results = map(_run_task, tasks)
        else:
            n_exec = min(n_exec, len(tasks))
            report.executor = f"local processes x{n_exec}"
            results = _process_results(tasks, n_exec, max(1, _cpu_count() // n_exec))
        bar = _progress(progress, total=self.size, initial=report.already_done, desc=self.function)
        flush_every = float(os.environ.get("THERMOLIB_SWEEP_FLUSH", FLUSH_SECONDS))
        buffer: list = []
        last = time.monotonic()
        problem: str | None = None
        warn_keys: dict[str, str] = {}
        try:
            for batch in results:
                for r in batch:
                    flat, values, error, warns, _, provenance = r
                    if provenance is not None and not writer.has_provenance:
                        writer.set_provenance(provenance)
                    for w in warns:  # group messages that differ only in their numbers
                        key = warn_keys.setdefault(_NUMBER_RE.sub("#", w), w)
                        report.warnings[key] = report.warnings.get(key, 0) + 1
                    if error is not None and error[0] != "failed":
                        problem = problem or (f"point {_fmt_point(self.point(flat))}: {error[1]}"
                                              + ("" if error[0] == "input" else f"\n{error[2]}"))
                        continue
                    buffer.append(r)
                    report.computed += 1
                    report.failed += error is not None
                bar.update(len(batch))
                if problem:
                    break
                if time.monotonic() - last >= flush_every:
                    writer.write(buffer)
                    buffer, last = [], time.monotonic()
        except KeyboardInterrupt:
            report.interrupted = True
            raise
        finally:
            close = getattr(results, "close", None)
            if close:
                close()
            bar.close()
            writer.write(buffer)
            report.seconds = time.perf_counter() - t0
            writer.record_run(report, started)
            if own_client is not None:
                own_client.close()
        if problem:
            first, _, rest = problem.partition("\n")
            if rest:
                raise RuntimeError(problem)
            raise SweepError(f"{first} ({report.computed + report.already_done} points of this "
                             f"configuration are stored in {str(path)!r}; fix the spec and use a "
                             f"new store)")
        return load(path)

    def __repr__(self) -> str:
        grid = ", ".join(f"{k}[{len(v)}]" for k, v in self.grid.items())
        return f"Sweep({self.function}, grid: {grid}, {self.size} points, seed {self.seed})"


_NUMBER_RE = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


def _fmt_point(p: Mapping[str, Any]) -> str:
    return ", ".join(f"{k} = {v!r}" for k, v in p.items())


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")


def _cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def _progress(enabled: bool, **kw):
    class _Null:
        def update(self, n):
            pass

        def close(self):
            pass

    if not enabled or not sys.stderr.isatty():
        return _Null()
    try:
        from tqdm.auto import tqdm
    except ImportError:  # pragma: no cover
        return _Null()
    return tqdm(file=sys.stderr, unit="pt", dynamic_ncols=True, **kw)


# ------------------------------------------------------------------------------------------------
# workers


def _run_task(task: tuple) -> list[tuple]:
    """Evaluate a batch of points (runs in a worker process, a Dask worker or in-process).

    Returns one ``(flat, values, error, warnings, seconds, provenance)`` per point: ``values`` maps
    output names to float arrays; ``error`` is ``None``, ``("failed", msg)`` for a physics failure
    (stored as a failed point), ``("input", msg)`` for invalid input or ``("bug", msg, traceback)``;
    ``provenance`` is the simulator's settings and model (first point of the batch only).
    """
    function, model_kind, points = task
    entry, custom = _resolve_function(function)
    outputs = entry.outputs if entry else None
    models: dict[str, Any] = {}
    out = []
    for flat, model_kw, kwargs, seed in points:
        t0 = time.perf_counter()
        error = None
        values = None
        provenance = None
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                kwargs = dict(kwargs)
                if seed is not None:
                    kwargs["seed"] = seed
                if entry is None:
                    res = custom(**kwargs)
                else:
                    key = _dumps(model_kw)
                    if key not in models:
                        models[key] = build_model(model_kind, model_kw)
                    if entry.temperatures:
                        kwargs = _temperatures(entry.temperatures, kwargs)
                    res = entry.evaluate(models[key], **kwargs)
                if not isinstance(res, Mapping) and isinstance(getattr(res, "values", None), Mapping):
                    if not out:
                        from .sim._result import plain

                        provenance = {"kind": getattr(res, "kind", None),
                                      "settings": plain(getattr(res, "settings", {})),
                                      "model": plain(getattr(res, "model", {})),
                                      "version": getattr(res, "version", None)}
                    res = res.values  # a SimResult
                if not isinstance(res, Mapping):
                    raise TypeError(f"{function} returned {type(res).__name__}, not a mapping of outputs")
                values = {}
                for name in outputs or res.keys():
                    if name not in res:
                        raise KeyError(f"{function} returned no output {name!r}")
                    values[name] = np.asarray(res[name], dtype=np.float64)
            except Exception as exc:  # noqa: BLE001 - classified and reported by the driver
                error = _classify(exc)
        warns = sorted({f"{w.category.__name__}: {w.message}" for w in caught})
        out.append((flat, values, error, warns, time.perf_counter() - t0, provenance))
    return out


def _temperatures(names: tuple[str, str], kw: dict) -> dict:
    if "T_m" not in kw:
        return kw
    T_m = kw.pop("T_m")
    if "Delta_T_rel" in kw:
        dT = kw.pop("Delta_T_rel") * T_m
    else:
        dT = kw.pop("Delta_T")
    hot, cold = names
    kw[hot], kw[cold] = T_m + 0.5 * dT, T_m - 0.5 * dT
    return kw


def _classify(exc: BaseException) -> tuple:
    msg = " ".join(f"{type(exc).__name__}: {exc}".split())
    if type(exc).__name__ in _POINT_FAILURES or isinstance(exc, (ArithmeticError, np.linalg.LinAlgError)):
        return ("failed", msg)
    if isinstance(exc, (ValueError, TypeError, SweepError)):
        return ("input", msg)
    import traceback

    return ("bug", msg, "".join(traceback.format_exception(exc)))


def _init_worker(threads: int) -> None:
    # Runs first in a fresh (spawned) process: numba reads NUMBA_NUM_THREADS at import.
    os.environ["NUMBA_NUM_THREADS"] = str(threads)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = "1"
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the driver handles Ctrl-C


def _process_results(tasks: list, workers: int, threads: int) -> Iterator[list]:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    ctx = multiprocessing.get_context("spawn")  # no fork after threads; same as a fresh worker
    ex = ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_init_worker,
                             initargs=(threads,))
    futures = [ex.submit(_run_task, t) for t in tasks]
    done = False
    try:
        for f in as_completed(futures):
            yield f.result()
        done = True
    finally:
        if not done:  # interrupted or aborted: do not wait for running points
            for p in list((getattr(ex, "_processes", None) or {}).values()):
                p.terminate()
        ex.shutdown(wait=True, cancel_futures=True)


def _dask_results(tasks: list, client: Any) -> Iterator[list]:
    from distributed import as_completed

    futures = [client.submit(_run_task, t, pure=False) for t in tasks]
    try:
        for f in as_completed(futures):
            yield f.result()
    finally:
        client.cancel(futures)


def _connect(address: str, timeout: float):
    try:
        from distributed import Client
    except ImportError:
        raise SweepError("--scheduler needs dask.distributed (pip install 'dask[distributed]')") from None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return Client(address, timeout=f"{timeout}s")
    except (OSError, TimeoutError, ValueError) as exc:
        raise SweepError(f"cannot reach the Dask scheduler at {address!r} within {timeout:g} s "
                         f"({type(exc).__name__})") from None


# ------------------------------------------------------------------------------------------------
# the store


class _Store:
    """The zarr group of one sweep; only the driver process opens it for writing."""

    def __init__(self, path: Path, sweep: Sweep):
        import zarr

        self.path = path
        self.sweep = sweep
        self.group = zarr.open_group(str(path), mode="r+", zarr_format=3)

    @classmethod
    def open_or_create(cls, path: Path, sweep: Sweep) -> "_Store":
        if not path.exists():
            _create(path, sweep)
        attrs = _read_attrs(path)
        if attrs is None or "thermolib_sweep" not in attrs:
            raise SweepError(f"{str(path)!r} exists but is not a thermolib sweep store; "
                             f"choose another --store")
        if attrs.get("config_hash") != sweep.config_hash:
            diff = _config_diff(attrs.get("config", {}), _canon(sweep.config))
            raise SweepError(
                f"store {str(path)!r} holds results of a different configuration (config hash "
                f"{attrs.get('config_hash')} != {sweep.config_hash}; differs in {diff}); refusing to "
                f"overwrite it: use another --store, or delete the store to start afresh")
        return cls(path, sweep)

    @property
    def has_provenance(self) -> bool:
        return "example_point" in self.group.attrs

    def set_provenance(self, provenance: Mapping) -> None:
        """Keep one point's simulator settings (defaults actually used: dt, burn-in, estimator...)."""
        self.group.attrs["example_point"] = _canon(provenance)

    def pending(self) -> list[int]:
        done = np.asarray(self.group["done"][...], dtype=bool)
        return np.flatnonzero(~done.ravel()).tolist()

    def write(self, results: list) -> None:
        """Write finished points: outputs first, then ``failed`` and ``done`` (a kill between
        two writes leaves the points not done, to be recomputed)."""
        if not results:
            return
        sw = self.sweep
        idx = np.unravel_index(np.array([r[0] for r in results], dtype=np.int64), sw.shape)
        vec = sw.vector_dims()
        for name in sw.outputs:
            dims = sw.output_dims(name)
            extra = [len(vec[d]) for d in dims[len(sw.dims):]]
            shape = (len(results), *extra)
            vals = np.full(shape, np.nan)
            for i, r in enumerate(results):
                if r[1] is not None:
                    v = r[1][name]
                    if v.shape != shape[1:]:
                        raise RuntimeError(f"{sw.function} returned {name} with shape {v.shape}, "
                                           f"expected {shape[1:]}")
                    vals[i] = v
            if extra:
                grids = [np.broadcast_to(ix.reshape(-1, 1), shape) for ix in idx]
                grids.append(np.broadcast_to(np.arange(extra[0]).reshape(1, -1), shape))
                self.group[name].vindex[tuple(grids)] = vals
            else:
                self.group[name].vindex[idx] = vals
        failed = np.array([r[2] is not None for r in results])
        self.group["failed"].vindex[idx] = failed
        self.group["done"].vindex[idx] = np.ones(len(results), dtype=bool)
        errs = [f"{_fmt_point(sw.point(r[0]))}: {r[2][1]}" for r in results if r[2] is not None]
        if errs:
            old = list(self.group.attrs.get("failures", []))
            self.group.attrs["failures"] = (old + errs)[:200]

    def record_run(self, report: RunReport, started: str) -> None:
        import thermolib

        entry = {"started": started, "finished": _now(), "thermolib_version": thermolib.__version__,
                 **report.as_dict()}
        entry["warnings"] = dict(list(report.warnings.items())[:20])
        runs = list(self.group.attrs.get("runs", []))
        self.group.attrs["runs"] = runs + [_canon(entry)]


def _read_attrs(path: Path) -> dict | None:
    meta = path / "zarr.json"
    try:
        data = json.loads(meta.read_text())
    except (OSError, ValueError):
        return None
    if data.get("node_type") != "group":
        return None
    return data.get("attributes", {})


def _config_diff(old: Mapping, new: Mapping) -> str:
    keys = [k for k in sorted(set(old) | set(new)) if _dumps(old.get(k)) != _dumps(new.get(k))]
    out = []
    for k in keys:
        a, b = old.get(k), new.get(k)
        if isinstance(a, Mapping) and isinstance(b, Mapping):
            sub = [s for s in sorted(set(a) | set(b)) if _dumps(a.get(s)) != _dumps(b.get(s))]
            out += [f"{k}.{s}" for s in sub]
        else:
            out.append(k)
    return ", ".join(out) or "format"


def _chunks(shape: tuple[int, ...]) -> tuple[int, ...]:
    chunks = list(shape)
    for i in range(len(chunks)):
        rest = int(np.prod(chunks[i + 1:])) if i + 1 < len(chunks) else 1
        if int(np.prod(chunks)) <= _CHUNK_POINTS:
            break
        chunks[i] = max(1, _CHUNK_POINTS // max(rest, 1))
    return tuple(chunks)


def _create(path: Path, sweep: Sweep) -> None:
    """Write the empty store (NaN outputs, nothing done) to a temporary name, then rename it."""
    import xarray as xr

    import thermolib

    coords: dict[str, Any] = {}
    for name, values in sweep.grid.items():
        if isinstance(values[0], str):  # strings: integer coordinate + labels (no unstable zarr dtype)
            coords[name] = xr.Variable((name,), np.arange(len(values)),
                                       attrs={"labels": list(values)})
        else:
            coords[name] = (name, np.asarray(values))
    vec = sweep.vector_dims()
    for name, values in vec.items():
        coords[name] = (name, np.asarray(values, dtype=float))
    chunks = _chunks(sweep.shape)
    data_vars = {}
    encoding = {}
    for name in sweep.outputs:
        dims = sweep.output_dims(name)
        shape = sweep.shape + tuple(len(vec[d]) for d in dims[len(sweep.dims):])
        data_vars[name] = (dims, np.full(shape, np.nan))
        encoding[name] = {"chunks": chunks + shape[len(sweep.dims):]}
    data_vars["done"] = (sweep.dims, np.zeros(sweep.shape, dtype=bool),
                         {"description": "point computed and stored (values valid only where done)"})
    data_vars["failed"] = (sweep.dims, np.zeros(sweep.shape, dtype=bool),
                           {"description": "point ended with a physics failure (values NaN); see "
                                           "attrs['failures']"})
    encoding["done"] = encoding["failed"] = {"chunks": chunks}
    attrs = {
        "thermolib_sweep": FORMAT,
        "function": sweep.function,
        "description": sweep.description or (sweep.entry.doc if sweep.entry else ""),
        "seed": sweep.seed,
        "seed_rule": SEED_RULE if sweep.seeded else "not seeded",
        "config_hash": sweep.config_hash,
        "config": _canon(sweep.config),
        "spec": sweep.text,
        "spec_path": sweep.source or "",
        "thermolib_version": thermolib.__version__,
        "created": _now(),
        "grid_dims": list(sweep.dims),
        "vector_dims": list(vec),
        "outputs": list(sweep.outputs),
        "runs": [],
    }
    ds = xr.Dataset(data_vars, coords=coords, attrs=attrs)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.parent / f".{path.name}.{uuid.uuid4().hex[:8]}.tmp"
    try:
        ds.to_zarr(str(tmp), mode="w-", zarr_format=3, consolidated=False, encoding=encoding)
        try:
            os.rename(tmp, path)
        except OSError:
            if not path.exists():
                raise
            # another driver created it first: fall through to its config check
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


# ------------------------------------------------------------------------------------------------
# reading


def _locate(store: str | os.PathLike) -> Path | None:
    """The store path; a relative path not found here is looked up in parent directories (so a
    chapter in chapters/<part>/ finds data/<name>.zarr at the project root)."""
    path = Path(store)
    if path.exists():
        return path
    if not path.is_absolute():
        for parent in list(Path.cwd().parents)[:4]:
            if (parent / path).exists():
                return parent / path
    return None


def load(store: str | os.PathLike):
    """The sweep's dataset: outputs (NaN where not ``done`` or ``failed``), ``done``, ``failed``,
    grid coordinates (string grids restored) and the run metadata in ``attrs``.

    Raises
    ------
    FileNotFoundError
        No store at ``store``.
    SweepError
        ``store`` is not a thermolib sweep store.
    """
    import xarray as xr

    path = _locate(store)
    if path is None:
        raise FileNotFoundError(f"no sweep store at {str(store)!r}")
    attrs = _read_attrs(path)
    if attrs is None or "thermolib_sweep" not in attrs:
        raise SweepError(f"{str(path)!r} is not a thermolib sweep store")
    with xr.open_dataset(str(path), engine="zarr", consolidated=False, zarr_format=3,
                         chunks=None) as ds:
        ds = ds.load()
    for name in list(ds.coords):
        labels = ds[name].attrs.get("labels")
        if labels is not None:
            ds = ds.assign_coords({name: (name, np.asarray(labels, dtype=object))})
    valid = ds["done"] & ~ds["failed"]
    outputs = [n for n in attrs.get("outputs", []) if n in ds]
    for name in outputs:
        ds[name] = ds[name].where(valid)
    ds = ds[outputs + ["done", "failed"]]  # a fixed variable order (zarr lists arrays unordered)
    ds.attrs["path"] = str(path)
    return ds


def load_if_present(path: str | os.PathLike, *, spec: str | os.PathLike | Mapping | None = None,
                    complete: bool = True):
    """:func:`load` the store if it exists and every point is done, else ``None``.

    A chapter uses it to prefer research-grade data when someone has produced it::

        ds = load_if_present("data/diode_fig2.zarr")
        if ds is None:
            ...  # quick in-chapter computation

    Parameters
    ----------
    spec : path or dict, optional
        Also require that the store was made with this spec (same configuration hash).
    complete : bool
        Require every point to be done (default); ``False`` accepts a partial store.
    """
    p = _locate(path)
    if p is None:
        return None
    attrs = _read_attrs(p)
    if attrs is None or "thermolib_sweep" not in attrs:
        return None
    if spec is not None and Sweep.from_spec(spec).config_hash != attrs.get("config_hash"):
        return None
    try:
        ds = load(p)
    except (OSError, ValueError, KeyError, SweepError):
        return None
    if complete and not bool(ds["done"].all()):
        return None
    return ds


def status(store: str | os.PathLike) -> str:
    """A short human-readable summary of a store: function, grid, done/total, metadata."""
    path = _locate(store)
    if path is None:
        raise SweepError(f"no sweep store at {str(store)!r}")
    attrs = _read_attrs(path)
    if attrs is None or "thermolib_sweep" not in attrs:
        raise SweepError(f"{str(path)!r} is not a thermolib sweep store")
    import zarr

    g = zarr.open_group(str(path), mode="r", zarr_format=3)
    done = np.asarray(g["done"][...], dtype=bool)
    failed = np.asarray(g["failed"][...], dtype=bool)
    cfg = attrs.get("config", {})

    def fmt_values(v):
        v = list(v)
        if len(v) <= 6:
            return ", ".join(_short(x) for x in v)
        return f"{_short(v[0])}, {_short(v[1])}, ..., {_short(v[-1])}"

    def fmt_map(m):
        return ", ".join(f"{k} = {_short(v)}" for k, v in (m or {}).items()) or "-"

    lines = [f"store:      {path}",
             f"function:   {attrs.get('function')}"]
    if attrs.get("description"):
        lines.append(f"            {attrs['description']}")
    grid = cfg.get("grid", [])
    lines.append("grid:       " + "; ".join(f"{k} ({len(v)}): {fmt_values(v)}" for k, v in grid)
                 + f"  -> {done.size} points")
    vector = [k for k in attrs.get("vector_dims", [])]
    fixed = {k: v for k, v in (cfg.get("fixed") or {}).items()}
    lines += [f"fixed:      {fmt_map(fixed)}" + (f"  (vector: {', '.join(vector)})" if vector else ""),
              f"model:      {fmt_map(cfg.get('model'))}",
              f"run:        {fmt_map(cfg.get('run'))}",
              f"outputs:    {', '.join(attrs.get('outputs', []))}",
              f"done:       {int(done.sum())}/{done.size} ({100.0 * done.mean():.1f} %)"
              + (f", failed {int(failed.sum())}" if failed.any() else ""),
              f"seed:       {attrs.get('seed')}",
              f"config:     {attrs.get('config_hash')}",
              f"thermolib:  {attrs.get('thermolib_version')} (created {attrs.get('created')})"]
    if attrs.get("spec_path"):
        lines.append(f"spec:       {attrs['spec_path']}")
    for r in attrs.get("runs", [])[-5:]:
        lines.append(f"run:        {r.get('started')}  computed {r.get('computed')} "
                     f"({r.get('failed')} failed) in {float(r.get('seconds') or 0):.1f} s, "
                     f"{r.get('executor') or '-'}" + ("  [interrupted]" if r.get("interrupted") else ""))
    for f in attrs.get("failures", [])[:3]:
        lines.append(f"failure:    {f}")
    return "\n".join(lines)


def _short(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.6g}"
    if isinstance(v, Mapping):
        return "{" + ", ".join(f"{k} = {_short(x)}" for k, x in v.items()) + "}"
    if isinstance(v, list):
        return "[" + ", ".join(_short(x) for x in v) + "]"
    return str(v)


def run(spec: str | os.PathLike | Mapping[str, Any] | Sweep, *, store: str | os.PathLike | None = None,
        client: Any = None, workers: int | None = None, progress: bool = True):
    """Build the sweep from ``spec`` and :meth:`Sweep.run` it; returns the dataset."""
    sweep = spec if isinstance(spec, Sweep) else Sweep.from_spec(spec)
    return sweep.run(client=client, workers=workers, progress=progress, store=store)


def describe_functions() -> str:
    """One line per registered function: name, model, parameters, outputs."""
    lines = []
    for name in sorted(REGISTRY):
        e = REGISTRY[name]
        try:
            model = ", ".join(_model_fields(e.model)) if e.model else "-"
        except SweepError:
            model = f"({e.model} model unavailable)"
        lines.append(f"{name}: {e.doc}\n    model: {model}\n    call: {', '.join(e.call)}"
                     + (f" (or T_m with Delta_T/Delta_T_rel)" if e.temperatures else "")
                     + f"\n    run: {', '.join(e.run) or '-'}\n    outputs: {', '.join(e.outputs)}")
    return "\n".join(lines)
