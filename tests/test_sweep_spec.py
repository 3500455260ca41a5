"""Sweep specs: stable hashes and seeds, unions of sub-grids, quick subsets, every error before the
store exists, and the ready-made specs of sweeps/ (their quick subsets are the chapters' quick runs).
"""
from __future__ import annotations

import re
import textwrap

import numpy as np
import pytest

from thermolib import sweep as sw
from thermolib.sweep.plan import _uses_contract

from sweep_helpers import ROOT, cli, write_modules

NDC_FIG3_BEFORE_UNIONS = """\
function = "sim.chain_current"
store = "data/ndc_fig3.zarr"
seed = 2606
[model]
N_b = 40
lam = 1.0
p = 2.0
L = 25.0
eps = 0.1
m = 1.0
k = 1.0
K = 1.0
gamma_R = 1.0
[grid]
zeta = [0.05, 0.1, 0.2]
T_L = {start = 0.5, stop = 64.0, num = 15, log = true}
[fixed]
T_R = 0.0
N = 8
[run]
t = 2000.0
realizations = 16
"""


DIODE_FIG5_INSET_BEFORE = """\
description = "Diode Fig. 5 insets: chi/eps vs asymmetry factor, T_m = 1, Delta T/T_m = 1"
function = "analytic.diode_rectification"
store = "data/diode_fig5_inset.zarr"
[model]
k_I = 0.001
[grid]
f = ["cosine(K=1, A=1)", "power(n=2)"]
m_A = [0.2, 0.25, 0.33, 0.5, 0.67, 1.0, 1.5, 2.0, 3.0, 4.0, 5.0]
gamma_A = [0.2, 0.25, 0.33, 0.5, 0.67, 1.0, 1.5, 2.0, 3.0, 4.0, 5.0]
k_A = [0.2, 0.25, 0.33, 0.5, 0.67, 1.0, 1.5, 2.0, 3.0, 4.0, 5.0]
[fixed]
T_m = 1.0
Delta_T_rel = 1.0
eps = 0.01
"""


@pytest.fixture(autouse=True)
def _no_seed_offset(monkeypatch):
    monkeypatch.delenv("THERMOBOOK_SEED", raising=False)


