"""Analysis and reports read run folders through nasbench_suite.runfolder, never the runner."""

from __future__ import annotations

import ast
from pathlib import Path

import nasbench_suite

PACKAGE = Path(nasbench_suite.__file__).parent


def _imports(path: Path) -> set[str]:
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            out.add(node.module)
    return out


def test_analysis_and_report_do_not_import_the_runner():
    offenders = {}
    for package in ("analysis", "report"):
        for path in sorted((PACKAGE / package).rglob("*.py")):
            bad = sorted(m for m in _imports(path) if m.startswith("nasbench_suite.runner"))
            if bad:
                offenders[str(path.relative_to(PACKAGE))] = bad
    assert not offenders, offenders


def test_summary_and_analysis_share_the_reader():
    for rel in ("runner/summary.py", "analysis/runs.py"):
        assert "nasbench_suite.runfolder" in _imports(PACKAGE / rel), rel
