"""Summaries of a folder of runs: final incumbent test accuracy per strategy and dataset.

Reads only each run's ``metadata.json`` (its ``final_incumbent``), so summarising thousands of
runs is quick. Statistics are over *complete* runs; failed or unfinished folders are counted
apart, and so are damaged ones (a trajectory that does not match its metadata, see
:mod:`nasbench_suite.runfolder_check`); folders mixing specs are refused. The standard deviation is the sample one (``ddof=1``) and 0 for a single run. Runs whose
incumbent has no test accuracy (no evaluation fitted in the budget) are left out of the mean.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from nasbench_suite.bench.datasets import DATASET_NAMES
from nasbench_suite.errors import NasBenchError
from nasbench_suite.runfolder import COMPLETE, DAMAGED, FAILED, UNFINISHED, read_folder
from nasbench_suite.runfolder_check import check_same_spec


@dataclass(frozen=True)
class SummaryRow:
    """Final incumbent test accuracy (%) over runs, per strategy / search / report dataset."""

    strategy: str  # the strategy label (folder name)
    search_dataset: str
    dataset: str  # the report dataset
    runs: int  # complete runs
    final_test_mean: float | None
    final_test_std: float | None
    failed: int = 0
    unfinished: int = 0
    mean_evals: float | None = None
    damaged: int = 0  # complete runs whose trajectory does not match their metadata

    def to_json(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class RunRecord:
    """One run folder: label, search dataset, status, report dataset -> final test acc."""

    label: str
    search_dataset: str
    status: str
    n_evals: int
    final_test: dict[str, float | None]
    report_datasets: tuple[str, ...]


def iter_runs(root: str | Path) -> list[RunRecord]:
    """Every ``<label>/<task>/run-*`` folder under ``root`` (temp folders ignored), sorted.

    Folders are read by :func:`nasbench_suite.runfolder.read_folder`, the reader analysis uses.
    """
    root = Path(root)
    if not root.is_dir():
        raise NasBenchError(
            f"no runs folder {root}; give the --out folder of `nasbench-suite run`"
        )
    records, specs = [], []
    for folder in sorted(root.glob("*/*/run-*")):
        if not folder.is_dir():
            continue
        info = read_folder(folder)
        label, task = folder.parent.parent.name, folder.parent.name
        specs.append((label, task, info.spec))
        meta = info.metadata
        if not meta or info.error and info.error.startswith("malformed metadata"):
            records.append(RunRecord(label, task, UNFINISHED, 0, {}, ()))
            continue
        # budget_rule interpolate: the value read at the budget (runner/budget.py)
        final = meta.get("test_acc_at_budget") or (
            (meta.get("final_incumbent") or {}).get("test_acc") or {}
        )
        reports = tuple(sorted(final)) or info.report_datasets
        # a damaged run (trajectory disagrees with its metadata) is counted apart, never averaged
        records.append(RunRecord(label, task, info.status, int(meta.get("n_evals", 0)), final,
                                 reports))
    check_same_spec(specs, root, one_experiment=True)
    return records


def summarize(root: str | Path) -> list[SummaryRow]:
    """One :class:`SummaryRow` per (strategy label, search dataset, report dataset).

    Sorted by strategy label and search dataset, report datasets in NB201's order.
    """
    records = iter_runs(root)
    if not records:
        raise NasBenchError(f"no run folders (<strategy>/<dataset>/run-*) under {root}")
    groups: dict[tuple[str, str], list[RunRecord]] = {}
    for rec in records:
        groups.setdefault((rec.label, rec.search_dataset), []).append(rec)
    rows = []
    for (label, search_ds), recs in sorted(groups.items()):
        done = [r for r in recs if r.status == COMPLETE]
        failed = sum(r.status == FAILED for r in recs)
        damaged = sum(r.status == DAMAGED for r in recs)
        unfinished = len(recs) - len(done) - failed - damaged
        reports = sorted({d for r in recs for d in r.report_datasets}, key=_dataset_order)
        evals = float(np.mean([r.n_evals for r in done])) if done else None
        for ds in reports:
            values = [r.final_test.get(ds) for r in done]
            finite = np.array(
                [v for v in values if v is not None and not math.isnan(v)], dtype=float
            )
            mean, std = _mean_std(finite)
            rows.append(
                SummaryRow(label, search_ds, ds, len(done), mean, std, failed, unfinished, evals,
                           damaged)
            )
    return rows


def _dataset_order(name: str) -> tuple[int, str]:
    """NB201's dataset order (cifar10-valid, cifar10, cifar100, ImageNet16-120), others last."""
    return (DATASET_NAMES.index(name) if name in DATASET_NAMES else len(DATASET_NAMES), name)


def _mean_std(values: np.ndarray) -> tuple[float | None, float | None]:
    if values.size == 0:
        return None, None
    std = float(np.std(values, ddof=1)) if values.size > 1 else 0.0
    return float(np.mean(values)), std
