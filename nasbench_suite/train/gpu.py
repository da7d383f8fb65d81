"""Batched, device-resident data pipeline: augmentation and normalisation as tensor ops.

The whole dataset lives on the training device as uint8 (CIFAR-10's 50k images are 150 MB), so an
epoch never touches the host: a shuffle is one ``randperm``, a random crop is a zero pad plus one
gather with random offsets, a flip is a ``where`` on a random mask. Every random draw comes from a
``torch.Generator`` on that device, so a seed fixes the sequence. The same functions run on CPU
tensors (the CPU trainer and the tests use them too), which keeps the two paths identical.

Semantics match torchvision's ``RandomCrop(size, padding=p)`` (zero padding of the raw image,
i.e. black pixels before normalisation) and ``RandomHorizontalFlip(0.5)``.
"""

from __future__ import annotations

from collections.abc import Iterator

import torch


def random_crop(images: torch.Tensor, pad: int, generator: torch.Generator) -> torch.Tensor:
    """Random ``H x W`` crops of the zero-padded batch (B, C, H, W) -> (B, C, H, W), same dtype.

    Offsets are drawn per image, uniformly in ``0..2*pad`` for rows and columns.
    """
    if pad <= 0:
        return images
    b, c, h, w = images.shape
    padded = torch.nn.functional.pad(images, (pad, pad, pad, pad))
    dev = images.device
    oy = torch.randint(0, 2 * pad + 1, (b,), device=dev, generator=generator)
    ox = torch.randint(0, 2 * pad + 1, (b,), device=dev, generator=generator)
    rows = (oy[:, None] + torch.arange(h, device=dev))[:, None, :, None]  # (B, 1, H, 1)
    cols = (ox[:, None] + torch.arange(w, device=dev))[:, None, None, :]  # (B, 1, 1, W)
    bi = torch.arange(b, device=dev)[:, None, None, None]
    ci = torch.arange(c, device=dev)[None, :, None, None]
    return padded[bi, ci, rows, cols]


def random_flip(images: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """Flip each image of (B, C, H, W) horizontally with probability 0.5."""
    mask = torch.rand(images.shape[0], device=images.device, generator=generator) < 0.5
    return torch.where(mask[:, None, None, None], images.flip(3), images)


def augment(images: torch.Tensor, pad: int, flip: bool, generator: torch.Generator) -> torch.Tensor:
    """Crop (then flip) a uint8 batch on its own device."""
    out = random_crop(images, pad, generator)
    return random_flip(out, generator) if flip else out


class Normalizer:
    """uint8 (B, C, H, W) -> float, scaled to [0, 1] then ``(x - mean) / std`` per channel."""

    def __init__(self, mean, std, device, channels_last: bool = False) -> None:
        self.scale = (1.0 / (255.0 * torch.tensor(std, dtype=torch.float32, device=device))).view(1, -1, 1, 1)
        self.shift = (torch.tensor(mean, dtype=torch.float32, device=device)
                      / torch.tensor(std, dtype=torch.float32, device=device)).view(1, -1, 1, 1)
        self.channels_last = channels_last

    def __call__(self, images: torch.Tensor) -> torch.Tensor:
        out = images.float() * self.scale - self.shift
        return out.contiguous(memory_format=torch.channels_last) if self.channels_last else out


def train_batches(
    images: torch.Tensor,
    labels: torch.Tensor,
    batch_size: int,
    generator: torch.Generator,
    pad: int,
    flip: bool,
) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
    """One shuffled, augmented epoch of uint8 batches (the last batch may be smaller)."""
    n = labels.shape[0]
    order = torch.randperm(n, device=images.device, generator=generator)
    for start in range(0, n, batch_size):
        idx = order[start : start + batch_size]
        yield augment(images[idx], pad, flip, generator), labels[idx]


def eval_batches(images: torch.Tensor, labels: torch.Tensor, batch_size: int):
    """Unshuffled, unaugmented batches for evaluation."""
    for start in range(0, labels.shape[0], batch_size):
        yield images[start : start + batch_size], labels[start : start + batch_size]


def make_generator(seed: int, device: torch.device) -> torch.Generator:
    """A ``torch.Generator`` on ``device`` seeded with ``seed`` (CUDA generators for CUDA data)."""
    g = torch.Generator(device=device)
    g.manual_seed(int(seed))
    return g


def cuda_setup(device: torch.device) -> None:
    """Fast-math settings for the GPU path: TF32 matmuls / convs and cuDNN autotuning.

    (bf16 autocast covers most of the work; TF32 speeds up what stays in float32.)
    """
    if device.type == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True
        torch.backends.cudnn.benchmark = True


def autocast(device: torch.device, amp: bool):
    """bf16 autocast on ``device`` when ``amp``, else a no-op context."""
    import contextlib

    return torch.autocast(device.type, dtype=torch.bfloat16) if amp else contextlib.nullcontext()


def synchronize(device: torch.device) -> None:
    """Wait for queued CUDA work (timings); a no-op on the CPU."""
    if device.type == "cuda":
        torch.cuda.synchronize(device)
