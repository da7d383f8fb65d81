"""Build the store from the official NAS-Bench-201 / NATS-Bench topology (TSS) files.

Accepted inputs (what users download from the NB201 / NATS-Bench authors):

* ``NAS-Bench-201-v1_0-e61699.pth`` / ``NAS-Bench-201-v1_1-096897.pth``: a torch-saved dict
  ``{'meta_archs': [arch str], 'arch2infos': {index: {'less': ArchResults, 'full': ArchResults}},
  'evaluated_indexes': ...}`` where each ArchResults is stored as its ``state_dict``.
* ``NATS-tss-v1_0-3ffb9-simple/`` (or ``-full``): ``meta.pickle.pbz2`` (``meta_archs``) plus one
  ``{index:06d}.pickle.pbz2`` per cell holding ``{'12': ArchResults, '200': ArchResults}``;
  ``.pickle.pbz2`` is a bz2-compressed pickle. The single-file ``NATS-tss-v1_0-3ffb9.pickle.pbz2``
  (same layout as the ``.pth``, keyed '12'/'200') is read too.

An ArchResults state holds ``all_results``: ``{(dataset, seed): ResultsCount state}``, whose
``eval_acc1es`` is keyed ``'<set>@<epoch>'``. NB201's splits map to our columns as: cifar10-valid
valid = ``x-valid``, test = ``ori-test``; cifar10 test = ``ori-test`` (no valid split); cifar100
and ImageNet16-120 valid = ``x-valid``, test = ``x-test``. Latency and Zen scores are not in the
official files; they are taken from a raw-source folder when one is given.
"""

from __future__ import annotations

import bz2
import gc
import hashlib
import io
import math
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from nasbench_suite import checksums, safeload
from nasbench_suite.bench import sources
from nasbench_suite.bench.build import _fill_missing, add_derived, check_invariants
from nasbench_suite.bench.datasets import SEEDS
from nasbench_suite.bench.store import Provenance, key, write_store
from nasbench_suite.errors import ArchError, DataError
from nasbench_suite.space.codec import N_CELLS, IndexMap, ops_to_code, parse_arch

Columns = dict[str, np.ndarray]
Entries = Iterator[tuple[int, Any]]
PBZ2 = ".pickle.pbz2"
META = "meta" + PBZ2
# dataset -> (valid set, test set) in NB201's eval names (None: the dataset has no such split).
SPLITS: dict[str, tuple[str | None, str]] = {
    "cifar10-valid": ("x-valid", "ori-test"),
    "cifar10": (None, "ori-test"),
    "cifar100": ("x-valid", "x-test"),
    "ImageNet16-120": ("x-valid", "x-test"),
}
FULL_KEYS, LESS_KEYS = ("full", "200"), ("less", "12")  # NB201 / NATS names of the schedules
_NOTES = {
    "valid_acc_seeds": "{v} accuracy at the last of 200 epochs, seeds 777/888/999 (NaN: not run)",
    "test_acc": "{t} accuracy at the last of 200 epochs, seed mean",
    "train_time_s": "200-epoch training time (sum of per-epoch train_times), seed mean",
    "valid_acc_12ep": "{v} accuracy at the last of 12 epochs, seed mean",
    "test_acc_12ep": "{t} accuracy at the last of 12 epochs, seed mean",
}
_NAN = float("nan")
_WHAT = ("NAS-Bench-201-v1_1-096897.pth (or v1_0-e61699.pth) or the NATS-tss-v1_0-3ffb9-simple "
         "folder")
_FIX = f"pass {_WHAT} exactly as downloaded, re-downloading it if damaged"


def _unpickle(handle: Any, where: Path) -> Any:
    """One pickle from ``handle`` through the audited loader; errors name ``where``."""
    try:
        return safeload.load_stream(handle, where)
    except DataError as exc:
        raise DataError(f"{exc}; {_FIX}") from None


