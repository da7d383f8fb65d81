"""The training benchmark: cache, export to a tabular store, a strategy end to end, the CLI."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from nasbench_suite.bench.store import Store
from nasbench_suite.bench.tabular import Observation, TabularBenchmark
from nasbench_suite.cli import main
from nasbench_suite.errors import DataError, NasBenchError, UnknownNameError
from nasbench_suite.train.benchmark import TrainingBenchmark, from_spec
from nasbench_suite.train.cache import export_store
from nasbench_suite.train.trainer import TrainConfig
from tests.train.conftest import RESNET_CELL

TINY = TrainConfig(batch_size=32, channels=4, cells_per_stage=1, num_threads=1)


@pytest.fixture()
def make_bench(cifar10_root, tmp_path, store):
    def make(**kw):
        args = {"dataset": "cifar10-valid", "epochs": 1, "seed": 0, "cache_dir": tmp_path / "cache",
                    "config": TINY, "data_root": cifar10_root, "index_map": store.index_map}
        return TrainingBenchmark(**{**args, **kw})
    return make


def test_evaluate_trains_once_then_reads_the_cache(make_bench, store, monkeypatch):
    bench = make_bench()
    index = store.index_map.index(RESNET_CELL)
    obs = bench.evaluate(RESNET_CELL)
    assert isinstance(obs, Observation) and obs.arch_index == index and obs.fidelity == 1
    assert 0 <= obs.valid_acc <= 100 and obs.cost_s > 0 and obs.seed == 0
    files = list((bench.cache.root).rglob("*.json"))
    assert len(files) == 1 and "cifar10-valid" in str(files[0]) and "e1-s0-nall" in str(files[0])
    assert not hasattr(obs, "test_acc")

    from nasbench_suite.train import trainer

    monkeypatch.setattr(trainer, "train", lambda *a, **k: pytest.fail("re-trained a cached cell"))
    again = make_bench().evaluate(index)  # a fresh benchmark, same cache folder
    assert again == obs
    assert bench.cost(index) == obs.cost_s and math.isnan(bench.cost(0))
    report = bench.report(index)
    assert report.valid_acc == obs.valid_acc and 0 <= report.test_acc <= 100
    assert bench.test_accuracy([index, 0], "cifar10-valid")[0] == report.test_acc
    assert math.isnan(bench.test_accuracy([index], "cifar10")[0])  # not trained on cifar10


def test_cache_key_separates_seed_subset_recipe_and_fidelity(make_bench):
    make_bench().evaluate(RESNET_CELL)
    make_bench(seed=1).evaluate(RESNET_CELL)
    make_bench(subset=50).evaluate(RESNET_CELL)
    make_bench(config=TrainConfig(batch_size=16, channels=4, cells_per_stage=1, num_threads=1)).evaluate(RESNET_CELL)
    obs = make_bench(fidelity_epochs={12: 1, 200: 2}).evaluate(RESNET_CELL, fidelity=200)
    assert obs.fidelity == 200
    files = sorted(p.relative_to(make_bench().cache.root).as_posix()
                   for p in make_bench().cache.root.rglob("*.json"))
    assert len(files) == 5, files
    assert any("/e2-s0-nall/" in f for f in files) and any("-n50/" in f for f in files)


def test_corrupt_cache_entry_is_named(make_bench):
    bench = make_bench()
    bench.evaluate(RESNET_CELL)
    path = next(bench.cache.root.rglob("*.json"))
    path.write_text("{not json")
    with pytest.raises(DataError, match=path.name):
        make_bench().evaluate(RESNET_CELL)


def test_export_round_trips_through_the_tabular_benchmark(make_bench, store, tmp_path):
    cells = [RESNET_CELL, store.index_map.arch_str(1), store.index_map.arch_str(2)]
    for seed in (0, 1):
        bench = make_bench(seed=seed, epochs=2)
        for arch in cells:
            bench.evaluate(arch)
    short = make_bench(seed=0, epochs=1)
    short_obs = short.evaluate(RESNET_CELL)
    out = export_store(tmp_path / "cache", tmp_path / "store", reference=store, full_epochs=2, short_epochs=1)
    exported = Store.load(out)
    assert exported.manifest["provenance"] == "trained by nasbench-suite"
    assert exported.manifest["train_seeds"] == {"cifar10-valid": [0, 1]}
    tab = TabularBenchmark("cifar10-valid", fidelity=200, store=exported)
    for arch in cells:
        idx = store.index_map.index(arch)
        runs = [make_bench(seed=s, epochs=2).evaluate(arch) for s in (0, 1)]
        obs = tab.evaluate(arch)
        assert obs.valid_acc == pytest.approx(np.mean([r.valid_acc for r in runs]))
        seeds = exported.column("valid_acc_seeds", "cifar10-valid")[idx]
        assert seeds[:2].tolist() == [r.valid_acc for r in runs] and math.isnan(seeds[2])
        tests = [make_bench(seed=s, epochs=2).report(arch).test_acc for s in (0, 1)]
        assert tab.test_accuracy([idx], "cifar10-valid")[0] == pytest.approx(np.mean(tests))
        assert obs.cost_s > 0
    assert tab.evaluate(RESNET_CELL, fidelity=12).valid_acc == short_obs.valid_acc
    untrained = store.index_map.index("|none~0|+|none~0|none~1|+|none~0|none~1|none~2|")
    assert math.isnan(tab.evaluate(untrained).valid_acc)
    assert exported.datasets == ("cifar10-valid",)  # only datasets that were trained
    with pytest.raises(UnknownNameError, match="valid_acc@cifar100"):
        exported.column("valid_acc", "cifar100")
    # the CLI gives the same store
    assert main(["bench", "export", str(tmp_path / "cache"), "--out", str(tmp_path / "cli-store"),
                 "--full-epochs", "2", "--short-epochs", "1"]) == 0
    again = Store.load(tmp_path / "cli-store")
    np.testing.assert_array_equal(again.column("valid_acc_seeds", "cifar10-valid"),
                                  exported.column("valid_acc_seeds", "cifar10-valid"))


def test_export_errors(make_bench, tmp_path, store, capsys):
    with pytest.raises(DataError, match="does not exist"):
        export_store(tmp_path / "nope", tmp_path / "s", reference=store)
    make_bench(subset=50).evaluate(RESNET_CELL)
    make_bench().evaluate(RESNET_CELL)
    with pytest.raises(DataError, match="--subset"):
        export_store(tmp_path / "cache", tmp_path / "s", reference=store, full_epochs=1)
    assert main(["bench", "export", str(tmp_path / "cache"), "--out", str(tmp_path / "s")]) == 2
    assert "several training subsets" in capsys.readouterr().err


def test_a_strategy_runs_end_to_end_through_the_runner_loop(make_bench, space):
    from nasbench_suite.runner.grid import RunSpec
    from nasbench_suite.runner.run import search

    bench = make_bench()
    run = RunSpec(experiment="train", strategy="random", label="random", dataset="cifar10-valid", run=0,
                  master_seed=0, spawn_key=(1, 2, 0),
                  benchmark={"type": "training", "fidelity": 1, "noise": "mean", "eval_overhead_s": 0.0,
                             "latency_device": None},
                  report_datasets=("cifar10-valid",), time_budget_s=None, eval_budget=4)
    outcome = search(run, bench, space)
    assert outcome.error is None, outcome.traceback
    assert outcome.n_evals == 4 and outcome.clock > 0
    rows = [json.loads(line) for line in outcome.lines]
    assert rows[-1]["incumbent_test_acc"]["cifar10-valid"] is not None
    best = max(rows, key=lambda r: r["valid_acc"])
    assert rows[-1]["incumbent_valid_acc"] == best["valid_acc"]


def test_from_spec_and_validation(store, tmp_path):
    b = from_spec({"type": "training", "fidelity": 12, "subset": 100, "cache_dir": str(tmp_path),
                   "channels": 8, "train_seed": 3}, "cifar100", store.index_map)
    assert (b.dataset, b.epochs, b.subset, b.seed, b.config.channels) == ("cifar100", 12, 100, 3, 8)
    with pytest.raises(NasBenchError, match="validation split"):
        TrainingBenchmark("cifar10")
    with pytest.raises(NasBenchError, match="epochs"):
        TrainingBenchmark(epochs=0)


def test_train_cli_json(cifar10_root, capsys):
    code = main(["train", RESNET_CELL, "--dataset", "cifar10-valid", "--epochs", "1", "--subset", "40",
                 "--channels", "4", "--cells", "1", "--batch-size", "16", "--data-root", str(cifar10_root),
                 "--json"])
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    for k in ("arch", "dataset", "epochs", "train_acc", "valid_acc", "epoch_times_s", "test_acc"):
        assert k in out
    assert out["dataset"] == "cifar10-valid" and out["subset"] == 40 and len(out["epoch_times_s"]) == 1


def test_train_cli_errors_are_one_line(tmp_path, capsys):
    assert main(["train", RESNET_CELL, "--data-root", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("nasbench-suite: error:") and "not found" in err and "\n" not in err
    assert main(["train", "|bogus~0|", "--data-root", str(tmp_path)]) == 2
