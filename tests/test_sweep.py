"""Parameter sweeps: same numbers on any executor, resumable after a kill, safe stores, clean CLI errors.

The simulator runs are tiny (t = 3, 4 realizations): these tests check bookkeeping, not physics.
"""
from __future__ import annotations

import inspect
import os
import signal
import socket
import subprocess
import textwrap
import time

import numpy as np
import pytest

from thermolib import sweep as sw

from sweep_helpers import (GRID_Y, PY, ROOT, assert_identical, calls, cli, slow_spec,
                           write_modules)

# 24 points of the real diode simulator (two eps lanes -> an extra "eps" dimension)
DIODE_SPEC = {
    "function": "sim.diode_current",
    "seed": 7,
    "model": {"k_I": 0.5, "f_A": {"kind": "power", "n": 2}},
    "grid": {"T_A": {"start": 1.0, "stop": 2.0, "num": 6}, "k_B": [0.5, 1.0, 2.0, 3.0]},
    "fixed": {"T_B": 0.9, "eps": [0.0, 0.1]},
    "run": {"t": 3.0, "burn_in": 1.0, "realizations": 4},
}

ANALYTIC_TOML = """\
function = "analytic.diode_current"
store = "{store}"
[model]
k_I = 0.5
f_A = "power(n=2)"
[grid]
Delta_T = [-1.0, -0.5, 0.5, 1.0]
f_B = ["none", "cosine(K=1, A=1)"]
[fixed]
T_m = 1.0
eps = [0.0, 0.05]
"""


@pytest.fixture(autouse=True)
def _no_seed_offset(monkeypatch):
    monkeypatch.delenv("THERMOBOOK_SEED", raising=False)


def _cli(*args, env=None, timeout=120):
    return cli(*args, env=env, timeout=timeout)


_assert_identical = assert_identical


# ------------------------------------------------------------------------------------------------
# seeds and specs


def test_point_seed_depends_only_on_seed_and_the_point():
    s = sw.point_seed(2021, {"T_A": 1.2, "k_B": 1.0})
    assert 0 <= s < 2**63
    # order of keys and int/float spelling of the same number do not matter ...
    assert s == sw.point_seed(2021, {"k_B": 1, "T_A": 1.2})
    # ... the spec seed and every parameter do
    assert s != sw.point_seed(2022, {"T_A": 1.2, "k_B": 1.0})
    assert s != sw.point_seed(2021, {"T_A": 1.2000000001, "k_B": 1.0})
    # a point's seed is the same in a larger grid (extending a grid keeps old points' streams)
    small = sw.Sweep.from_spec(DIODE_SPEC)
    big = sw.Sweep.from_spec({**DIODE_SPEC, "grid": {"T_A": [0.5, 1.0, 1.2], "k_B": [1.0, 0.5]}})
    assert small.point_seed(0) == big.point_seed(3)  # T_A = 1.0, k_B = 0.5 in both


def test_grid_forms_aliases_and_registry_signatures():
    sweep = sw.Sweep.from_spec({"function": "analytic.diode_rectification",
                                "model": {"k": 0.1, "k_I": 0.1, "f_A": "cosine(K=1, A=1)"},
                                "grid": {"T_m": {"start": 0.1, "stop": 10, "num": 3, "log": True},
                                         "Delta_T_rel": [0.5, 1.0]},
                                "fixed": {"eps": 0.01}})
    assert sweep.shape == (3, 2)
    np.testing.assert_allclose(sweep.grid["T_m"], [0.1, 1.0, 10.0])
    out = sw.executors.run_task((sweep.function, "diode", [sweep.task_point(3)]))[0]
    assert out[2] is None
    from thermolib import Diode, forces

    d = Diode(k_A=0.1, k_B=0.1, k_I=0.1, f_A=forces.cosine(1, 1))
    # T_m = 1, Delta_T = 1: T_h = 1.5, T_c = 0.5; chi_scaled = chi / eps
    assert out[1]["chi"] == d.rectification(1.5, 0.5, 0.01)
    assert out[1]["chi_scaled"] == pytest.approx(d.rectification(1.5, 0.5, 0.01) / 0.01, rel=1e-12)
    # every registered simulator accepts the parameters the registry routes to it
    from thermolib import sim

    for name, entry in sw.REGISTRY.items():
        if name.startswith("sim."):
            params = inspect.signature(getattr(sim, name[4:])).parameters
            assert set(entry.call + entry.run_params) - set(entry.own) <= set(params), name
            assert ("seed" in params) == entry.seeded, name