@contextmanager
def _no_gc() -> Iterator[None]:
    """Pause the cyclic GC while millions of small containers are unpickled (much faster)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _load_pth(path: Path) -> Any:
    """Load a torch-saved file through the audited loader (:func:`safeload.load_torch`)."""
    try:
        with _no_gc():
            return safeload.load_torch(path)
    except DataError as exc:
        raise DataError(f"{exc}; {_FIX}") from None


def _load_pbz2(path: Path, digest: hashlib._Hash | None = None) -> Any:
    """Load a bz2-compressed pickle, feeding its bytes to ``digest`` when given."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DataError(f"cannot read {path} ({exc.strerror}); {_FIX}") from exc
    if digest is not None:
        digest.update(f"{checksums.sha256_bytes(data)}  {path.name}\n".encode())
    try:
        data = bz2.decompress(data)
    except (OSError, ValueError, EOFError) as exc:
        raise DataError(f"cannot decompress {path} (truncated or corrupt: {exc}); {_FIX}") from exc
    return _unpickle(io.BytesIO(data), path)


def _state(obj: Any) -> Any:
    """A state dict as stored, or the ``__dict__`` of an ArchResults / ResultsCount object."""
    return obj if isinstance(obj, dict) else vars(obj)


def _benchmark_dict(obj: Any, path: Path) -> tuple[Any, Entries]:
    """``meta_archs`` and ``(index, {hp: ArchResults state})`` pairs of a whole-benchmark dict."""
    if not isinstance(obj, dict) or not {"meta_archs", "arch2infos"} <= set(obj):
        found = sorted(map(str, obj))[:6] if isinstance(obj, dict) else type(obj).__name__
        raise DataError(
            f"{path} is not a NAS-Bench-201 / NATS-Bench benchmark (expected a dict with "
            f"'meta_archs' and 'arch2infos', found {found}); {_FIX}")
    infos = obj["arch2infos"]
    if not isinstance(infos, dict) or len(infos) != N_CELLS:
        count = len(infos) if isinstance(infos, dict) else type(infos).__name__
        raise DataError(
            f"{path} holds results for {count} architectures, expected {N_CELLS}; {_FIX}")

    def entries() -> Entries:
        for index in range(N_CELLS):
            if index not in infos:
                raise DataError(f"{path} has no results for architecture {index}; {_FIX}")
            yield index, infos[index]

    return obj["meta_archs"], entries()


def _archive(folder: Path, digest: hashlib._Hash) -> tuple[Any, Entries]:
    """``meta_archs`` and per-cell entries of a NATS-Bench ``-simple`` / ``-full`` folder."""
    meta = _load_pbz2(folder / META, digest)
    if not isinstance(meta, dict) or "meta_archs" not in meta:
        raise DataError(f"{folder / META} has no 'meta_archs' list; {_FIX}")

    def entries() -> Entries:
        for index in range(N_CELLS):
            path = folder / f"{index:06d}{PBZ2}"
            if not path.is_file() and (folder / f"{index}{PBZ2}").is_file():
                path = folder / f"{index}{PBZ2}"
            if not path.is_file():
                raise DataError(f"{path} is missing from the NATS-Bench folder {folder}; {_FIX}")
            yield index, _load_pbz2(path, digest)

    return meta["meta_archs"], entries()


def open_official(path: Path) -> tuple[str, Any, Entries, Callable[[], str]]:
    """Open an official file or folder.

    Returns:
        (format name, ``meta_archs`` (arch string of every index, unchecked),
        ``(index, {hp: ArchResults state})`` entries,
        a function giving the input's SHA-256 once the entries are consumed; for a folder it is
        the SHA-256 of its ``sha256  name`` listing, meta file first, then index order).
    """
    path = Path(path)
    if path.is_file() and path.name == META:
        path = path.parent
    if path.is_dir():
        if not (path / META).is_file():
            raise DataError(f"{path} is a folder without {META}; name the NATS-tss-v1_0-"
                            f"3ffb9-simple (or -full) folder or a NAS-Bench-201 .pth file")
        digest = hashlib.sha256()
        archs, entries = _archive(path, digest)
        return "nats-tss-archive", archs, entries, digest.hexdigest
    if not path.is_file():
        raise DataError(f"official benchmark file {path} does not exist; check the path to "
                        f"{_WHAT}")
    checksum = checksums.sha256_file(path)
    if path.name.endswith(".pbz2"):
        with _no_gc():
            archs, entries = _benchmark_dict(_load_pbz2(path), path)
        return "nats-tss-file", archs, entries, lambda: checksum
    archs, entries = _benchmark_dict(_load_pth(path), path)
    return "nb201-pth", archs, entries, lambda: checksum


