"""NAS-Bench-301 through the YAHPO v2 ONNX surrogate (real model in ../shared/yahpo-nb301).

The first tests are the evidence for the output order (val_accuracy, val_cross_entropy, runtime,
runtime_increase) the benchmark builds on; see the README ("NAS-Bench-301").
"""

from __future__ import annotations

import json
import re
import shutil

import numpy as np
import pytest

from nasbench_suite.benchmarks import _nb301_model as model
from nasbench_suite.benchmarks.base import create_benchmark, get_benchmark, list_benchmarks
from nasbench_suite.benchmarks.nb301 import NB301Benchmark
from nasbench_suite.errors import DataError, NasBenchError, UnknownNameError
from nasbench_suite.spaces.darts import DARTS_V2
from tests.helpers import flip_byte

EPOCHS = np.arange(1, 99)


@pytest.fixture(scope="module")
def bench() -> NB301Benchmark:
    return create_benchmark("nb301")


@pytest.fixture(scope="module")
def cells(bench):
    return bench.space.sample(np.random.default_rng(2026), 200)


@pytest.fixture(scope="module")
def raw(bench, cells):
    """Raw model output (98 epochs, 200 cells, 4 outputs)."""
    x = bench.surrogate.x_cat(bench.space.configs(cells))
    n = len(cells)
    out = bench.surrogate.predict(np.tile(x, (len(EPOCHS), 1)), np.repeat(EPOCHS, n))
    return out.reshape(len(EPOCHS), n, 4).astype(np.float64)


# --- output semantics ---------------------------------------------------------------------------
def test_codomain_order_in_param_set_matches_outputs():
    text = (model.default_dir() / "param_set_v2.R").read_text()
    codomain = text[text.index("codomain"):]
    names = re.findall(r"^\s*(\w+)\s*=\s*p_(?:dbl|int)", codomain, flags=re.MULTILINE)
    assert names[:3] == list(model.OUTPUTS[:3])
    assert "maximize" in codomain.splitlines()[1]  # val_accuracy is maximised


def test_output0_is_an_accuracy_rising_with_epochs(raw):
    acc = raw[:, :, 0]
    assert (acc > 0.3).all() and (acc < 1.0).all()
    assert (acc[-1] > acc[0] + 0.2).all()  # every cell learns between epoch 1 and 98
    assert (np.diff(acc, axis=0) >= 0).mean() > 0.97
    assert 0.85 < np.median(acc[-1]) < 0.95  # NAS-Bench-301 cells reach ~90-95% on CIFAR-10


def test_output1_is_a_cross_entropy_falling_with_epochs(raw):
    ce = raw[:, :, 1]
    assert (ce > 0).all()
    assert (ce[-1] < ce[0]).all()
    assert (np.diff(ce, axis=0) <= 0).mean() > 0.9
    # across cells: higher accuracy, lower loss
    assert np.corrcoef(raw[-1, :, 0], ce[-1])[0, 1] < -0.7


def test_output2_is_a_cumulative_runtime_in_seconds(raw):
    rt = raw[:, :, 2]
    assert (rt > 0).all()
    assert (rt[-1] > 10 * rt[0]).all()
    # grows about linearly with the epoch, per cell
    r = [np.corrcoef(EPOCHS, rt[:, j])[0, 1] for j in range(rt.shape[1])]
    assert np.median(r) > 0.98
    # mostly monotone: why the continuation cost is clamped at 0
    steps = np.diff(rt, axis=0)
    assert 0.9 < (steps >= 0).mean() < 1.0
    # seconds per epoch of a GPU-trained DARTS network (tens of seconds), not minutes or ms
    per_epoch = rt[-1] / 98
    assert 10 < np.median(per_epoch) < 200


def test_output3_does_not_grow_with_epochs(raw):
    """The 4th column (YAHPO's ``runtime_increase``) stays flat: not the cumulative runtime."""
    o3 = raw[:, :, 3]
    assert abs(np.median(o3[-1] / o3[0]) - 1) < 0.5


