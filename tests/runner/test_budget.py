"""Budget cut-off rules (drop / keep_crossing / interpolate) and incumbent rules of a spec."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from nasbench_suite.analysis.runs import load_runs
from nasbench_suite.errors import SpecError
from nasbench_suite.runner import expand, parse_spec
from nasbench_suite.runner.budget import value_at_budget
from nasbench_suite.runner.run import execute
from nasbench_suite.runner.summary import summarize
from tests.runner.conftest import TwoFidelitySearcher, read_rows, tiny_spec


def runs_of(**over):
    return expand(parse_spec(tiny_spec(runs=1, **over)))


def test_value_at_budget_interpolates_between_the_nearest_records():
    # records at 90 and 110 around a budget of 100: the midpoint
    assert value_at_budget([50, 90, 110], [1.0, 2.0, 4.0], 100) == pytest.approx(3.0)
    # the two nearest both lie below: extrapolated (draw-table.py does the same)
    assert value_at_budget([10, 80, 95, 200], [1.0, 2.0, 3.0, 9.0], 100) == pytest.approx(
        3.0 + (100 - 95) * (3.0 - 2.0) / 15
    )
    assert value_at_budget([100], [7.0], 100) == 7.0
    assert math.isnan(value_at_budget([], [], 100))
    assert math.isnan(value_at_budget([90, 110], [math.nan, 4.0], 100))


def test_keep_crossing_records_the_crossing_evaluation(tmp_path):
    drop, keep = runs_of(budget={"time_s": 1500}), runs_of(
        budget={"time_s": 1500}, budget_rule="keep_crossing"
    )
    assert drop[0].budget_rule == "drop" and keep[0].budget_rule == "keep_crossing"
    execute(drop[0], tmp_path / "drop")
    execute(keep[0], tmp_path / "keep")
    rows_d = read_rows(tmp_path / "drop" / drop[0].relpath())
    rows_k = read_rows(tmp_path / "keep" / keep[0].relpath())
    assert rows_k[:-1] == rows_d  # same seeds, same evaluations, one more row
    assert rows_d[-1]["time_s"] <= 1500 < rows_k[-1]["time_s"]
    meta = json.loads((tmp_path / "keep" / keep[0].relpath() / "metadata.json").read_text())
    assert meta["stop_reason"] == "time_budget" and meta["discarded_evals"] == 0
    assert "test_acc_at_budget" not in meta


def test_interpolate_writes_the_value_at_the_budget_and_readers_use_it(tmp_path):
    (run,) = runs_of(budget={"time_s": 1500}, budget_rule="interpolate")
    assert run.to_json()["budget_rule"] == "interpolate"
    execute(run, tmp_path)
    folder = tmp_path / run.relpath()
    rows = read_rows(folder)
    meta = json.loads((folder / "metadata.json").read_text())
    times = [r["time_s"] for r in rows]
    for ds in ("cifar10", "cifar100", "ImageNet16-120"):
        expected = value_at_budget(times, [r["incumbent_test_acc"][ds] for r in rows], 1500)
        assert meta["test_acc_at_budget"][ds] == pytest.approx(expected)
    (loaded,) = load_runs(tmp_path).complete
    assert loaded.final_test("cifar10") == meta["test_acc_at_budget"]["cifar10"]
    row = next(r for r in summarize(tmp_path) if r.dataset == "cifar10")
    assert row.final_test_mean == pytest.approx(meta["test_acc_at_budget"]["cifar10"])


def test_default_rules_leave_spec_json_unchanged():
    (run,) = runs_of()
    assert "budget_rule" not in run.to_json() and "incumbent" not in run.to_json()


def test_strategy_entry_overrides_the_spec_rules():
    runs = runs_of(
        budget_rule="interpolate",
        strategies=["random", {"name": "bohb", "budget_rule": "drop", "incumbent": "any_fidelity"}],
    )
    rules = {r.strategy: (r.budget_rule, r.incumbent) for r in runs}
    assert rules == {
        "random": ("interpolate", "max_fidelity"),
        "bohb": ("drop", "any_fidelity"),
    }


@pytest.mark.parametrize(
    "over",
    [
        {"budget_rule": "crossing"},
        {"incumbent": "best"},
        {"strategies": [{"name": "random", "budget_rule": 3}]},
    ],
)
def test_unknown_rules_are_spec_errors(over):
    with pytest.raises(SpecError, match="unknown .*(budget_rule|incumbent)"):
        parse_spec(tiny_spec(**over))


def test_any_fidelity_incumbent_is_the_best_at_any_budget(tmp_path, store, test_strategies):
    v12 = store.column("valid_acc_12ep", "cifar10-valid")
    v200 = store.column("valid_acc", "cifar10-valid")
    top12 = int(np.nanargmax(v12))
    low200 = int(np.nanargmin(np.where(np.isnan(v200), np.inf, v200)))
    assert v12[top12] > v200[low200]
    TwoFidelitySearcher.script = [(low200, 200), (top12, 12)]
    for rule, expected in (("max_fidelity", low200), ("any_fidelity", top12)):
        (run,) = runs_of(strategies=["scripted"], budget={"evals": 5}, incumbent=rule)
        execute(run, tmp_path / rule)
        rows = read_rows(tmp_path / rule / run.relpath())
        assert rows[-1]["incumbent_index"] == expected
