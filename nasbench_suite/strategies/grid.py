"""Grid search: a sweep of every cell of a space (Bergstra & Bengio, JMLR 2012, the grid baseline)."""

from __future__ import annotations

import numpy as np

from nasbench_suite.benchmarks.base import Observation
from nasbench_suite.errors import NasBenchError
from nasbench_suite.strategies.base import Candidate, Searcher, register_strategy


@register_strategy("grid")
class GridSearch(Searcher):
    """Exhaustive sweep of every id of the space (15,625 NB201 cells), without replacement,
    then again.

    The grid baseline of Bergstra & Bengio, "Random Search for Hyper-Parameter Optimization",
    JMLR 2012: the NB201 space is a full grid of 5 ops on 6 edges, so a sweep is exhaustive.
    A space too large to enumerate (DARTS, ~1e18 ids) cannot be permuted: there ``shuffle``
    draws uniform ids without repeats (random search without replacement, which is what a
    shuffled sweep is), and ``shuffle=False`` walks ids 0, 1, 2, ...

    Args:
        shuffle: ``True`` (default) visits the cells in an order drawn from ``self.rng`` (a
            random permutation, i.e. random search without replacement); ``False`` visits them
            in NB201 index order 0, 1, ..., 15,624, which is the same for every seed.

    After a sweep is exhausted the next one starts: in index order again, or (``shuffle``) in a
    fresh permutation drawn from the same generator. The sweep advances on ``ask``; ``tell``
    learns nothing, so unanswered asks are simply skipped cells.
    """

    paper = "Bergstra & Bengio, Random Search for Hyper-Parameter Optimization, JMLR 2012"

    def __init__(self, space, seed=0, objective=None, shuffle: bool = True) -> None:
        super().__init__(space, seed=seed, objective=objective)
        if not isinstance(shuffle, (bool, np.bool_)):
            raise NasBenchError(f"grid: shuffle must be true or false, got {shuffle!r}")
        self.shuffle = bool(shuffle)
        self._order: np.ndarray | None = None
        self._pos = 0
        self.sweeps = 0  # completed or started sweeps
        self._visited: set[int] = set()  # non-enumerable spaces: ids proposed so far

    def ask(self) -> Candidate:
        if not self.space.enumerable:
            return Candidate(self._next_unenumerable())
        if self._order is None or self._pos >= self._order.size:
            n = self.space.size
            self._order = self.rng.permutation(n) if self.shuffle else np.arange(n)
            self._pos = 0
            self.sweeps += 1
        index = int(self._order[self._pos])
        self._pos += 1
        return Candidate(index)

    def _next_unenumerable(self) -> int:
        self.sweeps = 1
        if not self.shuffle:
            index = self._pos % self.space.size
        else:
            index = self.space.sample(self.rng)
            while index in self._visited:
                index = self.space.sample(self.rng)
            self._visited.add(index)
        self._pos += 1
        return int(index)

    def tell(self, candidate: Candidate, observation: Observation) -> None:
        """A grid learns nothing."""
