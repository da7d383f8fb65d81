"""Final-performance distributions: the final incumbent's test accuracy per run."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from nasbench_suite.analysis.runs import RunSet


@dataclass(frozen=True)
class FinalSummary:
    """Final test accuracy (%) of one strategy on one task over its complete runs.

    ``std`` is the sample standard deviation (ddof=1), 0 for one run, NaN for none; runs whose
    incumbent has no test accuracy (no evaluation fitted the budget) are counted in ``n_empty``.
    """

    label: str
    search_dataset: str
    dataset: str
    n: int
    mean: float
    std: float
    median: float
    min: float
    max: float
    n_empty: int = 0
    values: tuple[float, ...] = field(default=(), repr=False)


def final_values(runset: RunSet, label: str, search_dataset: str, dataset: str) -> np.ndarray:
    """Final incumbent test accuracies (%) of the complete runs, by run index (NaN kept)."""
    return np.array(
        [r.final_test(dataset) for r in runset.select(label, search_dataset)], dtype=float
    )


def summarize_final(runset: RunSet, label: str, search_dataset: str, dataset: str) -> FinalSummary:
    """Mean / std / median / range of :func:`final_values` (NaN-free part)."""
    raw = final_values(runset, label, search_dataset, dataset)
    v = raw[~np.isnan(raw)]
    if v.size == 0:
        nan = math.nan
        return FinalSummary(
            label, search_dataset, dataset, 0, nan, nan, nan, nan, nan, int(raw.size)
        )
    std = float(np.std(v, ddof=1)) if v.size > 1 else 0.0
    return FinalSummary(
        label,
        search_dataset,
        dataset,
        int(v.size),
        float(v.mean()),
        std,
        float(np.median(v)),
        float(v.min()),
        float(v.max()),
        int(raw.size - v.size),
        tuple(float(x) for x in v),
    )


def plot_final(ax, summaries: list[FinalSummary], title: str | None = None) -> None:
    """Box plot of final accuracies per strategy with every run drawn as a jittered point.

    The jitter is seeded (deterministic plots).
    """
    rng = np.random.default_rng(0)
    data = [np.asarray(s.values, dtype=float) for s in summaries]
    labels = [s.label for s in summaries]
    positions = np.arange(1, len(data) + 1)
    nonempty = [i for i, d in enumerate(data) if d.size]
    if nonempty:
        ax.boxplot(
            [data[i] for i in nonempty],
            positions=positions[nonempty],
            widths=0.5,
            showfliers=False,
            medianprops={"color": "black"},
        )
    for i, d in enumerate(data):
        if d.size:
            x = positions[i] + rng.uniform(-0.15, 0.15, d.size)
            ax.scatter(x, d, s=10, alpha=0.6, color=f"C{i % 10}", zorder=3)
    ax.set_xticks(positions)
    ax.set_xticklabels(labels, rotation=30, ha="right", fontsize=8)
    ax.set_ylabel("final test accuracy (%)")
    if title:
        ax.set_title(title, fontsize=10)
    ax.grid(True, axis="y", alpha=0.3)
