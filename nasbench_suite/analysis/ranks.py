"""Average rank of each strategy over time within a task.

Method (documented in reports): runs of different strategies are paired by run index ``k`` (the
k-th run of every strategy forms one "round"; runs are independent, so the pairing is arbitrary
but fixed). In each round and at each grid time the strategies are ranked by incumbent test
accuracy (rank 1 = best, ties share the average rank, ``scipy.stats.rankdata``); the curve is the
mean rank over the rounds where every strategy has a value. Only run indices present (complete)
for every strategy are used. This is the per-seed ranking of e.g. HPOBench / Syne Tune, and unlike
ranking mean curves it reflects how often a strategy wins, not by how much.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from nasbench_suite.analysis.curves import run_matrix
from nasbench_suite.analysis.runs import RunSet


@dataclass(frozen=True)
class RankCurves:
    """Mean rank over rounds per strategy, shape (strategies, T); NaN where undefined."""

    search_dataset: str
    dataset: str
    labels: tuple[str, ...]
    time_s: np.ndarray = field(repr=False)
    mean_rank: np.ndarray = field(repr=False)
    rounds: int = 0


def rank_curves(
    runset: RunSet,
    labels: list[str] | tuple[str, ...],
    search_dataset: str,
    dataset: str,
    grid: np.ndarray,
) -> RankCurves:
    """Average rank of ``labels`` over time on one task (see the module docstring)."""
    from scipy.stats import rankdata

    by_label = {lab: {r.index: r for r in runset.select(lab, search_dataset)} for lab in labels}
    common = sorted(set.intersection(*(set(m) for m in by_label.values()))) if labels else []
    k, T = len(labels), grid.size
    if not common or k == 0:
        return RankCurves(search_dataset, dataset, tuple(labels), grid, np.full((k, T), np.nan), 0)
    # values[label, round, t]
    values = np.stack(
        [run_matrix([by_label[lab][i] for i in common], dataset, grid) for lab in labels]
    )
    ranks = np.full(values.shape, np.nan)
    complete = ~np.isnan(values).any(axis=0)  # (rounds, T): every strategy has a value
    # rank higher accuracy first: rank -values along the strategy axis
    ranked = rankdata(-np.nan_to_num(values, nan=-np.inf), axis=0, method="average")
    ranks[:, complete] = ranked[:, complete]
    with np.errstate(all="ignore"):
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            mean_rank = np.nanmean(ranks, axis=1)
    return RankCurves(search_dataset, dataset, tuple(labels), grid, mean_rank, len(common))


def plot_ranks(ax, rc: RankCurves, title: str | None = None) -> None:
    """Mean-rank curves on a log time axis (rank 1 at the top)."""
    for i, lab in enumerate(rc.labels):
        ax.step(rc.time_s, rc.mean_rank[i], where="post", color=f"C{i % 10}", label=lab)
    ax.set_xscale("log")
    if rc.labels:
        ax.set_ylim(len(rc.labels) + 0.5, 0.5)
    ax.set_xlabel("simulated time (s)")
    ax.set_ylabel(f"mean rank over {rc.rounds} paired runs")
    if title:
        ax.set_title(title, fontsize=10)
    ax.grid(True, which="both", alpha=0.3)
    if rc.labels:
        ax.legend(fontsize=7, loc="best")
