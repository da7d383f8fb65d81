"""A deterministic per-cell cost (seconds) of each zero-cost proxy, for the simulated clock.

Charging the *measured* seconds of a live proxy evaluation makes a run depend on the machine and
its load: the same spec and seed then give other ``time_s`` columns and even another number of
evaluations within a time budget. By default the proxy strategies therefore charge this modelled
cost instead, so their trajectories are byte-reproducible; ``proxy_cost: measured`` charges the
measured (or, with a ``proxy_table``, recorded) seconds.

The values are the seconds per cell of scoring the NB201 network (C=16, N=5) on one mini-batch of
32 CIFAR-sized images on one CPU thread, network construction included: the inverse of the
throughput measured by ``benchmarks/zc_speed.py --cells 5 --batch 32 --threads 1`` on the
project's 2-core machine (README, "Zero-cost proxies": params 29.8 cells/s, ..., grasp 0.84).
They stand for the cost of the paper-scale network even when the live scores use the smaller
smoke-test network, so the clock charges what a real experiment would cost on a CPU.
"""

from __future__ import annotations

_CELLS_PER_S: dict[str, float] = {
    "params": 29.8,
    "flops": 22.2,
    "l2_norm": 19.1,
    "synflow": 17.5,
    "nwot": 3.7,
    "zen": 3.5,
    "jacob_cov": 3.3,
    "plain": 3.2,
    "snip": 3.2,
    "grad_norm": 2.9,
    "fisher": 2.7,
    "epe_nas": 2.4,
    "grasp": 0.84,
}
PROXY_COST_S: dict[str, float] = {k: round(1.0 / v, 6) for k, v in _CELLS_PER_S.items()}
DEFAULT_COST_S = round(1.0 / min(_CELLS_PER_S.values()), 6)  # a proxy not measured: the slowest
COST_MODES = ("model", "measured")


def proxy_cost_s(proxy: str) -> float:
    """Modelled seconds to score one cell with ``proxy`` (see the module docstring)."""
    return PROXY_COST_S.get(proxy, DEFAULT_COST_S)
