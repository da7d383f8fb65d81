"""Byte identity of NB201 trajectories across the SearchSpace / Benchmark seam.

The two specs in ``tests/runner/golden/`` run every black-box strategy on the real NB201 store.
The expected SHA-256 values below were computed by running these specs on main at commit d3fde17,
BEFORE the strategies, the space and the runner were moved behind ``spaces.base.SearchSpace`` /
``benchmarks.base.Benchmark`` (``nasbench-suite run SPEC --workers 1``, then the hash of every
``trajectory.jsonl`` in sorted relative-path order, see :func:`trajectories_sha256`). A change of
randomness consumption, of candidate order or of any number in any row changes the hash.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from nasbench_suite.runner import expand, load_spec, run_grid

GOLDEN = Path(__file__).parent / "golden"
EXPECTED = {
    # spec file: (sha256 of the trajectories, number of trajectory files)
    "seam.yaml": ("ea373d3121c40a3af79808e91a5c717db9f373c5314d9d82a01bf4733404ff3c", 40),
    "seam-noise.yaml": ("4a2c50a92e9b49a9e8a3986398f2182c08dea7492780fd008c8fcdf752276027", 14),
}


def trajectories_sha256(root: Path) -> tuple[str, int]:
    """SHA-256 over (relative path, bytes) of every ``trajectory.jsonl`` under ``root``."""
    digest = hashlib.sha256()
    files = sorted(root.rglob("trajectory.jsonl"))
    for path in files:
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest(), len(files)


@pytest.mark.parametrize("spec_file", sorted(EXPECTED))
def test_nb201_trajectories_are_byte_identical_to_main(spec_file, store, tmp_path):
    result = run_grid(expand(load_spec(GOLDEN / spec_file)), tmp_path, workers=1, quiet=True)
    assert not result.failed, [r.error for r in result.failed]
    assert trajectories_sha256(tmp_path) == EXPECTED[spec_file]
