"""The report's zero-cost proxy section: rank agreement of proxy scores with test accuracy.

Input: a scores CSV written by ``nasbench-suite zc compute`` (``index``, one column per proxy,
``time_s``; :mod:`nasbench_suite.proxies.results`). For every proxy column the section gives the
Spearman rho, Kendall tau and top-10% overlap (:func:`~nasbench_suite.proxies.correlation.
rank_agreement`: cells without test accuracy dropped, non-finite scores ranked last) against the
store's seed-mean 200-epoch test accuracy of ``dataset``, and one scatter panel per proxy (score
vs test accuracy). No torch is needed.

``dataset``: the one given, else the ``dataset`` recorded in the CSV's ``FILE.meta.json`` sidecar
(the dataset the networks were built for), else ``cifar10``. ``cifar10-valid`` has no test split
in the store: its correlations use ``cifar10``'s test accuracy (the same networks and training).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from nasbench_suite.errors import NasBenchError
from nasbench_suite.report.content import FigureSpec, Table, fmt

MAX_PANEL_COLUMNS = 3


@dataclass(frozen=True)
class ProxySection:
    """What the report shows about one scores CSV."""

    source: str
    dataset: str
    proxies: tuple[str, ...]
    results: dict  # proxy -> rank_agreement dict
    table: Table
    notes: tuple[str, ...]
    figure: FigureSpec


def table_dataset(path: str | Path) -> str | None:
    """The dataset recorded in the scores CSV's ``.meta.json`` sidecar, or None."""
    try:
        meta = json.loads(Path(str(path) + ".meta.json").read_text())
    except (OSError, ValueError):
        return None
    ds = meta.get("dataset") if isinstance(meta, dict) else None
    return ds if isinstance(ds, str) else None


def target_dataset(dataset: str) -> str:
    """The dataset whose test accuracy is compared with (cifar10-valid -> cifar10)."""
    from nasbench_suite.bench.datasets import dataset_name

    ds = dataset_name(dataset)
    return "cifar10" if ds == "cifar10-valid" else ds


def build_proxy_section(path: str | Path, store, dataset: str | None = None) -> ProxySection:
    """Correlations and the scatter figure of the scores CSV ``path`` (needs the store)."""
    from nasbench_suite.proxies.correlation import rank_agreement
    from nasbench_suite.proxies.results import read_scores

    path = Path(path)
    if not path.is_file():
        raise NasBenchError(f"proxy scores file {path} does not exist")
    columns, rows = read_scores(path)
    if not rows or not columns:
        raise NasBenchError(
            f"{path} holds no proxy scores (write it with `nasbench-suite zc compute`)"
        )
    asked = dataset or table_dataset(path) or "cifar10"
    target = target_dataset(asked)
    idx = np.array(sorted(rows), dtype=np.int64)
    acc_all = np.asarray(store.column("test_acc", target), dtype=np.float64)
    if idx.max() >= acc_all.size or idx.min() < 0:
        raise NasBenchError(f"{path} has indices outside the NB201 space")
    acc = acc_all[idx]
    results, scores = {}, {}
    for proxy in columns:
        s = np.array([rows[i][proxy] for i in idx], dtype=np.float64)
        scores[proxy] = s
        results[proxy] = rank_agreement(s, acc)
    times = np.array([rows[i].get("time_s", math.nan) for i in idx], dtype=np.float64)
    table_rows = tuple(
        (
            p,
            fmt(r["spearman"], 3),
            fmt(r["kendall"], 3),
            fmt(r["top10_overlap"], 3),
            str(r["n"]),
            str(int((~np.isfinite(scores[p])).sum())),
        )
        for p, r in results.items()
    )
    note = (
        f"{len(idx):,} cells scored; target: seed-mean 200-epoch test accuracy on {target}"
        + (f" (asked: {asked})" if target != asked else "")
        + ". Non-finite scores rank last; cells without test accuracy are dropped (n)."
    )
    notes = [
        (f"Scores: {path}. Rank agreement per proxy: Spearman rho, Kendall tau (tau-b) and the "
         "top-10% overlap |top-k by score ∩ top-k by accuracy| / k, k = 10% of the cells.")
    ]
    if np.isfinite(times).any():
        notes.append(
            f"Recorded scoring time: {np.nanmean(times):.3f} s per cell on average "
            f"(all proxies of a cell together), {np.nansum(times):,.1f} s in all."
        )
    table = Table(
        f"Zero-cost proxies vs test accuracy ({target})",
        ("proxy", "Spearman", "Kendall", "top-10% overlap", "n", "non-finite"),
        table_rows,
        note,
    )
    figure = FigureSpec(
        f"proxies-{path.stem}-{target}",
        f"Zero-cost proxy scores vs test accuracy ({target})",
        f"One panel per proxy: score of each of the {len(idx):,} scored cells vs its seed-mean "
        "200-epoch test accuracy (non-finite scores left out); rho = Spearman.",
        _scatter_maker(tuple(columns), scores, acc, results),
    )
    return ProxySection(
        str(path), target, tuple(columns), results, table, tuple(notes), figure
    )


def _scatter_maker(proxies, scores, acc, results):
    def make():
        from matplotlib.figure import Figure

        n = len(proxies)
        ncols = min(MAX_PANEL_COLUMNS, n)
        nrows = -(-n // ncols)
        fig = Figure(figsize=(3.6 * ncols, 3.0 * nrows), layout="constrained")
        axes = np.atleast_1d(fig.subplots(nrows, ncols, squeeze=False)).ravel()
        for ax, proxy in zip(axes, proxies):
            s = scores[proxy]
            keep = np.isfinite(s) & np.isfinite(acc)
            ax.scatter(s[keep], acc[keep], s=3, alpha=0.35, linewidths=0, rasterized=True)
            ax.set_title(f"{proxy} (rho {fmt(results[proxy]['spearman'], 2)})")
            ax.set_xlabel("proxy score")
            ax.set_ylabel("test accuracy (%)")
            ax.grid(alpha=0.3)
        for ax in axes[n:]:
            ax.axis("off")
        return fig

    return make
