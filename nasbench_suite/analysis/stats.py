"""Statistical comparison of strategies, within a task and across tasks.

Within a task (one search dataset, one report dataset), at the final budget and at chosen
checkpoints: pairwise two-sided Mann-Whitney U tests (``scipy.stats.mannwhitneyu``) with Holm's
step-down correction over the pairs (``statsmodels.stats.multitest.multipletests``, installed with
scikit-posthocs), and the Vargha-Delaney A12 effect size
``A12(a, b) = P(a > b) + 0.5 P(a = b)`` with the usual magnitude labels (|A12 - 0.5| below 0.06
negligible, 0.14 small, 0.21 medium, else large; Vargha & Delaney 2000).

Across tasks: each strategy's mean final accuracy per task forms a (tasks x strategies) table;
with three or more strategies the Friedman test (``scipy.stats.friedmanchisquare``) and the
Nemenyi post-hoc (``scikit_posthocs.posthoc_nemenyi_friedman``) with its critical difference
``CD = q_alpha * sqrt(k (k + 1) / (6 N))`` (Demsar 2006); with two strategies Friedman does not
apply and the Wilcoxon signed-rank test over tasks is used instead. Degenerate cases (one task,
one run, identical samples, all ties) return results with caveats instead of raising.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from itertools import combinations

import numpy as np

from nasbench_suite.analysis.curves import step_values
from nasbench_suite.analysis.runs import RunSet

ALPHA = 0.05
A12_THRESHOLDS = ((0.06, "negligible"), (0.14, "small"), (0.21, "medium"))


# --- effect size and corrections --------------------------------------------------------
def a12(a, b) -> float:
    """Vargha-Delaney A12: chance that a value of ``a`` beats one of ``b`` (ties count half)."""
    a, b = np.asarray(a, dtype=float).ravel(), np.asarray(b, dtype=float).ravel()
    if a.size == 0 or b.size == 0:
        return math.nan
    greater = (a[:, None] > b[None, :]).sum()
    equal = (a[:, None] == b[None, :]).sum()
    return float((greater + 0.5 * equal) / (a.size * b.size))


def a12_magnitude(value: float) -> str:
    """``negligible`` / ``small`` / ``medium`` / ``large`` (Vargha & Delaney 2000 thresholds)."""
    if math.isnan(value):
        return "n/a"
    d = round(abs(value - 0.5), 12)  # 0.71 - 0.5 is 0.20999... in binary
    for limit, name in A12_THRESHOLDS:
        if d < limit:
            return name
    return "large"


def holm(pvalues) -> np.ndarray:
    """Holm step-down adjusted p-values (statsmodels), same order as given; NaN kept as NaN."""
    p = np.asarray(pvalues, dtype=float)
    out = np.full(p.shape, np.nan)
    ok = ~np.isnan(p)
    if ok.any():
        from statsmodels.stats.multitest import multipletests

        out[ok] = multipletests(p[ok], alpha=ALPHA, method="holm")[1]
    return out


# --- within a task ----------------------------------------------------------------------
@dataclass(frozen=True)
class PairResult:
    """A pairwise comparison (a vs b); ``p_holm`` is Holm-adjusted over the comparison's pairs."""

    a: str
    b: str
    n_a: int
    n_b: int
    median_a: float
    median_b: float
    u: float
    p: float
    p_holm: float
    a12: float
    magnitude: str
    significant: bool
    reading: str


@dataclass(frozen=True)
class TaskComparison:
    """Pairwise tests on one task at one checkpoint (``time_s`` None: the final budget)."""

    search_dataset: str
    dataset: str
    checkpoint: str
    time_s: float | None
    pairs: tuple[PairResult, ...]
    caveats: tuple[str, ...] = ()
    samples: dict = field(default_factory=dict, repr=False, compare=False)


def task_name(search_dataset: str, dataset: str) -> str:
    """How reports name a task: ``cifar100`` or ``cifar10 (searched on cifar10-valid)``."""
    return dataset if search_dataset == dataset else f"{dataset} (searched on {search_dataset})"


