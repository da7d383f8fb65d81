"""Building the store from official NAS-Bench-201 / NATS-Bench TSS files.

The official files cannot be downloaded here, so the fixtures write complete (15,625-cell) files
in the official layout: ArchResults / ResultsCount state dicts with every key the real ones have,
but only the last-epoch entries filled in. Their values come from the raw-built store (plus a few
synthetic fields the raw sources lack), so the official build must reproduce the raw store.
"""

from __future__ import annotations

import bz2
import gc
import os
import pickle
import re
import shutil
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from nasbench_suite import checksums
from nasbench_suite.bench import official
from nasbench_suite.bench.official import build_from_official
from nasbench_suite.bench.store import Store
from nasbench_suite.cli import main
from nasbench_suite.errors import DataError
from nasbench_suite.space.codec import N_CELLS

SEEDS = (777, 888, 999)
SPLITS = {"cifar10-valid": ("x-valid", "ori-test"), "cifar10": (None, "ori-test"),
          "cifar100": ("x-valid", "x-test"), "ImageNet16-120": ("x-valid", "x-test")}
SPREAD = 0.25  # per-seed test accuracies are mean + k * SPREAD, k summing to 0


class _Layout:
    """Builds ResultsCount / ArchResults state dicts (the keys nas_201_api stores) cheaply.

    Only the last epoch is filled in, and every part that does not differ between runs is one
    shared object, so 15,625 cells pickle in a few seconds.
    """

    def __init__(self) -> None:
        self.keys: dict[tuple[str, int], str] = {}
        self.shared: dict[tuple, object] = {}

    def key(self, setname: str, last: int) -> str:
        return self.keys.setdefault((setname, last), f"{setname}@{last}")

    def const(self, *tag, make=None):
        if tag not in self.shared:
            self.shared[tag] = make()
        return self.shared[tag]

    def run(self, ds: str, seed: int, epochs: int, accs: dict[str, float], times: dict) -> dict:
        """A ResultsCount state dict."""
        last, names = epochs - 1, tuple(accs)
        per_set = self.const("eval", names, last,
                             make=lambda: {self.key(s, last): 1.0 for s in names})
        return {
            "name": ds, "net_state_dict": None,
            "train_acc1es": self.const("acc", last, make=lambda: {last: 99.0}),
            "train_acc5es": self.const("acc5", last, make=lambda: {last: 100.0}),
            "train_losses": self.const("loss", last, make=lambda: {last: 0.01}),
            "train_times": times,
            "arch_config": self.const("config", make=lambda: {"channel": 16, "num_cells": 5}),
            "params": 0.1, "flop": 10.0, "seed": seed, "epochs": epochs, "latency": None,
            "eval_names": self.const("names", names, make=lambda: list(names)),
            "eval_acc1es": {self.key(s, last): a for s, a in accs.items()},
            "eval_times": per_set, "eval_losses": per_set,
        }


def _arch_results(index: int, arch: str, runs: dict[tuple[str, int], dict]) -> dict:
    """An ArchResults state dict."""
    seeds: dict[str, list[int]] = {}
    for ds, seed in runs:
        seeds.setdefault(ds, []).append(seed)
    return {"arch_index": index, "arch_str": arch, "all_results": runs,
            "dataset_seed": seeds, "clear_net_done": True}


def expected_columns(store: Store) -> dict[str, np.ndarray]:
    """The values the fixture files hold, as store columns (real + synthetic)."""
    col = {k: np.asarray(v, dtype=float) for k, v in store.columns.items() if k != "code"}
    seeds_c10 = np.full((N_CELLS, 3), np.nan)
    seeds_c10[:, :2] = 0.0  # cifar10 (no valid split): seeds 777 and 888 run
    col["cifar10_seeds"] = seeds_c10
    col["test_acc@cifar10-valid"] = col["valid_acc@cifar10-valid"] - 1.0
    col["train_time_s@cifar10"] = col["train_time_s@cifar10-valid"] * 2
    col["test_acc_12ep@cifar10-valid"] = col["valid_acc_12ep@cifar10-valid"] - 2.0
    return col


