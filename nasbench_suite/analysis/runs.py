"""Load run folders written by the runner into tidy, immutable structures.

A run folder is ``<root>/<label>/<task>/run-<k>/`` (task: the search dataset, or
``<benchmark>-<dataset>`` for benchmarks other than NB201 and training) holding ``spec.json``,
``metadata.json`` and ``trajectory.jsonl`` (the format and its one reader: :mod:`nasbench_suite.runfolder`). Every folder
found becomes a :class:`Run` with a ``status``:

* ``complete``: metadata says so; its trajectory is loaded.
* ``failed``: metadata says ``failed``; kept (with its error) so reports show it.
* ``unfinished``: no readable metadata, or a ``.run-<k>.tmp`` folder the runner was writing.
* ``damaged``: metadata says complete but the trajectory does not match it (truncated, edited);
  listed in reports, never used (:mod:`nasbench_suite.runfolder_check`).

Runs that *should* exist but do not are reported as :class:`Missing` entries: a grid is expected to
hold, for every experiment, every (strategy label, search dataset) combination seen in it with the
run numbers ``0..n-1``, where ``n`` is the largest number of runs seen for any combination. The
runner writes no grid-level manifest, so this inference is the best a reader can do; it is
documented in every report that lists missing runs.

Several roots may be given (any mix of strategies, datasets and experiments). When two
experiments use the same strategy label, their labels become ``<experiment>:<label>`` so runs of
different experiments (other budgets, other protocols) are never pooled.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from nasbench_suite.errors import NasBenchError
from nasbench_suite.runfolder import (
    COMPLETE,
    DAMAGED,
    FAILED,
    PROTOCOLS,
    TRAJECTORY_FILE,
    UNFINISHED,
    read_folder,
    run_folders,
)
from nasbench_suite.runfolder_check import check_same_spec


class NoRunsError(NasBenchError):
    """A folder given as a run directory holds no run folders."""


@dataclass(frozen=True)
class Run:
    """One run folder.

    Attributes:
        path: the run folder.
        experiment: the spec's name (``spec.json`` ``experiment``).
        label / strategy: folder label and registry name of the strategy.
        search_dataset: dataset searched on (validation split).
        index: run number k.
        status: ``complete`` | ``failed`` | ``unfinished``.
        error: the failed run's error line (None otherwise).
        protocol: ``nb201`` / ``nats_tss`` when the spec follows a shipped protocol, else None.
        report_datasets: datasets whose test accuracy the trajectory carries.
        time_s: simulated clock after each evaluation, shape (n_evals,), seconds.
        n_evals: evaluation counter per row, shape (n_evals,).
        arch_index: NB201 index evaluated per row, shape (n_evals,).
        incumbent_test: report dataset -> incumbent test accuracy (%) per row (NaN: none yet).
        spec / metadata: the raw JSON documents (not compared, not hashed).
        benchmark: registry name of the benchmark searched (``nb201`` for old folders).
    """

    path: Path
    experiment: str
    label: str
    strategy: str
    search_dataset: str
    index: int
    status: str
    error: str | None
    protocol: str | None
    report_datasets: tuple[str, ...]
    time_s: np.ndarray = field(compare=False, repr=False)
    n_evals: np.ndarray = field(compare=False, repr=False)
    arch_index: np.ndarray = field(compare=False, repr=False)
    incumbent_test: dict[str, np.ndarray] = field(compare=False, repr=False)
    spec: dict = field(compare=False, repr=False, default_factory=dict)
    metadata: dict = field(compare=False, repr=False, default_factory=dict)
    benchmark: str = "nb201"

    @property
    def complete(self) -> bool:
        return self.status == COMPLETE

    def final_test(self, dataset: str) -> float:
        """Test accuracy (%) of the final incumbent on ``dataset`` (NaN if none).

        A run with ``budget_rule: interpolate`` reports the value its runner read at the budget
        (metadata ``test_acc_at_budget``, NATS-Bench's ``draw-table.py`` read-out) instead.
        """
        at_budget = self.metadata.get("test_acc_at_budget")
        if at_budget is not None and dataset in at_budget:
            value = at_budget[dataset]
            return math.nan if value is None else float(value)
        values = self.incumbent_test.get(dataset)
        if values is None or values.size == 0:
            return math.nan
        return float(values[-1])


@dataclass(frozen=True)
class Missing:
    """A run the grid should hold but does not (inferred, see the module docstring)."""

    experiment: str
    label: str
    search_dataset: str
    index: int


@dataclass(frozen=True)
class RunSet:
    """Every run found under some roots, plus what is missing."""

    roots: tuple[Path, ...]
    runs: tuple[Run, ...]
    missing: tuple[Missing, ...]

    @property
    def complete(self) -> tuple[Run, ...]:
        return tuple(r for r in self.runs if r.complete)

    @property
    def failed(self) -> tuple[Run, ...]:
        return tuple(r for r in self.runs if r.status == FAILED)

    @property
    def unfinished(self) -> tuple[Run, ...]:
        return tuple(r for r in self.runs if r.status == UNFINISHED)

    @property
    def damaged(self) -> tuple[Run, ...]:
        """Complete runs whose trajectory does not match their metadata (never used)."""
        return tuple(r for r in self.runs if r.status == DAMAGED)

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(sorted({r.label for r in self.runs}))

    @property
    def search_datasets(self) -> tuple[str, ...]:
        return tuple(sorted({r.search_dataset for r in self.runs}))

    @property
    def experiments(self) -> tuple[str, ...]:
        return tuple(sorted({r.experiment for r in self.runs}))

    @property
    def protocols(self) -> tuple[str, ...]:
        return tuple(sorted({r.protocol for r in self.runs if r.protocol}))

    def report_datasets(self, search_dataset: str | None = None) -> tuple[str, ...]:
        """Report datasets carried by the complete runs (of ``search_dataset`` if given)."""
        out: list[str] = []
        for r in self.runs:
            if search_dataset is None or r.search_dataset == search_dataset:
                out.extend(d for d in r.report_datasets if d not in out)
        return tuple(out)

    def select(
        self,
        label: str | None = None,
        search_dataset: str | None = None,
        complete_only: bool = True,
    ) -> tuple[Run, ...]:
        """Runs matching ``label`` / ``search_dataset`` (complete ones by default), by index."""
        runs = [
            r
            for r in self.runs
            if (label is None or r.label == label)
            and (search_dataset is None or r.search_dataset == search_dataset)
            and (r.complete or not complete_only)
        ]
        return tuple(sorted(runs, key=lambda r: (r.label, r.search_dataset, r.index)))

    def tasks(self) -> tuple[tuple[str, str], ...]:
        """(search dataset, report dataset) pairs with at least one complete run.

        A transfer pair (a report dataset other than the search's own, see
        :func:`primary_report_dataset`) is a task only when every complete run carries a final
        test accuracy on it: NAS-Bench-Graph's 9-op cells searched on cora mostly do not exist in
        ogbn-proteins' 5-op tables, so "proteins, searched on cora" would compare the few runs
        whose incumbent happens to exist there (:meth:`partial_transfers` lists those pairs).
        """
        return tuple(p for p, full in self._pairs() if full)

    def partial_transfers(self) -> tuple[tuple[str, str], ...]:
        """Transfer pairs left out of :meth:`tasks`: some complete runs have no value there."""
        return tuple(p for p, full in self._pairs() if not full)

    def _pairs(self) -> list[tuple[tuple[str, str], bool]]:
        out = []
        for ds in self.search_datasets:
            reports = self.report_datasets(ds)
            primary = primary_report_dataset(ds, reports)
            searched = self.select(search_dataset=ds)
            for rep in reports:
                runs = [r for r in searched if rep in r.report_datasets]
                if not runs:
                    continue
                full = rep == primary or all(
                    not math.isnan(r.final_test(rep)) for r in runs)
                out.append(((ds, rep), full))
        return out


def primary_report_dataset(search_dataset: str, report_datasets: tuple[str, ...]) -> str | None:
    """The report dataset the NB201 / NATS papers pair with a search dataset.

    ``cifar10-valid`` -> ``cifar10`` (its test split); any other dataset -> itself. A task key
    ``<benchmark>-<dataset>`` (``nb-graph-arxiv``, ``nb-macro-cifar10``) pairs with its dataset
    (``arxiv``). When none of these is reported, the first report dataset.
    """
    suffixes = [search_dataset[i + 1:] for i, ch in enumerate(search_dataset) if ch == "-"]
    for name in (search_dataset, *suffixes):
        target = "cifar10" if name == "cifar10-valid" else name
        if target in report_datasets:
            return target
    return report_datasets[0] if report_datasets else None


# --- loading ------------------------------------------------------------------------------
def load_runs(roots: str | Path | list[str | Path] | tuple) -> RunSet:
    """Load every run folder under ``roots`` (one folder or several).

    A root may be a runner ``--out`` folder, a ``<label>`` folder, a ``<label>/<dataset>`` folder
    or a single ``run-<k>`` folder.

    Raises:
        NoRunsError: no run folder at all under the given roots (one sentence naming them).
    """
    if isinstance(roots, (str, Path)):
        roots = [roots]
    paths = tuple(Path(r) for r in roots)
    if not paths:
        raise NoRunsError(
            "give at least one run directory (the --out folder of `nasbench-suite run`)"
        )
    runs: list[Run] = []
    seen: set[Path] = set()
    for root in paths:
        if not root.is_dir():
            raise NoRunsError(
                f"run directory {root} does not exist; "
                "give the --out folder of `nasbench-suite run`"
            )
        mine = [_load_run(f) for f in _run_folders(root) if f.resolve() not in seen]
        check_same_spec(((r.label, r.search_dataset, r.spec) for r in mine), root)
        for run in mine:
            seen.add(run.path.resolve())
            runs.append(run)
    # a temp folder next to a finished one is a rerun in progress: keep the finished run only
    finished = {
        (r.path.parent.resolve(), r.index) for r in runs if not r.path.name.startswith(".")
    }
    runs = [
        r
        for r in runs
        if not (r.path.name.startswith(".") and (r.path.parent.resolve(), r.index) in finished)
    ]
    if not runs:
        names = ", ".join(str(p) for p in paths)
        raise NoRunsError(
            f"no run folders (<strategy>/<dataset>/run-<k>/) under {names}; "
            "run an experiment first: nasbench-suite run experiments/quick.yaml"
        )
    runs = _qualify_labels(_adopt_experiment(runs))
    runs.sort(key=lambda r: (r.experiment, r.label, r.search_dataset, r.index, str(r.path)))
    return RunSet(paths, tuple(runs), _missing(runs))


def _qualify_labels(runs: list[Run]) -> list[Run]:
    """Prefix labels with their experiment (``quick:random``) when several experiments share them.

    Runs of different experiments (other budgets, other protocols) are never pooled.
    """
    import dataclasses

    owners: dict[str, set[str]] = {}
    for r in runs:
        owners.setdefault(r.label, set()).add(r.experiment)
    shared = {label for label, exps in owners.items() if len(exps) > 1}
    if not shared:
        return runs
    return [
        dataclasses.replace(r, label=f"{r.experiment}:{r.label}") if r.label in shared else r
        for r in runs
    ]


def _adopt_experiment(runs: list[Run]) -> list[Run]:
    """A folder without spec.json belongs to the experiment of its siblings (or the only one)."""
    import dataclasses

    known = {r.path.parent.resolve(): r.experiment for r in runs if r.spec}
    names = sorted({r.experiment for r in runs if r.spec})
    out = []
    for r in runs:
        if not r.spec:
            exp = known.get(r.path.parent.resolve()) or (
                names[0] if len(names) == 1 else r.experiment
            )
            r = dataclasses.replace(r, experiment=exp, protocol=exp if exp in PROTOCOLS else None)
        out.append(r)
    return out


def _run_folders(root: Path) -> list[Path]:
    return run_folders(root, include_tmp=True)


def _load_run(folder: Path) -> Run:
    info = read_folder(folder)
    reports = info.report_datasets if info.spec else ()
    time_s, n_evals, arch, inc = _trajectory(folder / TRAJECTORY_FILE, reports)
    if not reports:
        reports = tuple(inc)
    return Run(
        path=folder,
        experiment=info.experiment,
        label=info.label,
        strategy=info.strategy,
        search_dataset=info.task,
        index=info.index,
        status=info.status,
        error=info.error,
        protocol=info.protocol,
        report_datasets=reports,
        time_s=time_s,
        n_evals=n_evals,
        arch_index=arch,
        incumbent_test=inc,
        spec=info.spec,
        metadata=info.metadata,
        benchmark=info.benchmark,
    )


def _trajectory(path: Path, reports: tuple[str, ...]):
    rows = []
    try:
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                line = line.strip()
                if not line:
                    continue
                try:
                    row = json.loads(line)
                except ValueError:
                    break  # a torn last line of an interrupted run
                if not isinstance(row, dict):
                    break
                rows.append(row)
    except (OSError, ValueError):  # missing, or not UTF-8
        pass
    try:
        return _arrays(rows, reports)
    except (TypeError, ValueError, AttributeError):  # a row with values of the wrong type
        return _arrays([], reports)


def _arrays(rows: list[dict], reports: tuple[str, ...]):
    names = list(reports)
    for row in rows:
        for d in row.get("incumbent_test_acc") or {}:
            if d not in names:
                names.append(d)
    time_s = np.array([_f(r.get("time_s")) for r in rows], dtype=float)
    n_evals = np.array([int(r.get("n_evals", i + 1)) for i, r in enumerate(rows)], dtype=np.int64)
    arch = np.array(
        [int(r["arch_index"]) if r.get("arch_index") is not None else -1 for r in rows],
        dtype=np.int64,
    )
    inc = {
        d: np.array([_f((r.get("incumbent_test_acc") or {}).get(d)) for r in rows], dtype=float)
        for d in names
    }
    for a in (time_s, n_evals, arch, *inc.values()):
        a.flags.writeable = False
    return time_s, n_evals, arch, inc


def _f(x) -> float:
    return math.nan if x is None else float(x)


def _missing(runs: list[Run]) -> tuple[Missing, ...]:
    out = []
    for exp in sorted({r.experiment for r in runs}):
        mine = [r for r in runs if r.experiment == exp]
        labels = sorted({r.label for r in mine})
        datasets = sorted({r.search_dataset for r in mine})
        have = {(r.label, r.search_dataset, r.index) for r in mine}
        n = max(r.index for r in mine) + 1
        for label in labels:
            for ds in datasets:
                out.extend(
                    Missing(exp, label, ds, k) for k in range(n) if (label, ds, k) not in have
                )
    return tuple(out)