# ------------------------------------------------------------------------------------------------
# executors: local processes, in-process and a Dask cluster give identical stores


def test_local_processes_in_process_and_dask_cluster_store_identical_results(tmp_path):
    distributed = pytest.importorskip("distributed")
    sweep = sw.Sweep.from_spec(DIODE_SPEC)
    assert sweep.size == 24
    local = sweep.run(workers=2, progress=False, store=tmp_path / "local.zarr")
    assert sweep.last_run.computed == 24 and bool(local["done"].all())
    serial = sw.run(DIODE_SPEC, workers=0, progress=False, store=tmp_path / "serial.zarr")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None, host="127.0.0.1") as cluster, \
            distributed.Client(cluster) as client:
        dask = sw.run(DIODE_SPEC, client=client, progress=False, store=tmp_path / "dask.zarr")
    assert dask.attrs["runs"][-1]["executor"].startswith("dask")
    _assert_identical(local, dask)
    _assert_identical(local, serial)
    # the stored point equals a direct call of the simulator with the point's derived seed
    from thermolib import Diode, forces
    from thermolib.sim import diode_current

    res = diode_current(Diode(k_I=0.5, k_B=2.0, f_A=forces.power(2)), 1.4, 0.9, [0.0, 0.1], t=3.0,
                        burn_in=1.0, realizations=4, seed=sweep.point_seed(2 * 4 + 2))
    assert local["excess"].sel(T_A=1.4, k_B=2.0).values.tobytes() == res.excess.tobytes()
    assert local.attrs["config_hash"] == sweep.config_hash
    assert local.attrs["thermolib_version"]
    # the simulator's provenance (defaults actually used) is kept from one point
    assert local.attrs["example_point"]["settings"]["realizations"] == 4


# ------------------------------------------------------------------------------------------------
# resume after a kill


