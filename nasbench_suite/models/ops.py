"""Operations of the NB201 cell and the ResNet block between stages.

Same modules (and so the same parameters) as NB201's ``cell_operations.py``: ``none`` is a zero
map, ``skip_connect`` the identity, ``nor_conv_kxk`` ReLU-Conv(k x k, no bias)-BN(affine) and
``avg_pool_3x3`` a 3x3 average pooling that ignores the padding. All cell ops keep the channel
count and the resolution.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn

from nasbench_suite.errors import unknown
from nasbench_suite.space.codec import OPS


class Zero(nn.Module):
    """The ``none`` operation: an all-zero tensor of the input's shape."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.mul(0.0)


class ReLUConvBN(nn.Module):
    """ReLU -> Conv2d(k x k, no bias) -> BatchNorm2d (affine)."""

    def __init__(self, c_in: int, c_out: int, kernel: int, stride: int = 1) -> None:
        super().__init__()
        self.op = nn.Sequential(
            nn.ReLU(inplace=False),
            nn.Conv2d(c_in, c_out, kernel, stride=stride, padding=kernel // 2, bias=False),
            nn.BatchNorm2d(c_out),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.op(x)


class ResNetBasicBlock(nn.Module):
    """NB201's reduction block: two ReLU-Conv3x3-BN (the first with ``stride``) plus a shortcut
    of AvgPool2d(2) and a bias-free 1x1 conv. Input (B, c_in, H, W) -> (B, c_out, H/2, W/2)."""

    def __init__(self, c_in: int, c_out: int, stride: int = 2) -> None:
        super().__init__()
        self.conv_a = ReLUConvBN(c_in, c_out, 3, stride)
        self.conv_b = ReLUConvBN(c_out, c_out, 3, 1)
        self.downsample = nn.Sequential(
            nn.AvgPool2d(kernel_size=2, stride=2, padding=0),
            nn.Conv2d(c_in, c_out, kernel_size=1, stride=1, padding=0, bias=False),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.downsample(x) + self.conv_b(self.conv_a(x))


OP_FACTORIES: dict[str, Callable[[int], nn.Module]] = {
    "none": lambda c: Zero(),
    "skip_connect": lambda c: nn.Identity(),
    "nor_conv_1x1": lambda c: ReLUConvBN(c, c, 1),
    "nor_conv_3x3": lambda c: ReLUConvBN(c, c, 3),
    "avg_pool_3x3": lambda c: nn.AvgPool2d(3, stride=1, padding=1, count_include_pad=False),
}


def make_op(name: str, channels: int) -> nn.Module:
    """The module of cell operation ``name`` (one of :data:`~nasbench_suite.space.codec.OPS`)."""
    if name not in OP_FACTORIES:
        raise unknown("cell operation", name, OPS)
    return OP_FACTORIES[name](channels)