def arch_codes(archs: Any, where: Path) -> np.ndarray:
    """Codes of the official arch strings, checked to cover each of the 15,625 cells once."""
    if not isinstance(archs, (list, tuple)):
        raise DataError(f"{where} has no list of arch strings ('meta_archs'); {_FIX}")
    if len(archs) != N_CELLS:
        raise DataError(f"{where} lists {len(archs)} architectures, expected {N_CELLS}; {_FIX}")
    try:
        code = np.array([ops_to_code(parse_arch(a)) for a in archs], dtype=np.int32)
        IndexMap(code)
    except ArchError as exc:
        raise DataError(f"{where} has an invalid architecture list ({exc}); {_FIX}") from exc
    return code


def _schedule(hp2res: Any, names: tuple[str, ...]) -> dict[str, dict[int, dict]]:
    """``{dataset: {seed: ResultsCount state}}`` of the schedule named one of ``names``."""
    hp2res = _state(hp2res)
    out: dict[str, dict[int, dict]] = {}
    for name in names:
        if name in hp2res:
            for (dataset, seed), run in _state(hp2res[name])["all_results"].items():
                out.setdefault(dataset, {})[int(seed)] = _state(run)
            break
    return out


def _last(run: dict, setname: str) -> float:
    """Top-1 accuracy of one run on ``setname`` after its last epoch (NaN if not evaluated)."""
    value = run["eval_acc1es"].get(f"{setname}@{int(run['epochs']) - 1}")
    return _NAN if value is None else float(value)


def _train_time(run: dict) -> float:
    """Total training time of one run (sum of its per-epoch ``train_times``)."""
    times = run.get("train_times")
    if not times:
        return _NAN
    return float(sum(float(t) for t in (times.values() if isinstance(times, dict) else times)))


def _mean(values: list[float]) -> float:
    """Mean of the non-NaN values (NaN when there are none)."""
    finite = [v for v in values if not math.isnan(v)]
    return sum(finite) / len(finite) if finite else _NAN


def arch_values(hp2res: Any) -> dict[str, float | list[float]]:
    """Our field values of one architecture from its ``{hp: ArchResults state}``."""
    full, less = _schedule(hp2res, FULL_KEYS), _schedule(hp2res, LESS_KEYS)
    if not full:
        raise KeyError(f"no 200-epoch results (keys {'/'.join(FULL_KEYS)})")
    out: dict[str, float | list[float]] = {}
    for ds, (vset, tset) in SPLITS.items():
        runs = full.get(ds, {})
        if runs:
            if vset is not None:
                out[key("valid_acc_seeds", ds)] = [
                    _last(runs[s], vset) if s in runs else _NAN for s in SEEDS]
            out[key("test_acc", ds)] = _mean([_last(r, tset) for r in runs.values()])
            out[key("train_time_s", ds)] = _mean([_train_time(r) for r in runs.values()])
        short = less.get(ds, {}).values()
        if short and vset is not None:
            out[key("valid_acc_12ep", ds)] = _mean([_last(r, vset) for r in short])
        if short:
            out[key("test_acc_12ep", ds)] = _mean([_last(r, tset) for r in short])
    return out


def _empty_columns() -> Columns:
    columns = {}
    for ds in SPLITS:
        for field in _NOTES:
            shape = (N_CELLS, len(SEEDS)) if field == "valid_acc_seeds" else (N_CELLS,)
            columns[key(field, ds)] = np.full(shape, np.nan)
    return columns


