"""Helpers shared by the sweep tests: tiny custom sweep functions, the command line, /proc."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np

PY = sys.executable
ROOT = Path(__file__).resolve().parents[1]

# A custom sweep function: logs every call (one file per call), may sleep, returns seed-derived
# numbers and the seed it was given (split in two exact float halves).
SLOW = '''
import os, time, uuid
import numpy as np

def slow_point(x, y, seed):
    log = os.environ.get("SWEEP_TEST_LOG")
    if log:
        open(os.path.join(log, f"{x}_{y}_{uuid.uuid4().hex}"), "w").close()
    time.sleep(float(os.environ.get("SWEEP_TEST_PAUSE", "0")))
    if os.environ.get("SWEEP_TEST_INTERRUPT_AT") == str(x):
        raise KeyboardInterrupt
    rng = np.random.default_rng(seed)
    return {"value": 10.0 * x + y + rng.standard_normal(), "value_err": rng.random(),
            "seed_hi": float(seed >> 32), "seed_lo": float(seed & 0xFFFFFFFF)}
'''

# A simulator that follows the contract: run_settings first (dt limit 0.1), then the work.
CONTRACT = '''
import os, uuid
import numpy as np
from thermolib.sim.contract import run_settings

def fake_sim(x, *, t, dt=None, burn_in=None, realizations, seed):
    t, dt, burn_in, realizations, seed = run_settings(
        t=t, dt=dt, burn_in=burn_in, realizations=realizations, seed=seed, default_dt=0.01,
        default_burn_in=0.0, dt_max=0.1, dt_limit_reason="stability of the fake")
    log = os.environ.get("SWEEP_TEST_LOG")
    if log:
        open(os.path.join(log, f"{x}_{uuid.uuid4().hex}"), "w").close()
    rng = np.random.default_rng(seed)
    return {"value": x + rng.standard_normal() / np.sqrt(realizations)}
'''

FLAKY = '''
def flaky(x, seed, bad_input=-1):
    if x == 2:
        raise FloatingPointError("the simulation diverged")  # physics: a failed point
    if x == bad_input:
        raise ValueError(f"dt is too large at x = {x}")       # input: stops the sweep
    return {"value": float(x)}
'''

SLOW_OUTPUTS = ["value", "value_err", "seed_hi", "seed_lo"]
GRID_X = [0, 1, 2, 3, 4, 5]
GRID_Y = [0.0, 0.5, 1.0, 1.5]


def write_modules(tmp_path: Path) -> dict:
    """Write the helper modules into ``tmp_path``; returns an environment that imports them."""
    for name, src in (("sweephelp", SLOW), ("contracthelp", CONTRACT), ("flakyhelp", FLAKY)):
        (tmp_path / f"{name}.py").write_text(src)
    return dict(os.environ, PYTHONPATH=f"{tmp_path}{os.pathsep}{os.environ.get('PYTHONPATH', '')}",
                THERMOBOOK_SEED="0")


def slow_spec(tmp_path: Path, store: str | Path, *, extra: str = "", name: str = "slow.toml") -> Path:
    """A 6 x 4 spec of ``slow_point`` writing to ``store``."""
    path = tmp_path / name
    path.write_text(textwrap.dedent(f"""\
        function = "sweephelp:slow_point"
        store = "{store}"
        seed = 3
        outputs = {SLOW_OUTPUTS!r}
        [grid]
        x = {GRID_X!r}
        y = {GRID_Y!r}
        """).replace("'", '"') + extra)
    return path


def cli(*args, env=None, timeout=180, cwd=ROOT):
    return subprocess.run([PY, "-m", "thermolib", *map(str, args)], capture_output=True, text=True,
                          env=env, timeout=timeout, cwd=cwd)


def _as_in_a_terminal():
    """SIGINT at its default, as for a command typed in a terminal: a test run started in the
    background (``cmd &``, nohup) inherits SIGINT ignored, and Python then ignores Ctrl-C."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start_cli(*args, env=None, cwd=ROOT):
    """The command line in its own session (so that the test can find all its processes)."""
    return subprocess.Popen([PY, "-m", "thermolib", *map(str, args)], env=env, cwd=cwd,
                            start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, preexec_fn=_as_in_a_terminal)


def session_processes(sid: int) -> list[tuple[int, str]]:
    """Live (not zombie) processes of session ``sid``: (pid, command line), from /proc."""
    out = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            fields = stat[stat.rindex(")") + 2:].split()  # after "pid (comm) "
            if fields[0] == "Z" or int(fields[3]) != sid:
                continue
            cmd = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except (OSError, ValueError, IndexError):
            continue
        out.append((int(entry.name), cmd.strip()))
    return out


def wait_until(predicate, timeout=60.0, step=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    return predicate()


def calls(log: Path) -> list[tuple[int, float]]:
    """The (x, y) of every logged call of ``slow_point``."""
    return sorted((int(x), float(y)) for x, y, _ in (f.name.split("_") for f in log.iterdir()))


def points_of(mask: np.ndarray) -> set[tuple[int, float]]:
    """The (x, y) grid points where ``mask`` (shape 6 x 4) is true."""
    return {(GRID_X[i], GRID_Y[j]) for (i, j), m in np.ndenumerate(mask) if m}


def assert_identical(a, b):
    """Bit-for-bit equality of every output, the done mask and the coordinates."""
    assert list(a.dims) == list(b.dims)
    for name in list(a.attrs["outputs"]) + ["done", "failed"]:
        assert a[name].values.tobytes() == b[name].values.tobytes(), name
    for name in a.coords:
        np.testing.assert_array_equal(a[name].values, b[name].values)