def test_x_cat_matches_yahpo_encoding_by_name(bench, cells):
    """Columns are YAHPO's ``cat_names`` order; values are the encoding_v2.json codes of the
    ConfigSpace configuration, '#na#' (0) for inactive edges - built here independently."""
    encoding = json.loads((model.default_dir() / model.ENCODING).read_text())
    x = bench.surrogate.x_cat(bench.space.configs(cells[:50]))
    assert x.shape == (50, 34) and x.dtype == np.int32
    for row, i in zip(x, cells[:50]):
        cs = bench.space.to_configspace(int(i))
        expected = [encoding[n][cs.get(n, "#na#")] for n in model.CAT_NAMES]
        assert row.tolist() == expected
        assert bench.surrogate.x_cat_row(bench.space.config(int(i))) == expected
    assert set(encoding) == set(model.CAT_NAMES)


# --- the benchmark ------------------------------------------------------------------------------
def test_registered_with_static_facts():
    assert "nb301" in list_benchmarks()
    info = get_benchmark("nb301").info
    assert info.space == "darts" and info.datasets == ("cifar10",)
    assert info.fidelities == tuple(range(1, 99)) and info.default_fidelity == 98
    assert "no test set" in info.test_metric


def test_evaluate_is_deterministic_and_matches_the_model(bench, raw, cells):
    fresh = NB301Benchmark()
    for e in (1, 12, 98):
        for j in range(5):
            obs = bench.evaluate(int(cells[j]), fidelity=e)
            again = fresh.evaluate(bench.space.to_str(int(cells[j])), fidelity=e)
            assert obs == again
            assert obs.fidelity == e and obs.arch_index == int(cells[j])
            assert obs.valid_acc == pytest.approx(100 * raw[e - 1, j, 0], abs=1e-3)
            assert obs.cost_s == pytest.approx(raw[e - 1, j, 2], rel=1e-5)
    assert bench.evaluate(DARTS_V2).fidelity == 98


def test_evaluate_many_matches_single(bench, cells):
    batch = NB301Benchmark().evaluate_many(cells, 40)
    single = [bench.evaluate(int(i), fidelity=40) for i in cells]
    assert np.allclose(batch.valid_acc, [o.valid_acc for o in single], atol=1e-3)
    assert np.allclose(batch.runtime_s, [o.cost_s for o in single], rtol=1e-5)
    # duplicates and order kept
    twice = bench.evaluate_many(np.concatenate([cells[:3], cells[:3][::-1]]), 40)
    assert np.array_equal(twice.valid_acc[:3], twice.valid_acc[3:][::-1])


def test_cache_avoids_model_calls(monkeypatch, cells):
    b = NB301Benchmark()
    calls = []
    real = b.surrogate.predict
    monkeypatch.setattr(b.surrogate, "predict", lambda *a: calls.append(1) or real(*a))
    first = b.evaluate(int(cells[0]), fidelity=7)
    assert b.evaluate(int(cells[0]), fidelity=7) == first
    b.evaluate_many(cells[:50], 7)
    b.evaluate_many(cells[:50], 7)
    b.test_accuracy(cells[:50], "cifar10")
    b.report(int(cells[0]))
    assert len(calls) == 3  # single, one batch of 49 new cells, one batch at epoch 98


def test_continuation_cost_is_the_runtime_difference(bench, cells):
    for i in cells[:20]:
        i = int(i)
        r = {e: bench.evaluate(i, fidelity=e).cost_s for e in (1, 20, 50, 98)}
        assert bench.cost(i, 98) == pytest.approx(r[98])
        assert bench.cost(i, 98, from_epoch=50) == pytest.approx(max(0, r[98] - r[50]))
        assert bench.cost(i, 50, from_epoch=50) == 0
        parts = bench.cost(i, 20) + bench.cost(i, 50, 20) + bench.cost(i, 98, 50)
        assert parts >= r[98] - 1e-6  # clamping can only over-charge
    with pytest.raises(NasBenchError):
        bench.cost(int(cells[0]), 10, from_epoch=20)


@pytest.mark.parametrize("epoch", [0, 99, 2.5, True, "98"])
def test_bad_fidelity_fails_clearly(bench, epoch):
    with pytest.raises(NasBenchError):
        bench.evaluate(0, fidelity=epoch)


