"""The PyTorch NB201 network: structure, shapes and parameter counts against the benchmark."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from nasbench_suite.bench.cost import NetConfig, cost
from nasbench_suite.errors import ArchError
from nasbench_suite.models import build_network, count_parameters
from nasbench_suite.models.cell import InferCell
from nasbench_suite.models.ops import ResNetBasicBlock, make_op
from nasbench_suite.space.codec import N_EDGES, N_OPS, OPS, all_ops

CLASSES = {"cifar10": 10, "cifar100": 100, "ImageNet16-120": 120}


def test_sample_and_single_op_cells_match_store_exactly(store):
    """~300 seeded cells over the three class counts, plus every single-op cell, built in torch."""
    rng = np.random.default_rng(2024)
    checked = 0
    for dataset, classes in CLASSES.items():
        expected = store.column("params_m", dataset)
        sample = rng.choice(len(expected), size=100, replace=False).tolist()
        single = [
            int(store.index_map.index_of_code[sum(o * 5**k for k in range(6))])
            for o in range(N_OPS)
        ]
        for index in sample + single:
            ops = store.index_map.ops(index)
            n = count_parameters(build_network(ops, num_classes=classes))
            assert n == round(expected[index] * 1e6), (dataset, index, ops)
            assert n == round(cost(ops, NetConfig(num_classes=classes))[0] * 1e6)
            checked += 1
    assert checked == 3 * (100 + N_OPS)


def _count(ops, classes, **kw) -> int:
    return count_parameters(build_network(ops, num_classes=classes, **kw))


@pytest.mark.parametrize("dataset", list(CLASSES))
def test_every_cell_by_per_edge_decomposition(store, dataset):
    """params = base + sum_e w[op_e], with base and w measured on torch modules; all 15,625 cells.

    Each edge owns its op modules (5 copies per stage), so the count is affine in the per-edge
    ops; that is checked here too: every (edge, op) adds the same w[op] wherever it sits.
    """
    classes = CLASSES[dataset]
    base = _count((0,) * N_EDGES, classes)
    weight = np.zeros(N_OPS, dtype=np.int64)
    for op in range(N_OPS):
        for edge in range(N_EDGES):
            ops = [0] * N_EDGES
            ops[edge] = op
            delta = _count(ops, classes) - base
            if edge == 0:
                weight[op] = delta
            assert delta == weight[op], (OPS[op], edge)
    assert weight[OPS.index("skip_connect")] == weight[OPS.index("avg_pool_3x3")] == 0
    ops_all = all_ops()[store.index_map.code_of_index]  # row i = ops of NB201 index i
    formula = base + weight[ops_all].sum(axis=1)
    expected = np.round(np.asarray(store.column("params_m", dataset)) * 1e6).astype(np.int64)
    mismatch = np.flatnonzero(formula != expected)
    assert mismatch.size == 0, f"{mismatch.size} cells differ, e.g. index {mismatch[:5]}"
    # and against the analytic cost model on a stride of cells (all of them is slow in Python)
    config = NetConfig(num_classes=classes)
    for i in range(0, 15625, 97):
        assert formula[i] == round(cost(ops_all[i], config)[0] * 1e6)


def test_configurable_network_shapes():
    net = build_network((3, 1, 2, 4, 0, 3), num_classes=7, channels=4, cells_per_stage=1)
    x = torch.randn(2, 3, 32, 32)
    assert net(x).shape == (2, 7)
    assert net.forward_features(x).shape == (2, 16, 8, 8)
    gray = build_network(
        "|nor_conv_3x3~0|+|skip_connect~0|none~1|+|avg_pool_3x3~0|none~1|nor_conv_1x1~2|",
        channels=4,
        cells_per_stage=2,
        in_channels=1,
    )
    assert gray(torch.randn(3, 1, 28, 28)).shape == (3, 10)
    assert count_parameters(gray) == round(
        cost(gray.ops_tuple, NetConfig(channels=4, cells_per_stage=2, in_channels=1))[0] * 1e6
    )


def test_bad_cells_and_sizes_are_rejected():
    with pytest.raises(ArchError):
        build_network((0, 1, 2))
    with pytest.raises(ArchError):
        build_network("|conv~0|+|none~0|none~1|+|none~0|none~1|none~2|")
    with pytest.raises(ValueError):
        build_network((0,) * 6, channels=0)
    with pytest.raises(KeyError):
        make_op("sep_conv_3x3", 4)


def test_cell_sums_incoming_edges():
    x = torch.randn(2, 3, 5, 5)
    # all skip: n1 = x, n2 = x + n1 = 2x, n3 = x + n1 + n2 = 4x
    assert torch.allclose(InferCell((1,) * 6, 3)(x), 4 * x)
    assert torch.count_nonzero(InferCell((0,) * 6, 3)(x)) == 0
    # only the 0->3 edge is a skip: the output is the input
    assert torch.equal(InferCell((0, 0, 0, 1, 0, 0), 3)(x), x)


def test_avg_pool_ignores_padding_and_resnet_block():
    ones = torch.ones(1, 2, 4, 4)
    assert torch.allclose(make_op("avg_pool_3x3", 2)(ones), ones)  # corners too
    block = ResNetBasicBlock(4, 8)
    assert block(torch.randn(2, 4, 8, 8)).shape == (2, 8, 4, 4)
    assert count_parameters(block) == 9 * 4 * 8 + 2 * 8 + 9 * 8 * 8 + 2 * 8 + 4 * 8


def test_models_stay_out_of_tabular_imports():
    import subprocess
    import sys

    code = (
        "import sys, nasbench_suite.bench.tabular, nasbench_suite.proxies, "
        "nasbench_suite.proxies.correlation, nasbench_suite.proxies.results, "
        "nasbench_suite.commands.zc; "
        "print('torch' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
