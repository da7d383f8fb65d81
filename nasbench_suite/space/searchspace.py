"""The search space as a strategy sees it: NB201 indices, their cells and encodings; no results."""

from __future__ import annotations

import numpy as np

from nasbench_suite.errors import unknown
from nasbench_suite.space.codec import N_CELLS, IndexMap, OpTuple, codes_to_ops, ops_to_code
from nasbench_suite.space.encodings import adjacency_ops, one_hot, path_encoding
from nasbench_suite.space.neighbours import mutate, neighbours

ENCODINGS = ("one_hot", "path", "ops")


class SearchSpace:
    """NB201 cells addressed by official index, with neighbourhoods, sampling and encodings.

    Holds only the index <-> cell bijection, never accuracies, so strategies built on it cannot
    peek at results.
    """

    size = N_CELLS

    def __init__(self, index_map: IndexMap) -> None:
        self.index_map = index_map
        self._ops = codes_to_ops(index_map.code_of_index)  # (n, 6), row = NB201 index

    @classmethod
    def from_store(cls, store=None) -> "SearchSpace":
        """The space of a loaded store (default store if None)."""
        from nasbench_suite.bench.store import open_store

        return cls((store or open_store()).index_map)

    def ops(self, index: int) -> OpTuple:
        """Op tuple of an NB201 index."""
        return tuple(int(o) for o in self._ops[index])

    def ops_matrix(self, indices=None) -> np.ndarray:
        """Op tuples of many indices, shape (n, 6) (all cells if None)."""
        return self._ops if indices is None else self._ops[np.asarray(indices, dtype=np.int64)]

    def index(self, arch) -> int:
        """NB201 index of an arch string, op tuple or index."""
        return self.index_map.index(arch)

    def index_of_ops(self, ops) -> int:
        """NB201 index of an op tuple."""
        return int(self.index_map.index_of_code[ops_to_code(ops)])

    def neighbours(self, index: int) -> list[int]:
        """NB201 indices of the 24 single-edge mutations of ``index``."""
        return [self.index_of_ops(n) for n in neighbours(self.ops(index))]

    def mutate(
        self, index: int, rng: np.random.Generator, scheme: str = "uniform_edge"
    ) -> int:
        """One random single-edge mutation of ``index`` (``scheme``: see
        :func:`~nasbench_suite.space.neighbours.mutate`, ``uniform_edge`` or
        ``node_then_edge``)."""
        return self.index_of_ops(mutate(self.ops(index), rng, scheme))

    def sample(self, rng: np.random.Generator, n: int | None = None):
        """One uniform NB201 index (int), or an array of ``n`` (with replacement)."""
        if n is None:
            return int(rng.integers(N_CELLS))
        return rng.integers(N_CELLS, size=n)

    def encode(self, indices, kind: str = "one_hot") -> np.ndarray:
        """Encode NB201 indices: ``one_hot`` (n, 30), ``path`` (n, 84) or ``ops`` (n, 6)."""
        ops = self.ops_matrix(np.atleast_1d(indices))
        if kind == "one_hot":
            return one_hot(ops)
        if kind == "path":
            return path_encoding(ops)
        if kind == "ops":
            return ops.astype(np.int64)
        raise unknown("encoding", kind, ENCODINGS)

    def adjacency(self, indices) -> tuple[np.ndarray, np.ndarray]:
        """Edges-as-nodes adjacency (n, 8, 8) and node features (n, 8, 7)."""
        return adjacency_ops(self.ops_matrix(np.atleast_1d(indices)))
