"""NAS-Bench-Macro benchmark and store, checked against the real table in ../shared/nb-macro."""

from __future__ import annotations

import dataclasses
import json
import shutil

import numpy as np
import pytest

from nasbench_suite.benchmarks import _macro_store as S
from nasbench_suite.benchmarks.base import Observation, create_benchmark, list_benchmarks
from nasbench_suite.benchmarks.macro import MacroBenchmark, published_best
from nasbench_suite.errors import ArchError, DataError, NasBenchError, UnknownNameError
from tests.helpers import flip_byte


@pytest.fixture(scope="session")
def raw():
    raw = S.default_raw_dir()
    assert raw is not None and (raw / S.RAW_FILE).is_file(), "tests need ../shared/nb-macro"
    return raw


@pytest.fixture(scope="session")
def table(raw):
    return json.loads((raw / S.RAW_FILE).read_text())


@pytest.fixture(scope="module")
def bench(raw, tmp_path_factory):
    return create_benchmark("nb-macro", store=tmp_path_factory.mktemp("m") / "store", raw=raw)


def test_registered_with_honest_static_facts():
    assert "nb-macro" in list_benchmarks()
    info = MacroBenchmark.info
    assert info.space == "nb-macro" and info.datasets == ("cifar10",) == info.search_datasets
    assert info.fidelities == (50,) and info.cost == "evaluations" and not info.has_validation
    assert "No held-out validation set" in info.notes and "test" in info.test_metric


def test_store_holds_every_network_with_three_trainings(bench, raw):
    c = bench.columns
    assert c["test_acc_seeds"].shape == (6561, 3) and not np.isnan(c["test_acc_seeds"]).any()
    for name in ("test_acc", "test_acc_std", "params", "flops", "canonical"):
        assert c[name].shape == (6561,)
    assert bench.manifest["source_sha256"] == S.listed_sha256(raw)
    prov = bench.provenance()
    assert prov.sources == {S.RAW_FILE: S.listed_sha256(raw)} and "CVPR 2021" in prov.citation
    assert prov.store_checksum == bench.manifest["arrays_sha256"]


def test_store_matches_the_json_directly(bench, table):
    space = bench.space
    for key in list(table)[::211]:
        rec, i = table[key], space.parse(key)
        assert bench.columns["test_acc_seeds"][i].tolist() == rec["test_acc"]
        assert bench.test_accuracy([i])[0] == rec["mean_acc"]
        assert bench.lookup(i, "params") == rec["params"] and bench.lookup(i, "flops") == rec["flops"]


def test_published_best_network(bench):
    best = int(np.argmax(bench.test_accuracy(np.arange(6561))))
    rep = bench.report(best)
    assert rep.canonical == "22212220"  # the trained string; argmax finds its first alias
    assert bench.report("22212220").test_acc == rep.test_acc
    assert round(rep.test_acc, 2) == published_best()["test_acc"]
    assert round(rep.params_m, 1) == published_best()["params_m"]  # params: a plain count
    assert round(rep.flops_m, 1) == published_best()["flops_m"]  # flops: a plain count


def test_aliases_share_the_authors_record_and_nothing_else_does(bench, table):
    canon = bench.space.canonical(np.arange(6561))
    rows = {json.dumps(table[bench.space.to_str(i)], sort_keys=True) for i in range(6561)}
    assert len(rows) == len(np.unique(canon)) == 3969  # one training per alias class
    for name in ("test_acc_seeds", "params", "flops"):
        col = bench.columns[name]
        assert np.array_equal(col, col[canon])
    assert np.array_equal(bench.columns["canonical"], canon)
    assert bench.report("00001000").canonical == "00010000"


def test_evaluate_without_rng_is_training_0(bench):
    obs = bench.evaluate(6477)
    assert isinstance(obs, Observation)
    assert (obs.arch_index, obs.seed, obs.cost_s, obs.fidelity) == (6477, 0, 1.0, 50)
    assert obs.valid_acc == bench.columns["test_acc_seeds"][6477, 0]
    assert bench.evaluate("22212220") == obs == bench.evaluate((2, 2, 2, 1, 2, 2, 2, 0))
    assert {f.name for f in dataclasses.fields(obs)} == {
        "arch_index", "valid_acc", "cost_s", "fidelity", "seed", "latency_ms"}


def test_evaluate_draws_one_training_with_the_callers_rng(bench):
    seeds_row = bench.columns["test_acc_seeds"]
    a = [bench.evaluate(i % 6561, np.random.default_rng(7)) for i in range(0, 6561, 50)]
    r1, r2 = np.random.default_rng(11), np.random.default_rng(11)
    draws1 = [bench.evaluate(42, r1) for _ in range(60)]
    draws2 = [bench.evaluate(42, r2) for _ in range(60)]
    assert draws1 == draws2
    assert {o.seed for o in draws1} == {0, 1, 2}
    assert all(o.valid_acc == seeds_row[42, o.seed] for o in draws1)
    assert all(o.valid_acc == seeds_row[o.arch_index, o.seed] for o in a)
    mean = bench.test_accuracy([42])[0]
    assert all(o.valid_acc != mean for o in draws1)  # the reported mean is not what search sees


def test_evaluate_many_matches_sequential_evaluate(bench):
    ids = np.random.default_rng(0).integers(6561, size=200)
    acc, cost = bench.evaluate_many(ids, np.random.default_rng(4))
    rng = np.random.default_rng(4)
    assert acc.tolist() == [bench.evaluate(int(i), rng).valid_acc for i in ids]
    assert np.array_equal(cost, np.ones(200))
    acc0, _ = bench.evaluate_many(ids)
    assert np.array_equal(acc0, bench.columns["test_acc_seeds"][ids, 0])


