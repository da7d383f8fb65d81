"""Pareto fronts and exact 2-D hypervolume on hand cases and the store."""

from __future__ import annotations

import numpy as np
import pytest

from nasbench_suite.analysis import pareto as P
from nasbench_suite.analysis.runs import load_runs

from .helpers import write_run


def test_pareto_mask_hand_case():
    acc = [1.0, 2.0, 0.5, 2.0, 3.0, 2.0, np.nan]
    cost = [1.0, 2.0, 3.0, 1.5, 4.0, 1.5, 0.1]
    # (0.5, 3) is dominated by (2, 1.5); (2, 2) by (2, 1.5); the duplicate (2, 1.5) is kept once
    assert P.pareto_mask(acc, cost).tolist() == [True, False, False, True, True, False, False]
    assert P.pareto_mask([], []).tolist() == []


def test_hypervolume_hand_cases():
    assert P.hypervolume([2.0], [1.0], ref_acc=0.0, ref_cost=3.0) == pytest.approx(4.0)
    # union of [1,3]x[0,1] and [2,3]x[0,2]: 2 + 2 - 1 = 3
    assert P.hypervolume([1.0, 2.0], [1.0, 2.0], 0.0, 3.0) == pytest.approx(3.0)
    # dominated points and points outside the reference box change nothing
    assert P.hypervolume(
        [1.0, 2.0, 0.5, 5.0, -1.0], [1.0, 2.0, 2.5, 3.5, 0.5], 0.0, 3.0
    ) == pytest.approx(3.0)
    assert P.hypervolume([], [], 0.0, 1.0) == 0.0
    # brute-force check on random points (grid integration)
    rng = np.random.default_rng(1)
    a, c = rng.uniform(0, 1, 12), rng.uniform(0, 1, 12)
    xs = (np.arange(400) + 0.5) / 400
    best = np.array([a[c <= x].max(initial=0.0) for x in xs])  # best accuracy affordable at cost x
    assert P.hypervolume(a, c, 0.0, 1.0) == pytest.approx(best.mean(), abs=5e-3)


def test_run_pareto_with_the_store(tmp_path, store):
    device = store.devices[0]
    cost = P.CostSpec("latency", device)
    space = P.space_front(store, "cifar10", cost)
    assert space.hypervolume > 0 and space.acc.size >= 1
    front_cells = np.flatnonzero(
        P.pareto_mask(store.column("test_acc", "cifar10"), store.latency(device))
    )
    write_run(
        tmp_path,
        "s",
        "cifar10-valid",
        0,
        [(float(i + 1), 90.0) for i in range(len(front_cells))],
        arch=[int(i) for i in front_cells],
    )
    write_run(tmp_path, "s", "cifar10-valid", 1, [(1.0, 50.0), (2.0, 60.0)], arch=[0, 1])
    rs = load_runs(tmp_path)
    full = P.run_pareto(rs.select("s")[0], store, "cifar10", cost, space)
    part = P.run_pareto(rs.select("s")[1], store, "cifar10", cost, space)
    assert full.hv_fraction == pytest.approx(1.0)  # it evaluated the whole true front
    assert 0 <= part.hv_fraction < 1
    params = P.run_pareto(rs.select("s")[1], store, "cifar10", P.CostSpec("params"))
    assert params.costs.tolist() == store.column("params_m", "cifar10")[[0, 1]].tolist()
    from matplotlib.figure import Figure

    fig = Figure()
    P.plot_pareto(fig.subplots(), [full, part], space)
    fig.savefig(tmp_path / "p.png")
