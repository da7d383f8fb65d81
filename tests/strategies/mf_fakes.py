"""A small non-NB201 space and a synthetic many-fidelity benchmark for multi-fidelity tests."""

from __future__ import annotations

import math

import numpy as np

from nasbench_suite.benchmarks.base import Observation
from nasbench_suite.errors import ArchError
from nasbench_suite.spaces.base import Dimension, SearchSpace

D, K = 8, 4  # 8 dimensions x 4 choices: 65,536 configurations


class ToySpace(SearchSpace):
    """Mixed-radix space; choice 3 of the last dimension is forbidden (tests rejections)."""

    name = "toy"
    dims = tuple(Dimension(f"d{i}", tuple("abcd")) for i in range(D))

    @property
    def size(self) -> int:
        return K**D

    def config(self, arch_id: int) -> tuple[int, ...]:
        self.check_id(arch_id)
        return tuple((arch_id // K ** (D - 1 - i)) % K for i in range(D))

    def id_of(self, config) -> int:
        if len(config) != D or any(not 0 <= c < K for c in config):
            raise ArchError(f"bad toy config {config!r}")
        return int(sum(c * K ** (D - 1 - i) for i, c in enumerate(config)))


class ToyBench:
    """Accuracy rises with the epoch towards a per-architecture ceiling; 10 s per epoch."""

    fidelities = tuple(range(1, 82))

    def __init__(self, space: ToySpace) -> None:
        self.space = space

    def quality(self, arch: int) -> float:
        cfg = np.asarray(self.space.config(arch))
        return float(70 + 25 * (cfg == 2).mean())  # best: every dimension at choice 2

    def evaluate(self, arch: int, fidelity: int, from_fidelity: int | None = None):
        acc = self.quality(arch) * (1 - math.exp(-fidelity / 15))
        cost = 10.0 * (fidelity - (from_fidelity or 0))
        return Observation(arch, acc, cost, fidelity), cost
