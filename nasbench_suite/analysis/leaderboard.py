"""Leaderboard: strategies x tasks, mean final metric with its 95% CI, best and ties marked.

Per task (search dataset, report dataset) every strategy gets the mean of its complete runs'
final metric (the incumbent's test value; higher is better) with a 95% percentile-bootstrap
interval of the mean (seed 0, 1,000 resamples, as the anytime curves). The best mean is marked;
a strategy is *not significantly worse than the best* when the Holm-adjusted two-sided
Mann-Whitney U p-value of the pair (best, strategy) at the final budget is at least alpha, or the
pair could not be tested (too few runs). The average rank averages each strategy's per-task rank
of the means (1 = best, ties averaged) over the tasks where it has a result.

Runs are grouped by benchmark name: the spec's ``benchmark.name`` when present, else its
``benchmark.type`` unless that is a generic kind (``tabular``, ``training``), else ``nb201``. The
metric's label comes from the runs (``test_metric`` in spec, benchmark spec or metadata), defaulting
to ``test accuracy (%)``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import numpy as np

from nasbench_suite.analysis.curves import bootstrap_mean_ci
from nasbench_suite.analysis.runs import Run, RunSet

DEFAULT_BENCHMARK = "nb201"
DEFAULT_METRIC = "test accuracy (%)"
GENERIC_TYPES = ("tabular", "training", "oneshot", "")


def benchmark_name(run: Run) -> str:
    """The benchmark a run searched (see the module docstring)."""
    b = run.spec.get("benchmark") if isinstance(run.spec, dict) else None
    if not isinstance(b, dict):
        return str(b) if isinstance(b, str) and b else DEFAULT_BENCHMARK
    name = b.get("name")
    if name:
        return str(name)
    kind = str(b.get("type") or "")
    return kind if kind not in GENERIC_TYPES else DEFAULT_BENCHMARK


def metric_label(runs) -> str:
    """The test metric's label recorded by the runs, else ``test accuracy (%)``."""
    for r in runs:
        for source in (r.spec, r.spec.get("benchmark"), r.metadata):
            if isinstance(source, dict) and source.get("test_metric"):
                return str(source["test_metric"])
    return DEFAULT_METRIC


def split_by_benchmark(rs: RunSet) -> dict[str, RunSet]:
    """Benchmark name -> the runs (and missing runs) of that benchmark, sorted by name."""
    names = sorted({benchmark_name(r) for r in rs.runs})
    out = {}
    for name in names:
        runs = tuple(r for r in rs.runs if benchmark_name(r) == name)
        keys = {(r.experiment, r.label, r.search_dataset) for r in runs}
        missing = tuple(m for m in rs.missing if (m.experiment, m.label, m.search_dataset) in keys)
        out[name] = replace(rs, runs=runs, missing=missing)
    return out


@dataclass(frozen=True)
class Cell:
    """One strategy on one task: mean final metric, 95% CI, runs, marks."""

    mean: float
    low: float
    high: float
    n: int
    best: bool = False
    tied: bool = False  # not significantly worse than the best (Holm), the best included
    p_vs_best: float = math.nan  # Holm-adjusted p of (best, this); NaN for the best itself


@dataclass(frozen=True)
class Task:
    """A leaderboard column: benchmark, search dataset, report dataset, display name."""

    benchmark: str
    search_dataset: str
    dataset: str
    name: str


@dataclass(frozen=True)
class Leaderboard:
    """Strategies (sorted by average rank) x tasks."""

    labels: tuple[str, ...]
    tasks: tuple[Task, ...]
    cells: dict = field(repr=False)  # (label, task index) -> Cell
    avg_rank: dict = field(repr=False)  # label -> average rank over tasks (NaN: no result)
    metric: str = DEFAULT_METRIC
    alpha: float = 0.05
    n_runs: int = 0  # complete runs of the largest task column

    def cell(self, label: str, j: int) -> Cell | None:
        return self.cells.get((label, j))


def task_cells(samples: dict, comparison=None, alpha: float = 0.05) -> dict[str, Cell]:
    """Cells of one task from label -> final values and its final-budget ``TaskComparison``."""
    cells = {}
    for lab, v in samples.items():
        v = np.asarray(v, dtype=float)
        v = v[~np.isnan(v)]
        if v.size == 0:
            continue
        lo, hi = bootstrap_mean_ci(v[:, None])
        cells[lab] = Cell(float(v.mean()), float(lo[0]), float(hi[0]), int(v.size))
    if not cells:
        return cells
    top = max(cells.values(), key=lambda c: c.mean).mean
    bests = [lab for lab, c in cells.items() if c.mean == top]
    pairs = {}
    if comparison is not None:
        for p in comparison.pairs:
            pairs[(p.a, p.b)] = pairs[(p.b, p.a)] = p.p_holm
    out = {}
    for lab, c in cells.items():
        if lab in bests:
            out[lab] = replace(c, best=True, tied=True)
            continue
        ps = [pairs.get((b, lab), math.nan) for b in bests]
        p = max(ps) if not all(math.isnan(x) for x in ps) else math.nan
        out[lab] = replace(c, tied=bool(math.isnan(p) or p >= alpha), p_vs_best=p)
    return out


