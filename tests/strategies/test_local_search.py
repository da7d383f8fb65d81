"""Local search (White et al., UAI 2021) against the real benchmark."""

from __future__ import annotations

import dataclasses
import math

import pytest

from nasbench_suite.errors import NasBenchError
from nasbench_suite.strategies import create_strategy


def _valid(bench, index):
    return float(bench.evaluate(index).valid_acc)


@pytest.mark.parametrize("n_init", [1, 10])
def test_moves_go_to_the_best_improving_neighbour(space, bench, n_init):
    searcher = create_strategy("local_search", space, seed=0, n_init=n_init)
    proposed = []
    for _ in range(400):
        cand = searcher.ask()
        assert cand.fidelity is None
        proposed.append(cand.arch_index)
        searcher.tell(cand, bench.evaluate(cand.arch_index))
    assert len(set(proposed)) == len(proposed), "a cell was proposed twice"
    assert searcher.moves and searcher.restarts >= 1
    for move in searcher.moves:
        neighbours = space.neighbours(move.source)
        assert move.target in neighbours
        assert move.source_score == _valid(bench, move.source)
        assert move.target_score == max(_valid(bench, n) for n in neighbours)
        assert move.target_score > move.source_score
    # consecutive moves of one climb chain up
    for before, after in zip(searcher.moves, searcher.moves[1:]):
        if after.source == before.target:
            assert after.source_score == before.target_score


def test_restart_at_local_optimum_and_neighbour_order_is_seeded(space, bench):
    a = create_strategy("local_search", space, seed=4)
    b = create_strategy("local_search", space, seed=5)
    seq = {}
    for name, searcher in (("a", a), ("b", b)):
        out = []
        for _ in range(60):
            cand = searcher.ask()
            out.append(cand.arch_index)
            searcher.tell(cand, bench.evaluate(cand.arch_index))
        seq[name] = out
    assert seq["a"] != seq["b"]
    # the first climb step of `a` proposes exactly the 24 neighbours of its start cell
    start = seq["a"][0]
    assert sorted(seq["a"][1:25]) == sorted(space.neighbours(start))
    assert seq["a"][1:25] != space.neighbours(start)  # in a shuffled order


def test_nan_and_lost_tells_do_not_block(space, bench):
    searcher = create_strategy("local_search", space, seed=1)
    first = searcher.ask()
    searcher.tell(first, dataclasses.replace(bench.evaluate(first.arch_index), valid_acc=math.nan))
    for step in range(80):
        cand = searcher.ask()
        if step % 5 == 0:
            continue  # told never
        searcher.tell(cand, bench.evaluate(cand.arch_index))
    for move in searcher.moves:
        assert move.target_score > move.source_score
    # the NaN start scores -inf, so the climb leaves it for its best told neighbour
    assert searcher.moves[0].source == first.arch_index
    assert searcher.moves[0].source_score == -math.inf


def test_validates(space):
    for bad in (0, -1, 1.5, True):
        with pytest.raises(NasBenchError):
            create_strategy("local_search", space, n_init=bad)
