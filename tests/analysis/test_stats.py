"""Statistics against scipy and hand-checkable values."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import friedmanchisquare, mannwhitneyu, rankdata

from nasbench_suite.analysis import stats as S


def test_a12_known_samples():
    assert S.a12([1, 2, 3], [1, 2, 3]) == 0.5
    assert S.a12([4, 5, 6], [1, 2, 3]) == 1.0
    assert S.a12([1, 2, 3], [4, 5, 6]) == 0.0
    # (1,2) lose, (1,3) lose, (2,2) tie, (2,3) lose -> 0.5 / 4
    assert S.a12([1, 2], [2, 3]) == pytest.approx(0.125)
    assert math.isnan(S.a12([], [1]))


def test_a12_equals_mann_whitney_u_over_mn():
    rng = np.random.default_rng(3)
    x, y = rng.integers(0, 6, 17).astype(float), rng.integers(0, 6, 11).astype(float)  # with ties
    u = mannwhitneyu(x, y).statistic
    assert S.a12(x, y) == pytest.approx(u / (x.size * y.size))
    assert S.a12(x, y) + S.a12(y, x) == pytest.approx(1.0)


@pytest.mark.parametrize(
    "value, label",
    [
        (0.5, "negligible"),
        (0.55, "negligible"),
        (0.56, "small"),
        (0.63, "small"),
        (0.64, "medium"),
        (0.70, "medium"),
        (0.71, "large"),
        (1.0, "large"),
        (0.44, "small"),
        (0.29, "large"),
        (0.0, "large"),
    ],
)
def test_a12_magnitude_thresholds(value, label):
    assert S.a12_magnitude(value) == label


def test_holm_by_hand_and_order():
    # sorted p: 0.01*3=0.03, 0.03*2=0.06, max(0.06, 0.04*1)=0.06
    assert S.holm([0.01, 0.04, 0.03]) == pytest.approx([0.03, 0.06, 0.06])
    p = np.array([0.2, 0.001, 0.04, 0.01, 0.5])
    adj = S.holm(p)
    order = np.argsort(p)
    assert np.all(np.diff(adj[order]) >= 0)  # Holm keeps the order of the raw p-values
    assert np.all(adj >= p) and np.all(adj <= 1)
    out = S.holm([0.01, float("nan")])
    assert out[0] == pytest.approx(0.01) and math.isnan(out[1])


def test_pairwise_reading_and_holm():
    a = np.arange(10, dtype=float) + 100
    b = np.arange(10, dtype=float)
    c = np.arange(10, dtype=float) + 0.5
    comp = S.pairwise({"A": a, "B": b, "C": c}, "cifar100", "cifar100")
    by = {(p.a, p.b): p for p in comp.pairs}
    ab = by[("A", "B")]
    assert ab.p == pytest.approx(mannwhitneyu(a, b).pvalue)
    assert ab.p_holm == pytest.approx(S.holm([p.p for p in comp.pairs])[0])
    assert ab.a12 == 1.0 and ab.magnitude == "large" and ab.significant
    assert ab.reading.startswith("A beats B on cifar100 (p=")
    assert "after Holm, A12=1.00, large" in ab.reading
    bc = by[("B", "C")]
    assert not bc.significant and bc.reading.startswith(
        "no significant difference between B and C"
    )
    # the loser first: the reading names the winner with A12 >= 0.5
    rev = S.pairwise({"B": b, "A": a}, "cifar10-valid", "cifar10").pairs[0]
    assert (
        rev.reading.startswith("A beats B on cifar10 (searched on cifar10-valid)")
        and "A12=1.00" in rev.reading
    )


def test_pairwise_degenerate_cases_do_not_raise():
    comp = S.pairwise({"A": [1.0, 1.0, 1.0], "B": [1.0, 1.0, 1.0]}, "x", "x")
    assert comp.pairs[0].p == 1.0 and comp.pairs[0].a12 == 0.5
    assert any("identical" in c for c in comp.caveats)
    comp = S.pairwise({"A": [1.0], "B": [2.0, 3.0]}, "x", "x")
    assert math.isnan(comp.pairs[0].p) and "not tested" in comp.pairs[0].reading
    assert any("too few" in c for c in comp.caveats)
    comp = S.pairwise({"A": [1.0, np.nan, 2.0], "B": [2.0, 3.0, 4.0]}, "x", "x")
    assert comp.pairs[0].n_a == 2 and any("left out" in c for c in comp.caveats)
    assert S.pairwise({"A": [1.0, 2.0]}, "x", "x").pairs == ()


def test_critical_difference_matches_demsar_table():
    # Demsar (2006) Table 5: q_0.05 = 2.343 (k=3), 2.569 (k=4), 2.728 (k=5)
    for k, q in ((3, 2.343), (4, 2.569), (5, 2.728)):
        n = 10
        assert S.critical_difference(k, n) == pytest.approx(
            q * math.sqrt(k * (k + 1) / (6 * n)), abs=2e-3
        )


def test_friedman_nemenyi_across_tasks():
    table = np.array(
        [[90, 80, 70], [91, 81, 72], [89, 85, 71], [92, 80, 79], [90, 70, 60]], dtype=float
    )
    tasks = [(f"s{i}", f"d{i}") for i in range(5)]
    res = S.across_tasks(table, ["A", "B", "C"], tasks)
    ref = friedmanchisquare(*table.T)
    assert res.test == "friedman"
    assert res.statistic == pytest.approx(ref.statistic) and res.p == pytest.approx(ref.pvalue)
    assert res.mean_ranks == {"A": 1.0, "B": 2.0, "C": 3.0}
    assert res.nemenyi.shape == (3, 3) and res.nemenyi[0, 2] < 0.05
    assert res.cd == pytest.approx(S.critical_difference(3, 5))
    assert any("A ranks better than C" in r for r in res.readings)
    ranks = rankdata(-table, axis=1)
    assert ranks.mean(axis=0) == pytest.approx([1, 2, 3])


def test_across_tasks_two_strategies_uses_wilcoxon_with_caveat():
    table = np.array([[90, 80], [91, 81], [89, 85], [92, 80]], dtype=float)
    res = S.across_tasks(table, ["A", "B"], [(f"s{i}", "d") for i in range(4)])
    assert res.test == "wilcoxon" and 0 < res.p <= 1
    assert any("Friedman test needs three" in c for c in res.caveats)
    assert any("smallest possible" in c for c in res.caveats)


def test_across_tasks_degenerate():
    one = S.across_tasks(np.array([[90, 80, 70]], dtype=float), ["A", "B", "C"], [("s", "d")])
    assert one.test is None and any("at least two tasks" in c for c in one.caveats)
    ties = S.across_tasks(
        np.full((3, 3), 50.0), ["A", "B", "C"], [(f"s{i}", "d") for i in range(3)]
    )
    assert ties.p == 1.0 and any("tie" in c for c in ties.caveats)
    ties2 = S.across_tasks(np.full((3, 2), 50.0), ["A", "B"], [(f"s{i}", "d") for i in range(3)])
    assert ties2.p == 1.0
    solo = S.across_tasks(np.ones((3, 1)), ["A"], [(f"s{i}", "d") for i in range(3)])
    assert solo.test is None
    shared = S.across_tasks(
        np.array([[1, 2, 3], [3, 2, 1.0]]), ["A", "B", "C"], [("s", "d1"), ("s", "d2")]
    )
    assert any("not independent" in c for c in shared.caveats)


def test_cd_diagram_draws(tmp_path):
    from matplotlib.figure import Figure

    table = np.array([[90, 80, 70], [91, 81, 72], [89, 85, 71], [92, 80, 79]], dtype=float)
    res = S.across_tasks(table, ["A", "B", "C"], [(f"s{i}", "d") for i in range(4)])
    fig = Figure()
    S.plot_cd(fig.subplots(), res)
    fig.savefig(tmp_path / "cd.png")
    fig = Figure()
    S._draw_cd(fig.subplots(), res)  # the fallback drawing for scikit-posthocs without one
    fig.savefig(tmp_path / "cd2.png")
