"""Loading run folders: statuses, missing runs, errors; the published reference values."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from nasbench_suite.analysis.published import compare_with_published, load_published, published
from nasbench_suite.analysis.runs import NoRunsError, load_runs, primary_report_dataset
from nasbench_suite.errors import NasBenchError

from .helpers import write_run


def test_statuses_and_missing_runs(tmp_path):
    for k in range(3):
        write_run(tmp_path, "a", "cifar10-valid", k, [(1.0, 90.0)])
    write_run(tmp_path, "b", "cifar10-valid", 0, [(1.0, 91.0)])
    write_run(tmp_path, "b", "cifar10-valid", 1, [], status="failed", error="ValueError: boom")
    write_run(tmp_path, "b", "cifar10-valid", 2, [(1.0, 91.0)], metadata=False)
    (tmp_path / "a" / "cifar100").mkdir()
    write_run(tmp_path, "a", "cifar100", 0, [(1.0, 70.0)], reports=("cifar100",))
    tmp = tmp_path / "a" / "cifar100" / ".run-0001.tmp"
    tmp.mkdir()
    rs = load_runs(tmp_path)
    assert len(rs.complete) == 5
    assert [r.error for r in rs.failed] == ["ValueError: boom"]
    assert {(r.label, r.index) for r in rs.unfinished} == {("b", 2), ("a", 1)}
    missing = {(m.label, m.search_dataset, m.index) for m in rs.missing}
    assert missing == {
        ("a", "cifar100", 2),
        ("b", "cifar100", 0),
        ("b", "cifar100", 1),
        ("b", "cifar100", 2),
    }
    assert rs.tasks() == (("cifar10-valid", "cifar10"), ("cifar100", "cifar100"))
    # a run folder itself, or a label folder, can be given too
    assert len(load_runs(tmp_path / "a" / "cifar10-valid" / "run-0000").runs) == 1
    assert len(load_runs([tmp_path / "a", tmp_path / "b"]).runs) == 8


def test_no_runs_is_one_clear_error(tmp_path):
    with pytest.raises(NoRunsError, match="no run folders") as info:
        load_runs(tmp_path)
    assert isinstance(info.value, NasBenchError) and "\n" not in str(info.value)
    with pytest.raises(NoRunsError, match="does not exist"):
        load_runs(tmp_path / "nope")


def test_primary_report_dataset():
    reps = ("cifar10", "cifar100", "ImageNet16-120")
    assert primary_report_dataset("cifar10-valid", reps) == "cifar10"
    assert primary_report_dataset("cifar100", reps) == "cifar100"
    assert primary_report_dataset("cifar100", ("cifar10",)) == "cifar10"


def test_published_values_are_packaged_and_cited():
    from nasbench_suite.runner.spec import PROTOCOLS

    tables = load_published()
    assert tuple(tables) == PROTOCOLS  # a spec may name exactly the shipped tables
    nb = published("nb201")
    assert "Dong" in nb.citation and "ICLR" in nb.citation and nb.table == "Table 5"
    rea = nb.for_strategy("rea").values
    assert (
        rea["cifar10"] == (93.92, 0.30)
        and rea["cifar100"] == (71.84, 0.99)
        and rea["ImageNet16-120"] == (45.54, 1.03)
    )
    assert nb.for_strategy("random").values["cifar10"] == (93.70, 0.36)
    assert nb.for_strategy("reinforce").values["ImageNet16-120"] == (45.24, 1.18)
    assert nb.for_strategy("bohb").values["cifar10"] == (93.61, 0.52)
    names = {m.name for m in nb.methods}
    assert {"DARTS-V1", "DARTS-V2", "GDAS", "SETN", "ENAS", "RSPS"} <= names
    nats = published("nats_tss")
    assert "TPAMI" in nats.citation and nats.verification and nats.table.startswith("Table 4")
    assert published("nope") is None


def test_published_cells_are_looked_up_in_the_store(store):
    nats = published("nats_tss")
    gdas = nats.for_strategy("gdas")
    assert gdas.values is None and len(gdas.architectures["cifar10"]) == 3 and nats.needs_store
    assert "NATS-Bench README" in gdas.source
    looked_up = published("nats_tss", store)
    assert not looked_up.needs_store
    # GDAS's three CIFAR-10 cells: 93.61, 93.67, 92.42 -> mean, population std
    assert looked_up.for_strategy("gdas").values["cifar10"] == (93.23, 0.58)
    assert looked_up.for_strategy("darts-v2").values["ImageNet16-120"] == (26.06, 0.0)
    # Cross-source check: NATS lists DARTS's CIFAR-10 cell as all skip-connect; NB201's Table 5
    # DARTS rows are that cell's accuracies, and the store (built from other tables) agrees.
    darts = looked_up.for_strategy("darts-v1").values["cifar10"]
    assert darts == published("nb201").for_strategy("darts-v1").values["cifar10"] == (54.30, 0.0)
    allskip = "|skip_connect~0|+|skip_connect~0|skip_connect~1|+|skip_connect~0|skip_connect~1|skip_connect~2|"
    i = store.index_map.index(allskip)
    for d in ("cifar100", "ImageNet16-120"):
        assert round(float(store.column("test_acc", d)[i]), 2) == published("nb201").for_strategy(
            "darts-v1"
        ).values[d][0]
    # the optimum row is the store's best; the ResNet row is kept as printed although the store
    # reads the cell a little differently (the YAML says so)
    nb = published("nb201")
    for d in ("cifar10", "cifar100", "ImageNet16-120"):
        col = store.column("test_acc", d)
        assert round(float(np.nanmax(col)), 2) == nb.for_name("optimal").values[d][0]
    resnet = "|nor_conv_3x3~0|+|none~0|nor_conv_3x3~1|+|skip_connect~0|none~1|skip_connect~2|"
    j = store.index_map.index(resnet)
    assert j == 11472 and "11472" in nb.verification
    assert [round(float(store.column("test_acc", d)[j]), 2) for d in ("cifar10", "cifar100")] == [
        93.91,
        70.89,
    ]
    assert nb.for_name("ResNet").values["cifar10"] == (93.97, None)
    # multi-trial NATS rows hold no unchecked numbers
    assert all(nats.for_strategy(s).values is None for s in ("rea", "random", "reinforce", "bohb"))


def test_malformed_published_cell_is_one_clear_error():
    from nasbench_suite.analysis.published import _method
    from nasbench_suite.errors import DataError

    with pytest.raises(DataError, match="published.yaml t/M: .*"):
        _method("t", "M", {"architectures": {"cifar10": ["|conv~0|+|"]}})


def test_compare_with_published(tmp_path):
    for k in range(3):
        write_run(
            tmp_path,
            "rea-p10",
            "cifar10-valid",
            k,
            [(1.0, 93.0 + k)],
            experiment="nb201",
            strategy="rea",
            reports=("cifar10", "cifar100"),
        )
    rows = compare_with_published(load_runs(tmp_path), "nb201")
    row = next(r for r in rows if r.dataset == "cifar10")
    assert row.method == "REA" and row.n == 3 and row.mean == pytest.approx(94.0)
    assert row.published_mean == 93.92 and row.difference == pytest.approx(94.0 - 93.92)
    # Welch's test against the paper's 500 runs (published std = population std), by hand
    from scipy.stats import t as student

    assert row.published_n == 500
    se_ours, se_pub = 1.0**2 / 3, (0.30**2 * 500 / 499) / 500
    t = 0.08 / math.sqrt(se_ours + se_pub)
    df = (se_ours + se_pub) ** 2 / (se_ours**2 / 2 + se_pub**2 / 499)
    assert row.p_value == pytest.approx(2 * student.sf(t, df), rel=1e-9)
    assert 0.5 < row.p_value < 1.0  # 93, 94, 95 agree with 93.92 +- 0.30
    one = dataclasses.replace(row, n=1)
    assert math.isnan(one.p_value)
    flat = dataclasses.replace(row, std=0.0, published_std=0.0)
    assert math.isnan(flat.p_value)  # no spread on either side: no test
    far = dataclasses.replace(row, mean=91.0, std=0.2, n=20)
    assert far.p_value < 1e-10


def test_runs_of_different_experiments_are_not_pooled(tmp_path):
    write_run(tmp_path / "one", "random", "cifar10-valid", 0, [(1.0, 90.0)], experiment="quick")
    write_run(tmp_path / "two", "random", "cifar10-valid", 0, [(1.0, 91.0)], experiment="nb201")
    write_run(tmp_path / "two", "rea", "cifar10-valid", 0, [(1.0, 92.0)], experiment="nb201")
    rs = load_runs([tmp_path / "one", tmp_path / "two"])
    assert rs.labels == ("nb201:random", "quick:random", "rea")
    assert [r.strategy for r in rs.select("quick:random")] == ["random"]
    assert rs.missing == ()
    assert rs.protocols == ("nb201",)
