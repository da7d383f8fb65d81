"""Fixtures the store tests of several benchmarks share."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from nasbench_suite.errors import DataError


@pytest.fixture()
def refuses_foreign_folder(tmp_path) -> Callable[[Callable[[Path], object], str], None]:
    """Check that ``write(folder)`` on a folder of the user's fails (``match``) and keeps it."""

    def check(write: Callable[[Path], object], match: str) -> None:
        foreign = tmp_path / "mine"
        foreign.mkdir()
        (foreign / "notes.txt").write_text("keep me")
        with pytest.raises(DataError, match=match):
            write(foreign)
        assert sorted(p.name for p in foreign.iterdir()) == ["notes.txt"]
        assert (foreign / "notes.txt").read_text() == "keep me"

    return check
