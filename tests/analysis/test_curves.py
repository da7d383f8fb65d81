"""Anytime curves, bootstrap bands, regret, ranks and final distributions."""

from __future__ import annotations

import numpy as np
import pytest

from nasbench_suite.analysis import curves as C
from nasbench_suite.analysis import distributions as D
from nasbench_suite.analysis import ranks as R
from nasbench_suite.analysis.runs import load_runs

from .helpers import write_run


def test_step_values_is_the_incumbent_at_t():
    t = np.array([10.0, 20.0, 40.0])
    v = np.array([1.0, 2.0, 3.0])
    out = C.step_values(t, v, np.array([5.0, 10.0, 15.0, 20.0, 39.9, 40.0, 1e9]))
    assert np.isnan(out[0])
    assert out[1:].tolist() == [1.0, 1.0, 2.0, 2.0, 3.0, 3.0]
    assert np.isnan(C.step_values(np.array([]), np.array([]), np.array([1.0]))).all()


def test_bootstrap_band_contains_mean_and_is_seeded():
    rng = np.random.default_rng(0)
    values = rng.normal(90, 2, size=(12, 30))
    c1, lo1, hi1, n = C.aggregate(values, "mean", seed=7, n_resamples=500)
    _c2, lo2, hi2, _ = C.aggregate(values, "mean", seed=7, n_resamples=500)
    assert np.all(lo1 <= c1) and np.all(c1 <= hi1) and np.all(hi1 > lo1)
    assert np.array_equal(lo1, lo2) and np.array_equal(hi1, hi2)
    assert np.allclose(c1, values.mean(axis=0)) and np.all(n == 12)
    # NaN before a run starts: fewer runs, still a valid band; one run: no band
    values[:11, 0] = np.nan
    c, lo, hi, n = C.aggregate(values, "mean", seed=7, n_resamples=200)
    assert n[0] == 1 and c[0] == values[11, 0] and np.isnan(lo[0])
    # no spread: zero-width band at the value
    flat = np.full((4, 3), 5.0)
    _, lo, hi, _ = C.aggregate(flat, "mean")
    assert np.all(lo == 5.0) and np.all(hi == 5.0)


def test_median_iqr_option():
    values = np.array([[1.0], [2.0], [3.0], [4.0], [100.0]])
    c, lo, hi, _ = C.aggregate(values, "median")
    assert c[0] == 3.0 and lo[0] == 2.0 and hi[0] == 4.0
    with pytest.raises(ValueError):
        C.aggregate(values, "mode")


def test_time_grid_is_log_spaced():
    g = np.geomspace(10, 1000, 5)
    assert np.allclose(np.diff(np.log(g)), np.log(10) / 2)


def _write_two(root):
    for k in range(4):
        write_run(
            root,
            "good",
            "cifar10-valid",
            k,
            [(10.0, 80.0), (100.0, 90.0 + k * 0.1), (500.0, 93.0 + k * 0.1)],
        )
        write_run(root, "bad", "cifar10-valid", k, [(20.0, 70.0), (300.0, 85.0 + k * 0.1)])
    return load_runs(root)


def test_curves_ranks_and_final(tmp_path):
    rs = _write_two(tmp_path)
    grid = C.time_grid(rs.complete, points=50)
    assert grid[0] == 10.0 and grid[-1] == 500.0
    assert np.allclose(np.diff(np.log(grid)), np.diff(np.log(grid))[0])
    good = C.curve(
        rs.select("good"), "good", "cifar10-valid", "cifar10", grid, seed=1, n_resamples=200
    )
    assert good.center[-1] == pytest.approx(93.15)
    assert good.low[-1] <= good.center[-1] <= good.high[-1]
    rc = R.rank_curves(rs, ["bad", "good"], "cifar10-valid", "cifar10", grid)
    assert rc.rounds == 4
    assert np.isnan(rc.mean_rank[:, 0]).all()  # "bad" has not evaluated anything at t=10
    assert rc.mean_rank[:, -1].tolist() == [2.0, 1.0]
    f = D.summarize_final(rs, "good", "cifar10-valid", "cifar10")
    assert (
        f.n == 4
        and f.mean == pytest.approx(93.15)
        and f.std == pytest.approx(np.std([93, 93.1, 93.2, 93.3], ddof=1))
    )


def test_regret_is_nonnegative_and_uses_the_store_optimum(tmp_path, store):
    optimum = C.store_optimum(store, "cifar10")
    assert optimum == pytest.approx(float(np.nanmax(store.column("test_acc", "cifar10"))))
    assert optimum == pytest.approx(94.37, abs=0.01)  # the published NB201 optimum
    acc = store.column("test_acc", "cifar10")
    cells = [int(np.nanargmax(acc)), 0, 1, 2]
    for k in range(2):
        rows = [(10.0 * (i + 1), float(np.nanmax(acc[cells[: i + 1]]))) for i in range(len(cells))]
        write_run(tmp_path, "s", "cifar10-valid", k, rows, arch=cells)
    rs = load_runs(tmp_path)
    grid = C.time_grid(rs.complete, 20)
    c = C.curve(rs.select("s"), "s", "cifar10-valid", "cifar10", grid, "regret", optimum)
    assert np.all(c.values[~np.isnan(c.values)] >= 0)
    assert c.center[0] == pytest.approx(0.0)  # the first cell evaluated is the optimum
    with pytest.raises(ValueError):
        C.curve(rs.select("s"), "s", "cifar10-valid", "cifar10", grid, "regret")


def test_plots_draw(tmp_path):
    from matplotlib.figure import Figure

    rs = _write_two(tmp_path / "runs")
    grid = C.time_grid(rs.complete)
    fig = Figure()
    a1, a2, a3 = fig.subplots(1, 3)
    C.plot_curves(
        a1, [C.curve(rs.select(lab), lab, "cifar10-valid", "cifar10", grid) for lab in rs.labels]
    )
    D.plot_final(a2, [D.summarize_final(rs, lab, "cifar10-valid", "cifar10") for lab in rs.labels])
    R.plot_ranks(a3, R.rank_curves(rs, rs.labels, "cifar10-valid", "cifar10", grid))
    fig.savefig(tmp_path / "f.png")