def _full_seeds(col: dict[str, list], ds: str, i: int, one_seed: bool) -> list[tuple]:
    """(seed, valid acc, k) of the 200-epoch runs of cell ``i``; test acc = mean + k * SPREAD."""
    if one_seed:  # one run whose accuracies are the raw seed means
        return [(777, col["valid_acc@" + ds][i], 0.0)]
    seeds = col["cifar10_seeds" if ds == "cifar10" else f"valid_acc_seeds@{ds}"][i]
    present = [(s, v) for s, v in zip(SEEDS, seeds) if not np.isnan(v)]
    ks = (0.0,) if len(present) == 1 else (1.0, -1.0, 0.0)[: len(present)]
    return [(s, v, k) for (s, v), k in zip(present, ks)]


def official_entries(store: Store, one_seed: bool = False) -> tuple[list[str], dict]:
    """``meta_archs`` and ``{index: {'full': ArchResults, 'less': ArchResults}}``.

    With ``one_seed``, every dataset has one run per schedule (a smaller, faster fixture).
    """
    col = {k: v.tolist() for k, v in expected_columns(store).items()}
    archs = [store.index_map.arch_str(i) for i in range(N_CELLS)]
    layout, infos = _Layout(), {}
    short_times = {0: 30.0, 11: 30.0}
    for i, arch in enumerate(archs):
        full, less = {}, {}
        for ds, (vset, tset) in SPLITS.items():
            total = col[f"train_time_s@{ds}"][i]
            times = {0: total / 2, 199: total / 2}
            for seed, valid, k in _full_seeds(col, ds, i, one_seed):
                accs = {tset: col[f"test_acc@{ds}"][i] + k * SPREAD}
                if vset is not None:
                    accs[vset] = valid
                if ds in ("cifar100", "ImageNet16-120"):
                    accs["ori-test"] = -1.0  # valid+test: must not be read
                full[(ds, seed)] = layout.run(ds, seed, 200, accs, times)
            two = ds == "cifar10-valid" and not one_seed
            for seed, k in ((777, 1.0), (888, -1.0)) if two else ((777, 0.0),):
                accs = {tset: col[f"test_acc_12ep@{ds}"][i] + k * SPREAD}
                if vset is not None:
                    accs[vset] = col[f"valid_acc_12ep@{ds}"][i] - k * SPREAD
                less[(ds, seed)] = layout.run(ds, seed, 12, accs, short_times)
        infos[i] = {"less": _arch_results(i, arch, less), "full": _arch_results(i, arch, full)}
    return archs, infos


def _without_gc(make):
    """Run ``make()`` with the cyclic GC paused (it would dominate building millions of dicts)."""
    gc.disable()
    try:
        return make()
    finally:
        gc.enable()


@pytest.fixture(scope="module")
def entries(store):
    return _without_gc(lambda: official_entries(store))


def save_legacy_torch(obj, path) -> None:
    """Write ``obj`` as ``torch.save(obj, path, _use_new_zipfile_serialization=False,
    pickle_protocol=4)`` does for tensor-free data (byte for byte, see the test below): the
    pre-1.6 format the official NB201 files use. torch.save itself calls a Python hook per
    object, which takes seconds for 15,625 cells."""
    sys_info = {"protocol_version": 1001, "little_endian": sys.byteorder == "little",
                "type_sizes": {"short": 2, "int": 4, "long": 4}}
    with open(path, "wb") as handle:
        for part in (0x1950A86A20F9469CFC6C, 1001, sys_info, obj, []):  # [] = storage keys
            pickle.dump(part, handle, protocol=4)


