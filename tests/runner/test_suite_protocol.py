"""experiments/suite.yaml: the cross-benchmark protocol parses into 13 tasks on three benchmarks
and its grid runs end to end (one tiny run per strategy and task) into one comparable folder."""

from __future__ import annotations

import dataclasses

from nasbench_suite.analysis.runs import load_runs
from nasbench_suite.paths import REPO_DIR
from nasbench_suite.runner import expand, load_spec, run_grid

SPEC = REPO_DIR / "experiments" / "suite.yaml"


def test_suite_spec_has_13_tasks_on_three_benchmarks_and_8_strategies():
    spec = load_spec(SPEC)
    tasks = [(b.name, d) for b in spec.benchmarks for d in b.search_datasets]
    assert len(tasks) == 13
    assert {b.name for b in spec.benchmarks} == {"nb201", "nb-macro", "nb-graph"}
    assert len(spec.strategies) >= 8 and spec.runs >= 30
    runs = expand(spec)
    assert len(runs) == 13 * len(spec.strategies) * spec.runs


def test_suite_grid_runs_on_every_task(tmp_path):
    spec = load_spec(SPEC, runs=1)
    spec = dataclasses.replace(spec, strategies=spec.strategies[:2])  # random, rea
    runs = [dataclasses.replace(r, eval_budget=10) for r in expand(spec)]
    result = run_grid(runs, tmp_path / "out", workers=1, quiet=True)
    assert not result.failed and result.done == 26
    loaded = load_runs(tmp_path / "out")
    assert {r.benchmark for r in loaded.runs} == {"nb201", "nb-macro", "nb-graph"}
    assert all(r.status == "complete" and int(r.n_evals[-1]) == 10 for r in loaded.runs)
