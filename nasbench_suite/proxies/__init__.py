"""Zero-cost proxies: a registry of scores computed from an untrained network and one mini-batch.

``list_proxies()``, ``create_proxy(name)`` and ``register_proxy`` need no torch until a proxy is
looked up; ``score_cells`` (batch scorer, resumable CSV) imports torch on first use.

=========  ==============================================================================
proxy      reference
=========  ==============================================================================
synflow    Tanaka et al., "Pruning neural networks without any data...", NeurIPS 2020
snip       Lee et al., "SNIP: single-shot network pruning...", ICLR 2019
grasp      Wang et al., "Picking winning tickets before training...", ICLR 2020
fisher     Theis et al. 2018; Turner et al., "BlockSwap", ICLR 2020
grad_norm  Abdelfattah et al., "Zero-Cost Proxies for Lightweight NAS", ICLR 2021
jacob_cov  Mellor et al., "Neural Architecture Search without Training", arXiv v1, 2020
nwot       Mellor et al., "Neural Architecture Search without Training", ICML 2021
zen        Lin et al., "Zen-NAS: A Zero-Shot NAS for High-Performance Image Recog.", ICCV 2021
epe_nas    Lopes et al., "EPE-NAS: Efficient Performance Estimation Without Training", ICANN 2021
plain      Mozer & Smolensky 1989, as used by Abdelfattah et al., ICLR 2021
l2_norm    NASLib / NAS-Bench-Suite-Zero (Krishnakumar et al., NeurIPS 2022 D&B)
params     baseline: parameters (M)
flops      baseline: FLOPs (M multiply-adds)
=========  ==============================================================================

Definitions follow Abdelfattah et al.'s reference code as adapted in NASLib (loss = cross
entropy, networks in train mode, scores summed over Conv2d / Linear layers, synflow reported as
log, without BN, in float64).
"""

from __future__ import annotations

from nasbench_suite.proxies.registry import (
    ProxyBatch,
    ProxyInfo,
    create_proxy,
    list_proxies,
    parse_proxy_list,
    register_proxy,
)

__all__ = [
    "ProxyBatch",
    "ProxyInfo",
    "create_proxy",
    "list_proxies",
    "parse_proxy_list",
    "register_proxy",
    "score_cells",
]


def __getattr__(name: str):
    if name == "score_cells":
        from nasbench_suite.proxies.scorer import score_cells

        return score_cells
    raise AttributeError(name)