def test_legacy_writer_matches_torch_save(tmp_path):
    torch = pytest.importorskip("torch")
    obj = {"meta_archs": ["|none~0|+|none~0|none~1|+|none~0|none~1|none~2|"],
           "arch2infos": {0: {"less": {"all_results": {("cifar10", 777): {"epochs": 12}}}}}}
    torch.save(obj, tmp_path / "torch.pth", _use_new_zipfile_serialization=False,
               pickle_protocol=4)
    save_legacy_torch(obj, tmp_path / "ours.pth")
    assert (tmp_path / "ours.pth").read_bytes() == (tmp_path / "torch.pth").read_bytes()


@pytest.fixture(scope="module")
def nb201_pth(entries, tmp_path_factory):
    """A complete NAS-Bench-201-v1_1 style ``.pth`` file (2-3 seeds per cell, as upstream)."""
    archs, infos = entries
    path = tmp_path_factory.mktemp("official") / "NAS-Bench-201-v1_1-096897.pth"
    save_legacy_torch({"meta_archs": archs, "arch2infos": infos,
                       "evaluated_indexes": list(range(N_CELLS))}, path)
    return path


@pytest.fixture(scope="module")
def nats_dir(store, tmp_path_factory):
    """A complete NATS-tss-v1_0-3ffb9-simple folder (hp keys '12' / '200'), one run each.

    Its 15,626 files go to RAM-backed /dev/shm when there is one (creating them on a disk
    file system costs several seconds) and are removed afterwards.
    """
    shm = Path("/dev/shm")
    in_ram = shm.is_dir() and os.access(shm, os.W_OK)
    base = Path(tempfile.mkdtemp(prefix="nats-", dir=shm)) if in_ram else None
    base = base or tmp_path_factory.mktemp("nats")
    folder = base / "NATS-tss-v1_0-3ffb9-simple"
    folder.mkdir()
    try:
        archs, infos = _without_gc(lambda: official_entries(store, one_seed=True))
        _write_pbz2(folder / "meta.pickle.pbz2", {"meta_archs": archs})

        def write(i: int) -> None:  # bz2 and file writes release the GIL
            info = infos[i]
            _write_pbz2(folder / f"{i:06d}.pickle.pbz2", {"12": info["less"], "200": info["full"]})

        with ThreadPoolExecutor(2) as pool:
            list(pool.map(write, range(N_CELLS), chunksize=256))
        yield folder
    finally:
        if in_ram:
            shutil.rmtree(base, ignore_errors=True)


def _write_pbz2(path, obj) -> None:
    path.write_bytes(bz2.compress(pickle.dumps(obj, protocol=4), compresslevel=1))


def _check_against(built: Store, store: Store, official: str) -> None:
    """The built store equals the raw store where values come from it, else the fixture."""
    exp = expected_columns(store)
    assert set(built.columns) == set(store.columns)
    assert np.array_equal(built.columns["code"], store.columns["code"])
    for name, values in built.columns.items():
        if name == "code":
            continue
        want = exp[name]
        if name == "epoch_time_s@cifar10":
            want = exp["train_time_s@cifar10"] / 200
        np.testing.assert_allclose(values, want, rtol=0, atol=1e-9, err_msg=name)
        source = built.manifest["columns"][name]["source"]
        if name.split("@")[0] in ("test_acc", "valid_acc_seeds", "train_time_s", "valid_acc_12ep",
                                  "test_acc_12ep") and not np.isnan(values).all():
            assert source == official, name
            assert len(built.manifest["columns"][name]["sha256"]) == 64


def test_cli_build_from_nb201_pth(nb201_pth, store, raw_dir, tmp_path, capsys):
    """`nasbench-suite data build --official PTH --out DIR` (latency / Zen from the raw folder)."""
    out = tmp_path / "store"
    assert main(["data", "build", "--official", str(nb201_pth), "--out", str(out)]) == 0
    assert "built store" in capsys.readouterr().out
    built = Store.load(out)
    _check_against(built, store, str(nb201_pth.resolve()))
    manifest = built.manifest
    assert manifest["built_from"] == "official" and manifest["official_format"] == "nb201-pth"
    assert manifest["official_sha256"] == checksums.sha256_file(nb201_pth)
    assert manifest["columns"]["code"]["sha256"] == manifest["official_sha256"]
    assert manifest["raw_dir"] == str(raw_dir.resolve()) and manifest["raw_sha256"]
    assert built.devices == store.devices
    assert main(["data", "verify", "--store", str(out)]) == 0  # checksums, invariants, raw files


