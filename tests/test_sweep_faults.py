"""Faults of issue 12, each injected for real: damaged stores, two drivers, killed drivers,
unwritable and full disks, huge sweeps. Every test checks the user-visible outcome (one-line
errors, exit codes) and that the store stays honest: a point is done only if its data verify,
and a rerun recomputes exactly the damaged or missing points.
"""
from __future__ import annotations

import errno
import os
import shutil
import signal
import subprocess
import sys

import numpy as np
import pytest

from thermolib import sweep as sw
from thermolib.sweep import store as store_mod

from sweep_helpers import (assert_identical, calls, cli, points_of, session_processes, slow_spec,
                           start_cli, wait_until, write_modules)


@pytest.fixture(autouse=True)
def _no_seed_offset(monkeypatch):
    monkeypatch.delenv("THERMOBOOK_SEED", raising=False)


@pytest.fixture
def finished(tmp_path, monkeypatch):
    """A finished 6 x 4 store in three chunks of 2 x 4 points, its spec and a helper env."""
    env = write_modules(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(store_mod, "CHUNK_POINTS", 8)
    path = tmp_path / "finished.zarr"
    spec = slow_spec(tmp_path, path)
    ref = sw.run(spec, workers=0, progress=False)
    assert bool(ref["done"].all())
    return spec, path, ref, env


def _damaged_copy(tmp_path, path, name, damage):
    copy = tmp_path / name
    shutil.copytree(path, copy)
    damage(copy)
    return copy


def _rerun_logged(tmp_path, spec, store, env):
    log = tmp_path / f"log-{store.name}"
    log.mkdir()
    res = cli("sweep", spec, "--store", store, "--workers", "0", env={**env, "SWEEP_TEST_LOG": str(log)})
    assert res.returncode == 0, res.stderr
    return calls(log), res


def _chunk_points(row_chunk):
    mask = np.zeros((6, 4), dtype=bool)
    mask[2 * row_chunk:2 * row_chunk + 2] = True
    return points_of(mask)


# ------------------------------------------------------------------------------------------------
# lost and truncated chunks


@pytest.mark.parametrize("array", ["value", "checksum", "cpu_seconds"])
def test_a_lost_chunk_is_detected_and_exactly_its_points_are_recomputed(tmp_path, finished, array):
    spec, path, ref, env = finished
    copy = _damaged_copy(tmp_path, path, "lost.zarr", lambda p: (p / array / "c" / "1" / "0").unlink())
    st = cli("status", copy, env=env)
    assert st.returncode == 1 and "done:       16/24" in st.stdout, st.stdout + st.stderr
    assert st.stderr.startswith("thermolib: error: ") and st.stderr.count("\n") == 1
    assert "8 finished points no longer verify" in st.stdout
    with pytest.warns(UserWarning, match="is damaged: 8 finished points no longer verify"):
        assert sw.load_if_present(copy) is None
    partial = sw.load(copy)
    assert int(partial["done"].sum()) == 16 and np.isnan(partial["value"].values[2:4]).all()
    assert partial.attrs["damaged"] == 8
    got, res = _rerun_logged(tmp_path, spec, copy, env)
    assert set(got) == _chunk_points(1) and len(got) == 8
    assert "8 damaged points will be recomputed" in res.stderr
    assert_identical(sw.load(copy), ref)
    assert cli("status", copy, env=env).returncode == 0


def test_a_lost_done_chunk_is_detected_and_its_verified_points_are_marked_again(tmp_path, finished):
    # The checksums decide what is done; the `done` array is only the mark outside readers see.
    spec, path, ref, env = finished
    copy = _damaged_copy(tmp_path, path, "nodone.zarr", lambda p: (p / "done" / "c" / "1" / "0").unlink())
    st = cli("status", copy, env=env)
    assert st.returncode == 1 and "8 points verify but are not marked done" in st.stdout
    with pytest.warns(UserWarning, match="not marked done"):
        assert sw.load_if_present(copy) is None
    got, res = _rerun_logged(tmp_path, spec, copy, env)
    assert got == [] and "marked 8 points done whose data verify" in res.stderr
    assert_identical(sw.load(copy), ref)
    assert cli("status", copy, env=env).returncode == 0


def test_a_lost_array_makes_all_its_points_pending(tmp_path, finished):
    spec, path, ref, env = finished
    copy = _damaged_copy(tmp_path, path, "nometa.zarr", lambda p: (p / "value_err" / "zarr.json").unlink())
    st = cli("status", copy, env=env)
    assert st.returncode == 1 and "array 'value_err' is lost" in st.stdout
    got, res = _rerun_logged(tmp_path, spec, copy, env)
    assert len(got) == 24 and "recreated lost array 'value_err'" in res.stderr
    assert_identical(sw.load(copy), ref)


@pytest.mark.parametrize("array", ["done", "value"])
def test_a_truncated_chunk_is_a_one_line_error_and_a_rerun_repairs_it(tmp_path, finished, array):
    spec, path, ref, env = finished
    copy = _damaged_copy(tmp_path, path, "trunc.zarr",
                         lambda p: os.truncate(p / array / "c" / "2" / "0", 5))
    res = cli("status", copy, env=env)  # no zstd traceback: one line on stderr, exit 1
    assert res.returncode == 1 and "Traceback" not in res.stderr + res.stdout
    assert res.stderr.count("\n") == 1 and f"chunk {array}/c/2/0 cannot be read" in res.stdout
    with pytest.warns(UserWarning, match=f"chunk {array}/c/2/0 cannot be read"):
        assert sw.load_if_present(copy) is None
    got, res = _rerun_logged(tmp_path, spec, copy, env)
    assert f"removed unreadable chunk {array}/c/2/0" in res.stderr and "Traceback" not in res.stderr
    # an output chunk is recomputed; a `done` chunk only loses marks that the checksums restore
    assert set(got) == (_chunk_points(2) if array == "value" else set())
    assert_identical(sw.load(copy), ref)
    assert cli("status", copy, env=env).returncode == 0


# ------------------------------------------------------------------------------------------------
# two drivers on one store


def test_a_second_sweep_on_the_same_store_is_refused_or_waits(tmp_path):
    env = write_modules(tmp_path)
    path = tmp_path / "shared.zarr"
    spec = slow_spec(tmp_path, path)
    first = start_cli("sweep", spec, "--workers", "1", "--quiet",
                      env={**env, "SWEEP_TEST_PAUSE": "1.0", "THERMOLIB_SWEEP_FLUSH": "0.05"})
    try:
        assert wait_until(lambda: path.exists() and "running:" in sw.status(path), timeout=60)
        second = cli("sweep", spec, "--workers", "1", env=env)
        assert second.returncode == 2, second.stderr
        assert second.stderr.startswith("thermolib: error: ") and second.stderr.count("\n") == 1
        assert "is being computed by another sweep (pid" in second.stderr
        waiting = cli("sweep", spec, "--workers", "1", "--wait", env=env)
        assert waiting.returncode == 0, waiting.stderr
        assert "computed 0 this run, 24 already stored" in waiting.stderr
        first.wait(timeout=120)  # it released the lock as it finished
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()
    assert first.returncode == 0, first.stderr.read()
    runs = sw.load(path).attrs["runs"]
    assert [r["computed"] for r in runs] == [24, 0]


# ------------------------------------------------------------------------------------------------
# killed drivers: no process survives, the store stays consistent


def _running_sweep(tmp_path, env, workers="1", pause="30"):
    path = tmp_path / "killed.zarr"
    spec = slow_spec(tmp_path, path)
    log = tmp_path / "calls"
    log.mkdir()
    proc = start_cli("sweep", spec, "--workers", workers, "--quiet",
                     env={**env, "SWEEP_TEST_PAUSE": pause, "SWEEP_TEST_LOG": str(log),
                          "THERMOLIB_SWEEP_FLUSH": "0.05"})
    # the driver, its worker(s) and multiprocessing's resource tracker
    assert wait_until(lambda: len(list(log.iterdir())) >= int(workers), timeout=60), proc.stderr.read()
    assert len(session_processes(proc.pid)) >= 2 + int(workers) - 1
    return proc, spec, path


def test_kill_9_of_the_driver_leaves_no_worker_behind(tmp_path):
    env = write_modules(tmp_path)
    proc, spec, path = _running_sweep(tmp_path, env)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    left = wait_until(lambda: not session_processes(proc.pid), timeout=20)
    assert left, f"orphans: {session_processes(proc.pid)}"
    # the store is consistent: nothing half-written is marked done, and the rerun completes it
    assert cli("status", path, env=env).returncode == 0
    res = cli("sweep", spec, "--workers", "0", env=env)
    assert res.returncode == 0 and bool(sw.load(path)["done"].all()), res.stderr


@pytest.mark.parametrize("sig, code, word", [(signal.SIGTERM, 143, "terminated"),
                                             (signal.SIGINT, 130, "interrupted")])
def test_sigterm_and_sigint_stop_cleanly(tmp_path, sig, code, word):
    env = write_modules(tmp_path)
    # 24 points of 1 s on 2 workers: ~12 s of work, so the signal lands mid-run on a loaded machine
    proc, spec, path = _running_sweep(tmp_path, env, workers="2", pause="1.0")

    def finished_points():
        try:
            return int(sw.load(path)["done"].sum()) >= 2
        except Exception:  # noqa: BLE001 - the store being written; try again
            return False

    assert wait_until(finished_points, timeout=60)
    os.kill(proc.pid, sig)
    try:
        out, err = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        raise
    assert proc.returncode == code, err
    assert err.strip() == f"thermolib: {word}; finished points are stored, rerun the same command to resume"
    assert wait_until(lambda: not session_processes(proc.pid), timeout=20), session_processes(proc.pid)
    ds = sw.load(path)
    assert ds.attrs["runs"][-1]["interrupted"] and 0 < int(ds["done"].sum()) < 24
    assert ds.attrs["runs"][-1]["computed"] == int(ds["done"].sum())  # no finished point lost
    assert cli("status", path, env=env).returncode == 0
    res = cli("sweep", spec, "--workers", "0", env=env)  # the lock was released
    assert res.returncode == 0 and bool(sw.load(path)["done"].all()), res.stderr


# ------------------------------------------------------------------------------------------------
# unwritable and full store locations


def _mount_tmpfs(where, options):
    where.mkdir()
    res = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(where)],
                         capture_output=True, text=True)
    if res.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({res.stderr.strip()})")


