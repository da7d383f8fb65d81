"""Simulated workers through the runner: a spec's ``simulated_workers`` runs the grid on W
workers of the simulated clock; more workers, more evaluations by the same simulated time."""

from __future__ import annotations

import json

import pytest
import yaml

from nasbench_suite.errors import SpecError
from nasbench_suite.runner import expand, load_spec, run_grid


def _spec(tmp_path, workers, name="asha"):
    path = tmp_path / f"w{workers}.yaml"
    path.write_text(yaml.safe_dump({
        "name": "w", "seed": 0, "runs": 1,
        "strategies": [{"name": name, "label": f"{name}-w{workers}",
                        "simulated_workers": workers}],
        "benchmarks": [{"name": "nb301", "datasets": ["cifar10"]}],
        "budget": {"time_s": 40000}}))
    return load_spec(path)


def _rows(folder):
    return [json.loads(x) for x in folder.read_text().splitlines()]


@pytest.mark.parametrize("name", ["asha", "dehb"])
def test_more_simulated_workers_more_evaluations_in_the_same_time(tmp_path, name):
    counts = {}
    for w in (1, 8):
        runs = expand(_spec(tmp_path, w, name))
        assert runs[0].simulated_workers == w
        result = run_grid(runs, tmp_path / f"out{w}", workers=1, quiet=True)
        assert not result.failed, result.failed
        rows = _rows(tmp_path / f"out{w}" / runs[0].relpath() / "trajectory.jsonl")
        times = [r["time_s"] for r in rows]
        assert times == sorted(times) and times[-1] <= 40000
        counts[w] = len(rows)
        spec_json = json.loads((tmp_path / f"out{w}" / runs[0].relpath() / "spec.json")
                               .read_text())
        assert ("simulated_workers" in spec_json) == (w > 1)  # W = 1 keeps today's bytes
    assert counts[8] > counts[1]  # synchronous rungs (DEHB) idle some workers: less than 8x


def test_simulated_workers_must_be_positive(tmp_path):
    with pytest.raises(SpecError, match="simulated_workers"):
        _spec(tmp_path, 0)


def test_nb301_protocol_runs_every_method_on_1_and_8_workers():
    from nasbench_suite.paths import REPO_DIR

    spec = load_spec(REPO_DIR / "experiments" / "nb301.yaml")
    names = {s.name for s in spec.strategies}
    assert {"random", "rea", "bananas", "local_search", "tpe", "hyperband", "bohb", "asha",
            "dehb"} <= names and spec.runs >= 30
    assert {s.simulated_workers for s in spec.strategies} == {1, 8}
    assert [b.name for b in spec.benchmarks] == ["nb301"]


def test_w1_and_w8_runs_of_one_spec_summarize_together(tmp_path):
    from nasbench_suite.runner.summary import summarize

    path = tmp_path / "both.yaml"
    path.write_text(yaml.safe_dump({
        "name": "both", "seed": 0, "runs": 1,
        "strategies": [{"name": "asha", "label": "asha-w1"},
                       {"name": "asha", "label": "asha-w8", "simulated_workers": 8}],
        "benchmarks": [{"name": "nb301", "datasets": ["cifar10"]}],
        "budget": {"time_s": 20000}}))
    result = run_grid(expand(load_spec(path)), tmp_path / "out", workers=1, quiet=True)
    assert not result.failed
    assert {r.strategy for r in summarize(tmp_path / "out")} == {"asha-w1", "asha-w8"}
