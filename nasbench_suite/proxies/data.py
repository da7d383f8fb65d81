"""The mini-batch the data-dependent proxies read, from the best real images available.

Sources, in order of preference:

1. ``$NASBENCH_SUITE_CIFAR10``: the CIFAR-10 ``cifar-10-batches-py`` folder (python pickles), the
   images NB201 trained on; images are drawn from ``data_batch_1``.
2. The 20 real CIFAR-10 test images shipped beside the project
   (``$NASBENCH_SUITE_IMAGES`` or ``../shared/images/cifar10-samples``, ``*_L.png``, L the label).
3. Fashion-MNIST (``/usr/share/datasets/fashion-mnist``, IDX .gz), grey levels repeated to three
   channels and padded to 32 x 32.

Images get NB201's training augmentation (random 32 x 32 crop of the 4-padded image, random
horizontal flip, seeded), as a proxy computed from NB201's train loader would see them; a batch
larger than the source cycles through its images with fresh augmentations. ImageNet16-120 batches
are average-pooled to 16 x 16. Labels are CIFAR-10 / Fashion-MNIST classes (0..9) whatever the
dataset's class count. No torch here: arrays are numpy, the scorer converts them.
"""

from __future__ import annotations

import gzip
import os
import struct
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from nasbench_suite.errors import DataError
from nasbench_suite.paths import REPO_DIR

CIFAR_MEAN = np.array([0.4914, 0.4822, 0.4465], dtype=np.float32)
CIFAR_STD = np.array([0.2470, 0.2435, 0.2616], dtype=np.float32)
FMNIST_MEAN, FMNIST_STD = 0.2860, 0.3530
FMNIST_DIR = Path("/usr/share/datasets/fashion-mnist")


@dataclass
class ImageBatch:
    """A normalised batch: ``images`` float32 (B, 3, H, W), ``labels`` int64 (B,), ``source``."""

    images: np.ndarray
    labels: np.ndarray
    source: dict = field(default_factory=dict)


