"""The MnasNet latency-aware objective and the objective factory."""

from __future__ import annotations

import math

import numpy as np
import pytest

from nasbench_suite.bench.tabular import Observation, TabularBenchmark
from nasbench_suite.errors import NasBenchError
from nasbench_suite.strategies import create_strategy
from nasbench_suite.strategies.base import validation_objective
from nasbench_suite.strategies.objectives import (
    LatencyObjective,
    latency_objective,
    make_objective,
)


def _obs(acc, latency):
    return Observation(0, acc, 1.0, 200, None, latency)


def test_latency_objective_formula_and_preference():
    f = latency_objective(10.0)
    assert f(_obs(90.0, 10.0)) == pytest.approx(90.0)
    assert f(_obs(90.0, 20.0)) == pytest.approx(90.0 * 2**-0.07)
    assert f(_obs(90.0, 5.0)) > f(_obs(90.0, 10.0)) > f(_obs(90.0, 20.0))  # faster is better
    assert math.isnan(f(_obs(math.nan, 5.0)))
    with pytest.raises(NasBenchError, match="latency_device"):
        f(_obs(90.0, None))


def test_latency_objective_on_the_real_benchmark(store, space):
    bench = TabularBenchmark("cifar10-valid", latency_device="pixel3", store=store)
    f = latency_objective(target_ms=10.0)
    valid, _ = bench.evaluate_many(np.arange(space.size))
    latency = store.latency("pixel3")
    # two cells with the same validation accuracy and different latency
    order = np.argsort(valid, kind="stable")
    same = np.flatnonzero((np.diff(valid[order]) == 0) & (np.diff(latency[order]) != 0))
    i, j = int(order[same[0]]), int(order[same[0] + 1])
    oi, oj = bench.evaluate(i), bench.evaluate(j)
    assert oi.valid_acc == oj.valid_acc and oi.latency_ms != oj.latency_ms
    faster, slower = (oi, oj) if oi.latency_ms < oj.latency_ms else (oj, oi)
    assert f(faster) > f(slower)
    # a searcher ranks with it
    rea = create_strategy("rea", space, seed=0, objective=f)
    cand = rea.ask()
    obs = bench.evaluate(cand.arch_index)
    rea.tell(cand, obs)
    assert rea.population[-1][1] == pytest.approx(obs.valid_acc * (obs.latency_ms / 10.0) ** -0.07)
    with pytest.raises(NasBenchError):
        rea.score(TabularBenchmark(store=store).evaluate(cand.arch_index))


def test_make_objective():
    assert make_objective(None) is validation_objective
    assert make_objective("valid_acc") is validation_objective
    assert make_objective({"name": "valid_acc"}) is validation_objective
    assert make_objective({"name": "latency", "target_ms": 5}) == LatencyObjective(5, -0.07)
    assert make_objective({"name": "latency", "target_ms": 5, "w": -0.1}) == LatencyObjective(
        5, -0.1
    )
    for bad in (
        {"name": "flops"},
        {"name": "latency"},
        {"name": "latency", "target_ms": 5, "beta": 1},
        {"name": "latency", "target_ms": 0},
        {"name": "latency", "target_ms": "fast"},
        {"name": "valid_acc", "w": 1},
        3,
    ):
        with pytest.raises(NasBenchError):
            make_objective(bad)
