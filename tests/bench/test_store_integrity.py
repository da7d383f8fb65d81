"""An edited store never gives other numbers silently: load refuses, verify --raw recomputes."""

from __future__ import annotations

import hashlib
import json
import shutil

import numpy as np
import pytest
import yaml

from nasbench_suite.bench.store import Store
from nasbench_suite.errors import DataError
from tests.clitools import run_cli


@pytest.fixture()
def copy(tmp_path, store):
    out = tmp_path / "store"
    shutil.copytree(store.path, out)
    return out


def _edit(path, change):
    manifest = json.loads((path / "manifest.json").read_text())
    change(manifest["columns"])
    (path / "manifest.json").write_text(json.dumps(manifest))


def _swap_offsets(cols):
    a, b = cols["valid_acc@cifar100"], cols["test_acc@cifar100"]
    a["offset"], b["offset"] = b["offset"], a["offset"]


def _point_valid_at_test(cols):
    cols["valid_acc@cifar100"]["offset"] = cols["test_acc@cifar100"]["offset"]


def _dtype(cols):
    cols["params_m@cifar10"]["dtype"] = "<i8"


@pytest.mark.parametrize("edit", [_swap_offsets, _point_valid_at_test, _dtype])
def test_edited_manifest_is_refused_everywhere(copy, tmp_path, capsys, edit):
    _edit(copy, edit)
    with pytest.raises(DataError, match="manifest.json is inconsistent"):
        Store.load(copy)
    code, _, err = run_cli(capsys, ["query", "0", "--dataset", "cifar100", "--store", copy])
    assert code == 2 and "inconsistent" in err and "Traceback" not in err
    spec = tmp_path / "s.yaml"
    spec.write_text(yaml.safe_dump({
        "name": "t", "runs": 1, "strategies": ["random"], "budget": {"evals": 3},
        "benchmark": {"search_dataset": "cifar100", "fidelity": 12}}))
    code, _, err = run_cli(capsys, ["run", spec, "--store", copy, "--out", tmp_path / "o",
                                      "--workers", "1", "--quiet"])
    assert code == 2 and "inconsistent" in err
    assert not list((tmp_path / "o").glob("*/*/run-*"))


def test_rewritten_arrays_with_matching_checksum_fail_verify_raw(copy, capsys, raw_dir, store):
    """Edit values and fix the checksum: load passes, only verify --raw can tell."""
    manifest = json.loads((copy / "manifest.json").read_text())
    cols = manifest["columns"]
    blob = np.frombuffer((copy / "arrays.bin").read_bytes(), dtype=np.uint8).copy()
    for name in ("valid_acc@cifar100", "train_time_s@cifar100"):
        view = blob[cols[name]["offset"]:cols[name]["offset"] + 8 * 15625].view("<f8")
        view[5] += 1.0  # one cell, plausible values: the invariants cannot see it
    (copy / "arrays.bin").write_bytes(blob.tobytes())
    manifest["arrays_sha256"] = hashlib.sha256(blob.tobytes()).hexdigest()
    (copy / "manifest.json").write_text(json.dumps(manifest))
    loaded = Store.load(copy)
    assert loaded.column("valid_acc", "cifar100")[5] == store.column("valid_acc", "cifar100")[5] + 1
    code, _, err = run_cli(capsys, ["data", "verify", "--store", copy, "--raw", raw_dir])
    assert code == 2 and "differs from its raw sources in 2 column(s)" in err, err
    assert "train_time_s@cifar100" in err and "valid_acc@cifar100" in err


def test_intact_store_verifies_every_column(capsys, raw_dir, store):
    code, out, err = run_cli(capsys, ["data", "verify", "--store", store.path, "--raw", raw_dir])
    assert code == 0, err
    assert "every store column recomputed from the raw sources: identical" in out


def test_run_metadata_records_what_was_read(tmp_path, store):
    from nasbench_suite.runner import expand, parse_spec, run_grid

    spec = parse_spec({"name": "t", "runs": 1, "strategies": ["random"], "budget": {"evals": 3},
                       "benchmark": {"search_dataset": "cifar10-valid", "fidelity": 12}})
    run_grid(expand(spec), tmp_path, workers=1, quiet=True, store_path=store.path)
    meta = json.loads(next(tmp_path.glob("*/*/run-*/metadata.json")).read_text())
    blob = (store.path / "arrays.bin").read_bytes()
    assert meta["store"]["read_sha256"] == hashlib.sha256(blob).hexdigest()
    assert meta["store"]["manifest_sha256"] == hashlib.sha256(
        (store.path / "manifest.json").read_bytes()).hexdigest()
    assert np.isfinite(store.column("valid_acc", "cifar100")).all()
