"""What a spec may name as ``function``: the registry of simulators and analytic quantities.

Each :class:`Entry` says which model object the spec's ``[model]`` builds, how to call the function
at one grid point and which outputs it stores. A simulator entry takes its run settings (``t``,
``dt``, ``burn_in``, ``realizations``, ...) from the simulator's own signature, so the registry
follows the simulator contract of :mod:`thermolib.sim.contract` without repeating it.
"""
from __future__ import annotations

import ast
import difflib
import dataclasses
import functools
import inspect
import warnings
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy as np

from .errors import SweepError

__all__ = ["Entry", "REGISTRY", "build_model", "model_fields", "describe_functions",
           "TEMPERATURE_ALIASES", "resolve_function", "temperature_kwargs"]

#: ``T_m`` with ``Delta_T`` (or ``Delta_T_rel = Delta_T / T_m``) may replace a hot/cold pair.
TEMPERATURE_ALIASES = ("T_m", "Delta_T", "Delta_T_rel")
# Symmetric shortcuts of the diode's [model]: k -> k_A = k_B, ...
_DIODE_SHORTCUTS = {"k": ("k_A", "k_B"), "m": ("m_A", "m_B"), "gamma": ("gamma_A", "gamma_B"),
                    "f": ("f_A", "f_B")}
# Rough single-thread cost on the reference machine (README, "Benchmarks"): ns per particle-step
# of the full NDC model and per lane-step of the diode. Used only for the estimate shown before a
# sweep starts, and replaced by the measured cost once a store holds finished points.
_NS_PARTICLE_STEP = 12.0
_NS_DIODE_LANE_STEP = 5.0


@dataclasses.dataclass(frozen=True)
class Entry:
    """How to run one registered function at one grid point.

    Parameters
    ----------
    name : str
        Registry name, ``"sim.<simulator>"`` or ``"analytic.<quantity>"``.
    model : {"diode", "bath", "chain", "probe", "langevin"} or None
        Which parameter object ``[model]`` builds (:class:`~thermolib.Diode`,
        :class:`~thermolib.ParticleBath`, :class:`~thermolib.NDCChain`, ``Probe`` with its bath,
        or :class:`~thermolib.LangevinChain`).
    evaluate : callable
        ``evaluate(model, **call_and_run_kwargs)``: a mapping of outputs or a ``SimResult``.
    outputs : tuple of str
        Stored output names (floats, or arrays along a vector argument).
    call : tuple of str
        Physics parameters (``[fixed]`` or ``[grid]``).
    run : tuple of str or None
        Run settings (``[run]``, ``[grid]``); None: every other keyword of the simulator's
        signature except ``seed``, private names and ``exclude``.
    required : tuple of str or None
        Parameters that must be given; None: those without a default in the signature.
    vector : Mapping[str, tuple of str]
        Call arguments that may be a list under ``[fixed]``, and the outputs shaped like them.
    cheap : bool
        Milliseconds per point: points are sent to workers in batches.
    temperatures : (str, str) or None
        The (hot, cold) temperatures that ``T_m`` with ``Delta_T`` or ``Delta_T_rel`` may replace:
        hot = T_m + Delta_T/2, cold = T_m - Delta_T/2.
    step_ns : callable or None
        ``step_ns(model, kwargs)``: rough CPU ns per realization and time step (cost estimate).
    exclude : tuple of str
        Simulator keywords a sweep may not set (e.g. ``samples``: per-realization arrays).
    own : tuple of str
        Call parameters that ``evaluate`` consumes itself instead of passing them to the simulator
        (e.g. ``sites`` of the two-bath chain: which kinetic temperatures to store).
    """

    name: str
    model: str | None
    evaluate: Callable[..., Any]
    outputs: tuple[str, ...]
    call: tuple[str, ...]
    run: tuple[str, ...] | None = ()
    required: tuple[str, ...] | None = ()
    vector: Mapping[str, tuple[str, ...]] = dataclasses.field(default_factory=dict)
    cheap: bool = False
    temperatures: tuple[str, str] | None = None
    step_ns: Callable[[Any, Mapping], float] | None = None
    exclude: tuple[str, ...] = ()
    own: tuple[str, ...] = ()
    doc: str = ""

    @property
    def simulator(self) -> Callable | None:
        """The :mod:`thermolib.sim` function of a ``sim.*`` entry (None for analytic ones)."""
        if not self.name.startswith("sim."):
            return None
        from .. import sim

        return getattr(sim, self.name[4:])

    @property
    def run_params(self) -> tuple[str, ...]:
        return self.run if self.run is not None else _signature(self.name, self.call,
                                                                self.exclude)[0]

    @property
    def required_params(self) -> tuple[str, ...]:
        return self.required if self.required is not None else _signature(
            self.name, self.call, self.exclude)[1]

    @property
    def seeded(self) -> bool:
        return self.name.startswith("sim.") and _signature(self.name, self.call, self.exclude)[2]


