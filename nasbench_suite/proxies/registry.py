"""The zero-cost proxy registry (timm style): ``@register_proxy(name)``, ``create_proxy``,
``list_proxies``.

A proxy is a function ``fn(net, batch) -> float`` that scores one freshly initialised network
(``torch.nn.Module`` mapping images to logits) from one mini-batch (:class:`ProxyBatch`); higher
means "predicted better". Proxies may modify ``net`` (re-initialise it, take absolute weights):
the batch scorer hands each proxy its own copy.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from nasbench_suite.errors import unknown

ProxyFn = Callable[[Any, "ProxyBatch"], float]


@dataclass
class ProxyBatch:
    """One fixed mini-batch and what the proxies need to know about it.

    Attributes:
        inputs: float tensor (B, C, H, W), normalised images.
        targets: long tensor (B,), class labels in 0..num_classes-1.
        num_classes: outputs of the network.
        generator: seeded ``torch.Generator`` for proxies that draw random inputs (zen), on the
            inputs' device.
    """

    inputs: Any
    targets: Any
    num_classes: int
    generator: Any = None


@dataclass(frozen=True)
class ProxyInfo:
    """A registered proxy: its function, whether it reads data, and the paper it implements."""

    name: str
    fn: ProxyFn
    reference: str
    uses_data: bool = True

    def __call__(self, net, batch: ProxyBatch) -> float:
        return float(self.fn(net, batch))


_REGISTRY: dict[str, ProxyInfo] = {}


def register_proxy(name: str, *, reference: str, uses_data: bool = True):
    """Decorator registering ``fn(net, batch) -> float`` as proxy ``name``."""

    def wrap(fn: ProxyFn) -> ProxyFn:
        if name in _REGISTRY:
            raise ValueError(f"proxy {name!r} is registered twice")
        _REGISTRY[name] = ProxyInfo(name, fn, reference, uses_data)
        return fn

    return wrap


def _load_builtin() -> None:
    # the built-in proxies register themselves on import (they import torch)
    from nasbench_suite.proxies import activation, gradient, static  # noqa: F401


def list_proxies() -> list[str]:
    """Names of every registered proxy, sorted."""
    _load_builtin()
    return sorted(_REGISTRY)


def create_proxy(name: str) -> ProxyInfo:
    """The proxy called ``name``; raises :class:`UnknownNameError` listing the known ones."""
    _load_builtin()
    if name not in _REGISTRY:
        raise unknown("zero-cost proxy", name, sorted(_REGISTRY))
    return _REGISTRY[name]


def parse_proxy_list(text: str | list[str]) -> list[str]:
    """``"synflow,snip"`` (or ``"all"``) -> validated list of proxy names."""
    names = text.split(",") if isinstance(text, str) else list(text)
    names = [n.strip() for n in names if n.strip()]
    if names == ["all"]:
        return list_proxies()
    for n in names:
        create_proxy(n)
    if not names:
        raise unknown("zero-cost proxy", "", list_proxies())
    return names
