"""The result cache: an identical call is served from disk, anything that could change the result
gives a new key (arguments, the function's code and data, thermolib's own source), a damaged or
foreign entry is recomputed and never returned, and a result that cannot be stored is still
returned without leaving files behind."""
import dataclasses
import functools
import pickle

import numpy as np
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


@pytest.fixture
def cache(monkeypatch, tmp_path):
    monkeypatch.setenv(runcache.ENV, str(tmp_path))
    calls.clear()
    return tmp_path


def test_without_cache_dir_every_call_computes(monkeypatch):
    monkeypatch.delenv(runcache.ENV, raising=False)
    calls.clear()
    runcache.cached(_simulate, _Model(1.0), 2.0, seed=1)
    runcache.cached(_simulate, _Model(1.0), 2.0, seed=1)
    assert len(calls) == 2


def test_identical_call_is_served_from_disk(cache):
    first = runcache.cached(_simulate, _Model(1.0), 2.0, seed=1)
    again = runcache.cached(_simulate, _Model(1.0), 2.0, seed=1)
    assert first == again == {"current": 3.0}
    assert len(calls) == 1
    # the same values in another numeric type are the same call (canonical form: 2 == 2.0)
    runcache.cached(_simulate, _Model(np.float64(1.0)), np.int64(2), seed=np.int32(1))
    assert len(calls) == 1


@pytest.mark.parametrize("change", [dict(model=_Model(1.5)), dict(T=3.0), dict(seed=2)])
def test_any_changed_argument_recomputes(cache, change):
    base = dict(model=_Model(1.0), T=2.0, seed=1)
    runcache.cached(_simulate, base["model"], base["T"], seed=base["seed"])
    new = {**base, **change}
    runcache.cached(_simulate, new["model"], new["T"], seed=new["seed"])
    assert len(calls) == 2


def test_a_change_of_thermolib_source_changes_every_key(monkeypatch):
    key = runcache.cache_key(_simulate, (_Model(1.0), 2.0), {"seed": 1})
    assert len(runcache.source_digest()) == 64
    monkeypatch.setattr(runcache, "source_digest", lambda: "0" * 64)
    assert runcache.cache_key(_simulate, (_Model(1.0), 2.0), {"seed": 1}) != key


def test_two_lambdas_and_two_closures_get_distinct_keys(cache):
    f = lambda x: x + 1  # noqa: E731
    g = lambda x: x * 10  # noqa: E731
    assert runcache.cached(f, 3) == 4 and runcache.cached(g, 3) == 30
    assert runcache.cached(f, 3) == 4  # and each finds its own entry again

    def make(c):
        return lambda x: x + c

    assert runcache.cached(make(1), 1) == 2 and runcache.cached(make(5), 1) == 6
    assert runcache.cache_key(make(1), (1,), {}) == runcache.cache_key(make(1), (1,), {})


def test_an_edited_notebook_function_and_its_global_data_change_the_key():
    ns = {"scale": 2.0}
    exec("def run(x):\n    return scale * x\n", ns)
    k1 = runcache.cache_key(ns["run"], (1.0,), {})
    ns["scale"] = 3.0
    k2 = runcache.cache_key(ns["run"], (1.0,), {})
    exec("def run(x):\n    return scale * x + 1\n", ns)  # same name, new body
    k3 = runcache.cache_key(ns["run"], (1.0,), {})
    assert len({k1, k2, k3}) == 3


def test_partial_and_bound_methods_are_keyed_by_their_parts(cache):
    p1 = functools.partial(_simulate, _Model(1.0), seed=1)
    p2 = functools.partial(_simulate, _Model(2.0), seed=1)
    assert runcache.cached(p1, 2.0) == {"current": 3.0}
    assert runcache.cached(p2, 2.0) == {"current": 5.0}
    assert runcache.cached(p1, 2.0) == {"current": 3.0}
    assert len(calls) == 2
    assert runcache.cache_key(_Model(1.0).__eq__, (1,), {}) != runcache.cache_key(_Model(2.0).__eq__, (1,), {})


def test_arguments_without_canonical_form_are_refused_naming_them(cache):
    with pytest.raises(TypeError, match="argument 1"):
        runcache.cached(_simulate, _Model(1.0), object(), seed=1)
    with pytest.raises(TypeError, match="fn must be callable"):
        runcache.cached("not a function", 1)
    assert calls == []


def _entry(tmp_path):
    (path,) = tmp_path.glob("*.pkl")
    return path


@pytest.mark.parametrize("damage", ["truncate", "flip_payload_byte", "plain_pickle", "empty"])
def test_a_damaged_entry_is_recomputed_never_returned(cache, damage):
    runcache.cached(_simulate, _Model(1.0), 2.0, seed=1)
    path = _entry(cache)
    raw = path.read_bytes()
    if damage == "truncate":
        path.write_bytes(raw[: len(raw) - 5])
    elif damage == "flip_payload_byte":
        path.write_bytes(raw[:-3] + bytes([raw[-3] ^ 0x40]) + raw[-2:])
    elif damage == "plain_pickle":  # the format of an older thermolib, or anyone else's pickle
        path.write_bytes(pickle.dumps({"result": {"current": -1.0}, "seconds": 0.0}))
    else:
        path.write_bytes(b"")
    assert runcache.cached(_simulate, _Model(1.0), 2.0, seed=1) == {"current": 3.0}
    assert len(calls) == 2


def test_a_foreign_entry_under_this_name_is_not_returned(cache):
    runcache.cached(_simulate, _Model(1.0), 2.0, seed=1)
    other = _entry(cache)
    content = other.read_bytes()  # a valid entry, but of another call
    key = runcache.cache_key(_simulate, (_Model(1.0), 7.0), {"seed": 1})
    (cache / f"_simulate-{key}.pkl").write_bytes(content)
    assert runcache.cached(_simulate, _Model(1.0), 7.0, seed=1) == {"current": 8.0}
    assert len(calls) == 2


def _unpicklable(x):
    return lambda: x  # a local lambda cannot be pickled


def test_an_unpicklable_result_is_returned_and_nothing_is_left_behind(cache):
    with pytest.warns(RuntimeWarning, match="cannot be stored"):
        out = runcache.cached(_unpicklable, 4)
    assert out() == 4
    assert list(cache.iterdir()) == []  # no entry, no temporary file


def test_the_ledger_records_computed_and_cached_results(cache):
    runcache.reset_ledger()
    runcache.cached(_simulate, _Model(1.0), 2.0, seed=1)
    runcache.cached(_simulate, _Model(1.0), 2.0, seed=1)
    led = runcache.cost_ledger()
    assert [e["cached"] for e in led] == [False, True]
    assert led[0]["seconds"] == led[1]["seconds"]  # the cached entry reports the original cost
    tot = runcache.total_cost()
    assert tot["results"] == 2 and tot["computed_now"] == 1
    runcache.reset_ledger()


def test_fidelity_switch(monkeypatch):
    monkeypatch.delenv("THERMOBOOK_FIDELITY", raising=False)
    assert fidelity() == "quick" and choose(1, 2) == 1
    monkeypatch.setenv("THERMOBOOK_FIDELITY", "paper")
    assert choose(1, 2) == 2
    monkeypatch.setenv("THERMOBOOK_FIDELITY", "fast")
    with pytest.raises(ValueError, match="THERMOBOOK_FIDELITY"):
        fidelity()