@pytest.fixture
def tmpfs(tmp_path):
    mounts = []

    def mount(name, options):
        where = tmp_path / name
        _mount_tmpfs(where, options)
        mounts.append(where)
        return where

    yield mount
    for where in mounts:
        subprocess.run(["umount", "-l", str(where)], capture_output=True)


def _one_line_error(res, *words):
    assert res.returncode == 2, (res.stdout, res.stderr)
    assert res.stderr.startswith("thermolib: error: ") and res.stderr.count("\n") == 1, res.stderr
    assert "Traceback" not in res.stderr
    for w in words:
        assert w in res.stderr, res.stderr


def test_a_store_under_a_file_is_a_one_line_error(tmp_path):
    env = write_modules(tmp_path)
    spec = slow_spec(tmp_path, tmp_path / "x.zarr")
    res = cli("sweep", spec, "--store", spec / "x.zarr", env=env)
    _one_line_error(res, "cannot create the store", "choose another --store")


def test_a_read_only_location_is_a_one_line_error(tmp_path, tmpfs):
    env = write_modules(tmp_path)
    ro = tmpfs("ro", "size=1m,ro")
    spec = slow_spec(tmp_path, ro / "x.zarr")
    _one_line_error(cli("sweep", spec, env=env), "Read-only file system", "writable location")