def test_build_from_nats_folder_without_raw(nats_dir, store, tmp_path):
    built = Store.load(build_from_official(nats_dir, tmp_path / "store"))
    assert built.manifest["official_format"] == "nats-tss-archive"
    assert len(built.manifest["official_sha256"]) == 64
    assert not any(k.startswith(("zen@", "latency_ms@")) for k in built.columns)
    assert built.devices == () and "raw_sha256" not in built.manifest
    exp = expected_columns(store)
    for ds in ("cifar10-valid", "cifar100", "ImageNet16-120"):  # one run: seed 777 only
        exp[f"valid_acc_seeds@{ds}"] = np.full((N_CELLS, 3), np.nan)
        exp[f"valid_acc_seeds@{ds}"][:, 0] = exp[f"valid_acc@{ds}"]
    assert np.array_equal(built.columns["code"], store.columns["code"])
    for name, values in built.columns.items():
        if name.startswith(("valid_acc", "test_acc", "train_time_s@", "params_m@", "iso_class")):
            np.testing.assert_array_equal(values, exp[name], err_msg=name)
    assert built.manifest["columns"]["test_acc@cifar10"]["source"] == str(nats_dir.resolve())


@pytest.mark.parametrize("zip_format", [True, False])
def test_torch_files_readable_without_torch(entries, tmp_path, monkeypatch, zip_format):
    """Without torch, a tensor-free .pth (zip or pre-1.6 legacy format) is read as a pickle."""
    torch = pytest.importorskip("torch")
    archs, infos = entries
    path = tmp_path / "three.pth"
    torch.save({"meta_archs": archs[:3], "arch2infos": {i: infos[i] for i in range(3)}}, path,
               _use_new_zipfile_serialization=zip_format)
    monkeypatch.setitem(sys.modules, "torch", None)  # `import torch` now raises ImportError
    loaded = official._load_pth(path)
    assert loaded["meta_archs"] == archs[:3] and loaded["arch2infos"][2] == infos[2]
    with pytest.raises(DataError, match=rf"{re.escape(str(path))} holds results for 3 arch"):
        official.open_official(path)


def test_arch_values_mapping(entries):
    """NB201 split semantics, seed means, and ArchResults objects read like their state dicts."""
    _, infos = entries
    index = next(i for i, x in infos.items() if len(x["full"]["dataset_seed"]["cifar100"]) == 2)
    info = infos[index]
    values = official.arch_values(info)
    runs = info["full"]["all_results"]
    c100 = [runs[("cifar100", s)]["eval_acc1es"] for s in (777, 888)]
    np.testing.assert_array_equal(values["valid_acc_seeds@cifar100"],
                                  [c100[0]["x-valid@199"], c100[1]["x-valid@199"], np.nan])
    mean_test = (c100[0]["x-test@199"] + c100[1]["x-test@199"]) / 2  # not "ori-test" (valid+test)
    assert values["test_acc@cifar100"] == pytest.approx(mean_test)
    assert "valid_acc_seeds@cifar10" not in values and "valid_acc_12ep@cifar10" not in values
    short = info["less"]["all_results"]
    assert values["valid_acc_12ep@cifar10-valid"] == pytest.approx(
        (short[("cifar10-valid", 777)]["eval_acc1es"]["x-valid@11"]
         + short[("cifar10-valid", 888)]["eval_acc1es"]["x-valid@11"]) / 2)
    api = pytest.importorskip("nas_201_api")
    objects = {hp: api.ArchResults.create_from_state_dict(state) for hp, state in info.items()}
    from_objects = official.arch_values(objects)
    assert from_objects.keys() == values.keys()
    for name, value in values.items():
        np.testing.assert_array_equal(from_objects[name], value, err_msg=name)
    only_c10 = {k: v for k, v in short.items() if k[0] == "cifar10-valid"}  # as in v1_0
    v1_0 = {"full": info["full"], "less": {**info["less"], "all_results": only_c10}}
    assert "valid_acc_12ep@cifar100" not in official.arch_values(v1_0)


