"""The result cache returns the stored object for an identical call and recomputes otherwise."""
import dataclasses

import pytest

from thermolib import runcache
from thermolib.fidelity import choose, fidelity


@dataclasses.dataclass(frozen=True)
class _Model:
    a: float


calls = []


def _simulate(model, T, *, seed):
    calls.append((model, T, seed))
    return {"current": model.a * T + seed}


def test_without_cache_dir_every_call_computes(monkeypatch):
    monkeypatch.delenv(runcache.ENV, raising=False)
    calls.clear()
    runcache.cached(_simulate, _Model(1.0), 2.0, seed=1)
    runcache.cached(_simulate, _Model(1.0), 2.0, seed=1)
    assert len(calls) == 2


def test_identical_call_is_served_from_disk(monkeypatch, tmp_path):
    monkeypatch.setenv(runcache.ENV, str(tmp_path))
    calls.clear()
    first = runcache.cached(_simulate, _Model(1.0), 2.0, seed=1)
    again = runcache.cached(_simulate, _Model(1.0), 2.0, seed=1)
    assert first == again == {"current": 3.0}
    assert len(calls) == 1


@pytest.mark.parametrize("change", [dict(model=_Model(1.5)), dict(T=3.0), dict(seed=2)])
def test_any_changed_argument_recomputes(monkeypatch, tmp_path, change):
    monkeypatch.setenv(runcache.ENV, str(tmp_path))
    calls.clear()
    base = dict(model=_Model(1.0), T=2.0, seed=1)
    runcache.cached(_simulate, base["model"], base["T"], seed=base["seed"])
    new = {**base, **change}
    runcache.cached(_simulate, new["model"], new["T"], seed=new["seed"])
    assert len(calls) == 2


def test_truncated_cache_file_is_recomputed(monkeypatch, tmp_path):
    monkeypatch.setenv(runcache.ENV, str(tmp_path))
    calls.clear()
    runcache.cached(_simulate, _Model(1.0), 2.0, seed=1)
    (path,) = tmp_path.glob("*.pkl")
    path.write_bytes(b"\x80")  # a file cut short by a killed run
    assert runcache.cached(_simulate, _Model(1.0), 2.0, seed=1) == {"current": 3.0}
    assert len(calls) == 2


def test_fidelity_switch(monkeypatch):
    monkeypatch.delenv("THERMOBOOK_FIDELITY", raising=False)
    assert fidelity() == "quick" and choose(1, 2) == 1
    monkeypatch.setenv("THERMOBOOK_FIDELITY", "paper")
    assert choose(1, 2) == 2
    monkeypatch.setenv("THERMOBOOK_FIDELITY", "fast")
    with pytest.raises(ValueError, match="THERMOBOOK_FIDELITY"):
        fidelity()
