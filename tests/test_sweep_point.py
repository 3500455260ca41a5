"""sweep.point_result: one point of a spec in full (its trace), with the spec's settings and seed.

The full result must be the very run behind the stored or quick outputs of that point: same model,
run settings (quick or paper) and seed (shifted by THERMOBOOK_SEED). A tiny mean-force spec keeps
every simulation at milliseconds.
"""
from __future__ import annotations

import numpy as np
import pytest

from thermolib import runcache
from thermolib import sweep as sw
from thermolib.fidelity import SEED_STRIDE

SPEC = """\
description = "tiny mean force"
function = "sim.mean_force"
store = "data/tiny.zarr"
seed = 77

[model]
N_b = 4
eps = 0.1

[[grid]]
T = [1.0]
q = [0.5, 2.0]
[[grid]]
T = [2.0]
q = [1.0]
run = {t = 30.0}

[run]
t = 20.0
burn_in = 2.0
realizations = 4

[quick]
run = {t = 10.0}
[quick.grid]
T = [1.0]
q = [0.5, 2.0]
"""


@pytest.fixture
def spec(tmp_path, monkeypatch):
    root = tmp_path / "proj"
    (root / "sweeps").mkdir(parents=True)
    (root / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    path = root / "sweeps" / "tiny.toml"
    path.write_text(SPEC)
    for var in ("THERMOBOOK_SEED", "THERMOBOOK_FIDELITY", "THERMOBOOK_ROOT"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("THERMOLIB_CACHE", str(tmp_path / "cache"))
    monkeypatch.chdir(root)
    runcache.reset_ledger()
    yield path
    runcache.reset_ledger()


def test_quick_point_is_the_run_behind_the_quick_outputs(spec):
    res = sw.point_result("sweeps/tiny.toml", T=1.0, q=2.0)
    ds = sw.load_or_compute("sweeps/tiny.toml")
    stored = ds.sel(T=1.0, q=2.0)
    assert abs(res.settings["t"] - 10.0) <= res.settings["dt"]  # quick run, not [run]'s t = 20
    assert res.force == float(stored["force"]) and res.force_err == float(stored["force_err"])
    # its seed is the point's seed of the spec
    sweep = sw.Sweep.from_spec(spec).quick()
    flat = next(i for i in np.flatnonzero(sweep.in_grid.ravel())
                if sweep.point(i) == {"T": 1.0, "q": 2.0})
    assert res.settings["seed"] == sweep.point_seed(flat)
    assert any(e["name"].endswith("mean_force") for e in runcache.cost_ledger())


def test_paper_fidelity_uses_the_full_settings_of_the_points_subgrid(spec, monkeypatch):
    monkeypatch.setenv("THERMOBOOK_FIDELITY", "paper")
    res = sw.point_result(spec, T=2.0, q=1.0)
    assert abs(res.settings["t"] - 30.0) <= res.settings["dt"]  # the sub-grid's own run
    assert res.settings["realizations"] == 4 and abs(res.settings["burn_in"] - 2.0) <= res.settings["dt"]
    # numbers match to a relative 1e-9, like the quick subsets
    again = sw.point_result(spec, T=2.0 * (1 + 1e-12), q=1.0)
    assert again.force == res.force


def test_seed_offset_shifts_the_seed(spec, monkeypatch):
    base = sw.point_result(spec, T=1.0, q=0.5).settings["seed"]
    monkeypatch.setenv("THERMOBOOK_SEED", "2")
    shifted = sw.point_result(spec, T=1.0, q=0.5).settings["seed"]
    sweep = sw.Sweep.from_spec(spec, seed_offset=0)
    assert sweep.seed + 2 * SEED_STRIDE == sw.Sweep.from_spec(spec).seed
    assert shifted != base


@pytest.mark.parametrize("point, message", [
    ({"T": 1.0}, "missing \\['q'\\]"),
    ({"T": 1.0, "q": 0.5, "eps": 0.1}, "not an axis: \\['eps'\\]"),
    ({"T": 2.0, "q": 1.0}, "not in the quick grid"),     # a paper-only point
    ({"T": 1.0, "q": 1.0}, "not in the quick grid"),     # on the axes, not in the grid
])
def test_bad_points_are_refused_before_any_run(spec, point, message):
    with pytest.raises(sw.SweepError, match=message):
        sw.point_result(spec, **point)
    assert runcache.cost_ledger() == []


def test_only_registered_simulators(tmp_path, spec):
    other = spec.with_name("analytic.toml")
    other.write_text('function = "analytic.bath_friction"\n[grid]\nT = [1.0, 2.0]\n')
    with pytest.raises(sw.SweepError, match="registered simulator"):
        sw.point_result(other, T=1.0)
