"""Report content and HTML from real runner output: tables, tests, robustness, determinism."""

from __future__ import annotations

import dataclasses
import re

import pytest

from nasbench_suite.cli import main
from nasbench_suite.report.content import build_content
from nasbench_suite.report.html import render_html


def test_main_content(main_content):
    c = main_content
    assert "nb201" in c.title and "follows the shipped nb201 protocol" in c.methods
    assert "4 time(s)" in c.methods and "master seed 0" in c.methods
    assert c.status[0].startswith("12 run folder(s): 12 complete, 0 failed, 0 unfinished")
    assert not c.warnings
    assert len(c.final_tables) == 3 and all(len(t.rows) == 3 for t in c.final_tables)
    assert all("±" in row[2] for t in c.final_tables for row in t.rows)
    # published NB201 values beside ours
    pub = c.published_tables[0]
    rea = next(r for r in pub.rows if r[0] == "rea" and r[3] == "cifar10")
    assert rea[1] == "REA" and rea[6] == "93.92 ± 0.30"
    assert pub.header[-1] == "p (Welch)" and re.fullmatch(r"<0\.001|[01]\.\d{3}", rea[8])
    assert any("Table 5" in n and "ICLR" in n for n in c.published_notes)
    # plain-language readings of every pairwise test, and the across-task test with its caveat
    readings = [r for _, lines in c.test_readings for r in lines]
    assert len(readings) == 3 * 3 * 3  # 3 tasks x 3 pairs x (final + 2 checkpoints)
    assert all(re.search(r"(beats|no significant difference|not tested)", r) for r in readings)
    assert all("after Holm, A12=" in r for r in readings if "not tested" not in r)
    assert c.across_readings[0].startswith("Friedman test over 3 tasks")
    assert any("not independent" in cv for cv in c.caveats)
    keys = [f.key for f in c.figures]
    assert "cd" in keys and any(k.startswith("pareto-pixel3") for k in keys)
    (sec,) = c.results.sections
    sec_keys = [f.key for f in sec.figures]
    assert sec_keys[:2] == ["curves-nb201", "finals-nb201"]
    assert sum(k.startswith("matrix-") for k in sec_keys) == 3  # one per task (PDF)
    assert sec.matrices.checkpoints[0] == "final" and len(sec.matrices.checkpoints) == 3
    assert [f.key for f in c.results.figures] == ["profiles"]
    # every pairwise reading is also a machine-readable row
    rows = [t for t in c.results.tests if t["test"] == "mann-whitney-u"]
    assert sorted(t["reading"] for t in rows) == sorted(readings)


def test_html_is_self_contained_responsive_and_deterministic(main_content, main_report):
    html_path, _ = main_report
    text = html_path.read_text()
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in text
    assert "max-width: 1200px" in text and "overflow-x: auto" in text
    assert "default-src 'none'" in text  # the page may not fetch anything
    # outside the scripts (the embedded plotly.js bundle holds attribution links it never fetches;
    # test_render checks in Chromium that the page requests nothing)
    markup = re.sub(r"<script>.*?</script>", "", text, flags=re.DOTALL)
    srcs = re.findall(r'(?:src|href)="([^"#]*)"', markup)
    assert srcs and all(s.startswith("data:image/png;base64,") for s in srcs)
    # static figures: the CD diagram and the Pareto front; the rest are interactive plotly divs
    assert text.count("<img ") == 2
    assert text.count("Plotly.newPlot(") == 3 and text.count('nbsMatrix("plt-matrix-1")') == 1
    assert text.count("<script>") == 2 + 3 + 1  # bundle, matrix helper, 3 figures, 1 matrix
    assert text.count("DecompressionStream") == 1  # the plotly.js bundle, gzipped, once
    assert len(text.encode()) < 3_000_000
    body = text.split("<body>")[1]
    assert "https://" not in markup.split("<body>")[1]
    # leaderboard before everything else; the test sentences in the collapsed appendix
    assert body.index('id="leaderboard"') < body.index("<figure")
    assert body.index('<details id="appendix">') > body.index('id="methods"')
    for needle in (
        "Methods",
        "Experiment spec",
        "Environment",
        "Final results",
        "Published results",
        "statistical tests",
        "after Holm",
        "store checksum",
        "git revision",
        "report.tests.csv",
    ):
        assert needle in text
    assert (html_path.parent / "report.tests.csv").is_file()


def test_two_strategies_one_task_give_valid_statistics_with_caveat(pair_content, pair_runs, store):
    c = pair_content
    ((task, lines),) = c.test_readings
    assert task == "cifar100" and len(lines) == 3  # final + 2 checkpoints, one pair each
    assert c.test_tables[0].rows[0][4] != "n/a"  # a real p-value
    assert any("at least two tasks" in cv for cv in c.caveats)
    text = render_html(c)
    assert "at least two tasks" in text
    assert render_html(build_content([pair_runs], store=store)) == text  # same inputs, same bytes


