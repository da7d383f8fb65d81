"""Hyperband and BOHB on NB201's two fidelities (12 and 200 epochs)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from nasbench_suite.bench.tabular import FIDELITIES
from nasbench_suite.errors import NasBenchError
from nasbench_suite.strategies import create_strategy


def test_bracket_schedule(space):
    hb = create_strategy("hyperband", space, fidelities=FIDELITIES)
    assert hb.budgets == [12, 200] and hb.s_max == 1
    assert hb.bracket_schedule(1) == ([3, 1], [12, 200])
    assert hb.bracket_schedule(0) == ([2], [200])
    wide = create_strategy("hyperband", space, fidelities=FIDELITIES, eta=200 / 12)
    assert wide.bracket_schedule(1) == ([17, 1], [12, 200])
    top = create_strategy("bohb", space, fidelities=FIDELITIES, min_budget=200)
    assert top.budgets == [200] and top.bracket_schedule(0) == ([1], [200])


@pytest.mark.parametrize("name", ["hyperband", "bohb"])
def test_low_rung_costs_12_epochs_and_best_is_promoted(name, space, bench):
    searcher = create_strategy(name, space, fidelities=FIDELITIES, seed=0)
    rng = np.random.default_rng(0)
    trace = []
    for _ in range(6 * 40):
        cand = searcher.ask()
        obs = bench.evaluate(cand.arch_index, rng, fidelity=cand.fidelity)
        assert obs.fidelity == cand.fidelity
        assert obs.cost_s == pytest.approx(bench.cost(cand.arch_index, cand.fidelity))
        if cand.fidelity == 12:
            assert obs.cost_s == pytest.approx(bench.cost(cand.arch_index, 200) * 12 / 200)
        searcher.tell(cand, obs)
        trace.append((cand, obs))
    # strict alternation: bracket s=1 (3 x 12 epochs -> best 1 x 200), bracket s=0 (2 x 200)
    for start in range(0, len(trace), 6):
        block = trace[start : start + 6]
        assert [c.fidelity for c, _ in block] == [12, 12, 12, 200, 200, 200]
        low = block[:3]
        best = max(low, key=lambda t: t[1].valid_acc)[0].arch_index  # first on ties
        assert block[3][0].arch_index == best


def test_lost_tells_open_new_brackets(space, bench):
    searcher = create_strategy("hyperband", space, fidelities=FIDELITIES, seed=1)
    lost = [searcher.ask() for _ in range(3)]  # bracket 0's three 12-epoch jobs, never told
    assert [c.fidelity for c in lost] == [12, 12, 12]
    nxt = searcher.ask()  # bracket 0 waits: a new bracket (s=0, 200 epochs) opens
    assert nxt.fidelity == 200
    searcher.tell(nxt, bench.evaluate(nxt.arch_index, fidelity=200))
    for cand in reversed(lost):  # late, out-of-order tells still complete bracket 0
        searcher.tell(cand, bench.evaluate(cand.arch_index, fidelity=12))
    promoted = searcher.ask()
    assert promoted.fidelity == 200
    lows = {c.arch_index: bench.evaluate(c.arch_index, fidelity=12).valid_acc for c in lost}
    assert lows[promoted.arch_index] == max(lows.values())


def test_bohb_uses_its_model_on_the_highest_fidelity_with_enough_data(space, bench):
    searcher = create_strategy("bohb", space, fidelities=FIDELITIES, seed=2)
    rng = np.random.default_rng(2)
    for _ in range(120):
        cand = searcher.ask()
        searcher.tell(cand, bench.evaluate(cand.arch_index, rng, fidelity=cand.fidelity))
    assert searcher._split(200) is not None  # 60 observations at 200 epochs: a model
    assert searcher.model_based_picks > 0
    good, bad = searcher._split(200)  # top 15% of 60 (>= 7) vs the next 85%
    assert good.shape == (9, 6) and bad.shape == (51, 6)


def test_bohb_kde_prefers_the_good_region(space):
    """g/l is smallest at the good points' ops."""
    bohb = create_strategy("bohb", space, fidelities=FIDELITIES, seed=0)
    good = np.tile(np.array([[3, 3, 3, 3, 3, 3]]), (8, 1))
    good[:, 0] = np.arange(8) % 5
    bad = np.tile(np.array([[0, 1, 0, 1, 0, 1]]), (20, 1))
    bad[:, 5] = np.arange(20) % 5
    x = np.array([[3, 3, 3, 3, 3, 3], [0, 1, 0, 1, 0, 1]])
    ratio = bohb._pdf(x, bad, bohb._bandwidth(bad)) / bohb._pdf(x, good, bohb._bandwidth(good))
    assert ratio[0] < ratio[1]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"eta": 1},
        {"eta": math.nan},
        {"min_budget": 50},
        {"min_budget": 200, "max_budget": 12},
        {"top_n_percent": 100},
        {"num_samples": 0},
        {"random_fraction": 1.5},
        {"min_bandwidth": 0},
        {"min_points_in_model": 0},
    ],
)
def test_validates(space, kwargs):
    name = "hyperband" if set(kwargs) <= {"eta", "min_budget", "max_budget"} else "bohb"
    with pytest.raises(NasBenchError):
        create_strategy(name, space, fidelities=FIDELITIES, **kwargs)
