"""Output for papers (LaTeX table, CD figure, CSV), multi-folder and multi-benchmark reports."""

from __future__ import annotations

import csv
import json
import re
import shutil
import subprocess

import pytest

from nasbench_suite.cli import main
from nasbench_suite.report.content import build_content
from nasbench_suite.report.html import render_html
from nasbench_suite.report.latex import leaderboard_tex, tex_escape

from ..analysis.helpers import write_run

PDFLATEX = shutil.which("pdflatex")
PDFTOTEXT = shutil.which("pdftotext")


def test_tex_escape():
    assert tex_escape("gp_bo & 100% {x}") == r"gp\_bo \& 100\% \{x\}"


def test_leaderboard_tex_structure(main_content):
    lb = main_content.results.leaderboard
    tex = leaderboard_tex(lb, main_content.results.protocol)
    body = tex.split("\\midrule\n")[1].split("\\bottomrule")[0].strip().splitlines()
    assert len(body) == len(lb.labels) == 3
    assert all(r.endswith("\\\\") and r.count("&") == len(lb.tasks) + 1 for r in body)
    assert body[0].startswith(tex_escape(lb.labels[0]))
    assert tex.count("\\textbf{") == len(lb.tasks) + tex.count("\\textbf{", tex.index("caption"))
    assert "\\toprule" in tex and "Holm" in tex and "4 runs per strategy" in tex
    assert "budget 3,000 simulated s and 15 evaluations" in tex


def test_cli_tex_and_csv(main_runs, store, tmp_path, capsys):
    out = tmp_path / "paper"
    assert main(["report", str(main_runs), "--format", "tex,csv", "--out", str(out),
                 "--store", str(store.path)]) == 0
    printed = capsys.readouterr().out
    for suffix in (".tex", "-cd.pdf", ".leaderboard.csv", ".final.csv", ".tests.csv"):
        path = tmp_path / f"paper{suffix}"
        assert path.is_file() and str(path) in printed
    assert (tmp_path / "paper-cd.pdf").read_bytes().startswith(b"%PDF")
    rows = list(csv.DictReader((tmp_path / "paper.leaderboard.csv").read_text().splitlines()))
    assert len(rows) == 3 * 3 and {r["strategy"] for r in rows} == {"random", "rea",
                                                                    "local_search"}
    assert sum(r["best"] == "True" for r in rows) >= 3
    tests = list(csv.DictReader((tmp_path / "paper.tests.csv").read_text().splitlines()))
    mwu = [t for t in tests if t["test"] == "mann-whitney-u"]
    assert len(mwu) == 3 * 3 * 3 and {t["checkpoint"] for t in mwu} >= {"final"}
    assert len([t for t in tests if t["test"] == "nemenyi"]) == 3
    if PDFLATEX is None:
        pytest.skip("pdflatex is not installed (run .ci/install-tex-deps)")
    doc = tmp_path / "doc.tex"
    doc.write_text(
        "\\documentclass{article}\\usepackage{booktabs}\\usepackage{graphicx}\n"
        "\\begin{document}\\input{paper.tex}\n"
        "\\includegraphics[width=\\linewidth]{paper-cd.pdf}\\end{document}\n"
    )
    proc = subprocess.run(
        [PDFLATEX, "-interaction=nonstopmode", "-halt-on-error", "doc.tex"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False,
    )
    assert proc.returncode == 0, proc.stdout[-2000:]
    if PDFTOTEXT:
        text = subprocess.run([PDFTOTEXT, "-layout", str(tmp_path / "doc.pdf"), "-"],
                              capture_output=True, text=True, check=True).stdout
        lines = [ln for ln in text.splitlines() if re.search(r"\d\.\d\d\S* \[\d", ln)]
        assert len(lines) == 3  # one table row per strategy
        assert sum(("random" in ln) + ("rea " in ln) + ("local" in ln) for ln in lines) == 3


def _bench_runs(root, bench, labels, shift):
    for label in labels:
        for k in range(3):
            f = write_run(root, label, "cifar10", k,
                          [(10.0, 50.0 + shift + k), (100.0, 60.0 + shift + k + len(label))],
                          experiment=f"exp-{bench}", reports=("cifar10",))
            spec = json.loads((f / "spec.json").read_text())
            spec["benchmark"]["name"] = bench
            (f / "spec.json").write_text(json.dumps(spec))


def test_two_benchmarks_get_one_section_each_and_one_leaderboard(tmp_path):
    _bench_runs(tmp_path / "a", "nb201", ["random", "rea", "bananas"], 0)
    _bench_runs(tmp_path / "b", "nb301", ["random", "rea", "bananas"], 10)
    c = build_content([tmp_path / "a", tmp_path / "b"], use_default_store=False)
    r = c.results
    assert [s.benchmark for s in r.sections] == ["nb201", "nb301"]
    assert [t.name for t in r.leaderboard.tasks] == ["nb201: cifar10", "nb301: cifar10"]
    # same labels in two experiments are kept apart (never pooled)
    assert set(r.leaderboard.labels) == {f"exp-{b}:{s}" for b in ("nb201", "nb301")
                                         for s in ("random", "rea", "bananas")}
    nb301 = r.leaderboard.tasks.index(next(t for t in r.leaderboard.tasks
                                           if t.benchmark == "nb301"))
    assert r.leaderboard.cell("exp-nb301:bananas", nb301).mean == pytest.approx(78.0)
    assert r.leaderboard.cell("exp-nb201:bananas", nb301) is None
    html = render_html(c)
    assert html.index("Benchmark nb201") < html.index("Benchmark nb301")
    assert html.count('nbsMatrix("plt-matrix-') == 2
    assert {t["benchmark"] for t in r.tests} >= {"nb201", "nb301"}


def test_one_experiment_on_two_benchmarks_is_never_pooled(tmp_path):
    # the same experiment and labels on two benchmarks with a dataset of the same name
    for bench, shift in (("nb201", 0), ("nb301", 10)):
        for label in ("random", "rea", "bananas"):
            for k in range(3):
                f = write_run(tmp_path / bench, label, "cifar10", k,
                              [(10.0, 50.0 + shift + k), (100.0, 60.0 + shift + k + len(label))],
                              experiment="multi", reports=("cifar10",))
                spec = json.loads((f / "spec.json").read_text())
                spec["benchmark"]["name"] = bench
                (f / "spec.json").write_text(json.dumps(spec))
    c = build_content([tmp_path / "nb201", tmp_path / "nb301"], use_default_store=False)
    lb = c.results.leaderboard
    assert set(lb.labels) == {"random", "rea", "bananas"}
    assert [t.name for t in lb.tasks] == ["nb201: cifar10", "nb301: cifar10"]
    assert lb.cell("bananas", 0).mean == pytest.approx(68.0) and lb.cell("bananas", 0).n == 3
    assert lb.cell("bananas", 1).mean == pytest.approx(78.0) and lb.cell("bananas", 1).n == 3
    assert [t.title for t in c.final_tables] == [
        "Final test accuracy (%): nb201: cifar10", "Final test accuracy (%): nb301: cifar10"
    ]
    assert all(row[1] == "3" for t in c.final_tables for row in t.rows)  # 3 runs, not 6
    assert c.across_readings and "2 tasks" in " ".join(c.across_readings)
