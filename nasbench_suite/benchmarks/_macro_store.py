"""The NAS-Bench-Macro store: checked raw JSON -> plain arrays on disk -> loaded in milliseconds.

Raw folder (``../shared/nb-macro`` beside the checkout, or ``$NASBENCH_SUITE_MACRO_RAW``, or an
explicit argument) holds ``nas-bench-macro_cifar10.json`` and ``SHA256SUMS``. The JSON is read
only after its SHA-256 matches, then checked (6,561 8-digit keys, three finite accuracies each,
aliases sharing one record) and turned into columns indexed by the space's id (the key as a
base-3 number, see :mod:`nasbench_suite.spaces.macro`):

=================  ===========  =====================================================
column             dtype/shape  meaning
=================  ===========  =====================================================
``test_acc_seeds`` f8 (n, 3)    CIFAR-10 test accuracy (%) of each of the 3 trainings
``test_acc``       f8 (n,)      their mean (the JSON's ``mean_acc``)
``test_acc_std``   f8 (n,)      their population standard deviation (``std``)
``params``         i8 (n,)      parameters (weights + BN affine terms), a plain count
``flops``          i8 (n,)      FLOPs as the authors' counter reports them, a plain count
``canonical``      i8 (n,)      id of the trained representative of the alias class
=================  ===========  =====================================================

The store folder (``data/nb-macro-store`` of the checkout, ``$NASBENCH_SUITE_MACRO_STORE``, or an
argument) holds ``arrays.bin`` (columns back to back, little-endian) and ``manifest.json``
(layout, the source file's SHA-256, the SHA-256 of ``arrays.bin``). It is written to a temporary
folder and renamed into place; an existing folder is replaced only when its manifest says this
suite wrote it. No pickle anywhere.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

from nasbench_suite import checksums, columnfile
from nasbench_suite.errors import DataError
from nasbench_suite.paths import env_or_shared, store_dir
from nasbench_suite.spaces.macro import N_CLASSES, N_LAYERS, SIZE, _all_digits, _canonical_table

RAW_FILE = "nas-bench-macro_cifar10.json"
SUMS = checksums.SUMS
ARRAYS = columnfile.ARRAYS
MANIFEST = columnfile.MANIFEST
KIND = "nasbench-suite nb-macro store"
FORMAT = 1
COLUMNS = ("canonical", "flops", "params", "test_acc", "test_acc_seeds", "test_acc_std")
_FIX = "re-copy the raw folder (see its SOURCES.md) or name an intact one ($NASBENCH_SUITE_MACRO_RAW)"
_FIX_STORE = "delete that folder to let the suite rebuild it"


def default_raw_dir() -> Path | None:
    """``$NASBENCH_SUITE_MACRO_RAW``, else ``../shared/nb-macro`` beside the checkout or the cwd."""
    return env_or_shared("NASBENCH_SUITE_MACRO_RAW", "nb-macro")


def default_store_dir() -> Path:
    """``$NASBENCH_SUITE_MACRO_STORE``, else ``data/nb-macro-store`` (checkout) or ~/.cache."""
    return store_dir("NASBENCH_SUITE_MACRO_STORE", "nb-macro-store")


def listed_sha256(raw: Path) -> str:
    """The SHA-256 ``SHA256SUMS`` lists for the raw JSON (reads no data)."""
    return checksums.listed(raw, [RAW_FILE], _FIX)[RAW_FILE]


def read_raw(raw: Path) -> tuple[dict[str, np.ndarray], str]:
    """Check and read the raw JSON; returns (columns, its sha256)."""
    raw = checksums.require_dir(raw, "raw NAS-Bench-Macro folder", _FIX)
    sums = checksums.verify_files(raw, {RAW_FILE: listed_sha256(raw)}, label="raw file",
                                  source=SUMS, fix=_FIX)
    path = raw / RAW_FILE
    try:
        table = json.loads(path.read_bytes())
    except ValueError as exc:
        raise DataError(f"cannot read {path}: {exc}; {_FIX}") from exc
    return _columns(table, path), sums[RAW_FILE]


def _columns(table, path: Path) -> dict[str, np.ndarray]:
    if not isinstance(table, dict) or len(table) != SIZE:
        n = len(table) if isinstance(table, dict) else type(table).__name__
        raise DataError(f"{path} should map {SIZE} architectures to records, found {n}; {_FIX}")
    seeds = np.full((SIZE, 3), np.nan)
    mean, std = np.full(SIZE, np.nan), np.full(SIZE, np.nan)
    params, flops = np.full(SIZE, -1, np.int64), np.full(SIZE, -1, np.int64)
    for key, rec in table.items():
        if len(key) != N_LAYERS or any(c not in "012" for c in key):
            raise DataError(f"{path}: key {key!r} is not an 8-digit nb-macro string; {_FIX}")
        i = int(key, 3)
        try:
            accs = [float(v) for v in rec["test_acc"]]
            row = (float(rec["mean_acc"]), float(rec["std"]), int(rec["params"]), int(rec["flops"]))
        except (KeyError, TypeError, ValueError) as exc:
            raise DataError(f"{path}: record {key} is malformed ({exc!r}); {_FIX}") from exc
        if len(accs) != 3 or not all(math.isfinite(a) and 0 <= a <= 100 for a in accs):
            raise DataError(f"{path}: record {key} needs 3 accuracies in 0..100, has {accs}; {_FIX}")
        seeds[i] = accs
        mean[i], std[i], params[i], flops[i] = row
    if not np.allclose(mean, seeds.mean(axis=1), atol=1e-4):
        raise DataError(f"{path}: mean_acc disagrees with the three test accuracies; {_FIX}")
    canonical = _canonical_table(_all_digits())
    # the authors trained one string per alias class and copied its record to every alias
    for name, col in (("test_acc", seeds), ("params", params), ("flops", flops)):
        if not np.array_equal(col, col[canonical]):
            bad = int(np.flatnonzero(np.any((col != col[canonical]).reshape(SIZE, -1), axis=1))[0])
            raise DataError(f"{path}: {name} of {np.base_repr(bad, 3).zfill(8)} differs from its "
                            f"alias {np.base_repr(int(canonical[bad]), 3).zfill(8)}; {_FIX}")
    if len(np.unique(canonical)) != N_CLASSES:  # pragma: no cover - fixed by the space
        raise DataError("alias classes miscounted")
    return {"canonical": canonical, "flops": flops, "params": params, "test_acc": mean,
            "test_acc_seeds": seeds, "test_acc_std": std}


def write_store(columns: dict[str, np.ndarray], source_sha: str, out: Path) -> Path:
    """Write ``columns`` to ``out`` atomically (temp folder, then rename)."""
    from nasbench_suite import __version__
    out = Path(out)
    if out.exists() and any(out.iterdir()) and not _ours(out):
        raise DataError(f"{out} exists and is not a nb-macro store this suite wrote; refusing to "
                        "replace it (name another folder with $NASBENCH_SUITE_MACRO_STORE)")
    meta = {"kind": KIND, "format": FORMAT, "built_by": f"nasbench-suite {__version__}",
            "source": RAW_FILE, "source_sha256": source_sha}
    return columnfile.write_store(out, columns, COLUMNS, meta, prefix=".nb-macro-")


def _ours(folder: Path) -> bool:
    try:
        return json.loads((folder / MANIFEST).read_text()).get("kind") == KIND
    except (OSError, ValueError, AttributeError):
        return False


def load_store(folder: Path) -> tuple[dict[str, np.ndarray], dict]:
    """Read a store folder (columns are read-only views of one buffer); checks its SHA-256."""
    folder = Path(folder)
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
        blob = np.fromfile(folder / ARRAYS, dtype=np.uint8)
    except (OSError, ValueError) as exc:
        raise DataError(f"cannot read the nb-macro store {folder}: {exc}; {_FIX_STORE}") from exc
    if manifest.get("kind") != KIND or manifest.get("format") != FORMAT:
        raise DataError(f"{folder / MANIFEST} is not a format-{FORMAT} nb-macro store; {_FIX_STORE}")
    if blob.size != manifest.get("arrays_bytes") or checksums.sha256_bytes(blob) != manifest.get("arrays_sha256"):
        raise DataError(f"{folder / ARRAYS} is corrupt or truncated (checksum mismatch); {_FIX_STORE}")
    columns = columnfile.column_views(blob, manifest["columns"], COLUMNS)
    return columns, manifest


def open_store(store: Path | None = None, raw: Path | None = None) -> tuple[dict[str, np.ndarray], dict]:
    """Load the store, building it from ``raw`` first when it is absent or from another source.

    A store whose manifest names a different source SHA-256 than the raw folder's ``SHA256SUMS``
    is rebuilt; with no raw folder reachable an existing store is used as is.
    """
    folder = Path(store) if store is not None else default_store_dir()
    raw_dir = Path(raw) if raw is not None else default_raw_dir()
    if (folder / MANIFEST).is_file():
        columns, manifest = load_store(folder)
        if raw_dir is None or not (raw_dir / SUMS).is_file():
            return columns, manifest
        if manifest.get("source_sha256") == listed_sha256(raw_dir):
            return columns, manifest
    if raw_dir is None:
        raise DataError(f"no nb-macro store at {folder} and no raw folder to build it from; set "
                        "$NASBENCH_SUITE_MACRO_RAW to the folder with nas-bench-macro_cifar10.json")
    columns, sha = read_raw(raw_dir)
    write_store(columns, sha, folder)
    return load_store(folder)
