"""Cheap structural checks of a store manifest, run on every :meth:`Store.load`.

``arrays.bin`` is checked against the SHA-256 in ``manifest.json``, but the manifest travels with
it: an edited manifest (two columns' offsets swapped, a dtype changed, a validation column
pointed at a test column's bytes) would still pass that check and silently change every number.
:func:`write_store` lays columns out in one canonical way (sorted by name, back to back from
offset 0, little-endian, float64 values and int32/int64 cell ids), so any such edit breaks the
layout and is refused here in microseconds. Edits that keep the layout valid (rewriting the
bytes themselves and the checksum) are what ``nasbench-suite data verify --raw`` catches, by
recomputing every column from the raw sources (:func:`nasbench_suite.bench.build.compare_with_raw`).
"""

from __future__ import annotations

import numpy as np

INT_FIELDS = ("code", "iso_class", "func_class")  # cell ids; every other column is float64
_INT_DTYPES = ("<i4", "<i8")
_FLOAT = "<f8"


def layout_problems(manifest: dict, n_cells: int) -> list[str]:
    """What is wrong with the column layout of ``manifest`` (empty when it is canonical)."""
    columns = manifest.get("columns")
    if not isinstance(columns, dict) or not columns:
        return ["it lists no columns"]
    problems: list[str] = []
    offset = 0
    for name in sorted(columns):
        spec = columns[name]
        try:
            dtype = np.dtype(spec["dtype"])
            shape = tuple(int(s) for s in spec["shape"])
            start = int(spec["offset"])
        except (KeyError, TypeError, ValueError) as exc:
            problems.append(f"column {name} has a malformed entry ({exc})")
            break
        field = name.split("@", 1)[0]
        want = _INT_DTYPES if field in INT_FIELDS else (_FLOAT,)
        if dtype.str not in want:
            problems.append(f"column {name} has dtype {dtype.str}, expected {' or '.join(want)}")
        if not shape or shape[0] != n_cells or any(s < 1 for s in shape) or len(shape) > 2:
            problems.append(f"column {name} has shape {list(shape)}, expected ({n_cells}, ...)")
        if start != offset:
            problems.append(f"column {name} starts at byte {start}, expected {offset} "
                            "(columns are stored sorted by name, back to back)")
        offset += dtype.itemsize * int(np.prod(shape))
        if problems:
            break
    if not problems and offset != manifest.get("arrays_bytes"):
        problems.append(f"the columns take {offset} bytes, arrays_bytes says "
                        f"{manifest.get('arrays_bytes')}")
    return problems
