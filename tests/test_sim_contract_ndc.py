"""The simulator contract on the NDC side, and the faults of the robustness review it closes.

Every NDC simulator is ``sim.<name>(model, <physics>, *, t, dt=None, burn_in=None, realizations,
seed)``: a model of the right type (else ``TypeError`` naming the parameter and the type), run
settings bounded before any work (``t = 1e300``, ``realizations = 2**70``), the default ``dt`` from
the model's named time scales, the default burn-in from its slowest relaxation time, ``kind`` =
the public name, and divergence detected from the energy.
"""
import inspect
import math

import numpy as np
import pytest

from thermolib import LangevinChain, NDCChain, ParticleBath, Probe, sim
from thermolib.stats import agrees
from thermolib.sim.contract import BURN_IN_RELAXATION_TIMES, DT_FACTOR
from thermolib.sim import _bath as sim_bath
from thermolib.sim import particle_bath as sim_particle_bath

BATH = ParticleBath()
CHAIN = NDCChain.paper()
PROBE = Probe(BATH)
TWO_BATH = LangevinChain(4, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0)

# one small, valid call per simulator: (function, model, physics args, extra keywords)
CALLS = {
    "mean_force": (sim.mean_force, BATH, ([0.0, 2.0], 2.0), {}),
    "probe_relaxation": (sim.probe_relaxation, PROBE, (4.0,), {"v0": 20.0, "groups": 2}),
    "chain_current": (sim.chain_current, CHAIN, (2.0, 0.5), {"N": 3}),
    "effective_chain_current": (sim.effective_chain_current, CHAIN, (2.0, 0.5), {"N": 3}),
    "two_bath_chain_current": (sim.two_bath_chain_current, TWO_BATH, (2.0, 0.5), {}),
}


def call(name, model=None, **run):
    fun, default_model, physics, extra = CALLS[name]
    kw = dict(t=2.0, burn_in=0.0, realizations=4, seed=1)
    kw.update(extra)
    kw.update(run)
    return fun(default_model if model is None else model, *physics, **kw)


@pytest.mark.parametrize("name", sorted(CALLS))
def test_signature_follows_the_contract(name):
    params = inspect.signature(getattr(sim, name)).parameters
    for p in ("t", "dt", "realizations", "seed"):
        assert params[p].kind is inspect.Parameter.KEYWORD_ONLY
    assert params["realizations"].default is inspect.Parameter.empty  # required
    assert params["dt"].default is None
    assert not any(p.startswith("_") for p in params)  # no private switches
    assert params["burn_in"].default is None


@pytest.mark.parametrize("name", sorted(CALLS))
def test_kind_is_the_public_name_and_the_model_is_recorded(name):
    res = call(name)
    assert res.kind == name
    assert res.model["__class__"] in ("ParticleBath", "Probe", "NDCChain", "LangevinChain")
    assert res.settings["realizations"] == 4 and res.settings["seed"] == 1


@pytest.mark.parametrize("name, wrong, param, expected", [
    ("mean_force", CHAIN, "bath", "ParticleBath"),
    ("chain_current", BATH, "chain", "NDCChain"),
    ("effective_chain_current", TWO_BATH, "chain", "NDCChain"),
    ("two_bath_chain_current", CHAIN, "chain", "LangevinChain"),
    ("probe_relaxation", BATH, "probe", "Probe"),  # the old signature took the bath
])
def test_a_wrong_model_type_is_a_type_error_naming_parameter_and_type(name, wrong, param, expected):
    with pytest.raises(TypeError, match=rf"^{param} must be a thermolib\.{expected}, got"):
        call(name, model=wrong)


@pytest.mark.parametrize("name", sorted(CALLS))
@pytest.mark.parametrize("run, match", [
    (dict(t=1e300), "steps per realization"), (dict(realizations=2**70), "realizations"),
    (dict(realizations=1), "realizations"), (dict(realizations=2.5), "realizations"),
    (dict(seed=2**70), "seed"), (dict(seed=-1), "seed"), (dict(t=float("nan")), "t"),
    (dict(dt=-1.0), "dt"), (dict(dt=1e6), "dt"),
])
def test_absurd_run_settings_are_refused_before_any_work(name, run, match):
    with pytest.raises(ValueError, match=match):
        call(name, **run)


