"""A deterministic cost (seconds) of one search epoch of each one-shot method, for the clock.

Charging the *measured* seconds of a search epoch makes a run depend on the machine and its load:
the same spec and seed then give other ``time_s`` columns (and, under a time budget, another
number of proposals). By default the one-shot strategies therefore charge this modelled cost, so
their trajectories and ``alphas.json`` are byte-reproducible; ``epoch_cost: measured`` charges the
measured seconds instead, and ``epoch_cost_s`` any fixed number.

The model is NAS-Bench-201's own record of these searches (Dong & Yang, ICLR 2020, Table 5: GPU
seconds of the whole search on CIFAR-10, the numbers also quoted by TE-NAS, Chen et al., ICLR 2021)
divided by NB201's number of epochs for the method, so that one-shot runs are charged on the same
GPU clock as the black-box strategies, whose evaluations cost NB201's recorded training seconds.
An epoch of another setting is scaled by its share of NB201's work: training images seen per
epoch (NB201: the 25,000 images of the weight half of CIFAR-10's train split), channels squared,
cells per stage and pixels per image (NB201: C=16, N=5, 32 x 32). ``darts-hw`` costs what
``darts-v1`` does (its latency term is a table look-up).
"""

from __future__ import annotations

from nasbench_suite.errors import NasBenchError

#: NB201 Table 5, search seconds on CIFAR-10 (one GPU), and NB201's epochs of each search.
NB201_SEARCH_S: dict[str, float] = {
    "darts-v1": 10889.87,
    "darts-v2": 29901.67,
    "gdas": 28925.91,
    "rsps": 8007.13,
    "enas": 13314.51,
}
NB201_EPOCHS: dict[str, int] = {"darts-v1": 50, "darts-v2": 50, "gdas": 240, "rsps": 250,
                                "enas": 310}
_SAME_AS = {"darts-hw": "darts-v1"}
NB201_IMAGES, NB201_CHANNELS, NB201_CELLS, NB201_PIXELS = 25_000, 16, 5, 32 * 32


def nb201_epoch_s(method: str) -> float:
    """NB201's recorded GPU seconds of one search epoch of ``method``."""
    base = _SAME_AS.get(method, method)
    if base not in NB201_SEARCH_S:
        raise NasBenchError(f"no recorded search cost for one-shot method {method!r}")
    return NB201_SEARCH_S[base] / NB201_EPOCHS[base]


def epoch_cost_s(method: str, images: int, channels: int, cells_per_stage: int,
                 pixels: int) -> float:
    """Modelled seconds of one search epoch (see the module docstring), rounded to 1 us."""
    scale = (
        images / NB201_IMAGES
        * (channels / NB201_CHANNELS) ** 2
        * cells_per_stage / NB201_CELLS
        * pixels / NB201_PIXELS
    )
    return round(nb201_epoch_s(method) * scale, 6)