def pairwise(
    samples: dict[str, np.ndarray],
    search_dataset: str = "",
    dataset: str = "",
    checkpoint: str = "final",
    time_s: float | None = None,
    alpha: float = ALPHA,
) -> TaskComparison:
    """Pairwise Mann-Whitney U + Holm + A12 between the labelled samples (NaN values dropped)."""
    from scipy.stats import mannwhitneyu

    caveats: list[str] = []
    clean = {}
    for lab, v in samples.items():
        v = np.asarray(v, dtype=float)
        dropped = int(np.isnan(v).sum())
        if dropped:
            caveats.append(
                f"{lab}: {dropped} run(s) without a test accuracy at {checkpoint} are left out"
            )
        clean[lab] = v[~np.isnan(v)]
    labels = list(clean)
    small = [lab for lab in labels if clean[lab].size < 2]
    for lab in small:
        caveats.append(
            f"{lab} has {clean[lab].size} run(s) at {checkpoint}: too few for a rank test"
        )
    if len(labels) < 2:
        caveats.append("only one strategy: nothing to compare")
    where = task_name(search_dataset, dataset)
    raw = []
    for a, b in combinations(labels, 2):
        x, y = clean[a], clean[b]
        if a in small or b in small:
            raw.append((a, b, math.nan, math.nan))
            continue
        if np.ptp(np.concatenate([x, y])) == 0:
            caveats.append(
                f"{a} and {b} have identical values at {checkpoint}: no difference to test (p = 1)"
            )
            raw.append((a, b, float(x.size * y.size) / 2, 1.0))
            continue
        res = mannwhitneyu(x, y, alternative="two-sided")
        raw.append((a, b, float(res.statistic), float(res.pvalue)))
    adjusted = holm([r[3] for r in raw])
    pairs = []
    for (a, b, u, p), ph in zip(raw, adjusted):
        x, y = clean[a], clean[b]
        eff = a12(x, y)
        mag = a12_magnitude(eff)
        sig = bool(not math.isnan(ph) and ph < alpha)
        pairs.append(
            PairResult(
                a,
                b,
                int(x.size),
                int(y.size),
                _median(x),
                _median(y),
                u,
                p,
                float(ph),
                eff,
                mag,
                sig,
                _reading(a, b, where, p, ph, eff, mag, sig, checkpoint),
            )
        )
    return TaskComparison(
        search_dataset, dataset, checkpoint, time_s, tuple(pairs), tuple(caveats), clean
    )


def _median(v: np.ndarray) -> float:
    return float(np.median(v)) if v.size else math.nan


def _reading(a, b, where, p, ph, eff, mag, sig, checkpoint) -> str:
    at = "" if checkpoint == "final" else f" at {checkpoint}"
    if math.isnan(p):
        return f"{a} vs {b} on {where}{at}: not tested (too few runs)"
    stats = f"p={_fmt_p(ph)} after Holm, A12={eff:.2f}, {mag}"
    if sig:
        win, lose, e = (a, b, eff) if eff > 0.5 else (b, a, 1 - eff)
        stats = f"p={_fmt_p(ph)} after Holm, A12={e:.2f}, {mag}"
        return f"{win} beats {lose} on {where}{at} ({stats})"
    return f"no significant difference between {a} and {b} on {where}{at} ({stats})"


def _fmt_p(p: float) -> str:
    if math.isnan(p):
        return "n/a"
    return "<0.001" if p < 0.001 else f"{p:.3f}"


def final_samples(
    runset: RunSet, labels, search_dataset: str, dataset: str
) -> dict[str, np.ndarray]:
    """Label -> final incumbent test accuracies (%) of its complete runs on the task."""
    return {
        lab: np.array(
            [r.final_test(dataset) for r in runset.select(lab, search_dataset)], dtype=float
        )
        for lab in labels
    }


