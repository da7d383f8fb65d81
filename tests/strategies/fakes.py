"""A fake search space and benchmark that are neither NB201 nor enumerable.

:class:`ConditionalSpace`: 12 dimensions of 7 choices; dimension ``6 + k`` is active only when
dimension ``k`` is not 0 (an "active rule"), and inactive dimensions hold 0. Ids are the
mixed-radix numbers of valid configurations (7**12, about 1.4e10, > ``ENUMERABLE_LIMIT``).
:class:`FakeBenchmark`: a deterministic score of the configuration at three fidelities.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from nasbench_suite.benchmarks.base import Benchmark, BenchmarkInfo, Observation, Provenance
from nasbench_suite.errors import ArchError
from nasbench_suite.spaces.base import Dimension, SearchSpace

N_DIMS, N_CHOICES = 12, 7


class ConditionalSpace(SearchSpace):
    """12 x 7 categorical dimensions, the last six conditional on the first six."""

    name = "fake-conditional"
    dims = tuple(Dimension(f"d{i}", tuple(f"c{j}" for j in range(N_CHOICES))) for i in range(N_DIMS))

    @property
    def size(self) -> int:
        return N_CHOICES**N_DIMS

    def active(self, config: Sequence[int]) -> tuple[bool, ...]:
        head = (True,) * (N_DIMS // 2)
        return head + tuple(int(config[k]) != 0 for k in range(N_DIMS // 2))

    def config(self, arch_id: int) -> tuple[int, ...]:
        self.check_id(int(arch_id))
        digits, rest = [], int(arch_id)
        for _ in range(N_DIMS):
            rest, d = divmod(rest, N_CHOICES)
            digits.append(d)
        cfg = tuple(reversed(digits))
        if any(v and not on for v, on in zip(cfg, self.active(cfg))):
            raise ArchError(f"id {arch_id} sets an inactive dimension")
        return cfg

    def id_of(self, config: Sequence[int]) -> int:
        cfg = tuple(int(v) for v in config)
        if len(cfg) != N_DIMS or any(not 0 <= v < N_CHOICES for v in cfg):
            raise ArchError(f"bad configuration {config!r}")
        if any(v and not on for v, on in zip(cfg, self.active(cfg))):
            raise ArchError(f"configuration {config!r} sets an inactive dimension")
        out = 0
        for v in cfg:
            out = out * N_CHOICES + v
        return out

    def sample(self, rng: np.random.Generator, n: int | None = None):
        def one() -> int:
            cfg = rng.integers(N_CHOICES, size=N_DIMS)
            cfg[N_DIMS // 2 :] *= cfg[: N_DIMS // 2] != 0
            return self.id_of(cfg)

        if n is None:
            return one()
        return np.asarray([one() for _ in range(n)], dtype=np.int64)


class FakeBenchmark(Benchmark):
    """Validation 'accuracy' = a fixed random linear score of the one-hot configuration."""

    name = "fake"
    info = BenchmarkInfo(
        space="fake-conditional", datasets=("toy",), search_datasets=("toy",),
        fidelities=(4, 16, 64), default_fidelity=64, cost="evaluations",
    )

    def __init__(self, dataset: str = "toy", fidelity: int = 64) -> None:
        self.space = ConditionalSpace()
        self.dataset, self.fidelity = dataset, fidelity
        width = sum(d.size for d in self.space.dims)
        self._w = np.random.default_rng(0).normal(size=width)

    def _score(self, arch_id: int, fidelity: int) -> float:
        x = self.space.encode([arch_id])[0]
        return float(50 + 3 * x @ self._w - 100 / fidelity)

    def evaluate(self, arch, rng=None, fidelity=None) -> Observation:
        i = self.space.index(arch)
        fid = self.fidelity if fidelity is None else int(fidelity)
        if fid not in self.info.fidelities:
            raise ArchError(f"fidelity {fid} not offered")
        return Observation(i, self._score(i, fid), 1.0, fid)

    def report(self, arch, dataset=None):
        raise NotImplementedError

    def test_accuracy(self, ids, dataset):
        return np.asarray([self._score(int(i), 64) for i in np.atleast_1d(ids)])

    def provenance(self) -> Provenance:
        return Provenance("synthetic test benchmark")
