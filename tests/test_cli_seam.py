"""CLI of the seam: `benchmarks`, `strategies` / `list`, `query --benchmark`."""

from __future__ import annotations

import json

import pytest

from nasbench_suite.benchmarks import list_benchmarks
from nasbench_suite.cli import main


def test_benchmarks_json_lists_every_registered_benchmark(capsys):
    assert main(["benchmarks", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["name"] for r in rows] == list_benchmarks()
    nb = next(r for r in rows if r["name"] == "nb201")
    assert nb["fidelities"] == [12, 200] and "cifar10" in nb["datasets"]
    assert nb["search_datasets"] == ["cifar10-valid", "cifar100", "ImageNet16-120"]
    assert {"accuracy", "latency", "params"} <= set(nb["objectives"])


def test_benchmarks_text_marks_report_only_datasets(capsys):
    assert main(["benchmarks"]) == 0
    out = capsys.readouterr().out
    assert "cifar10 (report only)" in out and "fidelities: 12, 200" in out


def test_list_says_which_strategies_are_nb201_only(capsys):
    assert main(["list", "--json"]) == 0
    rows = {r["name"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows["rea"]["spaces"] is None and rows["proxy_search"]["spaces"] == ["nb201"]
    assert rows["darts-v1"]["one_shot"] and rows["bohb"]["multi_fidelity"]
    assert main(["strategies"]) == 0
    lines = {line.split()[0]: line for line in capsys.readouterr().out.splitlines()}
    assert "nb201 only" in lines["gdas"] and "any space" in lines["random"]


def test_query_names_its_benchmark(store, capsys):
    assert main(["query", "6111", "--benchmark", "nb201", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["benchmark"] == "nb201" and report["dataset"] == "cifar10"
    assert report["test_acc"] == pytest.approx(float(store.column("test_acc", "cifar10")[6111]))
    assert {"arch", "valid_acc", "params_m"} <= set(report)


@pytest.mark.parametrize(
    "argv, needle",
    [
        (["query", "1", "--benchmark", "nb999"], "unknown benchmark 'nb999'; known: nb-graph, nb-macro, nb201"),
        (["query", "1", "--benchmark", "training"], "trains networks for real"),
    ],
)
def test_query_errors_are_one_line(argv, needle, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert needle in err and len(err.splitlines()) == 1
