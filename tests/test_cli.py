"""The CLI end to end: query, space info, data verify, clear errors."""

import json
import subprocess
import sys

import pytest

from nasbench_suite.cli import main


def test_query_json_keys(store, capsys):
    assert main(["query", "6111", "--dataset", "cifar10", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    for key in ("index", "arch", "dataset", "test_acc", "valid_acc", "valid_acc_seeds",
                "valid_acc_12ep", "test_acc_12ep", "train_time_s", "params_m", "flops_m", "latency_ms"):
        assert key in out
    assert out["index"] == 6111 and round(out["test_acc"], 2) == 94.37
    assert out["valid_acc"] is None and len(out["latency_ms"]) == 27


def test_query_by_arch_string_text(store, capsys):
    arch = store.index_map.arch_str(10)
    assert main(["query", arch, "--dataset", "cifar100"]) == 0
    text = capsys.readouterr().out
    assert "index" in text and " 10" in text and "latency_ms" in text


def test_space_info_json(store, capsys):
    assert main(["space", "info", "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["cells"] == 15625 and info["isomorphism_classes"] == 6466
    assert info["best"]["cifar10"]["test"]["index"] == 6111
    assert round(info["best"]["ImageNet16-120"]["valid"]["acc"], 2) == 46.73


def test_data_verify(store, capsys):
    assert main(["data", "verify", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["iso_classes"] == 6466


@pytest.mark.parametrize(
    "argv, message",
    [
        (["query", "|bad~0|"], "malformed arch string"),
        (["query", "99999"], "out of range"),
        (["query", "1", "--dataset", "svhn"], "unknown dataset 'svhn'"),
        (["published", "nats"], "unknown protocol 'nats'; known: nb201, nats_tss"),
    ],
)
def test_errors_are_one_line(store, capsys, argv, message):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1


def test_query_does_not_import_torch(store):
    code = ("import sys; from nasbench_suite.cli import main; main(['query', '1', '--json']); "
            "assert 'torch' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)


def test_published_prints_tables_with_looked_up_cells(store, capsys):
    assert main(["published", "nats_tss", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert list(out) == ["nats_tss"] and out["nats_tss"]["table"].startswith("Table 4")
    methods = out["nats_tss"]["methods"]
    assert methods["GDAS"]["values"]["cifar100"] == [68.17, 2.5]
    assert methods["REA"]["values"] is None and len(methods["GDAS"]["architectures"]["cifar10"]) == 3
    assert main(["published"]) == 0
    text = capsys.readouterr().out
    assert "== nb201: Table 5" in text and "93.92 ± 0.30" in text and "54.30 ± 0.00" in text
