"""The results part of a report: leaderboard, summary, pairwise matrices, small-multiple figures
and the machine-readable list of every test, per benchmark section and across all tasks.

``build_results`` is called by :func:`nasbench_suite.report.content.build_content`; the writers
lay its output out (leaderboard first).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field

import numpy as np

from nasbench_suite.analysis import curves as C
from nasbench_suite.analysis import distributions as D
from nasbench_suite.analysis import leaderboard as L
from nasbench_suite.analysis import ranks as R
from nasbench_suite.analysis import stats as S
from nasbench_suite.analysis.profiles import performance_profiles
from nasbench_suite.analysis.runs import RunSet, primary_report_dataset
from nasbench_suite.errors import NasBenchError
from nasbench_suite.report import figures as F
from nasbench_suite.report import interactive as I

MAX_PLOTTED_TASKS = 6
TEST_COLUMNS = (
    "benchmark", "search_dataset", "dataset", "checkpoint", "time_s", "test", "a", "b", "n_a",
    "n_b", "median_a", "median_b", "statistic", "p", "p_holm", "a12", "magnitude", "significant",
    "reading",
)


@dataclass(frozen=True)
class MatrixSet:
    """Pairwise matrices of one section: (task name, checkpoint) -> (A12, Holm p) as lists."""

    labels: tuple[str, ...]
    tasks: tuple[str, ...]
    checkpoints: tuple[str, ...]
    a12: dict = field(repr=False)
    p: dict = field(repr=False)


@dataclass(frozen=True)
class Section:
    """One benchmark's results."""

    benchmark: str
    tasks: tuple[tuple[str, str], ...]
    task_names: tuple[str, ...]
    comparisons: tuple = field(repr=False)  # per task: tuple[TaskComparison, ...]
    matrices: MatrixSet | None = None
    figures: tuple = ()
    runset: RunSet | None = field(default=None, repr=False)  # this benchmark's runs only


@dataclass(frozen=True)
class Results:
    """What :func:`build_results` computes."""

    leaderboard: L.Leaderboard
    summary: str
    across: object  # AcrossTasks or None
    sections: tuple[Section, ...]
    tests: tuple[dict, ...]
    figures: tuple  # cross-task figures (performance profiles)
    metric: str
    protocol: str = ""  # one line for captions: benchmark, signal, budget


def protocol_text(rs: RunSet) -> str:
    """``nb201, 12-epoch validation signal, 3,000 simulated s and 40 evaluations`` (per kind)."""
    parts = []
    for r in rs.complete:
        b = r.spec.get("benchmark") if isinstance(r.spec.get("benchmark"), dict) else {}
        budget = []
        if r.spec.get("time_budget_s") is not None:
            budget.append(f"{float(r.spec['time_budget_s']):,.0f} simulated s")
        if r.spec.get("eval_budget") is not None:
            budget.append(f"{r.spec['eval_budget']} evaluations")
        text = (
            f"{L.benchmark_name(r)}, searched on {r.search_dataset} with the "
            f"{b.get('fidelity', '?')}-epoch validation signal, budget "
            + (" and ".join(budget) or "not recorded")
        )
        if text not in parts:
            parts.append(text)
    return "; ".join(parts)


def build_results(rs: RunSet, store, checkpoints: dict, figure_spec) -> Results:
    """Leaderboard, per-benchmark sections and the test list of ``rs``.

    Args:
        checkpoints: search dataset -> checkpoint times (s) of the pairwise tests.
        figure_spec: the ``FigureSpec`` class (passed in to avoid an import cycle).
    """
    groups = L.split_by_benchmark(rs)
    multi = len(groups) > 1
    labels = rs.labels
    styles = _styles(labels)
    metric = L.metric_label(rs.complete)
    columns, sections, tests, regrets = [], [], [], {}
    for bench, sub in groups.items():
        tasks = sub.tasks()
        names = tuple((f"{bench}: " if multi else "") + S.task_name(s, d) for s, d in tasks)
        comps = []
        for (s, d), name in zip(tasks, names):
            present = [lab for lab in labels if sub.select(lab, s)]
            comp = S.compare_task(sub, s, d, present, checkpoints.get(s, ()))
            comps.append(comp)
            tests.extend(_test_rows(bench, comp))
            col = L.task_cells(S.final_samples(sub, present, s, d), comp[0])
            columns.append((L.Task(bench, s, d, name), col))
            optimum = _optimum(store, d)
            if optimum is not None:
                regrets[name] = {
                    lab: optimum - S.final_samples(sub, [lab], s, d)[lab] for lab in present
                }
        sections.append(
            _section(sub, bench, tasks, names, tuple(comps), store, styles, metric, figure_spec)
        )
    keep = L.independent_tasks([t for t, _ in columns])
    lb = L.build_leaderboard([columns[k] for k in keep], metric)
    kept = {columns[k][0].name for k in keep}
    regrets = {name: r for name, r in regrets.items() if name in kept}
    across = _across(lb)
    if across is not None and len(keep) < len(columns):
        across = dataclasses.replace(across, caveats=(*across.caveats, (
            f"one task per search, on its own dataset's test split: the {len(columns) - len(keep)}"
            " other (search, report dataset) pairs reuse the same runs and are shown in the "
            "benchmark sections only")))
    if across is not None and across.nemenyi is not None:
        tests.extend(_nemenyi_rows(across))
    figs = []
    if regrets and len(regrets) >= 1:
        prof = performance_profiles(regrets, [lab for lab in lb.labels])
        figs.append(
            figure_spec(
                "profiles",
                "Performance profiles and ECDF of final regret across tasks",
                "Left: fraction of tasks on which a strategy's mean final regret is within a "
                "factor tau of the task's best strategy (Dolan & Moré 2002; regrets floored at "
                f"{prof.floor}). Right: empirical CDF of every run's final regret, all tasks "
                "pooled; higher and further left is better.",
                lambda: F.profiles_figure(prof, styles),
                interactive=lambda: I.profiles_plot(prof, styles),
            )
        )
    n_runs = len(rs.complete)
    return Results(
        lb, L.summary_paragraph(lb, across, n_runs), across, tuple(sections), tuple(tests),
        tuple(figs), metric, protocol_text(rs),
    )


