"""Benchmarks: the NB201 store (build / load / verify) and the tabular benchmark on top of it."""

from nasbench_suite.bench.datasets import DATASET_NAMES, DATASETS, SEEDS, dataset_name
from nasbench_suite.bench.store import Store, open_store
from nasbench_suite.bench.tabular import CellReport, Observation, TabularBenchmark

__all__ = [
    "DATASETS", "DATASET_NAMES", "SEEDS", "CellReport", "Observation", "Store",
    "TabularBenchmark", "dataset_name", "open_store",
]
