"""Build the store from raw sources, and verify a built store.

The raw build reads the public derivatives listed in ``SOURCES.md`` (checksummed first); the
official build (:mod:`nasbench_suite.bench.official`) reads NB201 / NATS-Bench files. Both finish
with :func:`add_derived`, which computes every column that follows from the cell itself.
"""

from __future__ import annotations

import time
import warnings
from pathlib import Path

import numpy as np

from nasbench_suite.bench import sources
from nasbench_suite.bench.cost import NetConfig, cost_table
from nasbench_suite.bench.datasets import DATASETS, NB201_DATASETS
from nasbench_suite.bench.store import (
    N_ISO_CLASSES,
    PUBLISHED_OPTIMA,
    REQUIRED,
    Provenance,
    Store,
    key,
    open_store,
    write_store,
)
from nasbench_suite.errors import DataError
from nasbench_suite.space.codec import N_CELLS, IndexMap, codes_to_ops
from nasbench_suite.space.isomorphism import class_ids

Columns = dict[str, np.ndarray]
Sources = dict[str, Provenance]


def add_derived(columns: Columns, prov: Sources, datasets: tuple[str, ...] = NB201_DATASETS) -> None:
    """Add columns computed from others or from the cell: means, per-epoch time, cost, classes."""
    computed = Provenance("computed")
    code = columns["code"]
    ops = codes_to_ops(code)
    # Rows are NB201 indices, so a class id (smallest row in the class) is an NB201 index.
    columns["iso_class"] = class_ids(ops, "nb201")
    columns["func_class"] = class_ids(ops, "functional")
    prov["iso_class"] = Provenance("computed", note="NB201 UniqueString grouping; id = smallest NB201 index in the class")
    prov["func_class"] = Provenance("computed", note="functional equivalence; id = smallest NB201 index in the class")
    for ds in datasets:
        info = DATASETS[ds]
        config = NetConfig(num_classes=info.num_classes, in_channels=info.in_channels, resolution=info.resolution)
        table = cost_table(ops, config)
        columns[key("params_m", ds)], columns[key("flops_m", ds)] = table[:, 0], table[:, 1]
        prov[key("params_m", ds)] = prov[key("flops_m", ds)] = computed
        seeds = columns.get(key("valid_acc_seeds", ds))
        if seeds is not None:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                columns[key("valid_acc", ds)] = np.nanmean(seeds, axis=1)
            prov[key("valid_acc", ds)] = Provenance("computed", note=f"seed mean of valid_acc_seeds@{ds}")
        train = columns.get(key("train_time_s", ds))
        if train is not None:
            columns[key("epoch_time_s", ds)] = train / 200.0
            prov[key("epoch_time_s", ds)] = Provenance("computed", note=f"train_time_s@{ds} / 200")


def _fill_missing(columns: Columns, prov: Sources, datasets: tuple[str, ...] = NB201_DATASETS) -> None:
    """Add all-NaN columns for fields a dataset lacks, so every dataset has the same fields."""
    fields = {k.split("@")[0] for k in columns if "@" in k and not k.startswith("latency_ms@")}
    fields.discard("upstream_size_m")
    for ds in datasets:
        for field in fields:
            name = key(field, ds)
            if name not in columns:
                shape = (N_CELLS, 3) if field == "valid_acc_seeds" else (N_CELLS,)
                columns[name] = np.full(shape, np.nan)
                prov[name] = Provenance("absent", note=f"{ds} has no {field} in the sources")


def read_raw(raw: Path) -> tuple[Columns, Sources, dict[str, str]]:
    """Read and cross-check every raw source; returns columns, provenance, raw checksums."""
    raw = Path(raw)
    listed = sources.verify_raw(raw)

    def src(name: str, note: str = "") -> Provenance:
        return Provenance(name, listed[name], note)

    columns: Columns = {}
    prov: Sources = {}
    land = sources.read_landscape(raw)
    columns["code"] = land.pop("code").astype(np.int32)
    prov["code"] = src(sources.LANDSCAPE, "ArchitectureString in NB201 index order")
    unique = land.pop("unique_string")
    for name, values in land.items():
        columns[name], prov[name] = values, src(sources.LANDSCAPE, "seed mean, 200 epochs")
    index_of_code = IndexMap(columns["code"]).index_of_code
    _check_index_order(raw, columns["code"], listed)
    for ds, name in sources.VALID_SEEDS.items():
        columns[key("valid_acc_seeds", ds)] = sources.read_valid_seeds(raw, ds, index_of_code)
        prov[key("valid_acc_seeds", ds)] = src(name, "x-valid accuracy at epoch 200, seeds 777/888/999")
    for name, values in sources.read_runs(raw).items():
        columns[name], prov[name] = values, src(sources.RUNS)
    for name, values in sources.read_twelve_epoch(raw).items():
        columns[name], prov[name] = values, src(sources.TWELVE, "seed mean, 12-epoch schedule")
    for name, values in sources.read_zen(raw, index_of_code).items():
        columns[name], prov[name] = values, src(sources.ZEN)
    columns["zen@cifar10-valid"] = columns["zen@cifar10"]
    prov["zen@cifar10-valid"] = src(sources.ZEN, "same network as cifar10")
    for name, values in sources.read_latency(raw, sources.latency_files(listed)).items():
        columns[name] = values
        prov[name] = src(f"{sources.LATENCY_DIR}/{name.split('@')[1]}.pt", "HELP measurement, ms")
    columns["unique_string"] = unique  # for the cross-check in build_from_raw, not stored
    return columns, prov, listed


