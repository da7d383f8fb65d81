"""Anytime curves: incumbent test accuracy and regret on a common log-spaced time grid.

Interpolation is a step function: the value of a run at time ``t`` is the test accuracy of its
incumbent after the last evaluation that finished at or before ``t`` (NaN before its first
evaluation). Regret is ``optimum - accuracy`` where the optimum is the best seed-mean 200-epoch
test accuracy of any cell in the store for that dataset (so regret >= 0 for every run, since the
runner reports the same store column).

Aggregation over runs at each grid time uses the runs that have a value there:

* ``central="mean"``: mean with a 95% percentile-bootstrap band (``scipy.stats.bootstrap``,
  fixed ``random_state``), NaN where fewer than two runs have a value;
* ``central="median"``: median with the inter-quartile range as band.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from nasbench_suite.analysis.runs import Run

DEFAULT_SEED = 0
DEFAULT_RESAMPLES = 1000


@dataclass(frozen=True)
class Curve:
    """One strategy's aggregated curve on one task.

    Attributes:
        label: strategy label.
        search_dataset / dataset: searched dataset and report dataset.
        metric: ``test_acc`` or ``regret`` (both %).
        central: ``mean`` or ``median``.
        time_s: grid, shape (T,), seconds (simulated clock).
        center / low / high: curve and band, shape (T,) (NaN where undefined).
        n: runs with a value at each grid time, shape (T,).
        values: per-run step values on the grid, shape (runs, T).
    """

    label: str
    search_dataset: str
    dataset: str
    metric: str
    central: str
    time_s: np.ndarray = field(repr=False)
    center: np.ndarray = field(repr=False)
    low: np.ndarray = field(repr=False)
    high: np.ndarray = field(repr=False)
    n: np.ndarray = field(repr=False)
    values: np.ndarray = field(repr=False)


def time_grid(runs: list[Run] | tuple[Run, ...], points: int = 100) -> np.ndarray:
    """A log-spaced grid from the earliest first evaluation to the latest last one (seconds)."""
    starts = [r.time_s[0] for r in runs if r.time_s.size and r.time_s[0] > 0]
    ends = [r.time_s[-1] for r in runs if r.time_s.size]
    if not starts or not ends:
        return np.array([], dtype=float)
    lo, hi = float(min(starts)), float(max(ends))
    if hi <= lo:
        return np.array([lo])
    return np.geomspace(lo, hi, points)


def step_values(time_s: np.ndarray, values: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """Value of a step function defined by (time_s, values) at each grid time (NaN before)."""
    out = np.full(grid.shape, np.nan)
    if time_s.size == 0:
        return out
    pos = np.searchsorted(time_s, grid, side="right") - 1
    ok = pos >= 0
    out[ok] = values[pos[ok]]
    return out


def run_matrix(runs, dataset: str, grid: np.ndarray, optimum: float | None = None) -> np.ndarray:
    """Per-run step values of incumbent test accuracy (or regret when ``optimum``), (runs, T)."""
    rows = []
    for r in runs:
        acc = r.incumbent_test.get(dataset, np.full(r.time_s.shape, np.nan))
        v = step_values(r.time_s, acc, grid)
        rows.append(v if optimum is None else optimum - v)
    return np.array(rows, dtype=float).reshape(len(rows), grid.size)


def aggregate(
    values: np.ndarray,
    central: str = "mean",
    seed: int = DEFAULT_SEED,
    n_resamples: int = DEFAULT_RESAMPLES,
    confidence: float = 0.95,
):
    """Center, low, high and n over axis 0 of ``values`` (runs, T), NaN-aware.

    Raises:
        ValueError: unknown ``central``.
    """
    if central not in ("mean", "median"):
        raise ValueError(f"central must be 'mean' or 'median', got {central!r}")
    T = values.shape[1]
    n = np.sum(~np.isnan(values), axis=0)
    center, low, high = np.full(T, np.nan), np.full(T, np.nan), np.full(T, np.nan)
    has = n > 0
    if not has.any():
        return center, low, high, n
    with np.errstate(all="ignore"):
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            if central == "median":
                center[has] = np.nanmedian(values[:, has], axis=0)
                low[has] = np.nanpercentile(values[:, has], 25, axis=0)
                high[has] = np.nanpercentile(values[:, has], 75, axis=0)
                return center, low, high, n
            center[has] = np.nanmean(values[:, has], axis=0)
    # bootstrap the mean per grid column; group columns by their set of available runs so each
    # call is vectorised over many columns (usually one group once every run has started)
    cols = np.flatnonzero(n >= 2)
    masks: dict[bytes, list[int]] = {}
    for c in cols:
        masks.setdefault((~np.isnan(values[:, c])).tobytes(), []).append(c)
    for key, group in masks.items():
        rows = np.frombuffer(key, dtype=bool)
        block = values[np.ix_(rows, group)]
        lo, hi = bootstrap_mean_ci(
            block, seed=seed, n_resamples=n_resamples, confidence=confidence
        )
        low[group], high[group] = lo, hi
    return center, low, high, n


def bootstrap_mean_ci(
    block: np.ndarray,
    seed: int = DEFAULT_SEED,
    n_resamples: int = DEFAULT_RESAMPLES,
    confidence: float = 0.95,
) -> tuple[np.ndarray, np.ndarray]:
    """Percentile-bootstrap CI of the mean of each column of ``block`` (runs, C), seeded.

    Columns with no spread get a zero-width interval at their value (the bootstrap is degenerate).
    """
    from scipy.stats import bootstrap

    block = np.asarray(block, dtype=float)
    lo, hi = block.mean(axis=0).copy(), block.mean(axis=0).copy()
    spread = np.ptp(block, axis=0) > 0
    if spread.any() and block.shape[0] >= 2:
        res = bootstrap(
            (block[:, spread],),
            np.mean,
            axis=0,
            vectorized=True,
            n_resamples=n_resamples,
            confidence_level=confidence,
            method="percentile",
            random_state=np.random.default_rng(seed),
        )
        lo[spread], hi[spread] = res.confidence_interval.low, res.confidence_interval.high
    return lo, hi


def curve(
    runs,
    label: str,
    search_dataset: str,
    dataset: str,
    grid: np.ndarray,
    metric: str = "test_acc",
    optimum: float | None = None,
    central: str = "mean",
    seed: int = DEFAULT_SEED,
    n_resamples: int = DEFAULT_RESAMPLES,
) -> Curve:
    """The aggregated curve of ``runs`` (one strategy, one task) on ``grid``.

    Args:
        metric: ``test_acc`` or ``regret`` (needs ``optimum``, the space's best test accuracy).

    Raises:
        ValueError: regret without an optimum, or an unknown metric.
    """
    if metric not in ("test_acc", "regret"):
        raise ValueError(f"metric must be 'test_acc' or 'regret', got {metric!r}")
    if metric == "regret" and optimum is None:
        raise ValueError("regret needs the space's optimum (best test accuracy in the store)")
    values = run_matrix(runs, dataset, grid, optimum if metric == "regret" else None)
    center, low, high, n = aggregate(values, central, seed, n_resamples)
    return Curve(
        label, search_dataset, dataset, metric, central, grid, center, low, high, n, values
    )


def store_optimum(store, dataset: str) -> float:
    """Best seed-mean 200-epoch test accuracy (%) of any cell on ``dataset`` in the store."""
    return float(np.nanmax(store.column("test_acc", dataset)))


def plot_curves(ax, curves: list[Curve], title: str | None = None, log_y: bool = False) -> None:
    """Draw curves with their bands on ``ax`` (log-scaled time axis)."""
    for i, c in enumerate(curves):
        color = f"C{i % 10}"
        ax.step(
            c.time_s,
            c.center,
            where="post",
            color=color,
            label=f"{c.label} (n={int(c.n.max()) if c.n.size else 0})",
        )
        ok = ~np.isnan(c.low)
        if ok.any():
            ax.fill_between(
                c.time_s, c.low, c.high, where=ok, step="post", color=color, alpha=0.2, linewidth=0
            )
    ax.set_xscale("log")
    if log_y:
        ax.set_yscale("log")
    metric = curves[0].metric if curves else "test_acc"
    band = "95% bootstrap CI" if (curves and curves[0].central == "mean") else "IQR"
    ax.set_xlabel("simulated time (s)")
    ax.set_ylabel(
        ("regret (%)" if metric == "regret" else "incumbent test accuracy (%)") + f", {band}"
    )
    if title:
        ax.set_title(title, fontsize=10)
    ax.grid(True, which="both", alpha=0.3)
    if curves:
        ax.legend(fontsize=7, loc="best")
