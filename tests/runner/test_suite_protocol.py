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
    spec = dataclasses.replace(spec, strategies=spec.strategies[:3])  # random, rea, reinforce
    runs = [dataclasses.replace(r, eval_budget=10) for r in expand(spec)]
    result = run_grid(runs, tmp_path / "out", workers=1, quiet=True)
    assert not result.failed and result.done == 39
    loaded = load_runs(tmp_path / "out")
    assert {r.benchmark for r in loaded.runs} == {"nb201", "nb-macro", "nb-graph"}
    assert all(r.status == "complete" and int(r.n_evals[-1]) == 10 for r in loaded.runs)
    # across tasks: the 13 searches, each on its own dataset (not every transfer pair: the
    # graph runs carry all nine datasets and NB201's all three, which would make 91 "tasks")
    from nasbench_suite.report.content import build_content

    content = build_content([tmp_path / "out"], use_default_store=False)
    lb = content.results.leaderboard
    assert len(lb.tasks) == 13
    assert {(t.benchmark, t.search_dataset, t.dataset) for t in lb.tasks} >= {
        ("nb201", "cifar10-valid", "cifar10"), ("nb-graph", "nb-graph-arxiv", "arxiv"),
        ("nb-graph", "nb-graph-proteins", "proteins"), ("nb-macro", "nb-macro-cifar10", "cifar10")}
    assert content.across_readings[0].startswith("Friedman test over 13 tasks")
    assert any("one task per search" in c for c in content.caveats)
    # NAS-Bench-Graph's 9-op cells are mostly not in ogbn-proteins' 5-op table: those transfer
    # pairs are left out (with one caveat), the others stay in the benchmark's section
    tasks = loaded.tasks()
    assert ("nb-graph-proteins", "proteins") in tasks and ("nb-graph-cora", "citeseer") in tasks
    assert ("nb-graph-cora", "proteins") in loaded.partial_transfers()
    assert ("nb-graph-cora", "proteins") not in tasks
    assert any("transfer pair(s) are left out" in c for c in content.caveats)
    signals = {row[3]: row[4] for t in content.spec_tables for row in t.rows}
    assert signals["cifar10-valid"] == "200 ep / seed"  # NB201: fidelity and noise of the spec
    assert signals["nb-graph-cora"] == "benchmark default"  # single fidelity, no options
