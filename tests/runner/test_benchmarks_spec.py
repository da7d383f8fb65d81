"""Specs naming several benchmarks; validation that builds every strategy before any run."""

from __future__ import annotations

import json

import pytest
import yaml

from nasbench_suite.benchmarks import base as bench_base
from nasbench_suite.cli import main
from nasbench_suite.errors import SpecError
from nasbench_suite.runner import expand, parse_spec, run_grid
from nasbench_suite.spaces import base as space_base
from tests.runner.conftest import read_rows, tiny_spec
from tests.strategies.fakes import ConditionalSpace, FakeBenchmark


@pytest.fixture
def fake_registered(monkeypatch):
    """Registers the fake conditional space and benchmark for one test (in this process)."""
    bench_base._load_builtin()
    space_base._load_builtin()
    monkeypatch.setitem(bench_base._REGISTRY, "fake", FakeBenchmark)
    monkeypatch.setitem(space_base._REGISTRY, "fake-conditional", ConditionalSpace)
    yield


def multi(**over) -> dict:
    over.setdefault("strategies", ["random", "rea", "hyperband"])
    return tiny_spec(
        runs=1,
        benchmark=None,
        benchmarks=[
            {"name": "nb201", "datasets": ["cifar10-valid"], "fidelity": 12},
            {"name": "fake", "datasets": "toy", "report_datasets": ["toy"]},
        ],
        report_datasets=["cifar10"],
        budget={"evals": 6},
        **over,
    )


def _clean(spec: dict) -> dict:
    return {k: v for k, v in spec.items() if v is not None}


def test_grid_expands_strategy_by_benchmark_dataset_and_run(fake_registered, tmp_path, store):
    spec = parse_spec(_clean(multi()))
    assert [b.name for b in spec.benchmarks] == ["nb201", "fake"]
    runs = expand(spec)
    assert sorted(r.relpath().as_posix() for r in runs) == sorted(
        f"{s}/{task}/run-0000" for s in ("random", "rea", "hyperband")
        for task in ("cifar10-valid", "fake-toy")
    )
    fake = [r for r in runs if r.benchmark_name == "fake"]
    assert {r.report_datasets for r in fake} == {("toy",)}
    nb = [r for r in runs if r.benchmark_name == "nb201"]
    assert {r.report_datasets for r in nb} == {("cifar10",)}
    assert nb[0].benchmark == {"type": "tabular", "fidelity": 12, "noise": "mean",
                               "latency_device": None, "eval_overhead_s": 0}
    result = run_grid(runs, tmp_path, workers=1, quiet=True)
    assert not result.failed, [r.error for r in result.failed]
    rows = read_rows(tmp_path / "hyperband" / "fake-toy" / "run-0000")
    assert len(rows) == 6 and {r["fidelity"] for r in rows} <= {4, 16, 64}
    assert set(rows[-1]["incumbent_test_acc"]) == {"toy"}
    meta = json.loads((tmp_path / "random" / "fake-toy" / "run-0000" / "metadata.json").read_text())
    assert meta["benchmark"]["name"] == "fake"
    meta = json.loads((tmp_path / "random" / "cifar10-valid" / "run-0000" / "metadata.json")
                      .read_text())
    assert meta["benchmark"]["name"] == "nb201" and meta["benchmark"]["sources"]
    # one reader for the summary and analysis: tasks are kept apart, benchmarks recorded
    from nasbench_suite.analysis.runs import load_runs
    from nasbench_suite.runner.summary import summarize

    runs = load_runs(tmp_path)
    assert {(r.benchmark, r.search_dataset) for r in runs.runs} == {
        ("nb201", "cifar10-valid"), ("fake", "fake-toy")
    }
    assert {(r.search_dataset, r.dataset) for r in summarize(tmp_path)} == {
        ("cifar10-valid", "cifar10"), ("fake-toy", "toy")
    }


def test_all_leaves_out_strategies_that_do_not_fit_a_benchmark(fake_registered):
    spec = parse_spec(_clean(multi(strategies=["all"])))
    by_name = {s.name: s for s in spec.strategies}
    assert by_name["random"].benchmarks is None  # runs everywhere
    assert by_name["proxy_search"].benchmarks == ("nb201",)  # NB201-only
    runs = expand(spec)
    assert not [r for r in runs if r.strategy == "proxy_search" and r.benchmark_name == "fake"]


def test_explicit_nb201_only_strategy_on_another_space_is_an_error(fake_registered):
    with pytest.raises(SpecError, match="proxy_search.*nb201 space only, not on fake"):
        parse_spec(_clean(multi(strategies=["proxy_search"])))


def test_unknown_dataset_for_that_benchmark(fake_registered):
    spec = _clean(multi())
    spec["benchmarks"][1]["datasets"] = ["cifar10"]
    with pytest.raises(SpecError, match="unknown dataset 'cifar10'.*benchmark fake; known: toy"):
        parse_spec(spec)


@pytest.mark.parametrize(
    "over, needle",
    [
        ({"strategies": [{"name": "rea", "kwargs": {"population_size": -3}}]},
         "population_size must be a positive integer"),
        ({"strategies": [{"name": "gp_bo", "kwargs": {"kernel": "rbf"}}]}, "unknown GP kernel"),
        ({"benchmark": {"search_dataset": "mnist"}}, "unknown dataset 'mnist'"),
        ({"benchmark": {"type": "nb999"}}, "unknown benchmark type 'nb999'"),
    ],
)
def test_bad_values_exit_2_with_one_line_and_no_run_folder(tmp_path, capsys, over, needle):
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(tiny_spec(**over)))
    out = tmp_path / "out"
    assert main(["run", str(path), "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err.strip()
    assert needle in err and len(err.splitlines()) == 1
    assert not out.exists()
