"""Published reference results (NB201 paper, NATS-Bench) and how our runs compare with them.

The numbers live in ``published.yaml`` next to this module (package data, read with
:mod:`importlib.resources`), each table with its citation, table number and protocol.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from nasbench_suite.analysis.runs import RunSet, primary_report_dataset
from nasbench_suite.errors import DataError

DATA_FILE = "published.yaml"


@dataclass(frozen=True)
class PublishedMethod:
    """One method's published results: dataset -> (mean, std) test accuracy (%)."""

    name: str
    strategy: str | None
    kind: str
    values: dict | None


@dataclass(frozen=True)
class PublishedTable:
    """A published table: where it is from, the protocol, its methods."""

    key: str
    citation: str
    url: str
    table: str
    protocol: str
    runs: str
    verification: str
    methods: tuple[PublishedMethod, ...]

    @property
    def has_values(self) -> bool:
        return any(m.values for m in self.methods)

    def for_strategy(self, strategy: str) -> PublishedMethod | None:
        return next((m for m in self.methods if m.strategy == strategy), None)


@dataclass(frozen=True)
class ComparisonRow:
    """Our mean +- std beside the published one for one strategy and dataset."""

    label: str
    method: str
    search_dataset: str
    dataset: str
    n: int
    mean: float
    std: float
    published_mean: float | None
    published_std: float | None

    @property
    def difference(self) -> float:
        if self.published_mean is None or self.mean != self.mean:
            return math.nan
        return self.mean - self.published_mean


def _text() -> str:
    from importlib import resources

    try:
        return resources.files("nasbench_suite.analysis").joinpath(DATA_FILE).read_text()
    except (FileNotFoundError, ModuleNotFoundError, OSError):
        from pathlib import Path

        path = Path(__file__).with_name(DATA_FILE)
        try:
            return path.read_text()
        except OSError:
            raise DataError(
                f"published reference file {path} is missing; reinstall nasbench-suite"
            ) from None


@lru_cache(maxsize=1)
def load_published() -> dict[str, PublishedTable]:
    """Every published table by protocol key (``nb201``, ``nats_tss``)."""
    import yaml

    raw = yaml.safe_load(_text()) or {}
    out = {}
    for key, t in raw.items():
        methods = tuple(
            PublishedMethod(
                name,
                m.get("strategy"),
                m.get("kind", ""),
                None if not m.get("values") else {d: tuple(v) for d, v in m["values"].items()},
            )
            for name, m in (t.get("methods") or {}).items()
        )
        out[key] = PublishedTable(
            key,
            t.get("citation", ""),
            t.get("url", ""),
            t.get("table", ""),
            t.get("protocol", ""),
            t.get("runs", ""),
            " ".join(str(t.get("verification", "")).split()),
            methods,
        )
    return out


def published(protocol: str) -> PublishedTable | None:
    """The published table of a protocol, or None when none is shipped."""
    return load_published().get(protocol)


def compare_with_published(runset: RunSet, protocol: str) -> tuple[ComparisonRow, ...]:
    """Rows for every complete (strategy, task) of runs following ``protocol``.

    NB201 reports every dataset from one search on cifar10-valid; NATS-Bench reports each search
    dataset's own test split, so only the primary report dataset of each search is compared.
    """
    table = published(protocol)
    if table is None:
        return ()
    rows = []
    runs = [r for r in runset.complete if r.protocol == protocol]
    for label in sorted({r.label for r in runs}):
        mine = [r for r in runs if r.label == label]
        strategy = mine[0].strategy
        method = table.for_strategy(strategy)
        for search in sorted({r.search_dataset for r in mine}):
            if protocol == "nb201" and search != "cifar10-valid":
                continue  # the NB201 protocol searches on cifar10-valid only
            group = [r for r in mine if r.search_dataset == search]
            reports = group[0].report_datasets
            datasets = (
                reports
                if protocol == "nb201"
                else tuple(d for d in [primary_report_dataset(search, reports)] if d)
            )
            for d in datasets:
                v = np.array([r.final_test(d) for r in group], dtype=float)
                v = v[~np.isnan(v)]
                mean = float(v.mean()) if v.size else math.nan
                std = float(v.std(ddof=1)) if v.size > 1 else (0.0 if v.size else math.nan)
                pub = (method.values or {}).get(d) if method else None
                rows.append(
                    ComparisonRow(
                        label,
                        method.name if method else "-",
                        search,
                        d,
                        int(v.size),
                        mean,
                        std,
                        None if pub is None else pub[0],
                        None if pub is None or pub[1] is None else pub[1],
                    )
                )
    return tuple(rows)
