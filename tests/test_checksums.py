"""nasbench_suite.checksums: hashing, SHA256SUMS parsing and file verification, one-line errors."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from nasbench_suite import checksums
from nasbench_suite.errors import DataError
from nasbench_suite.paths import env_or_shared

FIX = "do the fix"


def test_file_hash_is_chunked_sha256(tmp_path):
    data = bytes(range(256)) * 9000  # > one 1 MiB chunk
    (tmp_path / "f").write_bytes(data)
    assert checksums.sha256_file(tmp_path / "f") == hashlib.sha256(data).hexdigest()
    blob = np.frombuffer(data, dtype=np.uint8)
    expected = hashlib.sha256(data).hexdigest()
    assert checksums.sha256_bytes(blob) == checksums.sha256_bytes(data) == expected


def test_read_sums_of_the_real_folders_lists_every_file():
    for name in ("nb201", "nb-macro", "yahpo-nb301"):
        folder = env_or_shared("UNSET_FOR_THIS_TEST", name)
        assert folder is not None, name
        table = checksums.read_sums(folder / checksums.SUMS, FIX)
        lines = [ln for ln in (folder / checksums.SUMS).read_text().splitlines() if ln.strip()]
        assert len(table) == len(lines) and all(not n.startswith("./") for n in table)
        some = min(table)
        assert checksums.sha256_file(folder / some) == table[some]


def test_read_sums_formats_and_errors(tmp_path):
    sums = tmp_path / checksums.SUMS
    a, b = "a" * 64, "B" * 64
    sums.write_text(f"{a}  ./x.bin\n\n{b} *sub/y.bin\n")
    assert checksums.read_sums(sums, FIX) == {"x.bin": a, "sub/y.bin": "b" * 64}
    sums.write_text(f"{a}  x.bin\nnot a checksum line\n")
    with pytest.raises(DataError, match=r"SHA256SUMS line 2 is not .*; do the fix$"):
        checksums.read_sums(sums, FIX)
    with pytest.raises(DataError, match=r"nowhere/SHA256SUMS is missing; do the fix$"):
        checksums.read_sums(tmp_path / "nowhere" / checksums.SUMS, FIX)
    sums.write_text(f"{a}  x.bin\n")
    with pytest.raises(DataError, match=r"SHA256SUMS does not list y.bin; do the fix$"):
        checksums.listed(tmp_path, ["x.bin", "y.bin"], FIX)


def test_verify_files_names_the_missing_or_altered_file(tmp_path):
    (tmp_path / "x.bin").write_bytes(b"hello")
    good = {"x.bin": hashlib.sha256(b"hello").hexdigest()}
    kwargs = {"label": "data file", "source": "the table", "fix": FIX}
    assert checksums.verify_files(tmp_path, good, **kwargs) == good
    with pytest.raises(DataError) as info:
        checksums.verify_files(tmp_path, {"x.bin": "0" * 64}, **kwargs)
    message = str(info.value)
    assert "\n" not in message and message.startswith(f"data file {tmp_path / 'x.bin'} is corrupt")
    assert "expected 000000000000... from the table); do the fix" in message
    with pytest.raises(DataError, match=r"data file .*y\.bin is missing; do the fix$"):
        checksums.verify_files(tmp_path, {**good, "y.bin": "0" * 64}, **kwargs)


def test_require_dir(tmp_path):
    assert checksums.require_dir(str(tmp_path), "a folder", FIX) == tmp_path
    (tmp_path / "f").write_text("")
    for bad in (tmp_path / "nowhere", tmp_path / "f"):
        with pytest.raises(DataError, match=rf"^a folder {bad} does not exist; do the fix$"):
            checksums.require_dir(bad, "a folder", FIX)
