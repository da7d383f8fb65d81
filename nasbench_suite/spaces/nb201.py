"""The NAS-Bench-201 cell space behind :class:`~nasbench_suite.spaces.base.SearchSpace`.

Six dimensions (the cell's edges ``0->1, 0->2, 1->2, 0->3, 1->3, 2->3``) of five operations
each; an id is the official NB201 index (0..15,624), a permutation of the base-5 cell codes that
only the benchmark data knows (:class:`~nasbench_suite.space.codec.IndexMap`). The codecs,
isomorphism, neighbourhoods and encodings live in :mod:`nasbench_suite.space`; this module adapts
them to the seam.

``create_space("nb201")`` needs no data: dimensions, size and encodings are static, and the index
map is read from the default store (:func:`~nasbench_suite.bench.store.open_store`) on the first
call that converts between ids and cells. Code holding a store passes its map:
``NB201Space(store.index_map)`` or ``NB201Space.from_store(store)``.

Extras beyond the seam: ``canonical`` (NB201 ``UniqueString`` isomorphism classes, 6,466), the
``path`` (BANANAS, 84 bits) and ``ops`` (raw op ids) encodings, and for NB201-only code (one-shot
methods, proxies, training) :meth:`NB201Space.ops`, :meth:`~NB201Space.ops_matrix`,
:meth:`~NB201Space.index_of_ops` and :meth:`~NB201Space.adjacency`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from nasbench_suite.errors import ArchError, unknown
from nasbench_suite.space.codec import (
    EDGES,
    N_CELLS,
    OPS,
    IndexMap,
    OpTuple,
    codes_to_ops,
    ops_to_code,
)
from nasbench_suite.space.encodings import adjacency_ops, one_hot, path_encoding
from nasbench_suite.space.neighbours import mutate, neighbours
from nasbench_suite.spaces.base import Dimension, SearchSpace, register_space

ENCODINGS = ("one_hot", "path", "ops")
_PLACES = len(OPS) ** np.arange(len(EDGES) - 1, -1, -1)


@register_space("nb201")
class NB201Space(SearchSpace):
    """NB201 cells addressed by official index, with neighbourhoods, sampling and encodings.

    Holds only the index <-> cell bijection, never accuracies, so strategies built on it cannot
    peek at results.

    Args:
        index_map: the NB201 index <-> cell map (default: the default store's, read lazily).
    """

    encodings = ENCODINGS
    dims = tuple(Dimension(f"edge {s}->{d}", OPS) for s, d in EDGES)

    def __init__(self, index_map: IndexMap | None = None) -> None:
        self._index_map = index_map
        self._ops_cache: np.ndarray | None = None
        self._canonical: np.ndarray | None = None

    @classmethod
    def from_store(cls, store=None) -> NB201Space:
        """The space of a loaded store (default store if None)."""
        from nasbench_suite.bench.store import open_store

        return cls((store or open_store()).index_map)

    @property
    def index_map(self) -> IndexMap:
        """The NB201 index <-> cell map (the default store's unless one was given)."""
        if self._index_map is None:
            from nasbench_suite.bench.store import open_store

            self._index_map = open_store().index_map
        return self._index_map

    @property
    def _ops(self) -> np.ndarray:
        if self._ops_cache is None:
            self._ops_cache = codes_to_ops(self.index_map.code_of_index)  # row = NB201 index
        return self._ops_cache

    # --- the seam's codec ---------------------------------------------------------------------
    @property
    def size(self) -> int:
        """15,625 cells."""
        return N_CELLS

    def config(self, arch_id: int) -> tuple[int, ...]:
        """Op tuple (choice per edge) of an NB201 index."""
        self.check_id(int(arch_id))
        return self.ops(int(arch_id))

    def id_of(self, config: Sequence[int]) -> int:
        """NB201 index of an op tuple."""
        return self.index_of_ops(config)

    def configs(self, ids) -> np.ndarray:
        """Op tuples of many NB201 indices, shape (n, 6)."""
        return self.ops_matrix(np.atleast_1d(np.asarray(ids, dtype=np.int64)))

    def ids_of(self, configs: np.ndarray) -> np.ndarray:
        """NB201 indices of many op tuples (rows of an (n, 6) int array), vectorised."""
        arr = np.asarray(configs, dtype=np.int64).reshape(-1, len(EDGES))
        if arr.size and (arr.min() < 0 or arr.max() >= len(OPS)):
            raise ArchError(f"op ids must be in 0..{len(OPS) - 1}")
        return self.index_map.index_of_code[arr @ _PLACES]

    def to_str(self, arch_id: int) -> str:
        """NB201 arch string of an index."""
        return self.index_map.arch_str(int(arch_id))

    def parse(self, text: str) -> int:
        """NB201 index of an arch string (or of a decimal index)."""
        return self.index_map.index(text)

    def index(self, arch) -> int:
        """NB201 index of an arch string, op tuple or index."""
        return self.index_map.index(arch)

    # --- NB201-only helpers (one-shot methods, proxies, training) -----------------------------
    def ops(self, index: int) -> OpTuple:
        """Op tuple of an NB201 index."""
        return tuple(int(o) for o in self._ops[index])

    def ops_matrix(self, indices=None) -> np.ndarray:
        """Op tuples of many indices, shape (n, 6) (all cells if None)."""
        return self._ops if indices is None else self._ops[np.asarray(indices, dtype=np.int64)]

    def index_of_ops(self, ops) -> int:
        """NB201 index of an op tuple."""
        return int(self.index_map.index_of_code[ops_to_code(ops)])

    def adjacency(self, indices) -> tuple[np.ndarray, np.ndarray]:
        """Edges-as-nodes adjacency (n, 8, 8) and node features (n, 8, 7)."""
        return adjacency_ops(self.ops_matrix(np.atleast_1d(indices)))

    # --- local moves and sampling (the NB201 / REA definitions) -------------------------------
    def neighbours(self, index: int) -> list[int]:
        """NB201 indices of the 24 single-edge mutations of ``index`` (edge-major order)."""
        return [self.index_of_ops(n) for n in neighbours(self.ops(index))]

    def mutate(
        self, index: int, rng: np.random.Generator, scheme: str = "uniform_edge"
    ) -> int:
        """One random single-edge mutation of ``index`` (``scheme``: see
        :func:`~nasbench_suite.space.neighbours.mutate`, ``uniform_edge`` or
        ``node_then_edge``, the NATS-Bench authors' rule)."""
        return self.index_of_ops(mutate(self.ops(index), rng, scheme))

    def sample(self, rng: np.random.Generator, n: int | None = None):
        """One uniform NB201 index (int), or an array of ``n`` (with replacement)."""
        if n is None:
            return int(rng.integers(N_CELLS))
        return rng.integers(N_CELLS, size=n)

    # --- encodings and isomorphism ------------------------------------------------------------
    def encode(self, ids, kind: str = "one_hot") -> np.ndarray:
        """Encode NB201 indices: ``one_hot`` (n, 30), ``path`` (n, 84) float32, ``ops`` (n, 6)."""
        ops = self.ops_matrix(np.atleast_1d(ids))
        if kind == "one_hot":
            return one_hot(ops)
        if kind == "path":
            return path_encoding(ops)
        if kind == "ops":
            return ops.astype(np.int64)
        raise unknown("encoding", kind, ENCODINGS)

    def canonical(self, ids) -> np.ndarray:
        """Smallest NB201 index of each id's isomorphism class (NB201's 6,466 classes)."""
        if self._canonical is None:
            from nasbench_suite.space.isomorphism import class_ids

            self._canonical = class_ids(self._ops, "nb201").astype(np.int64)
        return self._canonical[np.atleast_1d(np.asarray(ids, dtype=np.int64))]

