"""The trainer: learns on real Fashion-MNIST, is deterministic on CPU, follows the recipe."""

from __future__ import annotations

import math
import time

import pytest

from nasbench_suite.errors import NasBenchError
from nasbench_suite.train.data import DEBIAN_FASHION_MNIST, load_dataset, synthetic_dataset
from nasbench_suite.train.trainer import TrainConfig, lr_at, train
from tests.train.conftest import RESNET_CELL


def test_learns_fashion_mnist_subset():
    """2000 images, C=8, N=1, 3 epochs on one CPU thread: far above the 10% of chance."""
    if not (DEBIAN_FASHION_MNIST / "train-images-idx3-ubyte.gz").is_file():
        pytest.fail(f"Fashion-MNIST is not installed in {DEBIAN_FASHION_MNIST}; run "
                    "`.ci/install-train-deps` (apt-get install -y dataset-fashion-mnist)")
    data = load_dataset("fashion-mnist", DEBIAN_FASHION_MNIST).subset(2000)
    config = TrainConfig(epochs=3, batch_size=64, channels=8, cells_per_stage=1, seed=0, num_threads=1)
    start = time.perf_counter()
    result = train(RESNET_CELL, data, config)
    assert time.perf_counter() - start < 60
    assert result.final_valid_acc > 50, result.valid_acc
    assert result.train_loss[-1] < result.train_loss[0]
    assert result.n_train == 2000 and len(result.epoch_times_s) == 3 and result.test_acc > 50


def test_same_seed_same_metrics_other_seed_differs(tiny_config):
    data = synthetic_dataset("cifar10-valid", n_train=96, n_eval=64)
    cfg = TrainConfig(**{**tiny_config.__dict__, "epochs": 2})
    a, b = train(RESNET_CELL, data, cfg), train(RESNET_CELL, data, cfg)
    assert (a.train_loss, a.train_acc, a.valid_acc, a.test_acc) == (b.train_loss, b.train_acc, b.valid_acc, b.test_acc)
    c = train(RESNET_CELL, data, TrainConfig(**{**cfg.__dict__, "seed": 1}))
    assert c.train_loss != a.train_loss


def test_result_shape_and_json(tiny_config):
    data = synthetic_dataset("ImageNet16-120", n_train=64, n_eval=32)
    r = train("|avg_pool_3x3~0|+|skip_connect~0|none~1|+|skip_connect~0|none~1|avg_pool_3x3~2|", data,
              TrainConfig(**{**tiny_config.__dict__, "epochs": 2, "eval_every_epoch": False}))
    assert r.dataset == "ImageNet16-120" and r.epochs == 2 and r.device == "cpu"
    assert math.isnan(r.valid_acc[0]) and not math.isnan(r.valid_acc[1])
    js = r.to_json()
    assert js["valid_acc"][0] is None and js["arch"].startswith("|avg_pool_3x3~0|")
    assert r.total_time_s >= sum(r.epoch_times_s) > 0


def test_cosine_per_iteration():
    assert lr_at(0, 100, 0.1) == pytest.approx(0.1)
    assert lr_at(50, 100, 0.1) == pytest.approx(0.05)
    assert lr_at(100, 100, 0.1) == pytest.approx(0.0)
    assert lr_at(10, 100, 0.1) > lr_at(11, 100, 0.1)


def test_bf16_channels_last_options_run_on_cpu(tiny_config):
    """The GPU-path switches (autocast bf16, NHWC) are plain torch and work on CPU too."""
    data = synthetic_dataset("cifar10-valid", n_train=64, n_eval=32)
    r = train(RESNET_CELL, data, TrainConfig(**{**tiny_config.__dict__, "amp": True, "channels_last": True}))
    assert 0 <= r.final_valid_acc <= 100 and math.isfinite(r.train_loss[0])


def test_bad_device_and_epochs(tiny_config):
    data = synthetic_dataset("cifar10-valid", n_train=8, n_eval=8)
    import torch

    if not torch.cuda.is_available():
        with pytest.raises(NasBenchError, match="CUDA is not available"):
            train(RESNET_CELL, data, TrainConfig(**{**tiny_config.__dict__, "device": "cuda"}))
    with pytest.raises(NasBenchError, match="epochs"):
        train(RESNET_CELL, data, TrainConfig(**{**tiny_config.__dict__, "epochs": 0}))
