"""The ask/tell contract, checked for every registered strategy (present and future).

Budgets: ``getattr(cls, "contract_budget", 60)`` evaluations per run, so a strategy whose steps
are expensive (GP-BO, BANANAS, ...) can lower it with a class attribute. A strategy that is
deliberately seed-independent can set ``seed_dependent = False``.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from nasbench_suite.bench.tabular import FIDELITIES, Observation
from nasbench_suite.space.codec import N_CELLS
from nasbench_suite.strategies import Candidate, create_strategy, get_strategy, list_strategies

STRATEGIES = list_strategies()


def _budget(name: str) -> int:
    return int(getattr(get_strategy(name), "contract_budget", 60))


def _check(candidate) -> None:
    assert isinstance(candidate, Candidate)
    assert isinstance(candidate.arch_index, (int, np.integer))
    assert 0 <= candidate.arch_index < N_CELLS
    assert candidate.fidelity is None or candidate.fidelity in FIDELITIES


def _loop(name, space, bench, seed, steps, nan_every=0, start=None):
    """Run ``steps`` ask/evaluate/tell steps; every ``nan_every``-th observation gets NaN."""
    kwargs = getattr(get_strategy(name), "contract_kwargs", {})  # smaller warm-ups for speed
    searcher = start or create_strategy(name, space, seed=seed, **kwargs)
    rng = np.random.default_rng(seed)
    proposals = []
    for step in range(steps):
        cand = searcher.ask()
        _check(cand)
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
def test_seeded_reproducible_and_valid(name, space, bench):
    steps = _budget(name)
    cls = get_strategy(name)
    assert cls.__doc__ and cls.paper, f"{name}: docstring and paper citation expected"
    _, first = _loop(name, space, bench, seed=7, steps=steps)
    _, again = _loop(name, space, bench, seed=7, steps=steps)
    assert first == again, f"{name}: same seed gave a different sequence"
    if getattr(cls, "seed_dependent", True):
        half = max(steps // 2, 10)  # the first half must already depend on the seed
        _, other = _loop(name, space, bench, seed=8, steps=half)
        assert first[:half] != other, f"{name}: seeds 7 and 8 gave the same sequence"


@pytest.mark.parametrize("name", STRATEGIES)
def test_survives_nan_observations(name, space, bench):
    steps = _budget(name)
    _, proposals = _loop(name, space, bench, seed=3, steps=steps, nan_every=3)
    assert len(proposals) == steps


@pytest.mark.parametrize("name", STRATEGIES)
def test_survives_being_stopped_mid_step(name, space, bench):
    steps = max(_budget(name) // 2, 2)
    searcher, _ = _loop(name, space, bench, seed=5, steps=steps)
    for _ in range(2):
        _check(searcher.ask())  # asked, never told (the runner stopped here)
    _loop(name, space, bench, seed=5, steps=steps, start=searcher)  # a fresh ask still works
