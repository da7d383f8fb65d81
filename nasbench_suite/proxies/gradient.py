"""Gradient-based zero-cost proxies, after Abdelfattah et al., "Zero-Cost Proxies for Lightweight
NAS" (ICLR 2021) and their NASLib versions (White et al. / Krishnakumar et al., NAS-Bench-Suite-
Zero, NeurIPS 2022 D&B). Every score sums a per-weight (or per-channel) saliency over the Conv2d
and Linear layers of a network in training mode (BN uses batch statistics), on one mini-batch
with the cross-entropy loss.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from nasbench_suite.proxies._layers import loss_of, scored_layers, weight_grads
from nasbench_suite.proxies.registry import register_proxy


def _total(values) -> float:
    return float(
        sum(float(v.detach()) if isinstance(v, torch.Tensor) else float(v) for v in values)
    )


@register_proxy("grad_norm", reference="Abdelfattah et al., ICLR 2021 (grad_norm)")
def grad_norm(net: nn.Module, batch) -> float:
    """Sum over layers of the Euclidean norm of dLoss/dW."""
    net.train()
    return _total(g.norm() for _, g in weight_grads(net, batch) if g is not None)


@register_proxy("plain", reference="Mozer & Smolensky 1989; Abdelfattah et al., ICLR 2021 (plain)")
def plain(net: nn.Module, batch) -> float:
    """Sum of W * dLoss/dW (signed)."""
    net.train()
    return _total((w * g).sum() for w, g in weight_grads(net, batch) if g is not None)


@register_proxy("snip", reference="Lee et al., SNIP, ICLR 2019; Abdelfattah et al., ICLR 2021")
def snip(net: nn.Module, batch) -> float:
    """Sum of |W * dLoss/dW| (the gradient of the loss w.r.t. a multiplicative weight mask)."""
    net.train()
    return _total((w * g).abs().sum() for w, g in weight_grads(net, batch) if g is not None)


@register_proxy("grasp", reference="Wang et al., GraSP, ICLR 2020; Abdelfattah et al., ICLR 2021")
def grasp(net: nn.Module, batch) -> float:
    """Sum of -W * (H g), H the Hessian of the loss and g its gradient (a Hessian-vector
    product by double back-propagation; temperature 1, one iteration)."""
    net.train()
    weights = [m.weight for m in scored_layers(net)]
    net.zero_grad(set_to_none=True)
    g = [t.detach() for t in torch.autograd.grad(loss_of(net, batch), weights, allow_unused=True)]
    grad_f = torch.autograd.grad(
        loss_of(net, batch), weights, create_graph=True, allow_unused=True
    )
    z = sum((gw * gf).sum() for gw, gf in zip(g, grad_f) if gw is not None and gf is not None)
    net.zero_grad(set_to_none=True)
    z.backward()
    return _total((-w.detach() * w.grad).sum() for w in weights if w.grad is not None)


@register_proxy(
    "fisher",
    reference="Theis et al. 2018; Turner et al., BlockSwap, ICLR 2020; "
    "Abdelfattah et al., ICLR 2021",
)
def fisher(net: nn.Module, batch) -> float:
    """Channel saliency 0.5 * mean_n (sum_hw a * dL/da)^2 of every Conv2d / Linear output ``a``,
    summed over channels and layers."""
    net.train()
    parts: list[torch.Tensor] = []

    def on_forward(module, inputs, output):
        # the hook must not hold ``output`` itself: tensor -> hook -> tensor is a reference
        # cycle that keeps every activation of the graph alive (~85 MB per NB201 network)
        act = output.detach()

        def on_grad(grad):
            prod = act * grad.detach()
            g_nk = prod.sum(dim=tuple(range(2, prod.dim()))) if prod.dim() > 2 else prod
            parts.append(0.5 * g_nk.pow(2).mean(0).abs().sum())

        if output.requires_grad:
            output.register_hook(on_grad)

    handles = [m.register_forward_hook(on_forward) for m in scored_layers(net)]
    try:
        net.zero_grad(set_to_none=True)
        loss_of(net, batch).backward()
    finally:
        for h in handles:
            h.remove()
    return _total(parts)


def _strip_batchnorm(net: nn.Module) -> None:
    for name, child in list(net.named_children()):
        if isinstance(child, nn.modules.batchnorm._BatchNorm):
            setattr(net, name, nn.Identity())
        else:
            _strip_batchnorm(child)


def synflow_raw(net: nn.Module, batch) -> float:
    """Raw SynFlow: sum over layers of |W * dR/dW|, R = sum of the outputs of the network with
    |W| for every weight, no BN, in float64, on one all-ones input."""
    _strip_batchnorm(net)
    net.double()
    with torch.no_grad():
        for p in net.parameters():
            p.abs_()
    net.zero_grad(set_to_none=True)
    ones = torch.ones(
        (1, *batch.inputs.shape[1:]), dtype=torch.float64, device=batch.inputs.device
    )
    net(ones).sum().backward()
    return _total(
        (m.weight * m.weight.grad).abs().sum()
        for m in scored_layers(net)
        if m.weight.grad is not None
    )


@register_proxy(
    "synflow",
    reference="Tanaka et al., SynFlow, NeurIPS 2020; Abdelfattah et al., ICLR 2021",
    uses_data=False,
)
def synflow(net: nn.Module, batch) -> float:
    """log of :func:`synflow_raw` (NASLib's convention: 0 stays 0, negatives map to -log(-s))."""
    score = synflow_raw(net, batch)
    if score == 0.0 or not math.isfinite(score):
        return score
    return math.log(score) if score > 0 else -math.log(-score)
