"""NAS-Bench-Graph store: read the package's light tables safely, check them, store them compactly.

Source: the PyPI package ``nas-bench-graph`` 1.4.0 (Apache-2.0), whose ``light/<dataset>.bench``
files are pickles of ``{valid_hash: {"valid_perf", "perf", "latency", "para"}}``. They are found
in ``$NASBENCH_SUITE_NBGRAPH_RAW`` (a folder holding the nine ``.bench`` files) or else in the
installed package (located with :func:`importlib.util.find_spec`; the package is never imported).

Reading: each file's SHA-256 must equal the one pinned below (the wheel's ``RECORD`` values,
which are also compared with the installed ``RECORD`` when there is one); the pickle is then read
by the audited loader :mod:`nasbench_suite.safeload` (containers, numbers, numpy dtypes
and scalars: the globals these files name)
(``numpy.dtype`` and numpy's scalar constructor) and nothing else; the result must be a dict of
int hashes to dicts of the four finite numbers, with exactly the architectures the
canonicalisation in :mod:`nasbench_suite.spaces.graph` enumerates (26,206; 2,021 for proteins).

On disk the store is a folder (default ``data/nb-graph-store``, ``$NASBENCH_SUITE_NBGRAPH_STORE``
moves it) with ``arrays.bin`` (little-endian columns back to back) and ``manifest.json`` (layout,
SHA-256 of ``arrays.bin`` and of every source file). It is written to a temporary folder and
renamed into place; an existing folder is replaced only if it is a store of this format.
"""

from __future__ import annotations

import base64
import csv
import io
import json
import math
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from nasbench_suite import __version__, checksums, columnfile, safeload
from nasbench_suite.errors import DataError, unknown
from nasbench_suite.paths import store_dir
from nasbench_suite.spaces.graph import OPS, PROTEINS_OPS, stored_hashes

FORMAT = "nb-graph-store/1"
ARRAYS = columnfile.ARRAYS
MANIFEST = columnfile.MANIFEST
PACKAGE = "nas-bench-graph"
PACKAGE_VERSION = "1.4.0"
DATASETS: tuple[str, ...] = (
    "cora", "citeseer", "pubmed", "cs", "physics", "photo", "computers", "arxiv", "proteins",
)
#: SHA-256 of each light table in the nas-bench-graph 1.4.0 wheel (from its RECORD).
SHA256: dict[str, str] = {
    "arxiv": "7ee21a7653297a806c0ed1be3efe6ecc06acc84e48e942da0bfde0e5d287debe",
    "citeseer": "99c7f79b73372636305bf73fb32a58b63c57bd1871a152dd62ec72d984c8c50f",
    "computers": "fdb3dc0cf405d62322f0ab9614b2083c2a5e6576c2f43e4f2214be64bc62b1b3",
    "cora": "5e69b2f9bb08d8927d9ffd4921f8494a3cea349c9c3a461334cb9dc9e11701a8",
    "cs": "71ae8469930517160b024f52db6000a4897f1aff5d765beb27bb60952ed5bd31",
    "photo": "5511b4dc3f63fa988792177227db7901290fb9b27fc6c02e3036b29e134ed6df",
    "physics": "1e309bafee0b832c8b84fa3c039c36992bc0a910238b128f26b7e9190d7f2aea",
    "proteins": "b9e7fb0902bda44fec32c948e5fde822fb22d38d674c52e43ace5197378f2d21",
    "pubmed": "10b4dcf6cfd3a24f6059f7d541a4a872960b4adac0b3dba26abed1bb9a3d904d",
}
COUNTS = {d: (2021 if d == "proteins" else 26206) for d in DATASETS}
FIELDS = ("valid_acc", "test_acc", "latency", "params_m")
_RAW_KEYS = {
    "valid_perf": "valid_acc", "perf": "test_acc", "latency": "latency", "para": "params_m",
}
_FIX = (f"reinstall the package (`pip install --force-reinstall {PACKAGE}=={PACKAGE_VERSION}`) "
        "or point $NASBENCH_SUITE_NBGRAPH_RAW at intact copies of its light/*.bench files")


def ops_of(dataset: str) -> tuple[str, ...]:
    """Operation set of a dataset's table (proteins has 5 ops, the others 9)."""
    check_dataset(dataset)
    return PROTEINS_OPS if dataset == "proteins" else OPS


