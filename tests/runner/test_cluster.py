"""The simulated cluster: W = 1 is the sequential loop; more workers, more evaluations in time."""

from __future__ import annotations

import math

import pytest

from nasbench_suite.errors import NasBenchError
from nasbench_suite.runner.cluster import ClusterState, simulate
from nasbench_suite.strategies import create_strategy
from tests.strategies.mf_fakes import ToyBench, ToySpace


def _sequential(searcher, bench, budget):
    """The runner's historical loop: ask, evaluate, stop before crossing the budget, tell."""
    clock, rows = 0.0, []
    while True:
        cand = searcher.ask()
        obs, cost = bench.evaluate(cand.arch_index, cand.fidelity, cand.resume_from)
        if clock + cost > budget:
            return rows
        clock += cost
        rows.append((clock, cand, obs.valid_acc))
        searcher.tell(cand, obs)


def _simulated(searcher, bench, budget, workers, state=None):
    rows = []
    evaluate = lambda c: bench.evaluate(c.arch_index, c.fidelity, c.resume_from)
    for f in simulate(searcher.ask, evaluate, workers, budget, None, state):
        rows.append((f.time_s, f.candidate, f.observation.valid_acc))
        searcher.tell(f.candidate, f.observation)
    return rows


@pytest.mark.parametrize("name", ["random", "rea", "asha", "median_stopping"])
def test_one_worker_is_the_sequential_loop(name):
    space = ToySpace()
    bench = ToyBench(space)
    kw = {"fidelities": bench.fidelities} if name in ("asha", "median_stopping") else {}
    if name in ("random", "rea"):  # single fidelity: evaluate at the top one
        class Top(ToyBench):
            def evaluate(self, arch, fidelity, from_fidelity=None):
                return super().evaluate(arch, fidelity or 81, from_fidelity)
        bench = Top(space)
    a = _sequential(create_strategy(name, space, seed=3, **kw), bench, 30_000.0)
    b = _simulated(create_strategy(name, space, seed=3, **kw), bench, 30_000.0, 1)
    assert a == b and len(a) > 10


@pytest.mark.parametrize("name", ["asha", "dehb", "async_hyperband"])
def test_more_workers_more_evaluations_by_the_same_time(name):
    space = ToySpace()
    bench = ToyBench(space)
    counts = []
    for w in (1, 4, 8):
        s = create_strategy(name, space, seed=0, fidelities=bench.fidelities)
        rows = _simulated(s, bench, 20_000.0, w)
        assert all(t <= 20_000.0 for t, _, _ in rows)
        assert [t for t, _, _ in rows] == sorted(t for t, _, _ in rows)
        counts.append(len(rows))
    assert counts[0] < counts[1] < counts[2]


def test_asynchronous_asha_never_idles_synchronous_dehb_waits():
    space = ToySpace()
    bench = ToyBench(space)
    idle = {}
    for name in ("asha", "dehb"):
        state = ClusterState()
        s = create_strategy(name, space, seed=0, fidelities=bench.fidelities)
        _simulated(s, bench, 20_000.0, 8, state)
        idle[name] = state.idle_s
    assert idle["asha"] == 0.0 and idle["dehb"] > 0.0


def test_budgets_and_stop_reasons():
    space = ToySpace()
    bench = ToyBench(space)
    state = ClusterState()
    s = create_strategy("asha", space, seed=0, fidelities=bench.fidelities)
    evaluate = lambda c: bench.evaluate(c.arch_index, c.fidelity, c.resume_from)
    rows = list(simulate(s.ask, evaluate, 4, math.inf, 7, state))
    assert len(rows) == 7 and state.stop == "eval_budget" and state.started == 7
    state = ClusterState()
    s = create_strategy("asha", space, seed=0, fidelities=bench.fidelities)
    rows = list(simulate(s.ask, evaluate, 4, 25.0, None, state))
    assert state.stop == "time_budget" and state.discarded >= 1
    with pytest.raises(NasBenchError, match="positive integer"):
        list(simulate(s.ask, evaluate, 0))


def test_a_searcher_that_waits_with_nothing_running_ends_the_run():
    state = ClusterState()
    rows = list(simulate(lambda: None, lambda c: (None, 1.0), 2, 10.0, None, state))
    assert rows == [] and state.stop == "exhausted"
