"""Readers for the image datasets NB201 trained on (plus Fashion-MNIST), as uint8 tensors.

Every reader returns a :class:`DataBundle`: train / valid / test :class:`Split` objects holding
``images`` (N, C, H, W) ``torch.uint8`` and ``labels`` (N,) ``torch.int64`` (0-based), plus the
per-dataset normalisation and augmentation settings. Nothing is normalised or augmented here; the
trainer does it in batch (on the GPU when training there).

Splits (all class-stratified splits use a fixed seed, :data:`SPLIT_SEED`, and are documented so
they can be reproduced; NB201's own split files are random index lists we do not ship):

============== ================================ ================================ ==================
setting        train                            valid                            test
============== ================================ ================================ ==================
cifar10-valid  CIFAR-10 train, 25k (half of      CIFAR-10 train, the other 25k    CIFAR-10 test, 10k
               each class, seeded)
cifar10        CIFAR-10 train, 50k              none (NB201 trains on all)       CIFAR-10 test, 10k
cifar100       CIFAR-100 train, 50k             CIFAR-100 test, 5k (half of      CIFAR-100 test,
                                                each class, seeded)              other 5k
ImageNet16-120 train batches 1-10, labels 1-120 val_data, half of each class      other half
fashion-mnist  train 60k minus valid: 50k       train, 1000 per class (seeded)   t10k, 10k
============== ================================ ================================ ==================

File locations: ``$NASBENCH_SUITE_CIFAR10`` (the ``cifar-10-batches-py`` folder or its parent),
``$NASBENCH_SUITE_CIFAR100`` (``cifar-100-python`` or its parent), ``$NASBENCH_SUITE_IMAGENET16``
(the folder with ``train_data_batch_1..10`` and ``val_data``), ``$NASBENCH_SUITE_FASHION_MNIST``
(the folder with the four IDX ``.gz`` files); otherwise the standard places listed in
:func:`candidate_roots` (``$TORCH_HOME/cifar.python`` as NB201 used, ``data/`` of the checkout,
``~/.cache/nasbench-suite/data``, and ``/usr/share/datasets/fashion-mnist`` of the Debian package
``dataset-fashion-mnist``). ``download=True`` fetches CIFAR / Fashion-MNIST through torchvision when
it is importable and the network answers; it is never required.
"""

from __future__ import annotations

import gzip
import os
import struct
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from nasbench_suite.errors import DataError, unknown
from nasbench_suite.paths import REPO_DIR

SPLIT_SEED = 201  # seed of every class-stratified split (numpy default_rng)
SUBSET_SEED = 0  # seed of the permutation --subset takes its first N images from


@dataclass(frozen=True)
class DatasetSpec:
    """How a training setting is read, normalised and augmented.

    Attributes:
        name: setting name (NB201's, plus ``fashion-mnist``).
        source: raw dataset read (``cifar10``, ``cifar100``, ``imagenet16``, ``fashion-mnist``).
        num_classes / in_channels / resolution: network input and output shape.
        mean / std: per-channel normalisation of images scaled to [0, 1].
        pad: zero padding of the random crop (pixels); flip: random horizontal flip.
    """

    name: str
    source: str
    num_classes: int
    in_channels: int
    resolution: int
    mean: tuple[float, ...]
    std: tuple[float, ...]
    pad: int
    flip: bool


_C10 = ((125.3 / 255, 123.0 / 255, 113.9 / 255), (63.0 / 255, 62.1 / 255, 66.7 / 255))
_C100 = ((129.3 / 255, 124.1 / 255, 112.4 / 255), (68.2 / 255, 65.4 / 255, 70.4 / 255))
_IN16 = ((122.68 / 255, 116.66 / 255, 104.01 / 255), (63.22 / 255, 61.26 / 255, 65.09 / 255))