def test_a_full_disk_stops_with_one_line_and_the_store_resumes_after_freeing_space(tmp_path, tmpfs):
    env = write_modules(tmp_path)
    small = tmpfs("small", "size=128k")
    path = small / "x.zarr"
    spec = slow_spec(tmp_path, path)
    # chunks of 4 points: the store is created, then fills up after a few flushes
    code = ("import sys, thermolib.sweep.store as s; s.CHUNK_POINTS = 4; "
            "from thermolib.__main__ import main; sys.exit(main(sys.argv[1:]))")
    res = subprocess.run([sys.executable, "-c", code, "sweep", str(spec), "--workers", "0",
                          "--quiet"], env={**env, "THERMOLIB_SWEEP_FLUSH": "0", "SWEEP_TEST_PAUSE": "0.01"},
                         capture_output=True, text=True, timeout=120)
    _one_line_error(res, "No space left on device", "free some space and rerun")
    st = cli("status", path, env=env)
    assert st.returncode == 0 and "verified:   yes" in st.stdout, st.stdout
    n_before = int(sw.load(path)["done"].sum())
    assert 0 < n_before < 24
    subprocess.run(["mount", "-o", "remount,size=4m", str(small)], check=True)
    log = tmp_path / "after"
    log.mkdir()
    res = cli("sweep", spec, "--workers", "0", env={**env, "SWEEP_TEST_LOG": str(log)})
    assert res.returncode == 0, res.stderr
    assert len(calls(log)) == 24 - n_before
    fresh = sw.run(spec, store=tmp_path / "fresh.zarr", workers=0, progress=False)
    assert_identical(sw.load(path), fresh)


