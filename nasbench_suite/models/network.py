"""NB201's ``TinyNetwork``: the macro skeleton every benchmark cell was trained in.

stem (3x3 conv C, no bias + BN) -> N cells (C) -> ResNet block (2C, stride 2) -> N cells (2C)
-> ResNet block (4C, stride 2) -> N cells (4C) -> BN-ReLU -> global average pooling -> linear.
Its parameter count (weights + BN affine terms) equals :func:`nasbench_suite.bench.cost.cost`
for every cell.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from nasbench_suite.models.cell import InferCell
from nasbench_suite.models.ops import ResNetBasicBlock
from nasbench_suite.space.codec import OpTuple, check_ops, parse_arch


class TinyNetwork(nn.Module):
    """The NB201 network on one cell.

    Args:
        ops: op tuple of the cell (arch-string edge order).
        num_classes: classifier outputs (10 CIFAR-10, 100 CIFAR-100, 120 ImageNet16-120).
        channels: C, the channels of the first stage (2C and 4C follow).
        cells_per_stage: N, cells in each of the three stages.
        in_channels: image channels (3 RGB, 1 grayscale).

    ``forward`` maps images (B, in_channels, H, W) to logits (B, num_classes).
    """

    def __init__(
        self,
        ops: Sequence[int],
        num_classes: int = 10,
        channels: int = 16,
        cells_per_stage: int = 5,
        in_channels: int = 3,
    ) -> None:
        super().__init__()
        for name, value in (
            ("num_classes", num_classes),
            ("channels", channels),
            ("cells_per_stage", cells_per_stage),
            ("in_channels", in_channels),
        ):
            if int(value) < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        self.ops_tuple: OpTuple = check_ops(ops)
        self.num_classes, self.channels = int(num_classes), int(channels)
        self.cells_per_stage, self.in_channels = int(cells_per_stage), int(in_channels)
        c = self.channels
        self.stem = nn.Sequential(
            nn.Conv2d(self.in_channels, c, kernel_size=3, padding=1, bias=False), nn.BatchNorm2d(c)
        )
        layers: list[nn.Module] = []
        for stage in range(3):
            if stage:
                layers.append(ResNetBasicBlock(c, 2 * c, stride=2))
                c *= 2
            layers.extend(InferCell(self.ops_tuple, c) for _ in range(self.cells_per_stage))
        self.cells = nn.Sequential(*layers)
        self.lastact = nn.Sequential(nn.BatchNorm2d(c), nn.ReLU(inplace=False))
        self.global_pooling = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Linear(c, self.num_classes)

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        """Features before global average pooling: (B, 4C, H/4, W/4), after the final BN-ReLU."""
        return self.lastact(self.cells(self.stem(x)))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.global_pooling(self.forward_features(x)).flatten(1)
        return self.classifier(out)


def _as_ops(ops_or_arch: str | Sequence[int]) -> OpTuple:
    if isinstance(ops_or_arch, str):
        return parse_arch(ops_or_arch)
    return check_ops(ops_or_arch)


def build_network(
    ops_or_arch: str | Sequence[int],
    num_classes: int = 10,
    channels: int = 16,
    cells_per_stage: int = 5,
    in_channels: int = 3,
) -> TinyNetwork:
    """Build the NB201 network of a cell given as an op tuple or an arch string.

    (An NB201 index needs the index map: ``build_network(store.index_map.ops(i))``.)
    Weights use PyTorch's default initialisation, drawn from torch's global generator: seed it
    (``torch.manual_seed``) for reproducible weights.
    """
    return TinyNetwork(_as_ops(ops_or_arch), num_classes, channels, cells_per_stage, in_channels)


def count_parameters(model: nn.Module) -> int:
    """Parameters as NB201 counts them: weights and BN affine terms, not running statistics."""
    return sum(p.numel() for p in model.parameters())
