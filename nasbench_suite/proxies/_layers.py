"""Helpers shared by the proxies: the layers they score and the loss."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


def scored_layers(net: nn.Module) -> list[nn.Module]:
    """The Conv2d and Linear layers, in module order (what the reference proxies sum over)."""
    return [m for m in net.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]


def loss_of(net: nn.Module, batch) -> torch.Tensor:
    """Cross-entropy of ``net`` on the batch (the reference loss of every loss-based proxy)."""
    return F.cross_entropy(net(batch.inputs), batch.targets)


def weight_grads(net: nn.Module, batch) -> list[tuple[torch.Tensor, torch.Tensor | None]]:
    """(weight, dLoss/dweight) for every scored layer after one forward/backward pass."""
    net.zero_grad(set_to_none=True)
    loss_of(net, batch).backward()
    return [(m.weight, m.weight.grad) for m in scored_layers(net)]