# NB201 augmentation: random crop (pad 4 on 32x32, pad 2 on 16x16) + horizontal flip.
# Fashion-MNIST: crop with pad 4 but no flip (its images are canonically oriented: shoes all
# point left, so flipped images fall outside the test distribution).
TRAIN_DATASETS: dict[str, DatasetSpec] = {
    d.name: d
    for d in (
        DatasetSpec("cifar10-valid", "cifar10", 10, 3, 32, *_C10, pad=4, flip=True),
        DatasetSpec("cifar10", "cifar10", 10, 3, 32, *_C10, pad=4, flip=True),
        DatasetSpec("cifar100", "cifar100", 100, 3, 32, *_C100, pad=4, flip=True),
        DatasetSpec("ImageNet16-120", "imagenet16", 120, 3, 16, *_IN16, pad=2, flip=True),
        DatasetSpec("fashion-mnist", "fashion-mnist", 10, 1, 28, (0.2860,), (0.3530,), pad=4, flip=False),
    )
}
_ALIASES = {n.lower(): n for n in TRAIN_DATASETS} | {
    "imagenet": "ImageNet16-120", "imagenet16": "ImageNet16-120", "fashion_mnist": "fashion-mnist",
    "fashionmnist": "fashion-mnist",
}
ENV_VARS = {
    "cifar10": "NASBENCH_SUITE_CIFAR10",
    "cifar100": "NASBENCH_SUITE_CIFAR100",
    "imagenet16": "NASBENCH_SUITE_IMAGENET16",
    "fashion-mnist": "NASBENCH_SUITE_FASHION_MNIST",
}
# Folder holding the files inside a root, and the files each source needs.
SUBDIRS = {"cifar10": "cifar-10-batches-py", "cifar100": "cifar-100-python", "imagenet16": "ImageNet16",
           "fashion-mnist": "fashion-mnist"}
FILES = {
    "cifar10": tuple(f"data_batch_{i}" for i in range(1, 6)) + ("test_batch",),
    "cifar100": ("train", "test"),
    "imagenet16": tuple(f"train_data_batch_{i}" for i in range(1, 11)) + ("val_data",),
    "fashion-mnist": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
                      "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
}
DEBIAN_FASHION_MNIST = Path("/usr/share/datasets/fashion-mnist")


def train_dataset_name(name: str) -> str:
    """Canonical training-setting name (case-insensitive; ``imagenet`` accepted)."""
    canonical = _ALIASES.get(str(name).lower())
    if canonical is None:
        raise unknown("training dataset", name, tuple(TRAIN_DATASETS))
    return canonical


@dataclass(frozen=True)
class Split:
    """Images (N, C, H, W) uint8 and labels (N,) int64, on one device."""

    images: torch.Tensor  # noqa: F821
    labels: torch.Tensor  # noqa: F821

    def __len__(self) -> int:
        return int(self.labels.shape[0])

    def take(self, index: np.ndarray) -> Split:
        """The rows ``index`` (a numpy int array)."""
        import torch

        idx = torch.as_tensor(np.asarray(index, dtype=np.int64))
        return Split(self.images[idx], self.labels[idx])

    def to(self, device) -> Split:
        """This split on ``device`` (still uint8: 4x less memory than float32)."""
        return Split(self.images.to(device), self.labels.to(device))


@dataclass(frozen=True)
class DataBundle:
    """A training setting's splits (``valid`` None when it has none) and its :class:`DatasetSpec`."""

    spec: DatasetSpec
    train: Split
    valid: Split | None
    test: Split
    root: str

    def subset(self, n: int | None) -> DataBundle:
        """Quick-run version: the first ``n`` images of a fixed permutation of each split.

        Train, valid and test are each cut to at most ``n`` images (evaluation on the full
        splits would dominate a quick run). ``None`` returns the bundle unchanged.
        """
        if n is None:
            return self
        if int(n) < 1:
            raise DataError(f"subset must be a positive number of images, got {n!r}")
        cut = lambda s: None if s is None else s.take(_subset_index(len(s), int(n)))
        return replace(self, train=cut(self.train), valid=cut(self.valid), test=cut(self.test))

    def to(self, device) -> DataBundle:
        """Every split resident on ``device`` (uint8)."""
        mv = lambda s: None if s is None else s.to(device)
        return replace(self, train=mv(self.train), valid=mv(self.valid), test=mv(self.test))


