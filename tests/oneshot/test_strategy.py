"""The one-shot methods as registered strategies, and inside the runner's loop."""

from __future__ import annotations

import json

import pytest

from nasbench_suite.strategies import create_strategy, list_strategies

ONESHOT = ("darts-v1", "darts-v2", "gdas", "rsps", "enas", "darts-hw")


def test_registered():
    assert set(ONESHOT) <= set(list_strategies())


def test_ask_charges_compute_and_records_alphas(space):
    searcher = create_strategy("gdas", space, seed=3, epochs=2)
    assert searcher.evaluations_are_free
    first = searcher.ask()
    assert 0 <= first.arch_index < 15625 and searcher.compute_cost_s() > 0
    searcher.ask()
    with pytest.raises(StopIteration):
        searcher.ask()
    alphas = searcher.artifacts()["alphas.json"]
    assert alphas["method"] == "gdas" and len(alphas["epochs"]) == 2
    assert len(alphas["epochs"][0]["weights"]) == 6 and searcher.total_compute_s > 0
    json.dumps(alphas)  # JSON-safe


def test_in_the_runner(tmp_path):
    from nasbench_suite.runner import execute, expand, parse_spec
    from tests.runner.conftest import read_rows, tiny_spec

    spec = parse_spec(
        tiny_spec(
            runs=1,
            strategies=[{"name": "rsps", "kwargs": {"epochs": 2, "data": "synthetic"}}],
            budget={"evals": 5},
        )
    )
    (run,) = expand(spec)
    result = execute(run, tmp_path)
    assert result.status == "complete" and result.n_evals == 2
    folder = tmp_path / run.relpath()
    assert len(read_rows(folder)) == 2
    meta = json.loads((folder / "metadata.json").read_text())
    assert meta["stop_reason"] == "exhausted"
    alphas = json.loads((folder / "alphas.json").read_text())  # the runner writes artifacts()
    assert alphas["method"] == "rsps" and len(alphas["epochs"]) == 2
    # one-shot runs are charged their real compute only (no table training time): seconds
    times = [row["time_s"] for row in read_rows(folder)]
    assert 0 < times[0] < times[1] < 60


def test_runner_searches_on_the_search_dataset_unless_told(tmp_path):
    from nasbench_suite.runner import execute, expand, parse_spec
    from nasbench_suite.runner.run import _strategy_kwargs
    from tests.runner.conftest import tiny_spec

    strategies = [
        {"name": "gdas", "kwargs": {"epochs": 1, "data_root": str(tmp_path / "empty")}},
        {"name": "darts-v1", "label": "noise", "kwargs": {"data": "synthetic"}},
        "random",
    ]
    spec = parse_spec(
        tiny_spec(runs=1, strategies=strategies, benchmark={"search_dataset": "cifar100"})
    )
    gdas, noise, rand = expand(spec)
    bench = None  # only multi-fidelity strategies read the benchmark
    assert _strategy_kwargs(gdas, bench)["data"] == "cifar100"
    assert _strategy_kwargs(noise, bench)["data"] == "synthetic"
    assert "data" not in _strategy_kwargs(rand, bench)
    # no CIFAR-100 files here: the run fails with one clear message instead of searching on noise
    result = execute(gdas, tmp_path / "runs")
    assert result.status == "failed" and "cifar100 files (train, ...) not found" in result.error


def test_charged_epoch_cost_makes_runs_byte_reproducible(tmp_path):
    from nasbench_suite.runner import execute, expand, parse_spec
    from tests.runner.conftest import read_rows, tiny_spec

    kwargs = {"epochs": 2, "data": "synthetic", "epoch_cost_s": 10.5}
    spec = parse_spec(
        tiny_spec(runs=1, strategies=[{"name": "gdas", "kwargs": kwargs}], budget={"evals": 5})
    )
    (run,) = expand(spec)
    folders = []
    for name in ("a", "b"):
        assert execute(run, tmp_path / name).status == "complete"
        folders.append(tmp_path / name / run.relpath())
    a, b = folders
    for f in ("trajectory.jsonl", "alphas.json"):
        assert (a / f).read_bytes() == (b / f).read_bytes()
    assert [row["time_s"] for row in read_rows(a)] == [10.5, 21.0]
    alphas = json.loads((a / "alphas.json").read_text())
    assert [r["seconds"] for r in alphas["epochs"]] == [10.5, 10.5] and alphas["compute_s"] == 21.0


@pytest.mark.parametrize("bad", [-1, "fast", True, float("nan")])
def test_bad_epoch_cost(space, bad):
    from nasbench_suite.errors import NasBenchError

    with pytest.raises(NasBenchError, match="epoch_cost_s must be a non-negative number"):
        create_strategy("gdas", space, epoch_cost_s=bad)
