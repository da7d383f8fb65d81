"""Raw sources are checked against checksums shipped in the package, not a SHA256SUMS beside them."""

from __future__ import annotations

import pytest

from nasbench_suite import checksums
from nasbench_suite.bench import sources
from nasbench_suite.bench.build import build_from_raw
from nasbench_suite.bench.raw_checksums import KNOWN_RAW_SHA256
from nasbench_suite.errors import DataError


def test_shipped_table_is_the_published_release(raw_dir):
    """The shipped table lists exactly the files of the real raw folder, with their checksums."""
    assert checksums.read_sums(raw_dir / "SHA256SUMS", "") == KNOWN_RAW_SHA256
    assert set(sources.required_files()) <= set(KNOWN_RAW_SHA256)


@pytest.fixture()
def linked_raw(tmp_path, raw_dir):
    """A raw folder of symlinks to the real (read-only) files, cheap to alter one file in."""
    dst = tmp_path / "raw"
    for name in [*KNOWN_RAW_SHA256, "SHA256SUMS", "SOURCES.md"]:
        (dst / name).parent.mkdir(parents=True, exist_ok=True)
        (dst / name).symlink_to(raw_dir / name)
    return dst


def test_altered_file_with_matching_sums_is_refused(linked_raw, tmp_path):
    name = sources.LANDSCAPE
    text = (linked_raw / name).read_text()
    (linked_raw / name).unlink()
    (linked_raw / name).write_text(text.replace("94.37", "99.99", 1))  # a silent edit
    sums = linked_raw / "SHA256SUMS"
    lines = [f"{checksums.sha256_file(linked_raw / name)}  ./{name}" if line.endswith(name) else line
             for line in sums.read_text().splitlines()]
    sums.unlink()
    sums.write_text("\n".join(lines) + "\n")
    with pytest.raises(DataError, match=f"{name} is corrupt, truncated or altered"):
        build_from_raw(linked_raw, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_sums_file_is_not_needed(linked_raw, store, tmp_path):
    """The folder's own SHA256SUMS is not trusted, so it need not be there at all."""
    (linked_raw / "SHA256SUMS").unlink()
    out = build_from_raw(linked_raw, tmp_path / "out")
    assert (out / "arrays.bin").read_bytes() == (store.path / "arrays.bin").read_bytes()
