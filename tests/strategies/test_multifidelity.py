"""ASHA, asynchronous Hyperband, DEHB and the median stopping rule on a many-fidelity toy."""

from __future__ import annotations

import numpy as np
import pytest

from nasbench_suite.errors import NasBenchError
from nasbench_suite.runner.cluster import ClusterState, simulate
from nasbench_suite.strategies import create_strategy
from nasbench_suite.strategies.fidelity import rung_ladder
from tests.strategies.mf_fakes import ToyBench, ToySpace

MF = ("asha", "async_hyperband", "dehb", "median_stopping")


def test_rung_ladder_matches_hyperband_and_snaps_to_offered_fidelities():
    assert rung_ladder(range(1, 99), 3) == (1, 4, 11, 33, 98)
    assert rung_ladder((12, 200), 3) == (12, 200)
    assert rung_ladder(range(1, 82), 3) == (1, 3, 9, 27, 81)
    assert rung_ladder(range(1, 99), 3, min_budget=11) == (11, 33, 98)
    with pytest.raises(NasBenchError, match="not a fidelity"):
        rung_ladder((12, 200), 3, min_budget=5)
    with pytest.raises(NasBenchError, match="eta"):
        rung_ladder((12, 200), 1)


def _run(name, seed=0, workers=1, budget=20_000.0, **kw):
    space = ToySpace()
    bench = ToyBench(space)
    s = create_strategy(name, space, seed=seed, fidelities=bench.fidelities, **kw)
    state = ClusterState()
    rows = []

    def evaluate(c):
        return bench.evaluate(c.arch_index, c.fidelity, c.resume_from)

    for f in simulate(s.ask, evaluate, workers, budget, None, state):
        rows.append((f.time_s, f.candidate.arch_index, f.candidate.fidelity,
                     f.candidate.resume_from, f.observation.valid_acc))
        s.tell(f.candidate, f.observation)
    return s, rows, state


@pytest.mark.parametrize("name", MF)
def test_same_seed_same_sequence_and_valid_fidelities(name):
    _, a, _ = _run(name)
    _, b, _ = _run(name)
    assert a == b and len(a) > 20
    assert {r[2] for r in a} <= set(range(1, 82))


def test_asha_promotes_the_top_third_and_resumes_training():
    _s, rows, _ = _run("asha", budget=50_000.0)
    bottom = [r for r in rows if r[2] == 1]
    promoted = [r for r in rows if r[2] == 3]
    assert promoted and all(r[3] == 1 for r in promoted)  # continues from rung 1
    assert len(promoted) <= len(bottom) / 3 + 1
    top_bottom = sorted(r[4] for r in bottom)[-len(promoted):]
    # every promoted configuration was among the better ones of its rung when promoted
    assert np.median([r[4] for r in bottom if r[1] in {p[1] for p in promoted}]) >= np.median(
        [r[4] for r in bottom])
    assert max(top_bottom) >= max(r[4] for r in bottom if r[1] in {p[1] for p in promoted})


def test_async_hyperband_starts_configurations_on_every_bracket():
    _, rows, _ = _run("async_hyperband", budget=80_000.0)
    starts = {r[2] for r in rows if r[3] is None}
    assert starts == {1, 3, 9, 27, 81}


def test_dehb_improves_over_its_random_first_bracket():
    _s, rows, _ = _run("dehb", budget=200_000.0)
    top = [r[4] for r in rows if r[2] == 81]
    assert len(top) >= 6
    first, last = np.mean(top[:3]), np.mean(top[-3:])
    assert last >= first


def test_median_stopping_stops_bad_trials_and_tells_the_base_once():
    s, rows, _ = _run("median_stopping", budget=100_000.0, base="random")
    assert s.stopped > 0
    full = [r for r in rows if r[2] == 81]
    resumed = [r for r in rows if r[3] is not None]
    assert full and resumed and all(r[3] < r[2] for r in resumed)


def test_median_stopping_rejects_bad_arguments():
    space = ToySpace()
    with pytest.raises(NasBenchError, match="steps"):
        create_strategy("median_stopping", space, fidelities=range(1, 82), steps=[0, 500])
    with pytest.raises(NasBenchError, match="itself"):
        create_strategy("median_stopping", space, fidelities=range(1, 82),
                        base="median_stopping")


@pytest.mark.parametrize("name", MF)
def test_needs_fidelities(name):
    with pytest.raises(NasBenchError, match="fidelities"):
        create_strategy(name, ToySpace(), seed=0)
