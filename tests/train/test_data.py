"""Dataset readers on small files in each released format; splits; the batched augmentation."""

from __future__ import annotations

import gzip

import numpy as np
import pytest
import torch

from nasbench_suite import safeload
from nasbench_suite.errors import DataError, UnknownNameError
from nasbench_suite.train import data as D
from nasbench_suite.train.gpu import Normalizer, augment, random_crop, random_flip, train_batches
from tests.train.conftest import (
    idx_bytes,
    write_cifar100,
    write_fashion,
    write_imagenet16,
)


def test_cifar10_valid_is_a_stratified_half_of_train(cifar10_root):
    b = D.load_dataset("cifar10-valid", cifar10_root)
    assert (len(b.train), len(b.valid), len(b.test)) == (100, 100, 50)
    assert b.train.images.dtype == torch.uint8 and b.train.images.shape[1:] == (3, 32, 32)
    assert D.class_counts(b.train.labels.numpy()) == {c: 10 for c in range(10)}
    # train and valid are disjoint and together the whole training set
    raw, _ = D.read_cifar10(cifar10_root / "cifar-10-batches-py")
    rows = {x.tobytes() for x in raw[0]}
    got = [x.tobytes() for x in torch.cat([b.train.images, b.valid.images]).numpy()]
    assert set(got) == rows and len(got) == len(rows)
    full = D.load_dataset("cifar10", cifar10_root)
    assert (len(full.train), full.valid, len(full.test)) == (200, None, 50)


def test_cifar10_pixels_are_planar_rgb(cifar10_root):
    obj = safeload.load_file(cifar10_root / "cifar-10-batches-py" / "test_batch", encoding="bytes")
    b = D.load_dataset("cifar10", cifar10_root)
    first = b.test.images[0].numpy()
    assert np.array_equal(first[0].ravel(), obj[b"data"][0][:1024])  # red plane first
    assert np.array_equal(first[2].ravel(), obj[b"data"][0][2048:])


def test_cifar100_test_split_into_valid_and_test(tmp_path):
    write_cifar100(tmp_path)
    b = D.load_dataset("cifar100", tmp_path / "cifar-100-python")
    assert (len(b.train), len(b.valid), len(b.test)) == (200, 100, 100)
    assert b.spec.num_classes == 100 and int(b.train.labels.max()) == 99


def test_imagenet16_keeps_120_classes_zero_based(tmp_path):
    write_imagenet16(tmp_path)
    b = D.load_dataset("ImageNet16-120", tmp_path)
    labels = torch.cat([b.train.labels, b.valid.labels, b.test.labels])
    assert int(labels.min()) == 0 and int(labels.max()) <= 119
    assert len(b.train) == 150 and len(b.valid) + len(b.test) == 30  # half the labels are > 120
    assert b.train.images.shape[1:] == (3, 16, 16) and b.spec.pad == 2


def test_fashion_mnist_idx(tmp_path):
    write_fashion(tmp_path / "fm", n_train=600, n_test=40)
    b = D.load_dataset("fashion-mnist", tmp_path / "fm")
    assert (len(b.train), len(b.valid), len(b.test)) == (500, 100, 40)
    assert b.train.images.shape[1:] == (1, 28, 28) and not b.spec.flip
    assert D.class_counts(b.valid.labels.numpy()) == {c: 10 for c in range(10)}


def test_env_var_locates_files(cifar10_root, monkeypatch):
    monkeypatch.setenv("NASBENCH_SUITE_CIFAR10", str(cifar10_root / "cifar-10-batches-py"))
    assert len(D.load_dataset("cifar10-valid").train) == 100
    monkeypatch.setenv("NASBENCH_SUITE_CIFAR10", str(cifar10_root))  # the parent works too
    assert len(D.load_dataset("cifar10-valid").train) == 100


def test_subset_is_fixed_and_cuts_every_split(cifar10_root):
    b = D.load_dataset("cifar10-valid", cifar10_root)
    s1, s2 = b.subset(30), b.subset(30)
    assert len(s1.train) == len(s1.valid) == len(s1.test) == 30
    assert torch.equal(s1.train.images, s2.train.images)
    with pytest.raises(DataError, match="subset"):
        b.subset(0)


@pytest.mark.parametrize("name", ["data_batch_3", "test_batch"])
def test_missing_cifar_file_is_named(cifar10_root, name):
    (cifar10_root / "cifar-10-batches-py" / name).unlink()
    with pytest.raises(DataError, match=name):
        D.load_dataset("cifar10-valid", cifar10_root)