def _subset_index(size: int, n: int) -> np.ndarray:
    return np.sort(np.random.default_rng(SUBSET_SEED).permutation(size)[: min(n, size)])


def stratified_halves(labels: np.ndarray, first: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Split row indices class by class with :data:`SPLIT_SEED`.

    Each class's rows are permuted; the first half (or the first ``first`` rows per class) go to
    the first part, the rest to the second. Both parts are returned sorted.
    """
    rng = np.random.default_rng(SPLIT_SEED)
    a, b = [], []
    for c in np.unique(labels):
        rows = rng.permutation(np.flatnonzero(labels == c))
        k = len(rows) // 2 if first is None else min(first, len(rows))
        a.append(rows[:k])
        b.append(rows[k:])
    return np.sort(np.concatenate(a)), np.sort(np.concatenate(b))


# --- locating files ---------------------------------------------------------------------------
def candidate_roots(source: str) -> list[Path]:
    """Folders searched for ``source``'s files, in order (env var first)."""
    out: list[Path] = []
    env = os.environ.get(ENV_VARS[source])
    if env:
        out.append(Path(env))
    torch_home = Path(os.environ.get("TORCH_HOME", Path.home() / ".torch"))
    out += [torch_home / "cifar.python", REPO_DIR / "data", Path.home() / ".cache" / "nasbench-suite" / "data"]
    if source == "fashion-mnist":
        out.append(DEBIAN_FASHION_MNIST)
    return out


def _folder_in(root: Path, source: str) -> Path | None:
    """The folder under ``root`` that holds ``source``'s first file, if any."""
    first = FILES[source][0]
    for folder in (root, root / SUBDIRS[source], root / "FashionMNIST" / "raw"):
        if (folder / first).is_file():
            return folder
    return None


def locate(source: str, root: str | Path | None = None, download: bool = False) -> Path:
    """The folder with ``source``'s files; raises :class:`DataError` saying where it looked."""
    roots = [Path(root)] if root is not None else candidate_roots(source)
    for r in roots:
        found = _folder_in(r, source)
        if found is not None:
            return found
    if download and _torchvision_download(source, roots[0]):
        found = _folder_in(roots[0], source)
        if found is not None:
            return found
    hint = {
        "fashion-mnist": "install it with `apt-get install -y dataset-fashion-mnist`",
        "imagenet16": "get ImageNet16 from the NB201 authors (it is not downloadable here)",
    }.get(source, "pass --download (needs torchvision and network) or put the files there")
    raise DataError(
        f"{source} files ({FILES[source][0]}, ...) not found in {', '.join(map(str, roots))}; "
        f"set ${ENV_VARS[source]} or {hint}"
    )


def _torchvision_download(source: str, root: Path) -> bool:
    """Try torchvision's downloader; False (never an exception) when it cannot."""
    try:
        import torchvision.datasets as tvd  # optional dependency

        cls = {"cifar10": tvd.CIFAR10, "cifar100": tvd.CIFAR100, "fashion-mnist": tvd.FashionMNIST}.get(source)
        if cls is None:
            return False
        root.mkdir(parents=True, exist_ok=True)
        for train in (True, False):
            cls(str(root), train=train, download=True)
        return True
    except Exception:  # noqa: BLE001 - no torchvision / network, disk full: caller reports it
        return False


# --- raw readers ------------------------------------------------------------------------------
def _need(folder: Path, name: str) -> Path:
    path = folder / name
    if not path.is_file():
        raise DataError(f"dataset file {path} is missing")
    return path


def _unpickle(path: Path) -> dict:
    """A CIFAR / ImageNet16 pickle through the audited loader (:mod:`nasbench_suite.safeload`)."""
    from nasbench_suite import safeload

    obj, error = None, None
    for encoding in ("bytes", "latin1"):  # Python-2 pickles (CIFAR: bytes; NB201 reads ImageNet16 as latin1)
        try:
            obj = safeload.load_file(path, encoding=encoding)
            break
        except safeload.UnsafeFileError:
            raise
        except DataError as exc:
            error = exc
    if obj is None:
        raise DataError(f"dataset file {path} is corrupt ({error})") from None
    if not isinstance(obj, dict):
        raise DataError(f"dataset file {path} is corrupt (holds {type(obj).__name__}, not a dict)")
    return {k.decode() if isinstance(k, bytes) else k: v for k, v in obj.items()}


def _planar(path: Path, obj: dict, label_key: str, side: int) -> tuple[np.ndarray, np.ndarray]:
    """(N, 3, side, side) uint8 and (N,) int64 from a CIFAR-style pickle dict."""
    try:
        data = np.asarray(obj["data"], dtype=np.uint8)
        labels = np.asarray(obj[label_key], dtype=np.int64)
        images = data.reshape(len(labels), 3, side, side)
    except (KeyError, ValueError, TypeError) as exc:
        raise DataError(f"dataset file {path} is corrupt (bad 'data' / '{label_key}': {exc})") from None
    return images, labels


def read_cifar10(folder: Path) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """((train images, labels), (test images, labels)) from ``cifar-10-batches-py``."""
    parts = [_planar(p, _unpickle(p), "labels", 32) for p in (_need(folder, f) for f in FILES["cifar10"])]
    train = (np.concatenate([p[0] for p in parts[:5]]), np.concatenate([p[1] for p in parts[:5]]))
    _check_labels(folder / "data_batch_1", train[1], 10)
    _check_labels(folder / "test_batch", parts[5][1], 10)
    return train, parts[5]


def read_cifar100(folder: Path) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """((train images, fine labels), (test images, fine labels)) from ``cifar-100-python``."""
    out = []
    for name in FILES["cifar100"]:
        path = _need(folder, name)
        images, labels = _planar(path, _unpickle(path), "fine_labels", 32)
        _check_labels(path, labels, 100)
        out.append((images, labels))
    return out[0], out[1]


def read_imagenet16(folder: Path, num_classes: int = 120):
    """((train, labels), (val, labels)) of ImageNet16, classes 1..``num_classes`` kept, 0-based."""
    out = []
    for names in (FILES["imagenet16"][:10], FILES["imagenet16"][10:]):
        images, labels = [], []
        for name in names:
            path = _need(folder, name)
            x, y = _planar(path, _unpickle(path), "labels", 16)
            if y.size and (y.min() < 1 or y.max() > 1000):
                raise DataError(f"dataset file {path} is corrupt (labels outside 1..1000)")
            keep = y <= num_classes
            images.append(x[keep])
            labels.append(y[keep] - 1)
        out.append((np.concatenate(images), np.concatenate(labels)))
    return out[0], out[1]


def _read_idx(path: Path, ndim: int) -> np.ndarray:
    """An IDX (ubyte) array from a ``.gz`` file, checked against its header."""
    try:
        with gzip.open(path, "rb") as handle:
            raw = handle.read()
        magic, = struct.unpack(">I", raw[:4])
        if magic != 0x800 + ndim:
            raise ValueError(f"magic {magic:#x}, expected {0x800 + ndim:#x}")
        shape = struct.unpack(f">{ndim}I", raw[4 : 4 + 4 * ndim])
        body = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim)
        if body.size != int(np.prod(shape)):
            raise ValueError(f"{body.size} bytes of data, header says {shape}")
        return body.reshape(shape).copy()  # writable, owns its memory
    except FileNotFoundError:
        raise DataError(f"dataset file {path} is missing") from None
    except (OSError, EOFError, ValueError, struct.error) as exc:
        raise DataError(f"dataset file {path} is corrupt ({exc})") from None


