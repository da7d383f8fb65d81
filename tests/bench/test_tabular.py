"""The tabular benchmark: the search side sees validation and cost only."""

import dataclasses

import numpy as np
import pytest

from nasbench_suite.bench.tabular import Observation, TabularBenchmark
from nasbench_suite.errors import NasBenchError, UnknownNameError


def test_observation_has_no_test_field():
    assert not [f.name for f in dataclasses.fields(Observation) if "test" in f.name]


def test_search_table_holds_no_test_column(bench, store):
    held = [bench._search.valid[12], bench._search.valid[200], bench._search.valid_seeds,
            bench._search.epoch_time]
    tests = [v for k, v in store.columns.items() if k.startswith("test_acc")]
    for a in held:
        assert not any(np.shares_memory(a, t) for t in tests)


def test_evaluate_returns_validation_and_cost(bench, store):
    obs = bench.evaluate(6111)
    assert obs.valid_acc == pytest.approx(91.6067, abs=1e-3)
    assert obs.valid_acc != pytest.approx(store.column("test_acc", "cifar10")[6111])
    assert obs.cost_s == pytest.approx(store.column("train_time_s", "cifar10-valid")[6111])
    twelve = bench.evaluate(6111, fidelity=12)
    assert twelve.valid_acc == pytest.approx(store.column("valid_acc_12ep", "cifar10-valid")[6111])
    assert twelve.cost_s == pytest.approx(obs.cost_s * 12 / 200)
    arch = store.index_map.arch_str(6111)
    assert bench.evaluate(arch) == obs == bench.evaluate(store.index_map.ops(6111))


def test_seed_noise_draws_from_callers_generator(store):
    bench = TabularBenchmark("cifar100", noise="seed", store=store)
    seeds = store.column("valid_acc_seeds", "cifar100")[42]
    a = [bench.evaluate(42, np.random.default_rng(7)) for _ in range(3)]
    assert len({o.valid_acc for o in a}) == 1  # same generator state, same draw
    rng = np.random.default_rng(0)
    draws = {bench.evaluate(42, rng).seed for _ in range(60)}
    assert draws == {s for s, v in zip((777, 888, 999), seeds) if not np.isnan(v)}
    obs = bench.evaluate(42, np.random.default_rng(1))
    assert obs.valid_acc in seeds.tolist()
    with pytest.raises(NasBenchError, match="needs the caller's numpy Generator"):
        bench.evaluate(42)
    with pytest.raises(NasBenchError, match="only for 200 epochs"):
        bench.evaluate(42, np.random.default_rng(0), fidelity=12)


def test_vectorised_matches_scalar(bench):
    idx = np.random.default_rng(0).integers(0, 15625, 1000)
    acc, cost = bench.evaluate_many(idx)
    assert np.allclose(acc, [bench.evaluate(int(i)).valid_acc for i in idx])
    assert np.allclose(cost, [bench.evaluate(int(i)).cost_s for i in idx])


def test_report_holds_everything(bench):
    rep = bench.report(6111, "cifar10")
    assert rep.test_acc == pytest.approx(94.3733, abs=1e-3)
    from nasbench_suite.bench.cost import cost

    assert rep.params_m == pytest.approx(cost(bench.store.index_map.ops(6111))[0]) == 1.073466
    assert len(rep.latency_ms) == 27
    assert np.isnan(rep.valid_acc)  # cifar10 has no validation split
    assert bench.test_accuracy([6111], "cifar10")[0] == pytest.approx(94.3733, abs=1e-3)


def test_latency_device_and_errors(store):
    bench = TabularBenchmark("ImageNet16-120", fidelity=12, latency_device="pixel3", store=store)
    assert bench.evaluate(3).latency_ms == pytest.approx(store.latency("pixel3")[3])
    with pytest.raises(NasBenchError, match="search on cifar10-valid"):
        TabularBenchmark("cifar10", store=store)
    with pytest.raises(UnknownNameError, match="unknown dataset 'mnist'"):
        TabularBenchmark("mnist", store=store)
    with pytest.raises(UnknownNameError, match="fidelity"):
        TabularBenchmark(fidelity=50, store=store)
    with pytest.raises(UnknownNameError, match="noise"):
        TabularBenchmark(noise="gauss", store=store)
