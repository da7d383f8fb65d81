"""Several run folders form one grid only when their protocols match."""

from __future__ import annotations

import json

import pytest

from nasbench_suite.analysis.compat import IncomparableRunsError, check_comparable
from nasbench_suite.analysis.runs import load_runs
from nasbench_suite.cli import main

from .helpers import write_run


def _exp(root, experiment, labels, budget=1000.0, fidelity=12, checksum="x"):
    for label in labels:
        for k in range(3):
            f = write_run(root, label, "cifar100", k, [(10.0, 60.0 + k), (100.0, 70.0 + k)],
                          experiment=experiment, reports=("cifar100",))
            spec = json.loads((f / "spec.json").read_text())
            spec["time_budget_s"] = budget
            spec["benchmark"]["fidelity"] = fidelity
            (f / "spec.json").write_text(json.dumps(spec))
            meta = json.loads((f / "metadata.json").read_text())
            meta["store"]["checksum"] = checksum
            (f / "metadata.json").write_text(json.dumps(meta))
    return root


def test_same_protocol_is_one_grid(tmp_path):
    base = _exp(tmp_path / "base", "baseline", ["random", "rea"])
    new = _exp(tmp_path / "new", "mine", ["my_method"])
    rs = load_runs([base, new])
    check_comparable(rs)
    assert rs.labels == ("my_method", "random", "rea")


@pytest.mark.parametrize(
    "change, field",
    [
        ({"budget": 2000.0}, "time budget (s) is 1000.0"),
        ({"fidelity": 200}, "fidelity is 12"),
        ({"checksum": "other"}, "benchmark version (store checksum) is x"),
    ],
)
def test_different_protocols_are_refused(tmp_path, capsys, change, field):
    base = _exp(tmp_path / "base", "baseline", ["random", "rea"])
    new = _exp(tmp_path / "new", "mine", ["my_method"], **change)
    with pytest.raises(IncomparableRunsError, match="cannot compare these run folders"):
        check_comparable(load_runs([base, new]))
    assert main(["report", str(base), str(new), "--format", "csv",
                 "--out", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and field in err and "cifar100" in err
    assert not (tmp_path / "r.leaderboard.csv").exists()
