"""Activation- and Jacobian-based zero-cost proxies: NASWOT, Jacobian covariance, EPE-NAS, Zen."""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn

from nasbench_suite.proxies.registry import register_proxy

_EPS = 1e-5


@register_proxy(
    "nwot",
    reference="Mellor et al., Neural Architecture Search without Training, ICML 2021 (v2 score)",
)
def nwot(net: nn.Module, batch) -> float:
    """log|K|, K[i, j] = number of ReLU units (over every ReLU module, on its input) where
    images i and j have the same on/off pattern. -inf when K is singular."""
    net.train()
    n = batch.inputs.shape[0]
    kernel = torch.zeros((n, n), dtype=torch.float64, device=batch.inputs.device)

    def on_forward(module, inputs, output):
        x = (inputs[0].detach().reshape(n, -1) > 0).to(torch.float64)
        kernel.add_(x @ x.T + (1.0 - x) @ (1.0 - x).T)

    handles = [
        m.register_forward_hook(on_forward) for m in net.modules() if isinstance(m, nn.ReLU)
    ]
    try:
        with torch.no_grad():
            net(batch.inputs)
    finally:
        for h in handles:
            h.remove()
    _, logdet = np.linalg.slogdet(kernel.cpu().numpy())
    return float(logdet)


def input_jacobian(net: nn.Module, inputs: torch.Tensor) -> np.ndarray:
    """d(sum of outputs)/d(input) of each image, flattened: (B, C*H*W) float64 array."""
    x = inputs.detach().clone().requires_grad_(True)
    net.zero_grad(set_to_none=True)
    y = net(x)
    y.backward(torch.ones_like(y))
    return x.grad.detach().reshape(x.shape[0], -1).cpu().double().numpy()


@register_proxy(
    "jacob_cov",
    reference="Mellor et al., NAS without Training, arXiv:2006.04647 v1 "
    "(2020); Abdelfattah et al., ICLR 2021 (jacob_cov)",
)
def jacob_cov(net: nn.Module, batch) -> float:
    """-sum_i [log(v_i + k) + 1/(v_i + k)] over the eigenvalues v of the correlation matrix of
    the per-image input Jacobians, k = 1e-5 (NaN when the correlation is undefined)."""
    net.train()
    jac = input_jacobian(net, batch.inputs)
    with np.errstate(all="ignore"):
        corr = np.corrcoef(jac)
    if not np.all(np.isfinite(corr)):
        return math.nan
    v = np.linalg.eigvalsh(corr)
    return float(-np.sum(np.log(v + _EPS) + 1.0 / (v + _EPS)))


def _class_score(rows: np.ndarray) -> float:
    with np.errstate(all="ignore"):
        corr = np.corrcoef(rows)
    return float(np.sum(np.log(np.abs(corr) + _EPS)))


@register_proxy("epe_nas", reference="Lopes et al., EPE-NAS, ICANN 2021")
def epe_nas(net: nn.Module, batch) -> float:
    """Per-class Jacobian correlation score: sum over classes c of |sum log(|corr_c| + k)|
    (up to 100 classes); above 100 classes, each class score is divided by its size and the score
    is the mean pairwise |difference| (the reference's variant B vs A)."""
    net.train()
    jac = input_jacobian(net, batch.inputs)
    labels = batch.targets.detach().cpu().numpy()
    many = batch.num_classes > 100
    scores = {}
    for c in np.unique(labels):
        rows = jac[labels == c]
        if many and rows.shape[0] < 2:  # the reference skips these (len() of a 0-d array)
            continue
        s = _class_score(rows if rows.shape[0] > 1 else rows[0])
        scores[c] = s / rows.shape[0] if many else s
    vals = np.array(list(scores.values()), dtype=np.float64)
    if not many:
        return float(np.sum(np.abs(vals)))
    if vals.size == 0:
        return 0.0
    return float(np.abs(vals[:, None] - vals[None, :]).sum() / vals.size)


def _gaussian_init(net: nn.Module, generator: torch.Generator | None) -> None:
    with torch.no_grad():
        for m in net.modules():
            if isinstance(m, (nn.Conv2d, nn.Linear)):
                m.weight.normal_(generator=generator)
                if m.bias is not None:
                    nn.init.zeros_(m.bias)
            elif isinstance(m, (nn.BatchNorm2d, nn.GroupNorm)) and m.weight is not None:
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)


@register_proxy("zen", reference="Lin et al., Zen-NAS, ICCV 2021", uses_data=False)
def zen(net: nn.Module, batch) -> float:
    """log E|f(x) - f(x + 0.01 e)|_1 + sum over BN layers of log sqrt(mean running variance),
    f the pre-pooling features of the network re-initialised with N(0, 1) weights, x and e
    Gaussian inputs of the batch's shape (train-mode BN; one repeat)."""
    shape, dev = batch.inputs.shape, batch.inputs.device
    gen = batch.generator
    if gen is None:
        gen = torch.Generator(device=dev).manual_seed(0)
    _gaussian_init(net, gen)
    net.train()
    with torch.no_grad():
        x = torch.randn(shape, generator=gen, device=dev, dtype=batch.inputs.dtype)
        e = torch.randn(shape, generator=gen, device=dev, dtype=batch.inputs.dtype)
        feats = getattr(net, "forward_features", net)
        diff = (feats(x) - feats(x + 0.01 * e)).abs()
        score = torch.log(diff.reshape(shape[0], -1).sum(1).mean())
        for m in net.modules():
            if isinstance(m, nn.BatchNorm2d) and m.running_var is not None:
                score = score + torch.log(torch.sqrt(m.running_var.mean()))
    return float(score)