@pytest.mark.parametrize("name", sorted(CALLS))
def test_too_much_state_is_refused_before_allocating(name):
    # 2**31 - 1 realizations pass the contract's bound, but their state (40 particles each, or the
    # chain's own) would need tens of GiB to TiB: refused with the size, nothing allocated
    run = dict(realizations=2**30, groups=2**29) if name == "probe_relaxation" else \
        dict(realizations=2**31 - 1)
    with pytest.raises(ValueError, match="GiB of state"):
        call(name, **run)


def test_missing_realizations_is_a_type_error():
    with pytest.raises(TypeError, match="realizations"):
        sim.chain_current(CHAIN, 2.0, 0.0, N=3, t=1.0, seed=1)


def test_default_dt_and_burn_in_come_from_the_models_time_scales():
    T_L, T_R, N = 2.0, 0.5, 3
    res = sim.chain_current(CHAIN, T_L, T_R, N=N, t=2000.0, realizations=2, seed=1)
    assert res.settings["dt"] == pytest.approx(DT_FACTOR * min(CHAIN.time_scales(T_L, T_R).values()))
    assert res.settings["burn_in"] == pytest.approx(
        BURN_IN_RELAXATION_TIMES / 2 * CHAIN.relaxation_time(T_L, N), abs=res.settings["dt"])
    res = sim.mean_force(BATH, [0.0, 8.0], 2.0, t=20.0, realizations=2, seed=1)
    assert res.settings["dt"] == pytest.approx(DT_FACTOR * min(BATH.time_scales(2.0, q=8.0).values()))
    assert res.settings["burn_in"] == pytest.approx(BURN_IN_RELAXATION_TIMES * BATH.tau1(2.0),
                                                    abs=res.settings["dt"])
    res = call("two_bath_chain_current", t=300.0, burn_in=None)
    assert res.settings["dt"] == pytest.approx(DT_FACTOR * min(TWO_BATH.time_scales().values()))
    res = call("probe_relaxation", t=5.0)
    assert res.settings["dt"] == pytest.approx(DT_FACTOR * min(PROBE.time_scales(4.0, 20.0).values()))


# ------------------------------------------------------------------------------------------------
# extreme magnitudes

def test_probe_at_rest_or_with_an_unresolvable_kick_is_refused():
    with pytest.raises(ValueError, match="v0 must be non-zero"):
        call("probe_relaxation", v0=0.0)
    with pytest.raises(ValueError, match="v0"):
        call("probe_relaxation", v0=1e300)  # m v0^2 / 2 overflows
    # a kick far below the thermal noise: no signal to fit, said so instead of fitting noise
    with pytest.raises(ValueError, match="too little signal"):
        call("probe_relaxation", v0=1e-300, t=20.0, n_out=40)


def test_a_probe_kicked_with_the_papers_v0_never_trips_the_divergence_check():
    # v0 = 50 (paper, Fig. 2b): kinetic energy 1250, far above the thermal scale, is legitimate
    res = sim.probe_relaxation(PROBE, 4.0, v0=50.0, t=40.0, realizations=8, groups=2, seed=3)
    assert np.all(np.isfinite(res.v)) and abs(res.v[0] - 50.0) < 1e-12


def test_divergence_is_raised_as_soon_as_the_energy_leaves_the_physical_range(monkeypatch):
    # let dt through the limits: the probe's Verlet step is unstable at dt * Omega > 2 (2.4 here,
    # the energy grows ~12x per step); caught at the first check, at a finite energy
    monkeypatch.setattr(sim_bath, "DT_MAX_FRACTION", 1e3)
    monkeypatch.setattr(sim_particle_bath, "DT_MAX_OMEGA", 10.0)
    with pytest.raises(sim.SimulationDiverged, match=r"energy left .* at step (\d+)") as info:
        sim.probe_relaxation(Probe(BATH, K=16.0), 4.0, v0=1.0, t=200.0, dt=0.6, realizations=4,
                             groups=2, seed=1)
    assert int(str(info.value).split("at step ")[1].split()[0]) <= 64
    assert "reduce dt" in str(info.value)


