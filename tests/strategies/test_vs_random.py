"""Do the strategies beat random search where their papers say they should?

Protocol: cifar10-valid, seed-mean validation accuracy, seeds 0..24 for every strategy (random
search included). The budget is counted in full-training equivalents: a 200-epoch evaluation
uses 1, a 12-epoch one 12/200 (the benchmark charges epoch time x epochs), so single-fidelity
strategies get exactly ``budget`` evaluations. The score of a run is its final incumbent: the
best 200-epoch validation accuracy it observed. Claims are on the median over seeds.

Measured medians (budget 150, 25 seeds, four disjoint seed blocks): random 91.08-91.21,
REA 91.52-91.55, local search 91.55-91.61, BOHB 91.38-91.50, Hyperband (eta=3) ~91.18,
REINFORCE at NB201's learning rate 0.001: 91.06-91.24, i.e. on par with random search (NB201
reports it only marginally above RS); at NATS-Bench's 0.01 it is ahead of RS by 0.1-0.2 from
~300 evaluations on, but not reliably at 150.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from nasbench_suite.bench.tabular import FIDELITIES
from nasbench_suite.strategies import create_strategy, get_strategy

SEEDS = range(25)


def run_search(name, space, bench, seed, budget, **kwargs) -> float:
    """Final incumbent (best 200-epoch valid acc) of one seeded run of ``budget`` trainings."""
    if get_strategy(name).multi_fidelity:
        kwargs = {**kwargs, "fidelities": FIDELITIES}
    searcher = create_strategy(name, space, seed=seed, **kwargs)
    rng = np.random.default_rng(seed)
    used, best = 0.0, -math.inf
    while used < budget:
        cand = searcher.ask()
        obs = bench.evaluate(cand.arch_index, rng, fidelity=cand.fidelity)
        searcher.tell(cand, obs)
        used += obs.fidelity / 200
        if obs.fidelity == 200 and obs.valid_acc > best:
            best = obs.valid_acc
    return best


def median_incumbent(name, space, bench, budget, **kwargs) -> float:
    return float(np.median([run_search(name, space, bench, s, budget, **kwargs) for s in SEEDS]))


@pytest.fixture(scope="module")
def random_median(space, bench):
    return {b: median_incumbent("random", space, bench, b) for b in (150, 500)}


@pytest.mark.parametrize(
    "name, kwargs, budget",
    [
        ("rea", {}, 150),  # Real et al. 2019; NB201 Fig. 7: REA > RS
        ("local_search", {}, 150),  # White et al. 2021: LS is strong on NB201
        ("bohb", {}, 150),  # Falkner et al. 2018; NB201: BOHB > RS
        ("reinforce", {"learning_rate": 0.01}, 500),  # NATS-Bench setting, larger budget
    ],
)
def test_beats_random_search_median(name, kwargs, budget, space, bench, random_median):
    median = median_incumbent(name, space, bench, budget, **kwargs)
    assert median > random_median[budget], (name, median, random_median[budget])


def test_reinforce_at_nb201_learning_rate_is_on_par_with_random(space, bench, random_median):
    """The weaker, honest claim: NB201's REINFORCE (lr 0.001) is about as good as RS at 150."""
    median = median_incumbent("reinforce", space, bench, 150)
    assert abs(median - random_median[150]) < 0.2, (median, random_median[150])
