"""One run: folder contents, trajectory rows, incumbent and budget rules, failures."""

from __future__ import annotations

import dataclasses
import json
import math

import numpy as np
import pytest

from nasbench_suite.bench.tabular import Observation
from nasbench_suite.runner import expand, parse_spec, run_grid
from nasbench_suite.runner.run import execute, search
from tests.runner.conftest import SpySearcher, TwoFidelitySearcher, read_rows, tiny_spec

REQUIRED_ROW = {
    "time_s",
    "n_evals",
    "arch_index",
    "fidelity",
    "valid_acc",
    "incumbent_index",
    "incumbent_valid_acc",
    "incumbent_test_acc",
}
REPORTS = ("cifar10", "cifar100", "ImageNet16-120")


def one_run(**over):
    return expand(parse_spec(tiny_spec(runs=1, **over)))[0]


def test_run_folder_files_and_fields(tmp_path, store):
    run = one_run()
    result = execute(run, tmp_path)
    folder = tmp_path / "random" / "cifar10-valid" / "run-0000"
    assert result.status == "complete" and sorted(p.name for p in folder.iterdir()) == [
        "metadata.json",
        "spec.json",
        "trajectory.jsonl",
    ]
    assert json.loads((folder / "spec.json").read_text()) == run.to_json()
    meta = json.loads((folder / "metadata.json").read_text())
    assert meta["status"] == "complete" and meta["error"] is None
    assert meta["store"]["checksum"] == store.checksum
    assert {"numpy", "scipy", "optuna", "python"} <= set(meta["versions"])
    assert "git_revision" in meta and "platform" in meta and meta["wall_s"] >= 0
    assert meta["seeds"]["searcher_seed"] == run.searcher_seed()
    assert meta["seeds"]["noise_spawn_key"] == [*run.spawn_key, 1]
    rows = read_rows(folder)
    assert rows and all(REQUIRED_ROW <= set(r) for r in rows)
    assert [r["n_evals"] for r in rows] == list(range(1, len(rows) + 1))
    assert (
        meta["n_evals"] == len(rows)
        and meta["final_incumbent"]["test_acc"] == rows[-1]["incumbent_test_acc"]
    )
    for line in (
        (folder / "trajectory.jsonl").read_text().splitlines()
    ):  # compact, sorted, plain JSON
        assert line == json.dumps(json.loads(line), sort_keys=True, separators=(",", ":"))


def test_time_budget_excludes_the_crossing_evaluation(tmp_path, bench, store):
    run = one_run(budget={"time_s": 1500})
    execute(run, tmp_path)
    folder = tmp_path / run.relpath()
    rows = read_rows(folder)
    meta = json.loads((folder / "metadata.json").read_text())
    assert meta["stop_reason"] == "time_budget" and meta["discarded_evals"] == 1
    assert rows[-1]["time_s"] <= 1500
    times = np.array([0.0] + [r["time_s"] for r in rows])
    cost = store.column("epoch_time_s", "cifar10-valid")[[r["arch_index"] for r in rows]] * 12
    np.testing.assert_allclose(np.diff(times), cost)


def test_eval_budget_and_overhead(tmp_path, store):
    run = one_run(
        budget={"evals": 7, "time_s": 1e9}, benchmark={"fidelity": 12, "eval_overhead_s": 2.5}
    )
    execute(run, tmp_path)
    rows = read_rows(tmp_path / run.relpath())
    assert len(rows) == 7
    cost = (
        store.column("epoch_time_s", "cifar10-valid")[[r["arch_index"] for r in rows]] * 12 + 2.5
    )
    assert rows[-1]["time_s"] == pytest.approx(cost.sum())


def test_incumbent_is_best_validation_and_test_comes_from_store(tmp_path, store):
    run = one_run(budget={"evals": 40})
    execute(run, tmp_path)
    rows = read_rows(tmp_path / run.relpath())
    valid = store.column("valid_acc_12ep", "cifar10-valid")
    best = -math.inf
    for r in rows:
        assert r["valid_acc"] == valid[r["arch_index"]]
        best = max(best, r["valid_acc"])
        assert r["incumbent_valid_acc"] == best == valid[r["incumbent_index"]]
        for ds in REPORTS:
            assert (
                r["incumbent_test_acc"][ds] == store.column("test_acc", ds)[r["incumbent_index"]]
            )


def test_searcher_sees_validation_and_cost_only(tmp_path, store, test_strategies):
    run = one_run(strategies=["spy"], budget={"evals": 20})
    assert execute(run, tmp_path).status == "complete"
    seen = SpySearcher.seen
    assert len(seen) == 20
    fields = {f.name for f in dataclasses.fields(Observation)}
    assert not any("test" in f for f in fields)
    valid = store.column("valid_acc_12ep", "cifar10-valid")
    for obs in seen:
        assert type(obs) is Observation and not hasattr(obs, "test_acc")
        assert obs.valid_acc == valid[obs.arch_index]