def _check_index_order(raw: Path, code: np.ndarray, listed: dict[str, str]) -> None:
    """Cross-check the landscape's index order against HELP's arch-string -> index map."""
    name = f"{sources.LATENCY_DIR}/str_arch2idx.pt"
    if name not in listed:
        return
    from nasbench_suite.space.codec import ops_to_code, parse_arch

    mapping = sources._torch_zip_payload(raw / name)
    for arch, index in mapping.items():
        if code[index] != ops_to_code(parse_arch(arch)):
            raise DataError(f"{raw / name} and {raw / sources.LANDSCAPE} disagree on index {index}")


def _check_unique_strings(ours: np.ndarray, unique: np.ndarray) -> None:
    """Our isomorphism classes must partition the cells exactly as upstream ``UniqueString``."""
    pairs = len(set(zip(ours.tolist(), unique.tolist())))
    if not pairs == len(set(ours.tolist())) == len(set(unique.tolist())):
        raise DataError("isomorphism classes disagree with the upstream UniqueString grouping")


def build_from_raw(raw: Path, out: Path) -> Path:
    """Build a store at ``out`` from the raw-source folder ``raw``; returns ``out``."""
    start = time.perf_counter()
    columns, prov, listed = columns_from_raw(raw)
    meta = {"built_from": "raw", "raw_dir": str(Path(raw).resolve()),
            "raw_sha256": listed,
            "build_seconds": round(time.perf_counter() - start, 3)}
    return write_store(columns, prov, out, meta)


def columns_from_raw(raw: Path) -> tuple[Columns, Sources, dict[str, str]]:
    """Every store column computed from the raw folder (checked), with provenance, checksums."""
    columns, prov, listed = read_raw(raw)
    unique = columns.pop("unique_string")
    add_derived(columns, prov)
    _check_unique_strings(columns["iso_class"], unique)
    _fill_missing(columns, prov)
    for name in [k for k in columns if k.startswith("upstream_size_m@")]:
        columns.pop(name)  # wrong for 150 cells upstream; kept only as a verification input
        prov.pop(name)
    problems = check_invariants(columns)
    if problems:
        raise DataError("raw sources fail the store invariants: " + "; ".join(problems))
    return columns, prov, listed


def compare_with_raw(store: Store, raw: Path) -> list[str]:
    """Columns of ``store`` that differ from the same columns recomputed from ``raw``.

    Checks the store against something that does not travel with it (the raw files, themselves
    checked against the checksums shipped in the package), so an edited manifest or a rewritten
    ``arrays.bin`` with a matching checksum is found. Empty list: every column is identical.
    """
    columns, _, _ = columns_from_raw(raw)
    differ = sorted(set(columns) ^ set(store.columns))
    for name in sorted(set(columns) & set(store.columns)):
        ours, theirs = store.columns[name], columns[name]
        if ours.shape != theirs.shape or not np.array_equal(
                ours.astype(theirs.dtype), theirs, equal_nan=theirs.dtype.kind == "f"):
            differ.append(name)
    return differ


def check_invariants(columns: Columns) -> list[str]:
    """Problems with a set of columns: size, permutation, required values, optima, classes."""
    problems = []
    code = columns.get("code")
    if code is None or code.shape != (N_CELLS,) or not np.array_equal(np.sort(code), np.arange(N_CELLS)):
        return [f"code is not a permutation of the {N_CELLS} cells"]
    for ds, fields in REQUIRED.items():
        for field in fields:
            col = columns.get(key(field, ds))
            if col is None:
                problems.append(f"{key(field, ds)} is missing")
            elif field != "valid_acc_seeds" and np.isnan(col).any():
                problems.append(f"{key(field, ds)} has {int(np.isnan(col).sum())} missing values")
            elif field == "valid_acc_seeds" and np.isnan(col).all(axis=1).any():
                problems.append(f"{key(field, ds)} has cells without any seed")
    for name, published in PUBLISHED_OPTIMA.items():
        col = columns.get(name)
        if col is not None and not np.isnan(col).all() and round(float(np.nanmax(col)), 2) != published:
            problems.append(f"best {name} is {np.nanmax(col):.2f}, published {published}")
    if "iso_class" in columns and len(np.unique(columns["iso_class"])) != N_ISO_CLASSES:
        problems.append(f"{len(np.unique(columns['iso_class']))} isomorphism classes, expected {N_ISO_CLASSES}")
    return problems


def verify_store(path: Path | None = None, raw: Path | None = None) -> dict:
    """Re-check a built store (checksum + invariants) and, when given, the raw sources.

    Returns a summary dict; raises :class:`DataError` naming the first problem.
    """
    store = open_store(path) if path is None else Store.load(path)  # load checks the checksum
    problems = check_invariants(store.columns)
    if problems:
        raise DataError(f"store {store.path} fails verification: " + "; ".join(problems))
    summary = {"store": str(store.path), "arrays_sha256": store.checksum, "cells": N_CELLS,
               "iso_classes": len(np.unique(store.columns["iso_class"])),
               "optima": {n: round(float(np.nanmax(store.columns[n])), 2) for n in PUBLISHED_OPTIMA}}
    if raw is not None:
        listed = sources.verify_raw(Path(raw))
        summary["raw_files_checked"] = len(listed)
        summary["columns_recomputed"] = False
        if store.manifest.get("built_from") == "raw":
            differ = compare_with_raw(store, Path(raw))
            if differ:
                raise DataError(
                    f"store {store.path} differs from its raw sources in {len(differ)} column(s) "
                    f"({', '.join(differ[:4])}); the store was altered: rebuild it")
            summary["columns_recomputed"] = True
    return summary
