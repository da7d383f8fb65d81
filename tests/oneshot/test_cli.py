"""``nasbench-suite oneshot``: JSON keys, labelled reference accuracy, unknown method."""

from __future__ import annotations

import json

from nasbench_suite.cli import main


def test_json_keys(store, capsys):
    argv = [
        "oneshot",
        "darts-hw",
        "--dataset",
        "synthetic",
        "--epochs",
        "2",
        "--threads",
        "1",
        "--latency-device",
        "pixel3",
        "--latency-weight",
        "0.5",
        "--json",
    ]
    assert main(argv) == 0
    out = json.loads(capsys.readouterr().out)
    for key in (
        "method",
        "arch",
        "arch_index",
        "search_time_s",
        "alphas",
        "test_acc",
        "test_acc_all",
        "reference",
        "latency",
        "history",
        "config",
    ):
        assert key in out, key
    assert out["method"] == "darts-hw" and 0 <= out["arch_index"] < 15625
    assert len(out["alphas"]) == 2 and len(out["alphas"][0]["weights"]) == 6
    assert out["test_acc"] is None  # synthetic data: no benchmark dataset
    ref = out["reference"]
    assert ref["dataset"] == "cifar10" and "reference" in ref["note"]
    assert ref["test_acc"] == out["test_acc_all"]["cifar10"]
    assert out["latency"]["device"] == "pixel3" and out["config"]["latency_weight"] == 0.5


def test_unknown_method(capsys):
    assert main(["oneshot", "darts", "--dataset", "synthetic"]) == 2
    err = capsys.readouterr().err
    assert "darts-v1" in err and "enas" in err and len(err.strip().splitlines()) == 1