def test_report_uses_validation_at_epoch_98(bench, cells):
    rep = bench.report(DARTS_V2)
    obs = bench.evaluate(DARTS_V2, fidelity=98)
    assert rep.test_acc == rep.valid_acc_98 == obs.valid_acc
    assert rep.runtime_98 == obs.cost_s
    assert rep.arch == bench.space.to_str(bench.space.parse(DARTS_V2))
    js = rep.to_json()
    assert js["benchmark"] == "nb301" and "validation accuracy at epoch 98" in js["test_metric"]
    json.dumps(js)
    acc = bench.test_accuracy(cells[:10], "cifar10")
    assert np.allclose(acc, [bench.evaluate(int(i), fidelity=98).valid_acc for i in cells[:10]],
                       atol=1e-3)
    with pytest.raises(UnknownNameError):
        bench.test_accuracy(cells[:2], "imagenet")
    with pytest.raises(UnknownNameError):
        NB301Benchmark(dataset="cifar100")


def test_noise_is_seeded_from_the_run_generator(cells):
    b = NB301Benchmark(noise_std=0.5)
    a1 = [b.evaluate(int(i), np.random.default_rng(5)).valid_acc for i in cells[:5]]
    a2 = [b.evaluate(int(i), np.random.default_rng(5)).valid_acc for i in cells[:5]]
    clean = [NB301Benchmark().evaluate(int(i)).valid_acc for i in cells[:5]]
    assert a1 == a2 and a1 != clean
    with pytest.raises(NasBenchError):
        b.evaluate(int(cells[0]))
    with pytest.raises(NasBenchError):
        NB301Benchmark(noise_std=float("nan"))


def test_provenance_lists_verified_checksums(bench):
    prov = bench.provenance()
    sums = (model.default_dir() / "SHA256SUMS").read_text()
    assert prov.sources[model.MODEL] in sums
    assert "NAS-Bench-301" in prov.citation or "Surrogate NAS" in prov.citation


# --- data integrity -----------------------------------------------------------------------------
@pytest.fixture()
def copy(tmp_path):
    dst = tmp_path / "nb301"
    shutil.copytree(model.default_dir(), dst)
    for p in dst.iterdir():
        p.chmod(0o644)
    return dst


def test_copy_verifies_and_loads(copy):
    b = NB301Benchmark(data_dir=copy)
    assert b.evaluate(DARTS_V2).valid_acc == NB301Benchmark().evaluate(DARTS_V2).valid_acc


def test_corrupt_model_fails_by_name(copy):
    flip_byte(copy / model.MODEL)
    with pytest.raises(DataError, match="model_v2.onnx is corrupt"):
        NB301Benchmark(data_dir=copy)


def test_missing_file_fails_by_name(copy):
    (copy / model.ENCODING).unlink()
    with pytest.raises(DataError, match="encoding_v2.json is missing"):
        NB301Benchmark(data_dir=copy)


def test_missing_sums_or_folder_fail(copy, tmp_path, monkeypatch):
    (copy / "SHA256SUMS").unlink()
    with pytest.raises(DataError, match="SHA256SUMS is missing"):
        NB301Benchmark(data_dir=copy)
    with pytest.raises(DataError, match="does not exist"):
        NB301Benchmark(data_dir=tmp_path / "nowhere")
    monkeypatch.setenv(model.ENV, str(tmp_path / "nowhere"))
    with pytest.raises(DataError):
        NB301Benchmark()


def test_truncated_model_with_matching_sum_fails_on_load(copy):
    """A file that passes the checksum but is not the model (e.g. a user's own SHA256SUMS)."""
    import hashlib

    (copy / model.MODEL).write_bytes(b"not an onnx model")
    digest = hashlib.sha256(b"not an onnx model").hexdigest()
    lines = [f"{digest}  {model.MODEL}" if line.endswith(model.MODEL) else line
             for line in (copy / "SHA256SUMS").read_text().splitlines()]
    (copy / "SHA256SUMS").write_text("\n".join(lines) + "\n")
    b = NB301Benchmark(data_dir=copy)
    with pytest.raises(DataError, match="cannot load"):
        b.evaluate(0)


def test_cache_is_bounded(monkeypatch, cells):
    from nasbench_suite.benchmarks import nb301

    monkeypatch.setattr(nb301, "CACHE_LIMIT", 100)
    b = NB301Benchmark()
    for i in cells[:150]:
        b.evaluate(int(i))
    assert len(b._cache) <= 100
    b.evaluate_many(cells[:80], 5)
    b.evaluate_many(cells[80:160], 5)
    assert len(b._cache) <= 100
    assert b.evaluate_many(cells[:3], 5).valid_acc.shape == (3,)