def check_dataset(dataset: str) -> None:
    """Raise the standard unknown-name error unless ``dataset`` is a NAS-Bench-Graph dataset."""
    if dataset not in DATASETS:
        raise unknown("NAS-Bench-Graph dataset", dataset, DATASETS)


# --- locating and verifying the raw files -------------------------------------------------------
def default_raw_dir() -> Path | None:
    """``$NASBENCH_SUITE_NBGRAPH_RAW``, else the installed package's ``light`` folder (or None)."""
    env = os.environ.get("NASBENCH_SUITE_NBGRAPH_RAW")
    if env:
        return Path(env)
    return _installed_light_dir()


def _installed_light_dir() -> Path | None:
    import importlib.util

    spec = importlib.util.find_spec("nas_bench_graph")  # locates; does not import
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "light"


def default_store_dir() -> Path:
    """``$NASBENCH_SUITE_NBGRAPH_STORE``, else ``data/nb-graph-store`` in a checkout."""
    return store_dir("NASBENCH_SUITE_NBGRAPH_STORE", "nb-graph-store")


def installed_record() -> dict[str, str]:
    """dataset -> hex SHA-256 from the installed wheel's RECORD ({} when not installed)."""
    from importlib import metadata

    try:
        text = metadata.distribution(PACKAGE).read_text("RECORD") or ""
    except metadata.PackageNotFoundError:
        return {}
    out = {}
    for row in csv.reader(io.StringIO(text)):
        if len(row) >= 2 and row[0].endswith(".bench") and row[1].startswith("sha256="):
            digest = row[1].removeprefix("sha256=")
            raw = base64.urlsafe_b64decode(digest + "=" * (-len(digest) % 4))
            out[Path(row[0]).stem] = raw.hex()
    return out


def verify_raw(raw: Path) -> dict[str, str]:
    """Check the nine light tables in ``raw`` against the pinned SHA-256 values.

    Returns:
        file name -> sha256.

    Raises:
        DataError: naming the missing or mismatching file (or a RECORD that disagrees).
    """
    raw = checksums.require_dir(raw, "NAS-Bench-Graph light tables folder", _FIX)
    installed = _installed_light_dir()
    same = installed is not None and installed.resolve() == raw.resolve()
    record = installed_record() if same else {}  # the package's RECORD describes its own files
    for dataset, digest in record.items():
        if dataset in SHA256 and digest != SHA256[dataset]:
            raise DataError(f"the installed {PACKAGE} RECORD lists {dataset}.bench with another "
                            f"checksum than version {PACKAGE_VERSION}; {_FIX}")
    expected = {f"{dataset}.bench": SHA256[dataset] for dataset in DATASETS}
    return checksums.verify_files(raw, expected, label="NAS-Bench-Graph table", fix=_FIX,
                                  source=f"{PACKAGE} {PACKAGE_VERSION}")


# --- restricted reading -------------------------------------------------------------------------
def read_table(path: Path, dataset: str) -> dict[str, np.ndarray]:
    """Read one light table with the restricted unpickler and check its structure.

    Returns:
        ``hash`` (ascending int64) and the :data:`FIELDS` in that order (float64; accuracies in
        %, latency as recorded, parameters in millions).
    """
    path = Path(path)
    try:
        data = safeload.loads(path.read_bytes(), path)  # the one audited loader
    except Exception as exc:  # noqa: BLE001 - any failure means the file is unusable
        raise DataError(f"cannot read NAS-Bench-Graph table {path}: {exc}; {_FIX}") from None
    if not isinstance(data, dict):
        raise DataError(f"{path}: expected a dict of architectures, got {type(data).__name__}")
    expected = stored_hashes(ops_of(dataset))
    keys = sorted(data)
    if len(keys) != COUNTS[dataset] or not all(isinstance(k, int) for k in keys):
        raise DataError(f"{path}: {len(keys)} architectures, expected {COUNTS[dataset]}")
    if not np.array_equal(np.asarray(keys, dtype=np.int64), expected):
        raise DataError(f"{path}: its architecture hashes differ from the NAS-Bench-Graph space")
    cols = {f: np.empty(len(keys), dtype=np.float64) for f in FIELDS}
    for i, k in enumerate(keys):
        entry = data[k]
        if not isinstance(entry, dict) or set(entry) != set(_RAW_KEYS):
            raise DataError(f"{path}: architecture {k} has fields {entry!r}, expected "
                            f"{sorted(_RAW_KEYS)}")
        for raw_key, field in _RAW_KEYS.items():
            value = entry[raw_key]
            if not isinstance(value, (float, int, np.floating)) or not math.isfinite(value):
                raise DataError(f"{path}: architecture {k} {raw_key}={value!r} is not a number")
            cols[field][i] = float(value)
    cols["valid_acc"] *= 100.0
    cols["test_acc"] *= 100.0
    return {"hash": np.asarray(keys, dtype=np.int64), **cols}


