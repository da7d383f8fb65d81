"""NAS-Bench-201 (NATS-Bench TSS) tables as the benchmark ``nb201``.

The benchmark itself is :class:`nasbench_suite.bench.tabular.TabularBenchmark` (the store, its
search-side table and the reporting lookups live in :mod:`nasbench_suite.bench`); this module
registers it. ``create_benchmark("nb201", "cifar100", fidelity=12, noise="mean",
latency_device=None, store=None)`` builds one.
"""

from __future__ import annotations

from nasbench_suite.bench.tabular import INFO, TabularBenchmark
from nasbench_suite.benchmarks.base import register_benchmark

NB201Benchmark = register_benchmark("nb201")(TabularBenchmark)

__all__ = ["INFO", "NB201Benchmark", "TabularBenchmark"]
