"""The data a one-shot search runs on (train split: weights; valid split: architecture)."""

from __future__ import annotations

from dataclasses import replace

import torch

SYNTHETIC = "synthetic"


def search_data(dataset: str, subset: int | None = None, root=None, seed: int = 0):
    """The :class:`~nasbench_suite.train.data.DataBundle` a search runs on.

    ``synthetic``: 64 + 64 random 3 x 8 x 8 images in 10 classes (tests and smoke runs; no signal).
    ``cifar10`` / ``cifar10-valid``: CIFAR-10 train split in two class-stratified halves of 25k
    (weights / architecture), as NB201. Others: the training setting's train / valid splits
    (:func:`~nasbench_suite.train.data.load_dataset`); a setting without a validation split has
    its training set halved. ``subset`` cuts every split to its first ``subset`` images (fixed
    permutation).
    """
    from nasbench_suite.train.data import load_dataset, train_dataset_name

    if str(dataset).lower() == SYNTHETIC:
        return _synthetic(seed)
    name = train_dataset_name(dataset)
    data = load_dataset("cifar10-valid" if name == "cifar10" else name, root=root)
    if data.valid is None:  # no such setting today; kept for new readers
        from nasbench_suite.train.data import stratified_halves

        a, b = stratified_halves(data.train.labels.numpy())
        data = replace(data, train=data.train.take(a), valid=data.train.take(b))
    return data.subset(subset)


def _synthetic(seed: int = 0, n: int = 64, side: int = 8):
    from nasbench_suite.train.data import TRAIN_DATASETS, DataBundle, Split

    spec = replace(TRAIN_DATASETS["cifar10-valid"], name=SYNTHETIC, resolution=side, pad=1)
    g = torch.Generator().manual_seed(int(seed))

    def split() -> Split:
        return Split(
            torch.randint(0, 256, (n, 3, side, side), dtype=torch.uint8, generator=g),
            torch.randint(0, 10, (n,), generator=g),
        )

    return DataBundle(spec, split(), split(), split(), SYNTHETIC)
