"""The NAS-Bench-Macro network in PyTorch, as the benchmark's authors trained it.

Written from the semantics of ``train/model.py`` of github.com/xiusu/NAS-Bench-Macro:

* stem: 3x3 conv (``in_channels`` -> 32, stride 1, no bias) + BN + ReLU;
* 8 searchable layers in three stages of 2, 3, 3 layers; the first layer of a stage has stride 2
  and doubles the channels (32 -> 64 -> 128 -> 256), the others keep both;
* blocks: ``id`` (nothing, or a strided 1x1 conv + BN where the shape changes),
  ``ir_3x3_t3`` / ``ir_5x5_t6`` (MobileNetV2 inverted residual: 1x1 expand to ``t * in`` + BN +
  ReLU, ``k x k`` depthwise + BN + ReLU, 1x1 project + BN; a residual add when the shape is kept);
* head: 1x1 conv to 1280 + BN + ReLU, global average pooling, linear classifier.

Its parameter count (every ``nn.Parameter``: weights and BN affine terms) equals the benchmark's
``params`` and :func:`count_flops` reproduces its ``flops`` (multiply-accumulates of the conv and
linear layers at 32x32). The network is fully convolutional, so 28x28 grayscale Fashion-MNIST
works with ``in_channels=1``.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from nasbench_suite.errors import ArchError
from nasbench_suite.spaces.macro import N_LAYERS, STAGES

HEAD_CHANNELS = 1280
INIT_CHANNELS = 32
#: (expansion, kernel) of each non-identity block, by digit.
BLOCKS = {1: (3, 3), 2: (6, 5)}


def _conv_bn(inp: int, out: int, kernel: int, stride: int = 1, groups: int = 1) -> list[nn.Module]:
    conv = nn.Conv2d(inp, out, kernel, stride, padding=kernel // 2, groups=groups, bias=False)
    return [conv, nn.BatchNorm2d(out)]


class IdentityLayer(nn.Module):
    """``id``: the input itself, or a strided 1x1 conv + BN when stride or width change."""

    def __init__(self, inp: int, out: int, stride: int) -> None:
        super().__init__()
        self.down = nn.Sequential(*_conv_bn(inp, out, 1, stride)) if stride != 1 or inp != out else None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x if self.down is None else self.down(x)


class InvertedResidual(nn.Module):
    """MobileNetV2 block: expand (1x1), depthwise (k x k, stride), project (1x1, linear)."""

    def __init__(self, inp: int, out: int, stride: int, expansion: int, kernel: int) -> None:
        super().__init__()
        hidden = inp * expansion
        self.conv = nn.Sequential(
            *_conv_bn(inp, hidden, 1), nn.ReLU(inplace=True),
            *_conv_bn(hidden, hidden, kernel, stride, groups=hidden), nn.ReLU(inplace=True),
            *_conv_bn(hidden, out, 1),
        )
        self.residual = stride == 1 and inp == out

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.conv(x)
        return y + x if self.residual else y


def parse_macro(arch: str | Sequence[int]) -> tuple[int, ...]:
    """Digits of an 8-digit string or a sequence of 8 choice indices (0..2)."""
    digits = tuple(int(c) for c in arch) if isinstance(arch, str) and arch.isdigit() else None
    if digits is None and not isinstance(arch, str):
        digits = tuple(int(v) for v in arch)
    if digits is None or len(digits) != N_LAYERS or any(d not in (0, 1, 2) for d in digits):
        raise ArchError(f"{arch!r} is not a nb-macro architecture: expected {N_LAYERS} digits 0..2")
    return digits


class MacroNetwork(nn.Module):
    """The NAS-Bench-Macro network of one architecture.

    Args:
        arch: 8-digit string (``"22212220"``) or 8 choice indices.
        num_classes: classifier outputs.
        in_channels: image channels (3 RGB, 1 grayscale).
        init_channels: stem width (the benchmark: 32; stages use 2x, 4x, 8x).
    """

    def __init__(self, arch: str | Sequence[int], num_classes: int = 10, in_channels: int = 3,
                 init_channels: int = INIT_CHANNELS) -> None:
        super().__init__()
        for name, value in (("num_classes", num_classes), ("in_channels", in_channels),
                            ("init_channels", init_channels)):
            if int(value) < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        self.digits = parse_macro(arch)
        self.arch = "".join(map(str, self.digits))
        c = int(init_channels)
        self.stem = nn.Sequential(*_conv_bn(int(in_channels), c, 3), nn.ReLU(inplace=True))
        layers: list[nn.Module] = []
        pos = 0
        for length in STAGES:
            for j in range(length):
                digit = self.digits[pos]
                pos += 1
                out, stride = (2 * c, 2) if j == 0 else (c, 1)
                if digit == 0:
                    layers.append(IdentityLayer(c, out, stride))
                else:
                    layers.append(InvertedResidual(c, out, stride, *BLOCKS[digit]))
                c = out
        self.features = nn.Sequential(*layers)
        self.head = nn.Sequential(*_conv_bn(c, HEAD_CHANNELS, 1), nn.ReLU(inplace=True),
                                  nn.AdaptiveAvgPool2d(1))
        self.classifier = nn.Linear(HEAD_CHANNELS, int(num_classes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.head(self.features(self.stem(x))).flatten(1))


def build_macro_network(arch: str | Sequence[int], num_classes: int = 10,
                        in_channels: int = 3) -> MacroNetwork:
    """The benchmark's network for ``arch`` (weights from torch's global generator: seed it)."""
    return MacroNetwork(arch, num_classes, in_channels)


def count_flops(model: nn.Module, input_size: int = 32) -> int:
    """Multiply-accumulates of every conv and linear layer, the benchmark's ``flops`` convention.

    Walks the modules in order, tracking the spatial size through each convolution (the
    network is a chain); BN, ReLU, pooling and residual adds are not counted.
    """
    size, total = int(input_size), 0
    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            size = (size + 2 * m.padding[0] - m.kernel_size[0]) // m.stride[0] + 1
            total += (m.in_channels * m.out_channels * size * size // m.groups
                      * m.kernel_size[0] * m.kernel_size[1])
        elif isinstance(m, nn.Linear):
            total += m.in_features * m.out_features
    return total
