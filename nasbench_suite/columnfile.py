"""The on-disk layout every store of the suite shares: ``arrays.bin`` plus ``manifest.json``.

``arrays.bin`` holds the columns back to back, little-endian, in the order the writer names;
the manifest's ``columns`` maps each name to ``{"dtype", "shape", "offset"}`` (the *layout*)
and ``arrays_sha256`` / ``arrays_bytes`` describe ``arrays.bin``. :func:`write_store` writes
both into a temporary folder and swaps it into place, so a store is complete or absent. The
NB201, NAS-Bench-Graph and NAS-Bench-Macro stores add their own manifest keys, target checks
and load checks around these helpers; none of them involves a pickle.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

import numpy as np

from nasbench_suite.checksums import sha256_file
from nasbench_suite.errors import DataError

ARRAYS = "arrays.bin"
MANIFEST = "manifest.json"


def write_arrays(
    path: Path, columns: Mapping[str, np.ndarray], names: Iterable[str]
) -> tuple[dict, int]:
    """Write ``columns[name]`` for each of ``names`` to ``path`` back to back, little-endian.

    Returns:
        (layout: name -> ``{"dtype", "shape", "offset"}``, total bytes written).
    """
    layout, offset = {}, 0
    with open(path, "wb") as handle:
        for name in names:
            arr = np.ascontiguousarray(columns[name])
            arr = arr.astype(arr.dtype.newbyteorder("<"), copy=False)
            handle.write(arr.tobytes())
            layout[name] = {"dtype": arr.dtype.str, "shape": list(arr.shape), "offset": offset}
            offset += arr.nbytes
    return layout, offset


def write_manifest(path: Path, manifest: dict) -> None:
    """``manifest`` as indented JSON with sorted keys (the bytes a store's checksum covers)."""
    Path(path).write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")


def column_views(blob: np.ndarray, layout: Mapping[str, dict],
                 names: Iterable[str] | None = None) -> dict[str, np.ndarray]:
    """Read-only views into the uint8 ``blob`` of ``arrays.bin``, one per name (default: all)."""
    columns = {}
    for name in layout if names is None else names:
        spec = layout[name]
        dtype = np.dtype(spec["dtype"])
        start = int(spec["offset"])
        count = int(np.prod(spec["shape"]))
        view = blob[start : start + count * dtype.itemsize].view(dtype).reshape(spec["shape"])
        view.flags.writeable = False
        columns[name] = view
    return columns


def write_store(
    out: Path, columns: Mapping[str, np.ndarray], names: Iterable[str], meta: dict, *,
    prefix: str, column_info: Mapping[str, dict] | None = None,
    swap: Callable[[Path, Path], None] | None = None,
) -> Path:
    """Write a store folder atomically: ``arrays.bin`` and ``manifest.json`` into a temporary
    folder beside ``out``, then swap it into place (the caller has checked ``out``).

    Args:
        out: the store folder.
        columns / names: the columns and the order they are written in.
        meta: the manifest's own keys; ``arrays_sha256``, ``arrays_bytes`` and ``columns`` (the
            layout, each entry merged with ``column_info[name]`` when given) are added.
        prefix: name prefix of the temporary folders (``.nb-macro-``).
        swap: moves the finished folder to ``out``; default :func:`replace_dir`.

    Raises:
        DataError: the folder beside ``out`` cannot be created.
    """
    out = Path(out)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=prefix, dir=out.parent))
    except OSError as exc:
        raise DataError(f"cannot create the store folder {out} ({exc.strerror or exc})") from None
    try:
        layout, nbytes = write_arrays(tmp / ARRAYS, columns, names)
        if column_info is not None:
            layout = {name: {**spec, **column_info[name]} for name, spec in layout.items()}
        write_manifest(tmp / MANIFEST, {**meta, "arrays_sha256": sha256_file(tmp / ARRAYS),
                                        "arrays_bytes": nbytes, "columns": layout})
        if swap is None:
            replace_dir(tmp, out, prefix + "old-")
        else:
            swap(tmp, out)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return out


def replace_dir(tmp: Path, out: Path, prefix: str) -> None:
    """Move the finished folder ``tmp`` to ``out``; a previous ``out`` is removed only afterwards.

    The caller has checked that ``out`` is absent, empty or a store it may replace.
    """
    old = None
    if out.is_dir() and any(out.iterdir()):
        old = Path(tempfile.mkdtemp(prefix=prefix, dir=out.parent))
        os.replace(out, old / "store")
    os.replace(tmp, out)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
