"""Experiment specs: the shipped protocols parse, and every mistake gives one clear SpecError."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from nasbench_suite.errors import NasBenchError, SpecError
from nasbench_suite.paths import REPO_DIR
from nasbench_suite.runner.spec import load_spec, parse_spec
from nasbench_suite.strategies import list_strategies
from tests.runner.conftest import tiny_spec


def write(tmp_path: Path, data, name="spec.yaml") -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else yaml.safe_dump(data))
    return path


def error_of(tmp_path: Path, data) -> str:
    with pytest.raises(SpecError) as info:
        load_spec(write(tmp_path, data))
    message = str(info.value)
    assert "\n" not in message and isinstance(info.value, NasBenchError)
    return message


@pytest.mark.parametrize("name", ["quick", "nb201", "nats_tss"])
def test_shipped_protocols_parse(name):
    spec = load_spec(REPO_DIR / "experiments" / f"{name}.yaml")
    assert spec.name == name and spec.strategies and spec.runs >= 1


def test_nats_protocol_has_per_dataset_budgets():
    spec = load_spec(REPO_DIR / "experiments" / "nats_tss.yaml")
    assert spec.benchmark.fidelity == 12 and spec.runs == 500
    assert spec.budget.time_s == {
        "cifar10-valid": 20000,
        "cifar100": 40000,
        "ImageNet16-120": 120000,
    }
    assert spec.benchmark.search_datasets == ("cifar10-valid", "cifar100", "ImageNet16-120")


def _black_box() -> list[str]:
    from nasbench_suite.strategies import get_strategy

    return [n for n in list_strategies() if not get_strategy(n).evaluations_are_free]


def test_quick_runs_every_black_box_strategy_and_runs_override(tmp_path):
    spec = load_spec(REPO_DIR / "experiments" / "quick.yaml", runs=5)
    assert sorted(s.name for s in spec.strategies) == _black_box() and spec.runs == 5
    oneshot = load_spec(REPO_DIR / "experiments" / "oneshot.yaml")
    assert sorted(s.name for s in spec.strategies + oneshot.strategies) == list_strategies()


def test_all_expands_to_unlisted_black_box_strategies(tmp_path):
    spec = load_spec(
        write(tmp_path, tiny_spec(strategies=["all", {"name": "random", "label": "rs"}, "gdas"]))
    )
    names = [s.name for s in spec.strategies]
    assert sorted(names) == sorted(_black_box() + ["gdas"]) and names[-2] == "random"
    assert "darts-v1" not in names and spec.strategies[-2].label == "rs"


def test_defaults_and_shorthand(tmp_path):
    spec = load_spec(write(tmp_path, {"strategies": ["random"], "budget": {"evals": 10}}))
    assert spec.name == "spec" and spec.benchmark.search_datasets == ("cifar10-valid",)
    assert spec.benchmark.fidelity == 200 and spec.budget.for_dataset("cifar10-valid") == (
        None,
        10,
    )
    assert spec.report_datasets == ("cifar10", "cifar100", "ImageNet16-120")
    assert spec.benchmark.overhead_s("cifar10-valid") == 0


def test_unknown_strategy_lists_known(tmp_path):
    msg = error_of(tmp_path, tiny_spec(strategies=["random", "nope"]))
    assert "unknown strategy 'nope'" in msg and "random" in msg


def test_unknown_strategy_argument_lists_accepted(tmp_path):
    msg = error_of(tmp_path, tiny_spec(strategies=[{"name": "random", "kwargs": {"pop": 3}}]))
    assert "pop" in msg and "accepted" in msg


def test_duplicate_labels(tmp_path):
    assert "unique" in error_of(tmp_path, tiny_spec(strategies=["random", "random"]))


@pytest.mark.parametrize(
    "budget, needle",
    [
        (None, "budget is missing"),
        ({}, "budget is empty"),
        ({"time_s": -5}, "budget.time_s must be a positive number"),
        ({"time_s": "lots"}, "budget.time_s must be a positive number"),
        ({"evals": 0}, "budget.evals must be a positive number"),
        ({"evals": 2.5}, "whole number"),
        ({"time_s": {"cifar100": 10}}, "no value for search dataset"),
        ({"seconds": 10}, "unknown key(s) 'seconds' in budget; accepted: time_s, evals"),
        (100, "budget must be a mapping"),
    ],
)
def test_bad_budget(tmp_path, budget, needle):
    spec = tiny_spec()
    if budget is None:
        del spec["budget"]
    else:
        spec["budget"] = budget
    assert needle in error_of(tmp_path, spec)


def test_unknown_protocol(tmp_path):
    msg = error_of(tmp_path, tiny_spec(protocol="nats"))
    assert msg.endswith("unknown protocol 'nats'; known: nb201, nats_tss")
    assert load_spec(write(tmp_path, tiny_spec(protocol="nats_tss"))).protocol == "nats_tss"


def test_unknown_dataset(tmp_path):
    msg = error_of(tmp_path, tiny_spec(benchmark={"search_dataset": "mnist"}))
    assert "unknown dataset 'mnist'" in msg and "cifar10-valid" in msg
    msg = error_of(tmp_path, tiny_spec(report_datasets=["cifar10", "svhn"]))
    assert "unknown dataset 'svhn' in report_datasets" in msg


def test_search_dataset_needs_validation_split(tmp_path):
    assert "no validation split" in error_of(
        tmp_path, tiny_spec(benchmark={"search_dataset": "cifar10"})
    )


def test_report_dataset_needs_test_split(tmp_path):
    msg = error_of(tmp_path, tiny_spec(report_datasets=["cifar10-valid"]))
    assert "no test split" in msg and "cifar10" in msg


def test_bad_yaml_names_line(tmp_path):
    msg = error_of(tmp_path, "name: x\nstrategies: [random\nbudget: {evals: 3}\n")
    assert "not valid YAML at line" in msg and "spec.yaml" in msg


@pytest.mark.parametrize(
    "over, needle",
    [
        ({"budgt": 3}, "unknown key(s) 'budgt' in spec; accepted: name"),
        ({"benchmark": {"fidelty": 12}}, "unknown key(s) 'fidelty' in benchmark; accepted:"),
        (
            {"strategies": [{"name": "random", "args": {}}]},
            "unknown key(s) 'args' in strategies[0]",
        ),
    ],
)
def test_unknown_keys_list_accepted(tmp_path, over, needle):
    assert needle in error_of(tmp_path, tiny_spec(**over))


@pytest.mark.parametrize(
    "over, needle",
    [
        ({"runs": "3"}, "runs must be a positive integer"),
        ({"runs": 0}, "runs must be a positive integer"),
        ({"seed": 1.5}, "seed must be a non-negative integer"),
        ({"strategies": {"random": 1}}, "strategies must be a name or a list"),
        ({"benchmark": {"fidelity": 50}}, "fidelity must be 12 or 200"),
        ({"benchmark": {"fidelity": 12, "noise": "seed"}}, "seed needs fidelity 200"),
        ({"benchmark": {"type": "surrogate"}}, "unknown benchmark type 'surrogate'"),
        ({"benchmark": {"eval_overhead_s": -1}}, "eval_overhead_s must be a number >= 0"),
        ({"name": "a/b"}, "name must be a folder-safe name"),
        ({"objective": {"name": "latency", "target_ms": 5}}, "needs benchmark.latency_device"),
        ({"objective": {"name": "speed"}}, "objective"),
    ],
)
def test_wrong_types(tmp_path, over, needle):
    assert needle in error_of(tmp_path, tiny_spec(**over))


def test_not_a_mapping_and_missing_file(tmp_path):
    assert "must be a mapping" in error_of(tmp_path, "- a\n- b\n")
    with pytest.raises(SpecError, match="cannot read spec"):
        load_spec(tmp_path / "absent.yaml")


def test_objective_with_latency_device(tmp_path, store):
    device = store.devices[0]
    spec = parse_spec(
        tiny_spec(
            benchmark={"latency_device": device}, objective={"name": "latency", "target_ms": 5}
        )
    )
    assert spec.objective == {"name": "latency", "target_ms": 5}
    assert parse_spec(tiny_spec(objective="valid_acc")).objective is None
