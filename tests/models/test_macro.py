"""The NAS-Bench-Macro network: parameter counts and FLOPs equal the benchmark's table."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from nasbench_suite.benchmarks import _macro_store as S
from nasbench_suite.errors import ArchError
from nasbench_suite.models import count_parameters
from nasbench_suite.models.macro import (
    InvertedResidual,
    MacroNetwork,
    build_macro_network,
    count_flops,
)


@pytest.fixture(scope="module")
def table():
    raw = S.default_raw_dir()
    assert raw is not None and (raw / S.RAW_FILE).is_file(), "tests need ../shared/nb-macro"
    return json.loads((raw / S.RAW_FILE).read_text())


def _archs():
    fixed = ["00000000", "11111111", "22222222", "22212220", "02012100", "10000000", "00000002"]
    rng = np.random.default_rng(2021)
    return fixed + [np.base_repr(int(i), 3).zfill(8) for i in rng.choice(6561, 13, replace=False)]


@pytest.mark.parametrize("arch", _archs())
def test_params_and_flops_equal_the_table(table, arch):
    net = build_macro_network(arch)
    assert count_parameters(net) == table[arch]["params"]
    assert count_flops(net, 32) == table[arch]["flops"]


def test_forward_on_cifar_and_fashion_mnist_shapes():
    torch.manual_seed(0)
    net = MacroNetwork("12012012").eval()
    assert net(torch.randn(2, 3, 32, 32)).shape == (2, 10)
    gray = MacroNetwork("12012012", num_classes=7, in_channels=1).eval()
    assert gray(torch.randn(2, 1, 28, 28)).shape == (2, 7)
    # grayscale changes only the stem's first conv: 3 -> 1 input channel
    assert count_parameters(net) - count_parameters(gray) == 2 * 32 * 9 + (10 - 7) * 1281


def test_residual_only_where_the_shape_is_kept():
    net = MacroNetwork("11111111")
    flags = [m.residual for m in net.features if isinstance(m, InvertedResidual)]
    assert flags == [False, True, False, True, True, False, True, True]


def test_aliases_build_the_same_network_shape():
    a, b = MacroNetwork("00001000"), MacroNetwork("00010000")
    assert count_parameters(a) == count_parameters(b) and count_flops(a) == count_flops(b)


@pytest.mark.parametrize("bad", ["0000000", "00000003", [0] * 9, "abcdefgh"])
def test_bad_architectures_fail(bad):
    with pytest.raises(ArchError):
        MacroNetwork(bad)
