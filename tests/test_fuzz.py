"""Fuzz test (issue 12): every public function and method of thermolib against NaN, inf, 0,
negatives, huge and tiny values, wrong types and numpy scalars.

Each call must end in a refusal that names the parameter (``ValueError``/``TypeError``), the
documented ``SimulationDiverged`` or ``ExactSolverError`` (naming the argument), or a finite
answer; never a raw internal error, a non-finite answer, an accepted wrong type, or a hang. The
rules and the automatic enumeration of the API are in ``tests/fuzz_engine.py``: a function added to ``__all__`` is fuzzed without editing this file.

The engine runs in a child process, watched here: a call that does not return within
``CALL_TIMEOUT`` seconds is a hang (the child is killed and restarted after that callable). One
test per public callable, in two sets: the diode half and the shared infrastructure, and the NDC
half (particle bath, chain and their simulators), whose failures are reported to its owner.
"""
from __future__ import annotations

import json
import os
import selectors
import subprocess
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import fuzz_engine  # noqa: E402

ENGINE = Path(__file__).with_name("fuzz_engine.py")
#: a single call (after the callable's baseline run, which may compile kernels) must return within
CALL_TIMEOUT = 20.0
#: finding a callable's baseline (compiles numba kernels on a cold cache)
BASELINE_TIMEOUT = 600.0

API = [(label, half) for label, half, _, _ in fuzz_engine.enumerate_api()]


def _run_engine(on_message=None):
    """Run the engine (restarting it after a hang); returns {label: (calls, failures)}.
    ``on_message`` (optional) sees every message of the engine, e.g. to count calls by value."""
    results, start = {}, 0
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    env.pop("THERMOLIB_CACHE", None)
    while start < len(API):
        proc = subprocess.Popen([sys.executable, str(ENGINE), "--start", str(start)],
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                                env=env)
        sel = selectors.DefaultSelector()
        sel.register(proc.stdout, selectors.EVENT_READ)
        current, begun, calls, pending = start, None, 0, []
        try:
            while True:
                timeout = CALL_TIMEOUT if begun else BASELINE_TIMEOUT
                t0 = time.monotonic()
                if not sel.select(timeout):
                    what = (f"{begun['param']}={begun['value']}" if begun else "baseline call")
                    results[API[current][0]] = (calls, pending + [
                        f"{what}: HANG (no return within {time.monotonic() - t0:.0f} s)"])
                    start = current + 1
                    break
                line = proc.stdout.readline()
                if not line:  # the engine finished (or died: the rest is reported as missing)
                    start = len(API)
                    break
                try:
                    msg = json.loads(line)
                except json.JSONDecodeError:
                    continue
                if on_message is not None:
                    on_message(msg)
                if "begin" in msg:
                    begun, calls = msg, calls + 1
                elif "fail" in msg:
                    pending.append(msg["msg"])
                else:
                    results[msg["label"]] = (msg["calls"], msg["failures"])
                    current, begun, calls, pending = msg["index"] + 1, None, 0, []
        finally:
            proc.kill()
            proc.wait()
    return results


@pytest.fixture(scope="module")
def fuzz_results():
    return _run_engine()


def _check(fuzz_results, label):
    assert label in fuzz_results, f"{label}: the engine did not report it (crashed?)"
    calls, failures = fuzz_results[label]
    assert not failures, f"{label}: {len(failures)} of {calls} hostile calls failed:\n" + \
        "\n".join(failures)


@pytest.mark.parametrize("label", [lab for lab, half in API if half == "diode"])
def test_fuzz_diode_half_and_infrastructure(fuzz_results, label):
    _check(fuzz_results, label)


@pytest.mark.parametrize("label", [lab for lab, half in API if half == "ndc"])
def test_fuzz_ndc_half(fuzz_results, label):
    _check(fuzz_results, label)
