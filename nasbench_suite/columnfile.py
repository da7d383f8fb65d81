"""The on-disk layout every store of the suite shares: ``arrays.bin`` plus ``manifest.json``.

``arrays.bin`` holds the columns back to back, little-endian, in the order the writer names;
the manifest's ``columns`` maps each name to ``{"dtype", "shape", "offset"}`` (the *layout*).
The NB201, NAS-Bench-Graph and NAS-Bench-Macro stores add their own manifest keys and checks
around these helpers; none of them involves a pickle.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path

import numpy as np

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
