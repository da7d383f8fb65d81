"""The compact NB201 store: build it once from raw sources, load it in milliseconds, verify it.

On disk a store is a folder with ``arrays.bin`` (every column back to back, little-endian) and
``manifest.json`` (format, column layout, the source file and checksum of every column, and the
SHA-256 of ``arrays.bin``). Columns are keyed ``field`` or ``field@dataset``; all are indexed by
the official NB201 index 0..15624. Writing goes to a temporary folder that is renamed into place,
so a store is either complete or absent.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from nasbench_suite import __version__, checksums, columnfile
from nasbench_suite.bench.datasets import NB201_DATASETS, SEEDS, dataset_name
from nasbench_suite.errors import DataError, unknown
from nasbench_suite.paths import default_raw_dir, default_store_dir
from nasbench_suite.space.codec import N_CELLS, IndexMap

FORMAT = 1
ARRAYS = columnfile.ARRAYS
MANIFEST = columnfile.MANIFEST
# Fields every dataset must have without NaN (cifar10 has no validation split, cifar10-valid no
# test split in the public sources; see bench/datasets.py).
REQUIRED: dict[str, tuple[str, ...]] = {
    "cifar10-valid": ("valid_acc", "valid_acc_seeds", "valid_acc_12ep", "train_time_s", "params_m", "flops_m"),
    "cifar10": ("test_acc", "test_acc_12ep", "params_m", "flops_m"),
    "cifar100": ("test_acc", "valid_acc", "valid_acc_seeds", "valid_acc_12ep", "test_acc_12ep", "train_time_s", "params_m", "flops_m"),
    "ImageNet16-120": ("test_acc", "valid_acc", "valid_acc_seeds", "valid_acc_12ep", "test_acc_12ep", "train_time_s", "params_m", "flops_m"),
}
# Published optima (NB201 paper, Table 5 / NATS-Bench): best seed-mean accuracy at 200 epochs.
PUBLISHED_OPTIMA: dict[str, float] = {
    "test_acc@cifar10": 94.37,
    "test_acc@cifar100": 73.51,
    "test_acc@ImageNet16-120": 47.31,
    "valid_acc@cifar10-valid": 91.61,
    "valid_acc@cifar100": 73.49,
    "valid_acc@ImageNet16-120": 46.73,
}
N_ISO_CLASSES = 6466
_FIX_STORE = "rebuild it with `nasbench-suite data build`"


@dataclass(frozen=True)
class Provenance:
    """Where a column came from: a raw file (with checksum) or a computation."""

    source: str
    sha256: str | None = None
    note: str = ""


def key(field: str, dataset: str | None = None) -> str:
    """Column key of ``field`` for ``dataset`` (None for dataset-independent columns)."""
    return field if dataset is None else f"{field}@{dataset}"


def write_store(
    columns: dict[str, np.ndarray], provenance: dict[str, Provenance], out: Path, meta: dict
) -> Path:
    """Write columns + manifest to ``out`` atomically (temp folder, then rename)."""
    out = Path(out)
    missing = sorted(set(columns) - set(provenance))
    if missing:
        raise ValueError(f"columns without provenance: {missing}")
    check_store_target(out)
    meta = {"format": FORMAT, "n_cells": N_CELLS, "datasets": list(NB201_DATASETS),
            "seeds": list(SEEDS), "built_by": f"nasbench-suite {__version__}", **meta}
    info = {name: provenance[name].__dict__ for name in columns}
    return columnfile.write_store(out, columns, sorted(columns), meta, prefix=".store-",
                                  column_info=info, swap=_swap_in)


def check_store_target(out: Path) -> None:
    """Refuse to write a store over anything but nothing, an empty folder or a previous store.

    A previous store is a folder holding exactly ``manifest.json`` (with this format's keys) and
    ``arrays.bin``; the suite never deletes a folder it did not write.
    """
    out = Path(out)
    if not out.exists() and not out.is_symlink():
        return
    why = None
    if out.is_symlink() or not out.is_dir():
        why = "it is a file, not a folder"
    else:
        names = {p.name for p in out.iterdir()}
        if names and names != {MANIFEST, ARRAYS}:
            extra = sorted(names - {MANIFEST, ARRAYS})[:3]
            why = f"it holds files a store does not have ({', '.join(extra)}, ...)"
        elif names:
            try:
                manifest = json.loads((out / MANIFEST).read_text())
                ok = isinstance(manifest, dict) and {"format", "columns"} <= set(manifest)
            except (OSError, ValueError):
                ok = False
            if not ok:
                why = "its manifest.json is not a store manifest"
    if why:
        raise DataError(
            f"refusing to write the store to {out}: {why}; the suite only replaces a store it "
            "wrote (or an empty folder), so name a new folder with --out")


def _swap_in(tmp: Path, out: Path) -> None:
    """Move the new store ``tmp`` to ``out``; a previous store there is removed only afterwards."""
    check_store_target(out)  # again, just before touching anything
    old = None
    if out.is_dir() and any(out.iterdir()):
        old = Path(tempfile.mkdtemp(prefix=".store-old-", dir=out.parent))
        os.replace(out, old / "store")
    elif out.is_dir():
        out.rmdir()
    os.replace(tmp, out)
    if old is not None:
        for name in (MANIFEST, ARRAYS):
            (old / "store" / name).unlink(missing_ok=True)
        (old / "store").rmdir()
        old.rmdir()


class Store:
    """A loaded store: columns by key, the NB201 index map and the manifest.

    Use :func:`open_store` to find (and if needed build) the default store.
    """

    def __init__(self, path: Path, manifest: dict, columns: dict[str, np.ndarray]) -> None:
        self.path = Path(path)
        self.manifest = manifest
        self.columns = columns
        self.index_map = IndexMap(columns["code"])
        self.devices: tuple[str, ...] = tuple(
            sorted(k.split("@", 1)[1] for k in columns if k.startswith("latency_ms@"))
        )
        self._tables: dict[tuple, np.ndarray] = {}
        self.read_sha256: str | None = None
        self.manifest_sha256: str | None = None
        self.datasets: tuple[str, ...] = tuple(manifest.get("datasets", NB201_DATASETS))

    @classmethod
    def load(cls, path: Path) -> Store:
        """Load a store folder; raises :class:`DataError` naming the bad file."""
        path = Path(path)
        manifest_path, arrays_path = path / MANIFEST, path / ARRAYS
        try:
            manifest_bytes = manifest_path.read_bytes()
            manifest = json.loads(manifest_bytes.decode("utf-8"))
            layout = manifest["columns"]
            expected = int(manifest["arrays_bytes"])
        except FileNotFoundError:
            raise DataError(f"store manifest {manifest_path} is missing; {_FIX_STORE}") from None
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise DataError(f"store manifest {manifest_path} is corrupt ({exc}); {_FIX_STORE}") from exc
        if manifest.get("format") != FORMAT:
            raise DataError(f"store {path} has format {manifest.get('format')}, this version reads {FORMAT}; {_FIX_STORE}")
        from nasbench_suite.bench.store_check import layout_problems

        problems = layout_problems(manifest, N_CELLS)
        if problems:  # an edited manifest would silently change every number
            raise DataError(f"store manifest {manifest_path} is inconsistent: {problems[0]}; {_FIX_STORE}")
        try:
            blob = np.fromfile(arrays_path, dtype=np.uint8)
        except FileNotFoundError:
            raise DataError(f"store file {arrays_path} is missing; {_FIX_STORE}") from None
        if blob.size != expected:
            raise DataError(f"store file {arrays_path} has {blob.size} bytes, expected {expected} (truncated?); {_FIX_STORE}")
        read_sha256 = checksums.sha256_bytes(blob)
        if read_sha256 != manifest.get("arrays_sha256"):
            raise DataError(f"store file {arrays_path} is corrupt (checksum differs from its manifest); {_FIX_STORE}")
        store = cls(path, manifest, columnfile.column_views(blob, layout))
        store.read_sha256 = read_sha256  # of the bytes actually read (recorded by the runner)
        store.manifest_sha256 = hashlib.sha256(manifest_bytes).hexdigest()
        return store

    # --- access -------------------------------------------------------------------------------
    def column(self, field: str, dataset: str | None = None) -> np.ndarray:
        """The (read-only) column ``field`` for ``dataset``; raises with the known fields."""
        name = key(field, None if dataset is None else dataset_name(dataset))
        if name not in self.columns:
            raise unknown("store column", name, sorted(self.columns))
        return self.columns[name]

    def latency(self, device: str) -> np.ndarray:
        """Latency (ms) of every cell on ``device``."""
        if device not in self.devices:
            raise unknown("latency device", device, self.devices)
        return self.columns[key("latency_ms", device)]

    def row_table(self, dataset: str, fields: tuple[str, ...]) -> np.ndarray:
        """Fields of ``dataset`` side by side, shape (15625, len(fields)), cached (fast rows)."""
        cache_key = (dataset, fields)
        if cache_key not in self._tables:
            self._tables[cache_key] = np.column_stack([self.column(f, dataset) for f in fields])
        return self._tables[cache_key]

    def latency_table(self) -> np.ndarray:
        """Latency (ms) of every cell on every device, shape (15625, len(devices)), cached."""
        if "latency" not in self._tables:
            n = self.columns["code"].size
            cols = [self.latency(d) for d in self.devices]
            self._tables["latency"] = np.column_stack(cols) if cols else np.empty((n, 0))
        return self._tables["latency"]

    @property
    def checksum(self) -> str:
        """SHA-256 of ``arrays.bin`` as recorded at build time."""
        return self.manifest["arrays_sha256"]


def open_store(path: Path | None = None, raw: Path | None = None) -> Store:
    """Load the store at ``path`` (default location if None), building it first when absent.

    A missing default store is built from ``raw`` (default: ``$NASBENCH_SUITE_RAW`` or
    ``../shared/nb201``) when the raw sources are reachable.
    """
    path = Path(path) if path is not None else default_store_dir()
    if not (path / MANIFEST).exists() and not (path / ARRAYS).exists():
        raw = Path(raw) if raw is not None else default_raw_dir()
        if raw is None:
            raise DataError(
                f"no NB201 store at {path} and no raw sources to build it from; run "
                "`nasbench-suite data build --raw DIR` or set $NASBENCH_SUITE_RAW"
            )
        from nasbench_suite.bench.build import build_from_raw

        build_from_raw(raw, path)
    return Store.load(path)
