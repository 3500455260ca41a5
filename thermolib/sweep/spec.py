"""A sweep spec, read and validated before anything is computed or written.

A spec (TOML or YAML; see ``sweeps/README.md``) names a registry function, the ``[model]``, the
``[grid]`` (one product, or ``[[grid]]`` sub-grids), ``[fixed]`` call parameters, ``[run]``
settings, a ``seed``, the ``store`` and optionally a ``[quick]`` subset. :class:`Sweep` checks all
of it when it is built: unknown or misplaced names, types and ranges of the run settings (the
simulator contract's bounds on ``t / dt`` and ``realizations``), and that the quick subset lies
inside the grid. The model objects and the simulator's own checks of every point follow in
:meth:`Sweep.check_models` and :func:`~thermolib.sweep.plan.make_plan`, still before the store.
"""
from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from .. import _canon
from .. import _validation as _v
from ..sim import contract as C
from .errors import SweepError, describe_point
from .grid import SEED_RULE, Grid, SubGrid, axis_values, point_seed
from .paths import resolve_store
from .registry import (TEMPERATURE_ALIASES, build_model, model_fields,
                       resolve_function, suggest)
from .report import RunReport
from .subset import quick_grid

__all__ = ["Sweep", "RunReport", "config_hash", "read_spec_file", "FORMAT", "SEED_RULE"]

#: Version of the configuration that is hashed (unchanged since the first stores: their hashes and
#: point seeds stay valid).
FORMAT = 1
_SPEC_KEYS = ("function", "store", "seed", "model", "grid", "fixed", "run", "outputs", "description",
              "quick")


def config_hash(config: Mapping[str, Any]) -> str:
    """Hash of a sweep configuration (function, model, grid, fixed, run, seed)."""
    return _canon.digest(config)[:20]


def read_spec_file(path: Path) -> tuple[dict, str]:
    """The parsed spec and its text, from a ``.toml``, ``.yaml`` or ``.yml`` file."""
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


def _parse_grid(raw: Any, where: str) -> list[SubGrid]:
    """``[grid]`` (one table) or ``[[grid]]`` (sub-grids, each with an optional ``run``)."""
    tables = raw if isinstance(raw, list) else [raw]
    subs = []
    for i, table in enumerate(tables, 1):
        label = where if len(tables) == 1 else f"{where}[{i}]"
        if not isinstance(table, Mapping):
            raise SweepError(f"[{label}] must be a table of name = values, got {table!r}")
        table = dict(table)
        run = table.pop("run", None) or {}
        if run and not isinstance(raw, list):
            raise SweepError(f"[{where}] is one product: put run settings under [run] (sub-grid run "
                             f"overrides need [[{where}]] tables)")
        if not isinstance(run, Mapping):
            raise SweepError(f"{label}.run must be a table of run settings, got {run!r}")
        subs.append(SubGrid({k: axis_values(f"{label}.{k}", v) for k, v in table.items()}, dict(run)))
    return subs


