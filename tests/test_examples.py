"""The README's "Compare your method with the classics" walk-through, run as written.

The commands come from the README's code block (so the README cannot drift from what works);
the only changes: ``--runs 1`` and the run folder under a temporary directory. The run uses
``--start-method spawn`` (macOS / Windows workers), which must import the user's file itself.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from nasbench_suite.paths import REPO_DIR

pytestmark = pytest.mark.slow
README = REPO_DIR / "README.md"
SECTION = "## Compare your method with the classics"


def section() -> str:
    text = README.read_text()
    start = text.index(SECTION)
    end = text.index("\n## ", start + len(SECTION))
    return text[start:end]


def blocks(lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", section(), flags=re.DOTALL)


def test_readme_spec_and_strategy_are_the_example_files():
    assert yaml.safe_load(blocks("yaml")[0]) == yaml.safe_load(
        (REPO_DIR / "examples" / "compare.yaml").read_text()
    )
    shown = blocks("python")[0]
    source = (REPO_DIR / "examples" / "my_strategy.py").read_text()
    for line in shown.splitlines():  # every code line shown is in the file (comments aside)
        code = line.split("  #")[0].rstrip()
        if code and not code.lstrip().startswith("#"):
            assert code in source, code


def test_readme_walkthrough_runs_as_written(tmp_path):
    commands = [shlex.split(c) for c in blocks("bash")[0].strip().splitlines()]
    assert [c[:2] for c in commands] == [
        ["nasbench-suite", "check-strategy"],
        ["nasbench-suite", "run"],
        ["nasbench-suite", "report"],
    ]
    exe = str(Path(sys.executable).with_name("nasbench-suite"))
    out = tmp_path / "runs"
    outputs = []
    for cmd in commands:
        args = [exe, *cmd[1:]]
        if cmd[1] == "run":
            args += ["--runs", "1", "--out", str(out), "--start-method", "spawn", "--quiet"]
        if cmd[1] == "report":
            args = [exe, "report", str(out), "--format", "html", "--out", str(tmp_path / "rep")]
        r = subprocess.run(
            args, cwd=REPO_DIR, capture_output=True, text=True, timeout=900, check=False
        )
        assert r.returncode == 0, f"{cmd}: {r.stdout}\n{r.stderr}"
        outputs.append(r.stdout)
    assert outputs[0].count("PASS") == 6 and "all checks passed" in outputs[0]
    assert "5 runs in" in outputs[1] and "5 done" in outputs[1]
    for label in ("random", "rea", "bananas", "bohb", "one_plus_one"):
        assert (out / label / "cifar10-valid" / "run-0000" / "trajectory.jsonl").stat().st_size
    html = (tmp_path / "rep.html").read_text()
    assert "one_plus_one" in html and "Published results" in html and "NATS-Bench" in html
    assert re.search(r"plug-in: one_plus_one</td><td[^>]*>./my_strategy.py \(version 0.1, "
                     r"sha256 [0-9a-f]{64}\)", html)  # fmt: skip
