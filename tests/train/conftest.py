"""Writers of small dataset files in each released format, and tiny training fixtures."""

from __future__ import annotations

import gzip
import pickle
import struct
from pathlib import Path

import numpy as np
import pytest

RESNET_CELL = "|nor_conv_3x3~0|+|none~0|nor_conv_3x3~1|+|skip_connect~0|none~1|skip_connect~2|"


def _images(rng, n: int, side: int, channels: int = 3) -> np.ndarray:
    return rng.integers(0, 256, (n, channels * side * side), dtype=np.uint8)


def write_cifar10(root: Path, per_batch: int = 40, n_test: int = 50, seed: int = 0) -> Path:
    """``root/cifar-10-batches-py`` with Python-2 style pickles (bytes keys), 10 classes."""
    rng = np.random.default_rng(seed)
    folder = root / "cifar-10-batches-py"
    folder.mkdir(parents=True)
    for name, n in [(f"data_batch_{i}", per_batch) for i in range(1, 6)] + [("test_batch", n_test)]:
        labels = [int(i % 10) for i in range(n)]
        obj = {b"batch_label": name.encode(), b"labels": labels, b"data": _images(rng, n, 32),
               b"filenames": [b"x.png"] * n}
        (folder / name).write_bytes(pickle.dumps(obj, protocol=2))
    return folder


def write_cifar100(root: Path, n_train: int = 200, n_test: int = 200, seed: int = 0) -> Path:
    rng = np.random.default_rng(seed)
    folder = root / "cifar-100-python"
    folder.mkdir(parents=True)
    for name, n in (("train", n_train), ("test", n_test)):
        fine = [int(i % 100) for i in range(n)]
        obj = {b"data": _images(rng, n, 32), b"fine_labels": fine, b"coarse_labels": [f // 5 for f in fine]}
        (folder / name).write_bytes(pickle.dumps(obj, protocol=2))
    return folder


def write_imagenet16(root: Path, per_batch: int = 30, n_val: int = 60, seed: int = 0) -> Path:
    """ImageNet16 pickles: 'data' (N, 768) planar uint8, 'labels' 1-based over 1..1000."""
    rng = np.random.default_rng(seed)
    folder = root / "ImageNet16"
    folder.mkdir(parents=True)
    for name, n in [(f"train_data_batch_{i}", per_batch) for i in range(1, 11)] + [("val_data", n_val)]:
        labels = [1 + i % 120 if i % 2 == 0 else 121 + i % 100 for i in range(n)]  # half > 120
        (folder / name).write_bytes(pickle.dumps({"data": _images(rng, n, 16), "labels": labels}))
    return folder


def idx_bytes(array: np.ndarray) -> bytes:
    header = struct.pack(">I", 0x800 + array.ndim) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.astype(np.uint8).tobytes()


def write_fashion(root: Path, n_train: int = 120, n_test: int = 40, seed: int = 0) -> Path:
    rng = np.random.default_rng(seed)
    root.mkdir(parents=True, exist_ok=True)
    for prefix, n in (("train", n_train), ("t10k", n_test)):
        images = rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)
        labels = np.arange(n) % 10
        (root / f"{prefix}-images-idx3-ubyte.gz").write_bytes(gzip.compress(idx_bytes(images)))
        (root / f"{prefix}-labels-idx1-ubyte.gz").write_bytes(gzip.compress(idx_bytes(labels)))
    return root


@pytest.fixture()
def cifar10_root(tmp_path) -> Path:
    write_cifar10(tmp_path)
    return tmp_path


@pytest.fixture()
def tiny_config():
    """A network small enough to train in well under a second (C=4, N=1, 1 thread)."""
    from nasbench_suite.train.trainer import TrainConfig

    return TrainConfig(epochs=1, batch_size=32, channels=4, cells_per_stage=1, num_threads=1)