@functools.cache
def _signature(name: str, call: tuple, exclude: tuple) -> tuple[tuple, tuple, bool]:
    """(run settings, required parameters, takes a seed) from a simulator's signature."""
    from .. import sim

    params = list(inspect.signature(getattr(sim, name[4:])).parameters.values())[1:]  # not model
    names = [p.name for p in params if p.kind in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD)
             and not p.name.startswith("_") and p.name not in exclude]
    run = tuple(n for n in names if n not in call and n != "seed")
    required = tuple(p.name for p in params if p.name in names and p.name != "seed"
                     and p.default is inspect.Parameter.empty)
    return run, required, "seed" in names


def _sim(name: str) -> Callable[..., Any]:
    def evaluate(model, **kw):
        from .. import sim

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


def _diode_ns(diode, kw) -> float:  # eps = 0 rides along as a common-random-numbers lane
    return _NS_DIODE_LANE_STEP * (np.size(kw.get("eps", 0.0)) + 1)


def _chain_ns(chain, kw) -> float:
    return _NS_PARTICLE_STEP * (chain.bath.N_b + int(kw.get("N", 8)))


# -- the two-Langevin-bath chain (Part III): kinetic temperatures at chosen sites, run settings
_NS_CHAIN_SITE_STEP = 3.0  # ns per realization, site and step of the two-bath chain (rough)


def _two_bath_chain(chain, *, sites=1, **kw):
    """``sim.two_bath_chain_current`` with the run settings it used (``dt_used``, ``t_used``,
    ``burn_in_used``: exact discrete-time references need the step) and ``temperature``,
    ``temperature_err``: the kinetic temperatures of ``sites`` (1-based; NaN for a site beyond
    the chain, so that one list serves several N)."""
    from .. import sim
    from .._validation import positive_int

    idx = np.array([positive_int("sites", s) for s in np.atleast_1d(sites).tolist()])
    res = sim.two_bath_chain_current(chain, **kw)
    inside = idx <= chain.N
    values = dict(res.values)
    values.update({name + "_used": float(res.settings[name]) for name in ("dt", "t", "burn_in")})
    for name in ("temperature_profile", "temperature_profile_err"):
        out = np.full(idx.shape, np.nan)
        out[inside] = np.asarray(res.values[name])[idx[inside] - 1]
        values[name.replace("_profile", "")] = out if np.ndim(sites) else float(out[0])
    return dataclasses.replace(res, values=values)


_DIODE_SIM_VEC = ("current", "current_err", "excess", "excess_err")
_ERRS = lambda *names: tuple(n for name in names for n in (name, name + "_err"))  # noqa: E731

REGISTRY: dict[str, Entry] = {e.name: e for e in [
    Entry("sim.diode_current", "diode", _sim("diode_current"),
          _DIODE_SIM_VEC + ("current0", "current0_err"), call=("T_A", "T_B", "eps"),
          run=None, required=None, vector={"eps": _DIODE_SIM_VEC}, temperatures=("T_A", "T_B"),
          step_ns=_diode_ns, exclude=("samples",),
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
          call=("T_L", "T_R", "N"), run=None, required=None, step_ns=_chain_ns,
          doc="NDC chain current with the particle bath (full model, simulation)"),
    Entry("sim.effective_chain_current", "chain", _sim("effective_chain_current"),
          _ERRS("current", "current_left", "current_right"),
          call=("T_L", "T_R", "N"), run=None, required=None,
          step_ns=lambda chain, kw: _NS_PARTICLE_STEP * int(kw.get("N", 8)),
          doc="NDC chain current of the Markov-reduced (Langevin) chain (simulation)"),
    Entry("analytic.ndc_current", "chain", _analytic_ndc_current, ("current",),
          call=("T_L", "T_R", "N", "memory"), required=("T_L", "T_R"), cheap=True,
          doc="NDC chain current: closed form (N omitted) or exact finite N (Lyapunov)"),
    Entry("sim.mean_force", "bath", _sim("mean_force"),
          _ERRS("force", "force_compensated", "mean_F") + ("force_dt_bias",),
          call=("q", "T"), run=None, required=None,
          vector={"q": _ERRS("force", "force_compensated", "mean_F") + ("force_dt_bias",)},
          step_ns=lambda bath, kw: _NS_PARTICLE_STEP * bath.N_b * np.size(kw["q"]),
          doc="mean force of the particle bath on a probe frozen at q (NDC Fig. 2a)"),
    Entry("sim.probe_relaxation", "probe", _sim("probe_relaxation"),
          _ERRS("gamma_total", "gamma_per_particle", "stiffness", "omega") + ("fit_t_max",),
          call=("T", "v0"), run=None, required=None,
          step_ns=lambda probe, kw: _NS_PARTICLE_STEP * probe.bath.N_b,
          doc="friction and stiffness fitted to a relaxing probe (NDC Fig. 2b)"),
    Entry("analytic.bath_friction", "bath", _analytic_bath_friction, ("friction",),
          call=("T",), required=("T",), cheap=True,
          doc="effective friction per bath particle, gamma_eff(T) (NDC Eq. 3)"),
    Entry("sim.two_bath_chain_current", "langevin", _two_bath_chain,
          _ERRS("current", "current_left", "current_right", "temperature")
          + ("dt_used", "t_used", "burn_in_used"),
          call=("T_L", "T_R", "sites"), run=None, required=None,
          vector={"sites": _ERRS("temperature")}, own=("sites",),
          step_ns=lambda chain, kw: _NS_CHAIN_SITE_STEP * chain.N,
          doc="harmonic chain between two Langevin baths (simulation); temperature at sites "
              "(default site 1); the dt, t and burn_in used (dt_used, ...)"),
]}


