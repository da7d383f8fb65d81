"""The proxies' mini-batch: CIFAR-10 pickles, PNG samples (Pillow or not), Fashion-MNIST."""

from __future__ import annotations

import gzip
import pickle
import struct

import numpy as np
import pytest

from nasbench_suite.bench.cost import NetConfig, cost
from nasbench_suite.proxies import data
from nasbench_suite.proxies.scorer import score_cells


def test_png_batch_is_real_cifar10(monkeypatch):
    monkeypatch.delenv("NASBENCH_SUITE_CIFAR10", raising=False)
    batch = data.load_batch(24, seed=1)
    assert batch.images.shape == (24, 3, 32, 32) and batch.images.dtype == np.float32
    assert batch.source["kind"] == "cifar10-png" and batch.source["distinct_images"] == 20
    assert set(batch.labels.tolist()) <= set(range(10))
    assert np.array_equal(batch.images, data.load_batch(24, seed=1).images)
    assert not np.array_equal(batch.images, data.load_batch(24, seed=2).images)
    assert data.load_batch(4, seed=0, resolution=16).images.shape == (4, 3, 16, 16)


def test_pure_python_png_decoder_matches_pillow():
    Image = pytest.importorskip("PIL.Image")
    for path in sorted(data.png_dir().glob("*.png"))[:3]:
        ours = data.decode_png(path.read_bytes())[:, :, :3]
        assert np.array_equal(ours, np.asarray(Image.open(path).convert("RGB")))


def test_cifar10_pickles_are_preferred(tmp_path, monkeypatch):
    folder = tmp_path / "cifar-10-batches-py"
    folder.mkdir()
    rng = np.random.default_rng(0)
    raw = {
        b"data": rng.integers(0, 256, (50, 3072), dtype=np.uint8),
        b"labels": list(range(10)) * 5,
    }
    (folder / "data_batch_1").write_bytes(pickle.dumps(raw))
    monkeypatch.setenv("NASBENCH_SUITE_CIFAR10", str(folder))
    batch = data.load_batch(8, seed=0, augmented=False)
    assert batch.source["kind"] == "cifar10-batches-py"
    assert batch.images.shape == (8, 3, 32, 32)
    expected = raw[b"data"].reshape(-1, 3, 32, 32) / 255.0
    expected = (expected - data.CIFAR_MEAN[:, None, None]) / data.CIFAR_STD[:, None, None]
    for image, label in zip(batch.images, batch.labels):  # each is one of the stored images
        match = np.flatnonzero(np.abs(expected - image).max(axis=(1, 2, 3)) < 1e-5)
        assert match.size == 1 and raw[b"labels"][match[0]] == label
    (folder / "data_batch_1").write_bytes(pickle.dumps({b"data": object()}))
    with pytest.raises(Exception, match="refusing|not a CIFAR-10"):
        data.load_batch(8, seed=0)


def _idx(array: np.ndarray) -> bytes:
    head = struct.pack(">BBBB", 0, 0, 8, array.ndim) + struct.pack(
        ">" + "I" * array.ndim, *array.shape
    )
    return gzip.compress(head + array.astype(np.uint8).tobytes())


def test_fashion_mnist_fallback(tmp_path, monkeypatch):
    images = np.random.default_rng(0).integers(0, 256, (30, 28, 28))
    (tmp_path / "train-images-idx3-ubyte.gz").write_bytes(_idx(images))
    (tmp_path / "train-labels-idx1-ubyte.gz").write_bytes(_idx(np.arange(30) % 10))
    monkeypatch.delenv("NASBENCH_SUITE_CIFAR10", raising=False)
    monkeypatch.setattr(data, "png_dir", lambda: None)
    monkeypatch.setattr(data, "FMNIST_DIR", tmp_path)
    batch = data.load_batch(6, seed=0)
    assert batch.source["kind"] == "fashion-mnist" and batch.images.shape == (6, 3, 32, 32)
    monkeypatch.setattr(data, "FMNIST_DIR", tmp_path / "missing")
    with pytest.raises(Exception, match="NASBENCH_SUITE_CIFAR10"):
        data.load_batch(6, seed=0)


def test_imagenet16_scores_at_16px_with_120_classes(store):
    rows = score_cells(
        [123],
        ["flops", "params", "epe_nas"],
        dataset="ImageNet16-120",
        batch=8,
        store=store,
        channels=4,
        cells_per_stage=1,
    )
    config = NetConfig(channels=4, cells_per_stage=1, num_classes=120, resolution=16)
    p, f = cost(store.index_map.ops(123), config)
    assert rows[123]["flops"] == pytest.approx(f) and rows[123]["params"] == pytest.approx(p)
    assert np.isfinite(rows[123]["epe_nas"])