def test_killed_sweep_resumes_computing_only_the_missing_points(tmp_path, monkeypatch):
    env = write_modules(tmp_path)
    store = tmp_path / "killed.zarr"
    spec_path = slow_spec(tmp_path, store)
    logs = [tmp_path / "log1", tmp_path / "log2"]
    for d in logs:
        d.mkdir()
    env.update(THERMOLIB_SWEEP_FLUSH="0.05", SWEEP_TEST_PAUSE="0.3", SWEEP_TEST_LOG=str(logs[0]))
    proc = subprocess.Popen([PY, "-m", "thermolib", "sweep", str(spec_path), "--workers", "2",
                             "--quiet"], env=env, cwd=ROOT, start_new_session=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            if (store / "done" / "zarr.json").exists():
                try:
                    if int(sw.load(store)["done"].sum()) >= 3:
                        break
                except Exception:  # noqa: BLE001 - the store being created; try again
                    pass
            time.sleep(0.05)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the driver and its worker processes
        proc.wait()
    done_at_kill = sw.load(store)["done"].values
    assert 3 <= done_at_kill.sum() < 24, (done_at_kill.sum(), proc.stderr.read())

    # rerun the same command: only the missing points are computed
    env.update(SWEEP_TEST_PAUSE="0", SWEEP_TEST_LOG=str(logs[1]))
    rerun = subprocess.run([PY, "-m", "thermolib", "sweep", str(spec_path), "--workers", "2"],
                           env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert rerun.returncode == 0, rerun.stderr
    missing = {(x, y) for (x, y), d in np.ndenumerate(done_at_kill) if not d}
    got = calls(logs[1])
    assert len(got) == len(missing) == len(set(got))
    assert {(x, GRID_Y.index(y)) for x, y in got} == missing
    resumed = sw.load(store)
    assert resumed.attrs["runs"][-1]["computed"] == len(missing)
    assert f"computed {len(missing)} this run" in rerun.stderr

    # ... and the store equals an uninterrupted run bit for bit
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("SWEEP_TEST_PAUSE", "0")
    monkeypatch.delenv("SWEEP_TEST_LOG", raising=False)
    fresh = sw.run(spec_path, store=tmp_path / "fresh.zarr", workers=0, progress=False)
    _assert_identical(resumed, fresh)
    assert bool(resumed["done"].all())


# ------------------------------------------------------------------------------------------------
# stores: refusal on config mismatch, load, status


def _analytic_spec(tmp_path, name="a.zarr", **replace):
    text = ANALYTIC_TOML.format(store=tmp_path / name)
    for old, new in replace.items():
        text = text.replace(old, new)
    path = tmp_path / f"{name}.toml"
    path.write_text(text)
    return path


def test_store_refuses_a_different_configuration(tmp_path):
    spec = _analytic_spec(tmp_path)
    ds = sw.run(spec, workers=0, progress=False)
    assert ds["current"].dims == ("Delta_T", "f_B", "eps")
    assert list(ds["f_B"].values) == ["none", "cosine(K=1, A=1)"]
    # J - J0 vanishes at eps = 0; Delta_T = 0.5 means T_A = 1.25, T_B = 0.75
    assert np.all(ds["excess"].sel(eps=0.0).values == 0.0)
    from thermolib import Diode, forces

    d = Diode(k_I=0.5, f_A=forces.power(2), f_B=forces.cosine(1, 1))
    assert ds["current"].sel(Delta_T=0.5, eps=0.05).values[1] == d.current(1.25, 0.75, 0.05)
    other = _analytic_spec(tmp_path, "b.zarr", **{"k_I = 0.5": "k_I = 0.6"})
    with pytest.raises(sw.SweepError, match=r"different configuration.*model\.k_I"):
        sw.run(sw.Sweep.from_spec(other), store=tmp_path / "a.zarr", workers=0, progress=False)
    # the stored results are untouched, and the same spec resumes with nothing to do
    again = sw.Sweep.from_spec(spec)
    _assert_identical(again.run(workers=0, progress=False), ds)
    assert again.last_run.computed == 0


def test_yaml_spec_is_the_same_sweep_as_its_toml_twin(tmp_path):
    pytest.importorskip("yaml")
    toml = _analytic_spec(tmp_path)
    yaml_path = tmp_path / "a.yaml"
    yaml_path.write_text(textwrap.dedent(f"""\
        function: analytic.diode_current
        store: {tmp_path / 'a.zarr'}
        model: {{k_I: 0.5, f_A: "power(n=2)"}}
        grid:
          Delta_T: [-1.0, -0.5, 0.5, 1.0]
          f_B: ["none", "cosine(K=1, A=1)"]
        fixed: {{T_m: 1, eps: [0, 5e-2]}}
        """))
    assert sw.Sweep.from_spec(yaml_path).config_hash == sw.Sweep.from_spec(toml).config_hash


def test_failed_points_are_stored_and_bad_input_stops_the_sweep(tmp_path, monkeypatch):
    write_modules(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    spec = {"function": "flakyhelp:flaky", "seed": 1, "outputs": ["value"],
            "grid": {"x": [0, 1, 2, 3, 4]}}
    ds = sw.run(spec, store=tmp_path / "f.zarr", workers=0, progress=False)
    # a diverged point is done (a rerun would fail the same way), flagged, and NaN
    assert ds["done"].all() and ds["failed"].values.tolist() == [False, False, True, False, False]
    assert np.isnan(ds["value"].sel(x=2)) and ds["value"].sel(x=4) == 4.0
    assert "FloatingPointError" in ds.attrs["failures"][0] and ds.attrs["runs"][-1]["failed"] == 1
    # invalid input stops the sweep with a one-line error naming the point; earlier points are kept
    with pytest.raises(sw.SweepError, match=r"point x = 3: ValueError: dt is too large"):
        sw.run({**spec, "fixed": {"bad_input": 3}}, store=tmp_path / "g.zarr", workers=0,
               progress=False)
    assert sw.load(tmp_path / "g.zarr")["done"].values.tolist() == [True, True, True, False, False]


def test_load_if_present(tmp_path):
    spec = _analytic_spec(tmp_path)
    assert sw.load_if_present(tmp_path / "a.zarr") is None  # absent
    sw.run(spec, workers=0, progress=False)
    ds = sw.load_if_present(tmp_path / "a.zarr")
    assert ds is not None and bool(ds["done"].all())
    assert sw.load_if_present(tmp_path / "a.zarr", spec=spec) is not None
    other = _analytic_spec(tmp_path, "b.zarr", **{"T_m = 1.0": "T_m = 2.0"})
    assert sw.load_if_present(tmp_path / "a.zarr", spec=other) is None  # other configuration
    import zarr

    g = zarr.open_group(str(tmp_path / "a.zarr"), mode="r+")
    g["done"][0, 0] = False  # as if killed before this point was written
    g["checksum"][0, 0] = 0
    assert sw.load_if_present(tmp_path / "a.zarr") is None  # incomplete
    partial = sw.load(tmp_path / "a.zarr")
    assert np.isnan(partial["current"][0, 0]).all() and not np.isnan(partial["current"][1, 0]).any()


def test_status_command(tmp_path):
    spec = _analytic_spec(tmp_path)
    sw.run(spec, workers=0, progress=False)
    res = _cli("status", tmp_path / "a.zarr")
    assert res.returncode == 0, res.stderr
    out = res.stdout
    assert "function:   analytic.diode_current" in out
    assert "Delta_T (4)" in out and "f_B (2)" in out and "-> 8 points" in out
    assert "done:       8/8 (100.0 %)" in out
    assert "thermolib:" in out and "config:" in out and "T_m = 1" in out


# ------------------------------------------------------------------------------------------------
# command-line errors: exit code 2, one line, no traceback


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _bad(tmp_path, case):
    base = _analytic_spec(tmp_path)
    if case == "unknown function":
        return ["sweep", _analytic_spec(tmp_path, **{"analytic.diode_current": "sim.diode_curent"})]
    if case == "unknown parameter":
        return ["sweep", _analytic_spec(tmp_path, **{"k_I = 0.5": "k_X = 0.5"})]
    if case == "empty grid":
        return ["sweep", _analytic_spec(tmp_path, **{"[-1.0, -0.5, 0.5, 1.0]": "[]"})]
    if case == "no grid":
        p = tmp_path / "nogrid.toml"
        p.write_text('function = "analytic.diode_current"\nstore = "x.zarr"\n[fixed]\nT_A = 1.0\n')
        return ["sweep", p]
    if case == "missing spec":
        return ["sweep", tmp_path / "nope.toml"]
    if case == "bad toml":
        p = tmp_path / "bad.toml"
        p.write_text("function = \n")
        return ["sweep", p]
    if case == "invalid model":
        return ["sweep", _analytic_spec(tmp_path, **{"k_I = 0.5": "k_I = -0.5"})]
    if case == "unreachable scheduler":
        return ["sweep", base, "--scheduler", f"tcp://127.0.0.1:{_free_port()}",
                "--connect-timeout", "1"]
    if case == "config mismatch":
        sw.run(base, workers=0, progress=False)
        return ["sweep", _analytic_spec(tmp_path, "b.zarr", **{"T_m = 1.0": "T_m = 1.5"}), "--store",
                tmp_path / "a.zarr"]
    if case == "status of no store":
        return ["status", tmp_path / "none.zarr"]
    raise AssertionError(case)


@pytest.mark.parametrize("case", ["unknown function", "unknown parameter", "empty grid", "no grid",
                                  "missing spec", "bad toml", "invalid model",
                                  "unreachable scheduler", "config mismatch", "status of no store"])
def test_cli_input_errors_exit_2_with_one_line(tmp_path, case):
    res = _cli(*_bad(tmp_path, case))
    assert res.returncode == 2, (res.stdout, res.stderr)
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("thermolib: error: "), res.stderr
    assert "Traceback" not in res.stderr
    expect = {"unknown function": "did you mean 'sim.diode_current'", "unknown parameter": "k_X",
              "empty grid": "grid.Delta_T is empty", "no grid": "grid is empty",
              "missing spec": "cannot read spec", "bad toml": "cannot parse spec",
              "invalid model": "k_I", "unreachable scheduler": "cannot reach the Dask scheduler",
              "config mismatch": "config hash", "status of no store": "no sweep store"}[case]
    assert expect in lines[0]
