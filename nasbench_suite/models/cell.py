"""The NB201 cell: a 4-node DAG whose node ``j`` sums ``op(i -> j)(node_i)`` over ``i < j``."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from nasbench_suite.models.ops import make_op
from nasbench_suite.space.codec import EDGES, N_NODES, OPS, check_ops


class InferCell(nn.Module):
    """One cell with fixed operations.

    Args:
        ops: op tuple (6 op ids in arch-string edge order, see :mod:`nasbench_suite.space.codec`).
        channels: channels of every node (cell ops keep channels and resolution).

    Input and output: (B, channels, H, W); the output is node 3.
    """

    def __init__(self, ops: Sequence[int], channels: int) -> None:
        super().__init__()
        self.ops_tuple = check_ops(ops)
        self.edges = nn.ModuleList(make_op(OPS[o], channels) for o in self.ops_tuple)
        # incoming[j] = indices (into EDGES) of the edges that end in node j
        self.incoming = [
            [e for e, (_, dst) in enumerate(EDGES) if dst == j] for j in range(N_NODES)
        ]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        nodes = [x]
        for j in range(1, N_NODES):
            out = None
            for e in self.incoming[j]:
                y = self.edges[e](nodes[EDGES[e][0]])
                out = y if out is None else out + y
            nodes.append(out)
        return nodes[-1]

    def extra_repr(self) -> str:
        return "ops=" + ",".join(OPS[o] for o in self.ops_tuple)
