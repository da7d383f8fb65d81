"""Running the command line in-process, for tests of its exit codes and messages."""

from __future__ import annotations

from nasbench_suite.cli import main


def run_cli(capsys, argv) -> tuple[int, str, str]:
    """``nasbench-suite ARGV`` in this process: (exit status, stdout, stderr)."""
    try:
        code = main([str(a) for a in argv])
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err