def checkpoint_samples(
    runset: RunSet, labels, search_dataset: str, dataset: str, t: float
) -> dict[str, np.ndarray]:
    """Label -> incumbent test accuracy (%) of each complete run at simulated time ``t`` (s)."""
    out = {}
    for lab in labels:
        vals = [
            step_values(
                r.time_s,
                r.incumbent_test.get(dataset, np.full(r.time_s.shape, np.nan)),
                np.array([t]),
            )[0]
            for r in runset.select(lab, search_dataset)
        ]
        out[lab] = np.array(vals, dtype=float)
    return out


def compare_task(
    runset: RunSet,
    search_dataset: str,
    dataset: str,
    labels=None,
    checkpoints_s=(),
    alpha: float = ALPHA,
) -> tuple[TaskComparison, ...]:
    """Pairwise comparisons on one task at the final budget and at each checkpoint (seconds)."""
    labels = list(labels or [lab for lab in runset.labels if runset.select(lab, search_dataset)])
    out = [
        pairwise(
            final_samples(runset, labels, search_dataset, dataset),
            search_dataset,
            dataset,
            "final",
            None,
            alpha,
        )
    ]
    for t in checkpoints_s:
        s = checkpoint_samples(runset, labels, search_dataset, dataset, float(t))
        out.append(pairwise(s, search_dataset, dataset, f"t={_fmt_t(t)}", float(t), alpha))
    return tuple(out)


def _fmt_t(t: float) -> str:
    return f"{t:,.0f} s" if t >= 10 else f"{t:.3g} s"


# --- across tasks -------------------------------------------------------------------------
@dataclass(frozen=True)
class AcrossTasks:
    """Across-task comparison on a (tasks x strategies) table of mean final accuracies (%).

    Attributes:
        test: ``friedman``, ``wilcoxon`` or None (not applicable; see ``caveats``).
        mean_ranks: label -> mean rank over tasks (1 = best).
        nemenyi: (k x k) Nemenyi p-values in ``labels`` order (Friedman only).
        cd: Nemenyi critical difference of mean ranks at ``alpha`` (Friedman only).
    """

    labels: tuple[str, ...]
    tasks: tuple[tuple[str, str], ...]
    table: np.ndarray = field(repr=False)
    test: str | None
    statistic: float
    p: float
    mean_ranks: dict
    nemenyi: np.ndarray | None = field(default=None, repr=False)
    cd: float | None = None
    alpha: float = ALPHA
    caveats: tuple[str, ...] = ()
    readings: tuple[str, ...] = ()


def critical_difference(k: int, n: int, alpha: float = ALPHA) -> float:
    """Nemenyi CD of mean ranks for ``k`` strategies over ``n`` tasks (Demsar 2006).

    ``q_alpha`` is the studentized range quantile (infinite df) divided by sqrt(2).
    """
    from scipy.stats import studentized_range

    q = studentized_range.ppf(1 - alpha, k, np.inf) / math.sqrt(2)
    return float(q * math.sqrt(k * (k + 1) / (6.0 * n)))


