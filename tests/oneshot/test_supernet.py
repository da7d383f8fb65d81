"""The supernet: shapes of the three forward modes, BN without affine / running statistics."""

from __future__ import annotations

import torch

from nasbench_suite.oneshot.supernet import SearchCell, SearchReLUConvBN, Supernet


def _net():
    torch.manual_seed(0)
    return Supernet(num_classes=10, channels=4, cells_per_stage=1, in_channels=3)


def test_modes_and_shapes():
    net = _net()
    x = torch.randn(4, 3, 8, 8)
    probs = torch.softmax(net.alpha, dim=-1)
    assert net.alpha.shape == (6, 5)
    assert net(x, probs).shape == (4, 10)
    ops = (3, 0, 1, 2, 4, 3)
    single = net(x, None, ops)
    hard = torch.zeros(6, 5).scatter_(1, torch.tensor(ops)[:, None], 1.0)
    assert torch.allclose(net(x, hard, ops), single, atol=1e-6)  # one-hot scaling = the path
    assert torch.allclose(net(x, hard), single, atol=1e-5)  # mixed op with one-hot weights
    assert net(x, None, (0,) * 6).shape == (4, 10)  # all-none cell still runs


def test_batchnorm_setting():
    net = _net()
    cell_bns = [
        m
        for c in net.cells
        if isinstance(c, SearchCell)
        for m in c.modules()
        if isinstance(m, torch.nn.BatchNorm2d)
    ]
    assert cell_bns and all(not m.affine and not m.track_running_stats for m in cell_bns)
    assert all(
        m.running_mean is None for m in net.modules() if isinstance(m, torch.nn.BatchNorm2d)
    )
    assert any(isinstance(m, SearchReLUConvBN) for m in net.modules())
    names = {n for n, _ in net.named_parameters()}
    assert "alpha" in names and all(p is not net.alpha for p in net.weight_parameters())


def test_alpha_gets_gradient_through_mixture():
    net = _net()
    loss = net(torch.randn(4, 3, 8, 8), torch.softmax(net.alpha, -1)).sum()
    loss.backward()
    assert net.alpha.grad is not None and net.alpha.grad.abs().sum() > 0
