"""Leaderboard: CIs, best and Holm ties, average ranks, benchmark grouping, metric label."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from nasbench_suite.analysis import leaderboard as L
from nasbench_suite.analysis import stats as S
from nasbench_suite.analysis.runs import load_runs

from .helpers import write_run


def _grid(tmp_path, finals: dict, dataset="cifar100", experiment="synthetic"):
    for label, values in finals.items():
        for k, v in enumerate(values):
            write_run(tmp_path, label, dataset, k, [(10.0, v - 1.0), (100.0, v)],
                      experiment=experiment, reports=(dataset,))
    return load_runs(tmp_path)


def test_task_cells_mark_best_and_holm_ties(tmp_path):
    rs = _grid(tmp_path, {
        "good": [80, 81, 82, 83, 84, 85],
        "close": [79.5, 80.5, 81.5, 82.5, 83.5, 84.5],
        "bad": [60, 61, 62, 63, 64, 65],
    })
    labels = rs.labels
    comp = S.compare_task(rs, "cifar100", "cifar100", labels)[0]
    cells = L.task_cells(S.final_samples(rs, labels, "cifar100", "cifar100"), comp)
    assert cells["good"].best and cells["good"].tied and math.isnan(cells["good"].p_vs_best)
    assert cells["good"].mean == pytest.approx(82.5)
    assert cells["good"].low < 82.5 < cells["good"].high  # bootstrap CI of the mean
    assert cells["close"].tied and not cells["close"].best and cells["close"].p_vs_best > 0.05
    assert not cells["bad"].tied and cells["bad"].p_vs_best < 0.05  # 6 vs 6, all lower
    p = next(x.p_holm for x in comp.pairs if {x.a, x.b} == {"bad", "good"})
    assert cells["bad"].p_vs_best == p


def test_average_ranks_and_order():
    cols = [
        {"a": L.Cell(90, 89, 91, 3), "b": L.Cell(80, 79, 81, 3), "c": L.Cell(85, 84, 86, 3)},
        {"a": L.Cell(70, 69, 71, 3), "b": L.Cell(75, 74, 76, 3), "c": L.Cell(70, 69, 71, 3)},
    ]
    ranks = L.average_ranks(cols, ["a", "b", "c"])
    assert ranks == {"a": (1 + 2.5) / 2, "b": (3 + 1) / 2, "c": (2 + 2.5) / 2}
    tasks = [L.Task("nb201", "x", "x", "x"), L.Task("nb201", "y", "y", "y")]
    lb = L.build_leaderboard(list(zip(tasks, cols)))
    assert lb.labels == ("a", "b", "c")  # ties of the average rank broken by name
    assert lb.n_runs == 9


def test_summary_names_the_winner_and_the_certainty(tmp_path):
    rs = _grid(tmp_path, {"good": [80, 81, 82, 83, 84, 85], "bad": [60, 61, 62, 63, 64, 65],
                          "mid": [70, 71, 72, 73, 74, 75]})
    comp = S.compare_task(rs, "cifar100", "cifar100", rs.labels)[0]
    col = L.task_cells(S.final_samples(rs, rs.labels, "cifar100", "cifar100"), comp)
    lb = L.build_leaderboard([(L.Task("nb201", "cifar100", "cifar100", "cifar100"), col)])
    text = L.summary_paragraph(lb)
    assert text.startswith("3 strategies on 1 task (18 complete runs")
    assert "good has the best average rank (1.00) and the best mean on 1 of 1 tasks" in text
    assert "on 1 of 1 tasks the best strategy is significantly better than every other" in text


def test_benchmark_name_and_metric_label(tmp_path):
    a = write_run(tmp_path, "random", "cifar10", 0, [(1.0, 50.0)])
    rs = load_runs(tmp_path)
    assert L.benchmark_name(rs.runs[0]) == "nb201"  # type: tabular -> the default
    assert L.metric_label(rs.runs) == "test accuracy (%)"
    spec = json.loads((a / "spec.json").read_text())
    spec["benchmark"] = {"name": "nb301", "type": "surrogate"}
    spec["test_metric"] = "validation accuracy at epoch 98 (%)"
    (a / "spec.json").write_text(json.dumps(spec))
    run = load_runs(tmp_path).runs[0]
    assert L.benchmark_name(run) == "nb301"
    assert L.metric_label([run]) == "validation accuracy at epoch 98 (%)"
    spec["benchmark"] = {"type": "macro"}
    (a / "spec.json").write_text(json.dumps(spec))
    assert L.benchmark_name(load_runs(tmp_path).runs[0]) == "macro"


def test_split_by_benchmark_keeps_runs_apart(tmp_path):
    for bench in ("nb201", "nb301"):
        for k in range(2):
            f = write_run(tmp_path / bench, "random", "cifar10", k, [(1.0, 50.0 + k)],
                          experiment=f"exp-{bench}")
            spec = json.loads((f / "spec.json").read_text())
            spec["benchmark"]["name"] = bench
            (f / "spec.json").write_text(json.dumps(spec))
    rs = load_runs([tmp_path / "nb201", tmp_path / "nb301"])
    groups = L.split_by_benchmark(rs)
    assert list(groups) == ["nb201", "nb301"]
    assert all(len(g.runs) == 2 for g in groups.values())
    assert {r.experiment for r in groups["nb301"].runs} == {"exp-nb301"}
    assert np.isclose(groups["nb201"].runs[1].final_test("cifar10"), 51.0)


def test_primary_report_dataset_of_every_task_key():
    from nasbench_suite.analysis.runs import primary_report_dataset

    nb201 = ("cifar10", "cifar100", "ImageNet16-120")
    graph = ("arxiv", "citeseer", "cora", "cs", "proteins")
    assert primary_report_dataset("cifar10-valid", nb201) == "cifar10"
    assert primary_report_dataset("nb201-cifar10-valid", nb201) == "cifar10"
    assert primary_report_dataset("cifar100", nb201) == "cifar100"
    assert primary_report_dataset("nb-graph-arxiv", graph) == "arxiv"
    assert primary_report_dataset("nb-graph-cs", graph) == "cs"
    assert primary_report_dataset("nb-macro-cifar10", ("cifar10",)) == "cifar10"
    assert primary_report_dataset("svhn", nb201) == "cifar10"  # not reported: the first


def test_independent_tasks_count_each_search_once():
    def task(bench, search, dataset):
        return L.Task(bench, search, dataset, f"{bench}: {search} -> {dataset}")

    nb201 = ("cifar10", "cifar100", "ImageNet16-120")
    tasks = [task("nb201", s, d) for s in ("cifar10-valid", "cifar100") for d in nb201]
    tasks += [task("nb-graph", f"nb-graph-{s}", d) for s in ("cora", "cs")
              for d in ("cora", "cs", "proteins")]
    keep = L.independent_tasks(tasks)
    assert [(tasks[j].search_dataset, tasks[j].dataset) for j in keep] == [
        ("cifar10-valid", "cifar10"), ("cifar100", "cifar100"),
        ("nb-graph-cora", "cora"), ("nb-graph-cs", "cs")]
    one_search = tasks[:3]  # one search reported on three datasets: all kept (with a caveat)
    assert L.independent_tasks(one_search) == [0, 1, 2]
