"""Data-free size proxies: parameters, FLOPs and the weight norm at initialisation."""

from __future__ import annotations

import torch
from torch import nn

from nasbench_suite.proxies._layers import scored_layers
from nasbench_suite.proxies.registry import register_proxy


@register_proxy(
    "params",
    reference="baseline (Ning et al., NeurIPS 2021; Abdelfattah et al., ICLR 2021)",
    uses_data=False,
)
def params(net: nn.Module, batch) -> float:
    """Parameters in millions (weights and BN affine terms, NB201's convention)."""
    return sum(p.numel() for p in net.parameters()) / 1e6


def count_flops(net: nn.Module, image: torch.Tensor) -> int:
    """Multiply-adds of every Conv2d and Linear layer (+ linear bias) for one image
    (NB201's ``get_model_infos`` convention; pooling, BN and ReLU are not counted)."""
    total = 0

    def on_conv(m, inputs, out):
        nonlocal total
        per_out = m.in_channels // m.groups * m.kernel_size[0] * m.kernel_size[1]
        total += out[0].numel() * (per_out + (1 if m.bias is not None else 0))

    def on_linear(m, inputs, out):
        nonlocal total
        total += m.in_features * m.out_features + (m.out_features if m.bias is not None else 0)

    handles = [
        m.register_forward_hook(on_conv if isinstance(m, nn.Conv2d) else on_linear)
        for m in scored_layers(net)
    ]
    try:
        was_training = net.training
        net.eval()
        with torch.no_grad():
            net(image)
        net.train(was_training)
    finally:
        for h in handles:
            h.remove()
    return total


@register_proxy(
    "flops",
    reference="baseline (Ning et al., NeurIPS 2021; Abdelfattah et al., ICLR 2021)",
    uses_data=False,
)
def flops(net: nn.Module, batch) -> float:
    """FLOPs (multiply-adds) in millions for one image of the batch's shape."""
    return count_flops(net, batch.inputs[:1]) / 1e6


@register_proxy(
    "l2_norm", reference="Abdelfattah et al., ICLR 2021; NASLib (White et al.)", uses_data=False
)
def l2_norm(net: nn.Module, batch) -> float:
    """Sum over Conv2d / Linear layers of the Euclidean norm of the weights at initialisation."""
    with torch.no_grad():
        return float(sum(float(m.weight.norm()) for m in scored_layers(net)))
