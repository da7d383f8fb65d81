"""The CLI end to end: `run` on a tiny spec, `runs summary` (text and JSON), one-line errors."""

from __future__ import annotations

import json

import numpy as np
import yaml

from nasbench_suite.cli import main
from nasbench_suite.runner.summary import summarize
from tests.runner.conftest import read_rows, tiny_spec


def test_run_and_summary(tmp_path, capsys, store):
    spec = tmp_path / "tiny.yaml"
    spec.write_text(yaml.safe_dump(tiny_spec(runs=2)))
    out = tmp_path / "out"
    assert (
        main(["run", str(spec), "--out", str(out), "--runs", "3", "--workers", "2", "--quiet"])
        == 0
    )
    printed = capsys.readouterr().out
    assert "3 runs" in printed and "3 done, 0 skipped, 0 failed" in printed and str(out) in printed
    assert main(["run", str(spec), "--out", str(out), "--runs", "3", "--quiet"]) == 0
    assert "0 done, 3 skipped" in capsys.readouterr().out

    assert main(["runs", "summary", str(out), "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {r["dataset"] for r in rows} == {"cifar10", "cifar100", "ImageNet16-120"}
    for row in rows:
        assert {
            "strategy",
            "dataset",
            "search_dataset",
            "runs",
            "final_test_mean",
            "final_test_std",
        } <= set(row)
        assert (
            row["strategy"] == "random"
            and row["search_dataset"] == "cifar10-valid"
            and row["runs"] == 3
        )
        finals = [
            read_rows(out / "random" / "cifar10-valid" / f"run-{k:04d}")[-1]["incumbent_test_acc"][
                row["dataset"]
            ]
            for k in range(3)
        ]
        assert np.isclose(row["final_test_mean"], np.mean(finals))
        assert np.isclose(row["final_test_std"], np.std(finals, ddof=1))
    assert main(["runs", "summary", str(out)]) == 0
    text = capsys.readouterr().out
    assert "strategy" in text and "ImageNet16-120" in text


def test_summary_single_run_std_is_zero(tmp_path):
    from nasbench_suite.runner import expand, parse_spec, run_grid

    run_grid(expand(parse_spec(tiny_spec(runs=1))), tmp_path, workers=1, quiet=True)
    assert all(r.final_test_std == 0.0 and r.runs == 1 for r in summarize(tmp_path))


def test_errors_are_one_line_exit_2(tmp_path, capsys):
    spec = tmp_path / "bad.yaml"
    spec.write_text(yaml.safe_dump(tiny_spec(strategies=["nope"])))
    assert main(["run", str(spec), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "unknown strategy 'nope'" in err
    assert main(["runs", "summary", str(tmp_path / "missing")]) == 2
    assert "no runs folder" in capsys.readouterr().err
