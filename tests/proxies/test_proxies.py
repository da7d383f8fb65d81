"""Each zero-cost proxy on tiny networks: hand-checkable values, invariants, determinism."""

from __future__ import annotations

import copy
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from nasbench_suite.bench.cost import NetConfig, cost
from nasbench_suite.errors import UnknownNameError
from nasbench_suite.models import count_parameters
from nasbench_suite.proxies import ProxyBatch, create_proxy, list_proxies, parse_proxy_list
from nasbench_suite.proxies.data import load_batch
from nasbench_suite.proxies.gradient import synflow_raw
from nasbench_suite.proxies.scorer import build_seeded, score_network

ALL = [
    "epe_nas",
    "fisher",
    "flops",
    "grad_norm",
    "grasp",
    "jacob_cov",
    "l2_norm",
    "nwot",
    "params",
    "plain",
    "snip",
    "synflow",
    "zen",
]
TINY = {"channels": 4, "cells_per_stage": 1}
CELL = (3, 1, 2, 4, 3, 2)


@pytest.fixture(scope="module")
def batch() -> ProxyBatch:
    images = load_batch(8, seed=0)
    return ProxyBatch(torch.from_numpy(images.images), torch.from_numpy(images.labels), 10)


def tiny(ops=CELL, seed=0):
    return build_seeded(ops, 10, seed, "cpu", **TINY)


def run(name, net, batch, seed=0):
    batch.generator = torch.Generator().manual_seed(seed)
    return create_proxy(name)(net, batch)


def test_registry_lists_every_proxy_with_a_reference():
    assert list_proxies() == ALL
    for name in ALL:
        assert create_proxy(name).reference
    with pytest.raises(UnknownNameError, match="known: epe_nas, fisher"):
        create_proxy("synflowz")
    assert parse_proxy_list("all") == ALL
    assert parse_proxy_list("synflow, snip") == ["synflow", "snip"]


@pytest.mark.parametrize("name", ALL)
def test_each_proxy_is_finite_and_deterministic(name, batch):
    first = run(name, tiny(), batch)
    again = run(name, tiny(), batch)
    assert math.isfinite(first)
    assert first == pytest.approx(again, rel=1e-9, abs=1e-12)


def test_params_and_flops_equal_the_cost_model(batch):
    for ops in (CELL, (0,) * 6, (3,) * 6):
        net = tiny(ops)
        p, f = cost(ops, NetConfig(**TINY))
        assert (
            run("params", net, batch) == count_parameters(net) / 1e6 == pytest.approx(p, abs=1e-12)
        )
        assert run("flops", net, batch) == pytest.approx(f, abs=1e-9)


def test_synflow_zero_for_empty_cell_and_log_homogeneous(batch):
    assert run("synflow", tiny((0,) * 6), batch) == 0.0
    net = tiny()
    base = run("synflow", copy.deepcopy(net), batch)
    assert base > 0
    with torch.no_grad():
        net.classifier.weight.mul_(2.0)  # every path goes through the classifier: raw score x2
    assert run("synflow", net, batch) == pytest.approx(base + math.log(2.0), abs=1e-9)
    # more 3x3 convs (more paths and weights) give a larger score for the same init scheme
    assert synflow_raw(tiny((3,) * 6), batch) > synflow_raw(tiny((1,) * 6), batch) > 0


def test_nwot_by_hand():
    relu = nn.Sequential(nn.ReLU())
    # on/off codes [1,0,1] and [1,1,0]: K = [[3,1],[1,3]], log det = log 8
    x = torch.tensor([[1.0, -1.0, 1.0], [1.0, 1.0, -1.0]])
    b = ProxyBatch(x, torch.tensor([0, 1]), 2)
    assert create_proxy("nwot")(relu, b) == pytest.approx(math.log(8.0))
    same = ProxyBatch(torch.ones(4, 3), torch.zeros(4, dtype=torch.long), 2)
    assert create_proxy("nwot")(relu, same) == -math.inf  # identical activations: K singular


def test_jacob_cov_by_hand():
    lin = nn.Linear(3, 2, bias=False)
    # a linear map has the same input Jacobian for every image: corr = all ones, eigenvalues
    # (n, 0, ..., 0)
    n, k = 4, 1e-5
    b = ProxyBatch(torch.randn(n, 3), torch.zeros(n, dtype=torch.long), 2)
    expected = -((math.log(n + k) + 1 / (n + k)) + (n - 1) * (math.log(k) + 1 / k))
    assert create_proxy("jacob_cov")(lin, b) == pytest.approx(expected, rel=1e-4)


def test_gradient_proxies_by_hand():
    torch.manual_seed(0)
    lin = nn.Linear(3, 4, bias=False)
    x, y = torch.randn(5, 3), torch.tensor([0, 1, 2, 3, 0])
    b = ProxyBatch(x, y, 4)
    w = lin.weight.detach().clone().requires_grad_(True)
    loss = lambda w_: F.cross_entropy(x @ w_.T, y)
    (g,) = torch.autograd.grad(loss(w), w)
    w = w.detach()
    assert create_proxy("grad_norm")(copy.deepcopy(lin), b) == pytest.approx(
        float(g.norm()), rel=1e-5
    )
    assert create_proxy("grad_norm")(copy.deepcopy(lin), b) > 0
    assert create_proxy("snip")(copy.deepcopy(lin), b) == pytest.approx(
        float((w * g).abs().sum()), rel=1e-5
    )
    assert create_proxy("plain")(copy.deepcopy(lin), b) == pytest.approx(
        float((w * g).sum()), rel=1e-4, abs=1e-7
    )
    hess = torch.autograd.functional.hessian(loss, w).reshape(12, 12)
    hg = (hess @ g.reshape(12)).reshape(4, 3)
    assert create_proxy("grasp")(copy.deepcopy(lin), b) == pytest.approx(
        float((-w * hg).sum()), rel=1e-4
    )
    logits = x @ w.T
    dl = torch.autograd.grad(F.cross_entropy(logits.requires_grad_(True), y), logits)[0]
    fisher = float((0.5 * (logits.detach() * dl).pow(2).mean(0)).sum())
    assert create_proxy("fisher")(copy.deepcopy(lin), b) == pytest.approx(fisher, rel=1e-5)
    assert create_proxy("l2_norm")(lin, b) == pytest.approx(float(w.norm()), rel=1e-6)


def test_zen_ignores_the_initial_weights(batch):
    # Zen re-initialises every weight from N(0, 1): only the architecture (and inputs) count
    assert run("zen", tiny(seed=1), batch) == pytest.approx(
        run("zen", tiny(seed=2), batch), rel=1e-6
    )
    assert run("zen", tiny(seed=1), batch, seed=3) != run("zen", tiny(seed=1), batch, seed=4)


def test_epe_nas_sums_per_class_scores(batch):
    net = tiny()
    value = run("epe_nas", net, batch)
    assert value > 0
    # one image per class: each class contributes |log(1 + 1e-5)|
    one_each = ProxyBatch(batch.inputs[:3], torch.tensor([0, 1, 2]), 10)
    assert create_proxy("epe_nas")(tiny(), one_each) == pytest.approx(3 * math.log(1 + 1e-5))


def test_score_network_gives_each_proxy_a_fresh_copy(batch):
    net = tiny()
    state = {k: v.clone() for k, v in net.state_dict().items()}
    batch.generator = None
    scores = score_network(net, ["synflow", "zen", "snip"], batch, seed=0)
    assert set(scores) == {"synflow", "zen", "snip"}
    assert all(torch.equal(state[k], v) for k, v in net.state_dict().items())
    assert np.isfinite(list(scores.values())).all()
