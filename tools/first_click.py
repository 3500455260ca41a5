"""First simulate-click latency of the explorers, as a reader meets it (fresh process per step).

    python tools/first_click.py [--python PY]

For each scenario a fresh numba cache directory (NUMBA_CACHE_DIR) is used: optionally a warm-up
(``thermolib.sim.warmup()``, what binder/postBuild runs at image build time) under one CPU name,
then, in a new process (a reader's kernel), one click of each explorer at its defaults (NDC: t = 800,
8 realizations; diode: 5 x (t = 220, 1024 realizations)) under another. Prints seconds per click.
Scenarios: no warm-up; warm-up and click on this CPU (the old postBuild); warm-up on another CPU
model (NUMBA_CPU_NAME=skylake-avx512) and click on this one; warm-up and click with
NUMBA_CPU_NAME=generic (the new postBuild + binder/start: the cache key names no host CPU).
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CLICK = """
import json, time
from explorers import NDCExplorer, DiodeExplorer
out = {}
for name, cls in (("ndc", NDCExplorer), ("diode", DiodeExplorer)):
    e = cls()
    t0 = time.perf_counter(); e.run(); out[name] = time.perf_counter() - t0
    assert e.status.value.startswith("done"), e.status.value
    t0 = time.perf_counter(); e.seed.value += 1; e.run(); out[name + "_second"] = time.perf_counter() - t0
print(json.dumps(out))
"""
WARMUP = "import thermolib.sim as s; s.warmup()"


def run(py, code, cache, cpu):
    env = {k: v for k, v in os.environ.items() if k not in ("NUMBA_CPU_NAME", "NUMBA_CPU_FEATURES")}
    env.update(NUMBA_CACHE_DIR=cache, THERMOLIB_CACHE="")
    if cpu:
        env["NUMBA_CPU_NAME"] = cpu
    proc = subprocess.run([py, "-c", code], cwd=ROOT / "chapters", env=env, capture_output=True,
                          text=True, check=True)
    return proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else ""


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--python", default=sys.executable, help="interpreter of the environment")
    args = ap.parse_args(argv)
    scenarios = [("no warm-up", None, None), ("warm-up and click on this CPU", "", ""),
                 ("warm-up on another CPU (skylake-avx512)", "skylake-avx512", ""),
                 ("warm-up and click as NUMBA_CPU_NAME=generic", "generic", "generic")]
    for label, warm_cpu, click_cpu in scenarios:
        with tempfile.TemporaryDirectory(prefix="thermobook-numba-") as cache:
            if warm_cpu is not None:
                run(args.python, WARMUP, cache, warm_cpu)
            res = json.loads(run(args.python, CLICK, cache, click_cpu))
        print(f"{label:45s} NDC first click {res['ndc']:6.1f} s (next {res['ndc_second']:.2f} s), "
              f"diode first click {res['diode']:6.1f} s (next {res['diode_second']:.2f} s)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
