"""The ask/tell contract, checked for every registered strategy on every benchmark.

Parametrised over ``list_strategies()`` x (every benchmark of ``list_benchmarks()`` whose data
is present here, plus :class:`~tests.strategies.fakes.FakeBenchmark`, a conditional space that
is neither NB201 nor enumerable), so a new strategy or a new benchmark is tested on arrival.
Strategies that declare ``spaces`` run on those spaces only and must refuse the others with a
clear error; multi-fidelity strategies run where the benchmark has more than one fidelity.

Test-scale settings live here, not on the strategies: :data:`BUDGETS` (evaluations per run,
default 60) and :data:`KWARGS` (smaller warm-ups).
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from nasbench_suite.benchmarks import Observation, get_benchmark, list_benchmarks
from nasbench_suite.errors import NasBenchError
from nasbench_suite.strategies import Candidate, create_strategy, get_strategy, list_strategies
from tests.strategies.fakes import FakeBenchmark

STRATEGIES = list_strategies()
BUDGETS = {"bananas": 40, "proxy_search": 12, "rea_ws": 30, "gp_bo_ws": 20}
KWARGS = {"proxy_search": {"n_samples": 8}, "rea_ws": {"n_warmup": 16}, "gp_bo_ws": {"n_warmup": 16}}
ONE_SHOT_BUDGET = 3  # each ask is a training epoch
SEED_INDEPENDENT: set[str] = set()
BENCHMARKS = [*list_benchmarks(), "fake"]
_MADE: dict[str, object] = {}


def _budget(name: str) -> int:
    if get_strategy(name).evaluations_are_free:
        return ONE_SHOT_BUDGET
    return BUDGETS.get(name, 60)


@pytest.fixture(scope="module", params=BENCHMARKS)
def bench(request, store):
    """One benchmark per parameter: its default search dataset, or a skip when it cannot run."""
    name = request.param
    if name not in _MADE:
        if name == "fake":
            _MADE[name] = FakeBenchmark()
        elif get_benchmark(name).info.cost == "real":
            _MADE[name] = "trains networks for real (tests/train and tests/runner cover it)"
        else:
            try:
                cls = get_benchmark(name)
                _MADE[name] = cls.from_spec(cls.info.search_datasets[0], {})
            except NasBenchError as exc:  # data absent on this machine
                _MADE[name] = f"{name} data not available: {exc}"
    made = _MADE[name]
    if isinstance(made, str):
        pytest.skip(made)
    return made


def _make(name, bench, seed):
    cls = get_strategy(name)
    if not cls.supports(bench.space.name):
        pytest.skip(f"{name} works on {cls.spaces} only (refusal checked separately)")
    kwargs = dict(KWARGS.get(name, {}))
    if cls.multi_fidelity:
        if len(bench.fidelities) < 2:
            pytest.skip(f"{name} needs two fidelities; {bench.name} has {bench.fidelities}")
        kwargs["fidelities"] = bench.fidelities
    return create_strategy(name, bench.space, seed=seed, **kwargs)


def _check(candidate, bench) -> None:
    assert isinstance(candidate, Candidate)
    assert isinstance(candidate.arch_index, (int, np.integer))
    assert 0 <= candidate.arch_index < bench.space.size
    bench.space.config(int(candidate.arch_index))  # a valid configuration of the space
    assert candidate.fidelity is None or candidate.fidelity in bench.fidelities


def _loop(name, bench, seed, steps, nan_every=0, start=None):
    """Run ``steps`` ask/evaluate/tell steps; every ``nan_every``-th observation gets NaN."""
    searcher = start or _make(name, bench, seed)
    rng = np.random.default_rng(seed)
    proposals = []
    for step in range(steps):
        cand = searcher.ask()
        if cand is None and start is not None and get_strategy(name).multi_fidelity:
            break  # a synchronous rung still waits for results lost when the run stopped
        _check(cand, bench)
        obs = bench.evaluate(int(cand.arch_index), rng, fidelity=cand.fidelity)
        if nan_every and step % nan_every == nan_every - 1:
            obs = dataclasses.replace(obs, valid_acc=math.nan)
        searcher.tell(cand, obs)
        proposals.append((int(cand.arch_index), cand.fidelity))
    return searcher, proposals


def test_observation_has_no_test_field():
    names = [f.name for f in dataclasses.fields(Observation)]
    assert not [n for n in names if "test" in n.lower()], names


def test_registry_is_populated():
    for name in ("random", "grid", "rea", "reinforce", "local_search", "hyperband", "bohb"):
        assert name in STRATEGIES


@pytest.mark.parametrize("name", STRATEGIES)
def test_seeded_reproducible_and_valid(name, bench):
    steps = _budget(name)
    cls = get_strategy(name)
    assert cls.__doc__ and cls.paper, f"{name}: docstring and paper citation expected"
    _, first = _loop(name, bench, seed=7, steps=steps)
    _, again = _loop(name, bench, seed=7, steps=steps)
    assert first == again, f"{name}: same seed gave a different sequence"
    if name not in SEED_INDEPENDENT:
        half = max(steps // 2, 10)  # the first half must already depend on the seed
        _, other = _loop(name, bench, seed=8, steps=half)
        assert first[:half] != other, f"{name}: seeds 7 and 8 gave the same sequence"


@pytest.mark.parametrize("name", STRATEGIES)
def test_survives_nan_observations(name, bench):
    steps = _budget(name)
    _, proposals = _loop(name, bench, seed=3, steps=steps, nan_every=3)
    assert len(proposals) == steps


@pytest.mark.parametrize("name", STRATEGIES)
def test_survives_being_stopped_mid_step(name, bench):
    steps = max(_budget(name) // 2, 2)
    searcher, _ = _loop(name, bench, seed=5, steps=steps)
    for _ in range(2):
        cand = searcher.ask()  # asked, never told (the runner stopped here)
        if cand is None:  # a synchronous rung (DEHB) waits for the lost results: allowed
            assert get_strategy(name).multi_fidelity, f"{name} returned None from ask"
            continue
        _check(cand, bench)
    _loop(name, bench, seed=5, steps=steps, start=searcher)  # a fresh ask still works


@pytest.mark.parametrize("name", [n for n in STRATEGIES if get_strategy(n).spaces is not None])
def test_space_specific_strategies_refuse_other_spaces(name):
    with pytest.raises(NasBenchError, match=r"works on the nb201 space only, not on 'fake-"):
        create_strategy(name, FakeBenchmark().space, seed=0)


@pytest.mark.parametrize("name", [n for n in STRATEGIES if get_strategy(n).multi_fidelity])
def test_multi_fidelity_strategies_need_the_benchmark_fidelities(name):
    space = FakeBenchmark().space
    with pytest.raises(NasBenchError, match="fidelities"):
        create_strategy(name, space, seed=0)
    with pytest.raises(NasBenchError, match="at least two fidelities"):
        create_strategy(name, space, seed=0, fidelities=(200,))
    searcher = create_strategy(name, space, seed=0, fidelities=(4, 16, 64))
    assert searcher.budgets == [4, 16, 64]