def test_two_strategies_across_tasks_use_wilcoxon(main_runs, store):
    c = build_content([main_runs / "random", main_runs / "rea"], store=store)
    assert any("Wilcoxon" in r for r in c.across_readings)
    assert any("Friedman test needs three or more" in cv for cv in c.caveats)


def test_unfinished_grid_says_what_is_missing_and_shows_failures(unfinished_runs, store):
    c = build_content([unfinished_runs], store=store, use_default_store=False)
    assert any("unfinished" in w and "1 expected run(s) are missing" in w for w in c.warnings)
    assert any("1 run(s) failed" in w for w in c.warnings)
    titles = {t.title: t for t in c.run_tables}
    bad = titles["Failed and unfinished runs"].rows
    assert (
        "local_search",
        "cifar10-valid",
        "1",
        "failed",
        "RuntimeError: injected failure",
    ) in bad
    assert any(r[:4] == ("random", "cifar10-valid", "2", "unfinished") for r in bad)
    assert titles["Missing runs"].rows == (("nb201", "rea", "cifar10-valid", "3"),)
    final = {row[0]: row for row in c.final_tables[0].rows}
    assert (
        final["local_search"][1] == "3" and final["local_search"][5] == "1"
    )  # 3 complete, 1 failed
    assert final["rea"][6] == "1"  # missing counted
    text = render_html(dataclasses.replace(c, figures=()))
    assert "injected failure" in text and "Missing runs" in text and 'role="alert"' in text


def test_cli_report_and_errors(pair_runs, tmp_path, capsys):
    assert (
        main(["report", str(pair_runs), "--format", "html", "--out", str(tmp_path / "r.html")])
        == 0
    )
    assert (tmp_path / "r.html").is_file() and not (tmp_path / "r.pdf").exists()
    assert "wrote" in capsys.readouterr().out
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["report", str(empty)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("nasbench-suite: error: no run folders") and "\n" not in err
    assert main(["report", str(pair_runs), "--format", "docx"]) == 2
    assert "unknown report format docx" in capsys.readouterr().err


@pytest.mark.parametrize("out, expected", [("x.pdf", "x"), ("x.html", "x"), ("x", "x")])
def test_output_base(tmp_path, out, expected):
    from nasbench_suite.commands.report import output_base

    assert output_base(tmp_path / out, ["e"]) == tmp_path / expected
    assert output_base(tmp_path, ["e"]) == tmp_path / "report-e"


def _nats_runs(tmp_path, labels):
    from ..analysis.helpers import write_run

    for k in range(2):
        for label in labels:
            write_run(
                tmp_path,
                label,
                "cifar100",
                k,
                [(1.0, 70.0 + k), (5.0, 71.0 + k)],
                experiment="nats_tss",
                strategy=label,
                reports=("cifar100",),
            )


def test_nats_protocol_says_which_published_values_are_missing(tmp_path):
    _nats_runs(tmp_path, ("random", "rea"))
    c = build_content([tmp_path], use_default_store=False)
    notes = " ".join(c.published_notes)
    assert "Table 4" in notes and "TPAMI" in notes
    assert "no published values are stored for REA, RS, REINFORCE, BOHB" in notes
    assert "no benchmark store, so the published cells' accuracies are n/a" in notes
    assert all(row[6] == "n/a" for row in c.published_tables[0].rows)
    assert len(c.published_tables) == 1  # nothing to show for the published cells without a store


def test_nats_published_cells_are_looked_up_and_set_beside_runs(tmp_path, store):
    _nats_runs(tmp_path, ("gdas", "rea"))
    c = build_content([tmp_path], store=store)
    ours = c.published_tables[0]
    gdas = next(r for r in ours.rows if r[0] == "gdas")
    # the three GDAS cells NATS-Bench lists for CIFAR-100: 69.73, 64.64, 70.13 in the store
    assert gdas[1] == "GDAS" and gdas[6] == "68.17 ± 2.50" and gdas[7] == "3.33"  # ours: 71.5
    assert gdas[8] != "n/a"  # 2 runs vs the 3 published cells: Welch's test is defined
    assert next(r for r in ours.rows if r[0] == "rea")[6] == "n/a"
    context = c.published_tables[1]
    assert [r[0] for r in context.rows] == ["DARTS-V1", "DARTS-V2"]
    assert context.header == ("method", "kind", "ImageNet16-120", "cifar10", "cifar100")
    assert context.rows[0][3] == "54.30 ± 0.00"  # DARTS-V1 collapses to all-skip on CIFAR-10
    assert any("NATS-Bench README" in n and "GDAS" in n for n in c.published_notes)