# --- readers ------------------------------------------------------------------------------------
def read_cifar10_batch(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """One ``cifar-10-batches-py`` pickle -> (uint8 images (N, 32, 32, 3), int64 labels (N,))."""
    from nasbench_suite import safeload

    raw = safeload.load_file(path, encoding="bytes")  # the audited loader: no code runs
    try:
        data = np.asarray(raw[b"data"], dtype=np.uint8).reshape(-1, 3, 32, 32)
        labels = np.asarray(raw[b"labels"], dtype=np.int64)
    except (KeyError, ValueError, TypeError, IndexError) as exc:
        raise DataError(f"{path} is not a CIFAR-10 python batch ({exc})") from exc
    return data.transpose(0, 2, 3, 1), labels


def _paeth(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    p = a.astype(np.int16) + b - c
    pa, pb, pc = np.abs(p - a), np.abs(p - b), np.abs(p - c)
    return np.where((pa <= pb) & (pa <= pc), a, np.where(pb <= pc, b, c)).astype(np.uint8)


def decode_png(data: bytes) -> np.ndarray:
    """Minimal PNG decoder (8-bit grey / RGB / RGBA, not interlaced) -> uint8 (H, W, channels).

    Used when Pillow is missing; enough for the CIFAR-10 sample images.
    """
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise DataError("not a PNG file")
    pos, idat, header = 8, [], None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        chunk = data[pos + 8 : pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", chunk)
        elif kind == b"IDAT":
            idat.append(chunk)
        elif kind == b"IEND":
            break
    if header is None:
        raise DataError("PNG without IHDR")
    width, height, depth, color, _, _, interlace = header
    channels = {0: 1, 2: 3, 6: 4, 4: 2}.get(color)
    if depth != 8 or channels is None or interlace:
        raise DataError(
            f"unsupported PNG (bit depth {depth}, colour type {color}, interlace {interlace})"
        )
    raw = np.frombuffer(zlib.decompress(b"".join(idat)), dtype=np.uint8)
    stride = width * channels
    rows = raw.reshape(height, stride + 1)
    out = np.zeros((height, stride), dtype=np.uint8)
    prev = np.zeros(stride, dtype=np.uint8)
    for y in range(height):
        kind, line = rows[y, 0], rows[y, 1:].copy()
        if kind == 1 or kind == 3 or kind == 4:
            for x in range(stride):  # left-dependent filters, byte by byte
                left = line[x - channels] if x >= channels else 0
                if kind == 1:
                    line[x] = (int(line[x]) + int(left)) & 255
                elif kind == 3:
                    line[x] = (int(line[x]) + (int(left) + int(prev[x])) // 2) & 255
                else:
                    ul = prev[x - channels] if x >= channels else 0
                    line[x] = (
                        int(line[x]) + int(_paeth(np.uint8(left), prev[x], np.uint8(ul)))
                    ) & 255
        elif kind == 2:
            line = (line.astype(np.uint16) + prev).astype(np.uint8)
        elif kind != 0:
            raise DataError(f"bad PNG filter type {kind}")
        out[y], prev = line, line
    return out.reshape(height, width, channels)


def read_png(path: Path) -> np.ndarray:
    """A PNG as uint8 (H, W, 3), with Pillow when installed, else :func:`decode_png`."""
    try:
        from PIL import Image
    except ImportError:
        img = decode_png(Path(path).read_bytes())
    else:
        with Image.open(path) as handle:
            img = np.asarray(handle.convert("RGB"))
    if img.shape[2] == 1 or img.shape[2] == 2:
        img = np.repeat(img[:, :, :1], 3, axis=2)
    return np.ascontiguousarray(img[:, :, :3])


def read_idx_gz(path: Path) -> np.ndarray:
    """An IDX file (MNIST format), gzip-compressed -> uint8 array."""
    with gzip.open(path, "rb") as handle:
        data = handle.read()
    ndim = data[3]
    shape = struct.unpack(">" + "I" * ndim, data[4 : 4 + 4 * ndim])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)


# --- sources ------------------------------------------------------------------------------------
def png_dir() -> Path | None:
    """The folder of CIFAR-10 sample PNGs, or None."""
    env = os.environ.get("NASBENCH_SUITE_IMAGES")
    candidates = [Path(env)] if env else []
    candidates += [
        REPO_DIR.parent / "shared" / "images" / "cifar10-samples",
        Path.cwd().parent / "shared" / "images" / "cifar10-samples",
    ]
    return next((c for c in candidates if c.is_dir() and any(c.glob("*.png"))), None)


def _from_cifar(folder: Path) -> tuple[np.ndarray, np.ndarray, dict]:
    images, labels = read_cifar10_batch(folder / "data_batch_1")
    return images, labels, {"kind": "cifar10-batches-py", "path": str(folder / "data_batch_1")}


def _from_pngs(folder: Path) -> tuple[np.ndarray, np.ndarray, dict]:
    files = sorted(folder.glob("*.png"))
    images = np.stack([read_png(f) for f in files])
    labels = np.array([int(f.stem.rsplit("_", 1)[1]) for f in files], dtype=np.int64)
    return images, labels, {"kind": "cifar10-png", "path": str(folder), "files": len(files)}


def _from_fmnist(folder: Path) -> tuple[np.ndarray, np.ndarray, dict]:
    images = read_idx_gz(folder / "train-images-idx3-ubyte.gz")
    labels = read_idx_gz(folder / "train-labels-idx1-ubyte.gz").astype(np.int64)
    images = np.pad(images, ((0, 0), (2, 2), (2, 2)))[..., None].repeat(3, axis=3)
    return images, labels, {"kind": "fashion-mnist", "path": str(folder)}


def find_source() -> tuple[np.ndarray, np.ndarray, dict]:
    """uint8 images (N, 32, 32, 3), labels and a description of the best source available."""
    env = os.environ.get("NASBENCH_SUITE_CIFAR10")
    if env:
        return _from_cifar(Path(env))
    folder = png_dir()
    if folder is not None:
        return _from_pngs(folder)
    if (FMNIST_DIR / "train-images-idx3-ubyte.gz").is_file():
        return _from_fmnist(FMNIST_DIR)
    raise DataError(
        "no images for the data-dependent proxies: set $NASBENCH_SUITE_CIFAR10 to a "
        "cifar-10-batches-py folder or $NASBENCH_SUITE_IMAGES to a folder of *_LABEL.png images"
    )


def augment(images: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """NB201's train augmentation: random 32x32 crop of the 4-padded image + random h-flip."""
    n, h, w, _ = images.shape
    padded = np.pad(images, ((0, 0), (4, 4), (4, 4), (0, 0)))
    out = np.empty_like(images)
    for i in range(n):
        dy, dx = rng.integers(0, 9, size=2)
        crop = padded[i, dy : dy + h, dx : dx + w]
        out[i] = crop[:, ::-1] if rng.random() < 0.5 else crop
    return out


def load_batch(
    batch_size: int, seed: int, resolution: int = 32, augmented: bool = True
) -> ImageBatch:
    """A fixed, seeded, normalised mini-batch of ``batch_size`` real images.

    Args:
        batch_size: images in the batch (a small source is cycled through).
        seed: draws which images and which augmentations.
        resolution: 32, or 16 for ImageNet16-120 (2x2 average pooling).
        augmented: apply NB201's crop / flip augmentation.
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be positive, got {batch_size}")
    images, labels, source = find_source()
    rng = np.random.default_rng(seed)
    n = images.shape[0]
    if batch_size <= n:
        pick = rng.choice(n, size=batch_size, replace=False)
    else:
        pick = np.concatenate([rng.permutation(n) for _ in range(-(-batch_size // n))])[
            :batch_size
        ]
    chosen = images[pick]
    if augmented:
        chosen = augment(chosen, rng)
    x = chosen.astype(np.float32) / 255.0
    if source["kind"] == "fashion-mnist":
        x = (x - FMNIST_MEAN) / FMNIST_STD
    else:
        x = (x - CIFAR_MEAN) / CIFAR_STD
    x = np.ascontiguousarray(x.transpose(0, 3, 1, 2))
    if resolution != x.shape[2]:
        factor = x.shape[2] // resolution
        if factor * resolution != x.shape[2]:
            raise ValueError(f"resolution must divide {x.shape[2]}, got {resolution}")
        x = x.reshape(x.shape[0], 3, resolution, factor, resolution, factor).mean(axis=(3, 5))
    source = {
        **source,
        "batch_size": batch_size,
        "seed": seed,
        "distinct_images": len(set(pick.tolist())),
        "augmented": augmented,
        "resolution": resolution,
    }
    return ImageBatch(x.astype(np.float32), labels[pick].astype(np.int64), source)
