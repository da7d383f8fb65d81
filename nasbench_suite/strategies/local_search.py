"""Local search (White, Nolen, Ravi, Yang & Hutter, UAI 2021): best-improvement hill climbing."""

from __future__ import annotations

import math
from dataclasses import dataclass

from nasbench_suite.benchmarks.base import Observation
from nasbench_suite.errors import NasBenchError
from nasbench_suite.strategies.base import Candidate, Searcher, register_strategy


@dataclass(frozen=True)
class Move:
    """One step of a climb: from ``source`` to its best neighbour ``target`` (both scored)."""

    source: int
    target: int
    source_score: float
    target_score: float


@register_strategy("local_search")
class LocalSearch(Searcher):
    """Best-improvement local search over single-edge mutations, restarting at local optima.

    White, Nolen, Ravi, Yang & Hutter, "Exploring the Loss Landscape in Neural Architecture
    Search", UAI 2021 (Algorithm 1; first in "Local Search is State of the Art for NAS
    Benchmarks", 2020). The neighbourhood of a cell is its 24 single-edge mutations.

    * Start: ``n_init`` uniform random cells (default 1, the paper's Algorithm 1, which starts
      from one random cell; NASLib's implementation uses the best of 10) ; the climb starts
      from the best of them.
    * Step: evaluate every neighbour of the current cell, in an order shuffled by ``self.rng``,
      then move to the best neighbour if it is strictly better than the current cell.
    * Local optimum (no strictly better neighbour): restart with ``n_init`` new random cells.

    No cell is ever proposed twice: every score told is cached for the whole run, so a
    neighbour already evaluated (in this climb or an earlier one) counts with its cached score
    at no cost, and random restarts draw cells not evaluated before. With a noisy benchmark
    the first observation of a cell is the one that counts.

    Ask/tell: the neighbours are proposed one per ask; the move is decided when the
    neighbourhood is exhausted. Asks whose tell has not arrived at that point are ignored for
    the decision (a late tell still enters the cache), so a searcher that is stopped, or
    skips tells, never blocks. A NaN accuracy scores ``-inf`` (never an improvement).
    :attr:`moves` records every move and :attr:`restarts` counts the restarts.
    """

    paper = (
        "White, Nolen, Ravi, Yang & Hutter, Exploring the Loss Landscape in Neural Architecture "
        "Search, UAI 2021"
    )

    def __init__(self, space, seed=0, objective=None, n_init: int = 1) -> None:
        super().__init__(space, seed=seed, objective=objective)
        if isinstance(n_init, bool) or not isinstance(n_init, int) or n_init < 1:
            raise NasBenchError(f"local_search: n_init must be a positive integer, got {n_init!r}")
        self.n_init = int(n_init)
        self._scores: dict[int, float] = {}  # every cell told so far
        self._asked: set[int] = set()  # every cell proposed so far
        self._queue: list[int] = []  # cells still to propose in this phase
        self._phase_cells: list[int] = []  # cells of the current phase (init batch or neighbours)
        self._phase = "start"  # "start" (random init batch) or "climb"
        self._current: int | None = None
        self.moves: list[Move] = []
        self.restarts = 0

    @property
    def current(self) -> int | None:
        """The cell the climb is at (None before the first climb starts)."""
        return self._current

    def _score_of(self, index: int) -> float:
        return self._scores.get(index, -math.inf)

    def _fresh_random(self) -> int:
        for _ in range(1000):
            index = self.space.sample(self.rng)
            if index not in self._asked:
                return index
        return self.space.sample(self.rng)  # (practically unreachable) space nearly exhausted

    def _start_batch(self) -> None:
        self._phase = "start"
        self._current = None
        self._phase_cells = [self._fresh_random() for _ in range(self.n_init)]
        self._queue = list(reversed(self._phase_cells))

    def _start_neighbourhood(self, centre: int) -> None:
        self._phase = "climb"
        self._current = centre
        neighbours = self.space.neighbours(centre)
        order = self.rng.permutation(len(neighbours))
        self._phase_cells = [neighbours[i] for i in order]
        todo = [n for n in self._phase_cells if n not in self._asked]
        self._queue = list(reversed(todo))

    def _advance(self) -> None:
        """Close the exhausted phase and open the next one (no evaluation needed)."""
        while not self._queue:
            if self._phase == "start" and self._current is None and self._phase_cells:
                known = [c for c in self._phase_cells if c in self._scores]
                if not known:  # nothing from the batch was told: draw a new batch
                    self.restarts += 1
                    self._start_batch()
                    continue
                best = max(known, key=self._score_of)
                self._start_neighbourhood(best)
                continue
            if self._phase == "climb":
                centre = self._current
                known = [c for c in self._phase_cells if c in self._scores]
                best = max(known, key=self._score_of) if known else None
                if best is not None and self._score_of(best) > self._score_of(centre):
                    self.moves.append(
                        Move(centre, best, self._score_of(centre), self._score_of(best))
                    )
                    self._start_neighbourhood(best)
                else:
                    self.restarts += 1
                    self._start_batch()
                continue
            self._start_batch()  # very first ask

    def ask(self) -> Candidate:
        self._advance()
        index = self._queue.pop()
        self._asked.add(index)
        return Candidate(index)

    def tell(self, candidate: Candidate, observation: Observation) -> None:
        index = int(candidate.arch_index)
        self._asked.add(index)
        self._scores.setdefault(index, self.score(observation))
