"""The run-folder format: its file names, statuses and the one reader of it.

The runner (:mod:`nasbench_suite.runner.run`) writes ``<out>/<label>/<task>/run-<k>/`` with
``spec.json`` (the run's spec), ``metadata.json`` (status, incumbent, seeds, versions,
benchmark provenance) and ``trajectory.jsonl``, through a ``.run-<k>.tmp`` folder renamed into
place. ``<task>`` is the search dataset for NB201 (``type: tabular``) and training runs, and
``<benchmark>-<dataset>`` for every other benchmark (:func:`task_name`).

Readers (``runs summary``, :mod:`nasbench_suite.analysis.runs`) go through :func:`run_folders`
and :func:`read_folder` here; neither analysis nor reports import the runner.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from nasbench_suite.runfolder_check import (
    DAMAGED,
    metadata_problem,
    read_json_dict,
    trajectory_problem,
)

SPEC_FILE, TRAJECTORY_FILE, METADATA_FILE = "spec.json", "trajectory.jsonl", "metadata.json"
COMPLETE, FAILED, UNFINISHED = "complete", "failed", "unfinished"
#: Shipped protocols whose published results reports set beside runs (analysis/published.yaml).
PROTOCOLS = ("nb201", "nats_tss")
#: Benchmark types whose run folders are ``<label>/<dataset>`` (written before the seam).
LEGACY_FOLDER_TYPES = ("tabular", "training")
#: ``benchmark.type`` values of old run folders -> registry names.
LEGACY_TYPES = {"tabular": "nb201"}

RUN_DIR = re.compile(r"^run-(\d+)$")
TMP_DIR = re.compile(r"^\.run-(\d+)\.tmp$")


def task_name(benchmark_type: str, dataset: str) -> str:
    """The folder / seed key of a (benchmark type, search dataset) pair."""
    if benchmark_type in LEGACY_FOLDER_TYPES:
        return dataset
    return f"{benchmark_type}-{dataset}"


def benchmark_name(benchmark_type: str) -> str:
    """Registry name of a run's ``benchmark.type`` (``tabular`` -> ``nb201``)."""
    return LEGACY_TYPES.get(benchmark_type, benchmark_type)


def read_json(path: Path) -> dict | None:
    """A JSON object file, or None when absent, not UTF-8, not JSON or not an object."""
    return read_json_dict(path)


def read_metadata(folder: Path) -> dict | None:
    """The run folder's metadata, or None when absent or unreadable."""
    return read_json(Path(folder) / METADATA_FILE)


def is_complete(folder: Path) -> bool:
    """True when ``folder`` holds a finished run (never rewritten)."""
    meta = read_metadata(folder)
    return bool(meta) and meta.get("status") == COMPLETE


def run_folders(root: Path, include_tmp: bool = True) -> list[Path]:
    """Run folders under ``root``: an ``--out`` folder, a label folder, a task folder or one run
    folder (the shallowest level holding any), sorted; ``.run-<k>.tmp`` ones if asked."""
    root = Path(root)

    def is_run(p: Path) -> bool:
        return bool(RUN_DIR.match(p.name) or (include_tmp and TMP_DIR.match(p.name)))

    if is_run(root):
        return [root]
    found: list[Path] = []
    for depth in ("*", "*/*", "*/*/*"):
        found = [p for p in sorted(root.glob(depth)) if p.is_dir() and is_run(p)]
        if found:
            break
    return found


@dataclass(frozen=True)
class FolderInfo:
    """What a run folder says about itself (no trajectory).

    Attributes:
        path: the folder.
        label / strategy: folder label and registry name of the strategy.
        benchmark: registry name of the benchmark (``nb201`` for old ``tabular`` runs).
        dataset: the search dataset as the benchmark names it.
        task: the folder's task key (``dataset``, or ``<benchmark>-<dataset>``).
        index: run number k.
        experiment / protocol: the spec's name and shipped protocol, if any.
        status / error: ``complete`` | ``failed`` | ``unfinished`` and the failure line.
        report_datasets: datasets whose test accuracy the trajectory carries.
        spec / metadata: the raw documents.
    """

    path: Path
    label: str
    strategy: str
    benchmark: str
    dataset: str
    task: str
    index: int
    experiment: str
    protocol: str | None
    status: str
    error: str | None
    report_datasets: tuple[str, ...]
    spec: dict = field(compare=False, repr=False, default_factory=dict)
    metadata: dict = field(compare=False, repr=False, default_factory=dict)


def read_folder(folder: Path) -> FolderInfo:
    """Read ``spec.json`` and ``metadata.json`` of one run folder (missing files tolerated)."""
    folder = Path(folder)
    match = RUN_DIR.match(folder.name) or TMP_DIR.match(folder.name)
    index = int(match.group(1)) if match else -1
    spec = read_json(folder / SPEC_FILE) or {}
    meta = read_metadata(folder)
    label = str(spec.get("label") or folder.parent.parent.name)
    bench = spec.get("benchmark") if isinstance(spec.get("benchmark"), dict) else {}
    btype = str(bench.get("type") or "tabular")
    task = folder.parent.name
    dataset = str(spec.get("dataset") or spec.get("search_dataset") or task)
    if bench.get("search_dataset"):
        dataset = str(bench["search_dataset"])
    if spec:
        task = task_name(btype, dataset)
    run = spec.get("run", index)
    index = run if isinstance(run, int) else index
    experiment = str(spec.get("experiment") or "experiment")
    protocol = spec.get("protocol")
    if protocol is None and experiment in PROTOCOLS:
        protocol = experiment
    if folder.name.startswith(".") or meta is None:
        status, error = UNFINISHED, None
    elif metadata_problem(meta):
        status, error = UNFINISHED, f"malformed metadata.json: {metadata_problem(meta)}"
    else:
        status = meta.get("status") if meta.get("status") in (COMPLETE, FAILED) else UNFINISHED
        error = meta.get("error") if status == FAILED else None
        error = error if isinstance(error, str) or error is None else str(error)
        problem = trajectory_problem(folder, meta) if status == COMPLETE else None
        if problem:  # metadata says complete, the trajectory disagrees: never averaged
            status, error = DAMAGED, f"damaged: {problem}"
    if status == UNFINISHED and meta is None and not folder.name.startswith("."):
        error = "no metadata.json (the run never finished writing)"
    elif status == UNFINISHED and folder.name.startswith("."):
        error = "temporary folder: the run was interrupted or is still running"
    reports = tuple(spec.get("report_datasets") or ())
    if not reports and meta:
        reports = tuple(sorted((meta.get("final_incumbent") or {}).get("test_acc") or {}))
    return FolderInfo(
        path=folder,
        label=label,
        strategy=str(spec.get("strategy") or label),
        benchmark=benchmark_name(btype),
        dataset=dataset,
        task=task,
        index=index,
        experiment=experiment,
        protocol=protocol,
        status=status,
        error=error,
        report_datasets=reports,
        spec=spec,
        metadata=meta or {},
    )
