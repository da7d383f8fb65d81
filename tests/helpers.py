"""Small helpers the data tests share (corrupting a copy of a file)."""

from __future__ import annotations

from pathlib import Path


def flip_byte(path: Path, at: int | None = None) -> bytes:
    """Invert every bit of byte ``at`` of ``path`` (default: the middle one); returns the result.

    Use it on copies only: the real data under ../shared is read-only.
    """
    data = bytearray(Path(path).read_bytes())
    data[len(data) // 2 if at is None else at] ^= 0xFF
    Path(path).write_bytes(bytes(data))
    return bytes(data)
