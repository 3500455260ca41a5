"""The sweep registry's two-Langevin-bath chain (Part III): a spec point is the simulator's own run,
plus the kinetic temperatures of chosen sites and the run settings it used."""
import numpy as np
import pytest

from thermolib import LangevinChain, sim
from thermolib.sweep import registry
from thermolib.sweep.errors import SweepError
from thermolib.sweep.executors import evaluate_point
from thermolib.sweep.spec import Sweep

MODEL = {"N": 3, "m": 2.0, "k": 1.0, "K_L": 1.0, "K_R": 0.5, "gamma_L": 1.5, "gamma_R": 0.7}
RUN = {"T_L": 2.0, "T_R": 0.5, "t": 200.0, "burn_in": 50.0, "realizations": 4}


def test_the_model_is_a_langevin_chain_with_its_own_fields():
    assert set(registry.model_fields("langevin")) == set(MODEL)
    assert registry.build_model("langevin", MODEL) == LangevinChain(**MODEL)
    with pytest.raises(ValueError, match="gamma_L"):
        registry.build_model("langevin", {**MODEL, "gamma_L": -1.0})


def test_a_point_is_the_simulators_run_bit_for_bit_with_sites_and_settings():
    r = evaluate_point("sim.two_bath_chain_current", "langevin", MODEL,
                       {**RUN, "sites": [1, 3, 5]}, 11)
    assert r.error is None, r.error
    direct = sim.two_bath_chain_current(LangevinChain(**MODEL), **RUN, seed=11)
    for name in ("current", "current_err", "current_left", "current_right_err"):
        assert r.values[name] == direct.values[name], name
    # sites are 1-based; a site beyond the chain (5 > N = 3) is NaN, not an error
    np.testing.assert_array_equal(r.values["temperature"][:2], direct.temperature_profile[[0, 2]])
    np.testing.assert_array_equal(r.values["temperature_err"][:2],
                                  direct.temperature_profile_err[[0, 2]])
    assert np.isnan(r.values["temperature"][2]) and np.isnan(r.values["temperature_err"][2])
    assert r.values["dt_used"] == direct.settings["dt"] and r.values["t_used"] == direct.settings["t"]
    assert r.values["burn_in_used"] == direct.settings["burn_in"] and r.realizations == 4
    # without sites: the temperature of site 1, a number
    one = evaluate_point("sim.two_bath_chain_current", "langevin", MODEL, RUN, 11)
    assert one.values["temperature"] == direct.temperature_profile[0]


def test_a_bad_site_is_refused_before_anything_runs():
    r = evaluate_point("sim.two_bath_chain_current", "langevin", MODEL,
                       {**RUN, "t": 1e9, "sites": [1, 0]}, 11)  # t = 1e9 would take hours
    assert r.error is not None and r.error[0] == "input" and "sites" in r.error[1], r.error
    assert r.cpu_seconds < 1.0


def test_a_spec_with_sites_stores_one_temperature_per_site(tmp_path):
    spec = {"description": "test", "function": "sim.two_bath_chain_current", "seed": 5,
            "store": str(tmp_path / "c.zarr"), "model": {k: v for k, v in MODEL.items() if k != "N"},
            "grid": {"N": [2, 3]}, "fixed": {"T_L": 2.0, "T_R": 0.5, "sites": [1, 2, 3]},
            "run": {"t": 100.0, "burn_in": 20.0, "realizations": 2}}
    sw = Sweep.from_spec(spec)
    assert sw.output_dims("temperature") == ("N", "sites")
    assert sw.output_dims("current") == ("N",)
    with pytest.raises(SweepError, match="sites"):
        Sweep.from_spec({**spec, "fixed": {"T_L": 2.0, "T_R": 0.5, "sites": [1, 1]}})
