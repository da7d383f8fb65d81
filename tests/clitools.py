"""Running the command line, in-process (exit codes, messages) or as fresh processes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from nasbench_suite.cli import main

REPO = Path(__file__).resolve().parents[1]


def run_cli(capsys, argv) -> tuple[int, str, str]:
    """``nasbench-suite ARGV`` in this process: (exit status, stdout, stderr)."""
    try:
        code = main([str(a) for a in argv])
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def run_spec_twice_at_once(spec: Path, out: Path, store: Path, timeout: float = 600) -> list[Path]:
    """``nasbench-suite run SPEC`` in two fresh processes at the same time (so that measured
    seconds would differ between them); returns their output folders. Both processes are killed
    if either fails or runs past ``timeout``."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    outs = [out / f"out{k}" for k in range(2)]
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "nasbench_suite.cli", "run", str(spec), "--out", str(folder),
             "--workers", "1", "--quiet", "--store", str(store)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        for folder in outs
    ]
    try:
        for proc in procs:
            _, err = proc.communicate(timeout=timeout)
            assert proc.returncode == 0, err
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    return outs


def files_of_runs(root: Path) -> dict[str, bytes]:
    """Every file of a runs folder by relative path, without the machine-dependent ones
    (``metadata.json``: wall seconds, host; the lock file)."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and p.name not in ("metadata.json", ".nasbench-suite.lock")}


def assert_spec_byte_reproducible(spec: dict, tmp_path: Path, store: Path, artifact: str,
                                  count: int) -> None:
    """Run ``spec`` twice at once in fresh processes and assert the same files, byte for byte
    (``count`` run folders, each with ``artifact``); only ``metadata.json`` may differ."""
    import yaml

    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(spec))
    outs = [files_of_runs(folder) for folder in run_spec_twice_at_once(path, tmp_path, store)]
    assert sorted(outs[0]) == sorted(outs[1])
    assert len([n for n in outs[0] if n.endswith(artifact)]) == count
    for name in outs[0]:
        assert outs[0][name] == outs[1][name], name