# ------------------------------------------------------------------------------------------------
# model objects from [model]


# Models built around a ParticleBath: [model] holds the bath's fields and the outer object's own.
_WITH_BATH = {"chain": ("chain", "NDCChain"), "probe": ("probe", "Probe")}


def _model_class(kind: str):
    from importlib import import_module

    module, name = {"diode": ("diode", "Diode"), "bath": ("particle_bath", "ParticleBath"),
                    "langevin": ("langevin_chain", "LangevinChain"), **_WITH_BATH}[kind]
    try:
        return getattr(import_module(f"thermolib.{module}"), name)
    except (ImportError, AttributeError) as exc:  # not in this installation
        raise SweepError(f"the {kind} model is not available: {exc}") from None


def model_fields(kind: str) -> tuple[str, ...]:
    """Parameter names accepted in ``[model]`` for a model kind."""
    own = tuple(f.name for f in dataclasses.fields(_model_class(kind)) if f.name != "bath")
    if kind == "diode":
        return own + tuple(_DIODE_SHORTCUTS)
    if kind in _WITH_BATH:
        return model_fields("bath") + own
    return own


def _force(value: Any, name: str):
    """A force from ``{kind = "power", n = 2}``, ``"power(n=2)"`` or ``None``/``"none"``."""
    from .. import forces

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
    if kind == "langevin":
        return _model_class(kind)(**params)
    if kind == "diode":
        from ..diode import Diode

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
    bath_names = set(model_fields("bath"))
    bath = _model_class("bath")(**{k: v for k, v in params.items() if k in bath_names})
    if kind == "bath":
        return bath
    return _model_class(kind)(bath=bath, **{k: v for k, v in params.items() if k not in bath_names})


def describe_functions() -> str:
    """One paragraph per registered function: name, model, parameters, outputs."""
    lines = []
    for name in sorted(REGISTRY):
        e = REGISTRY[name]
        try:
            model = ", ".join(model_fields(e.model)) if e.model else "-"
        except SweepError:
            model = f"({e.model} model unavailable)"
        lines.append(f"{name}: {e.doc}\n    model: {model}\n    call: {', '.join(e.call)}"
                     + (" (or T_m with Delta_T/Delta_T_rel)" if e.temperatures else "")
                     + f"\n    run: {', '.join(e.run_params) or '-'}"
                     + f"\n    required: {', '.join(e.required_params) or '-'}"
                     + f"\n    outputs: {', '.join(e.outputs)}")
    return "\n".join(lines)


def suggest(name: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(known), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def resolve_function(name: Any) -> tuple[Entry | None, Callable | None]:
    """The registry entry for ``name``, or the callable of a custom ``"module:function"``."""
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
    raise SweepError(f"unknown function {name!r}{suggest(name, REGISTRY)}; known: "
                     f"{', '.join(sorted(REGISTRY))}, or 'package.module:function'")


def temperature_kwargs(names: tuple[str, str], kw: dict) -> dict:
    """``kw`` with the aliases ``T_m`` and ``Delta_T`` (or ``Delta_T_rel``) replaced by the entry's
    hot/cold pair ``names`` (``T_m +- Delta_T/2``); unchanged without ``T_m``. Modifies ``kw``."""
    if "T_m" not in kw:
        return kw
    T_m = kw.pop("T_m")
    dT = kw.pop("Delta_T_rel") * T_m if "Delta_T_rel" in kw else kw.pop("Delta_T")
    hot, cold = names
    kw[hot], kw[cold] = T_m + 0.5 * dT, T_m - 0.5 * dT
    return kw
