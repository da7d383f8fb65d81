"""An exclusive lock on a runner output folder: one ``nasbench-suite run`` writes there at a time.

Two commands writing the same folder at once would race on the same run folders (a run could be
left marked complete without its trajectory) and could interleave two different specs. The lock is
``fcntl.flock`` on ``<out>/.nasbench-suite.lock``: the kernel releases it when the holder exits,
even after ``kill -9``, so a stale lock file never blocks a later run. It is advisory and local:
it guards commands on this machine (and on file systems whose ``flock`` spans machines).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from nasbench_suite.errors import NasBenchError

LOCK_FILE = ".nasbench-suite.lock"


def prepare_out(out: Path) -> Path:
    """Create the output folder ``out`` (and parents), or fail with one sentence."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise NasBenchError(f"--out {out} is a file, not a folder; name a folder for the runs")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise NasBenchError(f"cannot create the output folder {out}: {exc.strerror or exc}") \
            from None
    return out


@contextmanager
def output_lock(out: Path) -> Iterator[Path]:
    """Hold the exclusive lock of the output folder ``out`` (created if needed).

    Raises:
        NasBenchError: another process holds it (naming its pid), or ``out`` is unusable.
    """
    out = prepare_out(out)
    path = out / LOCK_FILE
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise NasBenchError(f"cannot lock the output folder {out}: {exc.strerror or exc}") \
            from None
    try:
        try:
            import fcntl
        except ImportError:  # not POSIX: no lock, as before
            yield out
            return
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 64, 0).decode("ascii", "replace").strip() or "?"
            raise NasBenchError(
                f"another nasbench-suite run (pid {holder}) is writing to {out}; wait for it to "
                "finish or choose another --out") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        try:
            yield out
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
