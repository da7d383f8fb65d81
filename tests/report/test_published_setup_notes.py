"""BOHB beside published NATS-Bench / NB201 results always says that its setup differs."""

from __future__ import annotations

import json

from nasbench_suite.analysis.published import load_published
from nasbench_suite.cli import main
from nasbench_suite.report.content import build_content
from tests.analysis.helpers import write_run


def test_bohb_rows_are_marked_as_another_setup():
    for key in ("nb201", "nats_tss"):
        bohb = load_published()[key].for_strategy("bohb")
        assert bohb.setup_differs and bohb.shown_as == "BOHB (other setup)"
        assert "not" in bohb.note.lower() and "num_samples 4" in bohb.note
    assert not load_published()["nats_tss"].for_strategy("rea").setup_differs


def test_report_names_the_setup_and_explains_it(tmp_path):
    for k in range(2):
        for label, strategy in (("bohb-12ep", "bohb"), ("rea", "rea")):
            write_run(
                tmp_path,
                label,
                "cifar100",
                k,
                [(1.0, 70.0 + k), (5.0, 71.0 + k)],
                experiment="nats_tss",
                strategy=strategy,
                reports=("cifar100",),
            )
    c = build_content([tmp_path], use_default_store=False)
    rows = {r[0]: r for r in c.published_tables[0].rows}
    assert rows["bohb-12ep"][1] == "BOHB (other setup)" and rows["rea"][1] == "REA"
    notes = " ".join(c.published_notes)
    assert "BOHB: NOT the paper's setup" in notes and "bohb-12ep" in notes


def test_published_command_prints_the_note(capsys):
    assert main(["published", "nats_tss", "--json"]) == 0
    bohb = json.loads(capsys.readouterr().out)["nats_tss"]["methods"]["BOHB"]
    assert bohb["setup_differs"] is True and "1, 4 and 12 epochs" in bohb["note"]
    assert main(["published", "nats_tss"]) == 0
    text = capsys.readouterr().out
    assert "BOHB (other setup)" in text and "BOHB: NOT the paper's setup" in text
