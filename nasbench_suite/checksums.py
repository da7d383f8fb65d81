"""SHA-256 checks of data files: hash in chunks, read a ``SHA256SUMS`` file, verify named files.

One place for what every data reader does before it reads a file: the raw NB201 sources
(checked against the table shipped in :mod:`nasbench_suite.bench.raw_checksums`, since a
``SHA256SUMS`` beside altered files would be altered too), the NAS-Bench-Graph light tables
(pinned in :mod:`nasbench_suite.benchmarks._graph_store`), and the NAS-Bench-Macro and
NAS-Bench-301 folders (checked against their own ``SHA256SUMS``). Every failure is one
:class:`~nasbench_suite.errors.DataError` line that names the file and says what to do.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

from nasbench_suite.errors import DataError

SUMS = "SHA256SUMS"
_CHUNK = 1 << 20
# ``sha256sum`` output: 64 hex digits, a space, then a space (text) or ``*`` (binary), the name.
_LINE = re.compile(r"([0-9a-fA-F]{64}) [ *](.+)")


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of a file, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def sha256_bytes(data) -> str:
    """Hex SHA-256 of a bytes-like object (``bytes``, a uint8 array, ...)."""
    return hashlib.sha256(memoryview(data)).hexdigest()


def require_dir(folder: Path, label: str, fix: str) -> Path:
    """``folder`` as a Path; raises ``"<label> <folder> does not exist; <fix>"`` if no folder."""
    folder = Path(folder)
    if not folder.is_dir():
        raise DataError(f"{label} {folder} does not exist; {fix}")
    return folder


def read_sums(sums: Path, fix: str) -> dict[str, str]:
    """file name (``./`` dropped) -> lower-case hex SHA-256 listed in a ``sha256sum`` file.

    Raises:
        DataError: the file is missing or a non-blank line is not ``<sha256>  <name>``.
    """
    sums = Path(sums)
    try:
        text = sums.read_text()
    except FileNotFoundError:
        raise DataError(f"{sums} is missing; {fix}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError(f"cannot read {sums} ({exc}); {fix}") from None
    out: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        match = _LINE.fullmatch(line.strip())
        if match is None:
            raise DataError(f"{sums} line {number} is not '<sha256>  <file name>'; {fix}")
        out[match[2].strip().removeprefix("./")] = match[1].lower()
    return out


def listed(folder: Path, names: Iterable[str], fix: str) -> dict[str, str]:
    """The SHA-256 that ``folder``'s ``SHA256SUMS`` lists for each of ``names`` (reads no data).

    Raises:
        DataError: ``SHA256SUMS`` is missing, malformed, or does not list one of ``names``.
    """
    sums = Path(folder) / SUMS
    table = read_sums(sums, fix)
    for name in names:
        if name not in table:
            raise DataError(f"{sums} does not list {name}; {fix}")
    return table


def verify_files(
    folder: Path, expected: Mapping[str, str], *, label: str, source: str, fix: str
) -> dict[str, str]:
    """Check that every file ``expected`` names exists in ``folder`` with that SHA-256.

    Args:
        folder: the folder the names are relative to.
        expected: file name -> hex SHA-256, checked in name order.
        label: what a file is, first words of a message (``"raw file"``).
        source: where ``expected`` comes from, for the message (``"SHA256SUMS"``).
        fix: what the user should do, the end of every message.

    Returns:
        file name -> SHA-256 (a copy of ``expected``: every file matched).

    Raises:
        DataError: naming the first missing or mismatching file.
    """
    for name, digest in sorted(expected.items()):
        path = Path(folder) / name
        if not path.is_file():
            raise DataError(f"{label} {path} is missing; {fix}")
        actual = sha256_file(path)
        if actual != digest.lower():
            raise DataError(
                f"{label} {path} is corrupt, truncated or altered (sha256 {actual[:12]}..., "
                f"expected {digest[:12]}... from {source}); {fix}")
    return dict(expected)