def test_bad_requests_fail_clearly(bench):
    with pytest.raises(NasBenchError, match="fidelity 50"):
        bench.evaluate(0, fidelity=12)
    with pytest.raises(ArchError):
        bench.evaluate(6561)
    with pytest.raises(ArchError):
        bench.evaluate("2221222x")
    with pytest.raises(ArchError):
        bench.test_accuracy([-1])
    with pytest.raises(UnknownNameError, match="cifar10"):
        bench.report(0, "cifar100")
    with pytest.raises(UnknownNameError):
        create_benchmark("nb-macro", "cifar100")
    with pytest.raises(UnknownNameError, match="params"):
        bench.lookup([0], "latency")


def test_report_to_json(bench):
    out = bench.report("02012100").to_json()
    assert out["benchmark"] == "nb-macro" and out["dataset"] == "cifar10"
    assert out["arch"] == "02012100" and out["canonical"] == "02012100"
    assert out["test_acc"] == pytest.approx(np.mean(out["test_acc_seeds"]), abs=1e-4)
    assert out["params_m"] == 0.890666 and out["flops_m"] == 47.327744
    assert out["has_validation"] is False and out["epochs"] == 50
    assert "no held-out validation set" in out["note"]
    json.dumps(out, allow_nan=False)


def test_random_search_loop_is_reproducible(bench):
    def run(seed):
        rng = np.random.default_rng(seed)
        best = max((bench.evaluate(bench.space.sample(rng), rng) for _ in range(100)),
                   key=lambda o: o.valid_acc)
        return best, bench.report(best.arch_index).test_acc

    assert run(1) == run(1)
    best, test = run(1)
    assert 85.0 < test <= 93.13 and best.seed in (0, 1, 2)


# --- store integrity --------------------------------------------------------------------------
def _copy_raw(raw, tmp_path):
    dst = tmp_path / "raw"
    dst.mkdir()
    for name in (S.RAW_FILE, S.SUMS):
        shutil.copyfile(raw / name, dst / name)
    return dst


def test_corrupt_raw_file_is_named(raw, tmp_path):
    dst = _copy_raw(raw, tmp_path)
    flip_byte(dst / S.RAW_FILE, 100)
    with pytest.raises(DataError, match="nas-bench-macro_cifar10.json is corrupt"):
        S.open_store(tmp_path / "store", dst)
    assert not (tmp_path / "store").exists()


def test_missing_sums_or_raw_is_named(raw, tmp_path):
    dst = _copy_raw(raw, tmp_path)
    (dst / S.RAW_FILE).unlink()
    with pytest.raises(DataError, match="nas-bench-macro_cifar10.json is missing"):
        S.open_store(tmp_path / "store", dst)
    (dst / S.SUMS).unlink()
    with pytest.raises(DataError, match="SHA256SUMS is missing"):
        S.open_store(tmp_path / "store", dst)


def test_inconsistent_json_is_rejected(tmp_path):
    from nasbench_suite.checksums import sha256_file

    dst = tmp_path / "raw"
    dst.mkdir()
    (dst / S.RAW_FILE).write_text(json.dumps({"00000000": {"test_acc": [1, 2, 3]}}))
    (dst / S.SUMS).write_text(f"{sha256_file(dst / S.RAW_FILE)}  {S.RAW_FILE}\n")
    with pytest.raises(DataError, match="should map 6561"):
        S.open_store(tmp_path / "store", dst)


def test_aliases_with_different_records_are_rejected(raw, tmp_path, table):
    bad = dict(table)
    bad["00001000"] = {**bad["00001000"], "params": 1}
    with pytest.raises(DataError, match="params of 00001000 differs from its alias 00010000"):
        S._columns(bad, raw / S.RAW_FILE)


def test_corrupt_store_is_named_and_rebuilt_only_when_ours(raw, tmp_path):
    store = tmp_path / "store"
    S.open_store(store, raw)
    blob = flip_byte(store / S.ARRAYS, 10)
    with pytest.raises(DataError, match="arrays.bin is corrupt"):
        S.load_store(store)
    (store / S.ARRAYS).write_bytes(bytes(blob[:-8]))
    with pytest.raises(DataError, match="arrays.bin is corrupt or truncated"):
        S.open_store(store, raw)
    # a store built from another source is rebuilt in place (atomically)
    S.write_store(S.read_raw(raw)[0], "0" * 64, store)
    assert S.load_store(store)[1]["source_sha256"] == "0" * 64
    _, manifest = S.open_store(store, raw)
    assert manifest["source_sha256"] == S.listed_sha256(raw)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["store"]  # no temp folders left


def test_never_replaces_a_folder_it_did_not_write(raw, refuses_foreign_folder):
    refuses_foreign_folder(lambda out: S.open_store(out, raw), "refusing to replace")


def test_existing_store_loads_without_raw(raw, tmp_path, monkeypatch):
    store = tmp_path / "store"
    S.open_store(store, raw)
    monkeypatch.setenv("NASBENCH_SUITE_MACRO_RAW", str(tmp_path / "nowhere"))
    bench = create_benchmark("nb-macro", store=store)
    assert bench.report(6477).arch == "22212220"
    with pytest.raises(DataError, match="nowhere does not exist"):  # nothing to build from
        S.open_store(tmp_path / "other")