def test_corrupt_pickle_is_named(cifar10_root):
    path = cifar10_root / "cifar-10-batches-py" / "data_batch_2"
    path.write_bytes(path.read_bytes()[:500])
    with pytest.raises(DataError, match="data_batch_2 is corrupt"):
        D.load_dataset("cifar10-valid", cifar10_root)


def test_wrong_shape_is_corrupt(tmp_path):
    import pickle

    folder = write_cifar100(tmp_path)
    (folder / "test").write_bytes(pickle.dumps({b"data": np.zeros((3, 100), np.uint8), b"fine_labels": [0, 1, 2]}))
    with pytest.raises(DataError, match="test is corrupt"):
        D.load_dataset("cifar100", folder)


def test_corrupt_and_missing_idx(tmp_path):
    root = write_fashion(tmp_path / "fm")
    (root / "t10k-labels-idx1-ubyte.gz").write_bytes(b"not gzip at all")
    with pytest.raises(DataError, match="t10k-labels-idx1-ubyte.gz is corrupt"):
        D.load_dataset("fashion-mnist", root)
    (root / "t10k-labels-idx1-ubyte.gz").write_bytes(gzip.compress(idx_bytes(np.zeros((5, 2)))))  # wrong magic
    with pytest.raises(DataError, match="magic"):
        D.load_dataset("fashion-mnist", root)
    (root / "t10k-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(DataError, match="t10k-labels-idx1-ubyte.gz is missing"):
        D.load_dataset("fashion-mnist", root)


def test_no_files_anywhere_names_env_var(tmp_path, monkeypatch):
    monkeypatch.setenv("NASBENCH_SUITE_IMAGENET16", str(tmp_path / "nowhere"))
    monkeypatch.setattr(D, "candidate_roots", lambda source: [tmp_path / "nowhere"])
    with pytest.raises(DataError, match=r"\$NASBENCH_SUITE_IMAGENET16"):
        D.load_dataset("imagenet16")
    with pytest.raises(UnknownNameError, match="fashion-mnist"):
        D.load_dataset("mnist")


def test_download_without_torchvision_fails_cleanly(tmp_path, monkeypatch):
    monkeypatch.setattr(D, "candidate_roots", lambda source: [tmp_path])
    with pytest.raises(DataError, match="not found"):
        D.load_dataset("cifar10", download=True)  # no torchvision / no network: still one clear error


# --- the batched (GPU-style) augmentation, run on CPU tensors -----------------------------
def test_random_crop_matches_padded_windows():
    g = torch.Generator().manual_seed(0)
    x = torch.randint(0, 256, (64, 3, 8, 8), dtype=torch.uint8)
    out = random_crop(x, 2, g)
    assert out.shape == x.shape and out.dtype == torch.uint8
    padded = torch.nn.functional.pad(x, (2, 2, 2, 2))
    for b in range(64):  # every output is some 8x8 window of its own padded image
        windows = [padded[b, :, i : i + 8, j : j + 8] for i in range(5) for j in range(5)]
        assert any(torch.equal(out[b], w) for w in windows)
    assert not torch.equal(out, x)  # some offsets are not (2, 2)


def test_random_flip_flips_about_half():
    g = torch.Generator().manual_seed(1)
    x = torch.arange(2 * 1 * 2 * 3, dtype=torch.uint8).reshape(2, 1, 2, 3).repeat(200, 1, 1, 1)
    out = random_flip(x, g)
    flipped = (out == x.flip(3)).flatten(1).all(1)
    kept = (out == x).flatten(1).all(1)
    assert bool((flipped | kept).all()) and 150 < int(flipped.sum()) < 250


def test_augmentation_is_seeded_and_epochs_cover_the_data():
    x = torch.randint(0, 256, (100, 3, 8, 8), dtype=torch.uint8)
    y = torch.arange(100)
    a = augment(x, 4, True, torch.Generator().manual_seed(5))
    b = augment(x, 4, True, torch.Generator().manual_seed(5))
    assert torch.equal(a, b)
    labels = torch.cat([lab for _, lab in train_batches(x, y, 32, torch.Generator().manual_seed(0), 4, True)])
    assert sorted(labels.tolist()) == list(range(100)) and labels.tolist() != list(range(100))


def test_normalizer_matches_reference():
    spec = D.TRAIN_DATASETS["cifar10"]
    x = torch.randint(0, 256, (4, 3, 5, 5), dtype=torch.uint8)
    ref = (x.float() / 255 - torch.tensor(spec.mean).view(1, 3, 1, 1)) / torch.tensor(spec.std).view(1, 3, 1, 1)
    torch.testing.assert_close(Normalizer(spec.mean, spec.std, "cpu")(x), ref)
    assert Normalizer(spec.mean, spec.std, "cpu", channels_last=True)(x).is_contiguous(memory_format=torch.channels_last)
