"""Parameter count and FLOPs of the NB201 network, computed from the cell alone (no torch).

The network is NB201's ``TinyNetwork``: a 3x3 stem conv (C) + BN; three stages of N cells with
C, 2C, 4C channels; a ResNet basic block with stride 2 between stages; BN-ReLU, global average
pooling and a linear classifier. Cell ops: ``none`` and ``skip_connect`` have no parameters,
``nor_conv_kxk`` is ReLU-Conv(k x k, no bias)-BN (affine), ``avg_pool_3x3`` is a bare pooling.

Conventions (those of NB201's ``get_model_infos``, so the numbers match the benchmark's):
parameters count weights and BN affine terms, not running statistics; FLOPs are the multiply-adds
of every conv and linear layer plus the linear bias (NB201 sums only Conv2d and Linear modules, so
pooling, BN and ReLU are not counted); both in millions, for a single input image. This gives the
published CIFAR-10 ranges 0.073-1.531 M parameters and 7.78-220.11 MFLOPs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nasbench_suite.space.codec import OPS, check_ops

_CONV_K = {"nor_conv_1x1": 1, "nor_conv_3x3": 3}


@dataclass(frozen=True)
class NetConfig:
    """Macro skeleton of the NB201 network (NB201 defaults)."""

    channels: int = 16
    cells_per_stage: int = 5
    num_classes: int = 10
    in_channels: int = 3
    resolution: int = 32


def _cell_cost(ops: tuple[int, ...], c: int, hw: int) -> tuple[int, int]:
    params = flops = 0
    for op in ops:
        name = OPS[op]
        if name in _CONV_K:
            k = _CONV_K[name]
            params += k * k * c * c + 2 * c
            flops += k * k * c * c * hw * hw
    return params, flops


def _resblock_cost(cin: int, cout: int, hw_out: int) -> tuple[int, int]:
    params = 9 * cin * cout + 2 * cout + 9 * cout * cout + 2 * cout + cin * cout
    area = hw_out * hw_out
    flops = (9 * cin * cout + 9 * cout * cout + cin * cout) * area
    return params, flops


def cost(ops, config: NetConfig = NetConfig()) -> tuple[float, float]:
    """(parameters in millions, FLOPs in millions) of the network built on cell ``ops``."""
    ops = check_ops(ops)
    c, hw = config.channels, config.resolution
    params = 9 * config.in_channels * c + 2 * c
    flops = 9 * config.in_channels * c * hw * hw
    cell_p, cell_f = _cell_cost(ops, c, hw)
    for stage in range(3):
        if stage:
            hw //= 2
            p, f = _resblock_cost(c, 2 * c, hw)
            params, flops, c = params + p, flops + f, 2 * c
            cell_p, cell_f = _cell_cost(ops, c, hw)
        params += config.cells_per_stage * cell_p
        flops += config.cells_per_stage * cell_f
    params += 2 * c + c * config.num_classes + config.num_classes
    flops += c * config.num_classes + config.num_classes
    return params / 1e6, flops / 1e6


def cost_table(ops_matrix: np.ndarray, config: NetConfig = NetConfig()) -> np.ndarray:
    """Costs of many cells: (n, 6) op tuples -> (n, 2) array of [params_m, flops_m]."""
    return np.array([cost(row, config) for row in np.asarray(ops_matrix)], dtype=np.float64)
