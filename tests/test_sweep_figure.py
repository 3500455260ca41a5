"""One definition per figure: load_or_compute gives the finished store, computes the quick subset
through the run cache (never into data/), or fills the store at paper fidelity (resumably);
THERMOBOOK_SEED runs never read or write the unshifted stores; costs go to the ledger.
"""
from __future__ import annotations

import io
import shutil

import numpy as np
import pytest

from thermolib import fidelity, runcache
from thermolib import sweep as sw
from thermolib.sweep import progress as progress_mod

from sweep_helpers import GRID_Y, calls, slow_spec, write_modules


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A project root (pyproject.toml) with sweeps/fig.toml storing into data/fig.zarr; the
    working directory is a chapter folder two levels down; quick fidelity, no seed offset."""
    root = tmp_path / "proj"
    (root / "sweeps").mkdir(parents=True)
    (root / "chapters" / "part").mkdir(parents=True)
    (root / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    write_modules(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    slow_spec(root / "sweeps", "data/fig.zarr", name="fig.toml",
              extra="[quick]\n[quick.grid]\nx = [1, 3]\n")
    log = tmp_path / "log"
    log.mkdir()
    for var in ("THERMOBOOK_SEED", "THERMOBOOK_FIDELITY", "THERMOBOOK_ROOT", "SWEEP_TEST_PAUSE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("SWEEP_TEST_LOG", str(log))
    monkeypatch.setenv("THERMOLIB_CACHE", str(tmp_path / "cache"))
    monkeypatch.chdir(root / "chapters" / "part")
    runcache.reset_ledger()
    yield root, log
    runcache.reset_ledger()


def _seeds(ds):
    return (ds["seed_hi"].values.astype(np.int64) << 32) + ds["seed_lo"].values.astype(np.int64)


def _clear(log):
    for f in log.iterdir():
        f.unlink()


def test_quick_fidelity_computes_the_quick_subset_through_the_run_cache(project):
    root, log = project
    ds = sw.load_or_compute("sweeps/fig.toml")
    assert ds.attrs["fidelity"] == "quick" and ds.attrs["spec_path"].endswith("sweeps/fig.toml")
    assert list(ds["x"].values) == [1, 3] and list(ds["y"].values) == GRID_Y
    assert bool(ds["done"].all()) and np.isfinite(ds["cpu_seconds"]).all()
    assert len(calls(log)) == 8 and not (root / "data").exists()  # quick never writes data/
    ledger = runcache.cost_ledger()
    assert len(ledger) == 8 and not any(e["cached"] for e in ledger)
    assert {e["name"] for e in ledger} == {"sweephelp:slow_point"}
    # the quick points carry the full sweep's per-point seeds
    full = sw.Sweep.from_spec(root / "sweeps" / "fig.toml")
    expect = [[full.point_seed(full.grid_spec.flat_index({"x": x, "y": y})) for y in GRID_Y]
              for x in (1, 3)]
    np.testing.assert_array_equal(_seeds(ds), expect)
    # again: everything from the run cache, same numbers, each point's cost in the ledger
    _clear(log)
    again = sw.load_or_compute("sweeps/fig.toml")
    assert calls(log) == [] and again["value"].values.tobytes() == ds["value"].values.tobytes()
    second = runcache.cost_ledger()[8:]
    assert len(second) == 8 and all(e["cached"] for e in second)
    # the run cache times the whole cached call, the dataset the evaluation inside it
    assert all(e["seconds"] >= c for e, c in zip(second, ds["cpu_seconds"].values.ravel()))


def test_a_finished_store_is_used_at_any_fidelity_and_matches_the_quick_points(project):
    root, log = project
    quick = sw.load_or_compute("sweeps/fig.toml")
    full = sw.run(root / "sweeps" / "fig.toml", workers=0, progress=False)  # data/fig.zarr
    assert (root / "data" / "fig.zarr").exists()
    runcache.reset_ledger()
    _clear(log)
    ds = sw.load_or_compute("sweeps/fig.toml")
    assert ds.attrs["fidelity"] == "paper" and ds.attrs["source"].startswith("store ")
    assert ds.sizes == {"x": 6, "y": 4} and calls(log) == []
    ledger = runcache.cost_ledger()
    assert len(ledger) == 24 and all(e["cached"] for e in ledger)
    # same seeds and run settings: the quick points are the store's points, bit for bit
    assert quick["value"].values.tobytes() == full["value"].sel(x=[1, 3]).values.tobytes()


def test_paper_fidelity_fills_the_store_and_resumes_after_a_kill(project, monkeypatch):
    root, log = project
    monkeypatch.setenv("THERMOBOOK_FIDELITY", "paper")
    monkeypatch.setenv("SWEEP_TEST_INTERRUPT_AT", "3")  # Ctrl-C while computing x = 3
    with pytest.raises(KeyboardInterrupt):
        sw.load_or_compute("sweeps/fig.toml", workers=0)
    stored = sw.load(root / "data" / "fig.zarr")
    n_before = int(stored["done"].sum())
    assert 0 < n_before < 24 and stored.attrs["runs"][-1]["interrupted"]
    monkeypatch.delenv("SWEEP_TEST_INTERRUPT_AT")
    _clear(log)
    runcache.reset_ledger()
    ds = sw.load_or_compute("sweeps/fig.toml", workers=0)
    assert ds.attrs["fidelity"] == "paper" and bool(ds["done"].all())
    assert len(calls(log)) == 24 - n_before  # only the missing points
    ledger = runcache.cost_ledger()
    assert len(ledger) == 24 and sum(not e["cached"] for e in ledger) == 24 - n_before
    assert ds.attrs["cpu_seconds"] == pytest.approx(float(ds["cpu_seconds"].sum()))


def test_seed_offset_runs_never_read_or_write_the_unshifted_store(project, monkeypatch):
    root, log = project
    unshifted = root / "data" / "fig.zarr"
    sw.run(root / "sweeps" / "fig.toml", workers=0, progress=False)
    before = {p.relative_to(unshifted): p.read_bytes() for p in unshifted.rglob("*") if p.is_file()}
    monkeypatch.setenv("THERMOBOOK_SEED", "2")
    assert sw.load_if_present(unshifted) is None
    quick = sw.load_or_compute("sweeps/fig.toml")
    assert quick.attrs["fidelity"] == "quick" and quick.attrs["seed_offset"] == 2
    shifted = 3 + 2 * fidelity.SEED_STRIDE
    assert quick.attrs["seed"] == shifted
    assert _seeds(quick)[0, 0] == sw.point_seed(shifted, {"x": 1, "y": 0.0})
    monkeypatch.setenv("THERMOBOOK_FIDELITY", "paper")
    paper = sw.load_or_compute("sweeps/fig.toml", workers=0)
    assert paper.attrs["path"] == str(root / "data" / "fig.seed2.zarr")
    after = {p.relative_to(unshifted): p.read_bytes() for p in unshifted.rglob("*") if p.is_file()}
    assert after == before


def test_stores_are_found_from_the_project_root_whatever_the_working_directory(project, monkeypatch):
    root, _ = project
    sw.run(root / "sweeps" / "fig.toml", workers=0, progress=False)
    assert sw.load_if_present("data/fig.zarr") is not None  # from chapters/part
    assert "done:       24/24" in sw.status("data/fig.zarr")
    elsewhere = root.parent / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert sw.load_if_present("data/fig.zarr") is None
    monkeypatch.setenv("THERMOBOOK_ROOT", str(root))
    assert sw.project_root() == root
    assert sw.load_or_compute("sweeps/fig.toml").attrs["fidelity"] == "paper"
    shutil.rmtree(root / "data")
    with pytest.raises(sw.SweepError, match="THERMOBOOK_ROOT"):
        monkeypatch.setenv("THERMOBOOK_ROOT", str(root / "missing"))
        sw.project_root()


def test_progress_without_a_terminal_is_a_line_every_few_percent(monkeypatch):
    monkeypatch.setattr(progress_mod, "LINE_SECONDS", 0.0)
    out = io.StringIO()
    bar = progress_mod.Progress(200, 20, "sim.x", stream=out)
    for _ in range(180):
        bar.update(1)
    bar.close()
    lines = out.getvalue().splitlines()
    # from 10 % (20 already done) to 100 % in steps of 5 %: 18 lines, the last at 200/200
    assert len(lines) == 18 and lines[0].startswith("thermolib: sim.x: 30/200 points (15 %)")
    assert lines[-1].startswith("thermolib: sim.x: 200/200 points (100 %)")
    quiet = io.StringIO()
    bar = progress_mod.Progress(10, 0, "sim.x", stream=quiet, enabled=False)
    bar.update(10)
    assert quiet.getvalue() == ""
