"""Benchmarks behind one interface: one module per benchmark, found by the registry.

``nasbench_suite.benchmarks.base`` defines :class:`Benchmark`, :class:`Observation` and the
registry (``create_benchmark``, ``list_benchmarks``). Every other module of this package defines
and registers one benchmark; the registry imports them all on first use, so adding a benchmark
touches no other file.
"""

from nasbench_suite.benchmarks.base import (
    Benchmark,
    BenchmarkInfo,
    Observation,
    Provenance,
    create_benchmark,
    get_benchmark,
    list_benchmarks,
    register_benchmark,
)

__all__ = [
    "Benchmark", "BenchmarkInfo", "Observation", "Provenance", "create_benchmark",
    "get_benchmark", "list_benchmarks", "register_benchmark",
]