# --- the store ----------------------------------------------------------------------------------
def key(field: str, dataset: str) -> str:
    """Column key of ``field`` on ``dataset``."""
    return f"{field}@{dataset}"


def build_store(raw: Path | None = None, out: Path | None = None) -> Path:
    """Verify and read the nine tables in ``raw`` and write the store to ``out`` atomically."""
    raw = Path(raw) if raw is not None else default_raw_dir()
    if raw is None:
        raise DataError(f"NAS-Bench-Graph tables not found: `pip install {PACKAGE}=="
                        f"{PACKAGE_VERSION}` or set $NASBENCH_SUITE_NBGRAPH_RAW")
    out = Path(out) if out is not None else default_store_dir()
    sums = verify_raw(raw)
    columns: dict[str, np.ndarray] = {}
    for dataset in DATASETS:
        table = read_table(raw / f"{dataset}.bench", dataset)
        columns[key("hash", dataset)] = table.pop("hash")
        columns.update({key(f, dataset): v for f, v in table.items()})
    meta = {
        "format": FORMAT,
        "built_by": f"nasbench-suite {__version__}",
        "source": f"PyPI {PACKAGE} {PACKAGE_VERSION} light tables (Apache-2.0)",
        "sources_sha256": sums,
        "counts": {d: len(columns[key("hash", d)]) for d in DATASETS},
        "units": {"valid_acc": "%", "test_acc": "% (proteins: the package's perf x 100)",
                  "latency": "as recorded by the package", "params_m": "millions"},
    }
    return _write(columns, meta, out)


def _write(columns: dict[str, np.ndarray], meta: dict, out: Path) -> Path:
    if out.exists() and not _is_store(out):
        raise DataError(f"{out} exists and is not a NAS-Bench-Graph store; not replacing it "
                        "(remove it or name another folder)")
    return columnfile.write_store(out, columns, sorted(columns), meta, prefix=".nb-graph-")


def _is_store(path: Path) -> bool:
    try:
        return json.loads((path / MANIFEST).read_text()).get("format") == FORMAT
    except (OSError, ValueError, AttributeError):
        return False


@dataclass(frozen=True)
class GraphStore:
    """A loaded store: column arrays (read-only) by key, and the manifest."""

    path: Path
    manifest: dict
    columns: dict

    def column(self, field: str, dataset: str) -> np.ndarray:
        """One column (``hash`` or a :data:`FIELDS` entry) of ``dataset``."""
        check_dataset(dataset)
        if field not in ("hash", *FIELDS):
            raise unknown("NAS-Bench-Graph field", field, ("hash", *FIELDS))
        return self.columns[key(field, dataset)]


def load_store(path: Path) -> GraphStore:
    """Load a built store, checking the SHA-256 of its arrays; no pickle is involved."""
    path = Path(path)
    fix = "rebuild it with nasbench_suite.benchmarks._graph_store.build_store (or delete it)"
    try:
        manifest = json.loads((path / MANIFEST).read_text())
        blob = np.fromfile(path / ARRAYS, dtype=np.uint8)
    except (OSError, ValueError) as exc:
        raise DataError(f"NAS-Bench-Graph store {path} is unreadable ({exc}); {fix}") from None
    if manifest.get("format") != FORMAT:
        raise DataError(f"{path} is not a {FORMAT} store; {fix}")
    if blob.size != manifest.get("arrays_bytes") or (
        checksums.sha256_bytes(blob) != manifest.get("arrays_sha256")
    ):
        raise DataError(f"NAS-Bench-Graph store {path / ARRAYS} is corrupt or truncated; {fix}")
    columns = columnfile.column_views(blob, manifest["columns"])
    return GraphStore(path, manifest, columns)


def open_store(path: Path | None = None, build: bool = True) -> GraphStore:
    """Load the store at ``path`` (default :func:`default_store_dir`), building it if missing."""
    path = Path(path) if path is not None else default_store_dir()
    if not (path / MANIFEST).is_file() and build:
        build_store(out=path)
    return load_store(path)