class Sweep:
    """A validated sweep: function, model, grid, fixed call parameters, run settings, seed.

    Build it with :meth:`from_spec`; :meth:`run` computes the missing points into the store,
    :meth:`quick` is the spec's quick subset.

    Parameters
    ----------
    spec : mapping
        The parsed spec.
    seed_offset : int, optional
        ``k`` of ``THERMOBOOK_SEED`` (default: :func:`thermolib.fidelity.seed_offset`): the spec's
        seed is shifted by ``k * SEED_STRIDE`` and the spec's store becomes ``<name>.seed<k>.zarr``,
        so shifted runs never read or write the unshifted store.
    """

    def __init__(self, spec: Mapping[str, Any], *, text: str | None = None,
                 source: str | None = None, seed_offset: int | None = None):
        from .. import fidelity

        spec = dict(spec)
        unknown = [k for k in spec if k not in _SPEC_KEYS]
        if unknown:
            raise SweepError(f"unknown spec key {unknown[0]!r}{suggest(unknown[0], _SPEC_KEYS)} "
                             f"(allowed: {', '.join(_SPEC_KEYS)})")
        if "function" not in spec:
            raise SweepError("the spec names no function (e.g. function = \"sim.diode_current\")")
        self.function: str = spec["function"]
        self.entry, self._custom = resolve_function(self.function)
        self.source = source
        self.text = text if text is not None else json.dumps(_canon.canonical(spec), indent=2)
        self.description = str(spec.get("description", ""))
        self.fidelity = "paper"
        store = spec.get("store")
        if store is not None and not isinstance(store, str):
            raise SweepError(f"store must be a path string, got {store!r}")
        self.store = store
        self.seeded = self.entry.seeded if self.entry else self._custom_accepts("seed")
        seed = spec.get("seed", None)
        if seed is None:
            if self.seeded:
                raise SweepError(f"{self.function} is a simulation: give a top-level seed = <integer>")
            seed = 0
        if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**63:
            raise SweepError(f"seed must be an integer in [0, 2**63), got {seed!r}")
        self.spec_seed: int = seed
        try:
            self.seed_offset = fidelity.seed_offset() if seed_offset is None else int(seed_offset)
        except ValueError as exc:
            raise SweepError(str(exc)) from None
        self.seed: int = seed + self.seed_offset * fidelity.SEED_STRIDE
        if self.seed >= 2**63:
            raise SweepError(f"seed {seed} shifted by THERMOBOOK_SEED = {self.seed_offset} leaves [0, 2**63)")

        sections = {}
        for sec in ("model", "fixed", "run"):
            val = spec.get(sec, {}) or {}
            if not isinstance(val, Mapping):
                raise SweepError(f"[{sec}] must be a table of name = value, got {val!r}")
            sections[sec] = dict(val)
        self.model_params: dict = sections["model"]
        self.fixed: dict = sections["fixed"]
        self.settings: dict = sections["run"]
        if not spec.get("grid"):
            raise SweepError("the grid is empty: give at least one parameter under [grid]")
        self.grid_spec = Grid(_parse_grid(spec["grid"], "grid"))
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
        self._check_run_values(self.grid_spec, "")
        self.config = {
            "format": FORMAT, "function": self.function, "seed": self.seed,
            "model": self.model_params, "grid": self.grid_spec.config(),
            "fixed": self.fixed, "run": self.settings,
            "outputs": list(self.outputs) if self.entry is None else None,
        }
        self.config_hash = config_hash(self.config)
        self._quick_spec = spec.get("quick")
        self._quick: Sweep | None = None
        if self._quick_spec is not None:
            self._quick = self._make_quick(self._quick_spec)
        self.last_run: RunReport | None = None

    # -- construction -------------------------------------------------------------------------

    @classmethod
    def from_spec(cls, spec: str | os.PathLike | Mapping[str, Any] | "Sweep", *,
                  seed_offset: int | None = None) -> "Sweep":
        """A sweep from a spec file (``.toml``, ``.yaml``) or a dict with the same structure."""
        if isinstance(spec, Sweep):
            return spec
        if isinstance(spec, Mapping):
            return cls(spec, seed_offset=seed_offset)
        path = Path(spec)
        data, text = read_spec_file(path)
        return cls(data, text=text, source=str(path), seed_offset=seed_offset)

    def _custom_accepts(self, name: str) -> bool:
        import inspect

        try:
            params = inspect.signature(self._custom).parameters
        except (TypeError, ValueError):
            return False
        return name in params or any(p.kind is p.VAR_KEYWORD for p in params.values())

    @property
    def target(self) -> Callable:
        """What runs at each point: the simulator, the analytic function or the custom function."""
        if self.entry is None:
            return self._custom
        return self.entry.simulator or self.entry.evaluate

    @property
    def run_names(self) -> set[str]:
        """Names that are run settings (what ``[run]``, sub-grid and quick overrides may set)."""
        if self.entry is not None:
            return set(self.entry.run_params)
        return {n for n in self.settings} | {n for o in self.grid_spec.overrides for n in o}

    def _check_names(self) -> None:
        fn = self.function
        grid = self.grid_spec.axes
        overrides = [o for o in self.grid_spec.overrides if o]
        if self.entry is None:
            if self.model_params:
                raise SweepError(f"custom function {fn}: put its parameters under [grid], [fixed] "
                                 f"or [run], not [model]")
            runs = {n: "run" for o in overrides for n in o} | {n: "run" for n in self.settings}
            for sec, names in (("grid", grid), ("fixed", self.fixed), ("run", runs)):
                for name in names:
                    if name == "seed" or not self._custom_accepts(name):
                        raise SweepError(f"unknown parameter {sec}.{name} for {fn}")
            self._check_duplicates()
            return
        e = self.entry
        model = set(model_fields(e.model)) if e.model else set()
        call = set(e.call) | (set(TEMPERATURE_ALIASES) if e.temperatures else set())
        run = set(e.run_params)
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
                                 f"{suggest(name, known)}; model: {', '.join(sorted(model)) or '-'}; "
                                 f"call: {', '.join(sorted(call)) or '-'}; run: {', '.join(sorted(run)) or '-'}")

        check("model", self.model_params, model)
        check("fixed", self.fixed, call)
        check("run", self.settings, run)
        for o in overrides:
            check("grid.run", o, run)
        check("grid", grid, known)
        self._check_duplicates()
        given = set(self.model_params) | set(self.fixed) | set(self.settings) | set(grid)
        if e.temperatures and given & set(TEMPERATURE_ALIASES):
            hot, cold = e.temperatures
            if not ({"T_m"} <= given and len(given & {"Delta_T", "Delta_T_rel"}) == 1):
                raise SweepError(f"give T_m and one of Delta_T, Delta_T_rel (instead of {hot}, {cold})")
            if given & {hot, cold}:
                raise SweepError(f"give either {hot} and {cold} or T_m and Delta_T/Delta_T_rel, not both")
            given |= {hot, cold}
        for variant in self.grid_spec.overrides if overrides else [{}]:
            for name in e.required_params:
                if name not in given and name not in variant:
                    where_ = "[run]" if name in run else "[fixed] or [grid]"
                    raise SweepError(f"{fn} needs {name} (under {where_})")
        for name, value in self.fixed.items():
            if isinstance(value, (list, tuple)) and name not in e.vector:
                vec = f" (only {', '.join(e.vector)} may be a list)" if e.vector else ""
                raise SweepError(f"fixed.{name} must be a single value{vec}; put lists under [grid]")
        for sec, values in (("model", self.model_params), ("run", self.settings),
                            *(("grid.run", o) for o in overrides)):
            for name, value in values.items():
                if isinstance(value, (list, tuple)):
                    raise SweepError(f"{sec}.{name} must be a single value; put lists under [grid]")

    def _check_duplicates(self) -> None:
        secs = {"model": self.model_params, "grid": self.grid_spec.axes, "fixed": self.fixed,
                "run": self.settings}
        seen: dict[str, str] = {}
        for sec, names in secs.items():
            for name in names:
                if name in seen:
                    raise SweepError(f"{name} appears in both [{seen[name]}] and [{sec}]")
                seen[name] = sec
        for o in self.grid_spec.overrides:
            for name in o:
                if name in seen and seen[name] != "run":
                    raise SweepError(f"{name} is under [{seen[name]}]; a sub-grid's run may only "
                                     f"override [run] settings")

    def _check_run_values(self, grid: Grid, prefix: str) -> None:
        """Types and ranges of the run settings of every variant, before anything runs."""
        for over in grid.overrides:
            merged = {**self.settings, **over}
            for name, value in merged.items():
                where = f"{prefix}{'grid.run' if name in over else 'run'}.{name}"
                _check_setting(where, name, value, contract=self.entry is not None
                               and self.entry.simulator is not None)
            if self.entry is not None and self.entry.simulator is not None:
                _check_contract(merged, prefix + "run")
        for name, values in grid.axes.items():
            if name in self.run_names:
                for value in values:
                    _check_setting(f"{prefix}grid.{name}", name, value, contract=True)

    # -- the quick subset ---------------------------------------------------------------------

    def _make_quick(self, quick: Any) -> "Sweep":
        grid, config = quick_grid(self, quick)
        sub = object.__new__(Sweep)
        sub.__dict__.update(self.__dict__)
        sub.fidelity = "quick"
        sub.grid_spec = grid
        sub.store = None
        sub._quick_spec, sub._quick = None, None
        sub.config = {"quick_of": self.config_hash, "quick": config}
        sub.config_hash = config_hash(sub.config)
        sub._check_run_values(grid, "quick.")
        return sub

    def quick(self) -> "Sweep":
        """The quick subset (``[quick]``): a subset of the grid with shorter runs and the same
        per-point seeds. A spec without ``[quick]`` is its own quick subset."""
        return self._quick if self._quick is not None else self

    @property
    def has_quick(self) -> bool:
        return self._quick is not None

    # -- grid ---------------------------------------------------------------------------------

    @property
    def grid(self) -> dict[str, list]:
        """Values of each grid axis (for a union of sub-grids: the union of each axis)."""
        return self.grid_spec.axes

    @property
    def dims(self) -> tuple[str, ...]:
        return self.grid_spec.dims

    @property
    def shape(self) -> tuple[int, ...]:
        return self.grid_spec.shape

    @property
    def size(self) -> int:
        """Number of points of the sweep."""
        return self.grid_spec.size

    @property
    def in_grid(self) -> np.ndarray:
        return self.grid_spec.mask

    def vector_dims(self) -> dict[str, list[float]]:
        """Extra dimensions from vector-valued fixed arguments, e.g. ``{"eps": [0.0, 0.1]}``."""
        return {k: [float(x) for x in v] for k, v in self._vector.items()}

    def output_dims(self, name: str) -> tuple[str, ...]:
        extra = tuple(k for k in self._vector if self.entry and name in self.entry.vector.get(k, ()))
        return self.dims + extra

    @property
    def has_realizations(self) -> bool:
        """Whether points carry a ``realizations`` count (standard errors with realizations - 1
        degrees of freedom)."""
        return "realizations" in self.run_names

    def point(self, flat: int) -> dict[str, Any]:
        """Grid parameters of the point with flat (C-order) index ``flat``."""
        return self.grid_spec.point(flat)

    def point_seed(self, flat: int) -> int | None:
        return point_seed(self.seed, self.point(flat)) if self.seeded else None

    def settings_at(self, flat: int) -> dict[str, Any]:
        """Run settings of one point: ``[run]`` with its sub-grid's (and quick) overrides."""
        return {**self.settings, **self.grid_spec.overrides_at(flat)}

    def task_point(self, flat: int) -> tuple:
        """``(flat, model parameters, call and run keyword arguments, seed)`` of one point."""
        params = self.point(flat)
        if self.entry is None:
            return flat, {}, {**self.fixed, **self.settings_at(flat), **params}, self.point_seed(flat)
        if not hasattr(self, "_model_names"):
            self._model_names = set(model_fields(self.entry.model)) if self.entry.model else set()
        model = dict(self.model_params)
        kwargs = {**self.fixed, **self.settings_at(flat)}
        for k, v in params.items():
            (model if k in self._model_names else kwargs)[k] = v
        return flat, model, kwargs, self.point_seed(flat)

    def check_models(self) -> None:
        """Build the model object of every distinct model-parameter combination (cheap, up front)."""
        if self.entry is None or self.entry.model is None:
            return
        names = set(model_fields(self.entry.model))
        model_dims = [k for k in self.grid if k in names]
        combos = [()]
        for k in model_dims:
            combos = [c + ((k, v),) for c in combos for v in self.grid[k]]
        import warnings

        for combo in combos:
            params = {**self.model_params, **dict(combo)}
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    build_model(self.entry.model, params)
            except SweepError:
                raise
            except (ValueError, TypeError) as exc:
                at = describe_point(dict(combo))
                raise SweepError(f"invalid model{' at ' + at if at else ''}: {exc}") from None

    # -- running ------------------------------------------------------------------------------

    def store_path(self, store: str | os.PathLike | None = None) -> Path:
        """The store: ``store`` as given, else the spec's (relative to the project root; with a
        seed offset ``k`` the name gets ``.seed<k>`` before ``.zarr``)."""
        if store is not None:
            return Path(store)
        if self.store is None:
            raise SweepError("no store: give store = \"data/<name>.zarr\" in the spec or --store PATH")
        path = resolve_store(self.store, spec_path=self.source)
        if self.seed_offset:
            stem = path.name[:-5] if path.name.endswith(".zarr") else path.name
            path = path.with_name(f"{stem}.seed{self.seed_offset}.zarr")
        return path

    def run(self, client: Any = None, workers: int | None = None, progress: bool = True, *,
            store: str | os.PathLike | None = None, connect_timeout: float = 5.0,
            yes: bool = False, wait: bool = False):
        """Compute every missing point into the store and return the dataset (see
        :func:`thermolib.sweep.driver.run_sweep` for the parameters)."""
        from .driver import run_sweep

        return run_sweep(self, client=client, workers=workers, progress=progress, store=store,
                         connect_timeout=connect_timeout, yes=yes, wait=wait)

    def __repr__(self) -> str:
        grid = ", ".join(f"{k}[{len(v)}]" for k, v in self.grid.items())
        kind = " (quick)" if self.fidelity == "quick" else ""
        return f"Sweep({self.function}{kind}, grid: {grid}, {self.size} points, seed {self.seed})"


