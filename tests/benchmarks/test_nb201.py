"""The ``nb201`` and ``training`` benchmarks behind the seam (registry, info, provenance)."""

from __future__ import annotations

import numpy as np
import pytest

from nasbench_suite.bench.tabular import TabularBenchmark
from nasbench_suite.benchmarks import (
    Benchmark,
    Observation,
    create_benchmark,
    get_benchmark,
    list_benchmarks,
)
from nasbench_suite.errors import NasBenchError


def test_registered():
    assert {"nb201", "training"} <= set(list_benchmarks())
    assert get_benchmark("nb201") is TabularBenchmark
    with pytest.raises(NasBenchError, match="nb201"):
        get_benchmark("nb202")


def test_info_is_static():
    info = get_benchmark("nb201").info
    assert info.space == "nb201" and info.fidelities == (12, 200) and info.default_fidelity == 200
    assert info.search_datasets == ("cifar10-valid", "cifar100", "ImageNet16-120")
    assert "cifar10" in info.datasets and "cifar10" not in info.search_datasets
    assert {"accuracy", "latency", "params", "flops"} <= set(info.objectives)
    assert info.to_json()["fidelities"] == [12, 200]
    training = get_benchmark("training").info
    assert training.cost == "real" and "fashion-mnist" in training.search_datasets


def test_created_benchmark_answers_as_the_tabular_one(store, bench):
    made = create_benchmark("nb201", "cifar10-valid", store=store)
    assert isinstance(made, Benchmark) and made.fidelity == 200
    for i in (0, 100, 15624):
        assert made.evaluate(i) == bench.evaluate(i)
        assert isinstance(made.evaluate(i), Observation)
    assert made.space.size == 15625 and made.space.index_map is store.index_map
    assert made.report(7).to_json() == bench.report(7).to_json()
    assert np.array_equal(made.test_accuracy([1, 2], "cifar10"), bench.test_accuracy([1, 2], "cifar10"))


def test_from_spec_shares_one_store_per_process(store):
    cls = get_benchmark("nb201")
    a = cls.from_spec("cifar100", {"fidelity": 12, "noise": "mean", "latency_device": None})
    b = cls.from_spec("ImageNet16-120", {"fidelity": 200})
    assert a.store is b.store and a.fidelity == 12 and a.dataset == "cifar100"
    assert cls.spec_options() == ("fidelity", "noise", "latency_device")


def test_provenance_lists_the_raw_files_with_their_sha256(store, raw_dir):
    prov = create_benchmark("nb201", store=store).provenance()
    sums = {}
    for line in (raw_dir / "SHA256SUMS").read_text().splitlines():
        digest, name = line.split(maxsplit=1)
        sums[name.removeprefix("./")] = digest
    assert prov.sources and prov.store_checksum == store.checksum
    for name, digest in prov.sources.items():
        assert sums[name] == digest, name
    assert "NAS-Bench-201" in prov.citation


def test_training_benchmark_is_built_from_spec_options_without_training(tmp_path):
    cls = get_benchmark("training")
    bench = cls.from_spec("cifar100", {"fidelity": 12, "subset": 64, "cache_dir": str(tmp_path)})
    assert isinstance(bench, Benchmark) and bench.fidelity == 12 and bench.subset == 64
    assert "train_seed" in cls.spec_options() and bench.provenance().sources == {}
    assert bench.space.name == "nb201"