def test_energy_threshold_is_set_by_temperature_initial_energy_and_floor():
    E = sim_bath.energy_threshold(E0=1250.0, E_min=-40.0, T_max=4.0, dof=2)
    # twice the initial excess plus 2 T (n ln 2 + 200): P(exceeded in equilibrium) < e^-100
    assert E == pytest.approx(-40.0 + 2 * 1290.0 + 2 * 4.0 * (2 * math.log(2) + 200))
    assert sim_bath.energy_threshold(0.0, 0.0, 0.0, 8) == 0.0  # no noise, at rest: stays at 0


# ------------------------------------------------------------------------------------------------
# temperatures and positions outside the range a run represents: refused by name before any work

@pytest.mark.parametrize("name, physics, named", [
    # the particles' tau_1 ~ 1/T (or their drift time at the probe's amplitude) sets a default dt
    # so short that t = 2 needs > 1e12 steps: the message names t and the parameters behind it
    ("chain_current", (2.0**70, 0.5), r"T_L = 1\.18059e\+21"),
    ("chain_current", (2.0, 1e300), r"T_R = 1e\+300"),
    ("mean_force", ([0.0, 1e300], 2.0), r"max \|q\| = 1e\+300"),
    ("mean_force", ([0.0, 2.0], 1e300), r"T = 1e\+300"),
    ("probe_relaxation", (2.0**70,), r"T = 1\.18059e\+21"),
])
def test_a_default_dt_beyond_the_step_limit_names_what_sets_it(name, physics, named):
    fun, model, _, extra = CALLS[name]
    with pytest.raises(ValueError, match=rf"steps per realization exceeds .*default dt .*{named}"):
        fun(model, *physics, t=2.0, burn_in=0.0, realizations=4, seed=1, **extra)


@pytest.mark.parametrize("name", ["two_bath_chain_current", "effective_chain_current"])
def test_temperatures_whose_estimators_would_overflow_are_refused(name):
    # a linear chain's dt does not depend on T: at T_R = 1e300 the run used to return inf
    fun, model, _, extra = CALLS[name]
    with pytest.raises(ValueError, match=r"T_R = 1e\+300 is outside the range"):
        fun(model, 2.0, 1e300, t=2.0, burn_in=0.0, realizations=4, seed=1, **extra)
    res = fun(model, 2.0, 1e100, t=2.0, burn_in=0.0, realizations=4, seed=1, **extra)
    assert all(np.all(np.isfinite(v)) for v in res.values.values())  # far, but representable


def test_mean_force_refuses_a_bias_it_cannot_compute_before_the_run():
    # T = 1e-300: the particles barely diffuse (b ~ 1e-152 ring lengths per step); the exact bias
    # of the scheme would be extrapolated from a dt far beyond the scheme's limit (this used to
    # run the simulation and then fail in a singular sparse solve)
    with pytest.raises(ValueError, match=r"not computable at T = 1e-300, max \|q\| = 2"):
        sim.mean_force(BATH, [0.0, 2.0], 1e-300, t=2.0, burn_in=0.0, realizations=4, seed=1)
    # without a drift (q = 0) the same T is fine: the particles stay uniform
    res = sim.mean_force(BATH, 0.0, 1e-300, t=2.0, dt=0.01, burn_in=0.0, realizations=16, seed=1)
    assert agrees(res.force, res.force_err, -BATH.eps * BATH.lam, dof=15)
    assert abs(res.force_dt_bias) < 1e-15  # a uniform law has no time-step bias


def test_probe_samples_at_most_every_step():
    # n_out beyond the number of steps samples every step, the same as n_out = steps + 1
    every = call("probe_relaxation", t=1.0, dt=0.005, n_out=201)
    for n_out in (500, 2**70):
        res = call("probe_relaxation", t=1.0, dt=0.005, n_out=n_out)
        assert np.array_equal(res.t, every.t) and np.array_equal(res.v, every.v)


def test_the_former_private_module_name_is_the_public_contract():
    from thermolib.sim import _contract, contract

    assert _contract is contract  # one module: one dry-run switch, same objects for identity checks
    assert all(contract.follows_contract(getattr(sim, name)) for name in CALLS)
    assert contract.follows_contract(sim.diode_current)
    assert not contract.follows_contract(len) and not contract.follows_contract(agrees)
