"""``python -m benchmarks [--json] [--quick]``: throughput table of the numba simulators vs numpy.

Targets: >= 8x the numpy baseline measured in the same run (NDC full chain, and each code path of
the diode kernel: a cubic force fused into the BAOAB pass, a sine force through a buffer, eps = 0
alone). Absolute nanoseconds depend on the machine and its load; compare ratios.
"""
from __future__ import annotations

import argparse
import json
import sys
from importlib import import_module


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    ap.add_argument("--quick", action="store_true", help="shorter runs (noisier numbers)")
    args = ap.parse_args(argv)
    results: dict = {}
    for name in ("ndc", "diode"):
        try:
            mod = import_module(f"benchmarks.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"benchmarks.{name}":
                raise
            results[f"{name}_missing"] = True
            continue
        results.update(mod.run(quick=args.quick))
    if args.json:
        print(json.dumps(results))
        return 0
    rows = [
        ("NDC chain (N_b=40, N=8)", "ns / particle-step", "ndc_ns_per_particle_step",
         "ndc_numpy_ns_per_particle_step", "ndc_speedup_vs_numpy"),
        ("diode (quartic force)", "ns / realization-step", "diode_ns_per_realization_step",
         "diode_numpy_ns_per_realization_step", "diode_speedup_vs_numpy"),
        ("diode (sine force)", "ns / realization-step", "diode_cosine_ns_per_realization_step",
         "diode_numpy_ns_per_realization_step", "diode_cosine_speedup_vs_numpy"),
        ("diode (eps = 0 only)", "ns / realization-step", "diode_eps0_ns_per_realization_step",
         "diode_numpy_ns_per_realization_step", "diode_eps0_speedup_vs_numpy"),
    ]
    print(f"{'workload':26s} {'unit':22s} {'numba (1 thread)':>17s} {'numpy':>10s} {'speedup':>8s}")
    for label, unit, k_nb, k_np, k_sp in rows:
        if k_nb not in results:
            print(f"{label:26s} {unit:22s} {'(not available)':>17s}")
            continue
        print(f"{label:26s} {unit:22s} {results[k_nb]:17.2f} {results.get(k_np, float('nan')):10.1f} "
              f"{results.get(k_sp, float('nan')):7.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
