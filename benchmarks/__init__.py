"""Throughput benchmarks of the numba simulators against plain-numpy baselines (not tests).

Run ``python -m benchmarks [--json] [--quick]``. Each model module exposes ``run(quick) -> dict``.
"""