def _check_setting(where: str, name: str, value: Any, *, contract: bool) -> None:
    """One run setting: finite numbers, 64-bit integers, and the contract's ranges."""
    if isinstance(value, float) and not math.isfinite(value):
        raise SweepError(f"{where} must be finite, got {value!r}")
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 2**63:
        raise SweepError(f"{where} = {value} is beyond 64-bit integers")
    if not contract or (value is None and name in ("dt", "burn_in")):  # None: the model's default
        return
    try:
        if name == "t":
            _v.positive(where, value)
        elif name in ("dt", "t_end"):
            _v.positive(where, value)
        elif name == "burn_in":
            _v.nonnegative(where, value)
        elif name == "realizations":
            n = _v.positive_int(where, value)
            if not C.MIN_REALIZATIONS <= n <= C.MAX_REALIZATIONS:
                raise ValueError(f"{where} must be an integer in [{C.MIN_REALIZATIONS}, "
                                 f"{C.MAX_REALIZATIONS}] (standard errors need at least two "
                                 f"independent realizations), got {n}")
    except ValueError as exc:
        raise SweepError(str(exc)) from None


def _check_contract(settings: Mapping[str, Any], where: str) -> None:
    """Relations between settings that the spec alone decides (the model's own limits on dt are
    checked per point by the simulator, before the store exists)."""
    t, dt, burn_in = settings.get("t"), settings.get("dt"), settings.get("burn_in")
    if isinstance(t, (int, float)) and isinstance(burn_in, (int, float)) and not t > burn_in:
        raise SweepError(f"{where}: t must be > burn_in (t is the total simulated time, burn_in the "
                         f"discarded part), got t = {t:g}, burn_in = {burn_in:g}")
    if isinstance(t, (int, float)) and isinstance(dt, (int, float)) and not t / dt <= C.MAX_STEPS:
        raise SweepError(f"{where}: t / dt = {t / dt:.3g} steps per realization exceeds the limit "
                         f"{C.MAX_STEPS:.0e}")
