"""Helpers for the runner tests: tiny specs, spy / failing strategies registered per test."""

from __future__ import annotations

import json
from pathlib import Path
from typing import ClassVar

import pytest

from nasbench_suite.strategies import base
from nasbench_suite.strategies.base import Candidate, Searcher


def tiny_spec(**over) -> dict:
    """A spec dict that runs in milliseconds."""
    spec = {
        "name": "tiny",
        "seed": 7,
        "runs": 2,
        "strategies": ["random"],
        "benchmark": {"search_dataset": "cifar10-valid", "fidelity": 12},
        "report_datasets": ["cifar10", "cifar100", "ImageNet16-120"],
        "budget": {"time_s": 1500},
    }
    spec.update(over)
    return spec


def read_rows(folder: Path) -> list[dict]:
    return [json.loads(line) for line in (folder / "trajectory.jsonl").read_text().splitlines()]


class SpySearcher(Searcher):
    """Random proposals; records every observation it is told (to check what searchers see)."""

    seen: ClassVar[list] = []

    def ask(self) -> Candidate:
        return Candidate(self.space.sample(self.rng))

    def tell(self, candidate, observation) -> None:
        type(self).seen.append(observation)


class BoomSearcher(Searcher):
    """Fails on its third ask."""

    def __init__(self, space, seed=0, objective=None) -> None:
        super().__init__(space, seed, objective)
        self.n = 0

    def ask(self) -> Candidate:
        self.n += 1
        if self.n == 3:
            raise RuntimeError("boom on ask 3")
        return Candidate(self.space.sample(self.rng))

    def tell(self, candidate, observation) -> None:
        pass


class TwoFidelitySearcher(Searcher):
    """Proposes a fixed script of (index, fidelity) pairs, then random 12-epoch cells."""

    script: ClassVar[list] = []

    def __init__(self, space, seed=0, objective=None) -> None:
        super().__init__(space, seed, objective)
        self.i = 0

    def ask(self) -> Candidate:
        self.i += 1
        if self.i <= len(self.script):
            return Candidate(*self.script[self.i - 1])
        raise StopIteration

    def tell(self, candidate, observation) -> None:
        pass


class OneShotLike(Searcher):
    """Mimics the one-shot protocol: 1.5 s of compute per ask, free evaluations, an artifact."""

    evaluations_are_free = True

    def __init__(self, space, seed=0, objective=None) -> None:
        super().__init__(space, seed, objective)
        self.cost, self.asks = 0.0, 0

    def ask(self) -> Candidate:
        self.asks += 1
        self.cost = 1.5
        return Candidate(self.space.sample(self.rng))

    def tell(self, candidate, observation) -> None:
        pass

    def compute_cost_s(self) -> float:
        return self.cost

    def artifacts(self) -> dict:
        return {"alphas.json": {"asks": self.asks}}


@pytest.fixture
def test_strategies(monkeypatch):
    """Registers spy / boom / scripted strategies for one test only (in this process)."""
    base._load_builtin()
    SpySearcher.seen = []
    for name, cls in (
        ("spy", SpySearcher),
        ("boom", BoomSearcher),
        ("scripted", TwoFidelitySearcher),
        ("oneshot-like", OneShotLike),
    ):
        monkeypatch.setitem(base._REGISTRY, name, cls)
    yield
