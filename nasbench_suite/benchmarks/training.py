"""Real training of NB201 cells as the benchmark ``training`` (cost: real seconds).

The benchmark is :class:`nasbench_suite.train.benchmark.TrainingBenchmark` (trainer, data and
cache live in :mod:`nasbench_suite.train`); this module registers it. Torch is imported on the
first evaluation, never by registering.
"""

from __future__ import annotations

from nasbench_suite.benchmarks.base import register_benchmark
from nasbench_suite.train.benchmark import INFO, TrainingBenchmark

register_benchmark("training")(TrainingBenchmark)


__all__ = ["INFO", "TrainingBenchmark"]
