"""The runner drives strategies on the real-training benchmark (Fashion-MNIST, tiny network)."""

import json
from pathlib import Path

import pytest

from nasbench_suite.errors import SpecError
from nasbench_suite.runner.spec import parse_spec
from tests.torch_threads import one_torch_thread  # noqa: F401  (one torch thread here)

FASHION = Path("/usr/share/datasets/fashion-mnist")


def _spec(tmp_path, **bench):
    return {
        "name": "train-demo",
        "seed": 3,
        "runs": 1,
        "strategies": ["random", "rea"],
        "benchmark": {"type": "training", "search_dataset": "fashion-mnist", "epochs": 1,
                      "subset": 256, "channels": 4, "cells_per_stage": 1, "batch_size": 64,
                      "cache_dir": str(tmp_path / "cache"), **bench},
        "budget": {"evals": 3},
    }


def test_training_options_rejected_for_tabular_and_fashion_mnist_needs_training(tmp_path):
    spec = _spec(tmp_path)
    spec["benchmark"]["type"] = "tabular"
    with pytest.raises(SpecError, match="unknown key"):
        parse_spec(spec)
    with pytest.raises(SpecError, match="use benchmark.type: training"):
        parse_spec({**spec, "benchmark": {"search_dataset": "fashion-mnist"}})


@pytest.mark.skipif(not FASHION.is_dir(), reason="needs Debian package dataset-fashion-mnist")
def test_strategies_run_end_to_end_on_the_training_benchmark(tmp_path):
    from nasbench_suite.runner.executors import run_grid
    from nasbench_suite.runner.grid import expand

    spec = parse_spec(_spec(tmp_path))
    assert spec.report_datasets == ("fashion-mnist",)
    result = run_grid(expand(spec), tmp_path / "runs", workers=1, quiet=True)
    assert {r.status for r in result.results} == {"complete"}, [r.error for r in result.results]
    for label in ("random", "rea"):
        rows = [json.loads(line) for line in
                (tmp_path / "runs" / label / "fashion-mnist" / "run-0000" / "trajectory.jsonl").open()]
        assert len(rows) == 3
        assert rows[-1]["time_s"] > 0 and 0 <= rows[-1]["incumbent_valid_acc"] <= 100
        assert rows[-1]["incumbent_test_acc"]["fashion-mnist"] > 10  # above chance after 1 epoch
    assert any((tmp_path / "cache").rglob("*.json"))
    # the cache becomes a tabular store for the user's own dataset, searchable like NB201
    import numpy as np

    from nasbench_suite.bench.store import Store
    from nasbench_suite.bench.tabular import TabularBenchmark
    from nasbench_suite.train.cache import export_store

    out = export_store(tmp_path / "cache", tmp_path / "fmnist-store", full_epochs=1, short_epochs=12)
    tab = TabularBenchmark("fashion-mnist", store=Store.load(out))
    trained = [row["arch_index"] for row in rows]
    assert not np.isnan(tab.evaluate_many(trained)[0]).any()
    assert tab.evaluate(trained[0]).valid_acc == rows[0]["valid_acc"]