def test_a_failing_write_keeps_the_store_consistent(tmp_path, monkeypatch):
    write_modules(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("THERMOLIB_SWEEP_FLUSH", "0")
    path = tmp_path / "x.zarr"
    spec = slow_spec(tmp_path, path)
    real = store_mod.Store.write
    n = {"writes": 0}

    def failing(self, results):
        n["writes"] += 1
        if n["writes"] == 4:
            real(self, results[:1])  # part of a flush reaches the disk, then the disk is full
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(self, results)

    monkeypatch.setattr(store_mod.Store, "write", failing)
    with pytest.raises(sw.SweepError, match=r"cannot write to the store .*No space left on device"):
        sw.run(spec, workers=0, progress=False)
    monkeypatch.setattr(store_mod.Store, "write", real)
    ds = sw.load(path)
    assert ds.attrs["damaged"] == 0 and 3 <= int(ds["done"].sum()) < 24
    assert ds.attrs["runs"][-1]["computed"] == int(ds["done"].sum())
    sw.run(spec, workers=0, progress=False)
    assert_identical(sw.load(path), sw.run(spec, store=tmp_path / "fresh.zarr", workers=0,
                                           progress=False))


# ------------------------------------------------------------------------------------------------
# huge sweeps


def test_a_million_point_grid_is_refused_with_an_estimate_before_anything_is_written(tmp_path):
    path = tmp_path / "huge.zarr"
    spec = tmp_path / "huge.toml"
    spec.write_text(f"""\
function = "analytic.diode_current"
store = "{path}"
[model]
f_A = "power(n=2)"
[grid]
Delta_T = {{start = -1.0, stop = 1.0, num = 1000}}
k_I = {{start = 0.1, stop = 10.0, num = 1000}}
[fixed]
T_m = 1.0
""")
    res = cli("sweep", spec)
    _one_line_error(res, "1000000 points to compute", "above the limit of 100000 points", "--yes")
    assert not path.exists()


def test_an_estimate_above_the_cpu_limit_needs_yes(tmp_path, monkeypatch):
    from thermolib.sweep import plan

    monkeypatch.setattr(plan, "LIMIT_CPU_HOURS", 1e-6)  # 3.6 ms: any sweep is "long"
    spec = {"function": "analytic.bath_friction", "grid": {"T": [1.0, 2.0]}}
    with pytest.raises(sw.SweepError, match=r"2 points to compute, ~0.02 CPU-seconds .* above the "
                                            r"limit of 1e-06 CPU-hours"):
        sw.run(spec, store=tmp_path / "f.zarr", workers=0, progress=False)
    assert not (tmp_path / "f.zarr").exists()
    ds = sw.run(spec, store=tmp_path / "f.zarr", workers=0, progress=False, yes=True)
    assert bool(ds["done"].all())
