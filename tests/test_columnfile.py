"""nasbench_suite.columnfile: the arrays.bin + manifest.json layout the stores share."""

from __future__ import annotations

import json

import numpy as np
import pytest

from nasbench_suite import checksums, columnfile
from nasbench_suite.errors import DataError


def test_columns_round_trip_little_endian_read_only(tmp_path):
    cols = {"b": np.arange(6, dtype=">i8").reshape(2, 3), "a": np.linspace(0, 1, 5),
            "c": np.array([True, False])}
    layout, nbytes = columnfile.write_arrays(tmp_path / columnfile.ARRAYS, cols, ["b", "a"])
    assert list(layout) == ["b", "a"] and nbytes == 6 * 8 + 5 * 8
    assert layout["b"] == {"dtype": "<i8", "shape": [2, 3], "offset": 0}
    assert layout["a"]["offset"] == 48
    blob = np.fromfile(tmp_path / columnfile.ARRAYS, dtype=np.uint8)
    assert blob.size == nbytes and blob[:8].tolist() == [0] * 8  # little-endian 0
    back = columnfile.column_views(blob, layout)
    np.testing.assert_array_equal(back["b"], cols["b"])
    np.testing.assert_array_equal(back["a"], cols["a"])
    with pytest.raises(ValueError):
        back["a"][0] = 1.0
    assert list(columnfile.column_views(blob, layout, ["a"])) == ["a"]


def test_manifest_is_sorted_indented_json(tmp_path):
    columnfile.write_manifest(tmp_path / "m.json", {"z": 1, "a": {"y": 2, "b": 3}})
    text = (tmp_path / "m.json").read_text()
    assert text == json.dumps({"a": {"b": 3, "y": 2}, "z": 1}, indent=1) + "\n"


def test_replace_dir_swaps_and_leaves_nothing_behind(tmp_path):
    out = tmp_path / "store"
    for version in ("one", "two"):
        tmp = tmp_path / f".new-{version}"
        tmp.mkdir()
        (tmp / "v").write_text(version)
        columnfile.replace_dir(tmp, out, ".old-")
        assert (out / "v").read_text() == version
        assert sorted(p.name for p in tmp_path.iterdir()) == ["store"]
    empty = tmp_path / "empty"
    empty.mkdir()
    tmp = tmp_path / ".new"
    tmp.mkdir()
    columnfile.replace_dir(tmp, empty, ".old-")
    assert empty.is_dir() and not tmp.exists()


def test_write_store_adds_checksum_layout_and_column_info(tmp_path):
    cols = {"x": np.arange(4, dtype=np.int64), "y": np.ones(2)}
    out = columnfile.write_store(tmp_path / "s", cols, ["y", "x"], {"kind": "test"},
                                 prefix=".t-", column_info={"x": {"note": "n"}, "y": {}})
    manifest = json.loads((out / columnfile.MANIFEST).read_text())
    assert manifest["kind"] == "test" and manifest["arrays_bytes"] == 48
    assert manifest["arrays_sha256"] == checksums.sha256_file(out / columnfile.ARRAYS)
    assert manifest["columns"]["x"] == {"dtype": "<i8", "shape": [4], "offset": 16, "note": "n"}
    seen = []
    columnfile.write_store(out, cols, ["x"], {}, prefix=".t-",
                           swap=lambda tmp, dst: seen.append((tmp.name, dst)))
    assert seen[0][0].startswith(".t-") and seen[0][1] == out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s"]  # the unused temp folder is gone
    (tmp_path / "file").write_text("")
    with pytest.raises(DataError, match=r"^cannot create the store folder .*file/s \("):
        columnfile.write_store(tmp_path / "file" / "s", cols, ["x"], {}, prefix=".t-")
