"""Dataset names, their splits and what each split means.

NB201 trains every cell on four dataset settings (:data:`NB201_DATASETS`); ``fashion-mnist`` is
added for real training and for stores exported from the training cache. Search strategies read the *validation* split;
reports read the *test* split. The convention of the NB201 and NATS-Bench papers is to search on
``cifar10-valid`` and report ``cifar10`` test accuracy.
"""

from __future__ import annotations

from dataclasses import dataclass

from nasbench_suite.errors import unknown


@dataclass(frozen=True)
class DatasetInfo:
    """What an NB201 dataset setting trains on and what its valid / test splits are."""

    name: str
    num_classes: int
    resolution: int
    train: str
    valid: str | None
    test: str | None
    in_channels: int = 3


DATASETS: dict[str, DatasetInfo] = {
    d.name: d
    for d in (
        DatasetInfo("cifar10-valid", 10, 32, "CIFAR-10 train, first 25k", "CIFAR-10 train, other 25k", None),
        DatasetInfo("cifar10", 10, 32, "CIFAR-10 train, all 50k", None, "CIFAR-10 test, 10k"),
        DatasetInfo("cifar100", 100, 32, "CIFAR-100 train, 50k", "CIFAR-100 test, half (5k)", "CIFAR-100 test, other half (5k)"),
        DatasetInfo("ImageNet16-120", 120, 16, "ImageNet16-120 train, 151.7k", "ImageNet16-120 val, half (3k)", "ImageNet16-120 val, other half (3k)"),
        DatasetInfo("fashion-mnist", 10, 28, "Fashion-MNIST train, 50k", "Fashion-MNIST train, other 10k (1000 per class)", "Fashion-MNIST t10k", in_channels=1),
    )
}
DATASET_NAMES: tuple[str, ...] = tuple(DATASETS)
NB201_DATASETS: tuple[str, ...] = ("cifar10-valid", "cifar10", "cifar100", "ImageNet16-120")
SEEDS: tuple[int, ...] = (777, 888, 999)
_ALIASES = {n.lower(): n for n in DATASET_NAMES} | {"imagenet": "ImageNet16-120", "imagenet16": "ImageNet16-120"}


def dataset_name(name: str) -> str:
    """Canonical NB201 dataset name; case-insensitive, ``imagenet`` accepted for ImageNet16-120."""
    canonical = _ALIASES.get(str(name).lower())
    if canonical is None:
        raise unknown("dataset", name, DATASET_NAMES)
    return canonical
