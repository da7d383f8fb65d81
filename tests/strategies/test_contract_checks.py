"""The ask/tell contract, checked for every registered strategy (present and future).

The checks live in :mod:`nasbench_suite.strategies.contract` (``nasbench-suite check-strategy``
runs the same ones on a user's strategy). Budgets: ``getattr(cls, "contract_budget", 60)``
evaluations per run, so a strategy whose steps are expensive (GP-BO, BANANAS, ...) can lower it
with a class attribute. A strategy that is deliberately seed-independent can set
``seed_dependent = False``.
"""

from __future__ import annotations

import pytest

from nasbench_suite.strategies import Candidate, Searcher, get_strategy, list_strategies
from nasbench_suite.strategies.contract import CHECKS, check_class, run_checks

STRATEGIES = list_strategies()


@pytest.mark.parametrize("name", STRATEGIES)
def test_documented(name):
    cls = get_strategy(name)
    assert cls.__doc__ and cls.paper, f"{name}: docstring and paper citation expected"
    assert check_class(cls) == []


@pytest.mark.parametrize("name", STRATEGIES)
def test_contract(name, space, bench):
    results = run_checks(get_strategy(name), space, bench)
    assert [r.name for r in results] == ["class", *CHECKS]
    failed = {r.name: r.failures for r in results if not r.ok}
    assert not failed, f"{name}: {failed}"


# --- the checks themselves fail on strategies that break the contract --------------------------
class _Broken(Searcher):
    """Ignores its seed, crashes on NaN, peeks at test accuracy."""

    paper = "-"
    contract_budget = 20

    def __init__(self, space, seed=0, objective=None):
        super().__init__(space, 0, objective)
        self.n = 0

    def ask(self):
        from nasbench_suite.bench.store import open_store

        open_store().column("test_acc", "cifar10")
        return Candidate(int(self.rng.integers(100)))

    def tell(self, candidate, observation):
        if observation.valid_acc != observation.valid_acc:
            raise ValueError("cannot handle NaN")


class _OutOfRange(_Broken):
    def ask(self):
        self.n += 1
        return Candidate(10**6 if self.n > 5 else self.n)

    def tell(self, candidate, observation):
        pass


class _Abstract(Searcher):
    def ask(self):
        return Candidate(0)


def test_checks_report_each_broken_rule(space, bench):
    results = {r.name: r.failures for r in run_checks(_Broken, space, bench)}
    assert results["valid_proposals"] == ()
    assert "seeds 7 and 8 gave the same" in results["same_seed_same_sequence"][0]
    assert results["nan_observations"] == ("raised ValueError: cannot handle NaN",)
    assert "Store.column" in results["never_asks_for_test_data"][0]
    assert results["class"] == ()
    (bad,) = run_checks(_OutOfRange, space, bench, only=("valid_proposals",))[1:]
    assert bad.failures == ("ask proposed index 1000000, not in 0..15624",)


def test_static_checks():
    assert check_class(int) == ["int is not a Searcher subclass"]
    assert check_class(_Abstract) == ["_Abstract does not implement tell"]
    assert run_checks(_Abstract, None, None)[0].failures == ("_Abstract does not implement tell",)