def _styles(labels):
    from nasbench_suite.report.palette import styles

    return styles(labels)


def _optimum(store, dataset):
    if store is None:
        return None
    try:
        return C.store_optimum(store, dataset)
    except (NasBenchError, KeyError, ValueError):  # the store lacks this dataset (other bench)
        return None


def _across(lb: L.Leaderboard):
    """Friedman / Wilcoxon across the leaderboard's tasks on its mean final values."""
    if not lb.tasks or not lb.labels:
        return None
    table = np.full((len(lb.tasks), len(lb.labels)), np.nan)
    for j in range(len(lb.tasks)):
        for i, lab in enumerate(lb.labels):
            c = lb.cell(lab, j)
            if c is not None:
                table[j, i] = c.mean
    multi = len({t.benchmark for t in lb.tasks}) > 1
    keys = [
        ((f"{t.benchmark}:" if multi else "") + t.search_dataset, t.dataset) for t in lb.tasks
    ]
    labels = sorted(lb.labels)
    order = [lb.labels.index(lab) for lab in labels]
    return S.across_tasks(table[:, order], labels, keys)


def _section(sub, bench, tasks, names, comps, store, styles, metric, figure_spec) -> Section:
    labels = tuple(lab for lab in sub.labels)
    plotted = [
        k for k, (s, d) in enumerate(tasks)
        if len(tasks) <= MAX_PLOTTED_TASKS or d == primary_report_dataset(s, sub.report_datasets(s))
    ]
    mats = _matrix_set(labels, [names[k] for k in range(len(tasks))], comps)
    figs = []
    if plotted:
        figs.append(_curves_spec(sub, bench, tasks, names, plotted, store, styles, figure_spec))
        figs.append(_finals_spec(sub, bench, tasks, names, plotted, styles, metric, figure_spec))
        for k in plotted:
            task_comps, name = comps[k], names[k]
            figs.append(
                figure_spec(
                    f"matrix-{bench}-{tasks[k][0]}-{tasks[k][1]}",
                    f"Pairwise tests: {name}",
                    "Colour: A12 effect size of the row strategy against the column strategy "
                    "(red: row better, blue: column better); number: Holm-adjusted Mann-Whitney "
                    "U p-value, * significant at 0.05. One panel per checkpoint.",
                    _matrix_maker(task_comps, labels),
                    pdf_only=True,
                )
            )
    return Section(bench, tasks, tuple(names), comps, mats, tuple(figs), sub)


def _matrix_maker(comps, labels):
    return lambda: F.matrix_panels(comps, labels)


def _matrix_set(labels, names, comps) -> MatrixSet | None:
    if not comps:
        return None
    a12, p = {}, {}
    checkpoints = []
    for name, task_comps in zip(names, comps):
        for comp in task_comps:
            if comp.checkpoint not in checkpoints:
                checkpoints.append(comp.checkpoint)
            present = [lab for lab in labels if lab in comp.samples]
            a, q = F.matrices(comp, present)
            a12[(name, comp.checkpoint)] = (present, a)
            p[(name, comp.checkpoint)] = (present, q)
    return MatrixSet(tuple(labels), tuple(names), tuple(checkpoints), a12, p)


