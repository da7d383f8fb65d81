"""Resumable real training: fidelity = epochs of one schedule, checkpoints, exact continuation."""

from __future__ import annotations

import json

import pytest
import torch

from nasbench_suite import safeload
from nasbench_suite.errors import DataError, NasBenchError
from nasbench_suite.train import resume
from nasbench_suite.train.benchmark import TrainingBenchmark, from_spec
from nasbench_suite.train.cache import TrainingCache
from nasbench_suite.train.data import DEBIAN_FASHION_MNIST, load_dataset
from nasbench_suite.train.resume import run_segment
from nasbench_suite.train.trainer import TrainConfig, train
from tests.train.conftest import RESNET_CELL

TINY = TrainConfig(batch_size=64, channels=4, cells_per_stage=1, num_threads=1, eval_every_epoch=False)


@pytest.fixture(scope="module")
def fashion():
    assert DEBIAN_FASHION_MNIST.is_dir(), "install dataset-fashion-mnist (make test's system deps)"
    return load_dataset("fashion-mnist", DEBIAN_FASHION_MNIST)


@pytest.fixture()
def make_bench(fashion, store, tmp_path):
    def make(cache="cache", **kw):
        args = {"dataset": "fashion-mnist", "epochs": 4, "subset": 256, "config": TINY,
                "cache_dir": tmp_path / cache, "data": fashion, "index_map": store.index_map}
        return TrainingBenchmark(**{**args, **kw})
    return make


def test_segments_chain_exactly_through_a_weights_only_checkpoint(fashion, tmp_path):
    """0 -> 2, checkpoint written and read back with weights_only=True, 2 -> 4 == 0 -> 4."""
    fashion = fashion.subset(256)
    config = TrainConfig(**{**TINY.__dict__, "epochs": 4})
    whole, whole_state = run_segment(RESNET_CELL, fashion, config, 4)
    half, half_state = run_segment(RESNET_CELL, fashion, config, 2)
    path = tmp_path / "ck.pt"
    torch.save(half_state, path)
    loaded = safeload.load_torch(path)  # the audited loader (weights_only=True)
    resumed, state = run_segment(RESNET_CELL, fashion, config, 4, half, loaded)
    for name, tensor in whole_state["model"].items():
        assert torch.equal(tensor, state["model"][name]), name
    assert resumed.train_loss == whole.train_loss and resumed.train_acc == whole.train_acc
    assert resumed.valid_acc[3] == whole.valid_acc[3] and resumed.test_acc[3] == whole.test_acc[3]
    assert resumed.valid_acc[1] == half.valid_acc[1] and whole.valid_acc[1] is None  # measured at stops
    assert resumed.cum_s[:2] == half.cum_s and resumed.cum_s[3] > resumed.cum_s[1]
    # the full schedule is train()'s run: same metrics as the one-call trainer
    full = train(RESNET_CELL, fashion, config)
    assert list(full.train_loss) == whole.train_loss and full.final_valid_acc == whole.valid_acc[3]
    with pytest.raises(NasBenchError, match="epochs 3..2"):
        run_segment(RESNET_CELL, fashion, config, 2, half, half_state)
    with pytest.raises(NasBenchError, match="checkpoint"):
        run_segment(RESNET_CELL, fashion, config, 3, half, None)


def test_benchmark_continues_and_charges_only_the_continuation(make_bench, store, monkeypatch):
    bench = make_bench()
    assert bench.supports_resume and bench.fidelities == (1, 2, 3, 4) and bench.max_epochs == 4
    two = bench.evaluate(RESNET_CELL, fidelity=2)
    key = bench._key(two.arch_index)
    root = bench.cache.root
    assert (root / key.checkpoint_relpath()).is_file() and (root / key.progress_relpath()).is_file()
    assert not (root / key.relpath()).exists() and "e4-s0-n256" in str(key.relpath())
    assert bench.cost_to(RESNET_CELL, 2) == two.cost_s and bench.cost_to(RESNET_CELL, 0) == 0.0
    with pytest.raises(NasBenchError, match="not trained to fidelity 3"):
        bench.cost_to(RESNET_CELL, 3)
    calls = []
    real = resume.run_segment
    monkeypatch.setattr(resume, "run_segment", lambda *a, **k: calls.append(a[4]) or real(*a, **k))
    four = make_bench().evaluate(RESNET_CELL, fidelity=4)  # a fresh benchmark: from the disk
    assert len(calls) == 1 and calls[0].trained == 2  # continued, not restarted
    assert four.cost_s > two.cost_s and four.fidelity == 4
    # complete: the record is written, the checkpoint and history are gone
    assert (root / key.relpath()).is_file() and not (root / key.checkpoint_relpath()).exists()
    assert not (root / key.progress_relpath()).exists()
    # identical to training 0 -> 4 in one go, in another cache
    direct = make_bench(cache="other").evaluate(RESNET_CELL, fidelity=4)
    assert direct.valid_acc == four.valid_acc
    # epochs already trained are read from the history, never trained again
    monkeypatch.setattr(resume, "run_segment", lambda *a, **k: pytest.fail("trained again"))
    again = make_bench()
    assert again.evaluate(RESNET_CELL, fidelity=2) == two and again.evaluate(RESNET_CELL) == four
    assert again.cost_to(RESNET_CELL, 2) == two.cost_s and again.cost_to(RESNET_CELL, 4) == four.cost_s
    index = two.arch_index
    assert again.cost(index, 4, from_fidelity=2) == four.cost_s - two.cost_s  # NB301's signature
    assert again.cost(index, 4) == four.cost_s and again.cost(index, 2, from_fidelity=2) == 0.0
    with pytest.raises(NasBenchError, match="back to"):
        again.cost(index, 2, from_fidelity=4)
    report = again.report(RESNET_CELL)
    assert report.valid_acc == four.valid_acc and report.cost_s == four.cost_s and report.epochs == 4
    assert again.test_accuracy([two.arch_index], "fashion-mnist")[0] == report.test_acc