def _spec(tmp_path, text, name="s.toml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


# ------------------------------------------------------------------------------------------------
# hashes and seeds do not change with the package split and the shared canonical form


def test_config_hashes_and_point_seeds_are_those_of_the_existing_stores(tmp_path):
    # values computed by the single-module sweep runner before the split (thermolib 0.1.0)
    fig2 = sw.Sweep.from_spec(ROOT / "sweeps" / "diode_fig2.toml")
    assert fig2.config_hash == "e5a04002a32845587a08"
    assert fig2.point_seed(0) == 3405620857294765988 and fig2.point_seed(8) == 1679239402157620868
    # ndc_fig2a's [run] changed with the simulator contract (realizations instead of particles),
    # so its config hash is new; its point seeds depend on the seed and the grid only.
    fig2a = sw.Sweep.from_spec(ROOT / "sweeps" / "ndc_fig2a.toml")
    assert fig2a.point_seed(4) == 6675330648913710978
    assert sw.Sweep.from_spec(_spec(tmp_path, DIODE_FIG5_INSET_BEFORE, "f5i.toml")).config_hash == \
        "c820ac8c45b98c1fbed6"
    old3 = sw.Sweep.from_spec(_spec(tmp_path, NDC_FIG3_BEFORE_UNIONS))
    assert old3.config_hash == "1f8e788ae96f14302957"
    assert old3.point_seed(0) == 1339357719446675900 and old3.point_seed(44) == 8249607333608947066
    # a [quick] table does not change the store's configuration
    assert fig2.has_quick and fig2a.has_quick


# ------------------------------------------------------------------------------------------------
# unions of sub-grids


UNION = """\
function = "sweephelp:slow_point"
seed = 3
outputs = ["value", "value_err", "seed_hi", "seed_lo"]
[[grid]]
x = [1, 2, 3]
y = [0.5, 1.0]
[[grid]]
x = [2]
y = [0.0]
"""


def test_a_union_of_sub_grids_is_stored_densely_with_an_in_grid_mask(tmp_path, monkeypatch):
    write_modules(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    sweep = sw.Sweep.from_spec(_spec(tmp_path, UNION))
    assert sweep.grid == {"x": [1, 2, 3], "y": [0.0, 0.5, 1.0]}  # union, numbers sorted
    assert sweep.size == 7 and sweep.shape == (3, 3)
    np.testing.assert_array_equal(sweep.in_grid, [[False, True, True], [True, True, True],
                                                  [False, True, True]])
    ds = sweep.run(store=tmp_path / "u.zarr", workers=0, progress=False)
    assert ds["in_grid"].values.tolist() == sweep.in_grid.tolist()
    assert ds["done"].values.tolist() == sweep.in_grid.tolist()
    assert np.isnan(ds["value"].sel(x=1, y=0.0)) and np.isfinite(ds["value"].sel(x=2, y=0.0))
    # a point's seed is the same as in a plain product that contains it
    product = sw.Sweep.from_spec({"function": "sweephelp:slow_point", "seed": 3,
                                  "outputs": ["value"], "grid": {"x": [2], "y": [0.0, 1.0]}})
    assert sweep.point_seed(3) == product.point_seed(0)
    assert sw.load_if_present(tmp_path / "u.zarr") is not None  # complete: every in-grid point
    assert "union of sub-grids: 7 of 9" in sw.status(tmp_path / "u.zarr")


def test_sub_grid_run_overrides_and_their_conflicts(tmp_path, monkeypatch):
    write_modules(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    base = {"function": "contracthelp:fake_sim", "seed": 1, "outputs": ["value"],
            "run": {"t": 1.0, "realizations": 2}}
    sweep = sw.Sweep.from_spec({**base, "grid": [{"x": [1.0, 2.0]},
                                                  {"x": [3.0], "run": {"t": 2.0}}]})
    assert [sweep.settings_at(i)["t"] for i in range(3)] == [1.0, 1.0, 2.0]
    with pytest.raises(sw.SweepError, match=r"x = 2.0 is in two sub-grids .* different run"):
        sw.Sweep.from_spec({**base, "grid": [{"x": [1.0, 2.0]}, {"x": [2.0], "run": {"t": 2.0}}]})
    with pytest.raises(sw.SweepError, match="every sub-grid must name the same axes"):
        sw.Sweep.from_spec({**base, "grid": [{"x": [1.0]}, {"y": [2.0]}]})
    quick = sw.Sweep.from_spec({**base, "grid": [{"x": [1.0, 2.0]}, {"x": [3.0], "run": {"t": 2.0}}],
                                "quick": {"run": {"realizations": 3},
                                          "grid": [{"x": [1.0]}, {"x": [3.0], "run": {"t": 1.5}}]}})
    # [run], then the full sub-grid's run, then quick.run, then the quick sub-grid's run
    assert [quick.quick().settings_at(i) for i in range(2)] == [
        {"t": 1.0, "realizations": 3}, {"t": 1.5, "realizations": 3}]
    with pytest.raises(sw.SweepError, match=r"two sub-grids of \[quick.grid\] with different run"):
        sw.Sweep.from_spec({**base, "grid": {"x": [1.0, 2.0]},
                            "quick": {"grid": [{"x": [1.0]}, {"x": [1.0], "run": {"t": 0.5}}]}})
    with pytest.raises(sw.SweepError, match=r"one product: put run settings under \[run\]"):
        sw.Sweep.from_spec({**base, "grid": {"x": [1.0], "run": {"t": 2.0}}})


# ------------------------------------------------------------------------------------------------
# the quick subset


QUICK_BASE = {"function": "sweephelp:slow_point", "seed": 3,
              "outputs": ["value", "value_err", "seed_hi", "seed_lo"],
              "grid": {"x": [0, 1, 2, 3], "y": [0.0, 0.5, 1.0]}}


def test_quick_subset_keeps_the_seeds_of_the_full_grid(tmp_path, monkeypatch):
    write_modules(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    sweep = sw.Sweep.from_spec({**QUICK_BASE, "quick": {"grid": {"x": [1, 3]}}})
    q = sweep.quick()
    assert q.fidelity == "quick" and q.grid == {"x": [1, 3], "y": [0.0, 0.5, 1.0]}
    for flat in range(q.size):
        full = sweep.grid_spec.flat_index(q.point(flat))
        assert q.point_seed(flat) == sweep.point_seed(full)
    assert q.config_hash != sweep.config_hash
    with pytest.raises(sw.SweepError, match="never written to a store"):
        q.run(store=tmp_path / "q.zarr")


@pytest.mark.parametrize("quick, message", [
    ({"grid": {"x": [7]}}, r"quick.grid.x = 7 is not a value of the grid's axis"),
    ({"grid": {"z": [1]}}, r"quick.grid.z is not an axis of the grid"),
    ({"run": {"x": 1}}, r"quick.run.x: x is a grid axis .* may only shorten runs"),
    ({"grid": {"x": []}}, r"quick.grid.x is empty"),
    ({"grid": {"x": [1]}, "note": 1}, r"unknown key quick.note"),
    ({"grid": {"x": [1]}, "run": {"y": 1.0}}, r"quick.run.y: y is a grid axis"),
])
def test_quick_subset_must_lie_inside_the_grid_and_only_shorten_runs(tmp_path, monkeypatch, quick,
                                                                     message):
    write_modules(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    spec = {**QUICK_BASE, "quick": quick}
    with pytest.raises(sw.SweepError, match=message):
        sw.Sweep.from_spec(spec)


def test_quick_points_must_be_points_of_a_union(tmp_path, monkeypatch):
    write_modules(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    union = [{"x": [0, 1], "y": [0.5]}, {"x": [2], "y": [0.0]}]
    with pytest.raises(sw.SweepError, match=r"quick point x = 0, y = 0.0 is not a point of the grid"):
        sw.Sweep.from_spec({**QUICK_BASE, "grid": union, "quick": {"grid": {"x": [0, 2]}}})
    ok = sw.Sweep.from_spec({**QUICK_BASE, "grid": union,
                             "quick": {"grid": [{"x": [0], "y": [0.5]}, {"x": [2], "y": [0.0]}]}})
    assert ok.quick().size == 2
    # numbers match the grid's own values to a relative 1e-9
    snapped = sw.Sweep.from_spec({**QUICK_BASE, "grid": {"x": [0], "y": [2**0.5]},
                                  "quick": {"grid": {"y": [1.41421356237310]}}})
    assert snapped.quick().grid["y"] == [2**0.5]


# ------------------------------------------------------------------------------------------------
# spec errors are found before the store exists


DIODE = """\
function = "sim.diode_current"
store = "{store}"
seed = 1
[grid]
T_A = [1.0, 2.0]
[fixed]
T_B = 1.0
eps = [0.1]
[run]
t = 3.0
burn_in = 1.0
realizations = 4
"""


@pytest.mark.parametrize("old, new, message", [
    # (the wording of the validators is thermolib._validation's; the name and value are ours)
    ("t = 3.0", 't = "long"', r"run\.t must be a real number.*'long'"),
    ("realizations = 4", "realizations = -5", r"run\.realizations must be an integer.*-5"),
    ("realizations = 4", "realizations = 1", r"run.realizations must be an integer in \[2, "),
    ("realizations = 4", "realizations = 1180591620717411303424", r"beyond 64-bit integers"),
    ("burn_in = 1.0", "burn_in = 5.0", r"t must be > burn_in"),
    ("t = 3.0", "t = 3.0\ndt = 1e-300", r"t / dt = 3e\+300 steps per realization exceeds"),
    ("t = 3.0", "t = inf", r"run.t must be finite"),
])
def test_bad_run_settings_are_refused_before_the_store_exists(tmp_path, old, new, message):
    store = tmp_path / "d.zarr"
    spec = _spec(tmp_path, DIODE.format(store=store).replace(old, new))
    res = cli("sweep", spec, "--workers", "0")
    assert res.returncode == 2, res.stderr
    assert len(res.stderr.strip().splitlines()) == 1 and "Traceback" not in res.stderr
    assert re.search(message, res.stderr), res.stderr
    assert not store.exists()


def test_the_dry_run_refuses_a_bad_dt_and_computes_nothing(tmp_path, monkeypatch):
    env = write_modules(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    log = tmp_path / "log"
    log.mkdir()
    monkeypatch.setenv("SWEEP_TEST_LOG", str(log))
    base = {"function": "contracthelp:fake_sim", "seed": 1, "outputs": ["value"],
            "grid": {"x": [1.0, 2.0, 3.0]}, "run": {"t": 5.0, "realizations": 4}}
    from thermolib.sweep.plan import make_plan

    plan = make_plan(sw.Sweep.from_spec(base))  # validates every point, computes none
    assert plan.checked == "every point validated by a dry run" and not list(log.iterdir())
    for run, message in [({"dt": 0.5}, r"point x = 1.0: ValueError: dt = 0.5 is too large: need "
                                       r"0 < dt <= 0.1 \(stability of the fake\)"),
                         ({"t": 1e300}, r"t / dt = 1e\+302 steps per realization exceeds")]:
        store = tmp_path / "bad.zarr"
        with pytest.raises(sw.SweepError, match=message):
            sw.run({**base, "run": {**base["run"], **run}}, store=store, workers=0, progress=False)
        assert not store.exists() and not list(log.iterdir())
    # the same on the command line: one line, exit 2, no store
    spec = _spec(tmp_path, f"""\
        function = "contracthelp:fake_sim"
        store = "{tmp_path / 'cli.zarr'}"
        seed = 1
        outputs = ["value"]
        [grid]
        x = [1.0, 2.0]
        [run]
        t = 5.0
        dt = 0.5
        realizations = 4
        """)
    res = cli("sweep", spec, env=env)
    assert res.returncode == 2 and res.stderr.count("\n") == 1, res.stderr
    assert "dt = 0.5 is too large" in res.stderr and not (tmp_path / "cli.zarr").exists()
    # after the dry runs the simulator works again (the probe is gone): the points are computed
    ds = sw.run(base, store=tmp_path / "good.zarr", workers=0, progress=False)
    assert bool(ds["done"].all()) and len(list(log.iterdir())) == 3


def test_registry_simulators_are_dry_run_once_they_follow_the_contract(tmp_path):
    from thermolib import sim

    assert _uses_contract(sim.diode_current)
    store = tmp_path / "d.zarr"
    spec = _spec(tmp_path, DIODE.format(store=store).replace("t = 3.0", "t = 3.0\ndt = 10.0"))
    res = cli("sweep", spec, "--workers", "0")
    assert res.returncode == 2 and "dt = 10 is too large" in res.stderr, res.stderr
    assert not store.exists()


# ------------------------------------------------------------------------------------------------
# the ready-made specs


SPECS = sorted((ROOT / "sweeps").glob("*.toml"))


@pytest.mark.parametrize("path", SPECS, ids=lambda p: p.stem)
def test_ready_made_specs_are_valid(path):
    sweep = sw.Sweep.from_spec(path)   # every model of the registry is part of thermolib
    assert sweep.store == f"data/{path.stem}.zarr"
    assert sweep.store_path() == ROOT / "data" / f"{path.stem}.zarr"
    assert sweep.description
    sweep.check_models()
    sweep.quick().check_models()
    if sweep.seeded:  # every simulation has a documented quick subset
        assert sweep.has_quick and sweep.quick().size <= sweep.size


def _quick_points(name):
    q = sw.Sweep.from_spec(ROOT / "sweeps" / f"{name}.toml").quick()
    return [(q.point(f), q.settings_at(f)) for f in q.grid_spec.points()]


def test_ndc_chain_specs_measure_after_the_default_burn_in():
    # chapters/ndc/current.md and validity.md take their data from these specs with
    # load_or_compute, quick subsets included. The burn-in is the simulator's default (five slowest
    # relaxation times): no spec overrides it, and every point, full or quick, measures for at least
    # 500 time units after it.
    from thermolib.sim.chain import default_burn_in
    from thermolib.sweep.registry import build_model

    for name in ("ndc_fig3", "ndc_fig4a", "ndc_fig4b_vary_TR", "ndc_validity"):
        full = sw.Sweep.from_spec(ROOT / "sweeps" / f"{name}.toml")
        assert full.has_quick and full.quick().size < full.size
        for sweep in (full, full.quick()):
            for flat in sweep.grid_spec.points().tolist():
                _, model, kwargs, _ = sweep.task_point(flat)
                assert "burn_in" not in kwargs, (name, kwargs)
                burn = default_burn_in(build_model("chain", model), kwargs["T_L"], kwargs["N"])
                assert kwargs["t"] - burn >= 500, (name, sweep.fidelity, model, kwargs, burn)
    # Fig. 3 keeps its point below T* (zeta = 0.1), in the quick subset too
    q3 = sw.Sweep.from_spec(ROOT / "sweeps" / "ndc_fig3.toml").quick()
    assert {"zeta": 0.1, "T_L": 0.3} in [q3.point(f) for f in q3.grid_spec.points().tolist()]


def test_diode_fig2_quick_subset_is_the_chapters_quick_run():
    # chapters/diode/current.md: the same nine Delta T with 16384 realizations
    d2 = _quick_points("diode_fig2")
    assert len(d2) == 9 and {run["realizations"] for _, run in d2} == {16384}


def test_functions_command_lists_the_run_settings_from_the_signatures():
    res = cli("functions")
    assert res.returncode == 0, res.stderr
    block = res.stdout.split("sim.diode_current:")[1].split("\n\n")[0]
    assert "run: t, dt, burn_in, realizations" in block and "samples" not in block
    assert "required: T_A, T_B, eps, t, realizations" in block

