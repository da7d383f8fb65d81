"""The weight-sharing supernet over the NB201 cell space.

Macro skeleton: NB201's ``TinyNetwork`` (see :mod:`nasbench_suite.models.network`): stem
(3x3 conv + BN) -> N search cells (C) -> ResNet reduction block (2C) -> N cells (2C) -> ResNet
block (4C) -> N cells (4C) -> BN-ReLU -> global average pooling -> linear. The stem, reduction
blocks and head are the models package's own modules (:class:`~nasbench_suite.models.ops.
ResNetBasicBlock`, ``nn.BatchNorm2d``, ...).

Search cells: every one of the 6 edges carries all 5 operations. The conv operations are
ReLU-Conv-BN with ``BatchNorm2d(affine=False, track_running_stats=False)``, the NATS-Bench /
NB201 weight-sharing setting (``--track_running_stats 0``, ``affine=False``): a BN without
running statistics normalises every batch with that batch's statistics, in train and eval mode
alike, so the statistics of one sampled path never leak into another. (``make_op`` of the models
package builds affine BN with running statistics, so the search ops are built here from the same
building blocks: ``Zero``, ``nn.Identity``, ReLU-Conv-BN, ``AvgPool2d(count_include_pad=False)``.)
The BNs of the stem, reduction blocks and head keep their affine terms (as NB201) but have their
running statistics removed too, so the whole supernet always uses batch statistics.

Architecture parameters ``alpha``: shape (6 edges, 5 ops), initialised to ``1e-3 * N(0, 1)``
(NB201), shared by all cells; edges in arch-string order, ops in
:data:`~nasbench_suite.space.codec.OPS` order. Forward modes (``Supernet.forward``):

* ``weights`` (6, 5): mixed operation ``sum_o w[e, o] * op_o(x)`` on every edge (DARTS; the
  ``none`` op is a zero map, so its term is skipped exactly);
* ``ops`` (6 op ids) and ``weights``: a single path scaled by ``w[e, ops[e]]`` (GDAS: with
  straight-through one-hot weights the forward value is the path's, the gradient reaches alpha);
* ``ops`` alone: a single path (RSPS / ENAS).
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from nasbench_suite.models.ops import ResNetBasicBlock, Zero
from nasbench_suite.space.codec import EDGES, N_EDGES, N_NODES, N_OPS, OPS

NONE_OP = OPS.index("none")


class SearchReLUConvBN(nn.Module):
    """ReLU -> Conv2d(k x k, no bias) -> BatchNorm2d(affine=False, no running statistics)."""

    def __init__(self, channels: int, kernel: int) -> None:
        super().__init__()
        self.op = nn.Sequential(
            nn.ReLU(inplace=False),
            nn.Conv2d(channels, channels, kernel, padding=kernel // 2, bias=False),
            nn.BatchNorm2d(channels, affine=False, track_running_stats=False),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.op(x)


def search_op(name: str, channels: int) -> nn.Module:
    """The weight-sharing module of cell operation ``name`` (channels and resolution kept)."""
    if name == "none":
        return Zero()
    if name == "skip_connect":
        return nn.Identity()
    if name.startswith("nor_conv_"):
        return SearchReLUConvBN(channels, int(name[-1]))
    if name == "avg_pool_3x3":
        return nn.AvgPool2d(3, stride=1, padding=1, count_include_pad=False)
    raise ValueError(f"unknown cell operation {name!r}; known: {', '.join(OPS)}")


class SearchCell(nn.Module):
    """A cell whose every edge holds the 5 candidate operations.

    ``edges[e][o]`` is op ``o`` on edge ``e``. Input and output (B, C, H, W); output = node 3.
    """

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.edges = nn.ModuleList(
            nn.ModuleList(search_op(name, channels) for name in OPS) for _ in range(N_EDGES)
        )
        self.incoming = [[e for e, (_, d) in enumerate(EDGES) if d == j] for j in range(N_NODES)]

    def _edge(self, e: int, h: torch.Tensor, weights, ops) -> torch.Tensor | None:
        """Output of edge ``e`` on ``h``; None for an exact zero (``none`` chosen / weighted)."""
        if ops is None:  # mixed operation (all ops)
            out = None
            for o in range(N_OPS):
                if o == NONE_OP:
                    continue
                y = self.edges[e][o](h)
                y = weights[e, o].to(y.dtype) * y  # keeps bf16 activations bf16 under autocast
                out = y if out is None else out + y
            return out
        o = ops[e]
        if o == NONE_OP:
            if weights is None:
                return None
            return weights[e, o].to(h.dtype) * torch.zeros_like(h)  # 0, keeps alpha's gradient
        y = self.edges[e][o](h)
        return y if weights is None else weights[e, o].to(y.dtype) * y

    def forward(
        self, x: torch.Tensor, weights=None, ops: Sequence[int] | None = None
    ) -> torch.Tensor:
        nodes = [x]
        for j in range(1, N_NODES):
            out = None
            for e in self.incoming[j]:
                y = self._edge(e, nodes[EDGES[e][0]], weights, ops)
                if y is not None:
                    out = y if out is None else out + y
            nodes.append(torch.zeros_like(x) if out is None else out)
        return nodes[-1]


def drop_running_stats(module: nn.Module) -> nn.Module:
    """Make every BatchNorm of ``module`` normalise with batch statistics (train and eval)."""
    for m in module.modules():
        if isinstance(m, nn.modules.batchnorm._BatchNorm) and m.track_running_stats:
            m.track_running_stats = False
            m.running_mean = None
            m.running_var = None
            m.num_batches_tracked = None
    return module


class Supernet(nn.Module):
    """The NB201 supernet (weight-sharing ``TinyNetwork``) with architecture parameters.

    Args:
        num_classes / channels (C) / cells_per_stage (N) / in_channels: as
            :class:`~nasbench_suite.models.network.TinyNetwork`.

    ``forward(x, weights=None, ops=None)`` maps (B, in_channels, H, W) to logits
    (B, num_classes); see the module docstring for the modes. ``alpha`` (6, 5) is a parameter
    of this module; :meth:`weight_parameters` lists every other parameter.
    """

    def __init__(
        self,
        num_classes: int = 10,
        channels: int = 16,
        cells_per_stage: int = 5,
        in_channels: int = 3,
    ) -> None:
        super().__init__()
        c = int(channels)
        self.stem = nn.Sequential(
            nn.Conv2d(int(in_channels), c, kernel_size=3, padding=1, bias=False), nn.BatchNorm2d(c)
        )
        layers: list[nn.Module] = []
        for stage in range(3):
            if stage:
                layers.append(ResNetBasicBlock(c, 2 * c, stride=2))
                c *= 2
            layers.extend(SearchCell(c) for _ in range(int(cells_per_stage)))
        self.cells = nn.ModuleList(layers)
        self.lastact = nn.Sequential(nn.BatchNorm2d(c), nn.ReLU(inplace=False))
        self.global_pooling = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Linear(c, int(num_classes))
        self.alpha = nn.Parameter(1e-3 * torch.randn(N_EDGES, N_OPS))
        drop_running_stats(self)

    def weight_parameters(self) -> list[nn.Parameter]:
        """Every parameter but ``alpha`` (the supernet's shared weights)."""
        return [p for name, p in self.named_parameters() if name != "alpha"]

    def forward(
        self, x: torch.Tensor, weights=None, ops: Sequence[int] | None = None
    ) -> torch.Tensor:
        if weights is None and ops is None:
            raise ValueError(
                "Supernet.forward needs mixing weights (6, 5), a path (6 op ids), or both"
            )
        h = self.stem(x)
        for layer in self.cells:
            h = layer(h, weights, ops) if isinstance(layer, SearchCell) else layer(h)
        h = self.global_pooling(self.lastact(h)).flatten(1)
        return self.classifier(h)
