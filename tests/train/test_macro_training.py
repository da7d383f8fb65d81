"""Real training of NAS-Bench-Macro networks: a tiny Fashion-MNIST run on CPU."""

from __future__ import annotations

import pytest

from nasbench_suite.errors import ArchError, UnknownNameError
from nasbench_suite.train.benchmark import TrainingBenchmark
from nasbench_suite.train.cache import recipe_tag
from nasbench_suite.train.data import DEBIAN_FASHION_MNIST, load_dataset
from nasbench_suite.train.trainer import TrainConfig, network_builder


@pytest.fixture(scope="module")
def fashion():
    assert DEBIAN_FASHION_MNIST.is_dir(), "install dataset-fashion-mnist (make test's system deps)"
    return load_dataset("fashion-mnist", DEBIAN_FASHION_MNIST)


def test_macro_recipe_has_its_own_cache_tag_and_nb201_keeps_its_own():
    assert recipe_tag(TrainConfig().recipe()) == "nb201"
    assert recipe_tag(TrainConfig(space="nb-macro").recipe()).startswith("r-")


def test_network_builder_checks_space_and_arch():
    assert network_builder("02012100", TrainConfig(space="nb-macro"))[0] == "02012100"
    with pytest.raises(ArchError):
        network_builder("0201210", TrainConfig(space="nb-macro"))
    with pytest.raises(UnknownNameError, match="nb-macro"):
        network_builder("02012100", TrainConfig(space="darts"))
    with pytest.raises(UnknownNameError, match="training space"):
        TrainingBenchmark("fashion-mnist", space="darts")


@pytest.mark.slow
def test_trains_a_macro_network_on_fashion_mnist(fashion, tmp_path):
    config = TrainConfig(batch_size=16, lr=0.02, eval_every_epoch=True, num_threads=1)
    bench = TrainingBenchmark("fashion-mnist", epochs=2, subset=256, cache_dir=tmp_path,
                              space="nb-macro", config=config, data=fashion)
    obs = bench.evaluate("00001000")  # an alias: trains the string the authors trained
    rec = bench.record(obs.arch_index, 2)
    assert rec["arch"] == "00010000" and rec["params"] == 491434 - 2 * 32 * 9  # the table minus 2 stem input channels
    losses = rec["result"]["train_loss"]
    assert losses[1] < losses[0]
    assert obs.valid_acc > 20.0 and rec["test_acc"] > 20.0  # chance is 10%
    assert obs.cost_s > 0 and obs.fidelity == 2
    # the alias class shares one training: no second run, same numbers
    again = bench.evaluate("00010000")
    assert again.valid_acc == obs.valid_acc and again.cost_s == obs.cost_s
    assert len(list(tmp_path.rglob("*.json"))) == 1
    assert bench.report("00001000").test_acc == rec["test_acc"]
