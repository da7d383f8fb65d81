"""Published reference results (NB201 paper, NATS-Bench) and how our runs compare with them.

The numbers live in ``published.yaml`` next to this module (package data, read with
:mod:`importlib.resources`), each table with its citation, table number and protocol. A method
may list the cells its authors published as found (``architectures``) instead of numbers; its
values are then looked up in a benchmark store (:meth:`PublishedTable.with_store`).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from nasbench_suite.analysis.runs import RunSet, primary_report_dataset
from nasbench_suite.errors import ArchError, DataError

DATA_FILE = "published.yaml"


@dataclass(frozen=True)
class PublishedMethod:
    """One method's published results: dataset -> (mean, std) test accuracy (%).

    ``architectures`` (dataset -> arch strings, one per published search run) replaces
    ``values`` for methods whose authors published the cells they found; ``source`` says where.
    ``note`` says how the suite's strategy differs from the paper's setup; with
    ``setup_differs`` the method is shown as ``<name> (other setup)`` beside our runs.
    """

    name: str
    strategy: str | None
    kind: str
    values: dict | None
    architectures: dict[str, tuple[str, ...]] | None = None
    source: str = ""
    runs: int | None = None
    note: str = ""
    setup_differs: bool = False

    @property
    def shown_as(self) -> str:
        """The name set beside our runs (says so when the setups differ)."""
        return f"{self.name} (other setup)" if self.setup_differs else self.name

    def runs_for(self, dataset: str) -> int | None:
        """How many search runs the published value of ``dataset`` averages (None: unknown)."""
        if self.architectures:
            return len(self.architectures.get(dataset, ())) or None
        return self.runs

    def looked_up(self, store) -> PublishedMethod:
        """This method with ``values`` computed from its published cells in ``store``.

        Test accuracy is the store's seed-mean 200-epoch value of each listed cell; the std is
        the population std over the listed runs (``np.std``, as NATS-Bench's table script).
        """
        if not self.architectures:
            return self
        values = {}
        for dataset, archs in self.architectures.items():
            acc = store.column("test_acc", dataset)
            v = np.array([acc[store.index_map.index(a)] for a in archs], dtype=float)
            values[dataset] = (round(float(v.mean()), 2), round(float(v.std()), 2))
        return dataclasses.replace(self, values=values)


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
        return any(m.values or m.architectures for m in self.methods)

    @property
    def needs_store(self) -> bool:
        """Whether some values come from published cells not yet looked up."""
        return any(m.architectures and not m.values for m in self.methods)

    def with_store(self, store) -> PublishedTable:
        """This table with every published cell's accuracy looked up in ``store``."""
        return dataclasses.replace(self, methods=tuple(m.looked_up(store) for m in self.methods))

    def for_strategy(self, strategy: str) -> PublishedMethod | None:
        return next((m for m in self.methods if m.strategy == strategy), None)

    def for_name(self, name: str) -> PublishedMethod | None:
        """The method printed as ``name`` in the table (e.g. ``ResNet``)."""
        return next((m for m in self.methods if m.name == name), None)


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
    published_n: int | None = None

    @property
    def difference(self) -> float:
        if self.published_mean is None or self.mean != self.mean:
            return math.nan
        return self.mean - self.published_mean

    @property
    def p_value(self) -> float:
        """Welch's t-test of our runs against the published mean, std and run count.

        The published std is taken as a population std (``np.std``, what the authors' table
        scripts print) and converted to a sample std. NaN when either side has fewer than two
        runs, no std is published, or both sides have no spread.
        """
        from scipy.stats import ttest_ind_from_stats

        n_pub = self.published_n or 0
        if self.published_std is None or self.n < 2 or n_pub < 2 or self.mean != self.mean:
            return math.nan
        std_pub = self.published_std * math.sqrt(n_pub / (n_pub - 1))
        if self.std == 0 and std_pub == 0:
            return math.nan
        res = ttest_ind_from_stats(
            self.mean, self.std, self.n, self.published_mean, std_pub, n_pub, equal_var=False
        )
        return float(res.pvalue)


def format_pm(value) -> str:
    """``mean ± std`` of a published (mean, std) pair; ``n/a`` when there is none."""
    if not value:
        return "n/a"
    return f"{value[0]:.2f}" + ("" if value[1] is None else f" ± {value[1]:.2f}")


def _text(data_file: str = DATA_FILE) -> str:
    from importlib import resources

    try:
        return resources.files("nasbench_suite.analysis").joinpath(data_file).read_text()
    except (FileNotFoundError, ModuleNotFoundError, OSError):
        from pathlib import Path

        path = Path(__file__).with_name(data_file)
        try:
            return path.read_text()
        except OSError:
            raise DataError(
                f"published reference file {path} is missing; reinstall nasbench-suite"
            ) from None


@lru_cache(maxsize=4)
def load_published(data_file: str = DATA_FILE) -> dict[str, PublishedTable]:
    """Every published table of ``data_file`` by protocol key (``published.yaml``: ``nb201``,
    ``nats_tss``; ``published_graph.yaml``: ``nb_graph``)."""
    import yaml

    raw = yaml.safe_load(_text(data_file)) or {}
    out = {}
    for key, t in raw.items():
        per_kind = t.get("runs_per_kind") or {}
        methods = tuple(
            _method(key, name, m, per_kind) for name, m in (t.get("methods") or {}).items()
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


def _method(table: str, name: str, m: dict, runs_per_kind: dict | None = None) -> PublishedMethod:
    archs = m.get("architectures")
    if archs:
        from nasbench_suite.space.codec import parse_arch, to_arch_str

        try:
            archs = {d: tuple(to_arch_str(parse_arch(a)) for a in v) for d, v in archs.items()}
        except ArchError as exc:
            raise DataError(f"published.yaml {table}/{name}: {exc}") from None
    return PublishedMethod(
        name,
        m.get("strategy"),
        m.get("kind", ""),
        None if not m.get("values") else {d: tuple(v) for d, v in m["values"].items()},
        archs or None,
        m.get("source", ""),
        (runs_per_kind or {}).get(m.get("kind", "")),
        " ".join(str(m.get("note") or "").split()),
        bool(m.get("setup_differs", False)),
    )


def published(protocol: str, store=None) -> PublishedTable | None:
    """The published table of a protocol, or None when none is shipped.

    With ``store``, the accuracies of methods given by their published cells are looked up.
    """
    table = load_published().get(protocol)
    return table.with_store(store) if table is not None and store is not None else table


def compare_with_published(
    runset: RunSet, protocol: str, store=None
) -> tuple[ComparisonRow, ...]:
    """Rows for every complete (strategy, task) of runs following ``protocol``.

    NB201 reports every dataset from one search on cifar10-valid; NATS-Bench reports each search
    dataset's own test split, so only the primary report dataset of each search is compared.
    ``store`` looks up the methods given by their published cells (without it they show n/a).
    """
    table = published(protocol, store)
    return () if table is None else compare_with_table(runset, table)


def compare_with_table(runset: RunSet, table: PublishedTable) -> tuple[ComparisonRow, ...]:
    """:func:`compare_with_published` for an already loaded (and looked-up) table."""
    protocol = table.key
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
                        method.shown_as if method else "-",
                        search,
                        d,
                        int(v.size),
                        mean,
                        std,
                        None if pub is None else pub[0],
                        None if pub is None or pub[1] is None else pub[1],
                        method.runs_for(d) if method and pub is not None else None,
                    )
                )
    return tuple(rows)