def test_truncated_pth_names_file(nb201_pth, tmp_path):
    bad = tmp_path / "NAS-Bench-201-v1_1-096897.pth"
    data = nb201_pth.read_bytes()
    bad.write_bytes(data[: len(data) // 2])
    with pytest.raises(DataError, match=re.escape(str(bad))):
        build_from_official(bad, tmp_path / "store")
    assert not (tmp_path / "store").exists()


def test_wrong_structure_names_file(tmp_path):
    torch = pytest.importorskip("torch")
    bad = tmp_path / "weights.pth"
    torch.save({"state_dict": {"w": 1.0}}, bad)
    with pytest.raises(DataError, match=rf"{re.escape(str(bad))}.*not a NAS-Bench-201"):
        build_from_official(bad, tmp_path / "store")


def test_wrong_number_of_architectures(entries, tmp_path):
    archs, infos = entries
    small = tmp_path / "NATS-tss-small.pickle.pbz2"
    _write_pbz2(small, {"meta_archs": archs[:3], "arch2infos": {i: infos[i] for i in range(3)}})
    with pytest.raises(DataError, match=rf"{re.escape(str(small))} holds results for 3 arch"):
        build_from_official(small, tmp_path / "store")


def test_missing_and_corrupt_inputs(tmp_path):
    with pytest.raises(DataError, match="does not exist"):
        build_from_official(tmp_path / "nope.pth", tmp_path / "store")
    with pytest.raises(DataError, match="without meta.pickle.pbz2"):
        build_from_official(tmp_path, tmp_path / "store")
    broken = tmp_path / "broken"
    broken.mkdir()
    _write_pbz2(broken / "meta.pickle.pbz2", {"meta_archs": ["|none~0|+|none~0|none~1|"] * 100})
    data = (broken / "meta.pickle.pbz2").read_bytes()
    (broken / "meta.pickle.pbz2").write_bytes(data[: len(data) // 2])
    meta = re.escape(str(broken / "meta.pickle.pbz2"))
    with pytest.raises(DataError, match=rf"{meta}.*truncated or corrupt"):
        build_from_official(broken, tmp_path / "store")
    assert not (tmp_path / "store").exists()


def test_nats_folder_missing_cell_file(store, tmp_path):
    folder = tmp_path / "NATS-tss-v1_0-3ffb9-simple"
    folder.mkdir()
    archs = [store.index_map.arch_str(i) for i in range(N_CELLS)]
    _write_pbz2(folder / "meta.pickle.pbz2", {"meta_archs": archs})
    missing = re.escape(str(folder / "000000.pickle.pbz2"))
    with pytest.raises(DataError, match=rf"{missing} is missing"):
        build_from_official(folder / "meta.pickle.pbz2", tmp_path / "store")
    _write_pbz2(folder / "000000.pickle.pbz2", {"12": {}, "90": {}})  # no 200-epoch results
    with pytest.raises(DataError, match=r"architecture 0 does not have the NB201 ArchResults"):
        build_from_official(folder, tmp_path / "store")
    assert not (tmp_path / "store").exists()


def test_arch_list_checked(store):
    archs = [store.index_map.arch_str(i) for i in range(N_CELLS)]
    assert np.array_equal(official.arch_codes(archs, "f"), store.columns["code"])
    with pytest.raises(DataError, match="f lists 15624 architectures"):
        official.arch_codes(archs[1:], "f")
    with pytest.raises(DataError, match="f has an invalid architecture list"):
        official.arch_codes(archs[:-1] + archs[:1], "f")  # a duplicate
    with pytest.raises(DataError, match="f has no list of arch strings"):
        official.arch_codes(None, "f")