def test_an_epoch_never_validated_is_trained_again_from_scratch(make_bench, monkeypatch):
    bench = make_bench()
    four = bench.evaluate(RESNET_CELL)  # validated after epoch 4 only
    calls = []
    real = resume.run_segment
    monkeypatch.setattr(resume, "run_segment", lambda *a, **k: calls.append(a[4]) or real(*a, **k))
    three = bench.evaluate(RESNET_CELL, fidelity=3)
    assert calls == [None] and 0 <= three.valid_acc <= 100 and three.fidelity == 3
    assert bench.evaluate(RESNET_CELL, fidelity=4) == four  # the complete record is kept
    assert len(calls) == 1


def test_records_without_per_epoch_seconds_still_serve(make_bench):
    bench = make_bench(epochs=2)
    obs = bench.evaluate(RESNET_CELL)
    path = next(bench.cache.root.rglob("*.json"))
    record = json.loads(path.read_text())
    del record["result"]["cum_s"]  # as written before the per-epoch history existed
    path.write_text(json.dumps(record))
    old = make_bench(epochs=2)
    assert old.evaluate(RESNET_CELL) == obs and old.cost_to(RESNET_CELL, 2) == obs.cost_s
    assert 0 < old.cost_to(RESNET_CELL, 1) < obs.cost_s


def test_fidelity_validation_and_corrupt_checkpoint(make_bench, store):
    bench = make_bench()
    for bad in (0, 5, 2.5, True):
        with pytest.raises(NasBenchError, match="fidelity"):
            bench.evaluate(RESNET_CELL, fidelity=bad)
    with pytest.raises(NasBenchError, match="max_epochs"):
        make_bench(max_epochs=3)  # shorter than epochs
    mapped = make_bench(epochs=1, fidelity_epochs={12: 1, 200: 3})
    spec = from_spec({"type": "training", "fidelity": 2, "max_epochs": 6}, "fashion-mnist", store.index_map)
    assert (spec.epochs, spec.max_epochs, spec.fidelities) == (2, 6, tuple(range(1, 7)))
    with pytest.raises(NasBenchError, match="max_epochs"):
        from_spec({"max_epochs": "six"}, "fashion-mnist", store.index_map)
    assert mapped.max_epochs == 3 and mapped.fidelities == (12, 200)
    bench.evaluate(RESNET_CELL, fidelity=1)
    ckpt = next(bench.cache.root.rglob("*.ckpt.pt"))
    ckpt.write_bytes(b"not a checkpoint")
    with pytest.raises(DataError, match="delete it to retrain"):
        make_bench().evaluate(RESNET_CELL, fidelity=2)
    assert TrainingCache(bench.cache.root).records() == []  # histories are not records


def test_nb_macro_networks_resume_too(fashion, tmp_path, monkeypatch):
    config = TrainConfig(batch_size=64, lr=0.02, num_threads=1, eval_every_epoch=False)
    make = lambda cache: TrainingBenchmark("fashion-mnist", epochs=2, subset=128, space="nb-macro",
                                           cache_dir=tmp_path / cache, config=config, data=fashion)
    bench = make("a")
    one = bench.evaluate("00010000", fidelity=1)
    calls = []
    real = resume.run_segment
    monkeypatch.setattr(resume, "run_segment", lambda *a, **k: calls.append(a[4]) or real(*a, **k))
    two = bench.evaluate("00001000", fidelity=2)  # an alias: the same training, continued
    assert [c.trained for c in calls] == [1] and bench.cost_to("00010000", 1) == one.cost_s
    assert two.cost_s > one.cost_s
    assert make("b").evaluate("00010000", fidelity=2).valid_acc == two.valid_acc
