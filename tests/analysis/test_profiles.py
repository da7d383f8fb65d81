"""Performance profiles (Dolan & Moré) and the ECDF of final regret."""

from __future__ import annotations

import numpy as np

from nasbench_suite.analysis.profiles import ecdf, performance_profiles


def test_profiles_hand_computed():
    per_task = {
        "t1": {"a": np.array([1.0, 1.0]), "b": np.array([2.0, 2.0])},
        "t2": {"a": np.array([4.0]), "b": np.array([1.0, np.nan])},
        "t3": {"a": np.array([0.0]), "b": np.array([0.05])},  # floored at 0.01
    }
    p = performance_profiles(per_task, ["a", "b"])
    assert p.regret.tolist() == [[1.0, 2.0], [4.0, 1.0], [0.0, 0.05]]

    rho = p.rho_at
    assert rho("a", 1.0) == 2 / 3 and rho("b", 1.0) == 1 / 3  # who wins how many tasks
    assert rho("a", 3.99) == 2 / 3 and rho("a", 4.0) == 1.0
    assert rho("b", 2.0) == 2 / 3 and rho("b", 5.0) == 1.0  # t3: 0.05 / 0.01
    assert p.tau[0] == 1.0 and p.tau[-1] >= 5.0 and np.all(np.diff(p.rho, axis=1) >= 0)
    assert p.runs["b"].tolist() == [0.05, 1.0, 2.0, 2.0]


def test_ecdf():
    x, y = ecdf(np.array([3.0, 1.0, np.nan, 2.0]))
    assert x.tolist() == [1.0, 2.0, 3.0] and y.tolist() == [1 / 3, 2 / 3, 1.0]