def _curves_spec(sub, bench, tasks, names, plotted, store, styles, figure_spec):
    def panels():
        out, optima = [], {}
        for k in plotted:
            s, d = tasks[k]
            groups = [(lab, sub.select(lab, s)) for lab in sub.labels if sub.select(lab, s)]
            grid = C.time_grid([r for _, g in groups for r in g])
            if grid.size == 0:
                continue
            acc = [C.curve(g, lab, s, d, grid) for lab, g in groups]
            opt = _optimum(store, d)
            regret = (
                None if opt is None
                else [C.curve(g, lab, s, d, grid, "regret", opt) for lab, g in groups]
            )
            optima[names[k]] = opt
            out.append((names[k], acc, regret))
        return out, optima

    cache = {}

    def get():
        if "v" not in cache:
            cache["v"] = panels()
        return cache["v"]

    return figure_spec(
        f"curves-{bench}",
        "Anytime performance" + ("" if bench == L.DEFAULT_BENCHMARK else f": {bench}"),
        "Top: incumbent test metric over simulated time; bottom: regret against the best cell "
        "of the space, log axis. Mean of the runs with a 95% percentile-bootstrap band (seed 0, "
        "1,000 resamples); one panel per task, one legend.",
        lambda: F.curves_grid(get()[0], styles, sub.labels, get()[1]),
        interactive=lambda: I.curves_plot(get()[0], styles, F.REGRET_FLOOR),
    )


def _finals_spec(sub, bench, tasks, names, plotted, styles, metric, figure_spec):
    def panels():
        out = []
        for k in plotted:
            s, d = tasks[k]
            present = [lab for lab in sub.labels if sub.select(lab, s)]
            grid = C.time_grid([r for lab in present for r in sub.select(lab, s)])
            out.append(
                (
                    names[k],
                    [D.summarize_final(sub, lab, s, d) for lab in present],
                    R.rank_curves(sub, present, s, d, grid),
                )
            )
        return out

    return figure_spec(
        f"finals-{bench}",
        "Final results per run and rank over time"
        + ("" if bench == L.DEFAULT_BENCHMARK else f": {bench}"),
        "Top: final test metric of every run (box: quartiles). Bottom: mean rank over time, runs "
        "paired by index (1 = best, yellow).",
        lambda: F.finals_grid(panels(), styles, sub.labels, metric),
        interactive=lambda: I.finals_plot(panels(), styles, metric),
    )


def _test_rows(bench: str, comps) -> list[dict]:
    rows = []
    for comp in comps:
        for p in comp.pairs:
            rows.append(
                {
                    "benchmark": bench,
                    "search_dataset": comp.search_dataset,
                    "dataset": comp.dataset,
                    "checkpoint": comp.checkpoint,
                    "time_s": "" if comp.time_s is None else comp.time_s,
                    "test": "mann-whitney-u",
                    "a": p.a,
                    "b": p.b,
                    "n_a": p.n_a,
                    "n_b": p.n_b,
                    "median_a": p.median_a,
                    "median_b": p.median_b,
                    "statistic": p.u,
                    "p": p.p,
                    "p_holm": p.p_holm,
                    "a12": p.a12,
                    "magnitude": p.magnitude,
                    "significant": p.significant,
                    "reading": p.reading,
                }
            )
    return rows


def _nemenyi_rows(across) -> list[dict]:
    rows = []
    labels = across.labels
    for i in range(len(labels)):
        for j in range(i + 1, len(labels)):
            p = float(across.nemenyi[i, j])
            rows.append(
                {
                    "benchmark": "all",
                    "search_dataset": "",
                    "dataset": "across tasks",
                    "checkpoint": "final",
                    "time_s": "",
                    "test": "nemenyi",
                    "a": labels[i],
                    "b": labels[j],
                    "n_a": len(across.tasks),
                    "n_b": len(across.tasks),
                    "median_a": across.mean_ranks[labels[i]],
                    "median_b": across.mean_ranks[labels[j]],
                    "statistic": "",
                    "p": p,
                    "p_holm": "",
                    "a12": "",
                    "magnitude": "",
                    "significant": bool(p < across.alpha),
                    "reading": f"mean ranks {across.mean_ranks[labels[i]]:.2f} vs "
                    f"{across.mean_ranks[labels[j]]:.2f} (Nemenyi p={S._fmt_p(p)})",
                }
            )
    return rows


def write_tests_csv(tests, path) -> None:
    """Every test of the report as CSV (one row per pair, checkpoint and task)."""
    import csv
    import io
    import os
    from pathlib import Path

    path = Path(path)
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=TEST_COLUMNS, lineterminator="\n")
    w.writeheader()
    for row in tests:
        w.writerow({k: _csv_value(row.get(k, "")) for k in TEST_COLUMNS})
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(buf.getvalue(), encoding="utf-8")
    os.replace(tmp, path)


def _csv_value(v):
    if isinstance(v, float):
        return "" if math.isnan(v) else repr(v)
    return v