def read_official(path: Path) -> tuple[Columns, dict[str, Provenance], dict]:
    """Read an official file or folder into store columns (metrics + ``code``).

    Returns:
        columns, their provenance, and info ``{"official_format", "official_sha256"}``.
    """
    path = Path(path)
    kind, archs, entries, checksum = open_official(path)
    columns: Columns = {"code": arch_codes(archs, path)}
    metrics = _empty_columns()
    for index, hp2res in entries:
        try:
            values = arch_values(hp2res)
        except (KeyError, TypeError, AttributeError, ValueError) as exc:
            raise DataError(f"{path}: architecture {index} does not have the NB201 ArchResults "
                            f"layout ({type(exc).__name__}: {exc}); {_FIX}") from exc
        for name, value in values.items():
            metrics[name][index] = value
    digest, where = checksum(), str(path.resolve())
    prov = {"code": Provenance(where, digest, "meta_archs arch strings in official index order")}
    for name, values in metrics.items():
        if not np.isnan(values).all():
            field, ds = name.split("@")
            vset, tset = SPLITS[ds]
            columns[name] = values
            prov[name] = Provenance(where, digest, _NOTES[field].format(v=vset, t=tset))
    return columns, prov, {"official_format": kind, "official_sha256": digest}


def add_raw_extras(columns: Columns, prov: dict[str, Provenance], raw: Path) -> dict[str, str]:
    """Add ``zen@*`` and ``latency_ms@*`` from a raw folder, aligned by cell; returns checksums."""
    raw = Path(raw)
    listed = sources.verify_raw(raw)
    index_of_code = IndexMap(columns["code"]).index_of_code
    for name, values in sources.read_zen(raw, index_of_code).items():
        columns[name], prov[name] = values, Provenance(sources.ZEN, listed[sources.ZEN])
    columns["zen@cifar10-valid"] = columns["zen@cifar10"]
    prov["zen@cifar10-valid"] = Provenance(sources.ZEN, listed[sources.ZEN],
                                           "same network as cifar10")
    row_of_raw = index_of_code[sources.read_landscape(raw)["code"]]  # raw row -> our index
    for name, values in sources.read_latency(raw, sources.latency_files(listed)).items():
        columns[name] = np.empty_like(values)
        columns[name][row_of_raw] = values
        file = f"{sources.LATENCY_DIR}/{name.split('@')[1]}.pt"
        prov[name] = Provenance(file, listed[file], "HELP measurement, ms")
    return listed


def build_from_official(path: Path, out: Path, raw: Path | None = None) -> Path:
    """Build a store at ``out`` from an official NB201 / NATS-Bench TSS file or folder.

    Args:
        path: ``NAS-Bench-201-v1_*.pth``, ``NATS-tss-v1_0-3ffb9{-simple,-full}/`` or
            ``NATS-tss-v1_0-3ffb9.pickle.pbz2``.
        out: store folder to write (atomically; nothing is written on error).
        raw: optional raw-source folder for the latency and Zen columns (left out when None).

    Raises:
        DataError: naming the file and what to do, for a missing, unrecognised, truncated or
            incomplete input, or results that fail the store invariants.
    """
    start = time.perf_counter()
    path = Path(path)
    columns, prov, info = read_official(path)
    meta: dict[str, Any] = {"built_from": "official", "official_path": str(path.resolve()), **info}
    if raw is not None:
        meta["raw_sha256"] = add_raw_extras(columns, prov, raw)
        meta["raw_dir"] = str(Path(raw).resolve())
    add_derived(columns, prov)
    _fill_missing(columns, prov)
    problems = check_invariants(columns)
    if problems:
        hint = _FIX
        if any("_12ep@" in p for p in problems):
            hint = ("NAS-Bench-201-v1_0 has 12-epoch results for cifar10-valid only: use "
                    "NAS-Bench-201-v1_1-096897.pth or the NATS-tss-v1_0-3ffb9-simple folder")
        raise DataError(f"{path} fails the store invariants: {'; '.join(problems)}; {hint}")
    meta["build_seconds"] = round(time.perf_counter() - start, 3)
    return write_store(columns, prov, out, meta)