def average_ranks(columns: list[dict[str, Cell]], labels) -> dict[str, float]:
    """Label -> mean over tasks of its rank by mean (1 = best, ties averaged)."""
    from scipy.stats import rankdata

    sums = {lab: [] for lab in labels}
    for col in columns:
        present = [lab for lab in labels if lab in col]
        if not present:
            continue
        ranks = rankdata([-col[lab].mean for lab in present], method="average")
        for lab, r in zip(present, ranks):
            sums[lab].append(float(r))
    return {lab: (float(np.mean(v)) if v else math.nan) for lab, v in sums.items()}


def independent_tasks(tasks) -> list[int]:
    """Indices of the tasks that count as separate tasks across tasks.

    A run is searched once and may be reported on several datasets (NB201's transfer columns,
    NAS-Bench-Graph's nine datasets); those columns reuse the same runs, so counting them as tasks
    would inflate a Friedman test. With two or more searches (benchmark, search dataset), each
    search counts once, at its own dataset (:func:`~nasbench_suite.analysis.runs.
    primary_report_dataset`); with one search, every column is kept (and the across-task caveat
    says that they share runs).
    """
    from nasbench_suite.analysis.runs import primary_report_dataset

    searches: dict[tuple[str, str], list[int]] = {}
    for j, t in enumerate(tasks):
        searches.setdefault((t.benchmark, t.search_dataset), []).append(j)
    if len(searches) < 2:
        return list(range(len(tasks)))
    keep = []
    for (_, search), js in searches.items():
        primary = primary_report_dataset(search, tuple(tasks[j].dataset for j in js))
        keep.extend(j for j in js if tasks[j].dataset == primary)
    return sorted(keep)


def build_leaderboard(columns, metric: str = DEFAULT_METRIC, alpha: float = 0.05) -> Leaderboard:
    """A leaderboard from ``[(Task, {label: Cell}), ...]`` (see :func:`task_cells`)."""
    tasks = tuple(t for t, _ in columns)
    labels = sorted({lab for _, col in columns for lab in col})
    ranks = average_ranks([col for _, col in columns], labels)
    labels.sort(key=lambda lab: (math.inf if ranks[lab] != ranks[lab] else ranks[lab], lab))
    cells = {(lab, j): c for j, (_, col) in enumerate(columns) for lab, c in col.items()}
    n_runs = max((sum(c.n for (_, j), c in cells.items() if j == k) for k in range(len(tasks))),
                 default=0)
    return Leaderboard(tuple(labels), tasks, cells, ranks, metric, alpha, n_runs)


def summary_paragraph(lb: Leaderboard, across=None, n_runs: int | None = None) -> str:
    """Plain-language summary: who is best, where, and how sure (generated from the data)."""
    if not lb.labels or not lb.tasks:
        return "No complete runs yet: there is nothing to compare."
    k, n = len(lb.labels), len(lb.tasks)
    top = lb.labels[0]
    parts = [
        (
            f"{k} strateg{'y' if k == 1 else 'ies'} on {n} task{'s' if n != 1 else ''} "
            f"({n_runs if n_runs is not None else lb.n_runs} complete runs; metric: {lb.metric} "
            "of the final incumbent)."
        )
    ]
    if k == 1:
        return parts[0]
    wins: dict[str, list[str]] = {}
    alone = 0
    for j, t in enumerate(lb.tasks):
        col = [(lab, lb.cell(lab, j)) for lab in lb.labels if lb.cell(lab, j)]
        best = [lab for lab, c in col if c.best]
        for lab in best:
            wins.setdefault(lab, []).append(t.name)
        if all(not c.tied for lab, c in col if lab not in best):
            alone += 1
    rank = lb.avg_rank[top]
    parts.append(
        f"{top} has the best average rank ({rank:.2f})"
        + (f" and the best mean on {len(wins[top])} of {n} tasks." if top in wins else ".")
    )
    others = [f"{lab} on {', '.join(ts)}" for lab, ts in wins.items() if lab != top]
    if others:
        parts.append("Best mean elsewhere: " + "; ".join(others) + ".")
    ties = [
        sum(1 for lab in lb.labels if lb.cell(lab, j) and lb.cell(lab, j).tied)
        for j in range(n)
    ]
    parts.append(
        f"How sure: on {alone} of {n} tasks the best strategy is significantly better than every "
        f"other (Holm-corrected Mann-Whitney U, alpha={lb.alpha}); on average "
        f"{np.mean(ties):.1f} of {k} strategies are statistically tied with the best"
        + (
            f"; with {min(c.n for c in lb.cells.values())} runs per strategy these tests have "
            "little power, so more runs would sharpen the ranking."
            if min(c.n for c in lb.cells.values()) < 5 else "."
        )
    )
    if across is not None and across.test == "friedman" and across.p == across.p:
        verdict = "differ" if across.p < across.alpha else "do not differ significantly"
        parts.append(
            f"Across tasks the strategies {verdict} (Friedman p{_p(across.p)}; critical "
            f"difference {across.cd:.2f} ranks)."
        )
    elif across is not None and across.test == "wilcoxon" and across.readings:
        parts.append(across.readings[0][0].upper() + across.readings[0][1:] + ".")
    return " ".join(parts)


def _p(p: float) -> str:
    """``<0.001`` or ``=0.123`` (with its relation sign)."""
    return "<0.001" if p < 0.001 else f"={p:.3f}"


def format_cell(c: Cell | None, digits: int = 2) -> str:
    """``92.31 [91.80, 92.75]`` (plain text; marks are laid out by the writers)."""
    if c is None:
        return "n/a"
    return f"{c.mean:.{digits}f} [{c.low:.{digits}f}, {c.high:.{digits}f}]"