def test_incumbent_rule_highest_fidelity(tmp_path, store, test_strategies):
    v12, v200 = (
        store.column("valid_acc_12ep", "cifar10-valid"),
        store.column("valid_acc", "cifar10-valid"),
    )
    top12 = int(np.nanargmax(v12))
    low200 = int(np.nanargmin(np.where(np.isnan(v200), np.inf, v200)))
    other = int(np.argsort(v12)[len(v12) // 2])
    TwoFidelitySearcher.script = [
        (other, 12),
        (top12, 12),
        (low200, 200),
        (top12, 12),
        (other, 200),
    ]
    run = one_run(strategies=["scripted"], budget={"evals": 10})
    execute(run, tmp_path)
    rows = read_rows(tmp_path / run.relpath())
    meta = json.loads((tmp_path / run.relpath() / "metadata.json").read_text())
    assert meta["stop_reason"] == "exhausted" and meta["status"] == "complete"
    incumbents = [(r["incumbent_index"], r["fidelity"]) for r in rows]
    assert [i for i, _ in incumbents] == [
        other,
        top12,
        low200,
        low200,
        other if v200[other] > v200[low200] else low200,
    ]
    assert rows[2]["incumbent_valid_acc"] == v200[low200]


class NaNFirst:
    """Wraps a benchmark; its first observation has a NaN validation accuracy."""

    def __init__(self, bench):
        self.bench, self.n = bench, 0

    def evaluate(self, idx, rng=None, fidelity=None):
        self.n += 1
        obs = self.bench.evaluate(idx, rng=rng, fidelity=fidelity)
        return dataclasses.replace(obs, valid_acc=math.nan) if self.n == 1 else obs

    def test_accuracy(self, indices, dataset):
        return self.bench.test_accuracy(indices, dataset)


def test_nan_is_null_and_never_incumbent(store, space):
    from nasbench_suite.bench.tabular import TabularBenchmark

    run = one_run(budget={"evals": 3})
    outcome = search(
        run, NaNFirst(TabularBenchmark("cifar10-valid", fidelity=12, store=store)), space
    )
    rows = [json.loads(line) for line in outcome.lines]
    assert rows[0]["valid_acc"] is None and rows[0]["incumbent_index"] is None
    assert rows[0]["incumbent_valid_acc"] is None
    assert rows[0]["incumbent_test_acc"] == {d: None for d in REPORTS}
    assert rows[1]["incumbent_index"] == rows[1]["arch_index"]


def test_failing_strategy_fails_its_run_only(tmp_path, test_strategies):
    runs = expand(parse_spec(tiny_spec(strategies=["boom", "random"], runs=2)))
    result = run_grid(runs, tmp_path, workers=1, quiet=True)
    assert result.done == 2 and len(result.failed) == 2
    meta = json.loads(
        (tmp_path / "boom" / "cifar10-valid" / "run-0000" / "metadata.json").read_text()
    )
    assert meta["status"] == "failed" and "boom on ask 3" in meta["error"] and meta["traceback"]
    assert len(read_rows(tmp_path / "boom" / "cifar10-valid" / "run-0000")) == 2
    # failed runs are retried on resume, complete ones skipped
    again = run_grid(runs, tmp_path, workers=1, quiet=True)
    assert again.skipped == 2 and len(again.failed) == 2


def test_latency_objective_run(tmp_path, store):
    device = store.devices[0]
    run = one_run(
        benchmark={"fidelity": 12, "latency_device": device},
        objective={"name": "latency", "target_ms": 5.0},
        budget={"evals": 15},
    )
    assert execute(run, tmp_path).status == "complete"
    rows = read_rows(tmp_path / run.relpath())
    lat = store.latency(device)
    assert all(r["latency_ms"] == lat[r["arch_index"]] for r in rows)
    score = lambda r: r["valid_acc"] * (r["latency_ms"] / 5.0) ** -0.07
    assert rows[-1]["incumbent_index"] == max(rows, key=score)["arch_index"]


def test_one_shot_protocol_compute_charged_and_artifacts(tmp_path, test_strategies):
    run = one_run(strategies=["oneshot-like"], budget={"evals": 4, "time_s": 5.0})
    assert execute(run, tmp_path).status == "complete"
    folder = tmp_path / run.relpath()
    rows = read_rows(folder)
    assert [r["time_s"] for r in rows] == [1.5, 3.0, 4.5]  # free evaluations; 4th would cross 5 s
    meta = json.loads((folder / "metadata.json").read_text())
    assert meta["compute_s"] == 6.0 and meta["artifacts"] == ["alphas.json"]
    assert json.loads((folder / "alphas.json").read_text()) == {"asks": 4}