def across_tasks(table: np.ndarray, labels, tasks, alpha: float = ALPHA) -> AcrossTasks:
    """Friedman + Nemenyi (k >= 3) or Wilcoxon signed-rank (k = 2) over the rows (tasks)."""
    from scipy.stats import rankdata

    table = np.asarray(table, dtype=float).reshape(len(tasks), len(labels))
    labels, tasks = tuple(labels), tuple(tasks)
    caveats: list[str] = []
    keep_rows = ~np.isnan(table).any(axis=1)
    if not keep_rows.all():
        dropped = [task_name(*t) for t, k in zip(tasks, keep_rows) if not k]
        caveats.append(
            f"tasks left out because some strategy has no result there: {', '.join(dropped)}"
        )
        table, tasks = table[keep_rows], tuple(t for t, k in zip(tasks, keep_rows) if k)
    k, n = len(labels), len(tasks)
    ranks = rankdata(-table, axis=1, method="average") if n else np.zeros((0, k))
    mean_ranks = {
        lab: float(ranks[:, i].mean()) if n else math.nan for i, lab in enumerate(labels)
    }
    if len({s for s, _ in tasks}) < n:
        caveats.append(
            "several tasks share one search (the same runs reported on several datasets), so the "
            "tasks are not independent blocks; read the across-task test as descriptive"
        )
    base = {"labels": labels, "tasks": tasks, "table": table, "mean_ranks": mean_ranks, "alpha": alpha}
    if k < 2:
        return AcrossTasks(
            **base,
            test=None,
            statistic=math.nan,
            p=math.nan,
            caveats=(*caveats, "only one strategy: no across-task comparison"),
        )
    if n < 2:
        return AcrossTasks(
            **base,
            test=None,
            statistic=math.nan,
            p=math.nan,
            caveats=(
                *caveats,
                (f"{n} task: an across-task test needs at least two tasks; "
                 "see the within-task tests"),
            ),
        )
    if k == 2:
        return _wilcoxon(base, table, labels, n, caveats, alpha)
    return _friedman(base, table, labels, n, caveats, alpha)


def _wilcoxon(base, table, labels, n, caveats, alpha) -> AcrossTasks:
    from scipy.stats import wilcoxon

    caveats.append(
        "two strategies: the Friedman test needs three or more, so the Wilcoxon "
        "signed-rank test over tasks is used instead"
    )
    diff = table[:, 0] - table[:, 1]
    if np.all(diff == 0):
        return AcrossTasks(
            **base,
            test="wilcoxon",
            statistic=math.nan,
            p=1.0,
            caveats=(*caveats, "the two strategies tie on every task: no difference to test"),
            readings=(f"{labels[0]} and {labels[1]} tie on every task",),
        )
    if n < 6:
        caveats.append(
            f"with {n} tasks the smallest possible two-sided Wilcoxon p-value is "
            f"{2 / 2**n:.3f}; a non-significant result says little"
        )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        res = wilcoxon(table[:, 0], table[:, 1], alternative="two-sided")
    p = float(res.pvalue)
    better = labels[0] if np.median(diff) > 0 else labels[1]
    worse = labels[1] if better == labels[0] else labels[0]
    if p < alpha:
        reading = f"across {n} tasks, {better} beats {worse} (Wilcoxon signed-rank p={_fmt_p(p)})"
    else:
        reading = (
            f"across {n} tasks, no significant difference between {labels[0]} and {labels[1]} "
            f"(Wilcoxon signed-rank p={_fmt_p(p)})"
        )
    return AcrossTasks(
        **base,
        test="wilcoxon",
        statistic=float(res.statistic),
        p=p,
        caveats=tuple(caveats),
        readings=(reading,),
    )


def _friedman(base, table, labels, n, caveats, alpha) -> AcrossTasks:
    import scikit_posthocs as sp
    from scipy.stats import friedmanchisquare

    k = len(labels)
    cd = critical_difference(k, n, alpha)
    if n < 5:
        caveats.append(f"only {n} tasks: the Friedman / Nemenyi tests have little power")
    if np.all(np.ptp(table, axis=1) == 0):
        return AcrossTasks(
            **base,
            test="friedman",
            statistic=math.nan,
            p=1.0,
            cd=cd,
            caveats=(*caveats, "all strategies tie on every task: no difference to test"),
            readings=("all strategies tie on every task",),
        )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        res = friedmanchisquare(*[table[:, i] for i in range(k)])
        nemenyi = np.asarray(sp.posthoc_nemenyi_friedman(table), dtype=float)
    p = float(res.pvalue)
    mr = base["mean_ranks"]
    order = sorted(labels, key=lambda lab: mr[lab])
    readings = [
        f"Friedman test over {n} tasks: p={_fmt_p(p)} "
        + (
            "(the strategies differ)"
            if p < alpha
            else "(no significant difference among the strategies)"
        ),
        "mean ranks (1 = best): " + ", ".join(f"{lab} {mr[lab]:.2f}" for lab in order),
        f"Nemenyi critical difference at alpha={alpha}: {cd:.2f} ranks",
    ]
    if p < alpha:
        for i, j in combinations(range(k), 2):
            if nemenyi[i, j] < alpha:
                a, b = (
                    (labels[i], labels[j])
                    if mr[labels[i]] < mr[labels[j]]
                    else (labels[j], labels[i])
                )
                readings.append(
                    f"{a} ranks better than {b} across tasks (Nemenyi p={_fmt_p(nemenyi[i, j])})"
                )
    return AcrossTasks(
        **base,
        test="friedman",
        statistic=float(res.statistic),
        p=p,
        nemenyi=nemenyi,
        cd=cd,
        caveats=tuple(caveats),
        readings=tuple(readings),
    )


