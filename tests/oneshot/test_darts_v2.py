"""DARTS-V2's finite-difference hypergradient against the exact second-order gradient.

In float64 with a small finite-difference step the implementation must reproduce autograd's
exact gradient of ``L_val(w - xi * dL_train/dw, alpha)``. (At DARTS' own step, 0.01 / ||v||, the
finite difference crosses ReLU kinks and is only a rough approximation; see ``DartsV2``.)
"""

from __future__ import annotations

import torch
from torch.func import functional_call

from nasbench_suite.oneshot import create_search
from tests.oneshot.conftest import TINY


def test_unrolled_gradient_matches_autograd(tiny_data, store):
    search = create_search(
        "darts-v2", tiny_data, store=store, epochs=2, weight_decay=0.0, unrolled_eps=1e-7, **TINY
    )
    net, loss_fn = search.net.double(), search.loss_fn
    x, y = next(iter(search.train_batches()))  # also sets the step's learning rate xi
    xv, yv = search.valid_batch()
    x, xv, xi = x.double(), xv.double(), search.lr
    names = [n for n, _ in net.named_parameters() if n != "alpha"]
    params = [p for n, p in net.named_parameters() if n != "alpha"]
    before = [p.detach().clone() for p in params]

    # exact: d/d alpha of L_val(w - xi * dL_train(w, alpha)/dw, alpha)
    probs = torch.softmax(net.alpha, -1)
    grads = torch.autograd.grad(loss_fn(net(x, probs), y), params, create_graph=True)
    unrolled = {n: p - xi * g for n, p, g in zip(names, params, grads, strict=True)}
    val = loss_fn(functional_call(net, unrolled, (xv, probs)), yv)
    exact = torch.autograd.grad(val, net.alpha)[0]

    search.a_opt.step = lambda: None  # keep alpha.grad, skip the update
    search._unrolled_arch_step(x, y, xv, yv)
    approx = net.alpha.grad
    assert all(torch.equal(p, b) for p, b in zip(params, before, strict=True))  # w restored
    first_order = torch.autograd.grad(
        loss_fn(net(xv, torch.softmax(net.alpha, -1)), yv), net.alpha
    )
    assert not torch.allclose(first_order[0], exact, rtol=1e-3)  # the correction matters
    assert torch.allclose(approx, exact, rtol=1e-4, atol=1e-8), (approx - exact).abs().max()
