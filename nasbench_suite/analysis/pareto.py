"""Pareto fronts and exact 2-D hypervolume for accuracy-vs-cost trade-offs.

Objectives: maximise test accuracy (%), minimise a cost: latency (ms) on a stored device
(``store.latency(device)``) or parameters (M, ``store.column("params_m", dataset)``). A run's
points
are the cells it evaluated (its trajectory's ``arch_index``), scored by the store. Hypervolumes use
a common reference point (the worst accuracy and the largest cost in the whole space, so every
cell dominates or touches it) and are reported as a fraction of the space's own front's
hypervolume, so 1.0 means the run found the whole true front.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from nasbench_suite.analysis.runs import Run


def pareto_mask(acc, cost) -> np.ndarray:
    """Non-dominated points when maximising ``acc`` and minimising ``cost`` (NaN: dominated).

    Of exact duplicates only the first is kept on the front.
    """
    acc, cost = np.asarray(acc, dtype=float), np.asarray(cost, dtype=float)
    mask = np.zeros(acc.shape, dtype=bool)
    ok = np.flatnonzero(~(np.isnan(acc) | np.isnan(cost)))
    if ok.size == 0:
        return mask
    order = ok[np.lexsort((-acc[ok], cost[ok]))]  # cost ascending, then accuracy descending
    best = -np.inf
    for i in order:
        if acc[i] > best:
            mask[i] = True
            best = acc[i]
    return mask


def hypervolume(acc, cost, ref_acc: float, ref_cost: float) -> float:
    """Exact area dominated by the points and bounded by the reference (``ref_acc``, ``ref_cost``).

    Only points strictly better than the reference in both objectives contribute.
    """
    acc, cost = np.asarray(acc, dtype=float), np.asarray(cost, dtype=float)
    inside = (acc > ref_acc) & (cost < ref_cost)
    if not inside.any():
        return 0.0
    a, c = acc[inside], cost[inside]
    front = pareto_mask(a, c)
    a, c = a[front], c[front]
    order = np.argsort(c)
    a, c = a[order], c[order]
    widths = np.append(c[1:], ref_cost) - c
    return float(np.sum(widths * (a - ref_acc)))


@dataclass(frozen=True)
class CostSpec:
    """Which cost a Pareto analysis uses: ``latency`` on ``device`` or ``params``."""

    kind: str
    device: str | None = None

    @property
    def label(self) -> str:
        return f"latency on {self.device} (ms)" if self.kind == "latency" else "parameters (M)"


def cost_column(store, dataset: str, spec: CostSpec) -> np.ndarray:
    """The cost of every cell (NB201 index order)."""
    if spec.kind == "latency":
        return np.asarray(store.latency(spec.device), dtype=float)
    if spec.kind == "params":
        return np.asarray(store.column("params_m", dataset), dtype=float)
    raise ValueError(f"cost kind must be 'latency' or 'params', got {spec.kind!r}")


@dataclass(frozen=True)
class ParetoResult:
    """Pareto analysis of one run: its evaluated points, front and normalised hypervolume."""

    label: str
    search_dataset: str
    dataset: str
    run: int
    cost: CostSpec
    acc: np.ndarray = field(repr=False)
    costs: np.ndarray = field(repr=False)
    front: np.ndarray = field(repr=False)
    hypervolume: float = 0.0
    hv_fraction: float = 0.0


@dataclass(frozen=True)
class SpaceFront:
    """The whole space's front and the common reference point on one dataset / cost."""

    dataset: str
    cost: CostSpec
    acc: np.ndarray = field(repr=False)
    costs: np.ndarray = field(repr=False)
    ref_acc: float = 0.0
    ref_cost: float = 0.0
    hypervolume: float = 0.0


def space_front(store, dataset: str, cost: CostSpec) -> SpaceFront:
    """Front of every cell in the store and the reference point used for all runs."""
    acc = np.asarray(store.column("test_acc", dataset), dtype=float)
    c = cost_column(store, dataset, cost)
    ok = ~(np.isnan(acc) | np.isnan(c))
    ref_acc, ref_cost = float(np.min(acc[ok])), float(np.max(c[ok]))
    mask = pareto_mask(acc, c)
    hv = hypervolume(acc, c, ref_acc, ref_cost)
    return SpaceFront(dataset, cost, acc[mask], c[mask], ref_acc, ref_cost, hv)


def run_pareto(
    run: Run, store, dataset: str, cost: CostSpec, space: SpaceFront | None = None
) -> ParetoResult:
    """Front and hypervolume of the cells ``run`` evaluated (unique cells)."""
    space = space or space_front(store, dataset, cost)
    idx = np.unique(run.arch_index[run.arch_index >= 0])
    acc = np.asarray(store.column("test_acc", dataset), dtype=float)[idx]
    c = cost_column(store, dataset, cost)[idx]
    front = pareto_mask(acc, c)
    hv = hypervolume(acc, c, space.ref_acc, space.ref_cost)
    frac = hv / space.hypervolume if space.hypervolume > 0 else float("nan")
    return ParetoResult(
        run.label, run.search_dataset, dataset, run.index, cost, acc, c, front, hv, frac
    )


def plot_pareto(
    ax, results: list[ParetoResult], space: SpaceFront | None = None, title: str | None = None
) -> None:
    """Each strategy's pooled front (one colour per label) over the space's front (grey)."""
    if space is not None:
        order = np.argsort(space.costs)
        ax.step(
            space.costs[order],
            space.acc[order],
            where="post",
            color="0.6",
            linestyle="--",
            label="space front",
        )
    labels = sorted({r.label for r in results})
    for i, lab in enumerate(labels):
        acc = np.concatenate([r.acc for r in results if r.label == lab] or [np.array([])])
        c = np.concatenate([r.costs for r in results if r.label == lab] or [np.array([])])
        m = pareto_mask(acc, c)
        order = np.argsort(c[m])
        ax.scatter(c, acc, s=4, alpha=0.25, color=f"C{i % 10}")
        ax.step(
            c[m][order],
            acc[m][order],
            where="post",
            color=f"C{i % 10}",
            label=f"{lab} (pooled front)",
        )
    ax.set_xscale("log")
    ax.set_xlabel(results[0].cost.label if results else (space.cost.label if space else "cost"))
    ax.set_ylabel("test accuracy (%)")
    if title:
        ax.set_title(title, fontsize=10)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7, loc="lower right")