def across_tasks_from_runs(
    runset: RunSet, tasks=None, labels=None, alpha: float = ALPHA
) -> AcrossTasks:
    """:func:`across_tasks` on the mean final accuracy of every label on every task."""
    tasks = tuple(tasks or runset.tasks())
    labels = tuple(labels or runset.labels)
    table = np.full((len(tasks), len(labels)), np.nan)
    for i, (s, d) in enumerate(tasks):
        for j, lab in enumerate(labels):
            v = np.array([r.final_test(d) for r in runset.select(lab, s)], dtype=float)
            v = v[~np.isnan(v)]
            if v.size:
                table[i, j] = v.mean()
    return across_tasks(table, labels, tasks, alpha)


def plot_cd(ax, result: AcrossTasks) -> None:
    """Critical-difference diagram (scikit-posthocs when it has one, else drawn here)."""
    import pandas as pd
    import scikit_posthocs as sp

    if result.nemenyi is None:
        ax.axis("off")
        ax.text(
            0.5,
            0.5,
            "no critical-difference diagram (needs 3+ strategies and 2+ tasks)",
            ha="center",
            va="center",
            fontsize=9,
        )
        return
    # scikit-posthocs groups labels in Python sets; labels with a fixed hash make its layout
    # independent of PYTHONHASHSEED (deterministic reports)
    keys = [_StableLabel(lab) for lab in result.labels]
    ranks = pd.Series(
        [result.mean_ranks[lab] for lab in result.labels], index=pd.Index(keys, dtype=object)
    )
    sig = pd.DataFrame(
        result.nemenyi, index=pd.Index(keys, dtype=object), columns=pd.Index(keys, dtype=object)
    )
    if hasattr(sp, "critical_difference_diagram"):
        sp.critical_difference_diagram(ranks, sig, ax=ax, alpha=result.alpha)
        ax.set_title(f"mean rank (1 = best); CD = {result.cd:.2f}", fontsize=9)
        return
    _draw_cd(ax, result)


class _StableLabel(str):
    """A str whose hash does not depend on PYTHONHASHSEED."""

    def __hash__(self) -> int:
        import zlib

        return zlib.crc32(self.encode("utf-8"))


def _draw_cd(ax, result: AcrossTasks) -> None:
    k = len(result.labels)
    order = sorted(result.labels, key=lambda lab: result.mean_ranks[lab])
    ax.set_xlim(0.5, k + 0.5)
    ax.set_ylim(-len(order) - 1, 1.5)
    ax.hlines(0, 1, k, color="black")
    for r in range(1, k + 1):
        ax.vlines(r, -0.1, 0.1, color="black")
        ax.text(r, 0.3, str(r), ha="center", fontsize=8)
    for i, lab in enumerate(order):
        x = result.mean_ranks[lab]
        ax.plot([x, x], [0, -i - 1], color=f"C{i % 10}")
        ax.text(x + 0.05, -i - 1, f"{lab} ({x:.2f})", va="center", fontsize=8)
    ax.hlines(1.0, 1, 1 + result.cd, color="red", linewidth=2)
    ax.text(1 + result.cd / 2, 1.2, f"CD = {result.cd:.2f}", ha="center", fontsize=8)
    ax.axis("off")