def read_fashion_mnist(folder: Path):
    """((train images (N, 1, 28, 28), labels), (test images, labels)) from the IDX .gz files."""
    names = FILES["fashion-mnist"]
    out = []
    for img_name, lab_name in ((names[0], names[1]), (names[2], names[3])):
        images = _read_idx(folder / img_name, 3)[:, None]
        labels = _read_idx(folder / lab_name, 1).astype(np.int64)
        if len(images) != len(labels):
            raise DataError(f"dataset files {folder / img_name} and {folder / lab_name} disagree "
                            f"({len(images)} images, {len(labels)} labels)")
        _check_labels(folder / lab_name, labels, 10)
        out.append((images, labels))
    return out[0], out[1]


def _check_labels(path: Path, labels: np.ndarray, num_classes: int) -> None:
    if labels.size and (labels.min() < 0 or labels.max() >= num_classes):
        raise DataError(f"dataset file {path} is corrupt (labels outside 0..{num_classes - 1})")


# --- bundles ----------------------------------------------------------------------------------
def load_dataset(name: str, root: str | Path | None = None, download: bool = False) -> DataBundle:
    """Read a training setting (see the module docstring for its splits) as uint8 tensors on CPU.

    Args:
        name: ``cifar10-valid``, ``cifar10``, ``cifar100``, ``ImageNet16-120`` or ``fashion-mnist``.
        root: folder with the raw files (default: env var, then the standard places).
        download: try torchvision's downloader when the files are missing.

    Raises:
        DataError: a file is missing or corrupt (the message names it).
    """
    spec = TRAIN_DATASETS[train_dataset_name(name)]
    folder = locate(spec.source, root, download)
    if spec.source == "cifar10":
        (x, y), test = read_cifar10(folder)
        if spec.name == "cifar10":
            return _bundle(spec, (x, y), None, test, folder)
        a, b = stratified_halves(y)
        return _bundle(spec, (x[a], y[a]), (x[b], y[b]), test, folder)
    if spec.source == "cifar100":
        train, (x, y) = read_cifar100(folder)
    elif spec.source == "imagenet16":
        train, (x, y) = read_imagenet16(folder, spec.num_classes)
    else:
        (tx, ty), test = read_fashion_mnist(folder)
        valid, rest = stratified_halves(ty, first=len(ty) // 60)  # 1000 per class of 60k
        return _bundle(spec, (tx[rest], ty[rest]), (tx[valid], ty[valid]), test, folder)
    a, b = stratified_halves(y)
    return _bundle(spec, train, (x[a], y[a]), (x[b], y[b]), folder)


def _bundle(spec: DatasetSpec, train, valid, test, folder: Path) -> DataBundle:
    import torch

    def split(pair) -> Split:
        return Split(torch.from_numpy(np.ascontiguousarray(pair[0])), torch.from_numpy(np.ascontiguousarray(pair[1])))

    return DataBundle(spec, split(train), None if valid is None else split(valid), split(test), str(folder))


def synthetic_dataset(
    name: str = "cifar10-valid", n_train: int = 512, n_eval: int = 256, seed: int = 0
) -> DataBundle:
    """Random uint8 images shaped like ``name`` (for speed measurements and tests, not learning)."""
    import torch

    spec = TRAIN_DATASETS[train_dataset_name(name)]
    g = torch.Generator().manual_seed(seed)
    shape = (spec.in_channels, spec.resolution, spec.resolution)

    def split(n: int) -> Split:
        return Split(torch.randint(0, 256, (n, *shape), dtype=torch.uint8, generator=g),
                     torch.randint(0, spec.num_classes, (n,), generator=g))

    return DataBundle(spec, split(n_train), split(n_eval), split(n_eval), "synthetic")


def class_counts(labels: Sequence[int]) -> dict[int, int]:
    """Images per class (for reports and tests)."""
    values, counts = np.unique(np.asarray(labels), return_counts=True)
    return dict(zip(values.tolist(), counts.tolist()))
